// The demo provider refuses what Buffer refuses (a reused code, a code older
// than 30 s, a code sent as 1%2F...), the API takes one token placement at a
// time, and `login` completes against it through a real loopback redirect,
// its token redacted unless asked. Everything binds 127.0.0.1 on free ports;
// every server stops when its test ends.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "commands.hpp"
#include "curl_transport.hpp"
#include "demo_provider.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

using namespace buffer_oauth_cli;
namespace bo = buffer_oauth;

namespace {

const curl_global curl_for_all_tests;

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

  SUBCASE("a forged callback with the wrong state fails closed") {
    const auto result = login(f.provider.profile(), args, [&](const std::string& url) {
      const std::string callback = query_value(url, "redirect_uri") + "?code=1/forged&state=not-ours";
      browser = std::thread([&page, callback] { page = send({"GET", callback, {}, {}}).body; });
    });
    browser.join();
    CHECK(result.exit_code == exit_protocol_error);
    CHECK(result.output.value("errc", "") == "state_mismatch");
    CHECK(page.find("Login failed: state_mismatch") != std::string::npos);
  }

  SUBCASE("nobody comes back: timeout") {
    args.timeout = std::chrono::seconds(1);
    const auto result = login(f.provider.profile(), args, [](const std::string&) {});
    CHECK(result.exit_code == exit_protocol_error);
    CHECK(result.output.value("errc", "") == "timeout");
  }
}
