// SPDX-License-Identifier: MIT
//
// Fuzz target: build_metadata_request and parse_provider_metadata.
//
// Input: byte 0 = options (bit 0: generic base instead of Buffer's, bit 1:
// loopback opt-in, bit 2: OpenID document instead of RFC 8414, bits 4-5: a
// status other than 200 when not zero), then `issuer ~~ body`.
// Properties:
//  - build_metadata_request accepts exactly an issuer with a scheme, an
//    authority, no query and no fragment, over HTTPS (loopback http with the
//    opt-in), and its URL is the issuer's origin with the well-known path
//    inserted before (RFC 8414) or appended to (OpenID) the issuer's path
//    without its trailing '/'; refusals have a documented code;
//  - an accepted document came with HTTP 200; every endpoint of the provider
//    is empty or passes check_endpoint and the harness's own https check;
//    its issuer is the expected one or empty; the issuer asked for is one
//    build_metadata_request accepts; what base alone decides is unchanged;
//  - when nlohmann reads the body, it reads an object whose issuer is the
//    expected one, whose endpoints are the provider's (absent where the
//    provider has none), whose response types hold "code", whose PKCE
//    methods hold "S256" when the base requires PKCE, and whose iss support
//    and client authentication methods give the provider's;
//  - every error keeps the status and the body and has a documented code.

#include "fuzz_nlohmann.hpp"

namespace {
using namespace fuzz;
using bo::errc;
namespace d = bo::detail;

constexpr int kOtherStatuses[] = {200, 404, 201, 500};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = d::ascii_lower(ch);
  return out;
}

bool reference_secure(std::string_view url, bool loopback_opt_in) {
  const auto parts = reference_split(url);
  if (!parts || parts->fragment) return false;
  const std::string scheme = lower(parts->scheme);
  return scheme == "https" || (loopback_opt_in && scheme == "http");
}

void check_request(std::string_view issuer, bo::metadata_document which, bool opt_in) {
  const auto req = bo::build_metadata_request(issuer, which, opt_in);
  const auto parts = reference_split(issuer);
  if (!req) {
    FUZZ_CHECK(one_of(req.code(), {errc::invalid_endpoint, errc::insecure_url, errc::too_large}));
    if (req.code() == errc::insecure_url) FUZZ_CHECK(parts && !parts->query);
    return;
  }
  FUZZ_CHECK(parts && !parts->query && !parts->fragment && !parts->authority.empty());
  FUZZ_CHECK(reference_secure(issuer, opt_in));
  std::string_view path = parts->path;
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const std::string origin = std::string(parts->scheme) + "://" + std::string(parts->authority);
  const std::string expected = which == bo::metadata_document::openid_configuration
                                   ? origin + std::string(path) + "/.well-known/openid-configuration"
                                   : origin + "/.well-known/oauth-authorization-server" + std::string(path);
  FUZZ_CHECK(req->url == expected);
  FUZZ_CHECK(req->method == "GET" && req->body.empty());
  const std::string* accept = bo::find_header(req->headers, "Accept");
  FUZZ_CHECK(accept != nullptr && *accept == "application/json");
}

bool lists(const json& doc, const char* name, std::string_view wanted) {
  if (!doc.contains(name)) return false;
  const json& list = doc.at(name);
  FUZZ_CHECK(list.is_array());
  for (const auto& element : list) {
    FUZZ_CHECK(element.is_string());
    if (element.get<std::string>() == wanted) return true;
  }
  return false;
}

