// curl_transport.hpp: sends a buffer_oauth::http_request with libcurl and
// returns the buffer_oauth::http_response. Redirects are never followed (a
// 302 from the authorize endpoint is data to read), only http and https are
// spoken, TLS peers and host names are always verified, and every transfer
// has a connect and a total timeout and a cap on the response size.
#ifndef BUFFER_OAUTH_EXAMPLES_CURL_TRANSPORT_HPP
#define BUFFER_OAUTH_EXAMPLES_CURL_TRANSPORT_HPP

#include <curl/curl.h>
#include <fmt/core.h>
#include <buffer_oauth.hpp>

#include <chrono>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace buffer_oauth_cli {

/// No complete HTTP response: DNS, connect, TLS, timeout, size cap...
class transport_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct transport_options {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{30'000};
  std::size_t max_response_body = 1024 * 1024;
  std::string user_agent = "buffer-oauth/0.1 (+libcurl)";
  /// PEM file of CAs trusted for HTTPS besides the system's (a private CA,
  /// a test certificate); empty: the system's alone.
  std::string ca_file;
};

/// curl_global_init for the life of the process: create one in main (or a
/// test) before any thread sends a request.
class curl_global {
 public:
  curl_global() {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw transport_error("curl_global_init failed");
  }
  ~curl_global() { curl_global_cleanup(); }
  curl_global(const curl_global&) = delete;
  curl_global& operator=(const curl_global&) = delete;
};

namespace detail {

struct transfer {
  buffer_oauth::http_response response;
  std::size_t max_body = 0;
  bool body_too_large = false;
};

inline std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<transfer*>(user);
  const std::size_t n = size * count;
  if (t->response.body.size() + n > t->max_body) {
    t->body_too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

inline std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<transfer*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    t->response.headers.clear();  // a new response (after 100 Continue): forget the old headers
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

inline bool is_loopback_host(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), curl_url_cleanup);
  char* host = nullptr;
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
      curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK)
    return false;
  const std::string_view h(host);
  const bool loopback = h == "[::1]" || h.substr(0, 4) == "127." || h == "localhost";
  curl_free(host);
  return loopback;
}

inline void check(CURLcode rc, const char* what) {
  if (rc != CURLE_OK)
    throw transport_error(fmt::format("curl: setting {}: {}", what, curl_easy_strerror(rc)));
}

inline std::string file_contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw transport_error("cannot read the CA file " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The system's CA bundle followed by `extra`: libcurl takes one bundle, and
/// naming a file of one's own would drop the system's. The CA directory,
/// where libcurl has one, stays in use as well.
inline std::string ca_bundle_with(CURL* h, const std::string& extra) {
  std::string bundle;
  char* system_bundle = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CAINFO, &system_bundle) == CURLE_OK && system_bundle != nullptr) {
    std::ifstream in(system_bundle, std::ios::binary);
    bundle.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
  }
  return bundle + file_contents(extra);
}

}  // namespace detail

/// Sends `req` and returns whatever HTTP response came back, any status.
/// Throws transport_error when none did.
inline buffer_oauth::http_response send(const buffer_oauth::http_request& req,
                                        const transport_options& o = {}) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw transport_error("curl_easy_init failed");
  CURL* h = curl.get();
  detail::transfer t;
  t.max_body = o.max_response_body;
  char error_text[CURL_ERROR_SIZE] = {};

  detail::check(curl_easy_setopt(h, CURLOPT_URL, req.url.c_str()), "URL");
  detail::check(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols");
  detail::check(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L), "no redirects");
  detail::check(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L), "TLS peer verification");
  detail::check(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L), "TLS host verification");
  if (!o.ca_file.empty()) {
    std::string bundle = detail::ca_bundle_with(h, o.ca_file);
    curl_blob blob{bundle.data(), bundle.size(), CURL_BLOB_COPY};
    detail::check(curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob), "CA bundle");
  }
  detail::check(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L), "no signals");
  detail::check(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count())),
                "connect timeout");
  detail::check(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(o.total_timeout.count())),
                "timeout");
  detail::check(curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_response_body)),
                "size cap");
  detail::check(curl_easy_setopt(h, CURLOPT_USERAGENT, o.user_agent.c_str()), "user agent");
  detail::check(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text), "error buffer");
  detail::check(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, detail::on_body), "body callback");
  detail::check(curl_easy_setopt(h, CURLOPT_WRITEDATA, &t), "body data");
  detail::check(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, detail::on_header), "header callback");
  detail::check(curl_easy_setopt(h, CURLOPT_HEADERDATA, &t), "header data");
  // A loopback server is never reached through a proxy from the environment.
  if (detail::is_loopback_host(req.url)) detail::check(curl_easy_setopt(h, CURLOPT_NOPROXY, "*"), "no proxy");

  if (req.method == "GET") {
    detail::check(curl_easy_setopt(h, CURLOPT_HTTPGET, 1L), "GET");
  } else if (req.method == "HEAD") {
    detail::check(curl_easy_setopt(h, CURLOPT_NOBODY, 1L), "HEAD");
  } else {
    // The body is sent exactly as built, even when empty (Content-Length: 0).
    detail::check(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size())),
                  "body size");
    detail::check(curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.c_str()), "body");
    if (req.method != "POST")
      detail::check(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str()), "method");
  }

  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  auto add_header = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (!grown) throw transport_error("curl_slist_append failed");
    headers.release();
    headers.reset(grown);
  };
  for (const auto& header : req.headers)  // "Name;" is curl's spelling of an empty value
    add_header(header.value.empty() ? header.name + ";" : header.name + ": " + header.value);
  if (!buffer_oauth::find_header(req.headers, "Content-Type"))
    add_header("Content-Type:");  // not the form type curl would invent for a POST
  add_header("Expect:");          // no 100-continue round trip
  detail::check(curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()), "headers");

  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    if (t.body_too_large || rc == CURLE_FILESIZE_EXCEEDED)
      throw transport_error(fmt::format("response body larger than {} bytes", o.max_response_body));
    throw transport_error(fmt::format("{} request failed: {} ({})", req.method, curl_easy_strerror(rc),
                                      error_text[0] ? error_text : "no details"));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  t.response.status = static_cast<int>(status);
  return t.response;
}

}  // namespace buffer_oauth_cli

#endif
