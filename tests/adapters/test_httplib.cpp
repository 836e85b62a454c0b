// The cpp-httplib adapter against https_server.hpp.
#include <buffer_oauth_httplib.hpp>

#include "adapter_cases.hpp"

namespace bo = buffer_oauth;

namespace {

struct httplib_send {
  static constexpr const char* name = "httplib_adapter::send";
  static bo::result<bo::http_response> send(const bo::http_request& req, const adapter_test::settings& s) {
    return bo::httplib_adapter::send(req, adapter_test::options_for<bo::httplib_adapter::options>(s));
  }
};

}  // namespace

namespace adapter_test {
TEST_CASE_TEMPLATE_INVOKE(adapter_cases, httplib_send);
}  // namespace adapter_test

TEST_CASE("httplib send: a URL it cannot split and a CA file it cannot read are reported") {
  REQUIRE(adapter_test::test_certificates().ok);
  const adapter_test::https_server server([](httplib::Server& s) {
    s.Get("/",
          [](const httplib::Request&, httplib::Response& res) { res.set_content("root", "text/plain"); });
  });
  REQUIRE(server.ok());
  bo::http_request req;
  req.method = "GET";

  req.url = "ftp://127.0.0.1/file";
  const auto ftp = bo::httplib_adapter::send(req);
  REQUIRE_FALSE(ftp);
  CHECK(ftp.error().code == bo::errc::invalid_argument);
  CHECK(ftp.error().message.find("scheme") != std::string::npos);

  req.url = server.url("");  // no path: "/" is sent
  auto o = adapter_test::options_for<bo::httplib_adapter::options>(adapter_test::settings{});
  const auto root = bo::httplib_adapter::send(req, o);
  REQUIRE(root);
  CHECK(root->body == "root");

  o.ca_file = (adapter_test::test_certificates().dir / "no-such-file.pem").string();
  const auto unread = bo::httplib_adapter::send(req, o);
  REQUIRE_FALSE(unread);
  CHECK(unread.error().code == bo::errc::transport_error);
  CHECK(unread.error().message.find("CA file") != std::string::npos);
}
