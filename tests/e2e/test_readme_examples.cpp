// The README's two programs (examples/readme/, paths in E2E_README_WEB_APP
// and E2E_README_DESKTOP_APP) against the Buffer stand-in, the test being
// the user's browser (libcurl, with cookies).
//
//   test suite "readme_examples"
//
// The programs reach the stand-in through BUFFER_OAUTH_LOCAL and trust its
// certificate through BUFFER_OAUTH_LOCAL_CA (examples/readme/local_provider.hpp).
#include "stand_in.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <string>
#include <thread>

using namespace stand_in;

namespace {

/// Points the example programs started after it at the stand-in.
void use_stand_in(const std::string& client_id, const std::string& client_secret) {
  setenv("BUFFER_OAUTH_LOCAL", stand_in_issuer().c_str(), 1);
  setenv("BUFFER_OAUTH_LOCAL_CA", ca_file().c_str(), 1);
  setenv("BUFFER_CLIENT_ID", client_id.c_str(), 1);
  setenv("BUFFER_CLIENT_SECRET", client_secret.c_str(), 1);
  setenv("BUFFER_REDIRECT_URI", need("E2E_REDIRECT_URI").c_str(), 1);
}

/// The web app, serving the registered redirect URI's port until the test ends.
class web_app {
 public:
  explicit web_app(const std::string& name) {
    url_split callback;
    REQUIRE(split(need("E2E_REDIRECT_URI"), callback));
    origin_ = "http://127.0.0.1:" + std::to_string(callback.port);
    pid_ = spawn_logged(need("E2E_README_WEB_APP"), {std::to_string(callback.port)}, name);
  }
  ~web_app() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  web_app(const web_app&) = delete;
  web_app& operator=(const web_app&) = delete;

  /// GET /login once the app listens: its redirect to the stand-in.
  bo::http_response login(http_session& browser) const {
    bo::http_response r;
    for (int tries = 0; tries < 100 && r.status == 0; ++tries) {
      r = browser.send(get(origin_ + "/login"));
      if (r.status == 0) std::this_thread::sleep_for(100ms);
    }
    REQUIRE_MESSAGE(r.status != 0, "the web app did not listen within 10 s: " << browser.last_error);
    return r;
  }

 private:
  std::string origin_;
  pid_t pid_ = 0;
};

/// Waits up to 60 s for `pid` to exit; its exit code, or -1 (then it is killed).
int exit_code(pid_t pid) {
  int status = 0;
  for (int waited = 0; waited < 600; ++waited) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    std::this_thread::sleep_for(100ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

/// The JSON after `prefix` in `page`.
json json_after(const std::string& page, std::string_view prefix) {
  INFO("page: " << page);
  REQUIRE(page.rfind(prefix, 0) == 0);
  json value = json::parse(page.substr(prefix.size()), nullptr, false);
  REQUIRE(value.is_object());
  return value;
}

}  // namespace

TEST_SUITE("readme_examples") {
  TEST_CASE("web app: /login keeps the flow in a session, /callback finishes it and calls the API") {
    use_stand_in(need("E2E_CLIENT_ID"), need("E2E_CLIENT_SECRET"));
    const web_app app("web_app");
    auto browser = e2e::curl_stack::open(ca_file());

    const auto login = app.login(*browser);
    CHECK(login.status == 302);
    CHECK(contains(header(login, "Set-Cookie"), "HttpOnly"));
    const std::string authorize = header(login, "Location");
    CHECK(authorize.rfind(stand_in_issuer() + "/auth?", 0) == 0);
    CHECK(contains(authorize, "code_challenge_method=S256"));

    const std::string back = oidc_authorize(*browser, authorize, need("E2E_REDIRECT_URI"), consent::allow);
    CHECK(contains(back, "iss="));
    const auto page = send(*browser, get(back));
    CHECK(page.status == 200);
    const json account = json_after(page.body, "Logged in. Buffer says: ");
    CHECK(account["data"]["account"]["id"] == "e2e-user");

    // The saved flow was taken out of the session: the same redirect again finds none.
    const auto again = send(*browser, get(back));
    CHECK(again.status == 400);
    CHECK(contains(again.body, "No login is waiting for this browser"));
  }

  TEST_CASE(
      "web app: a redirect without the session's state, and a refused code, end the login with their errc") {
    use_stand_in(need("E2E_CLIENT_ID"), "not-the-secret");
    const web_app app("web_app_refused");
    auto browser = e2e::curl_stack::open(ca_file());

    // Another state than the session's: the flow refuses before any token request.
    const auto first = app.login(*browser);
    REQUIRE(first.status == 302);
    const std::string forged = need("E2E_REDIRECT_URI") +
                               "?code=abc&state=forged&iss=https%3A%2F%2F127.0.0.1%3A" +
                               need("E2E_STAND_IN_PORT");
    const auto forged_page = send(*browser, get(forged));
    CHECK(forged_page.status == 400);
    CHECK(contains(forged_page.body, "Login failed: state_mismatch: "));

    // The wrong client secret: the provider's refusal is the page.
    const auto second = app.login(*browser);
    REQUIRE(second.status == 302);
    const std::string back =
        oidc_authorize(*browser, header(second, "Location"), need("E2E_REDIRECT_URI"), consent::allow);
    const auto refused = send(*browser, get(back));
    CHECK(refused.status == 400);
    CHECK(contains(refused.body, "Login failed: token_error: "));
    CHECK_FALSE(contains(refused.body, "not-the-secret"));
    CHECK_FALSE(contains(refused.body, query_value(back, "code")));
  }

  TEST_CASE("desktop app: a public client with the loopback redirect on a port the OS picks") {
    use_stand_in(need("E2E_PUBLIC_CLIENT_ID"), "");
    std::string redirect;
    const cli_run run = run_cli(need("E2E_README_DESKTOP_APP"), {}, true, &redirect, "desktop_app");
    INFO("stdout: " << run.out << "\nstderr: " << run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.output["data"]["account"]["id"] == "e2e-user");
    CHECK(redirect.rfind("http://127.0.0.1:", 0) == 0);
    CHECK(contains(redirect, "/callback?"));
    CHECK(contains(redirect, "iss="));
    const std::string code = query_value(redirect, "code");
    REQUIRE_FALSE(code.empty());
    CHECK_FALSE(contains(run.out + run.err, code));
  }

  TEST_CASE("desktop app: a denied consent ends the login with authorization_denied") {
    use_stand_in(need("E2E_PUBLIC_CLIENT_ID"), "");
    const pid_t app = spawn_logged(need("E2E_README_DESKTOP_APP"), {}, "desktop_app_denied");
    const std::string err_file = need("E2E_WORK_DIR") + "/desktop_app_denied.err";
    std::string url, callback;
    for (int waited = 0; waited < 100 && url.empty(); ++waited) {
      std::this_thread::sleep_for(100ms);
      const std::string err = read_file(err_file);
      url = line_after(err, "Open this URL to log in:\n");
      callback = line_after(err, "Callback URL: ");
    }
    if (url.empty()) kill(app, SIGKILL);
    REQUIRE_MESSAGE(!url.empty(), "the desktop app printed no URL: " << read_file(err_file));

    auto browser = e2e::curl_stack::open(ca_file());
    const std::string back = oidc_authorize(*browser, url, callback, consent::deny);
    const auto page = send(*browser, get(back));
    CHECK(contains(page.body, "Login failed"));
    CHECK(exit_code(app) == 1);
    const std::string err = read_file(err_file);
    CHECK(contains(err, "Login failed: authorization_denied: "));
  }
}
