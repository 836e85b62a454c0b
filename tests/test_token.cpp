// Section 11 (Token): build_token_request, build_refresh_request,
// parse_token_response, parse_refresh_response, for Buffer's exchanges (with
// the redirect URI https://example.com/back) and for hostile answers.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bo = buffer_oauth;

using namespace test_support;

namespace {

// The body read back the way a server would: split on '&', form-decoded.
// Each raw byte is one the form encoding writes (unreserved, '+', '/', '=',
// '&' or a %XX escape), and nothing decodes to a control character.
pairs form_fields(std::string_view body) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char ch = body[i];
    if (ch == '%') {
      CHECK((i + 2 < body.size() && hex.find(body[i + 1]) != std::string_view::npos &&
             hex.find(body[i + 2]) != std::string_view::npos));
      continue;
    }
    CHECK(
        std::string_view("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=&").find(ch) !=
        std::string_view::npos);
  }
  pairs fields = form_pairs(body);
  for (const auto& kv : fields)
    for (const std::string* text : {&kv.first, &kv.second})
      for (char ch : *text) CHECK((static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f));
  return fields;
}

bo::result<bo::token> buffer_parse(int status, std::string body) {
  return bo::parse_token_response(bo::provider::buffer_legacy(), response(status, std::move(body)));
}

bo::result<bo::token> generic_parse(int status, std::string body) {
  return bo::parse_token_response(generic(), response(status, std::move(body)));
}

}  // namespace

// ============================================================================
// build_token_request
// ============================================================================

TEST_CASE("token request: Buffer's token request byte for byte") {
  auto req = bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), kBufferCode);
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->url == "https://api.bufferapp.com/1/oauth2/token.json");
  REQUIRE(req->headers.size() == 2);
  CHECK(req->headers[0].name == "Content-Type");
  CHECK(req->headers[0].value == "application/x-www-form-urlencoded");
  CHECK(req->headers[1].name == "Accept");
  CHECK(req->headers[1].value == "application/json");
  CHECK(
      req->body ==
      "client_id=4e9680c0512f7ed322000000&client_secret=s3cr3t&redirect_uri=https%3A%2F%2Fexample.com%2Fback"
      "&code=1/mWot20jTwojsd00jFlaaR45&grant_type=authorization_code");
}

TEST_CASE("token request: Buffer's code 1/... is sent with its '/' unescaped") {
  auto req = bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), kBufferCode);
  REQUIRE(req);
  CHECK(req->body.find("code=1/mWot20jTwojsd00jFlaaR45") != std::string::npos);
  CHECK(req->body.find("1%2FmWot") == std::string::npos);
  CHECK(req->body.find("%252F") == std::string::npos);
  const pairs f = form_fields(req->body);
  for (std::string_view name : {"client_id", "client_secret", "redirect_uri", "code", "grant_type"})
    CHECK(count_name(f, name) == 1);
  CHECK(first_value(f, "code") == kBufferCode);
  CHECK(first_value(f, "redirect_uri") == kRu);
}

TEST_CASE("token request: '+' and '=' in a code are escaped, '/' is not") {
  auto req = bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), "1/ab+c=");
  REQUIRE(req);
  CHECK(req->body.find("&code=1/ab%2Bc%3D&") != std::string::npos);
}

TEST_CASE("token request: hostile codes are escaped and parse back to the same code") {
  struct row {
    const char* code;
    const char* encoded;
  };
  const row rows[] = {
      {"a&grant_type=password", "a%26grant_type%3Dpassword"},
      {"a=b", "a%3Db"},
      {"a+b", "a%2Bb"},
      {"a%2Fb", "a%252Fb"},
      {"a#b", "a%23b"},
      {"a b", "a%20b"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.code);
    for (const bo::provider& p : {bo::provider::buffer_legacy(), generic()}) {
      auto req = bo::build_token_request(p, buffer_client(), r.code);
      REQUIRE(req);
      const pairs f = form_fields(req->body);
      CHECK(count_name(f, "code") == 1);
      CHECK(count_name(f, "grant_type") == 1);
      CHECK(first_value(f, "grant_type") == "authorization_code");
      CHECK(first_value(f, "code") == r.code);
      CHECK(req->body.find('#') == std::string::npos);
      CHECK(req->body.find(' ') == std::string::npos);
    }
    auto buffer_req = bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), r.code);
    REQUIRE(buffer_req);
    CHECK(buffer_req->body.find(std::string("&code=") + r.encoded + "&") != std::string::npos);
  }
}

TEST_CASE("token request: a generic provider form-encodes '/' in the code too") {
  bo::provider p = generic();
  p.authentication = bo::client_auth::request_body;
  auto req = bo::build_token_request(p, buffer_client(), kBufferCode);
  REQUIRE(req);
  CHECK(req->body.find("&code=1%2FmWot20jTwojsd00jFlaaR45&") != std::string::npos);
  CHECK(first_value(form_fields(req->body), "code") == kBufferCode);
}

