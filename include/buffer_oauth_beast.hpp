// SPDX-License-Identifier: MIT
// buffer_oauth_beast.hpp: sends a buffer_oauth::http_request with Boost.Beast
// over Boost.Asio and returns result<http_response>, either as a blocking
// call or as an asynchronous operation that takes any completion token.
// Optional: the core never includes it. Needs Boost 1.81 or later and OpenSSL.
//
// Every exchange verifies the TLS peer and its host name, with SNI (there is
// no switch to turn that off), speaks http or https, follows no redirect (a
// 302 is data for the caller to read), has a connect and a total timeout, and
// stops reading at limits::max_body (too_large). It opens one connection per
// request and uses no proxy. Failures that leave no response are
// errc::transport_error with Boost's own words plus the method and origin
// only: the path, query, headers and body, where secrets travel, never
// appear.
//
// The adapter owns no io_context of yours: async_send runs on the executor it
// is given (on an io_context that several threads run, give a strand), and
// send runs on an io_context of its own for the length of the call.
//
// No exception leaves this header: Boost is called through its error_code
// overloads. Boost throws only when the system runs out of a resource
// (memory, a descriptor for the event loop, a thread for the resolver); send
// turns that into transport_error, async_send leaves it to the io_context's
// run() as every Asio operation does. Boost 1.81's Beast does not compile
// with -fno-exceptions; with a Boost whose Beast does (1.82 on), the program
// defines both overloads of boost::throw_exception, which Boost then calls in
// those cases.
#ifndef BUFFER_OAUTH_BEAST_HPP
#define BUFFER_OAUTH_BEAST_HPP

