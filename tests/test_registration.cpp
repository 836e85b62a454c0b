// Section 10 (Token), registration: build_registration_request and
// parse_registration_response (RFC 7591) for a native app (RFC 8252).
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

constexpr std::string_view kSecret = "cf136dc3c1fc93f31185e5885805d";
constexpr std::string_view kRegistrationToken = "reg-23410913-abewfq.123483";
constexpr std::string_view kLongRegistrationToken = "yTQ3Zy0lS6mKpVvtfJBIv1QC8yD8tYPn9bIzjTBxDdr";

bo::registration_params native_app() {
  bo::registration_params r;
  r.redirect_uris = {"http://127.0.0.1/callback"};
  r.client_name = "Buffer CLI";
  r.scope = "posts:read posts:write offline_access";
  return r;
}

bo::http_response answer(int status, std::string body) {
  return response(status, std::move(body), {{"Content-Type", "application/json"}});
}

// oidc-provider's answer to native_app(): a public client, no secret, the
// RFC 7592 management credentials.
std::string buffer_registered(std::string_view extra = {}) {
  return std::string(R"({"application_type":"native","grant_types":["authorization_code","refresh_token"],)"
                     R"("response_types":["code"],"token_endpoint_auth_method":"none",)"
                     R"("client_id":"Fk1l8o4ZJ2cW_bQ3vX9mN","client_id_issued_at":1796212800,)"
                     R"("client_name":"Buffer CLI","redirect_uris":["http://127.0.0.1/callback"],)"
                     R"("scope":"posts:read posts:write offline_access",)"
                     R"("registration_client_uri":"https://auth.buffer.com/reg/Fk1l8o4ZJ2cW_bQ3vX9mN",)"
                     R"("registration_access_token":")") +
         std::string(kLongRegistrationToken) + "\"" + std::string(extra) + "}";
}

bo::result<bo::registered_client> registration(int status, std::string body,
                                               const bo::registration_params& sent = native_app()) {
  return bo::parse_registration_response(answer(status, std::move(body)), sent);
}

// The decoded value of the top-level member `name` of a JSON body, read with
// the library's strict reader.
std::string member(std::string_view body, std::string_view name) {
  bo::detail::json_slot slot{name, {}, 0};
  auto top = bo::detail::json_read(body, &slot, 1, {});
  REQUIRE(top);
  REQUIRE(slot.count == 1);
  REQUIRE(slot.value.type == bo::detail::json_type::string);
  return bo::detail::json_string(slot.value);
}

bo::error refused(const bo::registration_params& r, const bo::provider& p = bo::provider::buffer()) {
  auto req = bo::build_registration_request(p, r);
  REQUIRE(!req);
  return req.error();
}

}  // namespace

// ============================================================================
// build_registration_request
// ============================================================================

TEST_CASE("registration request: Buffer's native app, byte for byte") {
  auto req = bo::build_registration_request(bo::provider::buffer(), native_app());
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->url == "https://auth.buffer.com/reg");
  REQUIRE(req->headers.size() == 2);
  CHECK(*bo::find_header(req->headers, "Content-Type") == "application/json");
  CHECK(*bo::find_header(req->headers, "Accept") == "application/json");
  CHECK(req->body == R"({"redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none",)"
                     R"("grant_types":["authorization_code","refresh_token"],"response_types":["code"],)"
                     R"("application_type":"native","client_name":"Buffer CLI",)"
                     R"("scope":"posts:read posts:write offline_access"})");
}

TEST_CASE("registration request: several redirect URIs in order, IPv6 and ports; name and scope optional") {
  bo::registration_params r;
  r.redirect_uris = {"http://[::1]:51004/oauth2redirect/buffer", "http://127.0.0.1:8080/cb?app=cli"};
  auto req = bo::build_registration_request(bo::provider::buffer(), r);
  REQUIRE(req);
  CHECK(req->body ==
        R"({"redirect_uris":["http://[::1]:51004/oauth2redirect/buffer","http://127.0.0.1:8080/cb?app=cli"],)"
        R"("token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],)"
        R"("response_types":["code"],"application_type":"native"})");
}

