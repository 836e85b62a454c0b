// SPDX-License-Identifier: MIT
//
// Fuzz target: check_api_response(provider, response) for a GraphQL API
// (provider::buffer()) and, for the v1 providers, its agreement with
// check_api_response(response).
//
// Input: byte 0 picks the HTTP status, byte 1 the headers (bits 0-2 a
// Retry-After variant, bits 3-4 a WWW-Authenticate challenge); the rest is
// the body.
// Properties, with nlohmann/json reading the body (numbers that overflow a
// double replaced by 0, as in token_response):
//  - success only for a 2xx status and a body nlohmann reads as an object
//    with an object "data" and no "errors"; and every such body succeeds
//    unless a member is repeated or the nesting is over the limit;
//  - every error keeps the status and the body and has a documented code;
//    token_rejected needs HTTP 401, a challenge or a first error coded
//    UNAUTHORIZED / UNAUTHENTICATED; rate_limited needs HTTP 429 or
//    RATE_LIMIT_EXCEEDED; api_error a non-empty "errors" list; http_error a
//    status outside 2xx;
//  - api_error_code and rate_limit_window are the first error's values as
//    nlohmann reads them; Retry-After is kept only on rate_limited, and only
//    delay-seconds or an IMF-fixdate;
//  - the message holds no token-shaped run but the codes the library names,
//    and no control character; the kept provider text holds neither;
//  - buffer_legacy() and generic() answer exactly as check_api_response(r).

#include "fuzz_nlohmann.hpp"

namespace {
using namespace fuzz;
using bo::errc;

constexpr int kStatuses[] = {200, 201, 204, 299, 400, 401, 403, 404, 429, 500, 502, 503, 0, 100, 300, -1};

struct retry_variant {
  const char* value;  // nullptr: no header
  bool seconds, date;
};
constexpr retry_variant kRetryAfter[] = {
    {nullptr, false, false}, {"120", true, false},  {"0", true, false},
    {"Sun, 06 Nov 1994 08:49:37 GMT", false, true}, {"-1", false, false},
    {"1e3", false, false},   {"12345678901234567890", false, false}, {"", false, false},
};
constexpr const char* kChallenges[] = {nullptr, R"(Bearer error="invalid_token")",
                                       R"(Bearer error="insufficient_scope")", "Basic realm=\"x\""};

constexpr std::string_view kNamedCodes[] = {"UNAUTHORIZED", "UNAUTHENTICATED", "RATE_LIMIT_EXCEEDED",
                                            "FORBIDDEN",    "NOT_FOUND",       "UNEXPECTED"};

/// C0 controls, DEL, or a C1 control (U+0080-U+009F, 0xC2 0x80-0x9F in UTF-8).
bool has_c0_or_c1(std::string_view s) {
  for (std::size_t i = 0; i + 1 < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) == 0xc2 && (static_cast<unsigned char>(s[i + 1]) & 0xe0) == 0x80) return true;
  return has_control(s);
}

std::string without_named_codes(std::string s) {
  for (std::string_view code : kNamedCodes)
    for (auto at = s.find(code); at != std::string::npos; at = s.find(code)) s.erase(at, code.size());
  return s;
}

/// The first GraphQL error as nlohmann reads it, when there is one.
struct reference_error {
  bool present = false;
  std::string code, window, message;
  bool message_is_string = false;
};

reference_error first_error(const json& j) {
  reference_error out;
  if (!j.is_object() || !j.contains("errors")) return out;
  const json& errors = j["errors"];
  if (!errors.is_array() || errors.empty() || !errors[0].is_object()) return out;
  out.present = true;
  const json& e = errors[0];
  if (e.contains("message") && e["message"].is_string()) {
    out.message_is_string = true;
    out.message = e["message"].get<std::string>();
  }
  if (e.contains("extensions") && e["extensions"].is_object()) {
    const json& x = e["extensions"];
    if (x.contains("code") && x["code"].is_string()) out.code = x["code"].get<std::string>();
    if (x.contains("window") && x["window"].is_string()) out.window = x["window"].get<std::string>();
  }
  return out;
}

