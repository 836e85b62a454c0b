// Section 8 (Discovery): build_metadata_request and parse_provider_metadata
// (RFC 8414, OpenID Connect Discovery 1.0), on Buffer's two discovery
// documents and hostile ones.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

namespace bo = buffer_oauth;

using namespace test_support;

namespace {

constexpr std::string_view kIssuer = "https://auth.buffer.com";

// One of Buffer's discovery documents, which the CLI's tests read too.
std::string fixture(std::string_view name) {
  std::ifstream in = repository_file("tests/cli/fixtures/" + std::string(name));
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Buffer's RFC 8414 document (/.well-known/oauth-authorization-server): the
// token endpoint lists only "none".
std::string buffer_rfc8414() { return fixture("buffer-oauth-authorization-server.json"); }

// Buffer's OpenID Connect document (/.well-known/openid-configuration): both
// client authentication methods, client_credentials, openid.
std::string buffer_oidc() { return fixture("buffer-openid-configuration.json"); }

// `doc` with its one occurrence of `from` replaced by `to`.
std::string with(std::string_view doc, std::string_view from, std::string_view to) {
  std::string out(doc);
  const auto at = out.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(out.find(from, at + 1) == std::string::npos);
  out.replace(at, from.size(), to);
  return out;
}

// `doc` without the member line that starts with `"name"`.
std::string without(std::string_view doc, std::string_view name) {
  std::string out(doc);
  const auto at = out.find("\n  \"" + std::string(name) + "\":");
  REQUIRE(at != std::string::npos);
  const auto end = out.find('\n', at + 1);
  out.erase(at, end - at);
  if (out[at - 1] == ',' && out.compare(at, 2, "\n}") == 0) out.erase(at - 1, 1);  // was the last member
  return out;
}

bo::result<bo::provider> metadata(std::string body, const bo::provider& base = bo::provider::buffer(),
                                  std::string_view issuer = kIssuer, int status = 200) {
  return bo::parse_provider_metadata(response(status, std::move(body)), issuer, base);
}

bo::errc metadata_error(std::string body, const bo::provider& base = bo::provider::buffer(),
                        std::string_view issuer = kIssuer) {
  auto p = metadata(std::move(body), base, issuer);
  REQUIRE(!p);
  return p.code();
}

std::string metadata_url(std::string_view issuer,
                         bo::metadata_document which = bo::metadata_document::oauth_authorization_server) {
  auto req = bo::build_metadata_request(issuer, which);
  REQUIRE(req);
  return req->url;
}

bo::client public_client() { return bo::client{"cli-app", "", std::string(kRu)}; }

constexpr std::string_view kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

}  // namespace

// ============================================================================
// build_metadata_request
// ============================================================================

TEST_CASE("build_metadata_request: Buffer's two documents") {
  auto req = bo::build_metadata_request(kIssuer);
  REQUIRE(req);
  CHECK(req->method == "GET");
  CHECK(req->url == "https://auth.buffer.com/.well-known/oauth-authorization-server");
  CHECK(req->body.empty());
  REQUIRE(req->headers.size() == 1);
  CHECK(*bo::find_header(req->headers, "Accept") == "application/json");
  CHECK(metadata_url(kIssuer, bo::metadata_document::openid_configuration) ==
        "https://auth.buffer.com/.well-known/openid-configuration");
}

TEST_CASE("build_metadata_request: RFC 8414 §3.1 inserts the well-known path before the issuer's path") {
  CHECK(metadata_url("https://example.com/issuer1") ==
        "https://example.com/.well-known/oauth-authorization-server/issuer1");
  CHECK(metadata_url("https://as.example/tenant1/") ==
        "https://as.example/.well-known/oauth-authorization-server/tenant1");
  CHECK(metadata_url("https://as.example/") == "https://as.example/.well-known/oauth-authorization-server");
  CHECK(metadata_url("https://as.example:8443/a/b") ==
        "https://as.example:8443/.well-known/oauth-authorization-server/a/b");
}

TEST_CASE("build_metadata_request: OpenID Connect Discovery §4 appends it to the issuer") {
  constexpr auto oidc = bo::metadata_document::openid_configuration;
  CHECK(metadata_url("https://example.com/issuer1", oidc) ==
        "https://example.com/issuer1/.well-known/openid-configuration");
  CHECK(metadata_url("https://as.example/tenant1/", oidc) ==
        "https://as.example/tenant1/.well-known/openid-configuration");
  CHECK(metadata_url("https://as.example/", oidc) == "https://as.example/.well-known/openid-configuration");
  CHECK(metadata_url("https://as.example:8443/a/b", oidc) ==
        "https://as.example:8443/a/b/.well-known/openid-configuration");
}

TEST_CASE("build_metadata_request: plain http only to a loopback IP, with the opt-in") {
  CHECK(bo::build_metadata_request("http://auth.buffer.com").code() == bo::errc::insecure_url);
  CHECK(bo::build_metadata_request("http://127.0.0.1:3000").code() == bo::errc::insecure_url);
  constexpr auto rfc8414 = bo::metadata_document::oauth_authorization_server;
  auto local = bo::build_metadata_request("http://127.0.0.1:3000", rfc8414, true);
  REQUIRE(local);
  CHECK(local->url == "http://127.0.0.1:3000/.well-known/oauth-authorization-server");
  CHECK(bo::build_metadata_request("http://localhost:3000", rfc8414, true).code() == bo::errc::insecure_url);
}

TEST_CASE("build_metadata_request: an issuer is a URL without query or fragment (RFC 8414 §2)") {
  for (std::string_view bad :
       {"", "auth.buffer.com", "https://", "https://auth.buffer.com?tenant=1", "https://auth.buffer.com/?",
        "https://auth.buffer.com?code=1", "http://auth.buffer.com?x", "https://auth.buffer.com#x",
        "https://user@auth.buffer.com", "https://auth.buffer.com/a b", "ftp://auth.buffer.com"}) {
    CAPTURE(bad);
    CHECK(bo::build_metadata_request(bad).code() == bo::errc::invalid_endpoint);
  }
  CHECK(bo::build_metadata_request("https://auth.buffer.com/" + std::string(9000, 'a')).code() ==
        bo::errc::too_large);
  CHECK(bo::build_metadata_request(kIssuer, static_cast<bo::metadata_document>(2)).code() ==
        bo::errc::invalid_argument);
}

// ============================================================================
// parse_provider_metadata: Buffer's documents
// ============================================================================

TEST_CASE(
    "parse_provider_metadata: Buffer's RFC 8414 document gives Buffer's provider, public clients only") {
  auto p = metadata(buffer_rfc8414());
  REQUIRE(p);
  const auto buffer = bo::provider::buffer();
  CHECK(p->name == "buffer");
  CHECK(p->issuer == "https://auth.buffer.com");
  CHECK(p->authorize_endpoint == "https://auth.buffer.com/auth");
  CHECK(p->token_endpoint == "https://auth.buffer.com/token");
  CHECK(p->revocation_endpoint == "https://auth.buffer.com/token/revocation");
  CHECK(p->registration_endpoint == "https://auth.buffer.com/reg");
  CHECK(p->deauthorize_endpoint.empty());
  CHECK(p->api_base == buffer.api_base);
  CHECK(p->api == bo::api_format::graphql);
  CHECK(p->pkce);
  CHECK(p->pkce_required);
  CHECK(p->offline_access_consent);
  CHECK(p->public_clients);
  CHECK_FALSE(p->confidential_clients);

  // The document names no secret method: a client with a secret is refused,
  // a public client sends its client_id only.
  CHECK(bo::build_token_request(*p, buffer_client(), kBufferCode, kVerifier).code() ==
        bo::errc::client_auth_unsupported);
  CHECK(bo::build_refresh_request(*p, buffer_client(), "rt-1").code() == bo::errc::client_auth_unsupported);
  CHECK(bo::build_revocation_request(*p, buffer_client(), "rt-1").code() ==
        bo::errc::client_auth_unsupported);
  CHECK(bo::build_revocation_request(*p, public_client(), "rt-1"));
  auto req = bo::build_token_request(*p, public_client(), kBufferCode, kVerifier);
  REQUIRE(req);
  CHECK(req->url == "https://auth.buffer.com/token");
  CHECK(req->body.find("client_secret") == std::string::npos);
  CHECK(req->body.find("client_id=cli-app") != std::string::npos);
}

TEST_CASE("parse_provider_metadata: Buffer's OpenID document takes both kinds of client") {
  auto p = metadata(buffer_oidc());
  REQUIRE(p);
  CHECK(p->issuer == "https://auth.buffer.com");
  CHECK(p->authorize_endpoint == "https://auth.buffer.com/auth");
  CHECK(p->token_endpoint == "https://auth.buffer.com/token");
  CHECK(p->revocation_endpoint == "https://auth.buffer.com/token/revocation");
  CHECK(p->registration_endpoint == "https://auth.buffer.com/reg");
  CHECK(p->authentication == bo::client_auth::request_body);
  CHECK(p->public_clients);
  CHECK(p->confidential_clients);
  auto req = bo::build_token_request(*p, buffer_client(), kBufferCode, kVerifier);
  REQUIRE(req);
  CHECK(req->body.find("client_secret=s3cr3t") != std::string::npos);
  CHECK(bo::find_header(req->headers, "Authorization") == nullptr);
}

TEST_CASE(
    "parse_provider_metadata: the authorize URL goes to the document's endpoint, the redirect needs iss") {
  auto p = metadata(buffer_oidc());
  REQUIRE(p);
  bo::authorize_params params;
  params.state = "af0ifjsldkj-af0ifjsldkj";
  params.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  auto url = bo::build_authorize_url(*p, buffer_client(), params);
  REQUIRE(url);
  CHECK(url->rfind("https://auth.buffer.com/auth?", 0) == 0);
  bo::expected_redirect expect;
  expect.state = params.state;
  expect.code_challenge_sent = true;
  auto redirect =
      bo::parse_redirect(ru("code=abc&state=af0ifjsldkj-af0ifjsldkj"), *p, buffer_client(), expect);
  REQUIRE(!redirect);
  CHECK(redirect.code() == bo::errc::iss_missing);
}

// ============================================================================
// parse_provider_metadata: what the document decides
// ============================================================================

TEST_CASE("parse_provider_metadata: client authentication from token_endpoint_auth_methods_supported") {
  const auto basic_base = generic();
  REQUIRE(basic_base.authentication == bo::client_auth::http_basic);
  SUBCASE("base's method listed: kept") {
    auto p = metadata(with(buffer_oidc(), R"(["client_secret_post", "none"])",
                           R"(["client_secret_basic", "client_secret_post"])"),
                      basic_base);
    REQUIRE(p);
    CHECK(p->authentication == bo::client_auth::http_basic);
    CHECK(p->confidential_clients);
    CHECK_FALSE(p->public_clients);
  }
  SUBCASE("only the other secret method listed: that one") {
    auto p = metadata(buffer_oidc(), basic_base);
    REQUIRE(p);
    CHECK(p->authentication == bo::client_auth::request_body);
  }
  SUBCASE("absent: client_secret_basic (RFC 8414 §2), even for a base that posts the secret") {
    auto p = metadata(without(buffer_oidc(), "token_endpoint_auth_methods_supported"));
    REQUIRE(p);
    CHECK(p->authentication == bo::client_auth::http_basic);
    CHECK(p->confidential_clients);
    CHECK_FALSE(p->public_clients);
  }
  SUBCASE("no method this library has") {
    CHECK(metadata_error(with(buffer_oidc(), R"(["client_secret_post", "none"])",
                              R"(["private_key_jwt", "tls_client_auth"])")) ==
          bo::errc::client_auth_unsupported);
    CHECK(metadata_error(with(buffer_oidc(), R"(["client_secret_post", "none"])", "[]")) ==
          bo::errc::client_auth_unsupported);
  }
}

TEST_CASE("parse_provider_metadata: PKCE S256") {
  const std::string plain_only = with(buffer_rfc8414(), R"(["S256"])", R"(["plain"])");
  const std::string no_pkce = without(buffer_rfc8414(), "code_challenge_methods_supported");
  CHECK(metadata_error(plain_only) == bo::errc::pkce_not_supported);
  CHECK(metadata_error(no_pkce) == bo::errc::pkce_not_supported);
  CHECK(metadata_error(with(buffer_rfc8414(), R"(["S256"])", R"(["s256"])")) == bo::errc::pkce_not_supported);

  // A base that does not require PKCE keeps its own choice; S256 turns it on.
  auto generic_plain = metadata(plain_only, generic());
  REQUIRE(generic_plain);
  CHECK(generic_plain->pkce);
  auto legacy = bo::provider::buffer_legacy();
  REQUIRE_FALSE(legacy.pkce);
  auto legacy_none = metadata(no_pkce, legacy);
  REQUIRE(legacy_none);
  CHECK_FALSE(legacy_none->pkce);
  auto legacy_s256 = metadata(buffer_rfc8414(), legacy);
  REQUIRE(legacy_s256);
  CHECK(legacy_s256->pkce);
}

TEST_CASE("parse_provider_metadata: iss on the redirect only when the document says so (RFC 9207 §3)") {
  auto no_iss = metadata(without(buffer_rfc8414(), "authorization_response_iss_parameter_supported"));
  REQUIRE(no_iss);
  CHECK(no_iss->issuer.empty());
  auto iss_false = metadata(with(buffer_rfc8414(), "\"authorization_response_iss_parameter_supported\": true",
                                 "\"authorization_response_iss_parameter_supported\": false"));
  REQUIRE(iss_false);
  CHECK(iss_false->issuer.empty());
}

TEST_CASE("parse_provider_metadata: endpoints the document does not name are cleared, deauthorize stays") {
  auto legacy = bo::provider::buffer_legacy();
  auto p = metadata(without(without(buffer_oidc(), "revocation_endpoint"), "registration_endpoint"), legacy);
  REQUIRE(p);
  CHECK(p->revocation_endpoint.empty());
  CHECK(p->registration_endpoint.empty());
  CHECK(p->deauthorize_endpoint == legacy.deauthorize_endpoint);
  CHECK(p->name == "buffer-legacy");
  CHECK(p->code_lifetime == legacy.code_lifetime);
  CHECK(p->leniencies == legacy.leniencies);
}

TEST_CASE("parse_provider_metadata: escapes are decoded before comparing, unknown members ignored") {
  auto p = metadata(with(buffer_rfc8414(), R"("issuer": "https://auth.buffer.com")",
                         R"("issuer": "https:\/\/auth.buffer\u002ecom")"));
  REQUIRE(p);
  CHECK(p->issuer == "https://auth.buffer.com");
  auto repeated_unknown =
      metadata(with(buffer_rfc8414(), R"("resource_parameter_supported": true)",
                    R"("resource_parameter_supported": true, "resource_parameter_supported": 1)"));
  CHECK(repeated_unknown);
}

TEST_CASE("parse_provider_metadata: a loopback issuer with the base's opt-in") {
  auto base = generic();
  base.allow_insecure_loopback = true;
  const std::string local = R"({"issuer": "http://127.0.0.1:3000",
    "authorization_endpoint": "http://127.0.0.1:3000/auth", "token_endpoint": "http://127.0.0.1:3000/token",
    "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"]})";
  auto p = metadata(local, base, "http://127.0.0.1:3000");
  REQUIRE(p);
  CHECK(p->token_endpoint == "http://127.0.0.1:3000/token");
  CHECK(metadata_error(local, generic(), "http://127.0.0.1:3000") == bo::errc::insecure_url);
}