TEST_CASE("token request: the client secret is fully escaped, in the body only") {
  bo::client c = buffer_client();
  c.secret = "p+q/r=s&t";
  auto req = bo::build_token_request(bo::provider::buffer_legacy(), c, kBufferCode);
  REQUIRE(req);
  CHECK(req->body.find("&client_secret=p%2Bq%2Fr%3Ds%26t&") != std::string::npos);
  CHECK(first_value(form_fields(req->body), "client_secret") == "p+q/r=s&t");
  CHECK(bo::find_header(req->headers, "Authorization") == nullptr);
  CHECK(req->url.find("secret") == std::string::npos);
}

TEST_CASE("token request: code_verifier is sent, and validated (RFC 7636 §4.1)") {
  const std::string v43(43, 'a');
  auto req = bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), kBufferCode, v43);
  REQUIRE(req);
  CHECK(
      req->body ==
      "client_id=4e9680c0512f7ed322000000&client_secret=s3cr3t&redirect_uri=https%3A%2F%2Fexample.com%2Fback"
      "&code=1/mWot20jTwojsd00jFlaaR45&grant_type=authorization_code&code_verifier=" +
          v43);
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), kBufferCode,
                                std::string(128, '~')));
  for (const std::string& bad : {std::string(42, 'a'), std::string(129, 'a'), std::string(42, 'a') + "+",
                                 std::string(42, 'a') + "/", std::string(42, 'a') + "="}) {
    CAPTURE(bad);
    CHECK(bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), kBufferCode, bad).code() ==
          bo::errc::invalid_code_verifier);
  }
  // Without a verifier there is no code_verifier field.
  auto none = bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), kBufferCode);
  REQUIRE(none);
  CHECK(none->body.find("code_verifier") == std::string::npos);
}

TEST_CASE("token request: code validation") {
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), "").code() ==
        bo::errc::missing_code);
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), "1/a\r\nb").code() ==
        bo::errc::invalid_character);
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), "caf\xc3\xa9").code() ==
        bo::errc::invalid_character);
  const std::size_t cap = bo::limits{}.max_value;
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), std::string(cap, 'a')));
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), std::string(cap + 1, 'a'))
            .code() == bo::errc::too_large);
}

TEST_CASE("token request: client and redirect URI validation") {
  bo::client c = buffer_client();
  c.id = "";
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), c, kBufferCode).code() ==
        bo::errc::invalid_client_id);
  c = buffer_client();
  c.id = "id\r\nX-Evil: 1";
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), c, kBufferCode).code() ==
        bo::errc::invalid_client_id);
  c = buffer_client();
  c.redirect_uri = "http://example.com/back";
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), c, kBufferCode).code() ==
        bo::errc::insecure_url);
  c.redirect_uri = "https://example.com/back#f";
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), c, kBufferCode).code() ==
        bo::errc::invalid_redirect_uri);
  c = buffer_client();
  c.secret = std::string(bo::limits{}.max_value + 1, 's');
  CHECK(bo::build_token_request(bo::provider::buffer_legacy(), c, kBufferCode).code() == bo::errc::too_large);
}

TEST_CASE("token request: plain http token endpoint only for a loopback IP with the provider's opt-in") {
  bo::provider p = bo::provider::buffer_legacy();
  p.token_endpoint = "http://api.bufferapp.com/1/oauth2/token.json";
  CHECK(bo::build_token_request(p, buffer_client(), kBufferCode).code() == bo::errc::insecure_url);
  p.token_endpoint = "http://127.0.0.1:8080/token";
  CHECK(bo::build_token_request(p, buffer_client(), kBufferCode).code() == bo::errc::insecure_url);
  p.allow_insecure_loopback = true;
  auto ok = bo::build_token_request(p, buffer_client(), kBufferCode);
  REQUIRE(ok);
  CHECK(ok->url == "http://127.0.0.1:8080/token");
  p.token_endpoint = "http://[::1]:8080/token";
  CHECK(bo::build_token_request(p, buffer_client(), kBufferCode));
  p.token_endpoint = "http://localhost:8080/token";
  CHECK(bo::build_token_request(p, buffer_client(), kBufferCode).code() == bo::errc::insecure_url);
  p.token_endpoint = "http://api.bufferapp.com/1/oauth2/token.json";
  CHECK(bo::build_token_request(p, buffer_client(), kBufferCode).code() == bo::errc::insecure_url);
}

TEST_CASE("token request: endpoint query kept, fragment refused") {
  bo::provider p = bo::provider::buffer_legacy();
  p.token_endpoint = "https://api.bufferapp.com/1/oauth2/token.json?x=1";
  auto ok = bo::build_token_request(p, buffer_client(), kBufferCode);
  REQUIRE(ok);
  CHECK(ok->url == "https://api.bufferapp.com/1/oauth2/token.json?x=1");
  p.token_endpoint = "https://api.bufferapp.com/1/oauth2/token.json#f";
  CHECK(bo::build_token_request(p, buffer_client(), kBufferCode).code() == bo::errc::invalid_endpoint);
  p.token_endpoint = "token.json";
  CHECK(bo::build_token_request(p, buffer_client(), kBufferCode).code() == bo::errc::invalid_endpoint);
}

