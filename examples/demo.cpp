// `buffer-oauth demo`: Buffer's whole OAuth flow, offline, against a local
// provider: the current API (PKCE, iss, GraphQL, rotating refresh tokens,
// RFC 7009 revocation) or, with --provider buffer-legacy, the REST API v1.
// libcurl plays both the browser (reading the 302 instead of following it)
// and the app; buffer_oauth::flow drives the authorization. One line per step
// on stdout (secrets redacted), then a JSON summary line.
#include "commands.hpp"
#include "demo_provider.hpp"
#include "demo_provider_current.hpp"
#include "os_random.hpp"

#include <fmt/format.h>
#include <buffer_oauth_fmt.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace buffer_oauth_cli {

namespace {

/// A step did not do what it should; `why` is the JSON error.
struct step_failed {
  std::string step;
  json why;
};

buffer_oauth::timestamp steady_now() {
  return std::chrono::duration_cast<buffer_oauth::timestamp>(
      std::chrono::steady_clock::now().time_since_epoch());
}

/// The request line, and its Authorization header if it has one, redacted.
std::string describe(const buffer_oauth::http_request& req) {
  std::string line = fmt::format("{} {}", req.method, buffer_oauth::redacted_url(req.url));
  if (const std::string* auth = buffer_oauth::find_header(req.headers, "Authorization"))
    line += fmt::format("  {}", buffer_oauth::http_header{"Authorization", *auth});
  return line;
}

/// Runs the steps of one demo and prints them; a subclass says what they are.
class demo_run {
 public:
  explicit demo_run(buffer_oauth::curl::options transport) : transport_(std::move(transport)) {}
  virtual ~demo_run() = default;
  demo_run(const demo_run&) = delete;
  demo_run& operator=(const demo_run&) = delete;

  int run() {
    try {
      start();
      fmt::print("buffer-oauth demo: {}, offline, against a local provider at {}\n", title(), base_url());
      play();
    } catch (const step_failed& failed) {
      json summary = {{"demo", "failed"}, {"failed_step", failed.step}, {"steps", passed_}};
      summary.update(failed.why);
      fmt::print("FAILED at step {}\n{}\n", failed.step, dump(summary));
      return exit_protocol_error;
    } catch (const std::exception& e) {
      fmt::print("FAILED: {}\n{}\n", e.what(),
                 dump({{"demo", "failed"},
                       {"failed_step", "setup"},
                       {"errc", "demo_setup_failed"},
                       {"message", e.what()}}));
      return exit_protocol_error;
    }
    fmt::print("{}\n", dump({{"demo", "ok"}, {"provider", base_url()}, {"api", api()}, {"steps", passed_}}));
    return exit_success;
  }

 protected:
  virtual void start() = 0;
  virtual std::string base_url() const = 0;
  virtual const char* title() const = 0;
  virtual const char* api() const = 0;
  virtual void play() = 0;

  void step(const char* name, const std::string& text) {
    fmt::print("{:<2} {:<12} {}\n", passed_.size() + 1, name, text);
    passed_.push_back(name);
  }
  static void detail(const std::string& text) { fmt::print("   {:<12} {}\n", "", text); }

  [[noreturn]] static void fail(const char* name, const buffer_oauth::error& e) {
    throw step_failed{name, error_json(e)};
  }
  [[noreturn]] static void fail(const char* name, const std::string& message) {
    throw step_failed{name, error_json("unexpected_response", message)};
  }

  buffer_oauth::http_response send_for(const char* name, const buffer_oauth::http_request& req) {
    auto answer = buffer_oauth::curl::send(req, transport_);
    if (!answer) fail(name, answer.error());
    return *std::move(answer);
  }

  /// flow.begin with fresh state and verifier bytes: the authorize URL.
  static std::string begin(buffer_oauth::flow& flow) {
    auto state_bytes = os_random_bytes(), verifier_bytes = os_random_bytes();
    if (!state_bytes || !verifier_bytes)
      fail("authorize", state_bytes ? verifier_bytes.error() : state_bytes.error());
    auto url = flow.begin({*state_bytes, *verifier_bytes}, steady_now());
    if (!url) fail("authorize", url.error());
    return *url;
  }

