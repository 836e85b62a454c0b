// shared_session (examples/shared_session.hpp) against a token endpoint in
// this process that rotates refresh tokens as Buffer does, a spent one sent
// again revoking the grant, on a clock the test moves: many threads get one
// refresh per generation and never send a refresh token twice; a rejection
// reported by all of them refreshes once; an ended grant is every caller's
// error, without a retry; a second process adopts what the first stored.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "shared_session.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace buffer_oauth_cli;
namespace bo = buffer_oauth;
using namespace std::chrono_literals;

namespace {

/// Milliseconds of a system clock the test moves, shared by every thread.
struct virtual_clock {
  std::atomic<std::int64_t> ms{1'700'000'000'000};
  bo::timestamp now() const { return bo::timestamp(ms.load()); }
  void advance(std::chrono::milliseconds by) { ms += by.count(); }
};

constexpr std::int64_t token_life_s = 60;

/// A token endpoint that rotates the refresh token on every use and revokes
/// the grant when a spent one comes back.
class rotating_provider {
 public:
  explicit rotating_provider(virtual_clock& clock) : clock_(clock) {}

  /// What a login gave, as generation 0.
  bo::credentials login() {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto c = bo::make_credentials(issue(), clock_.now());
    REQUIRE_MESSAGE(c, c.error().message);
    return *c;
  }

  bo::http_response answer(const bo::http_request& request) {
    const std::string body = request.body;
    const std::string key = "refresh_token=";
    const auto at = body.find(key);
    const std::string sent =
        at == std::string::npos ? "" : body.substr(at + key.size(), body.find('&', at) - at - key.size());

    std::unique_lock<std::mutex> lock(mutex_);
    received_.push_back(sent);
    if (revoked_ || sent != live_refresh_token_) {
      revoked_ = true;
      return {400,
              {{"Content-Type", "application/json"}},
              R"({"error":"invalid_grant","error_description":"grant request is invalid"})"};
    }
    const bo::token t = issue();
    const bool slow = issued_ % 2 == 0;
    lock.unlock();
    // Every other refresh outlasts the token it replaces, so callers wait.
    clock_.advance(slow ? 40s : 5s);
    if (slow && while_slow) while_slow();
    return {200,
            {{"Content-Type", "application/json"}},
            R"({"access_token":")" + t.access_token + R"(","token_type":"Bearer","expires_in":)" +
                std::to_string(token_life_s) + R"(,"refresh_token":")" + t.refresh_token + "\"}"};
  }

  /// Runs while a slow refresh is in flight, after the token it replaces expired.
  std::function<void()> while_slow;

  send_function send() {
    return [this](const bo::http_request& r) { return answer(r); };
  }

  std::vector<std::string> received() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }
  bool revoked() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return revoked_;
  }
  void revoke() {
    const std::lock_guard<std::mutex> lock(mutex_);
    revoked_ = true;
  }

 private:
  bo::token issue() {
    bo::token t;
    t.access_token = "at-" + std::to_string(issued_);
    t.token_type = "Bearer";
    t.refresh_token = live_refresh_token_ = "rt-" + std::to_string(issued_);
    t.expires_in = token_life_s;
    ++issued_;
    return t;
  }

  virtual_clock& clock_;
  std::mutex mutex_;
  std::uint64_t issued_ = 0;
  std::string live_refresh_token_;
  std::vector<std::string> received_;
  bool revoked_ = false;
};

bo::client app() { return {"buffer-cli", "", "http://127.0.0.1:8765/callback"}; }

/// A store holding the login's credentials, as `login` leaves it.
memory_credential_store stored_login(rotating_provider& provider) {
  const bo::credentials c = provider.login();
  return memory_credential_store(stored_credentials{c.generation, bo::to_string(c)});
}

/// One session of a process on `store`.
struct process {
  virtual_clock& clock;
  shared_session shared;
  process(rotating_provider& provider, virtual_clock& c, credential_store& store, send_function send = {})
      : clock(c),
        shared(bo::provider::buffer(), app(), store, send ? std::move(send) : provider.send(),
               [&c] { return c.now(); }) {}
};

bool unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return std::adjacent_find(v.begin(), v.end()) == v.end();
}

template <class Work>
void on_threads(int n, Work work) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(work);
  for (auto& t : threads) t.join();
}

}  // namespace

