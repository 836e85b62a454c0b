// End-to-end tests against a stand-in for Buffer's current API: oidc-provider
// configured like auth.buffer.com, with a GraphQL endpoint answering like
// api.buffer.com (tests/e2e/buffer_stand_in.mjs), over both client stacks.
//
//   test suite "buffer_current"
//
// The provider is built here with provider::generic and every field Buffer
// needs set explicitly, so that these tests check the server's facts and not
// a profile that may change.
#include "browser.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <string>
#include <thread>

namespace bo = buffer_oauth;
using e2e::http_session;
using namespace e2e;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string stand_in_issuer() { return "https://127.0.0.1:" + need("E2E_STAND_IN_PORT"); }

/// auth.buffer.com's facts with the stand-in's origin.
bo::provider stand_in_provider() {
  const std::string iss = stand_in_issuer();
  bo::provider p = bo::provider::generic("buffer-stand-in", iss + "/auth", iss + "/token", iss + "/");
  p.issuer = iss;
  p.revocation_endpoint = iss + "/token/revocation";
  p.registration_endpoint = iss + "/reg";
  p.authentication = bo::client_auth::request_body;
  p.public_clients = true;
  p.pkce_required = true;
  return p;
}

/// The launcher's second client: no secret, token_endpoint_auth_method none.
bo::client public_client() { return bo::client{need("E2E_PUBLIC_CLIENT_ID"), "", need("E2E_REDIRECT_URI")}; }

std::string graphql_url() { return stand_in_issuer() + "/graphql"; }

constexpr std::string_view offline_scope = "account:read offline_access";

