// Two real HTTP client stacks behind one small interface, for the end-to-end
// tests: libcurl and cpp-httplib. Each verifies the server's certificate
// against the CA file generated at test time and never turns verification
// off. Neither follows redirects: the tests read every Location themselves.
//
// A session has two sides. send() is the user's browser on the provider's
// login and consent pages: it keeps cookies (libcurl's cookie engine; a
// small jar for cpp-httplib) and trusts only the generated certificate. It
// stays a stack of its own here because the adapters an app uses are OAuth
// clients: they keep no cookies, by design. client_send() is what the tests
// send as the OAuth client (token, refresh, revocation, API, discovery,
// registration): on the libcurl stack the project's adapter,
// buffer_oauth::curl::send, on the cpp-httplib stack
// buffer_oauth::httplib_adapter::send, exactly as an app sends.
// Plain http:// is deliberately NOT refused here, so that the tests prove the
// core's own refusal (errc::insecure_url) is what keeps a token off the wire.
#ifndef BUFFER_OAUTH_E2E_HTTP_STACKS_HPP
#define BUFFER_OAUTH_E2E_HTTP_STACKS_HPP

#include <buffer_oauth.hpp>
#include <buffer_oauth_curl.hpp>
#include <buffer_oauth_httplib.hpp>

#include <curl/curl.h>
#include <httplib.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace e2e {

namespace bo = buffer_oauth;

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

/// The interface the tests drive: one request in, one response out.
using transport = std::function<bo::http_response(const bo::http_request&)>;

/// One browser-like session on one stack.
class http_session {
 public:
  virtual ~http_session() = default;
  http_session() = default;
  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;

  /// Sends `req` as is, as the browser. A transport failure gives status 0,
  /// with the reason in last_error (and tls_verification_failed for a
  /// refused certificate).
  virtual bo::http_response send(const bo::http_request& req) = 0;

  /// Sends `req` as the OAuth client, failures reported as by send().
  virtual bo::http_response client_send(const bo::http_request& req) { return send(req); }

  transport as_transport() {
    return [this](const bo::http_request& r) { return send(r); };
  }

  std::string last_error;
  bool tls_verification_failed = false;
  std::size_t sent = 0;  ///< requests handed to the stack
};

/// scheme://host:port/target, enough for the URLs these tests use.
struct url_split {
  std::string scheme, host, target;
  int port = 0;
};

inline bool split(const std::string& url, url_split& out) {
  const auto colon = url.find("://");
  if (colon == std::string::npos) return false;
  out.scheme = url.substr(0, colon);
  const auto rest = colon + 3;
  auto slash = url.find_first_of("/?", rest);
  const std::string authority =
      url.substr(rest, slash == std::string::npos ? std::string::npos : slash - rest);
  out.target = slash == std::string::npos ? "/" : url.substr(slash);
  if (!out.target.empty() && out.target.front() == '?') out.target.insert(0, "/");
  const auto pc = authority.rfind(':');
  if (pc != std::string::npos && authority.find(']') == std::string::npos) {
    out.host = authority.substr(0, pc);
    out.port = std::atoi(authority.c_str() + pc + 1);
  } else {
    out.host = authority;
    out.port = out.scheme == "https" ? 443 : 80;
  }
  const auto hash = out.target.find('#');
  if (hash != std::string::npos) out.target.resize(hash);
  return !out.host.empty() && out.port > 0 && out.port < 65536;
}

// ---------------------------------------------------------------------------
// libcurl
// ---------------------------------------------------------------------------

class curl_session final : public http_session {
 public:
  explicit curl_session(std::string ca_file) : ca_(std::move(ca_file)), h_(curl_easy_init()) {
    if (h_) curl_easy_setopt(h_, CURLOPT_COOKIEFILE, "");  // cookie engine on, nothing preloaded
  }
  ~curl_session() override {
    if (h_) curl_easy_cleanup(h_);
  }

  bo::http_response client_send(const bo::http_request& req) override {
    ++sent;
    last_error.clear();
    tls_verification_failed = false;
    bo::curl::options trust;
    trust.ca_file = ca_;
    auto answer = bo::curl::send(client_.get(), req, trust);
    if (answer) return *std::move(answer);
    last_error = bo::to_string(answer.code());
    last_error += ": " + answer.error().message;
    tls_verification_failed =
        answer.error().message.find(curl_easy_strerror(CURLE_PEER_FAILED_VERIFICATION)) != std::string::npos;
    return bo::http_response{};
  }

