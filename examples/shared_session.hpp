// shared_session.hpp: one buffer_oauth::session shared by the threads of a
// process, and through a credential_store by other processes, whose refresh
// lock one refresh holds from reading the store to storing its answer. A thread that
// needs a refresh sends it itself, outside the lock, while the others keep
// the token until it expires and then wait for that refresh's answer: one
// refresh per generation, and no refresh token sent twice, which Buffer would
// take as a stolen token and answer by revoking the grant.
#ifndef BUFFER_OAUTH_EXAMPLES_SHARED_SESSION_HPP
#define BUFFER_OAUTH_EXAMPLES_SHARED_SESSION_HPP

#include "credential_store.hpp"

#include <buffer_oauth.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace buffer_oauth_cli {

/// Sends a request and returns the provider's answer. Throws when no answer
/// came (a transport failure): the refresh token is then kept for the next
/// refresh, as the request may never have arrived.
using send_function = std::function<buffer_oauth::http_response(const buffer_oauth::http_request&)>;

/// Milliseconds on a clock that other processes sharing the store agree on
/// (e.g. std::chrono::system_clock). Read under the lock, so that the session
/// sees the times in order; a step back is held at the latest time read.
using clock_function = std::function<buffer_oauth::timestamp()>;

/// What to put on one API call.
struct attachable_token {
  std::string access_token;  ///< secret
  /// Give it to shared_session::rejected if the API refuses the token.
  std::uint64_t generation = 0;
};

struct shared_session_counters {
  std::uint64_t refreshes_sent = 0;  ///< refresh requests handed to send
  std::uint64_t waits = 0;           ///< token() calls that waited for another's refresh
  std::uint64_t adoptions = 0;       ///< newer credentials taken from the store
};

class shared_session {
 public:
  /// Nothing is read until the first token(): then the store must hold
  /// credentials (to_string of make_credentials after a login).
  shared_session(buffer_oauth::provider p, buffer_oauth::client c, credential_store& store,
                 send_function send, clock_function clock, buffer_oauth::session_options options = {},
                 const buffer_oauth::limits& lim = {})
      : provider_(std::move(p)),
        client_(std::move(c)),
        options_(std::move(options)),
        limits_(lim),
        store_(store),
        send_(std::move(send)),
        clock_(std::move(clock)) {}

  shared_session(const shared_session&) = delete;
  shared_session& operator=(const shared_session&) = delete;