TEST_CASE("registration request: a hostile client_name is escaped and reads back exactly") {
  const std::string hostile = std::string("Bob\"s \\ app\",\"scope\":\"admin\n\r\t") + '\0' + "\x01\x1f\x7f" +
                              "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 </script>";
  auto r = native_app();
  r.client_name = hostile;
  auto req = bo::build_registration_request(bo::provider::buffer(), r);
  REQUIRE(req);
  CHECK(
      req->body.find(R"("client_name":"Bob\"s \\ app\",\"scope\":\"admin\u000a\u000d\u0009\u0000\u0001\u001f)"
                     "\x7f"
                     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 </script>\",") != std::string::npos);
  CHECK(member(req->body, "client_name") == hostile);
  CHECK(member(req->body, "scope") == "posts:read posts:write offline_access");
}

TEST_CASE("registration request: client_name that is not UTF-8 is invalid_utf8") {
  for (std::string bad : {"\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\xff"}) {
    auto r = native_app();
    r.client_name = bad;
    const auto e = refused(r);
    CHECK(e.code == bo::errc::invalid_utf8);
    CHECK(e.message.find("client_name") != std::string::npos);
  }
}

TEST_CASE("registration request: only loopback http redirect URIs with a path (RFC 8252 §7.3)") {
  struct row {
    const char* uri;
    bo::errc code;
  };
  const row rows[] = {
      {"http://localhost/callback", bo::errc::insecure_url},  // §8.3: NOT RECOMMENDED
      {"http://example.com/callback", bo::errc::insecure_url},
      {"https://example.com/callback", bo::errc::invalid_redirect_uri},
      {"https://127.0.0.1/callback", bo::errc::invalid_redirect_uri},
      {"http://127.0.0.2/callback", bo::errc::invalid_redirect_uri},
      {"http://[0:0:0:0:0:0:0:1]/callback", bo::errc::insecure_url},
      {"com.buffer.cli:/callback", bo::errc::invalid_redirect_uri},  // private-use scheme, §7.1
      {"http://127.0.0.1", bo::errc::invalid_redirect_uri},
      {"http://127.0.0.1?x=1", bo::errc::invalid_redirect_uri},
      {"http://127.0.0.1/cb#frag", bo::errc::invalid_redirect_uri},
      {"http://user@127.0.0.1/cb", bo::errc::invalid_redirect_uri},
      {"http://127.0.0.1:0/cb", bo::errc::invalid_redirect_uri},
      {"", bo::errc::invalid_redirect_uri},
  };
  for (const auto& [uri, code] : rows) {
    const std::string shown = uri;
    CAPTURE(shown);
    auto r = native_app();
    r.redirect_uris = {"http://127.0.0.1/ok", uri};
    CHECK(refused(r).code == code);
  }
  auto loopback = native_app();
  loopback.redirect_uris = {"http://127.0.0.1:65535/", "http://[::1]/a/b"};
  CHECK(bo::build_registration_request(bo::provider::buffer(), loopback));
}

TEST_CASE("registration request: no, repeated or too many redirect URIs") {
  auto r = native_app();
  r.redirect_uris.clear();
  CHECK(refused(r).code == bo::errc::invalid_redirect_uri);
  r.redirect_uris = {"http://127.0.0.1/cb", "http://[::1]/cb", "http://127.0.0.1/cb"};
  CHECK(refused(r).code == bo::errc::invalid_redirect_uri);
  r.redirect_uris.assign(129, "");
  for (std::size_t k = 0; k < r.redirect_uris.size(); ++k)
    r.redirect_uris[k] = "http://127.0.0.1/" + std::to_string(k);
  CHECK(refused(r).code == bo::errc::too_large);
}

TEST_CASE("registration request: scope is RFC 6749 §3.3 syntax; client_name within max_value") {
  for (const char* bad :
       {" posts:read", "posts:read ", "posts:read  ideas:read", "a\"b", "a\\b", "caf\xc3\xa9"}) {
    auto r = native_app();
    r.scope = bad;
    CHECK(refused(r).code == bo::errc::invalid_character);
  }
  auto r = native_app();
  r.client_name.assign(4097, 'x');
  CHECK(refused(r).code == bo::errc::too_large);
}

