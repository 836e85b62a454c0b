// adapter_cases.hpp: what every transport adapter must do, as doctest template
// cases over an adapter type. A test file defines, per way of sending,
//
//   struct my_way {
//     static constexpr const char* name = "...";
//     static bo::result<bo::http_response> send(const bo::http_request&, const adapter_test::settings&);
//   };
//
// and invokes the cases inside namespace adapter_test (where they are
// defined) with TEST_CASE_TEMPLATE_INVOKE(adapter_cases, my_way).
// Failures use a path, query and header that carry fake secrets, and check
// that none of them reaches the message.
#ifndef BUFFER_OAUTH_TESTS_ADAPTERS_ADAPTER_CASES_HPP
#define BUFFER_OAUTH_TESTS_ADAPTERS_ADAPTER_CASES_HPP

#include <doctest/doctest.h>
#include <buffer_oauth.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "https_server.hpp"

namespace adapter_test {

namespace bo = buffer_oauth;

/// What every adapter's options can say, in one shape for the cases.
struct settings {
  std::string ca_file = test_certificates().trusted.cert;
  std::chrono::milliseconds total_timeout{20'000};
  std::size_t max_body = bo::limits{}.max_body;
};

/// An adapter's options (curl::options, httplib_adapter::options, ...) saying `s`.
template <class Options>
Options options_for(const settings& s) {
  Options o;
  o.ca_file = s.ca_file;
  o.total_timeout = s.total_timeout;
  o.limits.max_body = s.max_body;
  return o;
}

inline constexpr const char* secret_path = "/private-path-7Qx";
inline constexpr const char* secret_query = "access_token=fake-query-token-8Ry";
inline constexpr const char* secret_header = "Bearer fake-header-token-9Sz";

/// A request whose path, query and Authorization header must stay out of messages.
inline bo::http_request secret_bearing_request(const std::string& origin) {
  bo::http_request req;
  req.method = "POST";
  req.url = origin + secret_path + "?" + secret_query;
  req.headers.push_back({"Authorization", secret_header});
  req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  req.body = "refresh_token=fake-body-token-0Tw";
  return req;
}

inline std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// A transport failure whose message holds nothing of the request but its origin.
inline void check_transport_error(const bo::result<bo::http_response>& got) {
  REQUIRE_FALSE(got);
  CHECK(got.error().code == bo::errc::transport_error);
  const std::string& message = got.error().message;
  CAPTURE(message);
  CHECK_FALSE(message.empty());
  CHECK(message.find("private-path") == std::string::npos);
  CHECK(message.find("fake-") == std::string::npos);
  CHECK(message.find("access_token") == std::string::npos);
}

/// What the server saw of one request, read after the response arrived.
struct seen_request {
  std::mutex lock;
  int hits = 0;
  std::string method, path, query_token, authorization, content_type, custom, body;