std::size_t count(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

/// A login through the whole flow: the token, and the token request as sent.
struct login_result {
  bo::token token;
  bo::http_request token_request;
};

/// Logs `c` in with `scope`; `consent_prompt` adds prompt=consent to the
/// authorization URL, without which oidc-provider drops offline_access.
login_result log_in(http_session& browser, const bo::provider& p, const bo::client& c, std::string_view scope,
                    bool consent_prompt = true) {
  bo::flow_options o;
  o.scope = std::string(scope);
  bo::flow f(p, c, o);
  REQUIRE(f.uses_pkce());
  entropy e;
  auto url = f.begin(e.view(), now());
  REQUIRE_MESSAGE(url, url.error().message);
  if (consent_prompt) *url += "&prompt=consent";
  CHECK(count(*url, "prompt=") == (consent_prompt ? 1 : 0));
  CHECK(contains(*url, "&code_challenge_method=S256"));

  const std::string back = oidc_authorize(browser, *url, c.redirect_uri, consent::allow);
  CHECK(contains(back, "iss="));
  auto redirected = f.redirect(back, now());
  REQUIRE_MESSAGE(redirected, redirected.error().message << " in " << back);

  auto req = f.token_request(now());
  REQUIRE_MESSAGE(req, req.error().message);
  const auto resp = send(browser, *req);
  auto t = f.token_response(resp);
  REQUIRE_MESSAGE(t, t.error().message << " | " << resp.body);
  return {*std::move(t), *std::move(req)};
}

bo::result<bo::token> refresh(http_session& browser, const bo::provider& p, const bo::client& c,
                              const std::string& refresh_token) {
  auto req = bo::build_refresh_request(p, c, refresh_token);
  REQUIRE_MESSAGE(req, req.error().message);
  return bo::parse_refresh_response(p, send(browser, *req), refresh_token);
}

/// POST /graphql with `query`, carrying `access_token` unless it is empty.
bo::http_response graphql(http_session& browser, const bo::provider& p, const std::string& access_token,
                          std::string_view query = "{ account { id email } }") {
  bo::http_request req{
      "POST", graphql_url(), {{"Content-Type", "application/json"}}, json{{"query", query}}.dump()};
  if (access_token.empty()) return send(browser, req);
  auto with_token = bo::attach_token(p, std::move(req), access_token);
  REQUIRE_MESSAGE(with_token, with_token.error().message);
  return send(browser, *with_token);
}

/// A GraphQL error answer: exactly one error with `code` in its extensions.
json graphql_error(const bo::http_response& r, std::string_view code) {
  INFO("body: " << r.body);
  json body = json::parse(r.body, nullptr, false);
  REQUIRE(body.is_object());
  REQUIRE(body.contains("errors"));
  REQUIRE(body["errors"].is_array());
  REQUIRE(body["errors"].size() == 1);
  json& error = body["errors"][0];
  CHECK(error["message"].is_string());
  CHECK(error["extensions"]["code"] == code);
  return body;
}

void check_unauthorized(const bo::http_response& r) {
  CHECK(r.status == 200);
  json body = graphql_error(r, "UNAUTHORIZED");
  CHECK(body.contains("data"));
  CHECK(body["data"].is_null());
}

void check_account(const bo::http_response& r) {
  INFO("body: " << r.body);
  CHECK(r.status == 200);
  json body = json::parse(r.body, nullptr, false);
  REQUIRE(body.is_object());
  CHECK_FALSE(body.contains("errors"));
  CHECK(body["data"]["account"]["id"] == "e2e-user");
  CHECK(body["data"]["account"]["email"].is_string());
}

bo::result<void> revoke(http_session& browser, const bo::provider& p, const bo::client& c,
                        const std::string& token, bo::token_type_hint hint) {
  auto req = bo::build_revocation_request(p, c, token, hint);
  REQUIRE_MESSAGE(req, req.error().message);
  return bo::parse_revocation_response(send(browser, *req));
}

/// oidc-provider 8.8.1 gives every refused grant this description.
constexpr std::string_view refused_grant = "grant request is invalid";

void check_dead_refresh_token(http_session& browser, const bo::provider& p, const bo::client& c,
                              const std::string& refresh_token) {
  auto t = refresh(browser, p, c, refresh_token);
  REQUIRE_FALSE(t);
  check_provider_error(t.error(), bo::errc::token_error, "invalid_grant", 400, refused_grant);
}

json get_json(http_session& browser, const std::string& url) {
  const auto r = send(browser, get(url));
  INFO(url << ": " << r.body);
  CHECK(r.status == 200);
  json doc = json::parse(r.body, nullptr, false);
  REQUIRE(doc.is_object());
  return doc;
}

bool has_all(const json& list, std::initializer_list<std::string_view> wanted) {
  if (!list.is_array()) return false;
  for (std::string_view w : wanted)
    if (std::find(list.begin(), list.end(), w) == list.end()) return false;
  return true;
}

}  // namespace

