// SPDX-License-Identifier: MIT
//
// Fuzz target: parse_registration_response and build_registration_request
// (RFC 7591, a native app's loopback redirect URIs).
//
// Input: byte 0 picks the HTTP status, byte 1 the redirect URIs sent (bit 0:
// two instead of one), a Retry-After header (bit 1) and a second pass with
// tight limits (bit 2); the rest is `body ~~ client_name`.
// Properties:
//  - a client is only returned for HTTP 201 and a body nlohmann accepts (a
//    number that overflows a double replaced by 0) as an object without
//    `error`, each registration member at most once, whose client_id is the
//    same string, non-empty VSCHAR within max_value; client_secret and
//    registration_access_token are nlohmann's strings (or absent and empty);
//    a secret comes with nlohmann's client_secret_expires_at; returned
//    redirect_uris are the ones sent; the app's redirect_uri is the first
//    one sent;
//  - every error keeps the status and the body, has a documented code, and
//    its message never holds the client_secret or registration_access_token
//    (checked for values with a '~', a character no message of this parser
//    has, unless the provider's own `error` repeats it);
//  - tight limits (body 256, value 16, depth 3) never accept more, and what
//    they accept is the same client;
//  - build_registration_request takes any client_name that is valid UTF-8
//    within max_value and nothing else (reference: nlohmann reading it with
//    every ASCII byte \u-escaped), and nlohmann reads it back from the body
//    byte for byte, with the fixed members and the redirect URIs sent.

#include "fuzz_nlohmann.hpp"

#include <algorithm>

namespace {
using namespace fuzz;
using bo::errc;

constexpr int kStatuses[] = {201, 200, 400, 401, 429, 503, 500, 204, 0, 302, 202, 299, 100, -1, 201, 201};

constexpr std::string_view kMembers[] = {"client_id",
                                         "client_secret",
                                         "client_secret_expires_at",
                                         "registration_access_token",
                                         "registration_client_uri",
                                         "redirect_uris",
                                         "token_endpoint_auth_method",
                                         "error"};
constexpr std::size_t kMemberCount = sizeof kMembers / sizeof kMembers[0];

/// How often each registration member name appears at the top level.
struct member_counter : nlohmann::json_sax<json> {
  unsigned counts[kMemberCount] = {};
  std::size_t depth = 0;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return ++depth, true; }
  bool end_object() override { return --depth, true; }
  bool start_array(std::size_t) override { return ++depth, true; }
  bool end_array() override { return --depth, true; }
  bool key(string_t& k) override {
    if (depth == 1)
      for (std::size_t i = 0; i < kMemberCount; ++i)
        if (k == kMembers[i]) ++counts[i];
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

std::string string_member(const json& j, const char* name) {
  return j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : std::string();
}

void check_client(const bo::http_response& r, const bo::registration_params& sent, const bo::registered_client& c,
                  const std::string& doc) {
  const bo::limits lim;
  FUZZ_CHECK(r.status == 201);
  FUZZ_CHECK(!c.app.id.empty() && c.app.id.size() <= lim.max_value);
  for (char ch : c.app.id) FUZZ_CHECK(ch >= 0x20 && ch <= 0x7e);
  FUZZ_CHECK(c.app.redirect_uri == sent.redirect_uris.front());

  member_counter counter;
  FUZZ_CHECK(json::sax_parse(doc.begin(), doc.end(), &counter));
  for (unsigned n : counter.counts) FUZZ_CHECK(n <= 1);
  const json j = nlohmann_parse(doc);
  FUZZ_CHECK(j.is_object() && !j.contains("error"));
  FUZZ_CHECK(j.at("client_id").get<std::string>() == c.app.id);
  FUZZ_CHECK(string_member(j, "client_secret") == c.app.secret);
  FUZZ_CHECK(string_member(j, "registration_access_token") == c.registration_access_token);
  FUZZ_CHECK(string_member(j, "registration_client_uri") == c.registration_client_uri);
  if (!c.app.secret.empty()) {
    const json& expires = j.at("client_secret_expires_at");
    FUZZ_CHECK(expires.is_number_unsigned() && c.client_secret_expires_at &&
               expires.get<std::uint64_t>() == static_cast<std::uint64_t>(*c.client_secret_expires_at));
  } else {
    FUZZ_CHECK(!c.client_secret_expires_at);
  }
  if (j.contains("redirect_uris")) {
    std::vector<std::string> registered = j["redirect_uris"].get<std::vector<std::string>>(), asked = sent.redirect_uris;
    std::sort(registered.begin(), registered.end());
    std::sort(asked.begin(), asked.end());
    FUZZ_CHECK(registered == asked);
  }
}

void check_error(const bo::http_response& r, const bo::error& e, const std::string& doc, bool nlohmann_accepts) {
  FUZZ_CHECK(one_of(e.code, {errc::too_large, errc::empty_body, errc::not_json, errc::malformed_json,
                             errc::invalid_utf8, errc::invalid_surrogate, errc::depth_exceeded, errc::not_an_object,
                             errc::duplicate_member, errc::invalid_member_type, errc::missing_member,
                             errc::invalid_character, errc::invalid_token_syntax, errc::invalid_url,
                             errc::insecure_url, errc::redirect_uri_mismatch, errc::client_auth_unsupported,
                             errc::malformed_error, errc::ambiguous_response, errc::registration_refused,
                             errc::api_error, errc::rate_limited, errc::http_error}));
  FUZZ_CHECK(e.http_status == r.status);
  FUZZ_CHECK(!e.message.empty());
  check_error_body(e, r.body);
  if (e.code == errc::registration_refused) FUZZ_CHECK(!e.from_provider.error.empty());
  if (!nlohmann_accepts) return;
  const json j = nlohmann_parse(doc);
  if (!j.is_object()) return;
  for (const char* name : {"client_secret", "registration_access_token"}) {
    const std::string secret = string_member(j, name);
    if (secret.find('~') == std::string::npos || e.from_provider.error.find(secret) != std::string::npos) continue;
    FUZZ_CHECK(e.message.find(secret) == std::string::npos);
  }
}

void check_tight_limits(const bo::http_response& r, const bo::registration_params& sent,
                        const bo::result<bo::registered_client>& usual) {
  bo::limits tight;
  tight.max_body = 256;
  tight.max_value = 16;
  tight.max_json_depth = 3;
  const auto c = bo::parse_registration_response(r, sent, tight);
  if (!c) return;
  FUZZ_CHECK(usual && c->app.id == usual->app.id && c->app.secret == usual->app.secret &&
             c->registration_access_token == usual->registration_access_token &&
             c->client_secret_expires_at == usual->client_secret_expires_at);
}

/// Whether nlohmann reads `text` as a JSON string when every ASCII byte is
/// written as a \u escape and every other byte as it is; the decoded value.
std::optional<std::string> reference_utf8(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string literal = "\"";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      literal += "\\u00";
      literal += hex[c >> 4];
      literal += hex[c & 0xf];
    } else {
      literal += ch;
    }
  }
  literal += '"';
  const json j = nlohmann_parse(literal);
  if (!j.is_string()) return std::nullopt;
  return j.get<std::string>();
}

