// End-to-end tests against a stand-in for Buffer's current API: oidc-provider
// configured like auth.buffer.com, with a GraphQL endpoint answering like
// api.buffer.com (tests/e2e/buffer_stand_in.mjs), over both client stacks.
//
//   test suite "buffer_current"
//
// The provider is discovered from the stand-in's metadata over
// provider::buffer(), as an app discovers auth.buffer.com; one case checks
// the discovered provider field by field against auth.buffer.com's facts.
// The last cases run `buffer-oauth login` against the stand-in, the test
// being the user's browser (a failure when the CLI is not built).
#include "stand_in.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace stand_in;

TEST_SUITE("buffer_current") {
  TEST_CASE_TEMPLATE("the confidential client logs in: secret and verifier in the body, iss, refresh token",
                     Stack, e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const auto p = stand_in_provider(*browser);
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
    check_account(p, graphql(*browser, p, t.access_token));
  }

  TEST_CASE_TEMPLATE("the public client logs in with client_id and verifier, never a secret", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto c = public_client();
    auto browser = Stack::open(ca_file());
    const auto p = stand_in_provider(*browser);
    const auto login = log_in(*browser, p, c, offline_scope);

    const std::string& body = login.token_request.body;
    CHECK(contains(body, "client_id=" + c.id));
    CHECK(contains(body, "&code_verifier="));
    CHECK_FALSE(contains(body, "client_secret"));
    CHECK_FALSE(bo::find_header(login.token_request.headers, "Authorization"));
    CHECK_FALSE(login.token.refresh_token.empty());
    CHECK(login.token.scope == offline_scope);
    check_account(p, graphql(*browser, p, login.token.access_token));
  }

  TEST_CASE_TEMPLATE("offline_access without prompt=consent is dropped: no refresh token", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    auto browser = Stack::open(ca_file());
    bo::provider p = stand_in_provider(*browser);
    p.offline_access_consent = false;
    const auto login = log_in(*browser, p, test_client(), offline_scope);
    CHECK(login.token.refresh_token.empty());
    CHECK(login.token.scope == "account:read");
  }

  TEST_CASE_TEMPLATE("every refresh rotates the refresh token; an old one sent again revokes the grant",
                     Stack, e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    for (const bo::client& c : {test_client(), public_client()}) {
      INFO("client: " << c.id);
      auto browser = Stack::open(ca_file());
      const auto p = stand_in_provider(*browser);
      const bo::token first = log_in(*browser, p, c, offline_scope).token;

      auto second = refresh(*browser, p, c, first.refresh_token);
      REQUIRE_MESSAGE(second, second.error().message << " | " << second.error().body);
      CHECK(second->refresh_token_rotated);
      CHECK(second->refresh_token != first.refresh_token);
      CHECK(second->access_token != first.access_token);
      CHECK(second->scope == offline_scope);
      check_account(p, graphql(*browser, p, second->access_token));

      auto third = refresh(*browser, p, c, second->refresh_token);
      REQUIRE_MESSAGE(third, third.error().message << " | " << third.error().body);
      CHECK(third->refresh_token_rotated);
      CHECK(third->refresh_token != second->refresh_token);

      // The first refresh token again: refused, and the whole grant with it.
      check_dead_refresh_token(*browser, p, c, first.refresh_token);
      check_dead_refresh_token(*browser, p, c, third->refresh_token);
      check_unauthorized(p, graphql(*browser, p, third->access_token));
    }
  }

  TEST_CASE_TEMPLATE(
      "/graphql: 401 without a token, the account, 429 when rate-limited, UNAUTHORIZED once expired", Stack,
      e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    auto browser = Stack::open(ca_file());
    const auto p = stand_in_provider(*browser);
    const bo::token t = log_in(*browser, p, test_client(), offline_scope).token;

    const auto anonymous = graphql(*browser, p, "");
    CHECK(anonymous.status == 401);
    json body = graphql_error(anonymous, "UNAUTHENTICATED");
    CHECK(body["errors"][0]["message"] == "An authentication JWT or Access Token is required");
    const auto anonymous_answer = bo::check_api_response(p, anonymous);
    CHECK(anonymous_answer.code() == bo::errc::token_rejected);
    CHECK(anonymous_answer.error().api_error_code == "UNAUTHENTICATED");
    CHECK_FALSE(body.contains("data"));

    check_account(p, graphql(*browser, p, t.access_token));
    check_unauthorized(p, graphql(*browser, p, t.access_token + "x"));

    const auto limited = graphql(*browser, p, t.access_token, "{ rateLimited { id } }");
    CHECK(limited.status == 429);
    CHECK(header(limited, "Retry-After") == "900");
    body = graphql_error(limited, "RATE_LIMIT_EXCEEDED");
    CHECK(body["errors"][0]["extensions"]["window"] == "15m");
    const auto limited_answer = bo::check_api_response(p, limited);
    REQUIRE(limited_answer.code() == bo::errc::rate_limited);
    CHECK(limited_answer.error().retry_after == std::chrono::seconds(900));
    CHECK(limited_answer.error().rate_limit_window == "15m");
    CHECK(limited_answer.error().http_status == 429);

    std::this_thread::sleep_for(seconds_setting("E2E_STAND_IN_ACCESS_TTL") + 1s);
    check_unauthorized(p, graphql(*browser, p, t.access_token));
    auto renewed = refresh(*browser, p, test_client(), t.refresh_token);
    REQUIRE_MESSAGE(renewed, renewed.error().message);
    check_account(p, graphql(*browser, p, renewed->access_token));
  }

  TEST_CASE_TEMPLATE(
      "revocation: a revoked access token is UNAUTHORIZED, a revoked refresh token ends the grant", Stack,
      e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    for (const bo::client& c : {test_client(), public_client()}) {
      INFO("client: " << c.id);
      auto browser = Stack::open(ca_file());
      const auto p = stand_in_provider(*browser);
      const bo::token t = log_in(*browser, p, c, offline_scope).token;

      auto revoked = revoke(*browser, p, c, t.access_token, bo::token_type_hint::access_token);
      REQUIRE_MESSAGE(revoked, revoked.error().message << " | " << revoked.error().body);
      check_unauthorized(p, graphql(*browser, p, t.access_token));

      auto renewed = refresh(*browser, p, c, t.refresh_token);  // the grant lives on
      REQUIRE_MESSAGE(renewed, renewed.error().message << " | " << renewed.error().body);
      check_account(p, graphql(*browser, p, renewed->access_token));

      revoked = revoke(*browser, p, c, renewed->refresh_token, bo::token_type_hint::refresh_token);
      REQUIRE_MESSAGE(revoked, revoked.error().message << " | " << revoked.error().body);
      check_dead_refresh_token(*browser, p, c, renewed->refresh_token);
      check_unauthorized(p, graphql(*browser, p, renewed->access_token));
    }
  }

  TEST_CASE_TEMPLATE("both discovery documents are served and carry auth.buffer.com's facts", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const std::string iss = stand_in_issuer();
    auto browser = Stack::open(ca_file());
    const auto p = stand_in_provider(*browser);
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

    // What the core makes of them: auth.buffer.com's profile at the stand-in's origin.
    CHECK(p.authentication == bo::client_auth::request_body);
    CHECK(p.public_clients);
    CHECK(p.confidential_clients);
    CHECK(p.pkce_required);
    CHECK(p.api == bo::api_format::graphql);
    auto public_only = discover(*browser, bo::metadata_document::oauth_authorization_server);
    REQUIRE_MESSAGE(public_only, public_only.error().message);
    CHECK(public_only->issuer == iss);
    CHECK(public_only->token_endpoint == iss + "/token");
    CHECK(public_only->public_clients);
    CHECK_FALSE(public_only->confidential_clients);
    CHECK(bo::build_token_request(*public_only, test_client(), "code", std::string(43, 'v')).code() ==
          bo::errc::client_auth_unsupported);

    // The issuer must match byte for byte (RFC 8414 §3.3).
    auto req = bo::build_metadata_request(iss, bo::metadata_document::openid_configuration);
    REQUIRE(req);
    CHECK(bo::parse_provider_metadata(client_send(*browser, *req), iss + "/", buffer_base()).code() ==
          bo::errc::metadata_issuer_mismatch);
  }

  TEST_CASE_TEMPLATE("open registration: a native public client registered (RFC 7591) logs in", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    auto browser = Stack::open(ca_file());
    const auto p = stand_in_provider(*browser);
    const std::string redirect_uri = need("E2E_REDIRECT_URI");
    bo::registration_params params;
    params.redirect_uris = {redirect_uri};
    params.client_name = "buffer-oauth e2e \"native\" app";
    params.scope = std::string(offline_scope);
    auto req = bo::build_registration_request(p, params);
    REQUIRE_MESSAGE(req, req.error().message);
    const auto r = client_send(*browser, *req);
    CHECK(r.status == 201);
    json registered = json::parse(r.body, nullptr, false);
    REQUIRE(registered.is_object());
    CHECK(registered["client_name"] == params.client_name);
    CHECK(registered["application_type"] == "native");
    CHECK(registered["token_endpoint_auth_method"] == "none");

    auto app = bo::parse_registration_response(r, params);
    REQUIRE_MESSAGE(app, app.error().message << " | " << app.error().body);
    CHECK(app->app.id == registered["client_id"].get<std::string>());
    CHECK(app->app.secret.empty());
    CHECK(app->app.redirect_uri == redirect_uri);
    CHECK(app->registration_access_token == registered["registration_access_token"].get<std::string>());
    const bo::client& c = app->app;
    const auto login = log_in(*browser, p, c, offline_scope);
    CHECK_FALSE(contains(login.token_request.body, "client_secret"));
    CHECK_FALSE(login.token.refresh_token.empty());
    check_account(p, graphql(*browser, p, login.token.access_token));
  }
}  // TEST_SUITE buffer_current