  bo::http_response send(const bo::http_request& req) override {
    ++sent;
    last_error.clear();
    tls_verification_failed = false;
    bo::http_response out;
    if (!h_) {
      last_error = "curl_easy_init failed";
      return out;
    }
    char errbuf[CURL_ERROR_SIZE] = {};
    struct slist_guard {
      curl_slist* p = nullptr;
      ~slist_guard() { curl_slist_free_all(p); }
    } headers;
    for (const auto& h : req.headers)
      headers.p = curl_slist_append(headers.p, (h.name + ": " + h.value).c_str());
    if (req.method == "POST" && !bo::find_header(req.headers, "Content-Type"))
      headers.p = curl_slist_append(headers.p, "Content-Type:");  // libcurl would add a form type itself
    headers.p = curl_slist_append(headers.p, "Expect:");

    curl_easy_setopt(h_, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h_, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h_, CURLOPT_CAINFO, ca_.c_str());
    curl_easy_setopt(h_, CURLOPT_CAPATH, nullptr);  // only the generated certificate is trusted
    curl_easy_setopt(h_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h_, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h_, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h_, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, headers.p);
    curl_easy_setopt(h_, CURLOPT_CUSTOMREQUEST, nullptr);
    if (req.method == "GET") {
      curl_easy_setopt(h_, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(h_, CURLOPT_POST, 1L);
      curl_easy_setopt(h_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      curl_easy_setopt(h_, CURLOPT_COPYPOSTFIELDS, req.body.c_str());
      if (req.method != "POST") curl_easy_setopt(h_, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    curl_easy_setopt(h_, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h_, CURLOPT_HEADERDATA, &out);
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &out.body);

    const CURLcode rc = curl_easy_perform(h_);
    curl_easy_setopt(h_, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, nullptr);
    if (rc != CURLE_OK) {
      last_error =
          std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : std::string());
      tls_verification_failed = rc == CURLE_PEER_FAILED_VERIFICATION;
      return bo::http_response{};
    }
    long status = 0;
    curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &status);
    out.status = static_cast<int>(status);
    return out;
  }

 private:
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* r = static_cast<bo::http_response*>(user);
    std::string_view line(data, size * n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.substr(0, 5) == "HTTP/") {
      r->headers.clear();  // a new response (after 100 Continue)
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      r->headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    return size * n;
  }
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
  }

  std::string ca_;
  CURL* h_;
  /// The OAuth client's own handle: it keeps its connections, never the browser's cookies.
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> client_{curl_easy_init(), curl_easy_cleanup};
};

struct curl_stack {
  static constexpr const char* name = "libcurl";
  static constexpr bool decodes_header_values = false;
  static std::unique_ptr<http_session> open(const std::string& ca_file) {
    return std::make_unique<curl_session>(ca_file);
  }
};

// ---------------------------------------------------------------------------
// cpp-httplib
// ---------------------------------------------------------------------------

class httplib_session final : public http_session {
 public:
  explicit httplib_session(std::string ca_file) : ca_(std::move(ca_file)) {}

  bo::http_response client_send(const bo::http_request& req) override {
    ++sent;
    last_error.clear();
    tls_verification_failed = false;
    bo::httplib_adapter::options trust;
    trust.ca_file = ca_;
    auto answer = bo::httplib_adapter::send(req, trust);
    if (answer) return *std::move(answer);
    last_error = bo::to_string(answer.code());
    last_error += ": " + answer.error().message;
    tls_verification_failed = answer.error().message.find("SSLServerVerification") != std::string::npos;
    return bo::http_response{};
  }

