// Section 11 (Token), revocation: build_revocation_request and
// parse_revocation_response (RFC 7009), and the Retry-After a refusal carries.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

namespace bo = buffer_oauth;

using namespace test_support;

namespace {

// RFC 7009 §2.1's client and server: HTTP Basic, the revocation endpoint /revoke.
bo::provider rfc7009_server() {
  auto p = bo::provider::generic("example", "https://server.example.com/authorize",
                                 "https://server.example.com/token", "https://server.example.com/");
  p.revocation_endpoint = "https://server.example.com/revoke";
  return p;
}

bo::client rfc7009_client() { return bo::client{"s6BhdRkqt3", "gX1fBat3bV", ""}; }

// Buffer's current server: client_secret_post for confidential clients.
bo::provider body_auth_server() {
  auto p = rfc7009_server();
  p.authentication = bo::client_auth::request_body;
  p.revocation_endpoint = "https://auth.buffer.com/token/revocation";
  return p;
}

bo::client public_client() { return bo::client{"cli-app", "", ""}; }

const std::string* header(const bo::http_request& r, std::string_view name) {
  return bo::find_header(r.headers, name);
}

bo::result<void> revocation(int status, std::string body, bo::http_headers headers = {}) {
  return bo::parse_revocation_response(response(status, std::move(body), std::move(headers)));
}

bo::error rate_limited_with(std::string retry_after, int status = 503) {
  auto r = revocation(status, "", {{"Retry-After", std::move(retry_after)}});
  REQUIRE(!r);
  CHECK(r.code() == bo::errc::rate_limited);
  CHECK(r.error().http_status == status);
  return r.error();
}

}  // namespace

// ============================================================================
// build_revocation_request
// ============================================================================

TEST_CASE("revocation request: RFC 7009's example with HTTP Basic, byte for byte") {
  auto req = bo::build_revocation_request(rfc7009_server(), rfc7009_client(), "45ghiukldjahdnhzdauz",
                                          bo::token_type_hint::refresh_token);
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->url == "https://server.example.com/revoke");
  REQUIRE(header(*req, "Content-Type"));
  CHECK(*header(*req, "Content-Type") == "application/x-www-form-urlencoded");
  REQUIRE(header(*req, "Authorization"));
  CHECK(*header(*req, "Authorization") == "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
  CHECK(req->body == "token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token");
}

TEST_CASE("revocation request: each hint is sent by its RFC 7009 name, none sends no hint") {
  const auto p = rfc7009_server();
  const auto c = rfc7009_client();
  auto access = bo::build_revocation_request(p, c, "tok", bo::token_type_hint::access_token);
  REQUIRE(access);
  CHECK(access->body == "token=tok&token_type_hint=access_token");
  auto none = bo::build_revocation_request(p, c, "tok");
  REQUIRE(none);
  CHECK(none->body == "token=tok");
  CHECK(bo::to_string(bo::token_type_hint::none) == "none");
  CHECK(bo::to_string(bo::token_type_hint::refresh_token) == "refresh_token");
  CHECK(bo::to_string(static_cast<bo::token_type_hint>(7)) == "unknown");
  auto bad = bo::build_revocation_request(p, c, "tok", static_cast<bo::token_type_hint>(7));
  REQUIRE(!bad);
  CHECK(bad.code() == bo::errc::invalid_argument);
}

TEST_CASE("revocation request: client_secret_post puts id and secret in the body, no Authorization") {
  auto req = bo::build_revocation_request(body_auth_server(), rfc7009_client(), "tok",
                                          bo::token_type_hint::access_token);
  REQUIRE(req);
  CHECK(req->url == "https://auth.buffer.com/token/revocation");
  CHECK(header(*req, "Authorization") == nullptr);
  CHECK(req->body == "client_id=s6BhdRkqt3&client_secret=gX1fBat3bV&token=tok&token_type_hint=access_token");
}

TEST_CASE("revocation request: a public client sends its client_id and never a secret") {
  for (auto p : {rfc7009_server(), body_auth_server()}) {
    CHECK(bo::build_revocation_request(p, public_client(), "tok").code() == bo::errc::client_secret_required);
    p.public_clients = true;
    auto req = bo::build_revocation_request(p, public_client(), "tok", bo::token_type_hint::refresh_token);
    REQUIRE(req);
    CHECK(header(*req, "Authorization") == nullptr);
    CHECK(req->body == "client_id=cli-app&token=tok&token_type_hint=refresh_token");
    CHECK(req->body.find("client_secret") == std::string::npos);
  }
}

TEST_CASE("revocation request: the token is form-encoded and secrets stay out of messages") {
  auto req = bo::build_revocation_request(body_auth_server(), rfc7009_client(), "a+b/c=d&e");
  REQUIRE(req);
  CHECK(req->body.find("&token=a%2Bb%2Fc%3Dd%26e") != std::string::npos);
  auto bad = bo::build_revocation_request(body_auth_server(), rfc7009_client(), "secret\ntoken");
  REQUIRE(!bad);
  CHECK(bad.error().message.find("secret") == std::string::npos);
  CHECK(bad.error().message.find("gX1fBat3bV") == std::string::npos);
}