  void record(const httplib::Request& req) {
    const std::lock_guard<std::mutex> held(lock);
    ++hits;
    method = req.method;
    path = req.path;
    query_token = req.get_param_value("access_token");
    authorization = req.get_header_value("Authorization");
    content_type = req.get_header_value("Content-Type");
    custom = req.get_header_value("X-Custom");
    body = req.body;
  }
};

TEST_CASE_TEMPLATE_DEFINE("an adapter sends over verified TLS and reports each failure", Adapter,
                          adapter_cases) {
  REQUIRE(test_certificates().ok);
  CAPTURE(Adapter::name);
  const settings trusting{};

  SUBCASE("the request arrives exactly; status, headers and body come back") {
    seen_request seen;
    const https_server server([&](httplib::Server& s) {
      auto echo = [&](const httplib::Request& req, httplib::Response& res) {
        seen.record(req);
        res.status = 201;
        res.set_header("X-Reply", "yes");
        res.set_content("round trip", "text/plain");
      };
      s.Post(secret_path, echo);
      s.Put(secret_path, echo);
      s.Get(secret_path, echo);
    });
    REQUIRE(server.ok());
    for (const char* method : {"POST", "PUT", "GET"}) {
      CAPTURE(method);
      bo::http_request req = secret_bearing_request(server.url(""));
      req.method = method;
      req.headers.push_back({"X-Custom", "a value, with; punctuation"});
      if (req.method == "GET") req.body.clear();
      const auto got = Adapter::send(req, trusting);
      REQUIRE(got);
      CHECK(got->status == 201);
      const std::string* reply = bo::find_header(got->headers, "X-Reply");
      REQUIRE(reply != nullptr);
      CHECK(*reply == "yes");
      CHECK(got->body == "round trip");
      const std::lock_guard<std::mutex> held(seen.lock);
      CHECK(seen.method == req.method);
      CHECK(seen.path == secret_path);
      CHECK(seen.query_token == "fake-query-token-8Ry");
      CHECK(seen.authorization == secret_header);
      CHECK(seen.custom == "a value, with; punctuation");
      CHECK(seen.body == req.body);
      if (req.method != "GET") CHECK(seen.content_type == "application/x-www-form-urlencoded");
    }
    CHECK(seen.hits == 3);
  }

  SUBCASE("a certificate the client was not given is refused before any request") {
    std::atomic<int> hits{0};
    const https_server impostor(
        [&](httplib::Server& s) {
          s.Post(secret_path, [&](const httplib::Request&, httplib::Response& res) {
            ++hits;
            res.set_content("leaked", "text/plain");
          });
        },
        test_certificates().untrusted);
    REQUIRE(impostor.ok());
    const auto got = Adapter::send(secret_bearing_request(impostor.url("")), trusting);
    check_transport_error(got);
    CHECK(lowercase(got.error().message).find("certificate") != std::string::npos);
    CHECK(hits == 0);
  }

  SUBCASE("a trusted certificate that names another address is refused") {
    std::atomic<int> hits{0};
    // Loopback still, but not the 127.0.0.1 the certificate names.
    const https_server elsewhere(
        [&](httplib::Server& s) {
          s.Post(secret_path, [&](const httplib::Request&, httplib::Response&) { ++hits; });
        },
        test_certificates().trusted, "127.0.0.2");
    REQUIRE(elsewhere.ok());
    check_transport_error(Adapter::send(secret_bearing_request(elsewhere.url("")), trusting));
    CHECK(hits == 0);
  }

  SUBCASE("plain http reaches a loopback server") {
    seen_request seen;
    const http_server plain([&](httplib::Server& s) {
      s.Post(secret_path, [&](const httplib::Request& req, httplib::Response& res) {
        seen.record(req);
        res.set_content("plain", "text/plain");
      });
    });
    REQUIRE(plain.ok());
    const bo::http_request req = secret_bearing_request(plain.url(""));
    const auto got = Adapter::send(req, trusting);
    REQUIRE(got);
    CHECK(got->status == 200);
    CHECK(got->body == "plain");
    const std::lock_guard<std::mutex> held(seen.lock);
    CHECK(seen.body == req.body);
    CHECK(seen.authorization == secret_header);
  }

  SUBCASE("connection refused") {
    const closed_port nobody;
    REQUIRE(nobody.port() > 0);
    check_transport_error(Adapter::send(secret_bearing_request(nobody.url("")), trusting));
  }

  SUBCASE("a server that never answers ends at the total timeout") {
    const silent_listener silent;
    REQUIRE(silent.port() > 0);
    settings impatient;
    impatient.total_timeout = std::chrono::milliseconds(300);
    const auto began = std::chrono::steady_clock::now();
    check_transport_error(Adapter::send(secret_bearing_request(silent.url("")), impatient));
    CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(15));
  }

