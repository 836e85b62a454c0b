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
#include "browser.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace bo = buffer_oauth;
using e2e::http_session;
using namespace e2e;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string stand_in_issuer() { return "https://127.0.0.1:" + need("E2E_STAND_IN_PORT"); }

/// Buffer's profile with the stand-in's origin for its API.
bo::provider buffer_base() {
  bo::provider base = bo::provider::buffer();
  base.name = "buffer-stand-in";
  base.api_base = stand_in_issuer() + "/";
  return base;
}

/// The provider as the stand-in's metadata `which` describes it.
bo::result<bo::provider> discover(http_session& browser, bo::metadata_document which) {
  auto req = bo::build_metadata_request(stand_in_issuer(), which);
  REQUIRE_MESSAGE(req, req.error().message);
  return bo::parse_provider_metadata(send(browser, *req), stand_in_issuer(), buffer_base());
}

/// The provider confidential and public clients both use: the OpenID
/// document lists client_secret_post and none.
bo::provider stand_in_provider(http_session& browser) {
  auto p = discover(browser, bo::metadata_document::openid_configuration);
  REQUIRE_MESSAGE(p, p.error().message << " | " << p.error().body);
  return *std::move(p);
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

/// Logs `c` in with `scope`. The provider adds prompt=consent for
/// offline_access (offline_access_consent), without which oidc-provider
/// drops offline_access.
login_result log_in(http_session& browser, const bo::provider& p, const bo::client& c,
                    std::string_view scope) {
  bo::flow_options o;
  o.scope = std::string(scope);
  bo::flow f(p, c, o);
  REQUIRE(f.uses_pkce());
  entropy e;
  auto url = f.begin(e.view(), now());
  REQUIRE_MESSAGE(url, url.error().message);
  CHECK(count(*url, "&prompt=consent") == (p.offline_access_consent ? 1 : 0));
  CHECK(count(*url, "prompt=") == (p.offline_access_consent ? 1 : 0));
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

void check_unauthorized(const bo::provider& p, const bo::http_response& r) {
  CHECK(bo::check_api_response(p, r).code() == bo::errc::token_rejected);
  CHECK(r.status == 200);
  json body = graphql_error(r, "UNAUTHORIZED");
  CHECK(body.contains("data"));
  CHECK(body["data"].is_null());
}

void check_account(const bo::provider& p, const bo::http_response& r) {
  INFO("body: " << r.body);
  const auto answer = bo::check_api_response(p, r);
  CHECK_MESSAGE(answer, (answer ? "" : answer.error().message));
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
    CHECK(bo::parse_provider_metadata(send(*browser, *req), iss + "/", buffer_base()).code() ==
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
    const auto r = send(*browser, *req);
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

/// What `buffer-oauth login` printed and how it ended.
struct cli_run {
  int exit_code = -1;
  std::string out, err;
  json output;  ///< stdout as JSON (discarded when it is not)
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// The line after `label` once the CLI has written it whole, else empty.
std::string line_after(const std::string& text, std::string_view label) {
  const auto at = text.find(label);
  if (at == std::string::npos) return {};
  const auto start = at + label.size(), end = text.find('\n', start);
  return end == std::string::npos ? std::string() : text.substr(start, end - start);
}

/// Runs the buffer-oauth CLI with `args`. With `browse` the test is the
/// user's browser: it reads the authorization URL from the CLI's stderr,
/// logs in and consents on the stand-in's pages, brings the redirect to the
/// CLI's loopback listener and returns the redirect in `redirect`.
cli_run run_cli(const std::string& program, const std::vector<std::string>& args, bool browse,
                std::string* redirect = nullptr) {
  const std::string out_file = need("E2E_WORK_DIR") + "/cli.out",
                    err_file = need("E2E_WORK_DIR") + "/cli.err";
  std::vector<std::string> words{program};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, program.c_str(), &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  REQUIRE_MESSAGE(spawned == 0, "cannot run " << program);

  cli_run run;
  int status = 0;
  bool browsed = !browse;
  for (int waited = 0; waited < 600; ++waited) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
      break;
    }
    if (!browsed) {
      const std::string err = read_file(err_file);
      const std::string url = line_after(err, "Open this URL to log in:\n");
      if (!url.empty()) {
        browsed = true;
        const std::string callback_line = line_after(err, "Callback URL");
        const std::string callback =
            callback_line.substr(std::min(callback_line.find("http://"), callback_line.size()));
        auto browser = e2e::curl_stack::open(ca_file());
        const std::string back = oidc_authorize(*browser, url, callback, consent::allow);
        if (redirect) *redirect = back;
        const auto page = send(*browser, get(back));
        CHECK(page.status == 200);
        CHECK(contains(page.body, "Logged in"));
      }
    }
    std::this_thread::sleep_for(100ms);
  }
  if (run.exit_code == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  run.out = read_file(out_file);
  run.err = read_file(err_file);
  run.output = json::parse(run.out, nullptr, false);
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  CHECK(browsed);
  REQUIRE_MESSAGE(run.exit_code != -1, "the CLI did not exit within 60 s");
  return run;
}

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