TEST_CASE("revocation request: a provider without a revocation endpoint is invalid_endpoint") {
  auto p = rfc7009_server();
  p.revocation_endpoint.clear();
  auto req = bo::build_revocation_request(p, rfc7009_client(), "tok");
  REQUIRE(!req);
  CHECK(req.code() == bo::errc::invalid_endpoint);
  CHECK(req.error().message.find("no revocation endpoint") != std::string::npos);
  auto legacy = bo::build_revocation_request(bo::provider::buffer_legacy(), buffer_client(), "tok");
  CHECK(legacy.code() == bo::errc::invalid_endpoint);
}

TEST_CASE("revocation request: the endpoint is checked like every other endpoint") {
  auto p = rfc7009_server();
  p.revocation_endpoint = "http://server.example.com/revoke";
  CHECK(bo::build_revocation_request(p, rfc7009_client(), "tok").code() == bo::errc::insecure_url);
  p.revocation_endpoint = "http://127.0.0.1:8080/revoke";
  CHECK(bo::build_revocation_request(p, rfc7009_client(), "tok").code() == bo::errc::insecure_url);
  p.allow_insecure_loopback = true;
  CHECK(bo::build_revocation_request(p, rfc7009_client(), "tok"));
  p.revocation_endpoint = "https://server.example.com/revoke#frag";
  CHECK(bo::build_revocation_request(p, rfc7009_client(), "tok").code() == bo::errc::invalid_endpoint);
  p.revocation_endpoint = "/revoke";
  CHECK(bo::build_revocation_request(p, rfc7009_client(), "tok").code() == bo::errc::invalid_endpoint);
  for (const char* query : {"?token=other", "?token_type_hint=access_token", "?client_id=x", "?%74oken=x"}) {
    CAPTURE(query);
    p.revocation_endpoint = std::string("https://server.example.com/revoke") + query;
    auto req = bo::build_revocation_request(p, rfc7009_client(), "tok");
    REQUIRE(!req);
    CHECK(req.code() == bo::errc::duplicate_parameter);
    CHECK(req.error().message.find("revocation_endpoint") != std::string::npos);
  }
}

TEST_CASE(
    "revocation request: an empty token or one outside VSCHAR (printable ASCII) is invalid_token_syntax") {
  for (std::string_view token :
       {std::string_view(), std::string_view("a\tb"), std::string_view("a\r\nb"), std::string_view("tok\x7f"),
        std::string_view("caf\xc3\xa9"), std::string_view("a\0b", 3)}) {
    CAPTURE(token);
    auto req = bo::build_revocation_request(rfc7009_server(), rfc7009_client(), token);
    REQUIRE(!req);
    CHECK(req.code() == bo::errc::invalid_token_syntax);
    CHECK(req.error().message.find("token") != std::string::npos);
  }
}

TEST_CASE("revocation request: a token over limits::max_value is too_large, one at it is sent") {
  const bo::limits lim;
  const std::string at_limit(lim.max_value, 't');
  CHECK(bo::build_revocation_request(rfc7009_server(), rfc7009_client(), at_limit));
  auto req =
      bo::build_revocation_request(rfc7009_server(), rfc7009_client(), std::string(lim.max_value + 1, 't'));
  REQUIRE(!req);
  CHECK(req.code() == bo::errc::too_large);
}

TEST_CASE("revocation request: the client is checked as at the token endpoint") {
  auto no_id = rfc7009_client();
  no_id.id.clear();
  CHECK(bo::build_revocation_request(rfc7009_server(), no_id, "tok").code() == bo::errc::invalid_client_id);
  auto long_secret = rfc7009_client();
  long_secret.secret = std::string(bo::limits{}.max_value + 1, 's');
  CHECK(bo::build_revocation_request(rfc7009_server(), long_secret, "tok").code() == bo::errc::too_large);
}

// ============================================================================
// parse_revocation_response
// ============================================================================

TEST_CASE("revocation response: any 200 means revoked, whatever the body") {
  for (const char* body : {"", "{}", "<html>ok</html>", R"({"error":"invalid_request"})",
                           R"({"success":false,"code":1001})", "{not json"}) {
    CAPTURE(body);
    CHECK(revocation(200, body));
  }
}

TEST_CASE("revocation response: an RFC 6749 error body is token_error with the provider's fields") {
  auto r = revocation(400, R"({"error":"unsupported_token_type","error_description":"no such kind"})");
  REQUIRE(!r);
  CHECK(r.code() == bo::errc::token_error);
  CHECK(r.error().from_provider.error == "unsupported_token_type");
  CHECK(r.error().from_provider.error_description == "no such kind");
  CHECK(r.error().http_status == 400);
  CHECK(r.error().body == R"({"error":"[redacted, 22 bytes]","[redacted, 17 bytes]":"no such kind"})");

  auto client = revocation(401, R"({"error":"invalid_client"})");
  REQUIRE(!client);
  CHECK(client.code() == bo::errc::token_error);
  CHECK(client.error().from_provider.error == "invalid_client");
  CHECK(client.error().http_status == 401);
}