TEST_CASE("token request: HTTP Basic for provider::generic (RFC 6749 §2.3.1: form-encode, then base64)") {
  bo::client c{"my client:1", "p+q/r=s&t", std::string(kRu)};
  auto req = bo::build_token_request(generic(), c, kBufferCode);
  REQUIRE(req);
  const std::string* auth = bo::find_header(req->headers, "Authorization");
  REQUIRE(auth != nullptr);
  // base64("my+client%3A1:p%2Bq%2Fr%3Ds%26t")
  CHECK(*auth == "Basic bXkrY2xpZW50JTNBMTpwJTJCcSUyRnIlM0RzJTI2dA==");
  const pairs f = form_fields(req->body);
  CHECK(count_name(f, "client_id") == 0);
  CHECK(count_name(f, "client_secret") == 0);
  CHECK(req->body ==
        "redirect_uri=https%3A%2F%2Fexample.com%2Fback&code=1%2FmWot20jTwojsd00jFlaaR45"
        "&grant_type=authorization_code");
}

TEST_CASE("refresh request: grant_type=refresh_token, escaped, optional scope") {
  auto b = bo::build_refresh_request(bo::provider::buffer_legacy(), buffer_client(), "r/1+2=");
  REQUIRE(b);
  CHECK(b->method == "POST");
  CHECK(b->url == "https://api.bufferapp.com/1/oauth2/token.json");
  CHECK(b->body ==
        "client_id=4e9680c0512f7ed322000000&client_secret=s3cr3t&grant_type=refresh_token"
        "&refresh_token=r%2F1%2B2%3D");
  bo::client c{"my client:1", "p+q/r=s&t", std::string(kRu)};
  auto g = bo::build_refresh_request(generic(), c, "tGzv3JOkF0XG5Qx2TlKWIA", "read write");
  REQUIRE(g);
  CHECK(*bo::find_header(g->headers, "Authorization") ==
        "Basic bXkrY2xpZW50JTNBMTpwJTJCcSUyRnIlM0RzJTI2dA==");
  CHECK(g->body == "grant_type=refresh_token&refresh_token=tGzv3JOkF0XG5Qx2TlKWIA&scope=read+write");
  CHECK(bo::build_refresh_request(generic(), c, "").code() == bo::errc::invalid_token_syntax);
  CHECK(bo::build_refresh_request(generic(), c, "a\nb").code() == bo::errc::invalid_token_syntax);
  CHECK(bo::build_refresh_request(generic(), c, std::string(bo::limits{}.max_value + 1, 'r')).code() ==
        bo::errc::too_large);
  CHECK(bo::build_refresh_request(generic(), c, "r", "a  b").code() == bo::errc::invalid_character);
  CHECK(bo::build_refresh_request(generic(), c, "r", "\"x\"").code() == bo::errc::invalid_character);
}

// ============================================================================
// parse_token_response: Buffer's and RFC 6749 §5 answers
// ============================================================================

TEST_CASE("token response: escaped solidus, Bearer by default for Buffer (leniency recorded)") {
  auto t = buffer_parse(200, R"({"access_token":"1\/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60"})");
  REQUIRE(t);
  CHECK(t->access_token == kToken);
  CHECK(t->token_type == "bearer");
  CHECK(t->applied(bo::leniency::token_type_defaulted));
  CHECK_FALSE(t->applied(bo::leniency::expires_in_string));
  CHECK_FALSE(t->applied(bo::leniency::null_member));
  CHECK_FALSE(t->expires_in.has_value());
  CHECK(t->refresh_token.empty());
  CHECK_FALSE(t->no_store);
}

TEST_CASE("token response: null scope tolerated by Buffer") {
  auto t =
      buffer_parse(200, R"({"access_token":"1/abc","expires_in":3600,"token_type":"bearer","scope":null})");
  REQUIRE(t);
  CHECK(t->access_token == "1/abc");
  REQUIRE(t->expires_in.has_value());
  CHECK(*t->expires_in == 3600);
  CHECK(t->token_type == "bearer");
  CHECK(t->scope.empty());
  CHECK(t->applied(bo::leniency::null_member));
  CHECK_FALSE(t->applied(bo::leniency::token_type_defaulted));
}

TEST_CASE("token response: token_type is case-insensitive, refresh token kept") {
  const std::string body =
      R"({"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"})";
  for (const bo::provider& p : {bo::provider::buffer_legacy(), generic()}) {
    auto t = bo::parse_token_response(p, response(200, body));
    REQUIRE(t);
    CHECK(t->access_token == "mF_9.B5f-4.1JqM");
    CHECK(t->token_type == "Bearer");
    CHECK(t->refresh_token == "tGzv3JOkF0XG5Qx2TlKWIA");
    CHECK(*t->expires_in == 3600);
    CHECK(t->leniencies == 0);
  }
}

