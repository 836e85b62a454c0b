// credential_store.hpp: where a buffer_oauth::session's credentials live
// between runs and between processes. A store holds one text form
// (buffer_oauth::to_string of credentials) and its generation, and replaces
// generation N only with N + 1 (compare and swap), so that two refreshes of
// one grant cannot overwrite each other: the second finds a newer
// generation, and adopts it instead of storing its own.
#ifndef BUFFER_OAUTH_EXAMPLES_CREDENTIAL_STORE_HPP
#define BUFFER_OAUTH_EXAMPLES_CREDENTIAL_STORE_HPP

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace buffer_oauth_cli {

/// What a store holds: the credentials' text and their generation.
struct stored_credentials {
  std::uint64_t generation = 0;
  std::string text;  ///< secret
};

class credential_store {
 public:
  virtual ~credential_store() = default;
  /// The stored credentials, or nothing if none are stored.
  virtual std::optional<stored_credentials> load() = 0;
  /// Stores `next` if the store still holds generation `expected`; false,
  /// changing nothing, if it holds another.
  virtual bool compare_and_swap(std::uint64_t expected, const stored_credentials& next) = 0;
  /// Excludes every other refresh through this store, in this process and,
  /// for a store that processes share, in theirs, until unlock_refresh.
  /// Held from reading the stored generation to storing the refresh's
  /// answer, it keeps two users of the store from sending one refresh token.
  virtual void lock_refresh() = 0;
  virtual void unlock_refresh() noexcept = 0;

  /// lock_refresh for a scope.
  class refresh_lock {
   public:
    explicit refresh_lock(credential_store& store) : store_(store) { store_.lock_refresh(); }
    ~refresh_lock() { store_.unlock_refresh(); }
    refresh_lock(const refresh_lock&) = delete;
    refresh_lock& operator=(const refresh_lock&) = delete;

   private:
    credential_store& store_;
  };
};

/// A store in memory, for one process (tests, short-lived programs).
class memory_credential_store final : public credential_store {
 public:
  explicit memory_credential_store(std::optional<stored_credentials> initial = {})
      : held_(std::move(initial)) {}

  std::optional<stored_credentials> load() override {
    const std::lock_guard<std::mutex> lock(mutex_);
    return held_;
  }

  bool compare_and_swap(std::uint64_t expected, const stored_credentials& next) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!held_ || held_->generation != expected) return false;
    held_ = next;
    return true;
  }

  void lock_refresh() override { refresh_mutex_.lock(); }
  void unlock_refresh() noexcept override { refresh_mutex_.unlock(); }

 private:
  std::mutex mutex_;
  std::mutex refresh_mutex_;
  std::optional<stored_credentials> held_;
};

}  // namespace buffer_oauth_cli

#endif  // BUFFER_OAUTH_EXAMPLES_CREDENTIAL_STORE_HPP