TEST_CASE(
    "registration request: the provider must have an https registration endpoint and take public clients") {
  auto none = bo::provider::buffer();
  none.registration_endpoint.clear();
  auto e = refused(native_app(), none);
  CHECK(e.code == bo::errc::invalid_endpoint);
  CHECK(e.message.find("no registration endpoint") != std::string::npos);
  CHECK(refused(native_app(), bo::provider::buffer_legacy()).code == bo::errc::invalid_endpoint);

  auto plain = bo::provider::buffer();
  plain.registration_endpoint = "http://auth.buffer.com/reg";
  CHECK(refused(native_app(), plain).code == bo::errc::insecure_url);
  auto with_param = bo::provider::buffer();
  with_param.registration_endpoint = "https://auth.buffer.com/reg?client_id=x";
  CHECK(refused(native_app(), with_param).code == bo::errc::duplicate_parameter);

  auto confidential_only = bo::provider::buffer();
  confidential_only.public_clients = false;
  CHECK(refused(native_app(), confidential_only).code == bo::errc::client_secret_required);
}

// ============================================================================
// parse_registration_response
// ============================================================================

TEST_CASE("registration response: Buffer's 201 registers a public client") {
  auto c = registration(201, buffer_registered());
  REQUIRE(c);
  CHECK(c->app.id == "Fk1l8o4ZJ2cW_bQ3vX9mN");
  CHECK(c->app.secret.empty());
  CHECK(c->app.redirect_uri == "http://127.0.0.1/callback");
  CHECK(c->registration_access_token == kLongRegistrationToken);
  CHECK(c->registration_client_uri == "https://auth.buffer.com/reg/Fk1l8o4ZJ2cW_bQ3vX9mN");
  CHECK(!c->client_secret_expires_at);
}

TEST_CASE("registration response: RFC 7591 §3.2.1's example, with loopback redirect URIs") {
  bo::registration_params sent;
  sent.redirect_uris = {"http://127.0.0.1/callback", "http://[::1]/callback2"};
  const std::string body = R"({
 "client_id": "s6BhdRkqt3",
 "client_secret": ")" + std::string(kSecret) +
                           R"(",
 "client_id_issued_at": 2893256800,
 "client_secret_expires_at": 2893276800,
 "redirect_uris": [
   "http://[::1]/callback2",
   "http://127.0.0.1/callback"],
 "grant_types": ["authorization_code", "refresh_token"],
 "client_name": "My Example Client",
 "client_name#ja-Jpan-JP": "\u30AF\u30E9\u30A4\u30A2\u30F3\u30C8\u540D",
 "token_endpoint_auth_method": "client_secret_basic",
 "logo_uri": "https://client.example.org/logo.png",
 "jwks_uri": "https://client.example.org/my_public_keys.jwks",
 "example_extension_parameter": "example_value"
})";
  auto c = registration(201, body, sent);
  REQUIRE(c);
  CHECK(c->app.id == "s6BhdRkqt3");
  CHECK(c->app.secret == kSecret);
  CHECK(c->app.redirect_uri == "http://127.0.0.1/callback");  // the first one sent
  CHECK(c->client_secret_expires_at == 2893276800);
  CHECK(c->registration_access_token.empty());
  CHECK(c->registration_client_uri.empty());
}

TEST_CASE("registration response: only 201 registers; 200 and other statuses are http_error") {
  for (int status : {200, 202, 204, 302, 400, 500}) {
    CAPTURE(status);
    auto c = registration(status, buffer_registered());
    REQUIRE(!c);
    CHECK(c.code() == bo::errc::http_error);
    CHECK(c.error().http_status == status);
    CHECK(c.error().message.find("HTTP " + std::to_string(status)) != std::string::npos);
    CHECK(c.error().message.find("201") != std::string::npos);
    CHECK(c.error().body.find(kLongRegistrationToken) == std::string::npos);
  }
  CHECK(registration(502, "<html>Bad gateway</html>").code() == bo::errc::http_error);
}

