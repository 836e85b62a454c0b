// The demo provider refuses what Buffer refuses (a reused code, a code older
// than 30 s, a code sent as 1%2F...), the API takes one token placement at a
// time, and `login` completes against it through a real loopback redirect,
// its token redacted unless asked. Everything binds 127.0.0.1 on free ports;
// every server stops when its test ends. The current-API stand-in requires
// PKCE, puts iss on the redirect, rotates refresh tokens (a spent one sent
// again revokes the grant) and answers GraphQL as Buffer does.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "commands.hpp"
#include "demo_provider.hpp"
#include "demo_provider_current.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

using namespace buffer_oauth_cli;
namespace bo = buffer_oauth;

namespace {

const bo::curl::global curl_for_all_tests;

/// The answer to `req`. No answer at all fails the test, and the empty
/// response returned instead fails what the test checks next.
bo::http_response send(const bo::http_request& req) {
  auto answer = bo::curl::send(req);
  CHECK_MESSAGE(answer, (answer ? "" : answer.error().message));
  return std::move(answer).value_or(bo::http_response{});
}

/// A clock the test moves by hand.
struct manual_clock {
  std::shared_ptr<std::atomic<std::chrono::steady_clock::duration>> offset =
      std::make_shared<std::atomic<std::chrono::steady_clock::duration>>(
          std::chrono::steady_clock::duration::zero());
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  demo_provider::clock function() const {
    return [offset = offset, start = start] { return start + offset->load(); };
  }
  void advance(std::chrono::steady_clock::duration by) { offset->store(offset->load() + by); }
};

/// A started provider with one registered app.
struct fixture {
  manual_clock clock;
  demo_provider provider{clock.function()};
  bo::client app;

  fixture() {
    provider.start();
    app = {"test-client", "test-secret-0123456789", provider.callback_uri()};
    provider.register_client({app.id, app.secret, app.redirect_uri});
  }

  /// Plays the browser: the code from the authorize endpoint's redirect.
  std::string fresh_code() {
    const bo::client c = app;
    auto url = bo::build_authorize_url(provider.profile(), c, {"xyz-state-for-tests", false, {}, {}});
    REQUIRE(url);
    const auto answer = send({"GET", *url, {}, {}});
    REQUIRE(answer.status == 302);
    const std::string* location = bo::find_header(answer.headers, "Location");
    REQUIRE(location);
    auto code = bo::parse_redirect(*location, provider.profile(), c, {"xyz-state-for-tests", false});
    REQUIRE(code);
    return *code;
  }

  bo::http_response swap(const std::string& code) {
    auto req = bo::build_token_request(provider.profile(), app, code);
    REQUIRE(req);
    return send(*req);
  }

  /// The provider's answer to a swap as the core reads it.
  bo::result<bo::token> swap_result(const std::string& code) {
    return bo::parse_token_response(provider.profile(), swap(code));
  }

  bo::http_request api_get(const std::string& path) const {
    return {"GET", provider.base_url() + path, {}, {}};
  }
};

void check_invalid_grant(const bo::result<bo::token>& t) {
  REQUIRE_FALSE(t);
  CHECK(t.code() == bo::errc::token_error);
  CHECK(t.error().http_status == 400);
  CHECK(t.error().from_provider.error == "invalid_grant");
}

}  // namespace

TEST_CASE("a code works once, and the token it buys reads profiles") {
  fixture f;
  const std::string code = f.fresh_code();
  CHECK(code.rfind("1/", 0) == 0);
  CHECK(code.size() == 26);

  const auto answer = f.swap(code);
  CHECK(answer.status == 200);
  CHECK(answer.body.find("\\/") != std::string::npos);  // PHP-style escaped solidus
  auto token = bo::parse_token_response(f.provider.profile(), answer);
  REQUIRE(token);
  CHECK(token->applied(bo::leniency::token_type_defaulted));

  check_invalid_grant(f.swap_result(code));  // reused

  auto req = bo::attach_token(f.provider.profile(), f.api_get("/1/profiles.json"), token->access_token);
  REQUIRE(req);
  const auto profiles = send(*req);
  CHECK(bo::check_api_response(profiles));
  CHECK(profiles.body.front() == '[');
}

