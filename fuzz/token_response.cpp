// SPDX-License-Identifier: MIT
//
// Fuzz target: parse_token_response (Buffer's lenient profile and a strict
// RFC 6749 provider), parse_refresh_response, check_api_response and
// parse_deauthorize_response.
//
// Input: byte 0 picks the HTTP status, byte 1 the headers (Cache-Control
// variants, bits 0-1), the previous refresh token (bit 2) and a second pass
// with tight limits (bit 3); the rest is the body.
// Properties:
//  - a token is only returned for a 2xx status and a body nlohmann accepts
//    (outside the published differences; a number that overflows a double
//    is replaced by 0 for nlohmann) as an object whose access_token is the
//    same string; it is non-empty b64token within max_value; its
//    token_type is Bearer (case-insensitive) or defaulted with the
//    leniency recorded; expires_in, refresh_token and scope equal
//    nlohmann's values; no_store follows Cache-Control;
//  - the strict provider never records a leniency, and whatever it accepts
//    Buffer's profile accepts with the same token;
//  - every error keeps the status and the body, and its code is one the
//    function documents; token_error carries the provider's `error` string;
//    duplicate_member means an OAuth member really is repeated;
//  - parse_refresh_response agrees with parse_token_response;
//  - tight limits refuse a body over max_body or a token over max_value
//    with too_large and nesting over max_json_depth with depth_exceeded,
//    and otherwise give the same result.

#include "fuzz_nlohmann.hpp"