  /// The browser's visit to the authorize URL: the 302 is handed to flow.redirect.
  std::string approve(buffer_oauth::flow& flow, const std::string& url) {
    const auto approval = send_for("redirect", {"GET", url, {}, {}});
    const std::string* location = buffer_oauth::find_header(approval.headers, "Location");
    if (approval.status != 302 || !location)
      fail("redirect",
           fmt::format("expected a 302 with Location from the authorize endpoint, got {}", approval.status));
    if (auto ok = flow.redirect(*location, steady_now()); !ok) fail("redirect", ok.error());
    return *location;
  }

 private:
  buffer_oauth::curl::options transport_;
  std::vector<std::string> passed_;
};

/// Buffer's REST API v1: the guide's flow, then profiles, deauthorize, refused.
class legacy_demo final : public demo_run {
 public:
  using demo_run::demo_run;

 private:
  void start() override { provider_.start(); }
  std::string base_url() const override { return provider_.base_url(); }
  const char* title() const override { return "Buffer's legacy OAuth flow (REST API v1)"; }
  const char* api() const override { return "legacy"; }
  void play() override {
    const std::string token = authorize_and_swap();
    call_profiles(token);
    deauthorize(token);
    call_after_revocation(token);
  }

  // Steps 1-3: authorize URL, the browser's redirect, the code swapped for a token.
  std::string authorize_and_swap() {
    auto secret = os_random_alnum(32);
    if (!secret) fail("setup", secret.error());
    const buffer_oauth::client app{"buffer-oauth-demo", *secret, provider_.callback_uri()};
    provider_.register_client({app.id, app.secret, app.redirect_uri});
    buffer_oauth::flow flow(provider_.profile(), app);

    const std::string url = begin(flow);
    step("authorize", fmt::format("GET {}", buffer_oauth::redacted_url(url)));

    const std::string location = approve(flow, url);
    step("redirect", fmt::format("302 Location: {}", buffer_oauth::redacted_url(location)));
    detail("flow.redirect: our redirect URI, state matches, code taken");

    auto swap = flow.token_request(steady_now());
    if (!swap) fail("token", swap.error());
    step("token", describe(*swap));
    detail(fmt::format("body: {}", buffer_oauth::redacted_form(swap->body)));
    const auto answer = send_for("token", *swap);
    auto token = flow.token_response(answer);
    if (!token) fail("token", token.error());
    const json leniencies = token_json(*token)["leniencies"];
    detail(fmt::format("{} -> access token {}, token_type {}{}", answer.status,
                       buffer_oauth::redacted_value("access_token", token->access_token), token->token_type,
                       leniencies.empty() ? "" : " (leniencies: " + leniencies.dump() + ")"));
    return token->access_token;
  }

  buffer_oauth::http_request profiles_request(const char* name, const std::string& token) {
    auto req = buffer_oauth::attach_token(provider_.profile(),
                                          {"GET", provider_.base_url() + "/1/profiles.json", {}, {}}, token);
    if (!req) fail(name, req.error());
    return *req;
  }

  void call_profiles(const std::string& token) {
    const auto req = profiles_request("profiles", token);
    const auto answer = send_for("profiles", req);
    if (auto ok = buffer_oauth::check_api_response(answer); !ok) fail("profiles", ok.error());
    const auto profiles = json::parse(answer.body, nullptr, false);
    if (!profiles.is_array() || profiles.empty())
      fail("profiles", "expected a non-empty JSON array of profiles");
    step("profiles", describe(req));
    detail(fmt::format("{} -> {}", answer.status, answer.body));
  }