void check_provider(const bo::provider& p, const bo::provider& base, const bo::http_response& r,
                    std::string_view issuer, bool opt_in, bo::metadata_document which) {
  FUZZ_CHECK(r.status == 200);
  FUZZ_CHECK(p.issuer.empty() || p.issuer == issuer);
  FUZZ_CHECK(bo::build_metadata_request(issuer, which, opt_in).has_value());
  FUZZ_CHECK(p.name == base.name && p.api_base == base.api_base && p.deauthorize_endpoint == base.deauthorize_endpoint &&
             p.leniencies == base.leniencies && p.api == base.api && p.pkce_required == base.pkce_required &&
             p.allow_insecure_loopback == base.allow_insecure_loopback && p.code_lifetime == base.code_lifetime);
  FUZZ_CHECK(!p.pkce_required || p.pkce);
  FUZZ_CHECK(p.public_clients || p.confidential_clients);
  const std::pair<const char*, const std::string*> endpoints[] = {
      {"authorization_endpoint", &p.authorize_endpoint},
      {"token_endpoint", &p.token_endpoint},
      {"revocation_endpoint", &p.revocation_endpoint},
      {"registration_endpoint", &p.registration_endpoint},
  };
  FUZZ_CHECK(!p.authorize_endpoint.empty() && !p.token_endpoint.empty());
  for (const auto& [name, url] : endpoints) {
    if (url->empty()) continue;
    FUZZ_CHECK(d::check_endpoint(*url, p, bo::limits{}, name).has_value());
    FUZZ_CHECK(reference_secure(*url, opt_in));
  }

  const std::string doc = without_number_overflows(r.body);
  if (!nlohmann_report(doc).accepted) return;
  const json j = nlohmann_parse(doc);
  FUZZ_CHECK(j.is_object());
  FUZZ_CHECK(j.at("issuer").is_string() && j.at("issuer").get<std::string>() == issuer);
  for (const auto& [name, url] : endpoints) {
    if (url->empty()) {
      FUZZ_CHECK(!j.contains(name));
    } else {
      FUZZ_CHECK(j.at(name).is_string() && j.at(name).get<std::string>() == *url);
    }
  }
  FUZZ_CHECK(lists(j, "response_types_supported", "code"));
  if (base.pkce_required) FUZZ_CHECK(lists(j, "code_challenge_methods_supported", "S256"));
  const bool iss = j.contains("authorization_response_iss_parameter_supported") &&
                   j.at("authorization_response_iss_parameter_supported") == json(true);
  FUZZ_CHECK(p.issuer.empty() == !iss);
  constexpr const char* methods = "token_endpoint_auth_methods_supported";
  FUZZ_CHECK(p.public_clients == lists(j, methods, "none"));
  const bool post = lists(j, methods, "client_secret_post");
  const bool basic = !j.contains(methods) || lists(j, methods, "client_secret_basic");
  FUZZ_CHECK(p.confidential_clients == (post || basic));
  if (p.confidential_clients)
    FUZZ_CHECK((p.authentication == bo::client_auth::request_body) ? post : basic);
}

void check_error(const bo::http_response& r, const bo::error& e) {
  FUZZ_CHECK(one_of(e.code, {errc::http_error, errc::too_large, errc::empty_body, errc::not_json, errc::malformed_json,
                             errc::invalid_utf8, errc::invalid_surrogate, errc::depth_exceeded, errc::not_an_object,
                             errc::duplicate_member, errc::invalid_member_type, errc::missing_member,
                             errc::metadata_issuer_mismatch, errc::invalid_endpoint, errc::insecure_url,
                             errc::duplicate_parameter, errc::pkce_not_supported, errc::client_auth_unsupported}));
  FUZZ_CHECK(e.http_status == r.status);
  FUZZ_CHECK(!e.message.empty());
  check_error_body(e, r.body);
  if (r.status != 200) FUZZ_CHECK(e.code == errc::http_error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arena a;
  std::string_view in = as_view(data, size);
  option_bytes ob(in);
  const std::uint8_t options = ob.next();
  const auto parts = split(a, in, 2);
  const std::string_view issuer = parts[0];
  const bool opt_in = (options & 2) != 0;
  const auto which =
      (options & 4) ? bo::metadata_document::openid_configuration : bo::metadata_document::oauth_authorization_server;

  check_request(issuer, which, opt_in);

  bo::provider base = (options & 1) ? bo::provider::generic("g", "https://auth.example/authorize",
                                                            "https://auth.example/token", "https://api.example/")
                                    : bo::provider::buffer();
  base.allow_insecure_loopback = opt_in;
  bo::http_response r;
  r.status = kOtherStatuses[(options >> 4) & 3];
  r.body.assign(parts[1]);
  r.headers.push_back({"Content-Type", "application/json"});

  const auto p = bo::parse_provider_metadata(r, issuer, base);
  if (p) {
    check_provider(*p, base, r, issuer, opt_in, which);
  } else {
    check_error(r, p.error());
  }
  return 0;
}