// ---- The buffer-oauth CLI against the stand-in

namespace {

/// A successful login's output: the token redacted, and neither the code of
/// `redirect` nor any secret printed anywhere.
void check_redacted_login(const cli_run& run, const std::string& redirect) {
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  CHECK(run.exit_code == 0);
  REQUIRE(run.output.is_object());
  CHECK(run.output["token_type"] == "Bearer");
  CHECK(contains(run.output.value("access_token", ""), "[redacted, "));
  CHECK(contains(run.output.value("refresh_token", ""), "[redacted, "));
  const std::string code = query_value(redirect, "code");
  REQUIRE(code.size() > 8);
  for (const std::string& printed : {run.out, run.err}) {
    CHECK_FALSE(contains(printed, code));
    CHECK_FALSE(contains(printed, need("E2E_CLIENT_SECRET")));
    CHECK_FALSE(contains(printed, "client_secret"));
    CHECK_FALSE(contains(printed, "code_verifier"));
  }
}

/// `buffer-oauth` arguments: the provider discovered from the stand-in,
/// HTTPS trusting `cacert` besides the system's CAs, then `login` with `login_args` on any port.
std::vector<std::string> discovered_login(const std::string& cacert, std::vector<std::string> login_args) {
  std::vector<std::string> args{"--discover", stand_in_issuer(), "--cacert", cacert, "login", "--port", "0"};
  args.insert(args.end(), login_args.begin(), login_args.end());
  return args;
}

}  // namespace

