// The Boost.Beast adapter against https_server.hpp: the blocking send, with a
// context it makes and with the caller's, and async_send completed by a
// callback, by asio::use_future and, where the build has coroutines, by
// asio::use_awaitable.
#include <buffer_oauth_beast.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#if defined(BOOST_ASIO_HAS_CO_AWAIT)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "adapter_cases.hpp"

namespace bo = buffer_oauth;
namespace asio = boost::asio;
// The alias Beast's own examples use; bo::beast must stay reachable beside it.
namespace beast = boost::beast;

namespace {

using outcome_type = bo::result<bo::http_response>;

bo::beast::options beast_options(const adapter_test::settings& s) {
  return adapter_test::options_for<bo::beast::options>(s);
}

/// Runs `loop` until it has no work, a minute at most, and returns what the
/// one completion stored in `outcome`.
outcome_type outcome_of(asio::io_context& loop, std::optional<outcome_type>& outcome) {
  loop.run_for(std::chrono::minutes(1));
  REQUIRE(loop.stopped());
  REQUIRE(outcome.has_value());
  return std::move(*outcome);
}

struct beast_send {
  static constexpr const char* name = "beast::send";
  static outcome_type send(const bo::http_request& req, const adapter_test::settings& s) {
    return bo::beast::send(req, beast_options(s));
  }
};

// A context that trusts nothing of its own: only options::ca_file makes the
// test server's certificate good.
struct beast_send_own_context {
  static constexpr const char* name = "beast::send on the caller's ssl::context";
  static outcome_type send(const bo::http_request& req, const adapter_test::settings& s) {
    asio::ssl::context tls(asio::ssl::context::tls_client);
    return bo::beast::send(tls, req, beast_options(s));
  }
};

struct beast_async_callback {
  static constexpr const char* name = "beast::async_send with a callback on a strand";
  static outcome_type send(const bo::http_request& req, const adapter_test::settings& s) {
    auto tls = bo::beast::tls_context();
    REQUIRE(tls);
    asio::io_context loop;
    std::optional<outcome_type> outcome;
    int calls = 0;
    bo::beast::async_send(asio::make_strand(loop), *tls, req, beast_options(s), [&](outcome_type got) {
      ++calls;
      outcome.emplace(std::move(got));
    });
    CHECK(calls == 0);  // never inside async_send
    auto got = outcome_of(loop, outcome);
    CHECK(calls == 1);
    return got;
  }
};

#if !defined(BOOST_NO_EXCEPTIONS)
struct beast_async_future {
  static constexpr const char* name =
      "beast::async_send with asio::use_future, the loop run by another thread";
  static outcome_type send(const bo::http_request& req, const adapter_test::settings& s) {
    auto tls = bo::beast::tls_context();
    REQUIRE(tls);
    asio::io_context loop;
    auto busy = asio::make_work_guard(loop);
    std::thread running([&loop] { loop.run(); });
    auto future = bo::beast::async_send(loop.get_executor(), *tls, req, beast_options(s), asio::use_future);
    const bool ready = future.wait_for(std::chrono::minutes(1)) == std::future_status::ready;
    busy.reset();
    if (!ready) loop.stop();
    running.join();
    REQUIRE(ready);
    return future.get();
  }
};
#endif

#if defined(BOOST_ASIO_HAS_CO_AWAIT)
struct beast_async_awaitable {
  static constexpr const char* name = "beast::async_send with asio::use_awaitable";
  static outcome_type send(const bo::http_request& req, const adapter_test::settings& s) {
    auto tls = bo::beast::tls_context();
    REQUIRE(tls);
    asio::io_context loop;
    std::optional<outcome_type> outcome;
    asio::co_spawn(
        loop,
        [&]() -> asio::awaitable<void> {
          const auto executor = co_await asio::this_coro::executor;
          outcome.emplace(
              co_await bo::beast::async_send(executor, *tls, req, beast_options(s), asio::use_awaitable));
        },
        asio::detached);
    return outcome_of(loop, outcome);
  }
};
#endif

bo::http_request get(std::string url) {
  bo::http_request req;
  req.method = "GET";
  req.url = std::move(url);
  return req;
}

}  // namespace

