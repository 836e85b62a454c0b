// The libcurl adapter, easy handle and multi driver, against https_server.hpp.
#include <buffer_oauth_curl.hpp>

#include "adapter_cases.hpp"

namespace bo = buffer_oauth;

namespace {

const bo::curl::global curl_initialised;

struct curl_easy {
  static constexpr const char* name = "curl::send";
  static bo::result<bo::http_response> send(const bo::http_request& req, const adapter_test::settings& s) {
    return bo::curl::send(req, adapter_test::options_for<bo::curl::options>(s));
  }
};

/// Runs `driver` until nothing is unfinished, or a minute has passed.
void drive(bo::curl::multi_driver& driver) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (driver.unfinished() > 0 && std::chrono::steady_clock::now() < give_up) {
    const auto running = driver.poll(std::chrono::milliseconds(100));
    REQUIRE(running);
  }
  REQUIRE(driver.unfinished() == 0);
}

struct curl_multi {
  static constexpr const char* name = "curl::multi_driver";
  static bo::result<bo::http_response> send(const bo::http_request& req, const adapter_test::settings& s) {
    bo::curl::multi_driver driver;
    REQUIRE(driver.ok());
    int calls = 0;
    bo::result<bo::http_response> outcome = bo::detail::fail(bo::errc::invalid_argument, "never called");
    const auto started = driver.start(req, adapter_test::options_for<bo::curl::options>(s),
                                      [&](bo::result<bo::http_response> got) {
                                        ++calls;
                                        outcome = std::move(got);
                                      });
    if (!started) {  // refused before any transfer began: no callback
      CHECK(calls == 0);
      CHECK(driver.unfinished() == 0);
      return started.error();
    }
    drive(driver);
    CHECK(calls == 1);
    return outcome;
  }
};

}  // namespace

namespace adapter_test {
TEST_CASE_TEMPLATE_INVOKE(adapter_cases, curl_easy, curl_multi);
}  // namespace adapter_test

TEST_CASE("curl send reuses the caller's handle and refuses a null one") {
  REQUIRE(adapter_test::test_certificates().ok);
  std::atomic<int> hits{0};
  const adapter_test::https_server server([&](httplib::Server& s) {
    s.Get("/n", [&](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::to_string(++hits), "text/plain");
    });
  });
  REQUIRE(server.ok());
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(), curl_easy_cleanup);
  REQUIRE(handle);
  bo::http_request req;
  req.method = "GET";
  req.url = server.url("/n");
  const auto o = adapter_test::options_for<bo::curl::options>(adapter_test::settings{});
  for (const char* expected : {"1", "2"}) {
    const auto got = bo::curl::send(handle.get(), req, o);
    REQUIRE(got);
    CHECK(got->body == expected);
  }
  const auto refused = bo::curl::send(nullptr, req, o);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == bo::errc::invalid_argument);
}

TEST_CASE("multi_driver: concurrent transfers, each callback once; cancel and destruction") {
  REQUIRE(adapter_test::test_certificates().ok);
  const adapter_test::https_server server([](httplib::Server& s) {
    s.Get(R"(/item/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("item " + req.matches[1].str(), "text/plain");
    });
  });
  REQUIRE(server.ok());
  const adapter_test::silent_listener silent;
  REQUIRE(silent.port() > 0);
  const auto o = adapter_test::options_for<bo::curl::options>(adapter_test::settings{});
  auto get = [](std::string url) {
    bo::http_request req;
    req.method = "GET";
    req.url = std::move(url);
    return req;
  };

  SUBCASE("three at once, and one started from a callback") {
    bo::curl::multi_driver driver;
    std::vector<std::string> bodies;
    int calls = 0;
    auto keep = [&](bo::result<bo::http_response> got) {
      ++calls;
      REQUIRE(got);
      bodies.push_back(got->body);
    };
    for (const char* n : {"1", "2"}) REQUIRE(driver.start(get(server.url("/item/") + n), o, keep));
    REQUIRE(driver.start(get(server.url("/item/3")), o, [&](bo::result<bo::http_response> got) {
      keep(std::move(got));
      REQUIRE(driver.start(get(server.url("/item/4")), o, keep));
    }));
    CHECK(driver.unfinished() == 3);
    drive(driver);
    CHECK(calls == 4);
    std::sort(bodies.begin(), bodies.end());
    CHECK(bodies == std::vector<std::string>{"item 1", "item 2", "item 3", "item 4"});
  }

  SUBCASE("cancel() ends each unfinished transfer with transport_error") {
    bo::curl::multi_driver driver;
    std::vector<bo::errc> codes;
    auto keep = [&](bo::result<bo::http_response> got) {
      REQUIRE_FALSE(got);
      codes.push_back(got.error().code);
      CHECK(got.error().message.find("cancelled") != std::string::npos);
    };
    REQUIRE(driver.start(get(silent.url("/a")), o, keep));
    REQUIRE(driver.start(get(silent.url("/b")), o, keep));
    REQUIRE(driver.perform());
    driver.cancel();
    CHECK(driver.unfinished() == 0);
    CHECK(codes == std::vector<bo::errc>{bo::errc::transport_error, bo::errc::transport_error});
    const auto idle = driver.poll(std::chrono::milliseconds(1));
    REQUIRE(idle);
    CHECK(*idle == 0);
  }

  SUBCASE("destruction calls no callback") {
    int calls = 0;
    {
      bo::curl::multi_driver driver;
      REQUIRE(driver.start(get(silent.url("/a")), o, [&](const bo::result<bo::http_response>&) { ++calls; }));
      REQUIRE(driver.perform());
    }
    CHECK(calls == 0);
  }

  SUBCASE("an empty callback is refused and nothing starts") {
    bo::curl::multi_driver driver;
    const auto refused = driver.start(get(server.url("/item/1")), o, nullptr);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == bo::errc::invalid_argument);
    CHECK(driver.unfinished() == 0);
  }
}