TEST_SUITE("buffer_current") {
  TEST_CASE("buffer-oauth login against the stand-in, the test being the browser") {
    const std::string cli = env("E2E_BUFFER_OAUTH_CLI");
    // A test that cannot go quiet: no CLI is a failure, not a skip.
    REQUIRE_MESSAGE(!cli.empty(),
                    "E2E_BUFFER_OAUTH_CLI is empty: build the buffer-oauth CLI (examples/, "
                    "needs CLI11 and libcurl) together with the e2e tests");
    std::string redirect;
    SUBCASE("--register: a public client registered (RFC 7591), then logged in") {
      auto args = discovered_login(ca_file(), {"--register", "--timeout", "60"});
      args.insert(args.begin(), {"--api-base", stand_in_issuer() + "/"});
      const auto run = run_cli(cli, args, true, &redirect);
      check_redacted_login(run, redirect);
      CHECK(contains(run.err, "Registering a public client: " + stand_in_issuer() + "/reg"));
      CHECK_FALSE(run.output.value("client_id", "").empty());
    }
    SUBCASE("the public client's id and no secret; with --show-token the token works at /graphql") {
      const std::vector<std::string> public_client{"--client-id", need("E2E_PUBLIC_CLIENT_ID"), "--timeout",
                                                   "60"};
      const auto run = run_cli(cli, discovered_login(ca_file(), public_client), true, &redirect);
      check_redacted_login(run, redirect);
      auto show_token = public_client;
      show_token.push_back("--show-token");
      const auto shown = run_cli(cli, discovered_login(ca_file(), show_token), true);
      REQUIRE(shown.exit_code == 0);
      auto browser = e2e::curl_stack::open(ca_file());
      check_account(buffer_base(), graphql(*browser, buffer_base(), shown.output.value("access_token", "")));
    }
    SUBCASE("--cacert with a CA that did not sign the stand-in's certificate: refused before any URL") {
      const auto run = run_cli(
          cli, discovered_login(need("E2E_UNTRUSTED_CERT"), {"--client-id", need("E2E_PUBLIC_CLIENT_ID")}),
          false);
      INFO("stdout: " << run.out << "\nstderr: " << run.err);
      CHECK(run.exit_code == 1);
      CHECK(run.output["errc"] == "transport_error");
      CHECK_FALSE(contains(run.err, "Open this URL"));
    }
  }
}  // TEST_SUITE buffer_current