  void deauthorize(const std::string& token) {
    auto req = buffer_oauth::build_deauthorize_request(provider_.profile(), token);
    if (!req) fail("deauthorize", req.error());
    const auto answer = send_for("deauthorize", *req);
    if (auto ok = buffer_oauth::parse_deauthorize_response(answer); !ok) fail("deauthorize", ok.error());
    step("deauthorize", describe(*req));
    detail(fmt::format("{} -> {}", answer.status, answer.body));
  }

  void call_after_revocation(const std::string& token) {
    const auto req = profiles_request("refused", token);
    const auto answer = send_for("refused", req);
    const auto verdict = buffer_oauth::check_api_response(answer);
    if (verdict) fail("refused", "the provider still accepted the revoked token");
    if (verdict.code() != buffer_oauth::errc::token_rejected) fail("refused", verdict.error());
    step("refused", describe(req));
    detail(fmt::format("{} {} -> {} (as it should: the token was revoked)", answer.status, answer.body,
                       buffer_oauth::to_string(verdict.code())));
  }

  demo_provider provider_;
};

/// Buffer's current API: a public client with PKCE, iss checked, a GraphQL
/// call, a rotated refresh token, the spent one refused, RFC 7009 revocation.
class current_demo final : public demo_run {
 public:
  using demo_run::demo_run;

 private:
  void start() override { provider_.start(); }
  std::string base_url() const override { return provider_.base_url(); }
  const char* title() const override { return "Buffer's OAuth flow (current API: PKCE, GraphQL)"; }
  const char* api() const override { return "current"; }
  void play() override {
    const buffer_oauth::token first = authorize_and_swap();
    call_graphql("graphql", first.access_token);
    const buffer_oauth::token rotated = refresh(first.refresh_token);
    revoke(rotated.access_token);
    call_after_revocation(rotated.access_token);
    refresh_again(first.refresh_token);
  }

  static std::string redacted(std::string_view name, const std::string& value) {
    return buffer_oauth::redacted_value(name, value);
  }

  // Steps 1-3: authorize URL, the redirect with iss, the code and verifier swapped.
  buffer_oauth::token authorize_and_swap() {
    app_ = {"buffer-oauth-demo", "", provider_.callback_uri()};  // a public client: no secret
    provider_.register_client({app_.id, app_.redirect_uri});
    buffer_oauth::flow_options options;
    options.scope =
        fmt::format("{} {}", buffer_oauth::scopes::account_read, buffer_oauth::scopes::offline_access);
    buffer_oauth::flow flow(provider_.profile(), app_, options);

    const std::string url = begin(flow);
    step("authorize", fmt::format("GET {}", buffer_oauth::redacted_url(url)));
    detail(fmt::format("PKCE S256 challenge, state, scope \"{}\", prompt=consent for offline_access",
                       options.scope));

    const std::string location = approve(flow, url);
    step("redirect", fmt::format("302 Location: {}", buffer_oauth::redacted_url(location)));
    detail(fmt::format("flow.redirect: iss is {}, state matches, code taken", provider_.base_url()));

    auto swap = flow.token_request(steady_now());
    if (!swap) fail("token", swap.error());
    step("token", describe(*swap));
    detail(fmt::format("body: {}  (public client: client_id and verifier, no secret)",
                       buffer_oauth::redacted_form(swap->body)));
    const auto answer = send_for("token", *swap);
    auto token = flow.token_response(answer);
    if (!token) fail("token", token.error());
    if (token->refresh_token.empty()) fail("token", "no refresh token for scope offline_access");
    detail(fmt::format("{} -> access token {}, expires_in {}, refresh token {}", answer.status,
                       redacted("access_token", token->access_token), token->expires_in.value_or(0),
                       redacted("refresh_token", token->refresh_token)));
    return *std::move(token);
  }

  buffer_oauth::http_request graphql_request(const char* name, const std::string& access_token) {
    auto req = buffer_oauth::attach_token(provider_.profile(),
                                          {"POST",
                                           provider_.graphql_url(),
                                           {{"Content-Type", "application/json"}},
                                           R"({"query":"{ account { id email } }"})"},
                                          access_token);
    if (!req) fail(name, req.error());
    return *req;
  }

