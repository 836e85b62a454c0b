// SPDX-License-Identifier: MIT
//
// Fuzz target: attach_token (and build_deauthorize_request).
//
// Input: byte 0 = options, then url "\n~~\n" method "\n~~\n" body "\n~~\n"
// content_type "\n~~\n" token "\n~~\n" extra header value.
//   bits 0-1  placement: provider default, header, form_body, query
//   bit 2     allow_query
//   bit 3     generic provider on http://127.0.0.1:8080 (loopback opt-in,
//             query placement by default) instead of Buffer
//   bit 4     request already has Authorization: <extra>
//   bit 5     request has Cache-Control: <extra>
//   bit 6     request has Content-Type: <content_type>
//   bit 7     also build the deauthorize request
// Properties:
//  - an accepted request goes to the provider's API origin over https (or
//    opted-in loopback http), keeps its method, and carries the token in
//    exactly one place, byte-exact where the placement puts it: the
//    Authorization header, or appended once to the form body, or appended
//    once to the query before the fragment (with Cache-Control: no-store);
//    nothing else changes; the form body / query decode the token back,
//    also with Boost.URL;
//  - a token outside b64token, an existing Authorization header, a query
//    placement without opt-in, or another origin is always refused;
//  - api_target::attach, in place, gives the same answer and leaves a
//    refused request unchanged.

#include "fuzz_boost.hpp"

