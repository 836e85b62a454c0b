// End-to-end tests: the core against authorization servers it was not
// written with, over HTTPS on 127.0.0.1, through two real client stacks.
//
//   test suite "buffer_peer"    tests/e2e/buffer_peer.py (oauthlib, Buffer-shaped)
//   test suite "oidc_provider"  panva's oidc-provider (tests/e2e/oidc_launcher.mjs)
//   test suite "buffer_current" is in test_e2e_current.cpp (Buffer stand-in)
//   test suite "tls_refusals"   plain http refused before a byte is sent; an
//                               untrusted certificate refused by both stacks
//
// tests/e2e/run_e2e.sh starts the servers and passes where they are in
// E2E_* environment variables; see README.md beside this file.
#include "browser.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

namespace bo = buffer_oauth;
using e2e::http_session;
using namespace e2e;
using namespace std::chrono_literals;

namespace {

// ---------------------------------------------------------------------------
// Settings from run_e2e.sh
// ---------------------------------------------------------------------------

std::string buffer_origin() { return "https://127.0.0.1:" + need("E2E_BUFFER_PORT"); }
std::string oidc_issuer() { return "https://127.0.0.1:" + need("E2E_OIDC_PORT"); }

/// Buffer's profile with the peer's URLs (same paths as api.bufferapp.com).
bo::provider buffer_peer_provider() {
  const std::string o = buffer_origin();
  bo::provider p = bo::provider::buffer_legacy();
  p.authorize_endpoint = o + "/oauth2/authorize";
  p.token_endpoint = o + "/1/oauth2/token.json";
  p.deauthorize_endpoint = o + "/1/user/deauthorize.json";
  p.api_base = o + "/1/";
  return p;
}

/// A strict RFC 6749 provider for oidc-provider: PKCE, iss checked,
/// client_secret_post (the launcher registers the client that way).
bo::provider oidc_provider() {
  const std::string iss = oidc_issuer();
  bo::provider p = bo::provider::generic("oidc-provider", iss + "/auth", iss + "/token", iss + "/");
  p.issuer = iss;
  p.authentication = bo::client_auth::request_body;
  return p;
}

bo::flow_options oidc_options() {
  bo::flow_options o;
  o.scope = "openid";
  return o;
}

/// The Buffer peer: GET the authorize URL, answer its consent form. Returns
/// the Location the browser would be sent to.
std::string buffer_peer_authorize(http_session& s, const std::string& url, consent choice) {
  const auto page = send(s, get(url));
  REQUIRE(page.status == 200);
  const auto form = first_form(page.body);
  REQUIRE(form);
  const auto answer = send(s, post_form(resolve(url, form->action),
                                        choice == consent::allow ? "decision=allow" : "decision=deny"));
  REQUIRE(answer.status == 302);
  return header(answer, "Location");
}

/// A code from the Buffer-shaped peer, the user approving (no PKCE, no scope).
manual_authorization buffer_peer_code(http_session& browser, const bo::provider& p, const bo::client& c) {
  return authorize_by_hand(p, c, false, "", [&](const std::string& url) {
    return buffer_peer_authorize(browser, url, consent::allow);
  });
}

/// A code from oidc-provider, the user approving (PKCE, scope openid).
manual_authorization oidc_code(http_session& browser, const bo::provider& p, const bo::client& c) {
  return authorize_by_hand(p, c, true, "openid", [&](const std::string& url) {
    return oidc_authorize(browser, url, c.redirect_uri, consent::allow);
  });
}

}  // namespace

// ===========================================================================
// Buffer-shaped peer (oauthlib)
// ===========================================================================