TEST_CASE("token response: unknown token_type refused") {
  const std::string body =
      R"({"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600,"example_parameter":"example_value"})";
  CHECK(buffer_parse(200, body).code() == bo::errc::unsupported_token_type);
  CHECK(generic_parse(200, body).code() == bo::errc::unsupported_token_type);
}

TEST_CASE("token response: no access_token") {
  CHECK(buffer_parse(200, R"({"token_type":"bearer"})").code() == bo::errc::missing_access_token);
}

TEST_CASE("token response: error despite HTTP 200") {
  auto t = buffer_parse(200, R"({"error":"invalid_grant"})");
  CHECK(t.code() == bo::errc::token_error);
  CHECK(t.error().from_provider.error == "invalid_grant");
  CHECK(t.error().http_status == 200);
}

TEST_CASE("token response: RFC 6749 §5.2 errors") {
  auto expired = buffer_parse(
      400, R"({"error":"invalid_grant","error_description":"The authorization code has expired"})");
  CHECK(expired.code() == bo::errc::token_error);
  CHECK(expired.error().from_provider.error == "invalid_grant");
  CHECK(expired.error().from_provider.error_description == "The authorization code has expired");
  auto client = buffer_parse(
      400, R"({"error":"invalid_client","error_description":"The client credentials are invalid"})");
  CHECK(client.code() == bo::errc::token_error);
  CHECK(client.error().from_provider.error == "invalid_client");
  CHECK(client.error().http_status == 400);
  auto bare = buffer_parse(400, R"({"error": "error_message"})");
  CHECK(bare.code() == bo::errc::token_error);
  CHECK(bare.error().from_provider.error == "error_message");
  CHECK(bare.error().from_provider.error_description.empty());
  CHECK(bare.error().from_provider.error_uri.empty());
}

TEST_CASE("token response: the description is unescaped") {
  auto t = buffer_parse(
      400, R"({"error":"invalid_request","error_description":"Missing parameter. \"code\" is required"})");
  CHECK(t.code() == bo::errc::token_error);
  CHECK(t.error().from_provider.error == "invalid_request");
  CHECK(t.error().from_provider.error_description == "Missing parameter. \"code\" is required");
}

TEST_CASE("token response: Buffer API envelope") {
  const std::string body =
      R"({"message":"Whoops, it looks like you've posted that one recently.","code":1025,"success":false})";
  auto t = buffer_parse(400, body);
  CHECK(t.code() == bo::errc::api_error);
  CHECK(t.error().api_code == 1025);
  CHECK(t.error().http_status == 400);
  CHECK(t.error().body == body);
  CHECK(t.error().from_provider.error_description ==
        "Whoops, it looks like you've posted that one recently.");
}

TEST_CASE("token response: envelope with prose under error") {
  auto t = buffer_parse(403, R"({"success":false,"code":1001,"error":"Access token required."})");
  CHECK(t.code() == bo::errc::api_error);
  CHECK(t.error().api_code == 1001);
  CHECK(t.error().from_provider.error_description == "Access token required.");
}

TEST_CASE("token response: an OAuth error code beside a numeric code stays an OAuth error") {
  auto t = buffer_parse(400, R"({"error":"invalid_grant","error_description":"expired","code":400})");
  CHECK(t.code() == bo::errc::token_error);
  CHECK(t.error().from_provider.error == "invalid_grant");
  CHECK(t.error().from_provider.error_description == "expired");
  auto prose = buffer_parse(400, R"({"error":"Access token required.","code":1001})");
  CHECK(prose.code() == bo::errc::api_error);
  CHECK(prose.error().api_code == 1001);
}

// ============================================================================
// parse_token_response: hostile and malformed answers
// ============================================================================

TEST_CASE("token response: the plain RFC 6749 §5.1 answer") {
  auto t = generic_parse(200, R"({"access_token":"1/abc","token_type":"bearer","expires_in":3600})");
  REQUIRE(t);
  CHECK(t->access_token == "1/abc");
  CHECK(*t->expires_in == 3600);
  CHECK(t->leniencies == 0);
}

TEST_CASE("token response: escaped characters in the token are decoded") {
  for (const char* body : {R"({"access_token":"1\/abc"})", R"({"access_token":"\u0031/abc"})"}) {
    CAPTURE(body);
    auto t = buffer_parse(200, body);
    REQUIRE(t);
    CHECK(t->access_token == "1/abc");
  }
}