TEST_CASE("revocation response: an error body that breaks RFC 6749's rules is malformed_error") {
  auto r = revocation(400, R"({"error":"caf\u00e9"})");
  REQUIRE(!r);
  CHECK(r.code() == bo::errc::malformed_error);
  CHECK(r.error().http_status == 400);
}

TEST_CASE("revocation response: any other answer is http_error with the status and a redacted body") {
  const std::string token(40, 'A');
  for (int status : {201, 204, 302, 400, 404, 500, 503}) {
    CAPTURE(status);
    auto r = revocation(status, "<html>" + token + "</html>");
    REQUIRE(!r);
    CHECK(r.code() == bo::errc::http_error);
    CHECK(r.error().http_status == status);
    CHECK(r.error().message.find(std::to_string(status)) != std::string::npos);
    CHECK(r.error().body == "<html>[redacted, 40 bytes]</html>");
  }
  for (const char* body : {"", "{}", "[1]", R"({"other":1})"}) {
    CAPTURE(body);
    auto r = revocation(500, body);
    REQUIRE(!r);
    CHECK(r.code() == bo::errc::http_error);
    CHECK(r.error().http_status == 500);
  }
}

TEST_CASE("revocation response: 429 is rate_limited even without Retry-After; 503 only with it") {
  auto limited = revocation(429, "<html>slow down</html>");
  REQUIRE(!limited);
  CHECK(limited.code() == bo::errc::rate_limited);
  CHECK(limited.error().http_status == 429);
  CHECK(!limited.error().retry_after);
  CHECK(limited.error().retry_after_date.empty());
  CHECK(revocation(503, "").code() == bo::errc::http_error);
  CHECK(revocation(503, "", {{"Retry-After", "5"}}).code() == bo::errc::rate_limited);
}

TEST_CASE("revocation response: Retry-After only counts with 503 or 429") {
  auto r = revocation(400, R"({"error":"invalid_request"})", {{"Retry-After", "120"}});
  REQUIRE(!r);
  CHECK(r.code() == bo::errc::token_error);
  CHECK(!r.error().retry_after);
  CHECK(revocation(200, "", {{"Retry-After", "120"}}));
}

TEST_CASE("revocation response: Retry-After in seconds is kept as a duration") {
  const bo::error e = rate_limited_with("120");
  REQUIRE(e.retry_after);
  CHECK(*e.retry_after == std::chrono::seconds(120));
  CHECK(e.retry_after_date.empty());
  CHECK(bo::category(e.code) == bo::errc_category::provider_refused);
  CHECK(e.message.find("retry_after") != std::string::npos);

  const bo::error now = rate_limited_with("0", 429);
  REQUIRE(now.retry_after);
  CHECK(*now.retry_after == std::chrono::seconds(0));

  const bo::error lower = bo::parse_revocation_response(response(429, "", {{"retry-after", "7"}})).error();
  CHECK(lower.code == bo::errc::rate_limited);
  REQUIRE(lower.retry_after);
  CHECK(*lower.retry_after == std::chrono::seconds(7));
}

TEST_CASE("revocation response: a malformed Retry-After leaves retry_after empty, still rate_limited") {
  for (const char* value : {"-1", "1e3", "+5", "", " 120", "12.5", "0x10", "120s", "99999999999999999999",
                            "1234567890123456789"}) {
    CAPTURE(value);
    const bo::error e = rate_limited_with(value);
    CHECK(!e.retry_after);
    CHECK(e.retry_after_date.empty());
  }
  const bo::error most = rate_limited_with("999999999999999999");
  REQUIRE(most.retry_after);
  CHECK(most.retry_after->count() == 999999999999999999);
}

TEST_CASE("revocation response: an IMF-fixdate Retry-After is kept as text, other dates are dropped") {
  const bo::error e = rate_limited_with("Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(!e.retry_after);
  CHECK(e.retry_after_date == "Sun, 06 Nov 1994 08:49:37 GMT");
  for (const char* value :
       {"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT\r\nX: y", "Sun, 06 Nov 1994 08-49-37 GMT"}) {
    CAPTURE(value);
    const bo::error other = rate_limited_with(value);
    CHECK(!other.retry_after);
    CHECK(other.retry_after_date.empty());
  }
}

TEST_CASE("revocation response: 503 without Retry-After is no rate_limited") {
  auto r = revocation(503, "");
  REQUIRE(!r);
  CHECK(r.code() == bo::errc::http_error);
  CHECK(!r.error().retry_after);
}

TEST_CASE("revocation response: a JSON object body that does not read says why") {
  bo::limits lim;
  lim.max_body = 16;
  auto big = bo::parse_revocation_response(response(400, R"({"error":"invalid_request"})"), lim);
  REQUIRE(!big);
  CHECK(big.code() == bo::errc::too_large);
  CHECK(big.error().http_status == 400);
  CHECK(revocation(500, "{not json").code() == bo::errc::malformed_json);
  auto twice = revocation(400, R"({"error":"invalid_request","error":"invalid_client"})");
  CHECK(twice.code() == bo::errc::duplicate_member);
  CHECK(twice.error().http_status == 400);
}