namespace {
using namespace fuzz;
using bo::errc;
namespace d = bo::detail;

constexpr int kStatuses[] = {200, 201, 204, 299, 400, 401, 403, 404, 500, 503, 302, 0, 100, 199, 300, -1};

std::size_t member_index(std::string_view name) {
  for (std::size_t i = 0; i < kOAuthMemberCount; ++i)
    if (kOAuthMembers[i] == name) return i;
  return kOAuthMemberCount;
}

/// The body as nlohmann reads it (overflowing numbers replaced) and what its
/// SAX parser saw there.
struct reference_body {
  std::string doc;
  sax_report sax;
};

void check_token(const bo::provider& p, const bo::http_response& r, const bo::token& t,
                 const reference_body& ref) {
  const bo::limits lim;
  const sax_report& sax = ref.sax;
  FUZZ_CHECK(r.status >= 200 && r.status <= 299);
  FUZZ_CHECK(!t.access_token.empty() && t.access_token.size() <= lim.max_value &&
             is_reference_b64token(t.access_token));
  FUZZ_CHECK((t.leniencies & ~p.leniencies) == 0);
  if (t.applied(bo::leniency::token_type_defaulted)) {
    FUZZ_CHECK(t.token_type == "bearer");
  } else {
    FUZZ_CHECK(d::iequals(t.token_type, "bearer"));
  }
  if (t.expires_in) FUZZ_CHECK(*t.expires_in >= 0);
  for (std::size_t i = 0; i < kOAuthMemberCount; ++i) FUZZ_CHECK(sax.top_counts[i] <= 1);

  FUZZ_CHECK(sax.accepted);
  const json j = nlohmann_parse(ref.doc);
  FUZZ_CHECK(j.is_object());
  FUZZ_CHECK(j.at("access_token").get<std::string>() == t.access_token);
  FUZZ_CHECK(!j.contains("error"));
  if (j.contains("token_type") && j["token_type"].is_string()) {
    FUZZ_CHECK(j["token_type"].get<std::string>() == t.token_type && !t.applied(bo::leniency::token_type_defaulted));
  } else {
    FUZZ_CHECK(t.applied(bo::leniency::token_type_defaulted));
  }
  if (t.expires_in) {
    const json& e = j.at("expires_in");
    if (e.is_string()) {
      // RFC 6749 A.14 expires-in = 1*DIGIT: leading zeros are allowed.
      const std::string digits = e.get<std::string>();
      std::int64_t value = 0;
      for (char ch : digits) {
        FUZZ_CHECK(ch >= '0' && ch <= '9');
        value = value * 10 + (ch - '0');
      }
      FUZZ_CHECK(t.applied(bo::leniency::expires_in_string) && !digits.empty() && digits.size() <= 18 &&
                 value == *t.expires_in);
    } else {
      FUZZ_CHECK(e.is_number_unsigned() && e.get<std::uint64_t>() == static_cast<std::uint64_t>(*t.expires_in));
    }
  } else {
    FUZZ_CHECK(!j.contains("expires_in") || j["expires_in"].is_null());
  }
  if (j.contains("refresh_token") && j["refresh_token"].is_string()) {
    FUZZ_CHECK(j["refresh_token"].get<std::string>() == t.refresh_token);
  } else {
    FUZZ_CHECK(t.refresh_token.empty());
  }
  if (j.contains("scope") && j["scope"].is_string()) {
    FUZZ_CHECK(j["scope"].get<std::string>() == t.scope);
  } else {
    FUZZ_CHECK(t.scope.empty());
  }
  bool no_store = false;
  if (const std::string* cc = bo::find_header(r.headers, "cache-control")) {
    std::string lower(*cc);
    for (char& ch : lower) ch = d::ascii_lower(ch);
    no_store = contains(lower, "no-store");
  }
  FUZZ_CHECK(t.no_store == no_store);
}

char first_non_blank(std::string_view s) {
  for (char ch : s)
    if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') return ch;
  return '\0';
}

void check_error(const bo::http_response& r, const bo::error& e, const reference_body& ref) {
  const sax_report& sax = ref.sax;
  FUZZ_CHECK(one_of(e.code, {errc::too_large, errc::empty_body, errc::not_json, errc::malformed_json,
                             errc::invalid_utf8, errc::invalid_surrogate, errc::depth_exceeded,
                             errc::not_an_object, errc::duplicate_member, errc::invalid_member_type,
                             errc::missing_access_token, errc::missing_token_type, errc::unsupported_token_type,
                             errc::invalid_expires_in, errc::invalid_token_syntax, errc::invalid_character,
                             errc::malformed_error, errc::ambiguous_response, errc::token_error,
                             errc::api_error, errc::http_error}));
  FUZZ_CHECK(e.http_status == r.status);
  check_error_body(e, r.body);
  FUZZ_CHECK(!e.message.empty());
  if (e.code == errc::duplicate_member) {
    unsigned most = 0;
    for (unsigned n : sax.top_counts) most = n > most ? n : most;
    FUZZ_CHECK(most >= 2 || !sax.accepted);
  }
  if (e.code == errc::token_error) {
    FUZZ_CHECK(!e.from_provider.error.empty());
    // error and error_uri: RFC 6749 NQSCHAR; the description: any UTF-8
    // without controls (draft-20 servers such as Buffer's quote in it).
    for (char ch : e.from_provider.error + e.from_provider.error_uri)
      FUZZ_CHECK(d::is_nqschar(static_cast<unsigned char>(ch)));
    FUZZ_CHECK(d::is_valid_utf8(e.from_provider.error_description) && !has_control(e.from_provider.error_description));
    if (sax.accepted) {
      const json j = nlohmann_parse(ref.doc);
      FUZZ_CHECK(j.is_object() && j.at("error").get<std::string>() == e.from_provider.error);
      FUZZ_CHECK(!j.contains("access_token"));
    }
  }
  if (e.code == errc::not_json || e.code == errc::empty_body) {
    // nlohmann agrees, unless it skipped a BOM (published difference).
    FUZZ_CHECK(!sax.accepted || nlohmann_extent(r.body).size() != r.body.size());
  }
}

bool same_token(const bo::token& a, const bo::token& b) {
  return a.access_token == b.access_token && a.token_type == b.token_type && a.expires_in == b.expires_in &&
         a.refresh_token == b.refresh_token && a.scope == b.scope && a.leniencies == b.leniencies &&
         a.no_store == b.no_store;
}

void check_tight_limits(const bo::provider& p, const bo::http_response& r, const bo::result<bo::token>& usual,
                        const sax_report& sax) {
  bo::limits tight;
  tight.max_body = 256;
  tight.max_value = 16;
  tight.max_json_depth = 3;
  const auto t = bo::parse_token_response(p, r, tight);
  if (!usual) {
    FUZZ_CHECK(!t && (t.code() == usual.code() || one_of(t.code(), {errc::too_large, errc::depth_exceeded})));
  } else if (r.body.size() > tight.max_body) {
    FUZZ_CHECK(!t && t.code() == errc::too_large);
  } else if (sax.max_depth > tight.max_json_depth) {
    FUZZ_CHECK(!t && t.code() == errc::depth_exceeded);
  } else if (usual->access_token.size() > tight.max_value || usual->refresh_token.size() > tight.max_value) {
    FUZZ_CHECK(!t && t.code() == errc::too_large);
  } else {
    FUZZ_CHECK(t && same_token(*t, *usual));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arena a;
  std::uint8_t header_pick = 0;
  bo::http_response r = response_from(as_view(data, size), kStatuses, header_pick);
  const std::string_view body = a.copy(r.body);
  switch (header_pick & 3) {
    case 1: r.headers.push_back({"Cache-Control", "no-store"}); break;
    case 2: r.headers.push_back({"cache-control", "private, No-Store"}); break;
    case 3: r.headers.push_back({"Cache-Control", "no-cache"}); break;
    default: break;
  }
  r.headers.push_back({"Content-Type", "application/json"});
  const std::string previous = (header_pick & 4) ? "tGzv3JOkF0XG5Qx2TlKWIA" : "";

  reference_body ref;
  ref.doc = without_number_overflows(body);
  ref.sax = nlohmann_report(ref.doc);
  const sax_report& sax = ref.sax;
  const bo::provider buffer = bo::provider::buffer_legacy();
  const bo::provider strict =
      bo::provider::generic("g", "https://auth.example/authorize", "https://auth.example/token", "https://api.example/");

  auto lenient = bo::parse_token_response(buffer, r);
  auto rigid = bo::parse_token_response(strict, r);
  for (auto* res : {&lenient, &rigid}) {
    const bo::provider& p = res == &lenient ? buffer : strict;
    if (*res) {
      check_token(p, r, **res, ref);
    } else {
      check_error(r, res->error(), ref);
    }
    if (header_pick & 8) check_tight_limits(p, r, *res, sax);
    auto refreshed = bo::parse_refresh_response(p, r, previous);
    FUZZ_CHECK(refreshed.has_value() == res->has_value());
    if (refreshed) {
      FUZZ_CHECK(refreshed->access_token == (*res)->access_token);
      if ((*res)->refresh_token.empty()) {
        FUZZ_CHECK(refreshed->refresh_token == previous && !refreshed->refresh_token_rotated);
      } else {
        FUZZ_CHECK(refreshed->refresh_token == (*res)->refresh_token);
        FUZZ_CHECK(refreshed->refresh_token_rotated == ((*res)->refresh_token != previous));
      }
    } else {
      FUZZ_CHECK(refreshed.code() == res->code());
    }
  }
  if (rigid) {
    FUZZ_CHECK(rigid->leniencies == 0);
    FUZZ_CHECK(lenient && lenient->access_token == rigid->access_token && lenient->expires_in == rigid->expires_in &&
               lenient->refresh_token == rigid->refresh_token && lenient->scope == rigid->scope);
  }

  // The API-response readers on the same response.
  auto api = bo::check_api_response(r);
  if (api) {
    FUZZ_CHECK(r.status >= 200 && r.status <= 299);
  } else {
    FUZZ_CHECK(one_of(api.code(), {errc::token_rejected, errc::api_error, errc::http_error, errc::malformed_error,
                                   errc::malformed_json, errc::invalid_utf8, errc::invalid_surrogate,
                                   errc::depth_exceeded, errc::duplicate_member}));
    FUZZ_CHECK(api.error().http_status == r.status);
    check_error_body(api.error(), r.body);
    // A 2xx answer fails only as Buffer's envelope, which is a JSON object.
    if (r.status >= 200 && r.status <= 299) FUZZ_CHECK(first_non_blank(r.body) == '{');
  }
  auto revoked = bo::parse_deauthorize_response(r);
  if (revoked) {
    FUZZ_CHECK(api.has_value());
    if (sax.accepted) {
      FUZZ_CHECK(sax.top_counts[member_index("success")] == 1);
      FUZZ_CHECK(nlohmann_parse(ref.doc).at("success") == json(true));
    }
  } else {
    FUZZ_CHECK(one_of(revoked.code(),
                      {errc::token_rejected, errc::api_error, errc::http_error, errc::deauthorize_failed,
                       errc::invalid_member_type, errc::too_large, errc::empty_body, errc::not_json,
                       errc::malformed_json, errc::invalid_utf8, errc::invalid_surrogate, errc::depth_exceeded,
                       errc::not_an_object, errc::duplicate_member, errc::malformed_error}));
  }
  return 0;
}