  bo::http_response send(const bo::http_request& req) override {
    ++sent;
    last_error.clear();
    tls_verification_failed = false;
    url_split u;
    if (!split(req.url, u) || (u.scheme != "https" && u.scheme != "http")) {
      last_error = "unsupported URL";
      return {};
    }
    httplib::Request hreq;
    hreq.method = req.method;
    hreq.path = u.target;
    for (const auto& h : req.headers) hreq.headers.emplace(h.name, h.value);
    if (const std::string cookies = cookie_header(u.target); !cookies.empty())
      hreq.headers.emplace("Cookie", cookies);
    hreq.body = req.body;

    httplib::Response hres;
    httplib::Error err = httplib::Error::Success;
    bool ok = false;
    if (u.scheme == "https") {
      auto& cli = https_client(u);
      ok = cli.send(hreq, hres, err);
      if (!ok && err == httplib::Error::SSLServerVerification) {
        tls_verification_failed = true;
        last_error = "SSLServerVerification (OpenSSL verify result " +
                     std::to_string(cli.get_openssl_verify_result()) + ")";
      }
    } else {
      httplib::Client cli(u.host, u.port);
      configure(cli);
      ok = cli.send(hreq, hres, err);
    }
    if (!ok) {
      if (last_error.empty()) last_error = httplib::to_string(err);
      return {};
    }
    bo::http_response out;
    out.status = hres.status;
    for (const auto& [name, value] : hres.headers) {
      out.headers.push_back({name, value});
      if (iequal(name, "Set-Cookie")) remember_cookie(value);
    }
    out.body = std::move(hres.body);
    return out;
  }

 private:
  template <class Client>
  static void configure(Client& cli) {
    cli.set_follow_location(false);
    cli.set_url_encode(false);  // send the target exactly as the core built it
    cli.set_keep_alive(true);
    cli.set_connection_timeout(5, 0);
    cli.set_read_timeout(20, 0);
    cli.set_write_timeout(20, 0);
  }

  httplib::SSLClient& https_client(const url_split& u) {
    const std::string key = u.host + ':' + std::to_string(u.port);
    auto it = clients_.find(key);
    if (it == clients_.end()) {
      auto cli = std::make_unique<httplib::SSLClient>(u.host, u.port);
      cli->set_ca_cert_path(ca_.c_str());
      cli->enable_server_certificate_verification(true);
      configure(*cli);
      it = clients_.emplace(key, std::move(cli)).first;
    }
    return *it->second;
  }

  struct cookie {
    std::string name, value, path;
  };

  // Enough of RFC 6265 for one host: name=value, Path, deletion by an
  // expiry in the past or Max-Age=0.
  void remember_cookie(const std::string& header) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= header.size()) {
      auto semi = header.find(';', start);
      if (semi == std::string::npos) semi = header.size();
      std::string part = header.substr(start, semi - start);
      while (!part.empty() && part.front() == ' ') part.erase(0, 1);
      while (!part.empty() && part.back() == ' ') part.pop_back();
      parts.push_back(part);
      start = semi + 1;
    }
    const auto eq = parts[0].find('=');
    if (eq == std::string::npos || eq == 0) return;
    cookie c{parts[0].substr(0, eq), parts[0].substr(eq + 1), "/"};
    bool expired = false;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      std::string low = parts[i];
      for (char& ch : low) ch = lower(ch);
      if (low.rfind("path=", 0) == 0) c.path = parts[i].substr(5);
      if (low.rfind("max-age=", 0) == 0 && std::atol(low.c_str() + 8) <= 0) expired = true;
      if (low.rfind("expires=", 0) == 0 && low.find("1970") != std::string::npos) expired = true;
    }
    for (auto it = jar_.begin(); it != jar_.end();) {
      if (it->name == c.name && it->path == c.path)
        it = jar_.erase(it);
      else
        ++it;
    }
    if (!expired) jar_.push_back(std::move(c));
  }

  std::string cookie_header(const std::string& target) const {
    const std::string path = target.substr(0, target.find('?'));
    std::string out;
    for (const auto& c : jar_) {
      const bool match = path == c.path ||
                         (path.rfind(c.path, 0) == 0 && (c.path.back() == '/' || path[c.path.size()] == '/'));
      if (!match) continue;
      if (!out.empty()) out += "; ";
      out += c.name + '=' + c.value;
    }
    return out;
  }

  std::string ca_;
  std::map<std::string, std::unique_ptr<httplib::SSLClient>> clients_;
  std::vector<cookie> jar_;
};

struct httplib_stack {
  static constexpr const char* name = "cpp-httplib";
  /// cpp-httplib (0.11.4, Debian 12) percent-decodes response header values,
  /// Location and Set-Cookie included; there is no raw access to them.
  static constexpr bool decodes_header_values = true;
  static std::unique_ptr<http_session> open(const std::string& ca_file) {
    return std::make_unique<httplib_session>(ca_file);
  }
};

}  // namespace e2e

#endif  // BUFFER_OAUTH_E2E_HTTP_STACKS_HPP