TEST_CASE("a code is refused once 30 seconds have passed") {
  fixture f;
  SUBCASE("31 s old: expired") {
    const std::string code = f.fresh_code();
    f.clock.advance(std::chrono::seconds(31));
    const auto t = f.swap_result(code);
    check_invalid_grant(t);
    CHECK(t.error().from_provider.error_description.find("expired") != std::string::npos);
  }
  SUBCASE("exactly 30 s old: expired") {
    const std::string code = f.fresh_code();
    f.clock.advance(std::chrono::seconds(30));
    check_invalid_grant(f.swap_result(code));
  }
  SUBCASE("29 s old: still good") {
    const std::string code = f.fresh_code();
    f.clock.advance(std::chrono::seconds(29));
    CHECK(f.swap_result(code));
  }
}

TEST_CASE("a code sent percent-encoded (1%2F...) is refused, as Buffer's guide warns") {
  fixture f;
  const std::string code = f.fresh_code();
  // A profile that form-encodes the code the ordinary way turns '/' into %2F.
  bo::provider ordinary_encoder = f.provider.profile();
  ordinary_encoder.code_form_safe = false;
  auto req = bo::build_token_request(ordinary_encoder, f.app, code);
  REQUIRE(req);
  REQUIRE(req->body.find("code=1%2F") != std::string::npos);
  const auto t = bo::parse_token_response(f.provider.profile(), send(*req));
  check_invalid_grant(t);
  CHECK(t.error().from_provider.error_description.find("URL-encoded") != std::string::npos);

  SUBCASE("double-encoded (1%252F...) is refused too") {
    check_invalid_grant(f.swap_result("1%2F" + code.substr(2)));
  }
  SUBCASE("the same code sent raw still works: the refusal did not consume it") {
    CHECK(f.swap_result(code));
  }
}

TEST_CASE("the token endpoint checks the client, the redirect URI and the grant") {
  fixture f;
  const std::string code = f.fresh_code();
  SUBCASE("wrong client secret") {
    bo::client impostor = f.app;
    impostor.secret = "not-the-secret";
    auto req = bo::build_token_request(f.provider.profile(), impostor, code);
    REQUIRE(req);
    const auto t = bo::parse_token_response(f.provider.profile(), send(*req));
    REQUIRE_FALSE(t);
    CHECK(t.error().from_provider.error == "invalid_client");
  }
  SUBCASE("redirect_uri differs from the authorization request") {
    bo::client moved = f.app;
    moved.redirect_uri = f.provider.base_url() + "/elsewhere";
    auto req = bo::build_token_request(f.provider.profile(), moved, code);
    REQUIRE(req);
    check_invalid_grant(bo::parse_token_response(f.provider.profile(), send(*req)));
  }
  SUBCASE("a repeated parameter") {
    auto req = bo::build_token_request(f.provider.profile(), f.app, code);
    REQUIRE(req);
    req->body += "&grant_type=authorization_code";
    const auto t = bo::parse_token_response(f.provider.profile(), send(*req));
    REQUIRE_FALSE(t);
    CHECK(t.error().from_provider.error == "invalid_request");
  }
  SUBCASE("an unknown code") { check_invalid_grant(f.swap_result("1/NotIssuedByThisProvider0")); }
}

TEST_CASE("the authorize endpoint never redirects to an unregistered URI") {
  fixture f;
  bo::client stranger = f.app;
  stranger.redirect_uri = f.provider.base_url() + "/attacker";
  auto url = bo::build_authorize_url(f.provider.profile(), stranger, {"s-0123456789abcdef", false, {}, {}});
  REQUIRE(url);
  const auto answer = send({"GET", *url, {}, {}});
  CHECK(answer.status == 400);
  CHECK(bo::find_header(answer.headers, "Location") == nullptr);

  // Nor when a parameter repeats, even with the same value.
  auto twice = bo::build_authorize_url(f.provider.profile(), f.app, {"s-0123456789abcdef", false, {}, {}});
  REQUIRE(twice);
  const auto repeated = send({"GET", *twice + "&state=s-0123456789abcdef", {}, {}});
  CHECK(repeated.status == 400);
  CHECK(bo::find_header(repeated.headers, "Location") == nullptr);
}