namespace adapter_test {
TEST_CASE_TEMPLATE_INVOKE(adapter_cases, beast_send, beast_send_own_context, beast_async_callback);
#if !defined(BOOST_NO_EXCEPTIONS)
TEST_CASE_TEMPLATE_INVOKE(adapter_cases, beast_async_future);
#endif
#if defined(BOOST_ASIO_HAS_CO_AWAIT)
TEST_CASE_TEMPLATE_INVOKE(adapter_cases, beast_async_awaitable);
#endif
}  // namespace adapter_test

TEST_CASE("beast: each failure names its step in Boost's words, and which timeout ended it") {
  REQUIRE(adapter_test::test_certificates().ok);
  const auto trusting = beast_options(adapter_test::settings{});

  SUBCASE("a refused connection") {
    const adapter_test::closed_port nobody;
    const auto got = bo::beast::send(adapter_test::secret_bearing_request(nobody.url("")), trusting);
    adapter_test::check_transport_error(got);
    CHECK(got.error().message ==
          "POST https://127.0.0.1:" + std::to_string(nobody.port()) + ": connecting: Connection refused");
  }

  SUBCASE("an untrusted certificate: OpenSSL's reason") {
    const adapter_test::https_server impostor([](httplib::Server&) {},
                                              adapter_test::test_certificates().untrusted);
    REQUIRE(impostor.ok());
    const auto got = bo::beast::send(adapter_test::secret_bearing_request(impostor.url("")), trusting);
    adapter_test::check_transport_error(got);
    CAPTURE(got.error().message);
    CHECK(got.error().message.find("TLS handshake: certificate verify failed") != std::string::npos);
    CHECK(got.error().message.find("self-signed certificate") != std::string::npos);
  }

  SUBCASE("a TLS handshake that never ends is bounded by connect_timeout") {
    const adapter_test::silent_listener silent;
    REQUIRE(silent.port() > 0);
    auto impatient = trusting;
    impatient.connect_timeout = std::chrono::milliseconds(200);
    const auto got = bo::beast::send(adapter_test::secret_bearing_request(silent.url("")), impatient);
    adapter_test::check_transport_error(got);
    CAPTURE(got.error().message);
    CHECK(got.error().message.find("TLS handshake: ") != std::string::npos);
    CHECK(got.error().message.find("timeout (connect_timeout is 200 ms)") != std::string::npos);
  }

  SUBCASE("plain http waits for a response until total_timeout") {
    const adapter_test::silent_listener silent;
    REQUIRE(silent.port() > 0);
    auto impatient = trusting;
    impatient.total_timeout = std::chrono::milliseconds(300);
    auto req = adapter_test::secret_bearing_request("http://127.0.0.1:" + std::to_string(silent.port()));
    const auto got = bo::beast::send(req, impatient);
    adapter_test::check_transport_error(got);
    CAPTURE(got.error().message);
    CHECK(got.error().message.find("reading the response: ") != std::string::npos);
    CHECK(got.error().message.find("(total_timeout is 300 ms)") != std::string::npos);
  }

  SUBCASE("a CA file that cannot be read") {
    auto missing = trusting;
    missing.ca_file = adapter_test::test_certificates().dir.string() + "/no-such-ca.pem";
    const auto got = bo::beast::send(adapter_test::secret_bearing_request("https://127.0.0.1:1"), missing);
    adapter_test::check_transport_error(got);
    CHECK(got.error().message.find("loading the CA file") != std::string::npos);
    CHECK(got.error().message.find("no-such-ca.pem") != std::string::npos);
  }
}