TEST_CASE("leniency: each value is its own bit with its own name, and to_string reads it") {
  std::uint8_t bits = 0;
  for (const auto& l : bo::all_leniencies) {
    CAPTURE(l.name);
    const auto bit = static_cast<std::uint8_t>(l.id);
    CHECK((bit & (bit - 1)) == 0);
    CHECK((bits & bit) == 0);
    bits = static_cast<std::uint8_t>(bits | bit);
    CHECK(bo::to_string(l.id) == l.name);
  }
  CHECK(bits == 7);
  CHECK(bo::to_string(bo::leniency::token_type_defaulted) == "token_type_defaulted");
  CHECK(bo::to_string(bo::leniency::expires_in_string) == "expires_in_string");
  CHECK(bo::to_string(bo::leniency::null_member) == "null_member");
  CHECK(bo::to_string(static_cast<bo::leniency>(8)) == "unknown");
}

TEST_CASE("token response: missing token_type is a Buffer leniency and a generic error") {
  auto b = buffer_parse(200, R"({"access_token":"1/abc"})");
  REQUIRE(b);
  CHECK(b->applied(bo::leniency::token_type_defaulted));
  CHECK(generic_parse(200, R"({"access_token":"1/abc"})").code() == bo::errc::missing_token_type);
  // null token_type: generic refuses the null, Buffer defaults it.
  CHECK(generic_parse(200, R"({"access_token":"1/abc","token_type":null})").code() ==
        bo::errc::invalid_member_type);
  auto bnull = buffer_parse(200, R"({"access_token":"1/abc","token_type":null})");
  REQUIRE(bnull);
  CHECK(bnull->applied(bo::leniency::null_member));
  CHECK(bnull->applied(bo::leniency::token_type_defaulted));
  CHECK(generic_parse(200, R"({"access_token":"1/abc","token_type":1})").code() ==
        bo::errc::invalid_member_type);
}

TEST_CASE("token response: token_type values") {
  for (const char* type : {"Bearer", "BEARER", "bearer", "bEaReR"}) {
    CAPTURE(type);
    auto t = generic_parse(200, std::string(R"({"access_token":"1/abc","token_type":")") + type + "\"}");
    REQUIRE(t);
    CHECK(t->token_type == type);
  }
  for (const char* type : {"mac", "DPoP", "", "Bearer ", "bearer2"}) {
    CAPTURE(type);
    const std::string body = std::string(R"({"access_token":"1/abc","token_type":")") + type + "\"}";
    CHECK(generic_parse(200, body).code() == bo::errc::unsupported_token_type);
    CHECK(buffer_parse(200, body).code() == bo::errc::unsupported_token_type);
  }
}

TEST_CASE("token response: access_token missing, null, wrong type or empty") {
  CHECK(buffer_parse(200, R"({})").code() == bo::errc::missing_access_token);
  CHECK(buffer_parse(200, R"({"access_token":null})").code() == bo::errc::missing_access_token);
  CHECK(buffer_parse(200, R"({"access_token":1})").code() == bo::errc::invalid_member_type);
  CHECK(buffer_parse(200, R"({"access_token":[]})").code() == bo::errc::invalid_member_type);
  CHECK(buffer_parse(200, R"({"access_token":{}})").code() == bo::errc::invalid_member_type);
  CHECK(buffer_parse(200, R"({"access_token":true})").code() == bo::errc::invalid_member_type);
  CHECK(buffer_parse(200, R"({"access_token":""})").code() == bo::errc::missing_access_token);
}

TEST_CASE("token response: tokens outside RFC 6750 b64token") {
  for (const char* body : {
           R"({"access_token":"1/a b"})",
           R"({"access_token":"1/a\"b"})",
           R"({"access_token":"1/a\r\nX: y"})",
           R"({"access_token":"1/a\u0000"})",
           R"({"access_token":"1/a\u000d\u000aX: y"})",
           "{\"access_token\":\"1/caf\xc3\xa9\"}",
           R"({"access_token":"1/caf\u00e9"})",
           R"({"access_token":"1/a=b"})",
           R"({"access_token":"=a"})",
           R"({"access_token":"a,b"})",
           R"({"access_token":"a\tb"})",
       }) {
    CAPTURE(body);
    CHECK(buffer_parse(200, body).code() == bo::errc::invalid_token_syntax);
  }
  // Trailing '=' padding is b64token.
  auto padded = buffer_parse(200, R"({"access_token":"a=="})");
  REQUIRE(padded);
  CHECK(padded->access_token == "a==");
}

TEST_CASE("token response: access_token at limits::max_value accepted, one more too_large") {
  const std::size_t cap = bo::limits{}.max_value;
  auto ok = buffer_parse(200, R"({"access_token":")" + std::string(cap, 'a') + "\"}");
  REQUIRE(ok);
  CHECK(ok->access_token.size() == cap);
  CHECK(buffer_parse(200, R"({"access_token":")" + std::string(cap + 1, 'a') + "\"}").code() ==
        bo::errc::too_large);
}