void check_request(const bo::registration_params& sent, std::string_view client_name) {
  bo::registration_params r = sent;
  r.client_name.assign(client_name);
  const auto req = bo::build_registration_request(bo::provider::buffer(), r);
  const auto reference = reference_utf8(client_name);
  if (!req) {
    FUZZ_CHECK(one_of(req.code(), {errc::invalid_utf8, errc::too_large}));
    FUZZ_CHECK(req.code() == errc::too_large ? client_name.size() > bo::limits().max_value : !reference);
    return;
  }
  FUZZ_CHECK(reference && *reference == client_name && client_name.size() <= bo::limits().max_value);
  const json j = nlohmann_parse(req->body);
  FUZZ_CHECK(j.is_object());
  if (client_name.empty()) {
    FUZZ_CHECK(!j.contains("client_name"));
  } else {
    FUZZ_CHECK(j.at("client_name").get<std::string>() == client_name);
  }
  FUZZ_CHECK(j.at("redirect_uris").get<std::vector<std::string>>() == sent.redirect_uris);
  FUZZ_CHECK(j.at("token_endpoint_auth_method") == "none" && j.at("application_type") == "native");
  FUZZ_CHECK(j.at("grant_types") == json({"authorization_code", "refresh_token"}));
  FUZZ_CHECK(j.at("response_types") == json({"code"}));
  FUZZ_CHECK(j.at("scope") == sent.scope);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arena a;
  std::string_view in = as_view(data, size);
  option_bytes ob(in);
  const std::uint8_t status_pick = ob.next(), options = ob.next();
  const auto parts = split(a, in, 2);

  bo::registration_params sent;
  sent.redirect_uris = {"http://127.0.0.1/callback"};
  if (options & 1) sent.redirect_uris.push_back("http://[::1]:51004/oauth2redirect/buffer");
  sent.scope = "posts:read offline_access";

  bo::http_response r;
  r.status = kStatuses[status_pick % (sizeof kStatuses / sizeof kStatuses[0])];
  r.headers.push_back({"Content-Type", "application/json"});
  if (options & 2) r.headers.push_back({"Retry-After", "30"});
  r.body.assign(parts[0]);

  const std::string doc = without_number_overflows(parts[0]);
  const bool nlohmann_accepts = nlohmann_report(doc).accepted;
  const auto c = bo::parse_registration_response(r, sent);
  if (c) {
    check_client(r, sent, *c, doc);
  } else {
    check_error(r, c.error(), doc, nlohmann_accepts);
  }
  if (options & 4) check_tight_limits(r, sent, c);

  check_request(sent, parts[1]);
  return 0;
}