  /// An access token to attach now, refreshed first if it is due. Errors:
  /// the session's (reauthorization_required and rotation_lost for every
  /// caller once the grant is gone), those of the refresh this call sent
  /// (rate_limited, a provider error; the next call tries again), and the
  /// store's (corrupt_credentials; reauthorization_required when it is
  /// empty). Rethrows what send threw for this call's refresh.
  buffer_oauth::result<attachable_token> token() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      if (auto started = start(); !started) return started.error();
      auto step = session_->use(now());
      if (!step) {
        // A login elsewhere may have stored new credentials since the grant ended.
        if (session_->state() == buffer_oauth::session_state::ended && adopt_stored()) continue;
        return step.error();
      }
      switch (step->action) {
        case buffer_oauth::session_action::attach:
          return attachable_token{step->token->access_token, step->token->generation};
        case buffer_oauth::session_action::wait: {
          ++counters_.waits;
          const std::uint64_t ticket = step->ticket;
          answered_.wait(lock, [&] { return session_->ticket_in_flight() != ticket; });
          break;
        }
        case buffer_oauth::session_action::refresh: {
          auto refreshed = refresh(lock, *step);
          answered_.notify_all();
          if (!refreshed) return refreshed.error();
          break;
        }
      }
    }
  }

  /// The API refused the token of `generation` (errc::token_rejected): the
  /// next token() refreshes, once for all callers that report it.
  buffer_oauth::result<void> rejected(std::uint64_t generation) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (auto started = start(); !started) return started;
    auto invalidated = session_->invalidate(generation, now());
    answered_.notify_all();  // an ended session answers every waiter
    return invalidated;
  }

  shared_session_counters counters() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return counters_;
  }

 private:
  buffer_oauth::result<void> start() {
    if (session_) return {};
    auto stored = store_.load();
    if (!stored) {
      buffer_oauth::error e;
      e.code = buffer_oauth::errc::reauthorization_required;
      e.message = "no credentials are stored; log in";
      return e;
    }
    auto loaded = buffer_oauth::parse_credentials(stored->text, limits_);
    if (!loaded) return loaded.error();
    session_.emplace(provider_, client_, *std::move(loaded), options_, limits_);
    return {};
  }

  /// The stored credentials if their generation is above `generation`.
  buffer_oauth::result<std::optional<buffer_oauth::credentials>> stored_after(std::uint64_t generation) {
    auto stored = store_.load();
    if (!stored || stored->generation <= generation) return std::optional<buffer_oauth::credentials>();
    auto parsed = buffer_oauth::parse_credentials(stored->text, limits_);
    if (!parsed) return parsed.error();
    return std::optional<buffer_oauth::credentials>(*std::move(parsed));
  }

  buffer_oauth::result<void> adopt(buffer_oauth::credentials newer) {
    auto adopted = session_->adopt(std::move(newer), now());
    if (adopted) ++counters_.adoptions;
    return adopted;
  }

  /// Takes newer credentials from the store, if it has any; false if not.
  bool adopt_stored() {
    auto newer = stored_after(session_->current().generation);
    return newer && *newer && adopt(std::move(**newer));
  }

  /// Sends the refresh `step` hands out, with the lock released, and answers
  /// its ticket under the lock again. A throw from the store or from send
  /// gives the ticket back first: unsent, or sent with no answer.
  buffer_oauth::result<void> refresh(std::unique_lock<std::mutex>& lock,
                                     const buffer_oauth::session_step& step) {
    const std::uint64_t generation = session_->current().generation;
    const buffer_oauth::http_request request = *step.request;  // the session may change once unlocked
    lock.unlock();
    bool sent = false, answered = false;
    try {
      const credential_store::refresh_lock held(store_);
      // Another user of the store may have refreshed already and spent this refresh token.
      auto newer = stored_after(generation);
      if (!newer || *newer) {
        lock.lock();
        auto adopted = newer ? adopt(std::move(**newer)) : buffer_oauth::result<void>(newer.error());
        if (!adopted) (void)session_->refresh_not_sent(step.ticket, now());
        return adopted;
      }
      sent = true;
      const buffer_oauth::http_response answer = send_(request);
      lock.lock();
      answered = true;
      ++counters_.refreshes_sent;
      auto got = session_->refresh_response(step.ticket, answer, now());
      if (!got) return got.error();
      const std::uint64_t stored = got->current.generation;
      // Lost only to a store changed behind the lock's back: its newer generation wins.
      if (!store_.compare_and_swap(stored - 1, {stored, buffer_oauth::to_string(got->current)}))
        adopt_stored();
      return {};
    } catch (...) {
      if (!lock.owns_lock()) lock.lock();
      if (!sent) {
        (void)session_->refresh_not_sent(step.ticket, now());
      } else if (!answered) {
        ++counters_.refreshes_sent;
        (void)session_->refresh_failed(step.ticket, now());
      }
      answered_.notify_all();
      throw;
    }
  }

  /// The clock, held at the latest time read if it steps back: the session
  /// refuses time going backwards, and a ticket must always be answered.
  buffer_oauth::timestamp now() {
    latest_ = std::max(latest_, clock_());
    return latest_;
  }

  buffer_oauth::provider provider_;
  buffer_oauth::client client_;
  buffer_oauth::session_options options_;
  buffer_oauth::limits limits_;
  credential_store& store_;
  send_function send_;
  clock_function clock_;
  buffer_oauth::timestamp latest_ = buffer_oauth::timestamp::min();

  mutable std::mutex mutex_;
  std::condition_variable answered_;  ///< a ticket was answered, or the session ended
  std::optional<buffer_oauth::session> session_;
  shared_session_counters counters_;
};

}  // namespace buffer_oauth_cli

#endif  // BUFFER_OAUTH_EXAMPLES_SHARED_SESSION_HPP
