// End-to-end tests of the token lifecycle: many threads sharing one session
// through the thread-safe wrapper, against the Buffer stand-in with access
// tokens of 2 s (test suite "token_lifecycle").
#include "stand_in.hpp"

#include "credential_store.hpp"
#include "shared_session.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>

namespace {

using namespace stand_in;

/// Milliseconds of the system clock, which processes sharing a store agree on.
bo::timestamp system_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
}

/// How the calls of all threads went; failures by errc name.
struct tally {
  std::atomic<int> succeeded{0}, failed{0}, rejections{0};
  std::mutex mutex;
  std::map<std::string, int> failures;

  void fail(std::string why) {
    ++failed;
    const std::lock_guard<std::mutex> lock(mutex);
    ++failures[std::move(why)];
  }
};

/// The token endpoint as the refreshing thread reaches it: one connection,
/// every request kept to prove that none was sent twice, and the overlaps
/// counted (single flight means there are none).
struct refresh_endpoint {
  std::unique_ptr<http_session> connection = e2e::curl_stack::open(ca_file());
  std::mutex mutex;
  std::vector<std::string> sent;  ///< request bodies: they carry the refresh token
  std::atomic<int> overlapping{0}, invalid_grants{0};

  bo::http_response send(const bo::http_request& request) {
    std::unique_lock<std::mutex> one(mutex, std::try_to_lock);
    if (!one.owns_lock()) {
      ++overlapping;
      one.lock();
    }
    sent.push_back(request.body);
    bo::http_response answer = connection->client_send(request);
    if (answer.status == 0) throw std::runtime_error("the refresh got no answer: " + connection->last_error);
    if (contains(answer.body, "\"invalid_grant\"")) ++invalid_grants;
    return answer;
  }
};

/// shared.token(), with the errc's name as the message, or why the refresh
/// got no answer.
bo::result<buffer_oauth_cli::attachable_token> token_or_failure(buffer_oauth_cli::shared_session& shared) {
  bo::error e;
  try {
    auto t = shared.token();
    if (t) return t;
    e = t.error();
    e.message = bo::to_string(e.code);
  } catch (const std::runtime_error& no_answer) {
    e.code = bo::errc::http_error;
    e.message = no_answer.what();
  }
  return e;
}

}  // namespace

TEST_SUITE("token_lifecycle") {
  TEST_CASE("8 threads x 200 GraphQL calls share one session: one refresh at a time, the grant kept") {
    constexpr int threads = 8, calls_per_thread = 200;
    // Long enough a run for several refreshes of the 2 s tokens.
    constexpr auto pause = 40ms;
    const auto token_life = seconds_setting("E2E_STAND_IN_ACCESS_TTL");
    REQUIRE(token_life == 2s);

    auto browser = e2e::curl_stack::open(ca_file());
    const bo::provider p = stand_in_provider(*browser);
    const bo::client c = public_client();
    const login_result login = log_in(*browser, p, c, offline_scope);
    REQUIRE_FALSE(login.token.refresh_token.empty());
    auto first = bo::make_credentials(login.token, system_now());
    REQUIRE_MESSAGE(first, first.error().message);
    buffer_oauth_cli::memory_credential_store store(
        buffer_oauth_cli::stored_credentials{first->generation, bo::to_string(*first)});

    refresh_endpoint endpoint;
    bo::session_options options;
    // The stand-in ends a token on a whole second, up to 1 s before its
    // expires_in: refreshing at half its life (the most the session's lead
    // allows) keeps it alive.
    options.refresh_lead = 1s;
    buffer_oauth_cli::shared_session shared(
        p, c, store, [&](const bo::http_request& r) { return endpoint.send(r); }, system_now, options);

    const bo::http_request query{"POST",
                                 graphql_url(),
                                 {{"Content-Type", "application/json"}},
                                 R"({"query":"{ account { id email } }"})"};
    const std::string ca = ca_file();
    tally totals;
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int w = 0; w < threads; ++w)
      workers.emplace_back([&] {
        auto api = e2e::curl_stack::open(ca);
        for (int call = 0; call < calls_per_thread; ++call) {
          std::this_thread::sleep_for(pause);
          std::string failure;
          for (int attempt = 0; attempt < 2; ++attempt) {
            auto t = token_or_failure(shared);
            if (!t) {
              failure = t.error().message;
              break;
            }
            auto request = bo::attach_token(p, query, t->access_token);
            if (!request) {
              failure = std::string(bo::to_string(request.code()));
              break;
            }
            const bo::http_response r = api->client_send(*request);
            if (r.status == 0) {
              failure = "no answer from /graphql";
              break;
            }
            const auto answer = bo::check_api_response(p, r);
            if (answer && contains(r.body, "\"e2e-user\"")) {
              failure.clear();
              break;
            }
            failure = answer ? "no account in the answer" : std::string(bo::to_string(answer.code()));
            if (answer.code() != bo::errc::token_rejected) break;
            ++totals.rejections;
            if (auto reported = shared.rejected(t->generation); !reported) {
              failure = std::string(bo::to_string(reported.code()));
              break;
            }
          }
          if (failure.empty())
            ++totals.succeeded;
          else
            totals.fail(failure);
        }
      });
    for (auto& w : workers) w.join();
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

    const auto counters = shared.counters();
    const double lives = static_cast<double>(elapsed.count()) / static_cast<double>(token_life.count());
    std::string failures;
    for (const auto& [why, n] : totals.failures) failures += " " + why + "=" + std::to_string(n);
    MESSAGE("calls " << threads * calls_per_thread << " (succeeded " << totals.succeeded.load() << ", failed "
                     << totals.failed.load() << failures << "), elapsed " << elapsed.count()
                     << " ms = " << lives << " token lives, refreshes " << counters.refreshes_sent
                     << ", waits " << counters.waits << ", rejections " << totals.rejections.load()
                     << ", invalid_grant " << endpoint.invalid_grants.load());
    CHECK(totals.succeeded == threads * calls_per_thread);
    CHECK(totals.failed == 0);
    CHECK(endpoint.invalid_grants == 0);
    CHECK(endpoint.overlapping == 0);
    std::vector<std::string> sent = endpoint.sent;
    std::sort(sent.begin(), sent.end());
    CHECK(std::adjacent_find(sent.begin(), sent.end()) == sent.end());
    CHECK(sent.size() == counters.refreshes_sent);
    CHECK(counters.refreshes_sent >= 3);
    CHECK(static_cast<double>(counters.refreshes_sent) >= lives - 2);
    CHECK(static_cast<double>(counters.refreshes_sent) <= 2 * lives + 2);

    // Every refresh was stored, and the grant lives: the latest refresh token
    // refreshes once more, and that token reads the account.
    const auto stored = store.load();
    REQUIRE(stored);
    CHECK(stored->generation == counters.refreshes_sent);
    auto latest = bo::parse_credentials(stored->text);
    REQUIRE_MESSAGE(latest, latest.error().message);
    auto last = refresh(*browser, p, c, latest->refresh_token);
    REQUIRE_MESSAGE(last, last.error().message << " | " << last.error().body);
    CHECK(last->refresh_token_rotated);
    check_account(p, graphql(*browser, p, last->access_token));
  }
}
