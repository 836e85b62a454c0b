// SPDX-License-Identifier: MIT
// buffer_oauth_curl.hpp: sends a buffer_oauth::http_request with libcurl and
// returns result<http_response>. Optional: the core never includes it.
//
// Every transfer verifies the TLS peer and host name (there is no switch to
// turn that off), speaks only http and https, follows no redirect (a 302 is
// data for the caller to read), has a connect and a total timeout, and stops
// reading at limits::max_body (too_large). No exception is thrown; no
// response at all is errc::transport_error with libcurl's own words, and the
// message never holds the request's path, query, headers or body, where
// secrets travel.
#ifndef BUFFER_OAUTH_CURL_HPP
#define BUFFER_OAUTH_CURL_HPP

#include <curl/curl.h>

#include <buffer_oauth.hpp>

#include <chrono>
#include <cstddef>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace buffer_oauth::curl {

using options = buffer_oauth::transport_options;

/// curl_global_init for the life of the program: make one in main, before
/// any thread sends, and check ok().
class global {
 public:
  global() noexcept : ok_(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) {}
  ~global() {
    if (ok_) curl_global_cleanup();
  }
  global(const global&) = delete;
  global& operator=(const global&) = delete;
  bool ok() const noexcept { return ok_; }

 private:
  bool ok_;
};

namespace detail {

using buffer_oauth::detail::origin_of;
using buffer_oauth::detail::transport_failed;

/// What the callbacks fill while libcurl reads a response.
struct transfer {
  http_response response;
  std::size_t max_body = 0;
  std::size_t body_seen = 0;  // with the piece that went over max_body
  bool body_too_large = false;
};

inline std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto* t = static_cast<transfer*>(user);
  const std::size_t n = size * count;
  if (n > t->max_body - t->response.body.size()) {
    t->body_too_large = true;
    t->body_seen = t->response.body.size() + n;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

inline std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) noexcept {
  auto* t = static_cast<transfer*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    t->response.headers.clear();  // a final response after 1xx: only its headers count
    return n;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  t->response.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  return n;
}

inline bool is_loopback_url(std::string_view url) noexcept {
  const std::string_view origin = origin_of(url);
  const std::size_t at = origin.find("://");
  if (at == std::string_view::npos) return false;
  const std::string_view host = origin.substr(at + 3);
  return host.substr(0, 4) == "127." || host.substr(0, 5) == "[::1]" || host == "localhost" ||
         host.substr(0, 10) == "localhost:";
}

/// The system's CA bundle followed by the file `extra`: libcurl takes one
/// bundle, and naming a file of one's own would drop the system's.
inline bool ca_bundle_with(CURL* h, const std::string& extra, std::string& bundle) {
  char* system_bundle = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CAINFO, &system_bundle) == CURLE_OK && system_bundle != nullptr) {
    std::ifstream in(system_bundle, std::ios::binary);
    bundle.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
  }
  std::ifstream in(extra, std::ios::binary);
  if (!in) return false;
  bundle.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

using header_list = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

inline bool append_header(header_list& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  static_cast<void>(list.release());  // curl_slist_append returns the same list, grown
  list.reset(grown);
  return true;
}

