// `buffer-oauth login`: the real authorization-code flow for a registered
// app. A loopback listener (RFC 8252 §7.3) receives the browser's redirect at
// http://127.0.0.1:PORT/callback, buffer_oauth::flow checks it, and the code
// is swapped at once over HTTPS with libcurl (Buffer codes live 30 seconds).
// Before that, optionally: the provider discovered from its issuer's
// metadata, and a public client registered for that Callback URL.
#include "background_server.hpp"
#include "commands.hpp"
#include "os_random.hpp"

#include <fmt/core.h>
#include <buffer_oauth_fmt.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

namespace buffer_oauth_cli {

namespace {

buffer_oauth::timestamp steady_now() {
  return std::chrono::duration_cast<buffer_oauth::timestamp>(
      std::chrono::steady_clock::now().time_since_epoch());
}

/// Hands the first redirect that carries the login's state from the
/// listener's thread to the login, and the login's outcome back to the
/// browser's page.
class callback_mailbox {
 public:
  enum class delivery { delivered, not_ours, already_delivered };

  /// The state the authorization URL carries: only a request with it ends the wait.
  void expect_state(std::string state) {
    std::lock_guard<std::mutex> lock(mutex_);
    state_ = std::move(state);
  }
  /// Not ours: a request without that state, which anyone able to reach
  /// the port could send; the flow accepts only one redirect, so it is
  /// ignored rather than allowed to end the login.
  delivery deliver(std::string url, const std::string& state) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (state_.empty() || state != state_) return delivery::not_ours;
    if (redirect_) return delivery::already_delivered;
    redirect_ = std::move(url);
    changed_.notify_all();
    return delivery::delivered;
  }
  std::optional<std::string> wait_redirect(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return redirect_.has_value(); });
    return redirect_;
  }
  void finish(std::string page) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!page_) page_ = std::move(page);
    changed_.notify_all();
  }
  std::string wait_page() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(60), [&] { return page_.has_value(); });
    return page_.value_or("The login is still running; see the terminal.");
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string state_;
  std::optional<std::string> redirect_;
  std::optional<std::string> page_;
};

/// Redirect received -> token: every check is the flow's.
buffer_oauth::result<buffer_oauth::token> swap_code(buffer_oauth::flow& flow, const std::string& redirect,
                                                    const buffer_oauth::curl::options& transport) {
  if (auto ok = flow.redirect(redirect, steady_now()); !ok) return ok.error();
  auto req = flow.token_request(steady_now());
  if (!req) return req.error();
  fmt::print(stderr, "Redirect accepted; swapping the code at {}\n", req->url);
  auto answer = buffer_oauth::curl::send(*req, transport);
  if (!answer) return answer.error();
  return flow.token_response(*answer);
}

/// The token saved to the credentials file (if one is named), and printed redacted unless show_token.
command_result logged_in(const buffer_oauth::token& token, const buffer_oauth::provider& p,
                         const buffer_oauth::client& app, const login_args& a) {
  command_result saved =
      a.credentials_path.empty() ? success(json::object()) : save_login(a.credentials_path, p, app, token);
  if (saved.exit_code != exit_success) return saved;
  json out = token_json(token);
  if (!a.show_token) {
    out["access_token"] = buffer_oauth::redacted_value("access_token", token.access_token);
    if (!token.refresh_token.empty())
      out["refresh_token"] = buffer_oauth::redacted_value("refresh_token", token.refresh_token);
  }
  out.update(saved.output);
  if (a.register_client) out["client_id"] = app.id;
  return success(std::move(out));
}

/// The provider `issuer`'s OpenID document describes over `base`: that
/// document lists client_secret_post and none, the RFC 8414 one only none.
buffer_oauth::result<buffer_oauth::provider> discover(const std::string& issuer,
                                                      const buffer_oauth::provider& base,
                                                      const buffer_oauth::curl::options& transport) {
  auto req = buffer_oauth::build_metadata_request(
      issuer, buffer_oauth::metadata_document::openid_configuration, base.allow_insecure_loopback);
  if (!req) return req.error();
  fmt::print(stderr, "Discovering the provider: {}\n", req->url);
  auto answer = buffer_oauth::curl::send(*req, transport);
  if (!answer) return answer.error();
  return buffer_oauth::parse_provider_metadata(*answer, issuer, base);
}

