// SPDX-License-Identifier: MIT
//
// Fuzz target: query/form decoding and the percent encoders.
//
// The whole input is a query string. Properties:
//  - each component: check_form_component accepts exactly the components an
//    independent decoder decodes to UTF-8 without controls; decode and
//    form_component_equals agree with that decoder;
//  - the pairs form_reader finds agree with Boost.URL (parse_query, '+' as
//    space) whenever the raw characters are ones Boost allows in a query;
//  - percent_encode in all three encodings round-trips through the decoder
//    and Boost.URL; the uri encoding equals Boost.URL's own encoder;
//  - build_authorize_url succeeds exactly for valid client_id, state, scope
//    and challenge, and every parameter comes back once, unchanged.
// Input for the authorize part: byte 0 = options, then
// client_id "\n~~\n" state "\n~~\n" scope.

#include "fuzz_boost.hpp"

namespace {
using namespace fuzz;
using bo::errc;
namespace d = bo::detail;

void check_component(std::string_view raw) {
  const errc e = d::check_form_component(raw);
  FUZZ_CHECK(one_of(e, {errc::ok, errc::bad_percent_encoding, errc::invalid_character, errc::invalid_utf8}));
  const auto ref = reference_form_decode(raw);
  if (e == errc::bad_percent_encoding) FUZZ_CHECK(!ref);
  if (!ref) {
    FUZZ_CHECK(e != errc::ok);
    FUZZ_CHECK(!d::form_component_equals(raw, d::decode_form_component(raw)));
    return;
  }
  const bool clean = d::is_valid_utf8(*ref) && !has_control(*ref);
  FUZZ_CHECK((e == errc::ok) == clean);
  if (e == errc::invalid_utf8) FUZZ_CHECK(!d::is_valid_utf8(*ref));
  if (e == errc::invalid_character) FUZZ_CHECK(has_control(*ref));
  FUZZ_CHECK(d::decode_form_component(raw) == *ref);
  FUZZ_CHECK(d::form_component_equals(raw, *ref));
  if (!ref->empty()) {
    FUZZ_CHECK(!d::form_component_equals(raw, ref->substr(1)));
    FUZZ_CHECK(!d::form_component_equals(raw, *ref + "x"));
  }
}

void check_query(std::string_view s) {
  // form_reader: one pair per non-empty '&' piece, split at the first '='.
  std::size_t pieces = 0;
  for (std::size_t start = 0; start <= s.size();) {
    const auto amp = s.find('&', start);
    const auto end = amp == std::string_view::npos ? s.size() : amp;
    if (end > start) ++pieces;
    start = end + 1;
  }
  std::size_t pairs = 0;
  d::form_reader reader(s);
  d::form_pair p;
  while (reader.next(p)) {
    ++pairs;
    FUZZ_CHECK(!contains(p.name, "&") && !contains(p.name, "=") && !contains(p.value, "&"));
    check_component(p.name);
    check_component(p.value);
  }
  FUZZ_CHECK(pairs == pieces);

  // Differential: Boost.URL.
  const auto ours = library_pairs(s);
  const auto theirs = boost_pairs(s);
  if (!all_boost_query_chars(s)) {
    FUZZ_CHECK(!theirs);  // published difference: raw characters (README.md)
    return;
  }
  FUZZ_CHECK(ours.has_value() == theirs.has_value());
  if (!ours) return;
  FUZZ_CHECK(ours->size() == theirs->size());
  for (std::size_t i = 0; i < ours->size(); ++i) {
    FUZZ_CHECK((*ours)[i].name == (*theirs)[i].name);
    FUZZ_CHECK((*ours)[i].value == (*theirs)[i].value);
    FUZZ_CHECK((*ours)[i].has_equals == (*theirs)[i].has_equals);
  }
}

void check_encoders(std::string_view x) {
  const bool clean = d::is_valid_utf8(x) && !has_control(x);
  for (auto mode : {d::encoding::uri, d::encoding::form, d::encoding::form_safe}) {
    std::string enc;
    d::percent_encode(enc, x, mode);
    for (char ch : enc) {
      const auto c = static_cast<unsigned char>(ch);
      FUZZ_CHECK(d::is_unreserved(c) || c == '%' || (mode == d::encoding::form && c == '+') ||
                 (mode == d::encoding::form_safe && c == '/'));
    }
    const errc e = d::check_form_component(enc);
    FUZZ_CHECK(e != errc::bad_percent_encoding);
    FUZZ_CHECK((e == errc::ok) == clean);
    FUZZ_CHECK(d::decode_form_component(enc) == x);
    FUZZ_CHECK(d::form_component_equals(enc, x));
    if (mode == d::encoding::uri) FUZZ_CHECK(enc == boost_encode_unreserved(x));
    const auto theirs = boost_pairs(enc);
    FUZZ_CHECK(theirs.has_value());
    FUZZ_CHECK(theirs->size() == (x.empty() ? 0u : 1u));
    if (!x.empty()) FUZZ_CHECK((*theirs)[0].name == x && !(*theirs)[0].has_equals);

    std::string form = "a=1";
    d::append_pair(form, "n", x, mode);
    const auto back = library_pairs(form);
    FUZZ_CHECK(back && back->size() == 2);
    FUZZ_CHECK((*back)[0].name == "a" && (*back)[0].value == "1");
    FUZZ_CHECK((*back)[1].name == "n" && (*back)[1].value == x && (*back)[1].has_equals);
  }
}

// RFC 6749 §3.3, written out independently of the library.
bool reference_scope(std::string_view s) {
  if (s.empty()) return false;
  std::size_t token = 0;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ') {
      if (token == 0) return false;
      token = 0;
    } else if (c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e)) {
      ++token;
    } else {
      return false;
    }
  }
  return token > 0;
}