  SUBCASE("a body that keeps trickling in ends at the total timeout") {
    std::atomic<bool> stop{false};
    const https_server dripping([&](httplib::Server& s) {
      s.Post(secret_path, [&](const httplib::Request&, httplib::Response& res) {
        res.set_chunked_content_provider("text/plain", [&](std::size_t, httplib::DataSink& sink) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          return !stop && sink.write("x", 1);
        });
      });
    });
    REQUIRE(dripping.ok());
    settings impatient;
    impatient.total_timeout = std::chrono::milliseconds(500);
    const auto began = std::chrono::steady_clock::now();
    const auto got = Adapter::send(secret_bearing_request(dripping.url("")), impatient);
    stop = true;
    check_transport_error(got);
    CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(15));
  }

  SUBCASE("a body over limits::max_body is too_large, announced or chunked; one at the limit is whole") {
    const https_server server([](httplib::Server& s) {
      s.Post(secret_path, [](const httplib::Request& req, httplib::Response& res) {
        const std::size_t size = req.has_param("long") ? 4097 : 4096;
        if (!req.has_param("chunked")) return res.set_content(std::string(size, 'b'), "text/plain");
        res.set_chunked_content_provider("text/plain", [size](std::size_t, httplib::DataSink& sink) {
          const std::string half(size / 2, 'b');
          const bool written = sink.write(half.data(), half.size()) &&
                               sink.write(std::string(size - half.size(), 'b').data(), size - half.size());
          sink.done();
          return written;
        });
      });
    });
    REQUIRE(server.ok());
    settings capped;
    capped.max_body = 4096;
    for (const char* framing : {"", "&chunked=1"}) {
      CAPTURE(framing);
      bo::http_request req = secret_bearing_request(server.url(""));
      req.url += framing;
      const auto whole = Adapter::send(req, capped);
      REQUIRE(whole);
      CHECK(whole->body == std::string(4096, 'b'));
      req.url += "&long=1";
      const auto got = Adapter::send(req, capped);
      REQUIRE_FALSE(got);
      CHECK(got.error().code == bo::errc::too_large);
      CHECK(got.error().message.find("bytes or more; the limit is 4096") != std::string::npos);
    }
  }

  SUBCASE("a redirect is returned, not followed") {
    std::atomic<int> target_hits{0};
    const https_server server([&](httplib::Server& s) {
      s.Post(secret_path, [](const httplib::Request&, httplib::Response& res) {
        res.status = 302;
        res.set_header("Location", "/elsewhere");
      });
      auto target = [&](const httplib::Request&, httplib::Response& res) {
        ++target_hits;
        res.set_content("followed", "text/plain");
      };
      s.Get("/elsewhere", target);
      s.Post("/elsewhere", target);
    });
    REQUIRE(server.ok());
    const auto got = Adapter::send(secret_bearing_request(server.url("")), trusting);
    REQUIRE(got);
    CHECK(got->status == 302);
    const std::string* location = bo::find_header(got->headers, "Location");
    REQUIRE(location != nullptr);
    CHECK(*location == "/elsewhere");
    CHECK(target_hits == 0);
  }

  SUBCASE("a request made by hand with a CR LF in a header, or a bad method, never leaves") {
    std::atomic<int> hits{0};
    const https_server server([&](httplib::Server& s) {
      s.Post(secret_path, [&](const httplib::Request&, httplib::Response&) { ++hits; });
    });
    REQUIRE(server.ok());
    bo::http_request injected = secret_bearing_request(server.url(""));
    injected.headers.push_back({"X-Note", "a\r\nX-Injected: yes"});
    CHECK(Adapter::send(injected, trusting).code() == bo::errc::invalid_header_value);
    bo::http_request bad_method = secret_bearing_request(server.url(""));
    bad_method.method = "POST /x HTTP/1.1\r\n";
    CHECK(Adapter::send(bad_method, trusting).code() == bo::errc::invalid_argument);
    CHECK(hits == 0);
  }
}

}  // namespace adapter_test

#endif  // BUFFER_OAUTH_TESTS_ADAPTERS_ADAPTER_CASES_HPP
