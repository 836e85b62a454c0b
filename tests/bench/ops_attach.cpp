// Attach: put the access token on a GET to the API, in the Authorization
// header or the query. Both sides start by copying
// the same template request, since attach_token returns a new request.
// attach_token also validates the token (b64token), the method, the headers,
// the URL (HTTPS, API origin) and refuses a request already carrying a token.
#include "ops.hpp"

#include <buffer_oauth.hpp>

namespace bench {
namespace {

namespace bo = buffer_oauth;

const bo::http_request& get_profiles() {
  static const bo::http_request r{"GET", std::string(input::api_url), {}, {}};
  return r;
}

std::size_t keep(capture* cap, const bo::http_request& r) {
  if (cap != nullptr) {
    cap->a = r.url;
    cap->b.clear();
    for (const auto& h : r.headers) cap->b += h.name + ": " + h.value + "\n";
  }
  return r.url.size() + r.headers.size() + (r.headers.empty() ? 0 : r.headers.back().value.size());
}

// The API origin is checked once, as a program does before its API calls.
const bo::api_target& buffer_api() {
  static const bo::api_target api = *bo::api_target::make(buffer_provider());
  return api;
}

bo::attach_options query_placement() {
  bo::attach_options o;
  o.placement = bo::token_placement::query;
  o.allow_query = true;
  return o;
}

std::size_t ours_header(capture* cap) {
  auto r = bo::attach_token(buffer_api(), get_profiles(), opaque(input::token));
  return r ? keep(cap, *r) : 0;
}

std::size_t ours_query(capture* cap) {
  auto r = bo::attach_token(buffer_api(), get_profiles(), opaque(input::token), query_placement());
  return r ? keep(cap, *r) : 0;
}

// In place, on the caller's own copy: no request is moved into a result.
std::size_t ours_header_in_place(capture* cap) {
  bo::http_request r = get_profiles();
  return buffer_api().attach(r, opaque(input::token)) ? keep(cap, r) : 0;
}

std::size_t ours_query_in_place(capture* cap) {
  bo::http_request r = get_profiles();
  return buffer_api().attach(r, opaque(input::token), query_placement()) ? keep(cap, r) : 0;
}

// The one-call form, which checks the provider's api_base each time.
std::size_t ours_header_provider(capture* cap) {
  auto r = bo::attach_token(buffer_provider(), get_profiles(), opaque(input::token));
  return r ? keep(cap, *r) : 0;
}

std::size_t ours_query_provider(capture* cap) {
  auto r = bo::attach_token(buffer_provider(), get_profiles(), opaque(input::token), query_placement());
  return r ? keep(cap, *r) : 0;
}

std::size_t concat_header(capture* cap) {
  bo::http_request r = get_profiles();
  std::string value = "Bearer ";
  value += opaque(input::token);
  r.headers.push_back({"Authorization", std::move(value)});
  return keep(cap, r);
}

std::size_t concat_query(capture* cap) {
  bo::http_request r = get_profiles();
  r.url += "?access_token=";
  r.url += opaque(input::token);
  r.headers.push_back({"Cache-Control", "no-store"});
  return keep(cap, r);
}

}  // namespace

void add_attach_ops(std::vector<op>& out) {
  out.push_back({"attach/header/ours_attach_token", &ours_header});
  out.push_back({"attach/header/ours_api_target_attach", &ours_header_in_place});
  out.push_back({"attach/header/ours_attach_token_provider", &ours_header_provider});
  out.push_back({"attach/header/string_concat", &concat_header});
  add_floors<&input::attach_bytes>(out, "attach/header");
  out.push_back({"attach/query/ours_attach_token", &ours_query});
  out.push_back({"attach/query/ours_api_target_attach", &ours_query_in_place});
  out.push_back({"attach/query/ours_attach_token_provider", &ours_query_provider});
  out.push_back({"attach/query/string_concat", &concat_query});
  add_floors<&input::attach_bytes>(out, "attach/query");
}

}  // namespace bench