namespace {
using namespace fuzz;
using bo::errc;
namespace d = bo::detail;

std::string form_safe(std::string_view s) {
  std::string out;
  d::percent_encode(out, s, d::encoding::form_safe);
  return out;
}

// RFC 6750 §2.2/§2.3: one more pair, after '&' unless the body (query) is
// empty or already ends with '&'. A '?' inside a body or a query is data.
void append_expected(std::string& out, std::size_t form_start, std::string_view token) {
  if (out.size() > form_start && out.back() != '&') out += '&';
  out += "access_token=";
  out += form_safe(token);
}

bool same_headers(const bo::http_headers& a, const bo::http_headers& b, std::size_t n) {
  if (a.size() < n || b.size() < n) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (a[i].name != b[i].name || a[i].value != b[i].value) return false;
  return true;
}

void token_decodes_back(std::string_view form, std::string_view token) {
  const auto ours = values_named(form, "access_token");
  FUZZ_CHECK(ours.size() == 1 && ours[0] == token);
  if (all_boost_query_chars(form)) {
    const auto theirs = boost_pairs(form);
    if (library_pairs(form)) FUZZ_CHECK(theirs.has_value());
    if (theirs) {
      const auto b = values_of(*theirs, "access_token");
      FUZZ_CHECK(b.size() == 1 && b[0] == token);
    }
  }
}

void check_attached(const bo::provider& p, const bo::http_request& in, const bo::http_request& out,
                    std::string_view token, const bo::attach_options& o) {
  const bo::limits lim;
  FUZZ_CHECK(out.method == in.method);
  FUZZ_CHECK(bo::check_headers(out.headers).has_value());
  FUZZ_CHECK(token.size() <= lim.max_value && is_reference_b64token(token));
  const auto before = reference_split(in.url);
  const auto after = reference_split(out.url);
  FUZZ_CHECK(before && after && in.url.size() <= lim.max_url);
  const auto api_origin = origin_of(p.api_base);
  const auto to = origin_of(*after);
  FUZZ_CHECK(api_origin && to == api_origin && origin_of(*before) == api_origin);
  // The only http API origin here is the generic provider's 127.0.0.1:8080.
  FUZZ_CHECK(to->scheme == "https" || p.allow_insecure_loopback);
  FUZZ_CHECK(!bo::find_header(in.headers, "Authorization"));
  FUZZ_CHECK(values_named(before->query.value_or(""), "access_token").empty());

  switch (o.placement.value_or(p.default_placement)) {
    case bo::token_placement::header: {
      FUZZ_CHECK(out.url == in.url && out.body == in.body);
      FUZZ_CHECK(out.headers.size() == in.headers.size() + 1 && same_headers(in.headers, out.headers, in.headers.size()));
      FUZZ_CHECK(out.headers.back().name == "Authorization" && out.headers.back().value == "Bearer " + std::string(token));
      break;
    }
    case bo::token_placement::form_body: {
      FUZZ_CHECK(out.url == in.url);
      FUZZ_CHECK(!d::iequals(in.method, "GET") && !d::iequals(in.method, "HEAD"));
      std::string body = in.body;
      append_expected(body, 0, token);
      FUZZ_CHECK(out.body == body);
      for (char ch : out.body) FUZZ_CHECK(static_cast<unsigned char>(ch) < 0x80);
      token_decodes_back(out.body, token);
      const std::string* ct = bo::find_header(in.headers, "Content-Type");
      FUZZ_CHECK(same_headers(in.headers, out.headers, in.headers.size()));
      if (ct) {
        FUZZ_CHECK(out.headers.size() == in.headers.size());
        FUZZ_CHECK(d::iequals(d::media_type(*ct), "application/x-www-form-urlencoded"));
      } else {
        FUZZ_CHECK(in.body.empty() && out.headers.size() == in.headers.size() + 1);
        FUZZ_CHECK(out.headers.back().value == "application/x-www-form-urlencoded");
      }
      FUZZ_CHECK(!bo::find_header(out.headers, "Authorization"));
      break;
    }
    case bo::token_placement::query: {
      FUZZ_CHECK(o.allow_query);
      FUZZ_CHECK(out.body == in.body);
      const std::size_t cut = in.url.size() - (before->fragment ? before->fragment->size() + 1 : 0);
      std::string url = in.url.substr(0, cut);
      if (!before->query) url += '?';
      append_expected(url, url.find('?') + 1, token);
      url += in.url.substr(cut);
      FUZZ_CHECK(out.url == url);
      FUZZ_CHECK(after->query && after->path == before->path && after->fragment == before->fragment);
      token_decodes_back(*after->query, token);
      const std::string* cc = bo::find_header(out.headers, "Cache-Control");
      FUZZ_CHECK(cc && contains(*cc, "no-store"));
      FUZZ_CHECK(!bo::find_header(out.headers, "Authorization"));
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arena a;
  std::string_view in = as_view(data, size);
  option_bytes ob(in);
  const std::uint8_t opt = ob.next();
  const auto parts = split(a, in, 6);

  bo::provider p = bo::provider::buffer_legacy();
  if (opt & 8) {
    p = bo::provider::generic("g", "http://127.0.0.1:8080/authorize", "http://127.0.0.1:8080/token",
                              "http://127.0.0.1:8080/api/");
    p.allow_insecure_loopback = true;
    p.default_placement = bo::token_placement::query;
  }
  bo::attach_options o;
  switch (opt & 3) {
    case 1: o.placement = bo::token_placement::header; break;
    case 2: o.placement = bo::token_placement::form_body; break;
    case 3: o.placement = bo::token_placement::query; break;
    default: break;
  }
  o.allow_query = (opt & 4) != 0;

  bo::http_request req;
  req.url.assign(parts[0]);
  req.method.assign(parts[1]);
  req.body.assign(parts[2]);
  if (opt & 16) req.headers.push_back({"Authorization", std::string(parts[5])});
  if (opt & 32) req.headers.push_back({"Cache-Control", std::string(parts[5])});
  if (opt & 64) req.headers.push_back({"Content-Type", std::string(parts[3])});
  const std::string_view token = parts[4];

  auto r = bo::attach_token(p, req, token, o);
  const bo::token_placement where = o.placement.value_or(p.default_placement);
  if (r) {
    check_attached(p, req, *r, token, o);
  } else {
    FUZZ_CHECK(one_of(r.code(), {errc::too_large, errc::invalid_token_syntax, errc::invalid_argument,
                                 errc::invalid_header_value, errc::invalid_url, errc::insecure_url,
                                 errc::token_origin_mismatch, errc::token_already_present,
                                 errc::form_body_not_allowed, errc::query_token_disallowed}));
  }
  // The prepared origin, in place: the same answer, and a refused request unchanged.
  const auto api = bo::api_target::make(p);
  FUZZ_CHECK(api.has_value());
  bo::http_request in_place = req;
  const auto placed = api->attach(in_place, token, o);
  FUZZ_CHECK(placed.code() == r.code());
  const bo::http_request& want = r ? *r : req;
  FUZZ_CHECK(in_place.url == want.url && in_place.body == want.body && in_place.method == want.method);
  FUZZ_CHECK(in_place.headers.size() == want.headers.size() && same_headers(in_place.headers, want.headers, want.headers.size()));
  if (!is_reference_b64token(token) || token.size() > 4096) FUZZ_CHECK(!r);
  if (opt & 16) FUZZ_CHECK(!r);
  if (where == bo::token_placement::query && !o.allow_query) FUZZ_CHECK(!r);

  if (opt & 128) {
    auto dr = bo::build_deauthorize_request(p, token, o);
    if (p.deauthorize_endpoint.empty()) {
      FUZZ_CHECK(!dr && dr.code() == errc::invalid_endpoint);
    } else if (dr) {
      bo::http_request plain;
      plain.method = "POST";
      plain.url = p.deauthorize_endpoint;
      plain.headers.push_back({"Accept", "application/json"});
      check_attached(p, plain, *dr, token, o);
    } else {
      FUZZ_CHECK(one_of(dr.code(), {errc::too_large, errc::invalid_token_syntax, errc::query_token_disallowed}));
    }
  }
  return 0;
}