TEST_CASE("token response: duplicate OAuth members") {
  for (const char* body : {
           R"({"access_token":"a","access_token":"b"})",
           R"({"access_token":"a","access\u005ftoken":"b"})",
           R"({"\u0061ccess_token":"a","access_token":"a"})",
           R"({"access_token":"a","expires_in":1,"expires_in":2})",
           R"({"access_token":"a","token_type":"bearer","token_type":"bearer"})",
           R"({"error":"invalid_grant","error":"invalid_client"})",
           R"({"access_token":"a","refresh_token":"r","refresh_token":"s"})",
       }) {
    CAPTURE(body);
    CHECK(buffer_parse(200, body).code() == bo::errc::duplicate_member);
  }
}

TEST_CASE("token response: unknown and nested members are ignored") {
  auto t = generic_parse(
      200, R"({"access_token":"1/abc","token_type":"bearer","x":{"access_token":"evil","error":"e",)"
           R"("y":[{"access_token":"z"}]},"example_parameter":"example_value","n":[1,2,{"a":null}]})");
  REQUIRE(t);
  CHECK(t->access_token == "1/abc");
}

TEST_CASE("token response: expires_in") {
  auto hour = generic_parse(200, R"({"access_token":"a","token_type":"bearer","expires_in":3600})");
  REQUIRE(hour);
  CHECK(*hour->expires_in == 3600);
  auto zero = generic_parse(200, R"({"access_token":"a","token_type":"bearer","expires_in":0})");
  REQUIRE(zero);
  CHECK(*zero->expires_in == 0);
  for (const char* v : {"-1", "3.6e3", "3600.5", "1e400", "12345678901234567890", "true", "[]", "{}"}) {
    CAPTURE(v);
    const std::string body =
        std::string(R"({"access_token":"a","token_type":"bearer","expires_in":)") + v + "}";
    CHECK(generic_parse(200, body).code() == bo::errc::invalid_expires_in);
    CHECK(buffer_parse(200, body).code() == bo::errc::invalid_expires_in);
  }
  // A numeric string: a Buffer leniency, recorded; a generic error.
  const std::string quoted = R"({"access_token":"a","token_type":"bearer","expires_in":"3600"})";
  auto b = buffer_parse(200, quoted);
  REQUIRE(b);
  CHECK(*b->expires_in == 3600);
  CHECK(b->applied(bo::leniency::expires_in_string));
  CHECK(generic_parse(200, quoted).code() == bo::errc::invalid_expires_in);
  for (const char* v : {R"("-1")", R"("")", R"("36 00")", R"("3600s")", R"("\u0033600")"}) {
    CAPTURE(v);
    CHECK(buffer_parse(200, std::string(R"({"access_token":"a","expires_in":)") + v + "}").code() ==
          bo::errc::invalid_expires_in);
  }
  // null: Buffer leniency, generic error.
  auto bnull = buffer_parse(200, R"({"access_token":"a","expires_in":null})");
  REQUIRE(bnull);
  CHECK_FALSE(bnull->expires_in.has_value());
  CHECK(bnull->applied(bo::leniency::null_member));
  CHECK(generic_parse(200, R"({"access_token":"a","token_type":"bearer","expires_in":null})").code() ==
        bo::errc::invalid_expires_in);
}

TEST_CASE("token response: null scope is a Buffer leniency, a generic type error") {
  auto b = buffer_parse(200, R"({"access_token":"a","scope":null})");
  REQUIRE(b);
  CHECK(b->applied(bo::leniency::null_member));
  CHECK(generic_parse(200, R"({"access_token":"a","token_type":"bearer","scope":null})").code() ==
        bo::errc::invalid_member_type);
  CHECK(generic_parse(200, R"({"access_token":"a","token_type":"bearer","scope":["read"]})").code() ==
        bo::errc::invalid_member_type);
  auto s = generic_parse(200, R"({"access_token":"a","token_type":"bearer","scope":"read write"})");
  REQUIRE(s);
  CHECK(s->scope == "read write");
  CHECK(generic_parse(200, R"({"access_token":"a","token_type":"bearer","scope":"read  write"})").code() ==
        bo::errc::invalid_character);
}

TEST_CASE("token response: refresh_token syntax") {
  CHECK(generic_parse(200, R"({"access_token":"a","token_type":"bearer","refresh_token":""})").code() ==
        bo::errc::invalid_token_syntax);
  CHECK(generic_parse(200, R"({"access_token":"a","token_type":"bearer","refresh_token":"r\nX"})").code() ==
        bo::errc::invalid_token_syntax);
  CHECK(generic_parse(200, R"({"access_token":"a","token_type":"bearer","refresh_token":7})").code() ==
        bo::errc::invalid_member_type);
}

TEST_CASE("token response: top level must be an object") {
  for (const char* body : {"[]", "\"x\"", "null", "1", "true", "[{\"access_token\":\"a\"}]"}) {
    CAPTURE(body);
    CHECK(buffer_parse(200, body).code() == bo::errc::not_an_object);
  }
}