TEST_SUITE("buffer_peer") {
  TEST_CASE_TEMPLATE("whole flow, three token placements, deauthorize", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = buffer_peer_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    entropy e;

    bo::flow f(p, c);
    auto url = f.begin(e.view(), now());
    REQUIRE_MESSAGE(url, url.error().message);
    CHECK_FALSE(contains(*url, "code_challenge"));  // Buffer's v1 API has no PKCE

    const std::string back = buffer_peer_authorize(*browser, *url, consent::allow);
    // oauthlib percent-encodes the '/' of Buffer-style codes in the redirect.
    // cpp-httplib 0.11 percent-decodes every response header value, Location
    // included, so through it the code arrives as 1/...: the core takes both.
    if constexpr (Stack::decodes_header_values)
      CHECK_MESSAGE(contains(back, "code=1/"), back);
    else
      CHECK_MESSAGE(contains(back, "code=1%2F"), back);
    auto redirected = f.redirect(back, now());
    REQUIRE_MESSAGE(redirected, redirected.error().message);

    auto token_req = f.token_request(now());
    REQUIRE_MESSAGE(token_req, token_req.error().message);
    CHECK(contains(token_req->body, "&code=1/"));  // sent raw, as Buffer demands
    const auto token_resp = client_send(*browser, *token_req);
    auto t = f.token_response(token_resp);
    REQUIRE_MESSAGE(t, t.error().message << " | " << token_resp.body);
    CHECK(f.state() == bo::flow_state::authorized);
    CHECK(t->access_token.rfind("1/", 0) == 0);
    CHECK(t->token_type == "bearer");
    CHECK(t->applied(bo::leniency::token_type_defaulted));  // the peer, like Buffer, sends only access_token
    CHECK_FALSE(t->expires_in);
    CHECK(t->refresh_token.empty());  // Buffer issues none: nothing to refresh
    CHECK(t->no_store);

    const std::string user_url = p.api_base + "user.json";
    for (auto placement :
         {bo::token_placement::header, bo::token_placement::form_body, bo::token_placement::query}) {
      INFO("placement " << static_cast<int>(placement));
      bo::attach_options o;
      o.placement = placement;
      o.allow_query = placement == bo::token_placement::query;
      bo::http_request api{placement == bo::token_placement::form_body ? "POST" : "GET", user_url, {}, ""};
      auto signed_req = bo::attach_token(p, api, t->access_token, o);
      REQUIRE_MESSAGE(signed_req, signed_req.error().message);
      const auto r = client_send(*browser, *signed_req);
      CHECK(r.status == 200);
      CHECK(bo::check_api_response(r));
      CHECK(contains(r.body, "Peer User"));
    }

    // No token at all: Buffer's 403 with code 1001 means "log in again".
    {
      const auto r = client_send(*browser, get(user_url));
      auto checked = bo::check_api_response(r);
      REQUIRE_FALSE(checked);
      CHECK(checked.code() == bo::errc::token_rejected);
      CHECK(checked.error().api_code == 1001);
      CHECK(checked.error().http_status == 403);
      CHECK(checked.error().from_provider.error_description == "Access token required.");
    }

    auto deauth = bo::build_deauthorize_request(p, t->access_token);
    REQUIRE_MESSAGE(deauth, deauth.error().message);
    const auto revoked = bo::parse_deauthorize_response(client_send(*browser, *deauth));
    CHECK_MESSAGE(revoked, revoked.error().message);

    // The revoked token is refused from now on.
    auto again = bo::attach_token(p, get(user_url), t->access_token);
    REQUIRE(again);
    auto checked = bo::check_api_response(client_send(*browser, *again));
    CHECK(checked.code() == bo::errc::token_rejected);
    CHECK(checked.error().api_code == 1001);
  }

  TEST_CASE_TEMPLATE("a code sent as 1%2F... is refused; the raw 1/... is accepted", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = buffer_peer_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const auto m = buffer_peer_code(*browser, p, c);
    REQUIRE(m.code.rfind("1/", 0) == 0);

    bo::provider encoding_everything = p;
    encoding_everything.code_form_safe = false;  // what a generic form encoder would do
    auto wrong = bo::build_token_request(encoding_everything, c, m.code);
    REQUIRE(wrong);
    CHECK(contains(wrong->body, "code=1%2F"));
    auto refused = bo::parse_token_response(p, client_send(*browser, *wrong));
    REQUIRE_FALSE(refused);
    check_provider_error(refused.error(), bo::errc::token_error, "invalid_grant", 400,
                         "the code must be sent as 1/..., not percent-encoded");

    auto right = bo::build_token_request(p, c, m.code);
    REQUIRE(right);
    CHECK(contains(right->body, "code=1/"));
    auto t = bo::parse_token_response(p, client_send(*browser, *right));
    CHECK_MESSAGE(t, t.error().message << " | " << t.error().body);
  }

  TEST_CASE_TEMPLATE("a reused code is refused and revokes the first token", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = buffer_peer_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const auto m = buffer_peer_code(*browser, p, c);
    auto req = bo::build_token_request(p, c, m.code);
    REQUIRE(req);
    auto first = bo::parse_token_response(p, client_send(*browser, *req));
    REQUIRE_MESSAGE(first, first.error().message << " | " << first.error().body);

    auto second = bo::parse_token_response(p, client_send(*browser, *req));
    REQUIRE_FALSE(second);
    check_provider_error(second.error(), bo::errc::token_error, "invalid_grant", 400, "");

    auto api = bo::attach_token(p, get(p.api_base + "user.json"), first->access_token);
    REQUIRE(api);
    auto checked = bo::check_api_response(client_send(*browser, *api));
    CHECK(checked.code() == bo::errc::token_rejected);

    // The flow itself never hands out a second request for one code.
    bo::flow f(p, c);
    entropy e;
    auto url = f.begin(e.view(), now());
    REQUIRE(url);
    REQUIRE(f.redirect(buffer_peer_authorize(*browser, *url, consent::allow), now()));
    REQUIRE(f.token_request(now()));
    CHECK(f.token_request(now()).code() == bo::errc::code_already_used);
  }

  TEST_CASE_TEMPLATE("an expired code: refused by the flow, and by the peer", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto ttl = seconds_setting("E2E_BUFFER_CODE_TTL");
    bo::provider p = buffer_peer_provider();
    p.code_lifetime = ttl;  // the peer's shortened lifetime instead of Buffer's 30 s
    const auto c = test_client();
    auto browser = Stack::open(ca_file());

    bo::flow f(p, c);
    entropy e;
    auto url = f.begin(e.view(), now());
    REQUIRE(url);
    const std::string back = buffer_peer_authorize(*browser, *url, consent::allow);
    REQUIRE(f.redirect(back, now()));
    const std::string code = bo::parse_redirect(back, p, c, {query_value(*url, "state")}).value();

    std::this_thread::sleep_for(ttl + 500ms);
    const std::size_t sent_before = browser->sent;
    auto late = f.token_request(now());
    CHECK(late.code() == bo::errc::code_expired);
    CHECK(f.state() == bo::flow_state::failed);
    CHECK(browser->sent == sent_before);

    // Sent anyway, by hand: the peer agrees the code is dead.
    auto req = bo::build_token_request(p, c, code);
    REQUIRE(req);
    auto t = bo::parse_token_response(p, client_send(*browser, *req));
    REQUIRE_FALSE(t);
    check_provider_error(t.error(), bo::errc::token_error, "invalid_grant", 400, "");
  }

  TEST_CASE_TEMPLATE("a wrong client secret is invalid_client and does not burn the code", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = buffer_peer_provider();
    const auto c = test_client();
    bo::client wrong = c;
    wrong.secret += "-wrong";
    auto browser = Stack::open(ca_file());

    bo::flow f(p, wrong);
    entropy e;
    auto url = f.begin(e.view(), now());
    REQUIRE(url);
    const std::string back = buffer_peer_authorize(*browser, *url, consent::allow);
    REQUIRE(f.redirect(back, now()));
    auto req = f.token_request(now());
    REQUIRE(req);
    auto t = f.token_response(client_send(*browser, *req));
    REQUIRE_FALSE(t);
    check_provider_error(t.error(), bo::errc::token_error, "invalid_client", 401, "");
    CHECK(f.state() == bo::flow_state::failed);

    const std::string code = bo::parse_redirect(back, p, c, {query_value(*url, "state")}).value();
    auto good = bo::build_token_request(p, c, code);
    REQUIRE(good);
    auto ok = bo::parse_token_response(p, client_send(*browser, *good));
    CHECK_MESSAGE(ok, ok.error().message << " | " << ok.error().body);
  }

  TEST_CASE_TEMPLATE("a wrong redirect_uri at the token endpoint is refused", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = buffer_peer_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const auto m = buffer_peer_code(*browser, p, c);
    bo::client elsewhere = c;
    elsewhere.redirect_uri = "http://127.0.0.1:9/elsewhere";
    auto req = bo::build_token_request(p, elsewhere, m.code);
    REQUIRE(req);
    auto t = bo::parse_token_response(p, client_send(*browser, *req));
    REQUIRE_FALSE(t);
    // oauthlib answers a redirect_uri mismatch with invalid_request (not
    // invalid_grant as oidc-provider does); the core keeps whatever was sent.
    check_provider_error(t.error(), bo::errc::token_error, "invalid_request", 400,
                         "Mismatching redirect URI.");
  }

  TEST_CASE_TEMPLATE("a denied consent comes back as authorization_denied", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = buffer_peer_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    bo::flow f(p, c);
    entropy e;
    auto url = f.begin(e.view(), now());
    REQUIRE(url);
    auto r = f.redirect(buffer_peer_authorize(*browser, *url, consent::deny), now());
    REQUIRE_FALSE(r);
    check_provider_error(r.error(), bo::errc::authorization_denied, "access_denied", 0,
                         "the user declined the authorization request");
    CHECK(f.state() == bo::flow_state::failed);
    REQUIRE(f.failure());
    CHECK(f.failure()->code == bo::errc::authorization_denied);
  }

}  // TEST_SUITE buffer_peer