TEST_CASE("the API takes a token in one place at a time and forgets it once revoked") {
  fixture f;
  auto token = f.swap_result(f.fresh_code());
  REQUIRE(token);
  const bo::provider p = f.provider.profile();

  SUBCASE("no token: 403 code 1001, which the core reads as token_rejected") {
    const auto verdict = bo::check_api_response(send(f.api_get("/1/profiles.json")));
    REQUIRE_FALSE(verdict);
    CHECK(verdict.code() == bo::errc::token_rejected);
    CHECK(verdict.error().api_code == 1001);
  }
  SUBCASE("query placement") {
    bo::attach_options query;
    query.placement = bo::token_placement::query;
    query.allow_query = true;
    auto req = bo::attach_token(p, f.api_get("/1/profiles.json"), token->access_token, query);
    REQUIRE(req);
    CHECK(bo::check_api_response(send(*req)));
  }
  SUBCASE("header and query at once: 400") {
    auto req = bo::attach_token(p, f.api_get("/1/profiles.json"), token->access_token);
    REQUIRE(req);
    req->url += "?access_token=" + token->access_token;
    CHECK(send(*req).status == 400);
  }
  SUBCASE("revoked with a form-body token, then refused") {
    bo::attach_options body;
    body.placement = bo::token_placement::form_body;
    auto revoke = bo::build_deauthorize_request(p, token->access_token, body);
    REQUIRE(revoke);
    CHECK(revoke->body.find("access_token=") != std::string::npos);
    CHECK(bo::parse_deauthorize_response(send(*revoke)));
    auto req = bo::attach_token(p, f.api_get("/1/profiles.json"), token->access_token);
    REQUIRE(req);
    CHECK(bo::check_api_response(send(*req)).code() == bo::errc::token_rejected);
  }
}

namespace {
/// The decoded value of `name` in the query of `url`.
std::string query_value(const std::string& url, const std::string& name) {
  const auto at = url.find(name + "=");
  REQUIRE(at != std::string::npos);
  const auto end = url.find('&', at);
  const std::string raw =
      url.substr(at + name.size() + 1, end == std::string::npos ? end : end - at - name.size() - 1);
  std::unique_ptr<char, decltype(&curl_free)> decoded(
      curl_easy_unescape(nullptr, raw.c_str(), static_cast<int>(raw.size()), nullptr), curl_free);
  return decoded.get();
}
}  // namespace

TEST_CASE("login: loopback redirect, state checked, code swapped at once") {
  fixture f;
  login_args args{f.app.id, f.app.secret, 0, false, std::chrono::seconds(20)};
  std::thread browser;
  std::string page;

  SUBCASE("a user who approves gets a token, redacted unless asked") {
    bool show = false;
    SUBCASE("redacted") { show = false; }
    SUBCASE("--show-token") { show = true; }
    args.show_token = show;
    const auto result = login(f.provider.profile(), args, [&](const std::string& url) {
      // The provider learns the loopback Callback URL only now that the port is known.
      f.provider.register_client({f.app.id, f.app.secret, query_value(url, "redirect_uri")});
      browser = std::thread([&page, url] {
        const auto approval = send({"GET", url, {}, {}});
        const std::string* location = bo::find_header(approval.headers, "Location");
        if (location) page = send({"GET", *location, {}, {}}).body;
      });
    });
    browser.join();
    CHECK(result.exit_code == exit_success);
    const std::string token = result.output.value("access_token", "");
    CHECK(token.rfind("1/", 0) == 0);
    if (show)
      CHECK(token.size() == 34);
    else
      CHECK(token == "1/[redacted, 32 bytes]");
    CHECK(page.find("Logged in") != std::string::npos);
  }

  SUBCASE("a request without the login's state is answered 400 and ignored; the real redirect still logs in") {
    int stray_status = 0;
    const auto result = login(f.provider.profile(), args, [&](const std::string& url) {
      f.provider.register_client({f.app.id, f.app.secret, query_value(url, "redirect_uri")});
      const std::string stray = query_value(url, "redirect_uri") + "?code=1/forged&state=not-ours";
      browser = std::thread([&page, &stray_status, stray, url] {
        stray_status = send({"GET", stray, {}, {}}).status;
        const auto approval = send({"GET", url, {}, {}});
        const std::string* location = bo::find_header(approval.headers, "Location");
        if (location) page = send({"GET", *location, {}, {}}).body;
      });
    });
    browser.join();
    CHECK(stray_status == 400);
    CHECK(result.exit_code == exit_success);
    CHECK(page.find("Logged in") != std::string::npos);
  }

  SUBCASE("requests without the login's state do not end it: it waits until its timeout") {
    args.timeout = std::chrono::seconds(2);
    const auto result = login(f.provider.profile(), args, [&](const std::string& url) {
      const std::string callback = query_value(url, "redirect_uri");
      browser = std::thread([&page, callback] {
        page = send({"GET", callback + "?code=1/forged&state=not-ours", {}, {}}).body;
        page += send({"GET", callback + "?code=1/forged", {}, {}}).body;
      });
    });
    browser.join();
    CHECK(result.output.value("errc", "") == "timeout");
    CHECK(page.find("does not carry this login's state") != std::string::npos);
  }

  SUBCASE("nobody comes back: timeout") {
    args.timeout = std::chrono::seconds(1);
    const auto result = login(f.provider.profile(), args, [](const std::string&) {});
    CHECK(result.exit_code == exit_protocol_error);
    CHECK(result.output.value("errc", "") == "timeout");
  }
}

