// SPDX-License-Identifier: MIT
//
// Fuzz target: parse_redirect, and the code's trip into the token request.
//
// Input: byte 0 = options, then url "\n~~\n" expected_state "\n~~\n" issuer.
//   bits 0-1  registered redirect URI (four shapes, one with its own query)
//   bit 2     without_state
//   bit 3     generic provider with an issuer (RFC 9207 iss) instead of Buffer
//   bit 4     ...whose issuer is the third part of the input
//   bit 5     also parse with tight limits and compare
//   bit 6     synthesize: build the redirect from code (part 1) and state
//             (part 2) the way a provider would, encoded per bit 7
// Properties:
//  - an accepted redirect is the registered URI (origin and path by the
//    harness's own URL reading), its code is 1..max_value VSCHAR bytes, and
//    the query holds exactly one code (and state, when expected) whose
//    decoded value is that code (that state), both by the library's reader
//    and by Boost.URL (outside the published differences); the registered
//    URI's own pairs come back unchanged, once; with an issuer, exactly one
//    iss that decodes to it, without one no iss at all (RFC 9207);
//  - a provider error is only reported after the state matched, and keeps
//    the decoded `error` exactly;
//  - the code put in a token request (Buffer's form_safe encoding and the
//    generic form encoding) parses back byte-identical, with exactly one
//    grant_type, redirect_uri and client id; Buffer's body never holds %2F;
//  - tighter limits never accept what default limits refuse;
//  - a synthesized redirect is accepted exactly when code and state are valid.

#include "fuzz_boost.hpp"