// ===========================================================================
// oidc-provider
// ===========================================================================

namespace {
/// oidc-provider 8.8.1 gives every refused grant this description (the
/// reason stays in its server log).
constexpr std::string_view oidc_invalid_grant = "grant request is invalid";
}  // namespace

TEST_SUITE("oidc_provider") {
  TEST_CASE_TEMPLATE("whole flow with PKCE and iss, userinfo, refresh", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = oidc_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    entropy e;

    bo::flow f(p, c, oidc_options());
    REQUIRE(f.uses_pkce());
    auto url = f.begin(e.view(), now());
    REQUIRE_MESSAGE(url, url.error().message);
    CHECK(contains(*url, "&code_challenge_method=S256"));

    const std::string back = oidc_authorize(*browser, *url, c.redirect_uri, consent::allow);
    CHECK(contains(back, "iss="));  // RFC 9207, checked by the flow against p.issuer
    auto redirected = f.redirect(back, now());
    REQUIRE_MESSAGE(redirected, redirected.error().message << " in " << back);

    auto token_req = f.token_request(now());
    REQUIRE_MESSAGE(token_req, token_req.error().message);
    CHECK(contains(token_req->body, "&code_verifier="));
    const auto token_resp = client_send(*browser, *token_req);
    auto t = f.token_response(token_resp);
    REQUIRE_MESSAGE(t, t.error().message << " | " << token_resp.body);
    CHECK(e2e::iequal(t->token_type, "Bearer"));
    CHECK(t->leniencies == 0);  // a conforming server needs no leniency
    REQUIRE(t->expires_in);
    CHECK(*t->expires_in > 0);
    CHECK_FALSE(t->refresh_token.empty());
    CHECK(t->no_store);

    const std::string userinfo = oidc_issuer() + "/me";
    {  // Authorization: Bearer
      auto req = bo::attach_token(p, get(userinfo), t->access_token);
      REQUIRE(req);
      const auto r = client_send(*browser, *req);
      CHECK(r.status == 200);
      CHECK(bo::check_api_response(r));
      CHECK(contains(r.body, "\"sub\":\"e2e-user\""));
    }
    {  // form body (RFC 6750 §2.2)
      bo::attach_options o;
      o.placement = bo::token_placement::form_body;
      auto req = bo::attach_token(p, {"POST", userinfo, {}, ""}, t->access_token, o);
      REQUIRE(req);
      const auto r = client_send(*browser, *req);
      CHECK(r.status == 200);
      CHECK(contains(r.body, "\"sub\":\"e2e-user\""));
    }
    {  // query: oidc-provider refuses it by default (RFC 9700); not a token problem
      bo::attach_options o;
      o.placement = bo::token_placement::query;
      o.allow_query = true;
      auto req = bo::attach_token(p, get(userinfo), t->access_token, o);
      REQUIRE(req);
      const auto r = client_send(*browser, *req);
      CHECK(r.status == 400);
      auto checked = bo::check_api_response(r);
      CHECK(checked.code() == bo::errc::http_error);
      auto challenge = bo::parse_bearer_challenge(header(r, "WWW-Authenticate"));
      REQUIRE_MESSAGE(challenge, header(r, "WWW-Authenticate"));
      CHECK(challenge->error == "invalid_request");
    }

    // Refresh.
    auto refresh = bo::build_refresh_request(p, c, t->refresh_token);
    REQUIRE_MESSAGE(refresh, refresh.error().message);
    const auto refresh_resp = client_send(*browser, *refresh);
    auto t2 = bo::parse_refresh_response(p, refresh_resp, t->refresh_token);
    REQUIRE_MESSAGE(t2, t2.error().message << " | " << refresh_resp.body);
    CHECK(t2->access_token != t->access_token);
    CHECK_FALSE(t2->refresh_token.empty());
    MESSAGE("refresh token rotated: " << std::string(t2->refresh_token_rotated ? "yes" : "no") << " | "
                                      << refresh_resp.body.substr(0, 300));
    auto req = bo::attach_token(p, get(userinfo), t2->access_token);
    REQUIRE(req);
    CHECK(client_send(*browser, *req).status == 200);
  }

  TEST_CASE_TEMPLATE("a flow saved before the redirect and restored for the callback completes", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = oidc_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const std::string key = random_bytes(32);
    std::string saved, url;
    {
      bo::flow f(p, c, oidc_options());
      entropy e;
      auto begun = f.begin(e.view(), now());
      REQUIRE(begun);
      url = *begun;
      auto s = f.save(key);
      REQUIRE_MESSAGE(s, s.error().message);
      saved = *s;
    }  // the web server forgets the flow; only the saved string survives
    const std::string back = oidc_authorize(*browser, url, c.redirect_uri, consent::allow);
    auto restored = bo::flow::restore(saved, key, p, c, now());
    REQUIRE_MESSAGE(restored, restored.error().message);
    REQUIRE(restored->redirect(back, now()));
    auto req = restored->token_request(now());
    REQUIRE(req);
    CHECK(contains(req->body, "&code_verifier="));  // the verifier survived the save
    auto t = restored->token_response(client_send(*browser, *req));
    CHECK_MESSAGE(t, t.error().message << " | " << t.error().body);
  }

  TEST_CASE_TEMPLATE("PKCE is required: no verifier or a wrong one is invalid_grant", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = oidc_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const auto m = oidc_code(*browser, p, c);

    auto without = bo::build_token_request(p, c, m.code);
    REQUIRE(without);
    REQUIRE_FALSE(contains(without->body, "code_verifier"));
    auto t1 = bo::parse_token_response(p, client_send(*browser, *without));
    REQUIRE_FALSE(t1);
    check_provider_error(t1.error(), bo::errc::token_error, "invalid_grant", 400, oidc_invalid_grant);

    const std::string other = bo::make_code_verifier(random_bytes(32)).value();
    REQUIRE(other != m.verifier);
    auto wrong = bo::build_token_request(p, c, m.code, other);
    REQUIRE(wrong);
    auto t2 = bo::parse_token_response(p, client_send(*browser, *wrong));
    REQUIRE_FALSE(t2);
    check_provider_error(t2.error(), bo::errc::token_error, "invalid_grant", 400, oidc_invalid_grant);

    auto right = bo::build_token_request(p, c, m.code, m.verifier);
    REQUIRE(right);
    auto t3 = bo::parse_token_response(p, client_send(*browser, *right));
    CHECK_MESSAGE(t3, t3.error().message << " | " << t3.error().body);
  }

  TEST_CASE_TEMPLATE("an authorization request without PKCE is refused on the redirect", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = oidc_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    auto o = oidc_options();
    o.pkce = false;
    bo::flow f(p, c, o);
    entropy e;
    auto url = f.begin(e.view(), now());
    REQUIRE(url);
    REQUIRE_FALSE(contains(*url, "code_challenge"));
    auto r = f.redirect(oidc_authorize(*browser, *url, c.redirect_uri, consent::allow), now());
    REQUIRE_FALSE(r);
    check_provider_error(r.error(), bo::errc::authorization_error, "invalid_request", 0);
    CHECK(contains(r.error().from_provider.error_description, "PKCE"));
  }

  TEST_CASE_TEMPLATE("a reused code is invalid_grant and revokes the tokens it gave", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = oidc_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const auto m = oidc_code(*browser, p, c);
    auto req = bo::build_token_request(p, c, m.code, m.verifier);
    REQUIRE(req);
    auto first = bo::parse_token_response(p, client_send(*browser, *req));
    REQUIRE_MESSAGE(first, first.error().message << " | " << first.error().body);

    auto second = bo::parse_token_response(p, client_send(*browser, *req));
    REQUIRE_FALSE(second);
    check_provider_error(second.error(), bo::errc::token_error, "invalid_grant", 400, oidc_invalid_grant);

    auto api = bo::attach_token(p, get(oidc_issuer() + "/me"), first->access_token);
    REQUIRE(api);
    auto checked = bo::check_api_response(client_send(*browser, *api));
    CHECK(checked.code() == bo::errc::token_rejected);
    CHECK(checked.error().http_status == 401);
    CHECK(checked.error().from_provider.error == "invalid_token");

    auto refresh = bo::build_refresh_request(p, c, first->refresh_token);
    REQUIRE(refresh);
    auto refreshed = bo::parse_refresh_response(p, client_send(*browser, *refresh), first->refresh_token);
    REQUIRE_FALSE(refreshed);
    check_provider_error(refreshed.error(), bo::errc::token_error, "invalid_grant", 400, oidc_invalid_grant);
  }

  TEST_CASE_TEMPLATE("an expired code is invalid_grant", Stack, e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto ttl = seconds_setting("E2E_OIDC_CODE_TTL");
    const auto p = oidc_provider();  // no client-side lifetime: let the server decide
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    bo::flow f(p, c, oidc_options());
    entropy e;
    auto url = f.begin(e.view(), now());
    REQUIRE(url);
    REQUIRE(f.redirect(oidc_authorize(*browser, *url, c.redirect_uri, consent::allow), now()));
    // oidc-provider counts whole seconds: wait past the next one too.
    std::this_thread::sleep_for(ttl + 1200ms);
    auto req = f.token_request(now());
    REQUIRE(req);
    auto t = f.token_response(client_send(*browser, *req));
    REQUIRE_FALSE(t);
    check_provider_error(t.error(), bo::errc::token_error, "invalid_grant", 400, oidc_invalid_grant);
  }

  TEST_CASE_TEMPLATE("a wrong client secret is invalid_client", Stack, e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = oidc_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const auto m = oidc_code(*browser, p, c);
    bo::client wrong = c;
    wrong.secret += "-wrong";
    auto req = bo::build_token_request(p, wrong, m.code, m.verifier);
    REQUIRE(req);
    auto t = bo::parse_token_response(p, client_send(*browser, *req));
    REQUIRE_FALSE(t);
    check_provider_error(t.error(), bo::errc::token_error, "invalid_client", 401,
                         "client authentication failed");

    auto good = bo::build_token_request(p, c, m.code, m.verifier);
    REQUIRE(good);
    auto ok = bo::parse_token_response(p, client_send(*browser, *good));
    CHECK_MESSAGE(ok, ok.error().message << " | " << ok.error().body);
  }

  TEST_CASE_TEMPLATE("a wrong redirect_uri is invalid_grant", Stack, e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = oidc_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const auto m = oidc_code(*browser, p, c);
    bo::client elsewhere = c;
    elsewhere.redirect_uri = "http://127.0.0.1:9/elsewhere";
    auto req = bo::build_token_request(p, elsewhere, m.code, m.verifier);
    REQUIRE(req);
    auto t = bo::parse_token_response(p, client_send(*browser, *req));
    REQUIRE_FALSE(t);
    check_provider_error(t.error(), bo::errc::token_error, "invalid_grant", 400, oidc_invalid_grant);
  }

  TEST_CASE_TEMPLATE("an aborted consent is authorization_denied, iss still checked", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = oidc_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    bo::flow f(p, c, oidc_options());
    entropy e;
    auto url = f.begin(e.view(), now());
    REQUIRE(url);
    const std::string back = oidc_authorize(*browser, *url, c.redirect_uri, consent::deny);
    CHECK(contains(back, "iss="));
    auto r = f.redirect(back, now());
    REQUIRE_FALSE(r);
    check_provider_error(r.error(), bo::errc::authorization_denied, "access_denied", 0,
                         "End-User aborted interaction");
    CHECK(f.state() == bo::flow_state::failed);
  }

  TEST_CASE_TEMPLATE("iss on the redirect: checked, mismatch and unexpected refused", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    const auto p = oidc_provider();
    const auto c = test_client();
    auto browser = Stack::open(ca_file());
    const auto m = oidc_code(*browser, p, c);
    bo::provider other = p;
    other.issuer = "https://127.0.0.1:1";
    CHECK(bo::parse_redirect(m.redirect, other, c, {m.state}).code() == bo::errc::iss_mismatch);
    bo::provider unconfigured = p;
    unconfigured.issuer.clear();
    CHECK(bo::parse_redirect(m.redirect, unconfigured, c, {m.state}).code() == bo::errc::iss_unexpected);
    bo::provider trailing_slash = p;
    trailing_slash.issuer += "/";
    CHECK(bo::parse_redirect(m.redirect, trailing_slash, c, {m.state}).code() == bo::errc::iss_mismatch);
  }

}  // TEST_SUITE oidc_provider