// ---- Buffer's current API: current_demo_provider

namespace {

constexpr std::string_view offline_scope = "account:read offline_access";

/// A started current-API provider with one public client.
struct current_fixture {
  manual_clock clock;
  current_demo_provider provider{clock.function()};
  bo::client app;

  current_fixture() {
    provider.start();
    app = {"public-test-client", "", provider.callback_uri()};
    provider.register_client({app.id, app.redirect_uri});
  }

  /// Plays the browser through a flow and swaps the code: the token answer.
  bo::result<bo::token> authorize(std::string_view scope = offline_scope) {
    bo::flow_options options;
    options.scope = std::string(scope);
    bo::flow flow(provider.profile(), app, options);
    auto url =
        flow.begin({"state-bytes-0123456789", "verifier-bytes-0123456789abcdefghijklmnop"}, bo::timestamp{0});
    REQUIRE(url);
    const auto approval = send({"GET", *url, {}, {}});
    REQUIRE(approval.status == 302);
    const std::string* location = bo::find_header(approval.headers, "Location");
    REQUIRE(location);
    REQUIRE(flow.redirect(*location, bo::timestamp{1}));
    auto swap = flow.token_request(bo::timestamp{2});
    REQUIRE(swap);
    return flow.token_response(send(*swap));
  }

  /// The authorize endpoint's 302 Location for a request built by hand.
  std::string location_for(httplib::Params params) {
    params.emplace("client_id", app.id);
    params.emplace("redirect_uri", app.redirect_uri);
    params.emplace("response_type", "code");
    params.emplace("state", "hand-made-state");
    const auto answer =
        send({"GET", httplib::append_query_params(provider.base_url() + "/auth", params), {}, {}});
    REQUIRE(answer.status == 302);
    const std::string* location = bo::find_header(answer.headers, "Location");
    REQUIRE(location);
    return *location;
  }

  bo::result<bo::token> refresh(const std::string& refresh_token) {
    auto req = bo::build_refresh_request(provider.profile(), app, refresh_token);
    REQUIRE(req);
    return bo::parse_refresh_response(provider.profile(), send(*req), refresh_token);
  }

  bo::result<void> call_graphql(const std::string& access_token) {
    auto req = bo::attach_token(provider.profile(),
                                {"POST",
                                 provider.graphql_url(),
                                 {{"Content-Type", "application/json"}},
                                 R"({"query":"{ account { id } }"})"},
                                access_token);
    REQUIRE(req);
    return bo::check_api_response(provider.profile(), send(*req));
  }
};

const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";  // RFC 7636 App. B

}  // namespace