TEST_CASE("8 threads: one refresh per generation, no refresh token sent twice, callers wait for a refresh") {
  virtual_clock clock;
  rotating_provider provider(clock);
  auto store = stored_login(provider);
  process p(provider, clock, store);
  provider.while_slow = [&] {
    const auto waits = p.shared.counters().waits;
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (p.shared.counters().waits == waits && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
  };

  std::atomic<int> failures{0}, generation_went_back{0};
  on_threads(8, [&] {
    std::uint64_t last = 0;
    for (int call = 0; call < 500; ++call) {
      auto t = p.shared.token();
      if (!t) {
        ++failures;
        continue;
      }
      if (t->generation < last || t->access_token != "at-" + std::to_string(t->generation))
        ++generation_went_back;
      last = t->generation;
      clock.advance(100ms);
    }
  });

  auto last = p.shared.token();
  REQUIRE(last);
  const auto counters = p.shared.counters();
  const auto received = provider.received();
  MESSAGE("refreshes " << counters.refreshes_sent << ", waits " << counters.waits);
  CHECK(failures == 0);
  CHECK(generation_went_back == 0);
  CHECK_FALSE(provider.revoked());
  CHECK(unique(received));
  CHECK(received.size() == counters.refreshes_sent);
  CHECK(counters.refreshes_sent >= 5);
  CHECK(counters.waits > 0);
  CHECK(counters.adoptions == 0);
  // One refresh per generation, each stored.
  CHECK(last->generation == counters.refreshes_sent);
  REQUIRE(store.load());
  CHECK(store.load()->generation == last->generation);
  auto stored = bo::parse_credentials(store.load()->text);
  REQUIRE(stored);
  CHECK(stored->access_token == last->access_token);
}

TEST_CASE("a rejection that 8 threads report is refreshed once") {
  virtual_clock clock;
  rotating_provider provider(clock);
  auto store = stored_login(provider);
  process p(provider, clock, store);
  auto first = p.shared.token();
  REQUIRE(first);
  CHECK(first->generation == 0);

  std::atomic<int> failures{0}, refreshed{0};
  on_threads(8, [&] {
    if (!p.shared.rejected(first->generation)) ++failures;
    auto t = p.shared.token();
    if (!t) ++failures;
    if (t && t->generation == 1) ++refreshed;
  });
  CHECK(failures == 0);
  CHECK(refreshed == 8);
  CHECK(p.shared.counters().refreshes_sent == 1);
  CHECK(provider.received() == std::vector<std::string>{"rt-0"});
}

TEST_CASE("a revoked grant is every caller's reauthorization_required, after one refresh") {
  virtual_clock clock;
  rotating_provider provider(clock);
  auto store = stored_login(provider);
  process p(provider, clock, store);
  provider.revoke();
  clock.advance(std::chrono::seconds(token_life_s));

  std::atomic<int> ended{0};
  on_threads(8, [&] {
    for (int call = 0; call < 3; ++call)
      if (p.shared.token().code() == bo::errc::reauthorization_required) ++ended;
  });
  CHECK(ended == 24);
  CHECK(p.shared.counters().refreshes_sent == 1);
  CHECK(provider.received().size() == 1);
}

TEST_CASE("a second process adopts the credentials the first stored instead of refreshing again") {
  virtual_clock clock;
  rotating_provider provider(clock);
  auto store = stored_login(provider);
  process a(provider, clock, store), b(provider, clock, store);
  REQUIRE(a.shared.token());
  REQUIRE(b.shared.token());
  clock.advance(std::chrono::seconds(token_life_s / 2));

  auto from_a = a.shared.token();
  REQUIRE(from_a);
  CHECK(from_a->generation == 1);
  auto from_b = b.shared.token();
  REQUIRE(from_b);
  CHECK(from_b->generation == 1);
  CHECK(from_b->access_token == from_a->access_token);
  CHECK(a.shared.counters().refreshes_sent == 1);
  CHECK(b.shared.counters().refreshes_sent == 0);
  CHECK(b.shared.counters().adoptions == 1);
  CHECK(provider.received() == std::vector<std::string>{"rt-0"});
  CHECK_FALSE(provider.revoked());
}

TEST_CASE("two processes on one store, 4 threads each: no refresh token sent twice, every refresh stored") {
  virtual_clock clock;
  rotating_provider provider(clock);
  auto store = stored_login(provider);
  process a(provider, clock, store), b(provider, clock, store);

  std::atomic<int> failures{0};
  auto calls = [&](process& p) {
    return [&] {
      for (int call = 0; call < 300; ++call) {
        if (!p.shared.token()) ++failures;
        clock.advance(100ms);
      }
    };
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back(calls(a));
    threads.emplace_back(calls(b));
  }
  for (auto& t : threads) t.join();

  const auto received = provider.received();
  const auto sent = a.shared.counters().refreshes_sent + b.shared.counters().refreshes_sent;
  MESSAGE("refreshes " << sent << ", adoptions "
                       << a.shared.counters().adoptions + b.shared.counters().adoptions);
  CHECK(failures == 0);
  CHECK_FALSE(provider.revoked());
  CHECK(unique(received));
  CHECK(received.size() == sent);
  CHECK(sent >= 5);
  REQUIRE(store.load());
  CHECK(store.load()->generation == sent);
}

struct race_outcome {
  std::vector<std::string> received;  ///< the refresh tokens the provider got
  bo::errc a = bo::errc::ok, b = bo::errc::ok;
};

/// Two processes due for a refresh at once, each refresh held in send until
/// the other process has sent its own too (or 2 s passed).
static race_outcome simultaneous_refreshes(rotating_provider& provider, virtual_clock& clock,
                                           credential_store& store) {
  std::atomic<int> in_send{0};
  auto meeting = [&](const bo::http_request& r) {
    ++in_send;
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (in_send < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    return provider.answer(r);
  };
  process a(provider, clock, store, meeting), b(provider, clock, store, meeting);
  REQUIRE(a.shared.token());
  REQUIRE(b.shared.token());
  clock.advance(std::chrono::seconds(token_life_s));
  race_outcome out;
  std::thread other([&] { out.b = b.shared.token().code(); });
  out.a = a.shared.token().code();
  other.join();
  out.received = provider.received();
  return out;
}

TEST_CASE("two processes due at once: the store's refresh lock makes one send and the other adopt") {
  virtual_clock clock;
  rotating_provider provider(clock);
  auto store = stored_login(provider);
  const auto out = simultaneous_refreshes(provider, clock, store);
  CHECK(out.received == std::vector<std::string>{"rt-0"});
  CHECK(out.a == bo::errc::ok);
  CHECK(out.b == bo::errc::ok);
  CHECK_FALSE(provider.revoked());
}

/// A store whose refresh lock is always free, as a store without one would be.
class unlocked_store final : public credential_store {
 public:
  explicit unlocked_store(memory_credential_store& real) : real_(real) {}
  std::optional<stored_credentials> load() override { return real_.load(); }
  bool compare_and_swap(std::uint64_t expected, const stored_credentials& next) override {
    return real_.compare_and_swap(expected, next);
  }
  void lock_refresh() override {}
  void unlock_refresh() noexcept override {}

 private:
  memory_credential_store& real_;
};

TEST_CASE(
    "without a refresh lock the same two processes send one refresh token twice, and the grant is revoked") {
  virtual_clock clock;
  rotating_provider provider(clock);
  auto real = stored_login(provider);
  unlocked_store store(real);
  const auto out = simultaneous_refreshes(provider, clock, store);
  CHECK(out.received == std::vector<std::string>{"rt-0", "rt-0"});
  CHECK(provider.revoked());
  // Whichever answer came second was refused, and the grant is gone for both.
  CHECK((out.a == bo::errc::reauthorization_required || out.b == bo::errc::reauthorization_required));
}

TEST_CASE("a refresh that got no answer is rethrown to its caller, and the next call sends it again") {
  virtual_clock clock;
  rotating_provider provider(clock);
  auto store = stored_login(provider);
  bool network_down = true;
  process p(provider, clock, store, [&](const bo::http_request& r) {
    if (network_down) throw std::runtime_error("connection refused");
    return provider.answer(r);
  });
  clock.advance(std::chrono::seconds(token_life_s));

  CHECK_THROWS_AS((void)p.shared.token(), std::runtime_error);
  network_down = false;
  auto t = p.shared.token();
  REQUIRE(t);
  CHECK(t->generation == 1);
  CHECK(p.shared.counters().refreshes_sent == 2);
  CHECK(provider.received() == std::vector<std::string>{"rt-0"});
}

/// A store that, once armed, serves one corrupt load of a "newer" generation.
class flaky_store final : public credential_store {
 public:
  explicit flaky_store(memory_credential_store& real) : real_(real) {}
  std::optional<stored_credentials> load() override {
    if (corrupt_next) {
      corrupt_next = false;
      return stored_credentials{7, "boc1.not-credentials"};
    }
    return real_.load();
  }
  bool compare_and_swap(std::uint64_t expected, const stored_credentials& next) override {
    return real_.compare_and_swap(expected, next);
  }
  void lock_refresh() override { real_.lock_refresh(); }
  void unlock_refresh() noexcept override { real_.unlock_refresh(); }
  bool corrupt_next = false;

 private:
  memory_credential_store& real_;
};

TEST_CASE(
    "a refresh dropped before sending, as the store was unreadable, is no lost answer: invalid_grant later "
    "is reauthorization_required") {
  virtual_clock clock;
  rotating_provider provider(clock);
  auto real = stored_login(provider);
  flaky_store store(real);
  process p(provider, clock, store);
  REQUIRE(p.shared.token());
  provider.revoke();
  clock.advance(std::chrono::seconds(token_life_s));

  store.corrupt_next = true;
  CHECK(p.shared.token().code() == bo::errc::corrupt_credentials);
  CHECK(p.shared.counters().refreshes_sent == 0);
  CHECK(provider.received().empty());

  auto t = p.shared.token();
  CHECK(t.code() == bo::errc::reauthorization_required);
  CHECK(p.shared.counters().refreshes_sent == 1);
  CHECK(provider.received() == std::vector<std::string>{"rt-0"});
}