// ============================================================================
// parse_provider_metadata: hostile documents
// ============================================================================

TEST_CASE("parse_provider_metadata: the issuer must be exactly the one asked for (RFC 8414 §3.3)") {
  for (std::string_view other :
       {"https://auth.buffer.com/", "https://Auth.Buffer.com", "HTTPS://auth.buffer.com",
        "http://auth.buffer.com", "https://auth.buffer.com:443", "https://auth.buffer.com.evil.example",
        "https://evil.example", ""}) {
    CAPTURE(other);
    const std::string doc = with(buffer_rfc8414(), R"("issuer": "https://auth.buffer.com")",
                                 "\"issuer\": \"" + std::string(other) + "\"");
    auto p = metadata(doc);
    REQUIRE(!p);
    CHECK(p.code() == bo::errc::metadata_issuer_mismatch);
    CHECK(p.error().http_status == 200);
    // The same document is fine for the issuer it names, when that is one.
    if (!other.empty() && other.rfind("http:", 0) != 0)
      CHECK(metadata(doc, bo::provider::buffer(), other).code() != bo::errc::metadata_issuer_mismatch);
  }
  CHECK(metadata_error(buffer_rfc8414(), bo::provider::buffer(), "https://auth.buffer.com/") ==
        bo::errc::metadata_issuer_mismatch);
}