TEST_CASE("token response: non-JSON, empty and malformed bodies are distinct") {
  const std::string html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
  auto bad_gateway = buffer_parse(502, html);
  CHECK(bad_gateway.code() == bo::errc::not_json);
  CHECK(bad_gateway.error().http_status == 502);
  CHECK(bad_gateway.error().body == html);
  CHECK(buffer_parse(200, html).code() == bo::errc::not_json);
  CHECK(buffer_parse(200, "access_token=1%2Fabc&token_type=bearer").code() == bo::errc::not_json);
  CHECK(buffer_parse(200, "").code() == bo::errc::empty_body);
  CHECK(buffer_parse(200, " \r\n\t").code() == bo::errc::empty_body);
  CHECK(buffer_parse(200, R"({"access_token":"a",})").code() == bo::errc::malformed_json);
  CHECK(buffer_parse(200, R"({"access_token":"a"} x)").code() == bo::errc::malformed_json);
  CHECK(buffer_parse(200, R"({"access_token":"\uD800"})").code() == bo::errc::invalid_surrogate);
  CHECK(buffer_parse(200, "{\"access_token\":\"\xc0\xaf\"}").code() == bo::errc::invalid_utf8);
  CHECK(buffer_parse(200, std::string(100, '[') + std::string(100, ']')).code() == bo::errc::depth_exceeded);
  const std::size_t cap = bo::limits{}.max_body;
  std::string big = R"({"access_token":"a","pad":")";
  big += std::string(cap - big.size() - 2, 'p');
  big += "\"}";
  REQUIRE(big.size() == cap);
  CHECK(buffer_parse(200, big));
  big.insert(big.size() - 2, "p");
  CHECK(buffer_parse(200, big).code() == bo::errc::too_large);
}

TEST_CASE("token response: 1 MiB hostile bodies are refused as too_large") {
  CHECK(buffer_parse(200, std::string(1u << 20, '[')).code() == bo::errc::too_large);
  CHECK(buffer_parse(200, R"({"access_token":"a","n":)" + std::string(1u << 20, '1') + "}").code() ==
        bo::errc::too_large);
  bo::limits wide;
  wide.max_body = 2u << 20;
  CHECK(
      bo::parse_token_response(bo::provider::buffer_legacy(), response(200, std::string(1u << 20, '[')), wide)
          .code() == bo::errc::depth_exceeded);
  auto digits = bo::parse_token_response(
      bo::provider::buffer_legacy(),
      response(200, R"({"access_token":"a","n":)" + std::string(1u << 20, '1') + "}"), wide);
  REQUIRE(digits);
  CHECK(digits->access_token == "a");
}

TEST_CASE("token response: error members") {
  CHECK(buffer_parse(400, R"({"error":"invalid_grant","access_token":"a"})").code() ==
        bo::errc::ambiguous_response);
  CHECK(buffer_parse(200, R"({"access_token":"a","error":"invalid_grant"})").code() ==
        bo::errc::ambiguous_response);
  CHECK(buffer_parse(400, R"({"error":1})").code() == bo::errc::malformed_error);
  CHECK(buffer_parse(400, R"({"error":null})").code() == bo::errc::malformed_error);
  CHECK(buffer_parse(400, R"({"error":["invalid_grant"]})").code() == bo::errc::malformed_error);
  CHECK(buffer_parse(400, R"({"error":""})").code() == bo::errc::malformed_error);
  CHECK(buffer_parse(400, R"({"error":"invalid\"grant"})").code() == bo::errc::malformed_error);
  CHECK(buffer_parse(400, R"({"error":"invalid\\grant"})").code() == bo::errc::malformed_error);
  CHECK(buffer_parse(400, R"({"error":"invalid\ngrant"})").code() == bo::errc::malformed_error);
  CHECK(buffer_parse(400, R"({"error":"inv\u00e4lid"})").code() == bo::errc::malformed_error);
  CHECK(buffer_parse(400, R"({"error":"invalid_grant","error_description":5})").code() ==
        bo::errc::malformed_error);
  CHECK(buffer_parse(400, R"({"error":"invalid_grant","error_uri":"a b"})").code() ==
        bo::errc::malformed_error);
  // A description may not smuggle a line break into a log.
  CHECK(buffer_parse(400, R"({"error":"invalid_grant","error_description":"a\r\nX: y"})").code() ==
        bo::errc::malformed_error);
}

TEST_CASE("token response: non-2xx JSON without an error is http_error") {
  CHECK(buffer_parse(500, R"({"foo":"bar"})").code() == bo::errc::http_error);
  CHECK(buffer_parse(400, R"({"access_token":"a"})").code() == bo::errc::http_error);
  CHECK(buffer_parse(302, R"({})").code() == bo::errc::http_error);
}