/// Sets every option of one transfer on `h`. The header list and `t` must
/// outlive the transfer.
inline result<void> prepare(CURL* h, const http_request& req, const options& o, transfer& t,
                            header_list& headers, char* error_text) {
  if (auto valid = check_sendable(req, o); !valid) return valid;
  CURLcode rc = CURLE_OK;
  const char* what = "";
  auto set = [&](CURLoption option, auto value, const char* name) {
    if (rc == CURLE_OK) {
      rc = curl_easy_setopt(h, option, value);
      what = name;
    }
  };
  t.max_body = o.limits.max_body;
  set(CURLOPT_URL, req.url.c_str(), "URL");
  set(CURLOPT_PROTOCOLS_STR, "http,https", "protocols");
  set(CURLOPT_FOLLOWLOCATION, 0L, "no redirects");
  set(CURLOPT_SSL_VERIFYPEER, 1L, "TLS peer verification");
  set(CURLOPT_SSL_VERIFYHOST, 2L, "TLS host verification");
  std::string bundle;
  if (!o.ca_file.empty()) {
    if (!ca_bundle_with(h, o.ca_file, bundle))
      return transport_failed(req, "cannot read the CA file", o.ca_file);
    curl_blob blob{bundle.data(), bundle.size(), CURL_BLOB_COPY};
    set(CURLOPT_CAINFO_BLOB, &blob, "CA file");
  }
  if (!o.ca_path.empty()) set(CURLOPT_CAPATH, o.ca_path.c_str(), "CA path");
  set(CURLOPT_NOSIGNAL, 1L, "no signals");
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()), "connect timeout");
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(o.total_timeout.count()), "total timeout");
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.limits.max_body), "size cap");
  if (!o.user_agent.empty()) set(CURLOPT_USERAGENT, o.user_agent.c_str(), "user agent");
  set(CURLOPT_ERRORBUFFER, error_text, "error buffer");
  set(CURLOPT_WRITEFUNCTION, &on_body, "body callback");
  set(CURLOPT_WRITEDATA, static_cast<void*>(&t), "body data");
  set(CURLOPT_HEADERFUNCTION, &on_header, "header callback");
  set(CURLOPT_HEADERDATA, static_cast<void*>(&t), "header data");
  // A loopback server is never reached through a proxy from the environment.
  if (is_loopback_url(req.url)) set(CURLOPT_NOPROXY, "*", "no proxy");

  if (req.method == "GET") {
    set(CURLOPT_HTTPGET, 1L, "GET");
  } else if (req.method == "HEAD") {
    set(CURLOPT_NOBODY, 1L, "HEAD");
  } else {
    // The body goes exactly as built, even when empty (Content-Length: 0).
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()), "body size");
    set(CURLOPT_POSTFIELDS, req.body.c_str(), "body");
    if (req.method != "POST") set(CURLOPT_CUSTOMREQUEST, req.method.c_str(), "method");
  }
  if (rc != CURLE_OK)
    return transport_failed(req, std::string("setting the ") + what, curl_easy_strerror(rc));

  bool listed = true;
  for (const auto& header : req.headers)  // "Name;" is libcurl's spelling of an empty value
    listed = listed && append_header(headers, header.value.empty() ? header.name + ";"
                                                                   : header.name + ": " + header.value);
  if (find_header(req.headers, "Content-Type") == nullptr)
    listed = listed && append_header(headers, "Content-Type:");  // not the form type curl would invent
  listed = listed && append_header(headers, "Expect:");          // no 100-continue round trip
  if (!listed) return transport_failed(req, "out of memory for the header list", {});
  set(CURLOPT_HTTPHEADER, headers.get(), "headers");
  if (rc != CURLE_OK)
    return transport_failed(req, std::string("setting the ") + what, curl_easy_strerror(rc));
  return {};
}

/// The outcome of a finished transfer: the response, too_large, or transport_error.
inline result<http_response> finish(CURL* h, const http_request& req, const options& o, transfer& t,
                                    CURLcode rc, const char* error_text) {
  if (t.body_too_large) return buffer_oauth::detail::body_over_limit(t.body_seen, o.limits.max_body);
  if (rc == CURLE_FILESIZE_EXCEEDED) {  // refused on its Content-Length, before any of it was read
    curl_off_t announced = -1;
    curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
    const std::size_t seen = announced > 0 ? static_cast<std::size_t>(announced) : o.limits.max_body + 1;
    return buffer_oauth::detail::body_over_limit(seen, o.limits.max_body);
  }
  if (rc != CURLE_OK)
    return transport_failed(req, curl_easy_strerror(rc), error_text != nullptr ? error_text : "");
  long status = 0;
  if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status < 100 || status > 999)
    return transport_failed(req, "no HTTP status line in the response", {});
  t.response.status = static_cast<int>(status);
  return std::move(t.response);
}

}  // namespace detail

/// Sends `req` on the caller's easy handle, which keeps its connections
/// between calls (reset first, so no option of an earlier use survives), and
/// returns the response whatever its status.
inline result<http_response> send(CURL* handle, const http_request& req, const options& o = {}) {
  if (handle == nullptr) return buffer_oauth::detail::fail(errc::invalid_argument, "the CURL handle is null");
  curl_easy_reset(handle);
  detail::transfer t;
  detail::header_list headers(nullptr, curl_slist_free_all);
  char error_text[CURL_ERROR_SIZE] = {};
  if (auto ready = detail::prepare(handle, req, o, t, headers, error_text); !ready) return ready.error();
  const CURLcode rc = curl_easy_perform(handle);
  auto outcome = detail::finish(handle, req, o, t, rc, error_text);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);  // error_text ends with this call
  return outcome;
}

/// Sends `req` on a new easy handle.
inline result<http_response> send(const http_request& req, const options& o = {}) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(), curl_easy_cleanup);
  if (!handle) return detail::transport_failed(req, "curl_easy_init failed", {});
  return send(handle.get(), req, o);
}

/// Transfers on one libcurl multi handle, for a caller who runs its own event
/// loop. start() adds a transfer; the caller drives them all with poll(), or
/// with perform() when its own loop saw activity, or with
/// curl_multi_socket_action on native_handle() followed by collect(). Each
/// finished transfer calls its callback once, from inside that call, with the
/// outcome send() would have returned. The destructor drops unfinished
/// transfers without calling their callbacks, which may by then refer to
/// objects already gone; cancel() ends them with transport_error first.
/// A callback may start() new transfers but must not destroy the driver; an
/// exception it throws passes through, the transfer already removed. One
/// thread at a time.
class multi_driver {
 public:
  using callback = std::function<void(result<http_response>)>;

