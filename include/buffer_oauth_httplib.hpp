// SPDX-License-Identifier: MIT
// buffer_oauth_httplib.hpp: sends a buffer_oauth::http_request with
// cpp-httplib's OpenSSL client and returns result<http_response>. Optional:
// the core never includes it. Needs CPPHTTPLIB_OPENSSL_SUPPORT (pkg-config
// cpp-httplib defines it) and links OpenSSL.
//
// Every transfer verifies the TLS peer and host name (there is no switch to
// turn that off), speaks only http and https, uses no proxy, follows no
// redirect (a 302 is data for the caller to read), and stops reading at
// limits::max_body (too_large). cpp-httplib has no total timeout: the connect
// wait is the shorter of connect_timeout and total_timeout, every read and
// write wait is at most total_timeout, and the body is cut off once
// total_timeout has passed since send() began; a server that sends its status
// line and headers a byte at a time can take longer. No exception leaves
// send(); no response at all is errc::transport_error with cpp-httplib's own
// words (and OpenSSL's for a refused certificate), and the message never holds
// the request's path, query, headers or body, where secrets travel.
//
// cpp-httplib sends "Content-Type: text/plain" with a body whose request has
// no Content-Type; the requests the core builds always have one.
#ifndef BUFFER_OAUTH_HTTPLIB_HPP
#define BUFFER_OAUTH_HTTPLIB_HPP

#if defined(CPPHTTPLIB_HTTPLIB_H) && !defined(CPPHTTPLIB_OPENSSL_SUPPORT)
#error \
    "httplib.h was included without CPPHTTPLIB_OPENSSL_SUPPORT; define it before every include of httplib.h"
#endif
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <httplib.h>
#include <openssl/opensslv.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <buffer_oauth.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace buffer_oauth::httplib_adapter {

using options = buffer_oauth::transport_options;

namespace detail {

using buffer_oauth::detail::transport_failed;

/// The system's CAs plus the caller's: cpp-httplib given a file or a
/// directory would trust it alone.
inline result<void> trust(httplib::SSLClient& client, const http_request& req, const options& o) {
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr) return transport_failed(req, "out of memory for the CA store");
  client.set_ca_cert_store(store);  // owned by the client from here on
  if (X509_STORE_set_default_paths(store) != 1) return transport_failed(req, "cannot load the system's CAs");
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  const bool file_read = o.ca_file.empty() || X509_STORE_load_file(store, o.ca_file.c_str()) == 1;
  const bool path_used = o.ca_path.empty() || X509_STORE_load_path(store, o.ca_path.c_str()) == 1;
#else
  const bool file_read =
      o.ca_file.empty() || X509_STORE_load_locations(store, o.ca_file.c_str(), nullptr) == 1;
  const bool path_used =
      o.ca_path.empty() || X509_STORE_load_locations(store, nullptr, o.ca_path.c_str()) == 1;
#endif
  if (!file_read) return transport_failed(req, "cannot read the CA file", o.ca_file);
  if (!path_used) return transport_failed(req, "cannot use the CA path", o.ca_path);
  return {};
}

inline const char* what_failed(httplib::Error failure) noexcept {
  switch (failure) {
    case httplib::Error::Connection: return "could not connect";
    case httplib::Error::ConnectionTimeout: return "timed out connecting";
    case httplib::Error::Read: return "reading the response failed";
    case httplib::Error::Write: return "sending the request failed";
    case httplib::Error::SSLConnection: return "the TLS handshake failed";
    case httplib::Error::SSLLoadingCerts: return "cannot load the CA certificates";
    case httplib::Error::SSLServerVerification: return "the server's certificate was refused";
    default: return "cpp-httplib failed";
  }
}

/// What the body receiver saw, read after the transfer.
struct reading {
  std::chrono::steady_clock::time_point deadline;
  std::size_t max_body = 0;
  std::string body;
  bool too_large = false;
  std::size_t body_seen = 0;  // with the piece that went over max_body
  bool too_late = false;
};