TEST_CASE("token response: every response error keeps the status and the body") {
  const std::pair<int, std::string> cases[] = {
      {502, "<html>bad gateway</html>"},
      {200, ""},
      {200, "[]"},
      {200, R"({"access_token":"a","access_token":"b"})"},
      {200, R"({"token_type":"bearer"})"},
      {200, R"({"access_token":1})"},
      {200, R"({"access_token":"a b"})"},
      {200, R"({"access_token":"a","token_type":"mac"})"},
      {200, R"({"access_token":"a","expires_in":-1})"},
      {400, R"({"error":"invalid_grant"})"},
      {400, R"({"error":1})"},
      {400, R"({"error":"x","access_token":"a"})"},
      {400, R"({"message":"m","code":1025,"success":false})"},
      {503, R"({"status":"down"})"},
      {200, R"({"access_token":"a",)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.second);
    auto t = buffer_parse(c.first, c.second);
    REQUIRE_FALSE(t);
    CHECK(t.error().http_status == c.first);
    CHECK(t.error().body == c.second);
  }
}

TEST_CASE("token response: Cache-Control: no-store is flagged, its absence is not an error") {
  const std::string body = R"({"access_token":"a"})";
  auto stored = bo::parse_token_response(bo::provider::buffer_legacy(),
                                         response(200, body, {{"cache-control", "No-Store"}}));
  REQUIRE(stored);
  CHECK(stored->no_store);
  auto private_ = bo::parse_token_response(bo::provider::buffer_legacy(),
                                           response(200, body, {{"Cache-Control", "private, max-age=0"}}));
  REQUIRE(private_);
  CHECK_FALSE(private_->no_store);
  auto none = bo::parse_token_response(bo::provider::buffer_legacy(), response(200, body));
  REQUIRE(none);
  CHECK_FALSE(none->no_store);
}

TEST_CASE("refresh response: rotated vs kept") {
  const bo::provider p = generic();
  auto rotated = bo::parse_refresh_response(
      p, response(200, R"({"access_token":"new","token_type":"bearer","refresh_token":"r2"})"), "r1");
  REQUIRE(rotated);
  CHECK(rotated->refresh_token == "r2");
  CHECK(rotated->refresh_token_rotated);
  auto kept =
      bo::parse_refresh_response(p, response(200, R"({"access_token":"new","token_type":"bearer"})"), "r1");
  REQUIRE(kept);
  CHECK(kept->refresh_token == "r1");
  CHECK_FALSE(kept->refresh_token_rotated);
  auto same = bo::parse_refresh_response(
      p, response(200, R"({"access_token":"new","token_type":"bearer","refresh_token":"r1"})"), "r1");
  REQUIRE(same);
  CHECK(same->refresh_token == "r1");
  CHECK_FALSE(same->refresh_token_rotated);
  auto failed = bo::parse_refresh_response(p, response(400, R"({"error":"invalid_grant"})"), "r1");
  CHECK(failed.code() == bo::errc::token_error);
}

TEST_CASE("error::body: capped at 2 KiB, every token-shaped run redacted, never a token") {
  const std::string token(kToken);  // 34 token characters
  auto mac = bo::parse_token_response(
      generic(), response(200, R"({"access_token":")" + token + R"(","token_type":"mac"})"));
  CHECK(mac.code() == bo::errc::unsupported_token_type);
  CHECK(mac.error().body == R"({"access_token":"[redacted, 34 bytes]","token_type":"mac"})");

  // JSON's escaped solidus, a form and an HTML page: the token is gone, the prose stays.
  auto escaped = bo::parse_token_response(
      generic(), response(200, R"({"access_token":"1\/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60","error":"x"})"));
  CHECK(escaped.code() == bo::errc::ambiguous_response);
  CHECK(escaped.error().body.find("8c3f0e7a9b2d") == std::string::npos);
  auto html = bo::check_api_response(
      response(502, "<p>Bad Gateway, token=" + token + "&amp;retry</p>", {{"Content-Type", "text/html"}}));
  CHECK(html.code() == bo::errc::http_error);
  CHECK(html.error().body == "<p>Bad Gateway, token=[redacted, 34 bytes]&amp;retry</p>");

  // 15 token characters are kept, 16 are not.
  CHECK(bo::check_api_response(response(500, "x 123456789012345 y")).error().body == "x 123456789012345 y");
  CHECK(bo::check_api_response(response(500, "x 1234567890123456 y")).error().body ==
        "x [redacted, 16 bytes] y");

  // The cap: never more than 2 KiB of the body, a run is never cut, the rest is counted.
  const std::string prose(3000, ' ');
  auto long_page = bo::check_api_response(response(500, prose)).error().body;
  CHECK(long_page == std::string(2048, ' ') + "[... 952 more bytes]");
  auto at_cap = bo::check_api_response(response(500, std::string(2040, ' ') + token + " tail")).error().body;
  CHECK(at_cap == std::string(2040, ' ') + "[redacted, 34 bytes][... 5 more bytes]");
}
