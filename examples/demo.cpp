// `buffer-oauth demo`: Buffer's whole OAuth flow, offline, against the local
// demo provider. libcurl plays both the browser (reading the 302 instead of
// following it) and the app; buffer_oauth::flow drives the steps. One line
// per step on stdout (secrets redacted), then a JSON summary line.
#include "commands.hpp"
#include "demo_provider.hpp"
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

class demo_run {
 public:
  explicit demo_run(transport_options transport) : transport_(std::move(transport)) {}

  int run() {
    try {
      provider_.start();
      fmt::print("buffer-oauth demo: Buffer's OAuth flow, offline, against a local provider at {}\n",
                 provider_.base_url());
      const std::string token = authorize_and_swap();
      call_profiles(token);
      deauthorize(token);
      call_after_revocation(token);
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
    fmt::print("{}\n", dump({{"demo", "ok"}, {"provider", provider_.base_url()}, {"steps", passed_}}));
    return exit_success;
  }

 private:
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
    try {
      return send(req, transport_);
    } catch (const transport_error& e) {
      throw step_failed{name, error_json("transport_error", e.what())};
    }
  }

  // Steps 1-3: authorize URL, the browser's redirect, the code swapped for a token.
  std::string authorize_and_swap() {
    auto secret = os_random_alnum(32);
    if (!secret) fail("setup", secret.error());
    const buffer_oauth::client app{"buffer-oauth-demo", *secret, provider_.callback_uri()};
    provider_.register_client({app.id, app.secret, app.redirect_uri});
    buffer_oauth::flow flow(provider_.profile(), app);

    auto state_bytes = os_random_bytes(), verifier_bytes = os_random_bytes();
    if (!state_bytes || !verifier_bytes)
      fail("authorize", state_bytes ? verifier_bytes.error() : state_bytes.error());
    auto url = flow.begin({*state_bytes, *verifier_bytes}, steady_now());
    if (!url) fail("authorize", url.error());
    step("authorize", fmt::format("GET {}", buffer_oauth::redacted_url(*url)));

    const auto approval = send_for("redirect", {"GET", *url, {}, {}});
    const std::string* location = buffer_oauth::find_header(approval.headers, "Location");
    if (approval.status != 302 || !location)
      fail("redirect",
           fmt::format("expected a 302 with Location from the authorize endpoint, got {}", approval.status));
    if (auto ok = flow.redirect(*location, steady_now()); !ok) fail("redirect", ok.error());
    step("redirect", fmt::format("302 Location: {}", buffer_oauth::redacted_url(*location)));
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

  transport_options transport_;
  demo_provider provider_;
  std::vector<std::string> passed_;
};

}  // namespace

int demo(const transport_options& transport) { return demo_run(transport).run(); }

}  // namespace buffer_oauth_cli
