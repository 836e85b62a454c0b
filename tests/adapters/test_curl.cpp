// The libcurl adapter, easy handle and multi driver, against https_server.hpp.
#include <doctest/doctest.h>
#include <buffer_oauth_curl.hpp>

#include "https_server.hpp"

namespace bo = buffer_oauth;
using adapter_test::https_server;
using adapter_test::test_certificates;

namespace {

bo::curl::options trusting_the_test_certificate() {
  bo::curl::options o;
  o.ca_file = test_certificates().trusted.cert;
  return o;
}

}  // namespace

TEST_CASE("curl send: a response comes back over verified TLS") {
  REQUIRE(test_certificates().ok);
  const https_server server([](httplib::Server& s) {
    s.Get("/hello",
          [](const httplib::Request&, httplib::Response& res) { res.set_content("hi", "text/plain"); });
  });
  REQUIRE(server.ok());
  bo::http_request req;
  req.method = "GET";
  req.url = server.url("/hello");
  const auto got = bo::curl::send(req, trusting_the_test_certificate());
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->body == "hi");
}
