// file_credential_store.hpp: a credential_store on a file that every process
// of one user shares. The file holds two lines: the credentials' text
// (buffer_oauth::to_string, secret) and an opaque line the caller gives,
// which the store keeps across its swaps (the CLI's client description).
// Every change is written to a fresh file of mode 0600 beside it and renamed
// over it, so a reader sees the old file or the new one, never part of
// either; a flock on FILE.lock makes the read, compare and write one step
// across processes.
#ifndef BUFFER_OAUTH_EXAMPLES_FILE_CREDENTIAL_STORE_HPP
#define BUFFER_OAUTH_EXAMPLES_FILE_CREDENTIAL_STORE_HPP

#include "credential_store.hpp"

#include <buffer_oauth.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace buffer_oauth_cli {

/// A credentials file that cannot be used; errc() names why: the core's
/// corrupt_credentials, unsupported_credentials or too_large, or
/// credentials_unsafe (others may read it) and credentials_io.
class credential_file_error : public std::runtime_error {
 public:
  credential_file_error(std::string errc, const std::string& message)
      : std::runtime_error(message), errc_(std::move(errc)) {}
  const std::string& errc() const noexcept { return errc_; }

 private:
  std::string errc_;
};

/// $XDG_CONFIG_HOME/buffer-oauth/credentials, else $HOME/.config/buffer-oauth/credentials.
inline std::string default_credentials_path() {
  const char* config = std::getenv("XDG_CONFIG_HOME");
  if (config != nullptr && *config != '\0') return std::string(config) + "/buffer-oauth/credentials";
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0')
    throw credential_file_error("credentials_io",
                                "neither XDG_CONFIG_HOME nor HOME is set: give --credentials");
  return std::string(home) + "/.config/buffer-oauth/credentials";
}

/// What a credentials file holds.
struct credentials_file {
  stored_credentials credentials;
  std::string client;  ///< the caller's line, kept across swaps
};

namespace detail {

class file_descriptor {
 public:
  explicit file_descriptor(int fd = -1) noexcept : fd_(fd) {}
  file_descriptor(file_descriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  file_descriptor& operator=(file_descriptor&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~file_descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

[[noreturn]] inline void fail_io(const std::string& what, const std::string& path) {
  throw credential_file_error("credentials_io", what + " " + path + ": " + std::strerror(errno));
}

inline std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

/// mkdir -p with mode 0700 for the folders it creates.
inline void make_directories(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) return;
  if (dir != parent_of(dir)) make_directories(parent_of(dir));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail_io("cannot create", dir);
}

inline void write_all(int fd, const std::string& text, const std::string& path) {
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_io("cannot write", path);
    done += static_cast<std::size_t>(n);
  }
}

inline void sync_directory(const std::string& dir) {
  const file_descriptor d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() < 0 || ::fsync(d.get()) != 0) fail_io("cannot sync", dir);
}

}  // namespace detail

class file_credential_store final : public credential_store {
 public:
  /// Held while the lock on FILE.lock is; the same store may lock again
  /// inside (compare_and_swap does).
  class lock_handle {
   public:
    explicit lock_handle(file_credential_store& store) : store_(&store) { store_->acquire(); }
    lock_handle(lock_handle&& other) noexcept : store_(std::exchange(other.store_, nullptr)) {}
    lock_handle& operator=(lock_handle&&) = delete;
    ~lock_handle() {
      if (store_ != nullptr) store_->release();
    }

   private:
    file_credential_store* store_;
  };

  explicit file_credential_store(std::string path) : path_(std::move(path)) {}

  const std::string& path() const noexcept { return path_; }

  /// Excludes every other process's change of the file until the handle goes.
  [[nodiscard]] lock_handle lock() { return lock_handle(*this); }