TEST_CASE(
    "registration response: RFC 7591 §3.2.2 errors are registration_refused with the provider's fields") {
  auto c = registration(400, R"({
 "error": "invalid_redirect_uri",
 "error_description": "The redirection URI http://sketchy.example.com is not allowed by this server."
})");
  REQUIRE(!c);
  CHECK(c.code() == bo::errc::registration_refused);
  CHECK(c.error().from_provider.error == "invalid_redirect_uri");
  CHECK(c.error().from_provider.error_description ==
        "The redirection URI http://sketchy.example.com is not allowed by this server.");
  CHECK(c.error().message.find("invalid_redirect_uri") != std::string::npos);
  CHECK(c.error().http_status == 400);

  c = registration(400, R"({"error": "invalid_client_metadata", "error_description": "The grant type )"
                        R"('authorization_code' must be registered along with the response type 'code' but )"
                        R"(found only 'implicit' instead."})");
  REQUIRE(!c);
  CHECK(c.code() == bo::errc::registration_refused);
  CHECK(c.error().from_provider.error == "invalid_client_metadata");
  // An error wins over a 201, as at the token endpoint.
  CHECK(registration(201, R"({"error":"invalid_software_statement"})").code() ==
        bo::errc::registration_refused);
  CHECK(registration(400, R"({"error":"bad\u0001"})").code() == bo::errc::malformed_error);
  CHECK(registration(400, R"({"error":"a","error":"b"})").code() == bo::errc::duplicate_member);
}

TEST_CASE("registration response: rate limits") {
  auto c = bo::parse_registration_response(response(429, "", {{"Retry-After", "30"}}), native_app());
  REQUIRE(!c);
  CHECK(c.code() == bo::errc::rate_limited);
  CHECK(c.error().retry_after == std::chrono::seconds(30));
  CHECK(bo::parse_registration_response(response(503, "", {{"Retry-After", "5"}}), native_app()).code() ==
        bo::errc::rate_limited);
  CHECK(bo::parse_registration_response(response(503, ""), native_app()).code() == bo::errc::http_error);
}

TEST_CASE("registration response: client_id is required, a string, VSCHAR, within max_value") {
  CHECK(registration(201, R"({"token_endpoint_auth_method":"none"})").code() == bo::errc::missing_member);
  CHECK(registration(201, R"({"client_id":null})").code() == bo::errc::invalid_member_type);
  CHECK(registration(201, R"({"client_id":42})").code() == bo::errc::invalid_member_type);
  CHECK(registration(201, R"({"client_id":["a"]})").code() == bo::errc::invalid_member_type);
  CHECK(registration(201, R"({"client_id":""})").code() == bo::errc::invalid_character);
  CHECK(registration(201, R"({"client_id":"a\nb"})").code() == bo::errc::invalid_character);
  CHECK(registration(201, R"({"client_id":"caf\u00e9"})").code() == bo::errc::invalid_character);
  CHECK(registration(201, R"({"client_id":")" + std::string(4097, 'a') + "\"}").code() ==
        bo::errc::too_large);
  CHECK(registration(201, R"({"client_id":"a b"})"));  // VSCHAR has the space
}

TEST_CASE("registration response: a repeated member is duplicate_member, also when escaped") {
  CHECK(registration(201, R"({"client_id":"a","client\u005fid":"b"})").code() == bo::errc::duplicate_member);
  CHECK(registration(201, R"({"client_id":"a","client_secret":"x","client_secret":"y"})").code() ==
        bo::errc::duplicate_member);
  CHECK(registration(201, R"({"client_id":"a","redirect_uris":[],"redirect_uris":[]})").code() ==
        bo::errc::duplicate_member);
  // Nested members are data.
  CHECK(registration(201, R"({"client_id":"a","x":{"client_id":"b","client_secret":1}})"));
  // A repeated member is refused before an error beside it is read, as at the token endpoint.
  CHECK(registration(201, R"({"client_id":"a","client_id":"b","error":"invalid_client_metadata"})").code() ==
        bo::errc::duplicate_member);
}