void check_graphql(const bo::http_response& r, const bo::result<void>& res, const std::string& doc,
                   const sax_report& sax, const retry_variant& retry, const char* challenge) {
  const bool ok_status = r.status >= 200 && r.status <= 299;
  const json j = sax.accepted ? nlohmann_parse(doc) : json();
  const bool object = sax.accepted && j.is_object();
  // What the library reads: a 2xx body, or one that opens an object (a BOM or a NUL nlohmann skips is refused).
  const bool read = (ok_status || r.body.find_first_not_of(" \t\r\n") == r.body.find('{')) &&
                    nlohmann_extent(r.body).size() == r.body.size();
  const bool plain_success = read && ok_status && object && !j.contains("errors") && j.contains("data") &&
                             j["data"].is_object();
  if (res) {
    FUZZ_CHECK(plain_success);
    return;
  }
  const bo::error& e = res.error();
  if (plain_success) FUZZ_CHECK(one_of(e.code, {errc::duplicate_member, errc::depth_exceeded}));
  FUZZ_CHECK(one_of(e.code, {errc::token_rejected, errc::rate_limited, errc::api_error, errc::http_error,
                             errc::empty_body, errc::not_json, errc::malformed_json, errc::invalid_utf8,
                             errc::invalid_surrogate, errc::depth_exceeded, errc::not_an_object,
                             errc::duplicate_member, errc::invalid_member_type, errc::missing_member,
                             errc::malformed_error}));
  FUZZ_CHECK(e.http_status == r.status);
  check_error_body(e, r.body);
  FUZZ_CHECK(!e.message.empty() && !has_control(e.message));
  FUZZ_CHECK(longest_token_run(without_named_codes(e.message)) < 16);
  FUZZ_CHECK(!has_c0_or_c1(e.from_provider.error_description));
  FUZZ_CHECK(longest_token_run(e.from_provider.error_description) < 16);

  const reference_error first = read && object ? first_error(j) : reference_error{};
  const bool refusal = one_of(e.code, {errc::token_rejected, errc::rate_limited, errc::api_error, errc::http_error});
  if (e.code == errc::token_rejected) {
    const bool challenged = challenge != nullptr && std::string_view(challenge).find("invalid_token") !=
                                                        std::string_view::npos;
    FUZZ_CHECK(r.status == 401 || (challenged && !ok_status) || first.code == "UNAUTHORIZED" ||
               first.code == "UNAUTHENTICATED");
  }
  if (e.code == errc::rate_limited) FUZZ_CHECK(r.status == 429 || first.code == "RATE_LIMIT_EXCEEDED");
  if (e.code == errc::api_error) FUZZ_CHECK(first.present);
  if (e.code == errc::http_error) FUZZ_CHECK(!ok_status);
  if (!e.api_error_code.empty()) FUZZ_CHECK(refusal && e.api_error_code == first.code);
  if (!e.rate_limit_window.empty()) {
    FUZZ_CHECK(refusal && e.rate_limit_window == first.window && e.rate_limit_window.size() <= 15);
    for (char ch : e.rate_limit_window)
      FUZZ_CHECK((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'));
  }
  // The provider's text is kept as sent when it is short, plain and control-free.
  if (refusal && first.message_is_string && !has_c0_or_c1(first.message) && first.message.size() <= 2048 &&
      longest_token_run(first.message) < 16)
    FUZZ_CHECK(e.from_provider.error_description == first.message);
  if (e.code == errc::rate_limited) {
    FUZZ_CHECK(e.retry_after.has_value() == retry.seconds);
    FUZZ_CHECK(!e.retry_after_date.empty() == retry.date);
    if (retry.date) FUZZ_CHECK(e.retry_after_date == retry.value);
  } else {
    FUZZ_CHECK(!e.retry_after && e.retry_after_date.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint8_t header_pick = 0;
  bo::http_response r = response_from(as_view(data, size), kStatuses, header_pick);
  const std::string doc = without_number_overflows(r.body);
  const sax_report sax = nlohmann_report(doc);
  r.headers.push_back({"Content-Type", "application/json"});
  const retry_variant& retry = kRetryAfter[header_pick & 7];
  if (retry.value != nullptr) r.headers.push_back({"Retry-After", retry.value});
  const char* challenge = kChallenges[(header_pick >> 3) & 3];
  if (challenge != nullptr) r.headers.push_back({"WWW-Authenticate", challenge});

  check_graphql(r, bo::check_api_response(bo::provider::buffer(), r), doc, sax, retry, challenge);

  const auto v1 = bo::check_api_response(r);
  const bo::provider v1_providers[] = {bo::provider::buffer_legacy(),
                                       bo::provider::generic("g", "https://auth.example/authorize",
                                                             "https://auth.example/token", "https://api.example/")};
  for (const bo::provider& p : v1_providers) {
    const auto same = bo::check_api_response(p, r);
    FUZZ_CHECK(same.code() == v1.code());
    if (!v1) {
      FUZZ_CHECK(same.error().message == v1.error().message && same.error().api_code == v1.error().api_code &&
                 same.error().body == v1.error().body && same.error().api_error_code.empty() &&
                 same.error().rate_limit_window.empty());
    }
  }
  return 0;
}