TEST_SUITE("buffer_current") {
  TEST_CASE_TEMPLATE("the confidential client logs in: secret and verifier in the body, iss, refresh token",
                     Stack, e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = stand_in_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const auto login = log_in(*browser, p, c, offline_scope);

    const std::string& body = login.token_request.body;
    CHECK(contains(body, "client_id="));
    CHECK(contains(body, "client_secret="));
    CHECK(contains(body, "&code_verifier="));
    CHECK_FALSE(bo::find_header(login.token_request.headers, "Authorization"));

    const bo::token& t = login.token;
    CHECK(e2e::iequal(t.token_type, "Bearer"));
    CHECK(t.leniencies == 0);
    REQUIRE(t.expires_in);
    CHECK(*t.expires_in == std::atoi(need("E2E_STAND_IN_ACCESS_TTL").c_str()));
    CHECK_FALSE(t.refresh_token.empty());
    CHECK(t.scope == offline_scope);
    CHECK(t.no_store);
    check_account(graphql(*browser, p, t.access_token));
  }

  TEST_CASE_TEMPLATE("the public client logs in with client_id and verifier, never a secret", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = stand_in_provider();
    const auto c = public_client();
    auto browser = Stack::open(ca_file());
    const auto login = log_in(*browser, p, c, offline_scope);

    const std::string& body = login.token_request.body;
    CHECK(contains(body, "client_id=" + c.id));
    CHECK(contains(body, "&code_verifier="));
    CHECK_FALSE(contains(body, "client_secret"));
    CHECK_FALSE(bo::find_header(login.token_request.headers, "Authorization"));
    CHECK_FALSE(login.token.refresh_token.empty());
    CHECK(login.token.scope == offline_scope);
    check_account(graphql(*browser, p, login.token.access_token));
  }

  TEST_CASE_TEMPLATE("offline_access without prompt=consent is dropped: no refresh token", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = stand_in_provider();
    auto browser = Stack::open(ca_file());
    const auto login = log_in(*browser, p, test_client(), offline_scope, false);
    CHECK(login.token.refresh_token.empty());
    CHECK(login.token.scope == "account:read");
  }

  TEST_CASE_TEMPLATE("every refresh rotates the refresh token; an old one sent again revokes the grant",
                     Stack, e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = stand_in_provider();
    for (const bo::client& c : {test_client(), public_client()}) {
      INFO("client: " << c.id);
      auto browser = Stack::open(ca_file());
      const bo::token first = log_in(*browser, p, c, offline_scope).token;

      auto second = refresh(*browser, p, c, first.refresh_token);
      REQUIRE_MESSAGE(second, second.error().message << " | " << second.error().body);
      CHECK(second->refresh_token_rotated);
      CHECK(second->refresh_token != first.refresh_token);
      CHECK(second->access_token != first.access_token);
      CHECK(second->scope == offline_scope);
      check_account(graphql(*browser, p, second->access_token));

      auto third = refresh(*browser, p, c, second->refresh_token);
      REQUIRE_MESSAGE(third, third.error().message << " | " << third.error().body);
      CHECK(third->refresh_token_rotated);
      CHECK(third->refresh_token != second->refresh_token);

      // The first refresh token again: refused, and the whole grant with it.
      check_dead_refresh_token(*browser, p, c, first.refresh_token);
      check_dead_refresh_token(*browser, p, c, third->refresh_token);
      check_unauthorized(graphql(*browser, p, third->access_token));
    }
  }

  TEST_CASE_TEMPLATE(
      "/graphql: 401 without a token, the account, 429 when rate-limited, UNAUTHORIZED once expired", Stack,
      e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = stand_in_provider();
    auto browser = Stack::open(ca_file());
    const bo::token t = log_in(*browser, p, test_client(), offline_scope).token;

    const auto anonymous = graphql(*browser, p, "");
    CHECK(anonymous.status == 401);
    json body = graphql_error(anonymous, "UNAUTHENTICATED");
    CHECK(body["errors"][0]["message"] == "An authentication JWT or Access Token is required");
    CHECK_FALSE(body.contains("data"));

    check_account(graphql(*browser, p, t.access_token));
    check_unauthorized(graphql(*browser, p, t.access_token + "x"));

    const auto limited = graphql(*browser, p, t.access_token, "{ rateLimited { id } }");
    CHECK(limited.status == 429);
    CHECK(header(limited, "Retry-After") == "900");
    body = graphql_error(limited, "RATE_LIMIT_EXCEEDED");
    CHECK(body["errors"][0]["extensions"]["window"] == "15m");

    std::this_thread::sleep_for(seconds_setting("E2E_STAND_IN_ACCESS_TTL") + 1s);
    check_unauthorized(graphql(*browser, p, t.access_token));
    auto renewed = refresh(*browser, p, test_client(), t.refresh_token);
    REQUIRE_MESSAGE(renewed, renewed.error().message);
    check_account(graphql(*browser, p, renewed->access_token));
  }

  TEST_CASE_TEMPLATE(
      "revocation: a revoked access token is UNAUTHORIZED, a revoked refresh token ends the grant", Stack,
      e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = stand_in_provider();
    for (const bo::client& c : {test_client(), public_client()}) {
      INFO("client: " << c.id);
      auto browser = Stack::open(ca_file());
      const bo::token t = log_in(*browser, p, c, offline_scope).token;

      auto revoked = revoke(*browser, p, c, t.access_token, bo::token_type_hint::access_token);
      REQUIRE_MESSAGE(revoked, revoked.error().message << " | " << revoked.error().body);
      check_unauthorized(graphql(*browser, p, t.access_token));

      auto renewed = refresh(*browser, p, c, t.refresh_token);  // the grant lives on
      REQUIRE_MESSAGE(renewed, renewed.error().message << " | " << renewed.error().body);
      check_account(graphql(*browser, p, renewed->access_token));

      revoked = revoke(*browser, p, c, renewed->refresh_token, bo::token_type_hint::refresh_token);
      REQUIRE_MESSAGE(revoked, revoked.error().message << " | " << revoked.error().body);
      check_dead_refresh_token(*browser, p, c, renewed->refresh_token);
      check_unauthorized(graphql(*browser, p, renewed->access_token));
    }
  }

  TEST_CASE_TEMPLATE("both discovery documents are served and carry auth.buffer.com's facts", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = stand_in_provider();
    const std::string iss = stand_in_issuer();
    auto browser = Stack::open(ca_file());
    json oidc = get_json(*browser, iss + "/.well-known/openid-configuration");
    json rfc8414 = get_json(*browser, iss + "/.well-known/oauth-authorization-server");

    for (json* doc : {&oidc, &rfc8414}) {
      INFO("document: " << doc->dump());
      CHECK((*doc)["issuer"] == p.issuer);
      CHECK((*doc)["authorization_endpoint"] == p.authorize_endpoint);
      CHECK((*doc)["token_endpoint"] == p.token_endpoint);
      CHECK((*doc)["revocation_endpoint"] == p.revocation_endpoint);
      CHECK((*doc)["registration_endpoint"] == p.registration_endpoint);
      CHECK((*doc)["introspection_endpoint"] == iss + "/token/introspection");
      CHECK((*doc)["code_challenge_methods_supported"] == json::array({"S256"}));
      CHECK((*doc)["authorization_response_iss_parameter_supported"] == true);
      CHECK((*doc)["response_types_supported"] == json::array({"code"}));
      CHECK(has_all((*doc)["grant_types_supported"], {"authorization_code", "refresh_token"}));
      CHECK(has_all((*doc)["scopes_supported"], {"posts:read", "posts:write", "ideas:read", "ideas:write",
                                                 "account:read", "account:write", "offline_access"}));
    }
    CHECK(rfc8414["token_endpoint_auth_methods_supported"] == json::array({"none"}));
    CHECK(oidc["token_endpoint_auth_methods_supported"] == json::array({"client_secret_post", "none"}));
    CHECK(has_all(oidc["scopes_supported"], {"openid"}));
  }

  TEST_CASE_TEMPLATE("open registration: a native public client registered by hand logs in", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = stand_in_provider();
    const std::string redirect_uri = need("E2E_REDIRECT_URI");
    auto browser = Stack::open(ca_file());
    const json metadata = {
        {"application_type", "native"},
        {"client_name", "buffer-oauth e2e"},
        {"redirect_uris", {redirect_uri}},
        {"response_types", {"code"}},
        {"grant_types", {"authorization_code", "refresh_token"}},
        {"token_endpoint_auth_method", "none"},
    };
    const auto r = send(*browser, {"POST",
                                   p.registration_endpoint,
                                   {{"Content-Type", "application/json"}, {"Accept", "application/json"}},
                                   metadata.dump()});
    CHECK(r.status == 201);
    json registered = json::parse(r.body, nullptr, false);
    REQUIRE(registered.is_object());
    REQUIRE(registered["client_id"].is_string());
    CHECK_FALSE(registered.contains("client_secret"));
    CHECK(registered["token_endpoint_auth_method"] == "none");
    CHECK(registered["redirect_uris"] == json::array({redirect_uri}));
    CHECK(registered["registration_access_token"].is_string());

    const bo::client c{registered["client_id"].get<std::string>(), "", redirect_uri};
    const auto login = log_in(*browser, p, c, offline_scope);
    CHECK_FALSE(contains(login.token_request.body, "client_secret"));
    CHECK_FALSE(login.token.refresh_token.empty());
    check_account(graphql(*browser, p, login.token.access_token));
  }
}  // TEST_SUITE buffer_current