TEST_CASE("current API: a public client with PKCE gets a one-hour token and a refresh token") {
  current_fixture f;
  auto token = f.authorize();
  REQUIRE(token);
  CHECK(token->expires_in == 3600);
  CHECK(token->token_type == "Bearer");
  CHECK(token->scope == offline_scope);
  CHECK_FALSE(token->refresh_token.empty());
  CHECK(f.call_graphql(token->access_token));
}

TEST_CASE("current API: PKCE S256 is required and the verifier must match the challenge") {
  current_fixture f;
  SUBCASE("no code_challenge: the error goes back to the client, with iss") {
    const std::string location = f.location_for({});
    CHECK(query_value(location, "error") == "invalid_request");
    CHECK(query_value(location, "iss") == f.provider.base_url());
    CHECK(location.find("code=") == std::string::npos);
  }
  SUBCASE("plain is refused") {
    const std::string location =
        f.location_for({{"code_challenge", verifier}, {"code_challenge_method", "plain"}});
    CHECK(query_value(location, "error") == "invalid_request");
  }
  SUBCASE("a wrong verifier is invalid_grant, and the code is spent") {
    const std::string location = f.location_for(
        {{"code_challenge", *bo::code_challenge_s256(verifier)}, {"code_challenge_method", "S256"}});
    const std::string code = query_value(location, "code");
    const std::string other = "ZZZjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    auto wrong = bo::build_token_request(f.provider.profile(), f.app, code, other);
    REQUIRE(wrong);
    check_invalid_grant(bo::parse_token_response(f.provider.profile(), send(*wrong)));
    auto right = bo::build_token_request(f.provider.profile(), f.app, code, verifier);
    REQUIRE(right);
    check_invalid_grant(bo::parse_token_response(f.provider.profile(), send(*right)));
  }
}

TEST_CASE("current API: the redirect carries iss, which the core compares with the issuer") {
  current_fixture f;
  const std::string location = f.location_for(
      {{"code_challenge", *bo::code_challenge_s256(verifier)}, {"code_challenge_method", "S256"}});
  CHECK(query_value(location, "iss") == f.provider.base_url());
  bo::provider elsewhere = f.provider.profile();
  elsewhere.issuer = "https://auth.buffer.com";
  CHECK_FALSE(bo::parse_redirect(location, elsewhere, f.app, {"hand-made-state", false, true}));
  CHECK(bo::parse_redirect(location, f.provider.profile(), f.app, {"hand-made-state", false, true}));
}

TEST_CASE("current API: offline_access gives a refresh token only with prompt=consent") {
  current_fixture f;
  const std::string location = f.location_for({{"code_challenge", *bo::code_challenge_s256(verifier)},
                                               {"code_challenge_method", "S256"},
                                               {"scope", std::string(offline_scope)}});
  auto req = bo::build_token_request(f.provider.profile(), f.app, query_value(location, "code"), verifier);
  REQUIRE(req);
  auto token = bo::parse_token_response(f.provider.profile(), send(*req));
  REQUIRE(token);
  CHECK(token->refresh_token.empty());
  CHECK(token->scope == "account:read");

  auto without_offline = f.authorize("account:read");
  REQUIRE(without_offline);
  CHECK(without_offline->refresh_token.empty());
}

TEST_CASE("current API: refresh tokens rotate, and a spent one sent again revokes the grant") {
  current_fixture f;
  auto first = f.authorize();
  REQUIRE(first);
  auto second = f.refresh(first->refresh_token);
  REQUIRE(second);
  CHECK(second->refresh_token_rotated);
  CHECK(second->refresh_token != first->refresh_token);
  CHECK(f.call_graphql(second->access_token));

  auto reused = f.refresh(first->refresh_token);
  REQUIRE_FALSE(reused);
  CHECK(reused.code() == bo::errc::token_error);
  CHECK(reused.error().from_provider.error == "invalid_grant");

  // Every token of the grant is gone, the newest ones included.
  auto after = f.refresh(second->refresh_token);
  REQUIRE_FALSE(after);
  CHECK(after.error().from_provider.error == "invalid_grant");
  CHECK(f.call_graphql(second->access_token).code() == bo::errc::token_rejected);
  CHECK(f.call_graphql(first->access_token).code() == bo::errc::token_rejected);
}