TEST_CASE("registration response: braces inside strings are text") {
  auto c = registration(201, R"({"client_name":"}{\"client_id\":\"b\"}{","client_id":"a}"," }":"{"})");
  REQUIRE(c);
  CHECK(c->app.id == "a}");
}

TEST_CASE("registration response: strict JSON, same limits as token responses") {
  CHECK(registration(201, "").code() == bo::errc::empty_body);
  CHECK(registration(201, "<html>").code() == bo::errc::not_json);
  CHECK(registration(201, "[]").code() == bo::errc::not_an_object);
  CHECK(registration(201, R"({"client_id":"a",})").code() == bo::errc::malformed_json);
  CHECK(registration(201, "{\"client_id\":\"\xc3\"}").code() == bo::errc::invalid_utf8);
  CHECK(registration(201, R"({"client_id":"a","x":"\ud800"})").code() == bo::errc::invalid_surrogate);
  CHECK(registration(201, R"({"client_id":"a","x":)" + std::string(70, '[') + std::string(70, ']') + "}")
            .code() == bo::errc::depth_exceeded);
  bo::limits small;
  small.max_body = 16;
  CHECK(bo::parse_registration_response(answer(201, buffer_registered()), native_app(), small).code() ==
        bo::errc::too_large);
}

TEST_CASE("registration response: a secret needs client_secret_expires_at; types of the other members") {
  const std::string id = R"({"client_id":"a",)";
  CHECK(registration(201, id + R"("client_secret":")" + std::string(kSecret) + "\"}").code() ==
        bo::errc::missing_member);
  auto never = registration(
      201, id + R"("client_secret":")" + std::string(kSecret) + R"(","client_secret_expires_at":0})");
  REQUIRE(never);
  CHECK(never->client_secret_expires_at == 0);
  for (const char* v : {"-1", "1.5", "1e9", "\"0\"", "null", "12345678901234567890"})
    CHECK(registration(201, id + R"("client_secret":"s","client_secret_expires_at":)" + v + "}").code() ==
          bo::errc::invalid_member_type);
  CHECK(registration(201, id + R"("client_secret":7})").code() == bo::errc::invalid_member_type);
  CHECK(registration(201, id + R"("client_secret":"a\u0000b","client_secret_expires_at":0})").code() ==
        bo::errc::invalid_character);
  CHECK(registration(201, id + R"("redirect_uris":"http://127.0.0.1/callback"})").code() ==
        bo::errc::invalid_member_type);
  CHECK(registration(201, id + R"("redirect_uris":[1]})").code() == bo::errc::invalid_member_type);
  CHECK(registration(201, id + R"("token_endpoint_auth_method":false})").code() ==
        bo::errc::invalid_member_type);
  CHECK(registration(201, id + R"("registration_access_token":1})").code() == bo::errc::invalid_member_type);
}