  void call_graphql(const char* name, const std::string& access_token) {
    const auto req = graphql_request(name, access_token);
    const auto answer = send_for(name, req);
    if (auto ok = buffer_oauth::check_api_response(provider_.profile(), answer); !ok) fail(name, ok.error());
    step(name, describe(req));
    detail(fmt::format("{} -> {}", answer.status, answer.body));
  }

  buffer_oauth::http_response post_refresh(const char* name, const std::string& refresh_token) {
    auto req = buffer_oauth::build_refresh_request(provider_.profile(), app_, refresh_token);
    if (!req) fail(name, req.error());
    step(name, describe(*req));
    detail(fmt::format("body: {}", buffer_oauth::redacted_form(req->body)));
    return send_for(name, *req);
  }

  // Step 5: every refresh returns a new refresh token and spends the one sent.
  buffer_oauth::token refresh(const std::string& refresh_token) {
    const auto answer = post_refresh("refresh", refresh_token);
    auto token = buffer_oauth::parse_refresh_response(provider_.profile(), answer, refresh_token);
    if (!token) fail("refresh", token.error());
    if (!token->refresh_token_rotated) fail("refresh", "the refresh token was not rotated");
    detail(fmt::format("{} -> new access token {}, new refresh token {} (the old one is spent)",
                       answer.status, redacted("access_token", token->access_token),
                       redacted("refresh_token", token->refresh_token)));
    return *std::move(token);
  }

  // Step 8: a spent refresh token sent again is refused, and the grant revoked.
  void refresh_again(const std::string& spent_refresh_token) {
    const auto answer = post_refresh("reuse", spent_refresh_token);
    const auto token = buffer_oauth::parse_refresh_response(provider_.profile(), answer, spent_refresh_token);
    if (token) fail("reuse", "the provider accepted a spent refresh token");
    if (token.code() != buffer_oauth::errc::token_error ||
        token.error().from_provider.error != "invalid_grant")
      fail("reuse", token.error());
    detail(fmt::format("{} -> {} invalid_grant (as it should: a reused refresh token revokes the grant)",
                       answer.status, buffer_oauth::to_string(token.code())));
  }

  // Step 6: RFC 7009 revocation of the access token; the grant lives on.
  void revoke(const std::string& access_token) {
    auto req = buffer_oauth::build_revocation_request(provider_.profile(), app_, access_token,
                                                      buffer_oauth::token_type_hint::access_token);
    if (!req) fail("revoke", req.error());
    const auto answer = send_for("revoke", *req);
    if (auto ok = buffer_oauth::parse_revocation_response(answer); !ok) fail("revoke", ok.error());
    step("revoke", describe(*req));
    detail(fmt::format("body: {}", buffer_oauth::redacted_form(req->body)));
    detail(fmt::format("{} -> revoked", answer.status));
  }

  // Step 7: the revoked access token no longer reads the API.
  void call_after_revocation(const std::string& access_token) {
    const auto req = graphql_request("refused", access_token);
    const auto answer = send_for("refused", req);
    const auto verdict = buffer_oauth::check_api_response(provider_.profile(), answer);
    if (verdict) fail("refused", "the API still accepted a revoked token");
    if (verdict.code() != buffer_oauth::errc::token_rejected) fail("refused", verdict.error());
    step("refused", describe(req));
    detail(fmt::format("{} {} -> {} (as it should: the token was revoked)", answer.status, answer.body,
                       buffer_oauth::to_string(verdict.code())));
  }

  current_demo_provider provider_;
  buffer_oauth::client app_;
};

}  // namespace

int demo(demo_api api, const buffer_oauth::curl::options& transport) {
  if (api == demo_api::legacy) return legacy_demo(transport).run();
  return current_demo(transport).run();
}

}  // namespace buffer_oauth_cli