TEST_CASE("current API: revocation answers 200 always and the token stops working") {
  current_fixture f;
  auto token = f.authorize();
  REQUIRE(token);
  const bo::provider p = f.provider.profile();
  auto revoke_access =
      bo::build_revocation_request(p, f.app, token->access_token, bo::token_type_hint::access_token);
  REQUIRE(revoke_access);
  const auto answer = send(*revoke_access);
  CHECK(answer.status == 200);
  CHECK(bo::parse_revocation_response(answer));
  CHECK(f.call_graphql(token->access_token).code() == bo::errc::token_rejected);
  CHECK(bo::parse_revocation_response(send(*revoke_access)));  // again: still 200

  auto revoke_refresh = bo::build_revocation_request(p, f.app, token->refresh_token);
  REQUIRE(revoke_refresh);
  CHECK(bo::parse_revocation_response(send(*revoke_refresh)));
  CHECK(f.refresh(token->refresh_token).error().from_provider.error == "invalid_grant");
}

TEST_CASE("current API: GraphQL answers as Buffer's does") {
  current_fixture f;
  auto token = f.authorize();
  REQUIRE(token);
  const bo::provider p = f.provider.profile();

  SUBCASE("a live token: data.account") {
    auto req = bo::attach_token(p, {"POST", f.provider.graphql_url(), {}, "{}"}, token->access_token);
    REQUIRE(req);
    const auto answer = send(*req);
    CHECK(answer.status == 200);
    CHECK(answer.body.rfind(R"({"data":{"account":)", 0) == 0);
  }
  SUBCASE("an unknown token: 200 with errors, UNAUTHORIZED") {
    const auto answer =
        send({"POST", f.provider.graphql_url(), {{"Authorization", "Bearer not-a-token"}}, "{}"});
    CHECK(answer.status == 200);
    CHECK(answer.body.find(R"("data":null)") != std::string::npos);
    CHECK(answer.body.find(R"("code":"UNAUTHORIZED")") != std::string::npos);
    CHECK(bo::check_api_response(p, answer).code() == bo::errc::token_rejected);
  }
  SUBCASE("no token at all: 401 UNAUTHENTICATED") {
    const auto answer = send({"POST", f.provider.graphql_url(), {}, "{}"});
    CHECK(answer.status == 401);
    CHECK(answer.body.find("UNAUTHENTICATED") != std::string::npos);
    CHECK(bo::check_api_response(p, answer).code() == bo::errc::token_rejected);
  }
  SUBCASE("an hour later the access token has expired") {
    f.clock.advance(std::chrono::seconds(3599));
    CHECK(f.call_graphql(token->access_token));
    f.clock.advance(std::chrono::seconds(1));
    CHECK(f.call_graphql(token->access_token).code() == bo::errc::token_rejected);
  }
}

TEST_CASE("--cacert adds its CAs to the system's: the bundle libcurl gets holds both") {
  const std::string extra_path = "cli_extra_ca_test.pem";
  const std::string extra = "-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n";
  {
    std::ofstream out(extra_path, std::ios::binary);
    out << extra;
  }
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> h(curl_easy_init(), curl_easy_cleanup);
  REQUIRE(h);
  char* system_path = nullptr;
  REQUIRE(curl_easy_getinfo(h.get(), CURLINFO_CAINFO, &system_path) == CURLE_OK);
  REQUIRE_MESSAGE(system_path != nullptr, "libcurl has no built-in CA bundle");
  std::ifstream in(system_path, std::ios::binary);
  const std::string system((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE_MESSAGE(system.find("-----BEGIN CERTIFICATE-----") != std::string::npos,
                  "the system bundle " << system_path << " holds no certificate (ca-certificates)");

  std::string bundle;
  REQUIRE(bo::curl::detail::ca_bundle_with(h.get(), extra_path, bundle));
  CHECK(bundle.compare(0, system.size(), system) == 0);
  CHECK(bundle.size() >= system.size() + extra.size());
  CHECK(bundle.compare(bundle.size() - extra.size(), extra.size(), extra) == 0);
  std::string unread;
  CHECK_FALSE(bo::curl::detail::ca_bundle_with(h.get(), "no-such-ca-file.pem", unread));
  std::remove(extra_path.c_str());
}