template <class Client>
result<http_response> send_with(Client& client, const http_request& req, std::string target,
                                const options& o) {
  const auto began = std::chrono::steady_clock::now();
  client.set_follow_location(false);
  client.set_url_encode(false);  // the target goes exactly as the core built it
  client.set_keep_alive(false);
  client.set_connection_timeout(std::min(o.connect_timeout, o.total_timeout));
  client.set_read_timeout(o.total_timeout);
  client.set_write_timeout(o.total_timeout);

  reading r;
  r.deadline = began + o.total_timeout;
  r.max_body = o.limits.max_body;
  httplib::Request hreq;
  hreq.method = req.method;
  hreq.path = std::move(target);
  for (const auto& h : req.headers) hreq.headers.emplace(h.name, h.value);
  if (!hreq.has_header("User-Agent") && !o.user_agent.empty())
    hreq.headers.emplace("User-Agent", o.user_agent);
  hreq.body = req.body;
  hreq.response_handler = [&r](const httplib::Response&) {
    r.too_late = std::chrono::steady_clock::now() > r.deadline;
    return !r.too_late;
  };
  hreq.content_receiver = [&r](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
    if (n > r.max_body - r.body.size()) {
      r.too_large = true;
      r.body_seen = r.body.size() + n;
      return false;
    }
    if (std::chrono::steady_clock::now() > r.deadline) {
      r.too_late = true;
      return false;
    }
    r.body.append(data, n);
    return true;
  };

  httplib::Response hres;
  httplib::Error failure = httplib::Error::Success;
  const bool answered = client.send(hreq, hres, failure);
  if (r.too_large) return buffer_oauth::detail::body_over_limit(r.body_seen, o.limits.max_body);
  if (r.too_late)
    return transport_failed(req, "timed out",
                            "the total_timeout of " + std::to_string(o.total_timeout.count()) + " ms passed");
  if (!answered) {
    std::string details = httplib::to_string(failure);
    if constexpr (std::is_same_v<Client, httplib::SSLClient>) {
      if (failure == httplib::Error::SSLServerVerification) {
        const long verdict = client.get_openssl_verify_result();
        details += ": ";
        details += verdict == X509_V_OK ? "the certificate does not name the host"
                                        : X509_verify_cert_error_string(verdict);
      }
    }
    if (std::chrono::steady_clock::now() - began >= o.total_timeout)
      details += "; the total_timeout of " + std::to_string(o.total_timeout.count()) + " ms passed";
    return transport_failed(req, what_failed(failure), details);
  }
  if (hres.status < 100 || hres.status > 999)
    return transport_failed(req, "no HTTP status line in the response");
  http_response out;
  out.status = hres.status;
  for (const auto& [name, value] : hres.headers) out.headers.push_back({name, value});
  out.body = std::move(r.body);
  return out;
}

inline result<http_response> send_checked(const http_request& req, const options& o) {
  if (auto valid = check_sendable(req, o); !valid) return valid.error();
  auto url = buffer_oauth::detail::split_url(req.url, errc::invalid_argument, req.url.size());
  if (!url) return url.error();
  std::string host(url->host);
  if (host.size() > 2 && host.front() == '[')
    host = host.substr(1, host.size() - 2);  // getaddrinfo's spelling
  std::string target = url->path.empty() ? std::string("/") : std::string(url->path);
  if (url->has_query) {
    target += '?';
    target += url->query;
  }
  const int port = url->effective_port;
  if (!url->https()) {
    httplib::Client client(host, port);
    return send_with(client, req, std::move(target), o);
  }
  httplib::SSLClient client(host, port);
  if (!client.is_valid()) return transport_failed(req, "cpp-httplib could not make an OpenSSL context");
  client.enable_server_certificate_verification(true);
  if (auto trusted = trust(client, req, o); !trusted) return trusted.error();
  return send_with(client, req, std::move(target), o);
}

}  // namespace detail

/// Sends `req` on a new connection and returns the response whatever its
/// status. A URL that is not absolute http(s) is invalid_argument.
inline result<http_response> send(const http_request& req, const options& o = {}) noexcept {
#if defined(__cpp_exceptions)
  try {
    return detail::send_checked(req, o);
  } catch (...) {  // its text is not shown: it could quote the request
    return detail::transport_failed(req, "cpp-httplib threw an exception");
  }
#else
  return detail::send_checked(req, o);
#endif
}

}  // namespace buffer_oauth::httplib_adapter

#endif  // BUFFER_OAUTH_HTTPLIB_HPP