TEST_CASE("beast: a request that cannot be sent is refused before the network, with the field to fix") {
  bo::beast::options o;
  auto refused = [&](const bo::http_request& req) {
    asio::io_context loop;
    auto tls = bo::beast::tls_context();
    REQUIRE(tls);
    std::optional<outcome_type> outcome;
    bo::beast::async_send(loop.get_executor(), *tls, req, o,
                          [&](outcome_type got) { outcome.emplace(std::move(got)); });
    CHECK_FALSE(outcome.has_value());  // even a refusal completes through the executor
    auto got = outcome_of(loop, outcome);
    REQUIRE_FALSE(got);
    return got.error();
  };

  auto req = get("ftp://127.0.0.1/x");
  CHECK(refused(req).code == bo::errc::invalid_url);
  req = get("https://127.0.0.1/x");
  req.method = "GE T";
  const auto method = refused(req);
  CHECK(method.code == bo::errc::invalid_argument);
  CHECK(method.message.find("method") != std::string::npos);
  req = get("https://127.0.0.1/x");
  req.headers.push_back({"X-Injected", "a\r\nHost: elsewhere"});
  CHECK(refused(req).code == bo::errc::invalid_header_value);
  o.limits.max_url = 16;
  CHECK(refused(get("https://127.0.0.1/a-long-path")).code == bo::errc::too_large);
}

TEST_CASE("beast: what a server says besides the plain answer") {
  REQUIRE(adapter_test::test_certificates().ok);
  const auto trusting = beast_options(adapter_test::settings{});
  const adapter_test::https_server server([](httplib::Server& s) {
    s.Get("/sized", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("twelve bytes", "text/plain");
    });
    s.Post("/continue", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_content(req.body, "text/plain");
    });
  });
  REQUIRE(server.ok());

  SUBCASE("HEAD: the announced length, no body, no wait for one") {
    auto req = get(server.url("/sized"));
    req.method = "HEAD";
    const auto got = bo::beast::send(req, trusting);
    REQUIRE(got);
    CHECK(got->status == static_cast<int>(beast::http::status::ok));
    CHECK(got->body.empty());
    const std::string* length = bo::find_header(got->headers, "Content-Length");
    REQUIRE(length != nullptr);
    CHECK(*length == "12");
  }

  SUBCASE("a 100 Continue is passed over for the final response") {
    bo::http_request req;
    req.method = "POST";
    req.url = server.url("/continue");
    req.headers.push_back({"Expect", "100-continue"});
    req.body = "sent whole";
    const auto got = bo::beast::send(req, trusting);
    REQUIRE(got);
    CHECK(got->status == 201);
    CHECK(got->body == "sent whole");
  }

  SUBCASE("a host name the certificate holds, resolved, with SNI") {
    const auto got =
        bo::beast::send(get("https://localhost:" + std::to_string(server.port()) + "/sized"), trusting);
    REQUIRE(got);
    CHECK(got->body == "twelve bytes");
  }
}

TEST_CASE("beast: a certificate for another address is refused with OpenSSL's reason") {
  REQUIRE(adapter_test::test_certificates().ok);
  const adapter_test::https_server elsewhere([](httplib::Server&) {},
                                             adapter_test::test_certificates().trusted, "127.0.0.2");
  REQUIRE(elsewhere.ok());
  const auto got = bo::beast::send(get(elsewhere.url("/")), beast_options(adapter_test::settings{}));
  adapter_test::check_transport_error(got);
  CAPTURE(got.error().message);
  CHECK(got.error().message.find("IP address mismatch") != std::string::npos);
}

TEST_CASE("beast: the user agent goes unless the request has its own") {
  std::mutex lock;
  std::string seen;
  const adapter_test::http_server plain([&](httplib::Server& s) {
    s.Get("/", [&](const httplib::Request& req, httplib::Response&) {
      const std::lock_guard<std::mutex> held(lock);
      seen = req.get_header_value("User-Agent");
    });
  });
  REQUIRE(plain.ok());
  auto req = get(plain.url("/"));
  for (const std::string& expected : {bo::beast::options{}.user_agent, std::string("mine/1.0")}) {
    if (expected == "mine/1.0") req.headers.push_back({"User-Agent", expected});
    REQUIRE(bo::beast::send(req));
    const std::lock_guard<std::mutex> held(lock);
    CHECK(seen == expected);
  }
}