TEST_CASE("parse_provider_metadata: an issuer asked for and named alike must still be an issuer") {
  CHECK(metadata_error(with(buffer_rfc8414(), R"("issuer": "https://auth.buffer.com")",
                            R"("issuer": "http://auth.buffer.com")"),
                       bo::provider::buffer(), "http://auth.buffer.com") == bo::errc::insecure_url);
  CHECK(metadata_error(with(buffer_rfc8414(), R"("issuer": "https://auth.buffer.com")",
                            R"("issuer": "https://auth.buffer.com?x=1")"),
                       bo::provider::buffer(), "https://auth.buffer.com?x=1") == bo::errc::invalid_endpoint);
}

TEST_CASE("parse_provider_metadata: every endpoint must pass the endpoint checks") {
  for (std::string_view member :
       {"authorization_endpoint", "token_endpoint", "revocation_endpoint", "registration_endpoint"}) {
    CAPTURE(member);
    const std::string name = "\"" + std::string(member) + "\": \"https://auth.buffer.com/";
    CHECK(metadata_error(
              with(buffer_oidc(), name, "\"" + std::string(member) + "\": \"http://auth.buffer.com/")) ==
          bo::errc::insecure_url);
    CHECK(metadata_error(
              with(buffer_oidc(), name, "\"" + std::string(member) + "\": \"https://auth.buffer.com/#/")) ==
          bo::errc::invalid_endpoint);
    CHECK(metadata_error(with(buffer_oidc(), name, "\"" + std::string(member) + "\": \"/")) ==
          bo::errc::invalid_endpoint);
    CHECK(metadata_error(
              with(buffer_oidc(), name,
                   "\"" + std::string(member) + "\": \"https://auth.buffer.com/?grant_type=password&/")) ==
          bo::errc::duplicate_parameter);
    CHECK(metadata_error(
              with(buffer_oidc(), name, "\"" + std::string(member) + "\": \"https://auth.buffer.com/\\n")) ==
          bo::errc::invalid_endpoint);
  }
  // The endpoint itself is not an OAuth endpoint we read: anything goes.
  CHECK(metadata(with(buffer_oidc(), "https://auth.buffer.com/me", "http://auth.buffer.com/me")));
}

TEST_CASE("parse_provider_metadata: required members") {
  for (std::string_view member :
       {"issuer", "authorization_endpoint", "token_endpoint", "response_types_supported"}) {
    CAPTURE(member);
    CHECK(metadata_error(without(buffer_oidc(), member)) == bo::errc::missing_member);
  }
  CHECK(metadata_error(with(buffer_oidc(), R"("response_types_supported": ["code"])",
                            R"("response_types_supported": ["token", "id_token"])")) ==
        bo::errc::missing_member);
  CHECK(metadata_error(with(buffer_oidc(), R"("response_types_supported": ["code"])",
                            R"("response_types_supported": ["code id_token"])")) == bo::errc::missing_member);
  CHECK(metadata(with(buffer_oidc(), R"("response_types_supported": ["code"])",
                      R"("response_types_supported": ["id_token", "code"])")));
}

TEST_CASE("parse_provider_metadata: members of the wrong type") {
  const std::pair<std::string_view, std::string_view> wrong[] = {
      {R"("issuer": "https://auth.buffer.com")", R"("issuer": ["https://auth.buffer.com"])"},
      {R"("issuer": "https://auth.buffer.com")", R"("issuer": null)"},
      {R"("token_endpoint": "https://auth.buffer.com/token")", R"("token_endpoint": 1)"},
      {R"("revocation_endpoint": "https://auth.buffer.com/token/revocation")",
       R"("revocation_endpoint": null)"},
      {R"("response_types_supported": ["code"])", R"("response_types_supported": "code")"},
      {R"("response_types_supported": ["code"])", R"("response_types_supported": ["code", 1])"},
      {R"("code_challenge_methods_supported": ["S256"])",
       R"("code_challenge_methods_supported": [["S256"]])"},
      {R"("token_endpoint_auth_methods_supported": ["client_secret_post", "none"])",
       R"("token_endpoint_auth_methods_supported": {"none": true})"},
      {R"("authorization_response_iss_parameter_supported": true)",
       R"("authorization_response_iss_parameter_supported": "true")"},
  };
  for (const auto& change : wrong) {
    CAPTURE(change.second);
    CHECK(metadata_error(with(buffer_oidc(), change.first, change.second)) == bo::errc::invalid_member_type);
  }
}

TEST_CASE("parse_provider_metadata: a member we read, twice, is refused") {
  for (std::string_view member :
       {R"("issuer": "https://auth.buffer.com")", R"("token_endpoint": "https://auth.buffer.com/token")",
        R"("code_challenge_methods_supported": ["S256"])",
        R"("authorization_response_iss_parameter_supported": true)"}) {
    CAPTURE(member);
    CHECK(metadata_error(with(buffer_oidc(), member, std::string(member) + ", " + std::string(member))) ==
          bo::errc::duplicate_member);
  }
  // The same name escaped is the same member.
  CHECK(metadata_error(with(buffer_oidc(), R"("token_endpoint": )",
                            R"("token_endpoint": "https://evil.example/token", "token_\u0065ndpoint": )")) ==
        bo::errc::duplicate_member);
}

TEST_CASE("parse_provider_metadata: only HTTP 200 with a JSON object") {
  for (int status : {201, 204, 301, 304, 404, 429, 500}) {
    CAPTURE(status);
    auto p = metadata(buffer_oidc(), bo::provider::buffer(), kIssuer, status);
    REQUIRE(!p);
    CHECK(p.code() == bo::errc::http_error);
    CHECK(p.error().http_status == status);
  }
  CHECK(metadata_error("<!DOCTYPE html><html><body>Not Found</body></html>") == bo::errc::not_json);
  CHECK(metadata_error("") == bo::errc::empty_body);
  CHECK(metadata_error("[" + buffer_oidc() + "]") == bo::errc::not_an_object);
  CHECK(metadata_error(buffer_oidc() + ",") == bo::errc::malformed_json);
  CHECK(metadata_error(with(buffer_oidc(), "\n}", ",\n  \"x\": \"\xff\"\n}")) == bo::errc::invalid_utf8);
}

TEST_CASE("parse_provider_metadata: limits") {
  const std::string padded = with(buffer_oidc(), R"("subject_types_supported": ["public"])",
                                  "\"subject_types_supported\": [\"" + std::string(70000, 'p') + "\"]");
  CHECK(metadata_error(padded) == bo::errc::too_large);
  const std::string deep =
      with(buffer_oidc(), R"("claims_parameter_supported": false)",
           "\"claims_parameter_supported\": " + std::string(100, '[') + std::string(100, ']'));
  CHECK(metadata_error(deep) == bo::errc::depth_exceeded);
  const std::string long_endpoint =
      with(buffer_oidc(), R"("token_endpoint": "https://auth.buffer.com/token")",
           "\"token_endpoint\": \"https://auth.buffer.com/" + std::string(9000, 't') + "\"");
  CHECK(metadata_error(long_endpoint) == bo::errc::too_large);
  std::string many = "[";
  for (int i = 0; i < 200; ++i) many += "\"m" + std::to_string(i) + "\",";
  many += "\"S256\"]";
  CHECK(metadata_error(with(buffer_oidc(), R"(["S256"])", many)) == bo::errc::too_large);
}

TEST_CASE("parse_provider_metadata: an error keeps the status and the redacted body") {
  auto p = metadata(
      with(buffer_oidc(), R"("issuer": "https://auth.buffer.com")", R"("issuer": "https://evil.example")"));
  REQUIRE(!p);
  CHECK(p.error().body.find("https://evil.example") != std::string::npos);
  CHECK(p.error().message.find("https://auth.buffer.com") != std::string::npos);
}