TEST_CASE("registration response: the registered redirect_uris must be the ones sent") {
  const std::string id = R"({"client_id":"a","redirect_uris":)";
  CHECK(registration(201, id + R"(["http://127.0.0.1/callback"]})"));
  CHECK(registration(201, id + R"(["http:\/\/127.0.0.1\/callback"]})"));  // the same strings, escaped
  for (const char* other :
       {R"([])", R"(["http://127.0.0.1/callback","http://127.0.0.1/callback"])",
        R"(["http://127.0.0.1/callback","https://evil.example/cb"])", R"(["http://127.0.0.1:8080/callback"])",
        R"(["http://localhost/callback"])", R"(["HTTP://127.0.0.1/callback"])"}) {
    CAPTURE(other);
    CHECK(registration(201, id + other + "}").code() == bo::errc::redirect_uri_mismatch);
  }
}

TEST_CASE("registration response: an auth method other than none needs a secret") {
  const std::string id = R"({"client_id":"a","token_endpoint_auth_method":)";
  CHECK(registration(201, id + R"("none"})"));
  auto c = registration(201, id + R"("client_secret_basic"})");
  REQUIRE(!c);
  CHECK(c.code() == bo::errc::client_auth_unsupported);
  CHECK(registration(201, id + R"("client_secret_post","client_secret":""})").code() ==
        bo::errc::client_auth_unsupported);
  auto with_secret =
      registration(201, id + R"("client_secret_post","client_secret":")" + std::string(kSecret) +
                            R"(","client_secret_expires_at":2893276800})");
  REQUIRE(with_secret);
  CHECK(with_secret->app.secret == kSecret);
}

TEST_CASE("registration response: management credentials come together, the token b64token, the URI https") {
  const std::string id = R"({"client_id":"a",)";
  const std::string token = R"("registration_access_token":")" + std::string(kRegistrationToken) + "\"";
  const std::string uri = R"("registration_client_uri":"https://auth.buffer.com/reg/a")";
  auto both = registration(201, id + token + "," + uri + "}");
  REQUIRE(both);
  CHECK(both->registration_access_token == kRegistrationToken);
  CHECK(registration(201, id + token + "}").code() == bo::errc::missing_member);
  CHECK(registration(201, id + uri + "}").code() == bo::errc::missing_member);
  CHECK(registration(201, id + R"("registration_access_token":"a b",)" + uri + "}").code() ==
        bo::errc::invalid_token_syntax);
  CHECK(registration(201, id + R"("registration_access_token":"",)" + uri + "}").code() ==
        bo::errc::invalid_token_syntax);
  CHECK(registration(201, id + token + R"(,"registration_client_uri":"http://auth.buffer.com/reg/a"})")
            .code() == bo::errc::insecure_url);
  CHECK(registration(201, id + token + R"(,"registration_client_uri":"https://auth.buffer.com/reg/a#x"})")
            .code() == bo::errc::invalid_url);
  CHECK(registration(201, id + token + R"(,"registration_client_uri":"/reg/a"})").code() ==
        bo::errc::invalid_url);
}

TEST_CASE("registration response: the parameters sent are checked as the request builder checks them") {
  auto sent = native_app();
  sent.redirect_uris = {"https://example.com/cb"};
  CHECK(registration(201, buffer_registered(), sent).code() == bo::errc::invalid_redirect_uri);
  sent.redirect_uris.clear();
  CHECK(registration(201, buffer_registered(), sent).code() == bo::errc::invalid_redirect_uri);
}

TEST_CASE("registration response: client_secret and registration_access_token never reach an error message") {
  const std::string secret = std::string(kSecret);
  const std::string token = std::string(kLongRegistrationToken);
  const std::string creds =
      R"("client_secret":")" + secret + R"(","registration_access_token":")" + token + "\"";
  const std::string bodies[] = {
      R"({"client_id":"a\u0001",)" + creds + "}",
      R"({"client_id":"a",)" + creds + "}",  // no registration_client_uri, no expires_at
      R"({"client_id":"a",)" + creds + R"(,"client_secret_expires_at":-1})",
      R"({"client_id":"a",)" + creds + R"(,"client_secret_expires_at":0,"redirect_uris":["x"]})",
      R"({"client_id":"a",)" + creds +
          R"(,"client_secret_expires_at":0,"registration_client_uri":"http://x/"})",
      R"({"client_id":"a",)" + creds + R"(,"client_secret_expires_at":0,"client_secret":"x"})",
      R"({"client_id":"a",)" + creds + R"(,"error":"invalid_client_metadata"})",
      R"({"client_id":"a",)" + creds + ",}",
  };
  for (int status : {201, 200, 400}) {
    for (const auto& body : bodies) {
      CAPTURE(body);
      auto c = registration(status, body);
      REQUIRE(!c);
      CHECK(c.error().message.find(secret) == std::string::npos);
      CHECK(c.error().message.find(token) == std::string::npos);
      CHECK(c.error().body.find(secret) == std::string::npos);
      CHECK(c.error().body.find(token) == std::string::npos);
      CHECK(c.error().from_provider.error_description.find(secret) == std::string::npos);
    }
  }
}