bool all_vschar(std::string_view s) {
  for (char ch : s)
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7e) return false;
  return true;
}

void check_authorize(std::string_view input) {
  if (input.empty()) return;
  arena a;
  const auto opt = static_cast<std::uint8_t>(input[0]);
  const auto parts = split(a, input.substr(1), 3);
  static constexpr std::string_view redirects[] = {
      "https://client.example/back", "http://127.0.0.1:51004/cb",
      "https://client.example/back?tenant=7&x=a%20b", "https://[::1]:8443/cb"};
  const bo::provider p = (opt & 1) ? bo::provider::buffer_legacy()
                                   : bo::provider::generic("g", "https://auth.example/authorize?x=1",
                                                           "https://auth.example/token", "https://api.example/");
  bo::client c;
  c.id.assign(parts[0]);
  c.redirect_uri.assign(redirects[(opt >> 1) & 3]);
  bo::authorize_params ap;
  ap.without_state = (opt & 8) != 0;
  const bool state_anyway = (opt & 16) != 0;
  if (!ap.without_state || state_anyway) ap.state = parts[1];
  std::string challenge;
  if (opt & 32) challenge = bo::code_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").value();
  if (opt & 64) challenge.assign(parts[1].substr(0, 64));
  ap.code_challenge = challenge;
  ap.scope = parts[2];

  auto r = bo::build_authorize_url(p, c, ap);
  const bool id_ok = !c.id.empty() && all_vschar(c.id);
  const bool state_ok = ap.without_state ? ap.state.empty()
                                         : (!ap.state.empty() && ap.state.size() <= 4096 && all_vschar(ap.state));
  const bool scope_ok = ap.scope.empty() || reference_scope(ap.scope);
  bool challenge_ok = challenge.empty() || challenge.size() == 43;
  const bool csrf_ok = !ap.without_state || !challenge.empty();  // without state, only PKCE stops CSRF
  for (char ch : challenge)
    if (!d::is_alpha(static_cast<unsigned char>(ch)) && !d::is_digit(static_cast<unsigned char>(ch)) && ch != '-' &&
        ch != '_')
      challenge_ok = false;
  if (!r) {
    FUZZ_CHECK(one_of(r.code(), {errc::invalid_client_id, errc::invalid_argument, errc::state_missing, errc::too_large,
                                 errc::invalid_character, errc::invalid_code_verifier,
                                 errc::csrf_protection_missing}));
    FUZZ_CHECK(!(id_ok && state_ok && scope_ok && challenge_ok && csrf_ok));
    return;
  }
  FUZZ_CHECK(id_ok && state_ok && scope_ok && challenge_ok && csrf_ok);
  const std::string& url = *r;
  FUZZ_CHECK(url.compare(0, p.authorize_endpoint.size(), p.authorize_endpoint) == 0);
  const auto parts_of = reference_split(url);
  FUZZ_CHECK(parts_of && !parts_of->fragment && parts_of->query);
  const std::string_view q = *parts_of->query;
  auto expect = [&](std::string_view name, std::optional<std::string_view> value,
                    const std::vector<decoded_pair>& boost) {
    const auto ours = values_named(q, name);
    const auto theirs = values_of(boost, name);
    FUZZ_CHECK(ours.size() == (value ? 1u : 0u) && theirs.size() == ours.size());
    if (value) FUZZ_CHECK(ours[0] == *value && theirs[0] == *value);
  };
  const auto boost = boost_pairs(q);
  FUZZ_CHECK(boost.has_value());
  expect("client_id", std::string_view(c.id), *boost);
  expect("redirect_uri", std::string_view(c.redirect_uri), *boost);
  expect("response_type", std::string_view("code"), *boost);
  expect("state", ap.without_state ? std::nullopt : std::optional<std::string_view>(ap.state), *boost);
  expect("scope", ap.scope.empty() ? std::nullopt : std::optional<std::string_view>(ap.scope), *boost);
  expect("code_challenge", challenge.empty() ? std::nullopt : std::optional<std::string_view>(challenge), *boost);
  expect("code_challenge_method", challenge.empty() ? std::nullopt : std::optional<std::string_view>("S256"), *boost);
  if (!(opt & 1)) expect("x", std::string_view("1"), *boost);
  FUZZ_CHECK(boost->size() == (opt & 1 ? 0u : 1u) + 3u + (ap.without_state ? 0u : 1u) + (ap.scope.empty() ? 0u : 1u) +
                                   (challenge.empty() ? 0u : 2u));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::arena a;
  const std::string_view s = a.copy(fuzz::as_view(data, size));
  check_query(s);
  // Encoders are byte-at-a-time: a short prefix shows all they can do, and
  // keeps the whole-input checks above fast.
  check_encoders(a.copy(s.substr(0, 256)));
  check_authorize(s);
  return 0;
}