/// A public native client registered for `redirect_uri` (RFC 7591).
buffer_oauth::result<buffer_oauth::client> register_client(const buffer_oauth::provider& p,
                                                           const std::string& redirect_uri,
                                                           const std::string& scope,
                                                           const buffer_oauth::curl::options& transport) {
  const buffer_oauth::registration_params params{{redirect_uri}, "buffer-oauth CLI", scope};
  auto req = buffer_oauth::build_registration_request(p, params);
  if (!req) return req.error();
  fmt::print(stderr, "Registering a public client: {}\n", req->url);
  auto answer = buffer_oauth::curl::send(*req, transport);
  if (!answer) return answer.error();
  auto registered = buffer_oauth::parse_registration_response(*answer, params);
  if (!registered) return registered.error();
  return std::move(registered->app);
}

command_result log_in(const buffer_oauth::provider& base, const login_args& a, const browser& open,
                      const buffer_oauth::curl::options& transport) {
  buffer_oauth::provider p = base;
  if (!a.discover_issuer.empty()) {
    auto discovered = discover(a.discover_issuer, base, transport);
    if (!discovered) return failure(discovered.error());
    p = *std::move(discovered);
  }

  callback_mailbox mailbox;
  background_server listener;  // declared after the mailbox: stopped before it goes
  listener.routes().Get("/callback", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string url = fmt::format("http://127.0.0.1:{}{}", listener.port(), req.target);
    const auto delivered =
        mailbox.deliver(url, req.get_param_value_count("state") == 1 ? req.get_param_value("state") : "");
    if (delivered == callback_mailbox::delivery::not_ours) {
      fmt::print(stderr, "Ignored a request without this login's state: {}\n",
                 buffer_oauth::redacted_url(url));
      res.status = 400;
      return res.set_content("This request does not carry this login's state, so it was ignored.\n",
                             "text/plain");
    }
    if (delivered == callback_mailbox::delivery::already_delivered) {
      res.status = 409;
      return res.set_content("This login already received its redirect.\n", "text/plain");
    }
    res.set_content(mailbox.wait_page(), "text/plain");
  });
  // Whatever way this function returns, a browser waiting for its page gets one.
  struct release_browser {
    callback_mailbox& mailbox;
    ~release_browser() { mailbox.finish("The login has ended; see the terminal.\n"); }
  } release{mailbox};
  std::string origin;
  try {
    origin = fmt::format("http://127.0.0.1:{}", listener.start(a.port));
  } catch (const std::exception& e) {
    return failure("listen_failed", e.what());
  }

  buffer_oauth::client app{a.client_id, a.client_secret, origin + "/callback"};
  if (a.register_client) {
    auto registered = register_client(p, app.redirect_uri, a.scope, transport);
    if (!registered) return failure(registered.error());
    app = *std::move(registered);
  }
  buffer_oauth::flow_options options;
  options.scope = a.scope;
  buffer_oauth::flow flow(p, app, options);
  auto state_bytes = os_random_bytes(), verifier_bytes = os_random_bytes();
  if (!state_bytes) return failure(state_bytes.error());
  if (!verifier_bytes) return failure(verifier_bytes.error());
  auto url = flow.begin({*state_bytes, *verifier_bytes}, steady_now());
  if (!url) return failure(url.error());
  mailbox.expect_state(buffer_oauth::make_state(*state_bytes).value());  // the state begin() sent

  fmt::print(stderr, "Callback URL{}: {}\nOpen this URL to log in:\n{}\n",
             a.register_client ? "" : " (register it for your app)", app.redirect_uri, *url);
  open(*url);
  fmt::print(stderr, "Waiting up to {} s for the browser...\n", a.timeout.count());

  const auto redirect = mailbox.wait_redirect(a.timeout);
  if (!redirect)
    return failure("timeout",
                   fmt::format("no redirect reached {} within {} s", app.redirect_uri, a.timeout.count()));
  fmt::print(stderr, "Redirect received: {}\n", buffer_oauth::redacted_url(*redirect));
  auto token = swap_code(flow, *redirect, transport);
  command_result result = token ? logged_in(*token, p, app, a) : failure(token.error());
  mailbox.finish(
      result.exit_code == exit_success
          ? "Logged in. You can close this tab and return to the terminal.\n"
          : fmt::format("Login failed: {}. See the terminal.\n", result.output.value("errc", "error")));
  return result;
}

}  // namespace

command_result login(const buffer_oauth::provider& p, const login_args& a, const browser& open,
                     const buffer_oauth::curl::options& transport) {
  return log_in(p, a, open, transport);
}

}  // namespace buffer_oauth_cli
