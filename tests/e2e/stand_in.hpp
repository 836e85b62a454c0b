// stand_in.hpp: what the end-to-end tests against the Buffer stand-in
// (tests/e2e/buffer_stand_in.mjs) share: the discovered provider, a login
// through the whole flow, GraphQL calls, and running the buffer-oauth CLI
// with the test as the user's browser.
#ifndef BUFFER_OAUTH_E2E_STAND_IN_HPP
#define BUFFER_OAUTH_E2E_STAND_IN_HPP

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

namespace stand_in {

namespace bo = buffer_oauth;
using e2e::http_session;
using namespace e2e;
using json = nlohmann::json;
using namespace std::chrono_literals;

inline std::string stand_in_issuer() { return "https://127.0.0.1:" + need("E2E_STAND_IN_PORT"); }

/// Buffer's profile with the stand-in's origin for its API.
inline bo::provider buffer_base() {
  bo::provider base = bo::provider::buffer();
  base.name = "buffer-stand-in";
  base.api_base = stand_in_issuer() + "/";
  return base;
}

/// The provider as the stand-in's metadata `which` describes it.
inline bo::result<bo::provider> discover(http_session& browser, bo::metadata_document which) {
  auto req = bo::build_metadata_request(stand_in_issuer(), which);
  REQUIRE_MESSAGE(req, req.error().message);
  return bo::parse_provider_metadata(client_send(browser, *req), stand_in_issuer(), buffer_base());
}

/// The provider confidential and public clients both use: the OpenID
/// document lists client_secret_post and none.
inline bo::provider stand_in_provider(http_session& browser) {
  auto p = discover(browser, bo::metadata_document::openid_configuration);
  REQUIRE_MESSAGE(p, p.error().message << " | " << p.error().body);
  return *std::move(p);
}

/// The launcher's second client: no secret, token_endpoint_auth_method none.
inline bo::client public_client() {
  return bo::client{need("E2E_PUBLIC_CLIENT_ID"), "", need("E2E_REDIRECT_URI")};
}

inline std::string graphql_url() { return stand_in_issuer() + "/graphql"; }

inline constexpr std::string_view offline_scope = "account:read offline_access";

inline std::size_t count(std::string_view hay, std::string_view needle) {
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
inline login_result log_in(http_session& browser, const bo::provider& p, const bo::client& c,
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
  const auto resp = client_send(browser, *req);
  auto t = f.token_response(resp);
  REQUIRE_MESSAGE(t, t.error().message << " | " << resp.body);
  return {*std::move(t), *std::move(req)};
}

inline bo::result<bo::token> refresh(http_session& browser, const bo::provider& p, const bo::client& c,
                                     const std::string& refresh_token) {
  auto req = bo::build_refresh_request(p, c, refresh_token);
  REQUIRE_MESSAGE(req, req.error().message);
  return bo::parse_refresh_response(p, client_send(browser, *req), refresh_token);
}

/// POST /graphql with `query`, carrying `access_token` unless it is empty.
inline bo::http_response graphql(http_session& browser, const bo::provider& p,
                                 const std::string& access_token,
                                 std::string_view query = "{ account { id email } }") {
  bo::http_request req{
      "POST", graphql_url(), {{"Content-Type", "application/json"}}, json{{"query", query}}.dump()};
  if (access_token.empty()) return client_send(browser, req);
  auto with_token = bo::attach_token(p, std::move(req), access_token);
  REQUIRE_MESSAGE(with_token, with_token.error().message);
  return client_send(browser, *with_token);
}

/// A GraphQL error answer: exactly one error with `code` in its extensions.
inline json graphql_error(const bo::http_response& r, std::string_view code) {
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

inline void check_unauthorized(const bo::provider& p, const bo::http_response& r) {
  CHECK(bo::check_api_response(p, r).code() == bo::errc::token_rejected);
  CHECK(r.status == 200);
  json body = graphql_error(r, "UNAUTHORIZED");
  CHECK(body.contains("data"));
  CHECK(body["data"].is_null());
}

inline void check_account(const bo::provider& p, const bo::http_response& r) {
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

inline bo::result<void> revoke(http_session& browser, const bo::provider& p, const bo::client& c,
                               const std::string& token, bo::token_type_hint hint) {
  auto req = bo::build_revocation_request(p, c, token, hint);
  REQUIRE_MESSAGE(req, req.error().message);
  return bo::parse_revocation_response(client_send(browser, *req));
}

/// oidc-provider 8.8.1 gives every refused grant this description.
inline constexpr std::string_view refused_grant = "grant request is invalid";

inline void check_dead_refresh_token(http_session& browser, const bo::provider& p, const bo::client& c,
                                     const std::string& refresh_token) {
  auto t = refresh(browser, p, c, refresh_token);
  REQUIRE_FALSE(t);
  check_provider_error(t.error(), bo::errc::token_error, "invalid_grant", 400, refused_grant);
}

inline json get_json(http_session& browser, const std::string& url) {
  const auto r = client_send(browser, get(url));
  INFO(url << ": " << r.body);
  CHECK(r.status == 200);
  json doc = json::parse(r.body, nullptr, false);
  REQUIRE(doc.is_object());
  return doc;
}

inline bool has_all(const json& list, std::initializer_list<std::string_view> wanted) {
  if (!list.is_array()) return false;
  for (std::string_view w : wanted)
    if (std::find(list.begin(), list.end(), w) == list.end()) return false;
  return true;
}

/// What `buffer-oauth login` printed and how it ended.
struct cli_run {
  int exit_code = -1;
  std::string out, err;
  json output;  ///< stdout as JSON (discarded when it is not)
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// The line after `label` once the CLI has written it whole, else empty.
inline std::string line_after(const std::string& text, std::string_view label) {
  const auto at = text.find(label);
  if (at == std::string::npos) return {};
  const auto start = at + label.size(), end = text.find('\n', start);
  return end == std::string::npos ? std::string() : text.substr(start, end - start);
}

/// Starts `program` with `args`, its stdout and stderr going to `name`.out
/// and `name`.err in E2E_WORK_DIR (runs at the same time need distinct
/// names). Returns its pid.
inline pid_t spawn_logged(const std::string& program, const std::vector<std::string>& args,
                          const std::string& name) {
  const std::string out_file = need("E2E_WORK_DIR") + "/" + name + ".out",
                    err_file = need("E2E_WORK_DIR") + "/" + name + ".err";
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
  return pid;
}

/// Runs the buffer-oauth CLI with `args`. With `browse` the test is the
/// user's browser: it reads the authorization URL from the CLI's stderr,
/// logs in and consents on the stand-in's pages, brings the redirect to the
/// CLI's loopback listener and returns the redirect in `redirect`. Its output
/// goes to `name`.out and `name`.err in E2E_WORK_DIR.
inline cli_run run_cli(const std::string& program, const std::vector<std::string>& args, bool browse,
                       std::string* redirect = nullptr, const std::string& name = "cli") {
  const std::string out_file = need("E2E_WORK_DIR") + "/" + name + ".out",
                    err_file = need("E2E_WORK_DIR") + "/" + name + ".err";
  const pid_t pid = spawn_logged(program, args, name);

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

}  // namespace stand_in

#endif  // BUFFER_OAUTH_E2E_STAND_IN_HPP