#include <boost/config.hpp>
#include <boost/version.hpp>
#if defined(BOOST_NO_EXCEPTIONS) && BOOST_VERSION < 108200
#error "Boost.Beast before Boost 1.82 needs exceptions: drop -fno-exceptions, or use Boost 1.82+"
#endif

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <boost/asio/compose.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/is_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <buffer_oauth.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace buffer_oauth::beast {

using options = buffer_oauth::transport_options;

namespace detail {

namespace asio = ::boost::asio;
namespace http = ::boost::beast::http;
using tcp = asio::ip::tcp;
using ::boost::system::error_code;
using clock = std::chrono::steady_clock;

/// Where a request goes, taken from its URL once.
struct destination {
  std::string authority;  ///< host[:port] as written, for the Host header
  std::string host;       ///< without IPv6 brackets: what is resolved and what the certificate must name
  std::string port;       ///< the digits written, or 443/80 by scheme
  std::string target;     ///< path and query, what the request line carries
  bool tls = false;
};

inline error context_failed(std::string why) {
  error e;
  e.code = errc::transport_error;
  e.message = "creating a TLS client context: " + std::move(why);
  return e;
}

inline result<destination> destination_of(std::string_view url, const limits& lim) {
  auto parts = buffer_oauth::detail::split_url(url, errc::invalid_url, lim.max_url);
  if (!parts) return parts.error();
  destination to;
  to.tls = parts->https();
  to.authority.assign(parts->host);
  if (!parts->port.empty()) {
    to.authority += ':';
    to.authority += parts->port;
  }
  to.host.assign(parts->host);
  if (to.host.front() == '[') to.host = to.host.substr(1, to.host.size() - 2);
  to.port = std::to_string(parts->effective_port);
  to.target = parts->path.empty() ? std::string("/") : std::string(parts->path);
  if (parts->has_query) {
    to.target += '?';
    to.target += parts->query;
  }
  return to;
}

/// The request as Beast writes it: the caller's method, headers and body
/// exactly, plus Host, the user agent and Content-Length where needed.
inline result<http::request<http::string_body>> beast_request(const http_request& req, const destination& to,
                                                              const options& o) {
  if (auto valid = check_sendable(req, o); !valid) return valid.error();

  http::request<http::string_body> out;
  out.version(11);
  if (const http::verb known = http::string_to_verb(req.method); known != http::verb::unknown)
    out.method(known);
  else
    out.method_string(req.method);
  out.target(to.target);
  if (find_header(req.headers, "Host") == nullptr) out.set(http::field::host, to.authority);
  if (find_header(req.headers, "User-Agent") == nullptr && !o.user_agent.empty())
    out.set(http::field::user_agent, o.user_agent);
  for (const auto& header : req.headers) out.insert(header.name, header.value);
  // One request per connection: saying so lets the server close first.
  out.set(http::field::connection, "close");
  out.body() = req.body;
  out.prepare_payload();
  return out;
}

inline http_response buffer_oauth_response(http::response<http::string_body>&& in) {
  http_response out;
  out.status = static_cast<int>(in.result_int());
  for (const auto& field : in.base())
    out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  out.body = std::move(in.body());
  return out;
}

/// OpenSSL's reason for refusing the peer's certificate, if it refused it.
inline std::string_view verify_failure(const SSL* ssl) {
  const long verdict = SSL_get_verify_result(ssl);
  return verdict == X509_V_OK ? std::string_view() : X509_verify_cert_error_string(verdict);
}

/// Beast's own default, named so that the too_large message can give it.
inline constexpr std::uint32_t max_response_header = 8192;

/// The asynchronous exchange: resolve, connect, TLS handshake, write, read,
/// TLS shutdown, each a step of this state machine.
template <class Executor>
class exchange_op {
  struct state {
    state(const Executor& ex, asio::ssl::context& tls) : resolver(ex), resolve_timer(ex), stream(ex, tls) {}
    destination to;
    http::request<http::string_body> request;
    clock::time_point connect_deadline;
    clock::time_point deadline;
    tcp::resolver resolver;
    asio::steady_timer resolve_timer;  // the resolver has no deadline of its own
    bool resolve_timed_out = false;
    ::boost::beast::ssl_stream<::boost::beast::tcp_stream> stream;
    ::boost::beast::flat_buffer buffer;
    std::optional<http::response_parser<http::string_body>> parser;
    http_response response;
  };
  enum class step { start, fail_soon, resolve, connect, handshake, write, read, shutdown };

 public:
  exchange_op(const Executor& ex, asio::ssl::context& tls, http_request req, options o)
      : executor_(ex), tls_(&tls), req_(std::move(req)), options_(std::move(o)) {}

  template <class Self>
  void operator()(Self& self, error_code ec = {}) {
    switch (step_) {
      case step::start: return start(self);
      case step::fail_soon: return self.complete(std::move(failure_));
      case step::handshake:
        if (ec)
          return fail(self, step_error("TLS handshake", ec, connect_phase_limit(),
                                       verify_failure(s_->stream.native_handle())));
        return write(self);
      case step::shutdown:  // the response is complete: a peer that closes rudely changes nothing
        return finish(self, std::move(s_->response));
      default: return fail(self, failed("internal", "a step completed out of order"));
    }
  }

  template <class Self>
  void operator()(Self& self, error_code ec, tcp::resolver::results_type endpoints) {
    s_->resolve_timer.cancel();
    if (s_->resolve_timed_out)
      return fail(self, timed_out("resolving the host", "no answer", connect_phase_limit()));
    if (ec) return fail(self, step_error("resolving the host", ec, connect_phase_limit()));
    step_ = step::connect;
    ::boost::beast::get_lowest_layer(s_->stream).expires_at(s_->connect_deadline);
    ::boost::beast::get_lowest_layer(s_->stream).async_connect(endpoints, std::move(self));
  }

  template <class Self>
  void operator()(Self& self, error_code ec, const tcp::endpoint&) {
    if (ec) return fail(self, step_error("connecting", ec, connect_phase_limit()));
    if (!s_->to.tls) return write(self);
    if (auto ready = prepare_tls(); !ready) return fail(self, ready.error());
    step_ = step::handshake;
    ::boost::beast::get_lowest_layer(s_->stream).expires_at(s_->connect_deadline);
    s_->stream.async_handshake(asio::ssl::stream_base::client, std::move(self));
  }

  template <class Self>
  void operator()(Self& self, error_code ec, std::size_t) {
    if (step_ == step::write) {
      if (ec) return fail(self, step_error("sending the request", ec, total_limit()));
      return read(self);
    }
    if (ec == http::error::body_limit) {
      // Beast stops at the length announced, whole or of the next chunk.
      const auto announced = s_->parser->content_length();
      const std::size_t max = options_.limits.max_body;
      return fail(self, buffer_oauth::detail::body_over_limit(
                            announced ? static_cast<std::size_t>(*announced) : max + 1, max));
    }
    if (ec == http::error::header_limit)
      return fail(self, buffer_oauth::detail::over_limit("response header", max_response_header + 1,
                                                         "bytes or more", max_response_header));
    if (ec) return fail(self, step_error("reading the response", ec, total_limit()));
    const unsigned status = s_->parser->get().result_int();
    if (status >= 100 && status < 200 && status != 101)
      return read(self);  // an interim response: the final one follows
    s_->response = buffer_oauth_response(s_->parser->release());
    return close(self);
  }

 private:
  struct limit_reached {
    std::string_view name;
    std::chrono::milliseconds value;
  };

  limit_reached total_limit() const { return {"total_timeout", options_.total_timeout}; }
  limit_reached connect_phase_limit() const {
    return s_->connect_deadline < s_->deadline ? limit_reached{"connect_timeout", options_.connect_timeout}
                                               : total_limit();
  }
  /// transport_error: "POST https://host:port: connecting: Connection refused".
  error failed(std::string_view step_name, std::string_view what, std::string_view details = {}) const {
    std::string happened(step_name);
    happened += ": ";
    happened += what;
    return buffer_oauth::detail::transport_failed(req_, happened, details);
  }
  error timed_out(std::string_view step_name, std::string_view what, limit_reached limit) const {
    std::string details(limit.name);
    details += " is " + std::to_string(limit.value.count()) + " ms";
    return failed(step_name, what, details);
  }
  /// Boost's words for `ec`, and which timeout when it was one.
  error step_error(std::string_view step_name, const error_code& ec, limit_reached limit,
                   std::string_view details = {}) const {
    if (ec == ::boost::beast::error::timeout) return timed_out(step_name, ec.message(), limit);
    return failed(step_name, ec.message(), details);
  }

  /// What can be known before the network: the URL, the request, the trust
  /// store. A failure here still completes through the executor, never
  /// inside async_send.
  result<void> prepare() {
    auto to = destination_of(req_.url, options_.limits);
    if (!to) return to.error();
    auto request = beast_request(req_, *to, options_);
    if (!request) return request.error();
    error_code ec;
    if (!options_.ca_file.empty() && tls_->load_verify_file(options_.ca_file, ec))
      return failed("loading the CA file", ec.message(), options_.ca_file);
    if (!options_.ca_path.empty() && tls_->add_verify_path(options_.ca_path, ec))
      return failed("adding the CA path", ec.message(), options_.ca_path);
    s_ = std::make_shared<state>(executor_, *tls_);
    s_->to = std::move(*to);
    s_->request = std::move(*request);
    return {};
  }

  template <class Self>
  void start(Self& self) {
    if (auto ready = prepare(); !ready) {
      failure_ = ready.error();
      step_ = step::fail_soon;
      return asio::post(std::move(self));
    }
    const clock::time_point now = clock::now();
    s_->deadline = now + options_.total_timeout;
    s_->connect_deadline = std::min(now + options_.connect_timeout, s_->deadline);
    s_->resolve_timer.expires_at(s_->connect_deadline);
    // Holds no part of the operation, so it may outlive it harmlessly.
    s_->resolve_timer.async_wait([weak = std::weak_ptr<state>(s_)](error_code waited) {
      if (waited) return;
      if (const auto s = weak.lock()) {
        s->resolve_timed_out = true;
        s->resolver.cancel();
      }
    });
    step_ = step::resolve;
    s_->resolver.async_resolve(s_->to.host, s_->to.port, tcp::resolver::numeric_service, std::move(self));
  }

  /// Peer verification, the host name the certificate must hold, and SNI, on
  /// this connection whatever the context says: the callback also replaces
  /// any lenient one the context has.
  result<void> prepare_tls() {
    const std::string& host = s_->to.host;
    SSL* ssl = s_->stream.native_handle();
    error_code not_an_address;
    static_cast<void>(asio::ip::make_address(host, not_an_address));
    // OpenSSL checks the name as well, so that a mismatch is reported as one.
    X509_VERIFY_PARAM* expected = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(expected, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int named = not_an_address ? X509_VERIFY_PARAM_set1_host(expected, host.c_str(), host.size())
                                     : X509_VERIFY_PARAM_set1_ip_asc(expected, host.c_str());
    if (named != 1) return failed("setting up TLS", "OpenSSL refused the host name");
    // RFC 6066 §3: SNI names a host, never an IP address.
    if (not_an_address && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)
      return failed("setting up TLS", "the host name cannot be sent as SNI");
    error_code ec;
    s_->stream.set_verify_mode(asio::ssl::verify_peer, ec);
    if (!ec) s_->stream.set_verify_callback(asio::ssl::host_name_verification(host), ec);
    if (ec) return failed("setting up TLS verification", ec.message());
    return {};
  }

  template <class Self>
  void write(Self& self) {
    step_ = step::write;
    ::boost::beast::get_lowest_layer(s_->stream).expires_at(s_->deadline);
    if (s_->to.tls)
      http::async_write(s_->stream, s_->request, std::move(self));
    else
      http::async_write(s_->stream.next_layer(), s_->request, std::move(self));
  }

  template <class Self>
  void read(Self& self) {
    step_ = step::read;
    auto& parser = s_->parser.emplace();
    parser.body_limit(options_.limits.max_body);
    parser.header_limit(max_response_header);
    parser.skip(req_.method == "HEAD");  // a HEAD answer announces a body it does not carry
    if (s_->to.tls)
      http::async_read(s_->stream, s_->buffer, parser, std::move(self));
    else
      http::async_read(s_->stream.next_layer(), s_->buffer, parser, std::move(self));
  }

  template <class Self>
  void close(Self& self) {
    auto& tcp_layer = ::boost::beast::get_lowest_layer(s_->stream);
    if (!s_->to.tls) {
      error_code ignored;
      static_cast<void>(tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored));
      return finish(self, std::move(s_->response));
    }
    // Closing is connection work, like the handshake: it gets connect_timeout.
    step_ = step::shutdown;
    tcp_layer.expires_at(std::min(clock::now() + options_.connect_timeout, s_->deadline));
    s_->stream.async_shutdown(std::move(self));
  }

  template <class Self>
  void fail(Self& self, error e) {
    finish(self, result<http_response>(std::move(e)));
  }

  template <class Self>
  void finish(Self& self, result<http_response> outcome) {
    s_->resolve_timer.cancel();
    ::boost::beast::get_lowest_layer(s_->stream).close();
    self.complete(std::move(outcome));
  }

  Executor executor_;
  asio::ssl::context* tls_;
  http_request req_;
  options options_;
  step step_ = step::start;
  std::shared_ptr<state> s_;
  error failure_;
};

template <class F>
result<http_response> without_exceptions(const http_request& req, F&& run) {
#ifdef BOOST_NO_EXCEPTIONS
  return run();
#else
  try {
    return run();
  } catch (const std::exception& e) {
    return buffer_oauth::detail::transport_failed(req, "out of a system resource", e.what());
  }
#endif
}

}  // namespace detail

/// A TLS client context that trusts the system's CAs, for send and
/// async_send; options::ca_file and ca_path are added to it per request.
inline result<::boost::asio::ssl::context> tls_context() {
  SSL_CTX* handle = SSL_CTX_new(TLS_client_method());
  if (handle == nullptr) return detail::context_failed("OpenSSL's SSL_CTX_new failed");
  ::boost::asio::ssl::context context(handle);
  detail::error_code ec;
  if (context.set_default_verify_paths(ec))
    return detail::context_failed("loading the system's CA certificates: " + ec.message());
  return context;
}

/// Sends `req` through `executor` and completes `token` with
/// void(result<http_response>): a callback, asio::use_awaitable,
/// asio::use_future, ... The request and options are copied; `tls` must
/// outlive the operation, and gains options::ca_file and ca_path.
template <class Executor, class CompletionToken,
          class = std::enable_if_t<::boost::asio::execution::is_executor<Executor>::value ||
                                   ::boost::asio::is_executor<Executor>::value>>
auto async_send(const Executor& executor, ::boost::asio::ssl::context& tls, const http_request& req,
                const options& o, CompletionToken&& token) {
  return ::boost::asio::async_compose<CompletionToken, void(result<http_response>)>(
      detail::exchange_op<Executor>(executor, tls, req, o), token, executor);
}

/// Sends `req` and waits for the response, whatever its status, on an
/// io_context made for this call. `tls` gains options::ca_file and ca_path.
inline result<http_response> send(::boost::asio::ssl::context& tls, const http_request& req,
                                  const options& o = {}) {
  return detail::without_exceptions(req, [&]() -> result<http_response> {
    ::boost::asio::io_context loop(1);
    std::optional<result<http_response>> outcome;
    async_send(loop.get_executor(), tls, req, o,
               [&outcome](result<http_response> r) { outcome.emplace(std::move(r)); });
    loop.run();
    if (!outcome) return buffer_oauth::detail::transport_failed(req, "the exchange ended without an outcome");
    return std::move(*outcome);
  });
}

/// send with a tls_context() made for this call.
inline result<http_response> send(const http_request& req, const options& o = {}) {
  auto tls = tls_context();
  if (!tls) return tls.error();
  return send(*tls, req, o);
}

}  // namespace buffer_oauth::beast

#endif  // BUFFER_OAUTH_BEAST_HPP