// ===========================================================================
// Refusals: plain http, untrusted certificates
// ===========================================================================

namespace {

/// A listening TCP socket on 127.0.0.1 that nobody accepts from: any
/// connection attempt shows up as a pending accept.
class tripwire {
 public:
  tripwire() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
  }
  ~tripwire() {
    if (fd_ >= 0) ::close(fd_);
  }
  tripwire(const tripwire&) = delete;
  tripwire& operator=(const tripwire&) = delete;

  int port() const { return port_; }

  /// Connections accepted so far (drains the queue).
  int accepted() {
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) break;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) break;
      ::close(c);
      ++count_;
    }
    return count_;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  int count_ = 0;
};

/// An in-process HTTPS server with a given certificate, counting requests.
class tls_server {
 public:
  tls_server(const std::string& cert, const std::string& key) : server_(cert.c_str(), key.c_str()) {
    REQUIRE(server_.is_valid());
    server_.Get(".*", [this](const httplib::Request&, httplib::Response& res) {
      ++requests;
      res.set_content("{\"id\":\"x\"}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) std::this_thread::sleep_for(10ms);
  }
  ~tls_server() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  tls_server(const tls_server&) = delete;
  tls_server& operator=(const tls_server&) = delete;

  std::string origin() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::atomic<int> requests{0};

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_SUITE("tls_refusals") {
  TEST_CASE_TEMPLATE("plain http is refused before any byte is sent", Stack, e2e::curl_stack,
                     e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    tripwire wire;
    const std::string origin = "http://127.0.0.1:" + std::to_string(wire.port());
    const auto c = test_client();
    auto browser = Stack::open(ca_file());

    bo::provider p = bo::provider::buffer_legacy();
    p.authorize_endpoint = origin + "/oauth2/authorize";
    p.token_endpoint = origin + "/1/oauth2/token.json";
    p.deauthorize_endpoint = origin + "/1/user/deauthorize.json";
    p.api_base = origin + "/1/";
    const std::string token = "1/abcdefghijklmnopqrstuvwxyz012345";

    // Every step that would put something on the wire refuses.
    std::vector<std::pair<const char*, bo::result<bo::http_request>>> steps;
    steps.emplace_back("token request", bo::build_token_request(p, c, "1/mWot20jTwojsd00jFlaaR45"));
    steps.emplace_back("refresh request", bo::build_refresh_request(p, c, "refresh-me"));
    steps.emplace_back("attach token", bo::attach_token(p, get(p.api_base + "user.json"), token));
    steps.emplace_back("deauthorize", bo::build_deauthorize_request(p, token));
    bo::provider https_api = p;
    https_api.api_base = "https://127.0.0.1:" + std::to_string(wire.port()) + "/1/";
    steps.emplace_back("downgraded API URL",
                       bo::attach_token(https_api, get(p.api_base + "user.json"), token));
    for (auto& step : steps) {
      INFO(step.first);
      CHECK(step.second.code() == bo::errc::insecure_url);
      if (step.second)
        browser->client_send(*step.second);  // what a caller would do: only send what was built
    }
    bo::flow f(p, c);
    entropy e;
    auto url = f.begin(e.view(), now());
    CHECK(url.code() == bo::errc::insecure_url);
    if (url) browser->send(get(*url));

    CHECK(browser->sent == 0);
    CHECK(wire.accepted() == 0);

    // Control: the tripwire does see a connection when one is made.
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(s >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(wire.port()));
    CHECK(::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    CHECK(wire.accepted() == 1);
    ::close(s);
  }

  TEST_CASE_TEMPLATE("a server with an untrusted certificate is refused in the handshake", Stack,
                     e2e::curl_stack, e2e::httplib_stack) {
    INFO("stack: " << std::string(Stack::name));
    tls_server untrusted(need("E2E_UNTRUSTED_CERT"), need("E2E_UNTRUSTED_KEY"));
    tls_server trusted(ca_file(), need("E2E_CERT_KEY"));

    for (tls_server* server : {&untrusted, &trusted}) {
      const bool ok = server == &trusted;
      INFO((ok ? "trusted" : "untrusted") << " server " << server->origin());
      bo::provider p = bo::provider::buffer_legacy();
      p.api_base = server->origin() + "/1/";
      auto req = bo::attach_token(p, get(p.api_base + "user.json"), "1/abcdefghijklmnopqrstuvwxyz012345");
      REQUIRE(req);
      auto browser = Stack::open(ca_file());
      const auto r = browser->client_send(*req);
      if (ok) {
        CHECK_MESSAGE(r.status == 200, browser->last_error);
        CHECK(server->requests == 1);
      } else {
        CHECK(r.status == 0);
        CHECK_MESSAGE(browser->tls_verification_failed, browser->last_error);
        CHECK(server->requests == 0);  // the request (and its token) never reached it
        MESSAGE(std::string(Stack::name) << " refused the untrusted certificate: " << browser->last_error);
      }
    }
  }

}  // TEST_SUITE tls_refusals
