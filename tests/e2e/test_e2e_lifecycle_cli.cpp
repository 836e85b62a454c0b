// End-to-end tests of the token lifecycle through the buffer-oauth CLI:
// several `call` processes sharing one credentials file, against the Buffer
// stand-in with access tokens of 2 s (test suite "token_lifecycle").
#include "stand_in.hpp"

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <regex>

using namespace stand_in;

namespace {

const std::string account_query = R"({"query":"{ account { id } }"})";

/// The global options of every run: the stand-in's CA and the shared file.
std::vector<std::string> with_file(const std::string& credentials, std::vector<std::string> args) {
  args.insert(args.begin(), {"--cacert", ca_file(), "--credentials", credentials});
  return args;
}

std::vector<std::string> call_account(const std::string& credentials) {
  return with_file(credentials, {"call", "--json", account_query, graphql_url()});
}

/// Logs the public client in through the CLI, the test being the browser.
cli_run log_in_cli(const std::string& cli, const std::string& credentials) {
  return run_cli(
      cli,
      with_file(credentials, {"--discover", stand_in_issuer(), "--api-base", stand_in_issuer() + "/", "login",
                              "--port", "0", "--client-id", need("E2E_PUBLIC_CLIENT_ID"), "--timeout", "60"}),
      true);
}

/// A token of the stand-in (43 characters of base64url) anywhere in `text`.
bool shows_token(const std::string& text) {
  static const std::regex token_shaped("[A-Za-z0-9_-]{40,}");
  return std::regex_search(text, token_shaped);
}

struct call_tally {
  std::mutex mutex;
  int calls = 0, failed = 0, refreshed = 0, invalid_grant = 0, tokens_shown = 0;
  std::uint64_t last_generation = 0;
  std::string first_failure;

  void add(const cli_run& run) {
    const std::lock_guard<std::mutex> lock(mutex);
    ++calls;
    const bool ok = run.exit_code == 0 && run.output.is_object() && run.output.value("status", 0) == 200 &&
                    run.output["body"]["data"]["account"]["id"] == "e2e-user";
    if (!ok) {
      ++failed;
      if (first_failure.empty()) first_failure = run.out + run.err;
    }
    if (contains(run.out + run.err, "invalid_grant")) ++invalid_grant;
    if (shows_token(run.out + run.err)) ++tokens_shown;
    if (ok && run.output["refreshed"] == true) ++refreshed;
    if (ok) last_generation = std::max(last_generation, run.output["generation"].get<std::uint64_t>());
  }
};

std::uint64_t generation_in(const std::string& credentials) {
  const std::string text = read_file(credentials);
  auto stored = bo::parse_credentials(text.substr(0, text.find('\n')));
  REQUIRE_MESSAGE(stored, stored.error().message);
  return stored->generation;
}

}  // namespace

TEST_SUITE("token_lifecycle") {
  TEST_CASE(
      "buffer-oauth call from 4 processes sharing one credentials file, then a crash after a rotation") {
    const std::string cli = env("E2E_BUFFER_OAUTH_CLI");
    REQUIRE_MESSAGE(
        !cli.empty(),
        "E2E_BUFFER_OAUTH_CLI is empty: build the buffer-oauth CLI (examples/) with the e2e tests");
    const std::string credentials = need("E2E_WORK_DIR") + "/lifecycle/credentials";

    const auto login = log_in_cli(cli, credentials);
    REQUIRE_MESSAGE(login.exit_code == 0, login.out << login.err);
    CHECK(login.output["generation"] == 0);
    CHECK(login.output["credentials"] == credentials);
    CHECK_FALSE(shows_token(login.out));  // stderr shows the authorization URL: state and challenge
    struct stat st {};
    REQUIRE(stat(credentials.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    call_tally tally;
    const auto until = std::chrono::steady_clock::now() + 20s;
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
      workers.emplace_back([&, w] {
        while (std::chrono::steady_clock::now() < until)
          tally.add(run_cli(cli, call_account(credentials), false, nullptr, "call-" + std::to_string(w)));
      });
    for (auto& w : workers) w.join();
    const std::uint64_t generation = generation_in(credentials);
    MESSAGE(tally.calls << " calls from 4 processes in 20 s, " << tally.refreshed
                        << " of them refreshed; generation " << generation << " at the end");
    INFO("first failure: " << tally.first_failure);
    CHECK(tally.failed == 0);
    CHECK(tally.invalid_grant == 0);
    CHECK(tally.tokens_shown == 0);
    CHECK(tally.calls >= 40);
    // 2 s tokens are refreshed at half their life: about 20 refreshes in 20 s, each stored once.
    CHECK(generation >= 10);
    CHECK(tally.refreshed >= 10);
    CHECK(static_cast<std::uint64_t>(tally.refreshed) <= generation);
    CHECK(tally.last_generation <= generation);

    // The grant is still alive: a forced refresh works.
    const auto forced = run_cli(cli, with_file(credentials, {"refresh"}), false);
    INFO("refresh: " << forced.out << forced.err);
    REQUIRE(forced.exit_code == 0);
    CHECK(forced.output["generation"] == generation + 1);
    CHECK(forced.output["rotated"] == true);
    CHECK_FALSE(shows_token(forced.out + forced.err));

    // A process killed after the provider rotated the refresh token but
    // before the file was written: the file keeps the spent refresh token.
    std::this_thread::sleep_for(2500ms);  // the stored token has expired: the next call must refresh
    setenv("BUFFER_OAUTH_TEST_CRASH_AFTER_REFRESH", "1", 1);
    const auto crashed = run_cli(cli, call_account(credentials), false);
    unsetenv("BUFFER_OAUTH_TEST_CRASH_AFTER_REFRESH");
    CHECK(crashed.exit_code == 99);
    CHECK(crashed.out.empty());
    CHECK(generation_in(credentials) == generation + 1);

    // The next call sends the spent refresh token: the stand-in revokes the
    // grant and the CLI says a new login is needed, never a silent success.
    const auto after = run_cli(cli, call_account(credentials), false);
    INFO("after the crash: " << after.out << after.err);
    CHECK(after.exit_code == 1);
    CHECK(after.output["errc"] == "reauthorization_required");
    CHECK(after.output["error"] == "invalid_grant");
    CHECK_FALSE(shows_token(after.out + after.err));
    const auto again = run_cli(cli, call_account(credentials), false);
    CHECK(again.exit_code == 1);
    CHECK(again.output["errc"] == "reauthorization_required");
    REQUIRE(stat(credentials.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    // A new login replaces the dead one, one generation on; logout revokes it and deletes the file.
    const auto relogin = log_in_cli(cli, credentials);
    REQUIRE_MESSAGE(relogin.exit_code == 0, relogin.out << relogin.err);
    CHECK(relogin.output["generation"] == generation + 2);
    const auto works = run_cli(cli, call_account(credentials), false);
    CHECK(works.exit_code == 0);
    const auto logout = run_cli(cli, with_file(credentials, {"logout"}), false);
    INFO("logout: " << logout.out << logout.err);
    CHECK(logout.exit_code == 0);
    CHECK(logout.output["revoked"] == true);
    CHECK(stat(credentials.c_str(), &st) != 0);
    const auto gone = run_cli(cli, call_account(credentials), false);
    CHECK(gone.exit_code == 1);
    CHECK(gone.output["errc"] == "not_logged_in");
  }
}  // TEST_SUITE token_lifecycle