  /// The file's credentials and client line, or nothing if there is no file.
  /// Refuses a file that group or others may read or write.
  std::optional<credentials_file> read() const {
    const detail::file_descriptor f(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (f.get() < 0) {
      if (errno == ENOENT) return std::nullopt;
      detail::fail_io("cannot open", path_);
    }
    struct stat st {};
    if (::fstat(f.get(), &st) != 0) detail::fail_io("cannot stat", path_);
    if (!S_ISREG(st.st_mode)) throw credential_file_error("credentials_io", path_ + " is not a regular file");
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
      throw credential_file_error(
          "credentials_unsafe",
          path_ + " holds secrets but group or others may use it: chmod 600 it, or log in again");
    std::string text;
    char chunk[4096];
    for (;;) {
      const ssize_t n = ::read(f.get(), chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) detail::fail_io("cannot read", path_);
      if (n == 0) break;
      text.append(chunk, static_cast<std::size_t>(n));
      if (text.size() > max_file_size)
        throw credential_file_error("too_large", path_ + " is larger than a credentials file can be");
    }
    credentials_file file;
    const auto end_of_credentials = text.find('\n');
    file.credentials.text = text.substr(0, end_of_credentials);
    if (end_of_credentials != std::string::npos) {
      file.client = text.substr(end_of_credentials + 1);
      if (!file.client.empty() && file.client.back() == '\n') file.client.pop_back();
    }
    auto parsed = buffer_oauth::parse_credentials(file.credentials.text);
    if (!parsed)
      throw credential_file_error(std::string(buffer_oauth::to_string(parsed.error().code)),
                                  path_ + ": " + parsed.error().message);
    file.credentials.generation = parsed->generation;
    return file;
  }

  std::optional<stored_credentials> load() override {
    auto file = read();
    if (!file) return std::nullopt;
    return std::move(file->credentials);
  }

  /// Replaces the file's credentials, keeping its client line.
  bool compare_and_swap(std::uint64_t expected, const stored_credentials& next) override {
    const auto held = lock();
    const auto file = read();
    if (!file || file->credentials.generation != expected) return false;
    write(next, file->client);
    return true;
  }

  /// Writes the file whatever it held; hold lock() around reading the old
  /// generation and this.
  void write(const stored_credentials& next, const std::string& client) {
    const auto held = lock();
    const std::string dir = detail::parent_of(path_);
    const std::string temporary = path_ + ".tmp." + std::to_string(::getpid());
    ::unlink(temporary.c_str());  // left by a process that died writing it; we hold the lock
    {
      const detail::file_descriptor f(
          ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
      if (f.get() < 0) detail::fail_io("cannot create", temporary);
      detail::write_all(f.get(), next.text + "\n" + client + "\n", temporary);
      if (::fsync(f.get()) != 0) detail::fail_io("cannot sync", temporary);
    }
    if (::rename(temporary.c_str(), path_.c_str()) != 0) detail::fail_io("cannot rename over", path_);
    detail::sync_directory(dir);
  }

  void lock_refresh() override { acquire(); }
  void unlock_refresh() noexcept override { release(); }

  /// Deletes the file; false if there was none.
  bool remove() {
    const auto held = lock();
    if (::unlink(path_.c_str()) != 0) {
      if (errno == ENOENT) return false;
      detail::fail_io("cannot delete", path_);
    }
    detail::sync_directory(detail::parent_of(path_));
    return true;
  }

 private:
  static constexpr std::size_t max_file_size = 64 * 1024;

  // A flock excludes other processes; threads of this one queue on
  // in_process_ first, and the thread holding it may lock again.
  void acquire() {
    std::unique_lock<std::recursive_mutex> queued(in_process_);
    if (lock_depth_ == 0) {
      detail::make_directories(detail::parent_of(path_));
      const std::string lock_path = path_ + ".lock";
      detail::file_descriptor f(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
      if (f.get() < 0) detail::fail_io("cannot open", lock_path);
      int locked = 0;
      while ((locked = ::flock(f.get(), LOCK_EX)) != 0 && errno == EINTR) {}
      if (locked != 0) detail::fail_io("cannot lock", lock_path);
      lock_file_ = std::move(f);
    }
    ++lock_depth_;
    static_cast<void>(queued.release());  // held until release()
  }

  void release() noexcept {
    if (--lock_depth_ == 0) lock_file_ = detail::file_descriptor();  // closing it unlocks
    in_process_.unlock();
  }

  std::string path_;
  std::recursive_mutex in_process_;
  detail::file_descriptor lock_file_;
  int lock_depth_ = 0;
};

}  // namespace buffer_oauth_cli

#endif  // BUFFER_OAUTH_EXAMPLES_FILE_CREDENTIAL_STORE_HPP