  multi_driver() noexcept : multi_(curl_multi_init()) {}
  ~multi_driver() {
    for (auto& t : transfers_) drop(*t);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
  }
  multi_driver(const multi_driver&) = delete;
  multi_driver& operator=(const multi_driver&) = delete;

  /// false when curl_multi_init failed; every start() then fails.
  bool ok() const noexcept { return multi_ != nullptr; }
  CURLM* native_handle() const noexcept { return multi_; }
  /// Transfers started and not yet finished.
  std::size_t unfinished() const noexcept { return transfers_.size(); }

  /// Adds a transfer of a copy of `req`. On failure nothing was added and
  /// `done` will never be called.
  result<void> start(http_request req, const options& o, callback done) {
    if (!done) return buffer_oauth::detail::fail(errc::invalid_argument, "the completion callback is empty");
    if (multi_ == nullptr) return detail::transport_failed(req, "curl_multi_init failed", {});
    auto t = std::make_unique<pending>();
    t->request = std::move(req);
    t->settings = o;
    t->done = std::move(done);
    t->handle.reset(curl_easy_init());
    if (!t->handle) return detail::transport_failed(t->request, "curl_easy_init failed", {});
    if (auto ready = detail::prepare(t->handle.get(), t->request, o, t->data, t->headers, t->error_text);
        !ready)
      return ready.error();
    curl_easy_setopt(t->handle.get(), CURLOPT_PRIVATE, static_cast<void*>(t.get()));
    if (const CURLMcode rc = curl_multi_add_handle(multi_, t->handle.get()); rc != CURLM_OK)
      return detail::transport_failed(t->request, "curl_multi_add_handle failed", curl_multi_strerror(rc));
    transfers_.push_back(std::move(t));
    return {};
  }

  /// Moves every transfer as far as it can go without waiting, then
  /// delivers the finished ones. Returns how many remain unfinished.
  result<std::size_t> perform() {
    int running = 0;
    if (const CURLMcode rc = curl_multi_perform(multi_, &running); rc != CURLM_OK)
      return multi_failed("perform", rc);
    collect();
    return transfers_.size();
  }

  /// Waits up to `timeout` for activity on any transfer (returning early
  /// when there is none to wait for), then perform().
  result<std::size_t> poll(std::chrono::milliseconds timeout) {
    if (transfers_.empty()) return std::size_t{0};
    int ready = 0;
    if (const CURLMcode rc = curl_multi_poll(multi_, nullptr, 0, static_cast<int>(timeout.count()), &ready);
        rc != CURLM_OK)
      return multi_failed("poll", rc);
    return perform();
  }

  /// Delivers the transfers libcurl reports finished.
  void collect() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      void* owner = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &owner);
      const CURLcode rc = message->data.result;  // `message` dies with the removal below
      auto finished = take(static_cast<pending*>(owner));
      if (!finished) continue;
      curl_multi_remove_handle(multi_, finished->handle.get());
      auto outcome = detail::finish(finished->handle.get(), finished->request, finished->settings,
                                    finished->data, rc, finished->error_text);
      finished->done(std::move(outcome));
    }
  }

  /// Ends every unfinished transfer, calling each callback with
  /// transport_error "cancelled".
  void cancel() {
    while (!transfers_.empty()) {
      auto t = std::move(transfers_.back());
      transfers_.pop_back();
      drop(*t);
      t->done(detail::transport_failed(t->request, "cancelled", {}));
    }
  }

 private:
  struct pending {
    http_request request;  // libcurl reads the body from here while sending
    options settings;
    detail::transfer data;
    detail::header_list headers{nullptr, curl_slist_free_all};
    char error_text[CURL_ERROR_SIZE] = {};
    callback done;
    // Last, so that it is cleaned up before what it points to.
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle{nullptr, curl_easy_cleanup};
  };

  std::unique_ptr<pending> take(const pending* which) {
    for (auto it = transfers_.begin(); it != transfers_.end(); ++it) {
      if (it->get() != which) continue;
      auto found = std::move(*it);
      transfers_.erase(it);
      return found;
    }
    return nullptr;
  }

  void drop(pending& t) noexcept {
    if (multi_ != nullptr && t.handle) curl_multi_remove_handle(multi_, t.handle.get());
    t.handle.reset();
  }

  static error multi_failed(const char* call, CURLMcode rc) {
    error e;
    e.code = errc::transport_error;
    e.message = std::string("curl_multi_") + call + " failed (" + curl_multi_strerror(rc) + ')';
    return e;
  }

  CURLM* multi_;
  std::vector<std::unique_ptr<pending>> transfers_;
};

}  // namespace buffer_oauth::curl

#endif  // BUFFER_OAUTH_CURL_HPP