namespace {
using namespace fuzz;
using bo::errc;
namespace d = bo::detail;

constexpr std::string_view kRedirects[] = {"https://client.example/back", "http://127.0.0.1:51004/cb",
                                           "https://client.example/back?tenant=7&x=a%20b", "https://[::1]:8443/cb"};

const std::string kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

void check_token_request(const bo::client& c, const std::string& code) {
  static const bo::provider buffer = bo::provider::buffer_legacy();
  static const bo::provider generic =
      bo::provider::generic("g", "https://auth.example/authorize", "https://auth.example/token", "https://api.example/");
  for (const bo::provider* p : {&buffer, &generic}) {
    const bool pkce = p == &generic;
    auto req = bo::build_token_request(*p, c, code, pkce ? kVerifier : std::string());
    FUZZ_CHECK(req.has_value());
    const std::string_view body = req->body;
    FUZZ_CHECK(req->method == "POST" && req->url == p->token_endpoint);
    FUZZ_CHECK(bo::check_headers(req->headers).has_value());

    d::form_reader reader(body);
    d::form_pair pair;
    std::string_view raw_code;
    while (reader.next(pair)) {
      FUZZ_CHECK(d::check_form_component(pair.name) == errc::ok);
      FUZZ_CHECK(d::check_form_component(pair.value) == errc::ok);
      if (pair.name == "code") raw_code = pair.value;
    }
    const auto theirs = boost_pairs(body);
    FUZZ_CHECK(theirs.has_value());
    auto once = [&](std::string_view name, std::string_view value) {
      const auto ours = values_named(body, name);
      const auto b = values_of(*theirs, name);
      FUZZ_CHECK(ours.size() == 1 && ours[0] == value);
      FUZZ_CHECK(b.size() == 1 && b[0] == value);
    };
    once("code", code);
    once("grant_type", "authorization_code");
    once("redirect_uri", c.redirect_uri);
    if (pkce) {
      once("code_verifier", kVerifier);
      FUZZ_CHECK(values_named(body, "client_id").empty() && bo::find_header(req->headers, "Authorization"));
    } else {
      once("client_id", c.id);
      once("client_secret", c.secret);
      FUZZ_CHECK(!bo::find_header(req->headers, "Authorization"));
    }
    if (p->code_form_safe) {
      FUZZ_CHECK(!contains(raw_code, "%2F") && !contains(raw_code, "%2f"));
    } else {
      FUZZ_CHECK(!contains(raw_code, "/"));
    }
  }
}

std::string_view path_or_slash(std::string_view path) { return path.empty() ? "/" : path; }

void check_accepted(const bo::provider& p, const bo::client& c, const bo::expected_redirect& ex,
                    const bo::limits& lim, std::string_view url, const std::string& code) {
  FUZZ_CHECK(!code.empty() && code.size() <= lim.max_value);
  for (char ch : code) FUZZ_CHECK(d::is_vschar(static_cast<unsigned char>(ch)));
  const auto got = reference_split(url);
  const auto reg = reference_split(c.redirect_uri);
  FUZZ_CHECK(got && reg);
  const auto got_origin = origin_of(*got);
  FUZZ_CHECK(got_origin && got_origin == origin_of(*reg));
  FUZZ_CHECK(path_or_slash(got->path) == path_or_slash(reg->path));
  const std::string_view q = got->query.value_or("");

  const auto pairs = reference_pairs(q);
  const auto registered_pairs = reference_pairs(reg->query.value_or(""));
  FUZZ_CHECK(pairs && registered_pairs);
  for (const auto& kept : *registered_pairs) {
    const auto back = values_of(*pairs, kept.name);
    FUZZ_CHECK(back.size() == 1 && back[0] == kept.value);
  }
  const auto iss = values_of(*pairs, "iss");
  if (p.issuer.empty()) {
    FUZZ_CHECK(iss.empty());
  } else {
    FUZZ_CHECK(iss.size() == 1 && iss[0] == p.issuer);
  }

  const auto codes = values_named(q, "code");
  FUZZ_CHECK(codes.size() == 1 && codes[0] == code);
  const auto states = values_named(q, "state");
  if (ex.without_state) {
    FUZZ_CHECK(states.empty());
  } else {
    FUZZ_CHECK(states.size() == 1 && states[0] == ex.state);
  }
  for (const auto& e : values_named(q, "error")) FUZZ_CHECK(e.empty());

  const auto theirs = boost_pairs(q);
  if (!all_boost_query_chars(q)) {
    // Published difference: split_url lets '[' and ']' through in a query.
    FUZZ_CHECK(contains(q, "[") || contains(q, "]"));
    FUZZ_CHECK(!theirs);
  } else {
    FUZZ_CHECK(theirs.has_value());
    const auto b = values_of(*theirs, "code");
    FUZZ_CHECK(b.size() == 1 && b[0] == code);
    const auto bs = values_of(*theirs, "state");
    FUZZ_CHECK(bs.size() == states.size() && (bs.empty() || bs[0] == states[0]));
    for (auto name : {"error", "error_description", "error_uri", "iss"})
      FUZZ_CHECK(values_of(*theirs, name).size() <= 1);
  }
  check_token_request(c, code);
}

void check_refused(const bo::expected_redirect& ex, const bo::limits& lim, std::string_view url,
                   const bo::error& e) {
  FUZZ_CHECK(one_of(e.code, {errc::too_large, errc::invalid_url, errc::redirect_uri_mismatch,
                             errc::bad_percent_encoding, errc::invalid_utf8, errc::invalid_character,
                             errc::duplicate_parameter, errc::state_missing, errc::state_mismatch,
                             errc::iss_missing, errc::iss_mismatch, errc::iss_unexpected,
                             errc::ambiguous_response, errc::authorization_denied, errc::authorization_error,
                             errc::malformed_error, errc::missing_code, errc::invalid_argument}));
  FUZZ_CHECK(!e.message.empty());
  // A state expected while none was sent is the caller's contradiction, refused before any parsing.
  FUZZ_CHECK((e.code == errc::invalid_argument) == (ex.without_state && !ex.state.empty()));
  if (e.code != errc::authorization_denied && e.code != errc::authorization_error) return;
  // A provider error: reported only once the state matched, `error` kept as sent.
  const auto got = reference_split(url);
  FUZZ_CHECK(got && url.size() <= lim.max_url);
  const std::string_view q = got->query.value_or("");
  const auto errors = values_named(q, "error");
  FUZZ_CHECK(errors.size() == 1 && errors[0] == e.from_provider.error && !errors[0].empty());
  FUZZ_CHECK((e.code == errc::authorization_denied) == (errors[0] == "access_denied"));
  const auto states = values_named(q, "state");
  if (ex.without_state) {
    FUZZ_CHECK(states.empty());
  } else {
    FUZZ_CHECK(states.size() == 1 && states[0] == ex.state);
  }
  for (char ch : e.from_provider.error + e.from_provider.error_description + e.from_provider.error_uri)
    FUZZ_CHECK(d::is_nqschar(static_cast<unsigned char>(ch)));
}

std::string encode(std::string_view s, bool form) {
  std::string out;
  d::percent_encode(out, s, form ? d::encoding::form : d::encoding::uri);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arena a;
  std::string_view in = as_view(data, size);
  option_bytes ob(in);
  const std::uint8_t opt = ob.next();
  const auto parts = split(a, in, 3);

  bo::client c;
  c.id = "4e9680c0512f7ed322000000";
  c.secret = "s3cr3t+/=&%";
  c.redirect_uri.assign(kRedirects[opt & 3]);
  bo::provider p = bo::provider::buffer_legacy();
  if (opt & 8) {
    p = bo::provider::generic("g", "https://auth.example/authorize", "https://auth.example/token",
                              "https://api.example/");
    p.issuer = (opt & 16) ? std::string(parts[2]) : std::string("https://issuer.example");
  }
  bo::expected_redirect ex;
  ex.without_state = (opt & 4) != 0;
  ex.code_challenge_sent = true;  // without_state is allowed only then
  ex.state = parts[1];
  const bo::limits lim;

  std::string synthesized;
  std::string_view url = parts[0];
  if (opt & 64) {
    const bool form = (opt & 128) != 0;
    const std::string code_part = "code=" + encode(parts[0], form);
    const std::string state_part = "state=" + encode(parts[1], form);
    synthesized = c.redirect_uri + (contains(c.redirect_uri, "?") ? "&" : "?");
    synthesized += form ? state_part + "&" + code_part : code_part + "&" + state_part;
    url = a.copy(synthesized);
  }

  auto r = bo::parse_redirect(url, p, c, ex, lim);
  auto again = bo::parse_redirect(url, p, c, ex, lim);
  FUZZ_CHECK(r.has_value() == again.has_value());
  if (r) {
    FUZZ_CHECK(*r == *again);
    check_accepted(p, c, ex, lim, url, *r);
  } else {
    FUZZ_CHECK(r.code() == again.code() && r.error().message == again.error().message);
    check_refused(ex, lim, url, r.error());
  }

  if (opt & 32) {
    bo::limits tight;
    tight.max_url = 256;
    tight.max_parameters = 4;
    tight.max_value = 24;
    auto t = bo::parse_redirect(url, p, c, ex, tight);
    if (t) {
      FUZZ_CHECK(r && *t == *r);
    } else if (r) {
      FUZZ_CHECK(t.code() == errc::too_large);
    }
  }

  if ((opt & 64) && !(opt & 8)) {
    const std::string_view code = parts[0], state = parts[1];
    bool code_ok = !code.empty() && code.size() <= lim.max_value;
    for (char ch : code) code_ok = code_ok && d::is_vschar(static_cast<unsigned char>(ch));
    const bool state_ok = !ex.without_state && !state.empty() && d::is_valid_utf8(state) && !has_control(state) &&
                          encode(state, (opt & 128) != 0).size() <= 3 * lim.max_value;
    if (url.size() <= lim.max_url) FUZZ_CHECK(r.has_value() == (code_ok && state_ok));
    if (r) FUZZ_CHECK(*r == code);
  }
  return 0;
}
