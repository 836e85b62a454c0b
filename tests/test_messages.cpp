// Error messages that say what to fix: limit errors give both numbers, JSON
// errors the byte where reading stopped, a byte order mark its own text,
// answers their HTTP status, and redirect_uri_mismatch the part that differs.
// Each test also shows that no secret it passed in appears in the message.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace bo = buffer_oauth;

using namespace test_support;

namespace {

// Values that must never reach a message; each is distinctive, so a find is a real check.
const std::string secret_code = "1/CodeSecretValue8R";
const std::string secret_token = "1/TokenSecretValue0T";
const std::string client_secret = "ClientSecretValue7Q";
const std::string secret_verifier = "VerifierSecretValue9S" + std::string(30, 'v');
const std::string state = "StateValue1U";

bo::client secret_client() { return bo::client{std::string(kCid), client_secret, std::string(kRu)}; }

// `text` with copies of `fill` appended up to `size` bytes.
std::string padded(std::string text, std::size_t size, char fill = 'x') {
  text.resize(size, fill);
  return text;
}

template <class Result>
void check_message(const Result& r, bo::errc code, const std::string& message,
                   std::initializer_list<std::string_view> secrets = {}) {
  REQUIRE_FALSE(r);
  CHECK(r.code() == code);
  CHECK(r.error().message == message);
  for (std::string_view secret : {std::string_view(secret_code), std::string_view(secret_token),
                                  std::string_view(client_secret), std::string_view(secret_verifier)})
    CHECK(r.error().message.find(secret) == std::string::npos);
  for (std::string_view secret : secrets) CHECK(r.error().message.find(secret) == std::string::npos);
}

bo::expected_redirect expecting_state() {
  bo::expected_redirect e;
  e.state = state;
  return e;
}

bo::http_response token_answer(std::string body, int status = 200) {
  return response(status, std::move(body), {{"Content-Type", "application/json"}});
}

}  // namespace

TEST_CASE("limit errors give the size and the limit: 'code is 5000 bytes; the limit is 4096'") {
  const bo::provider p = generic();
  const std::string code = padded(secret_code, 5000);
  check_message(bo::build_token_request(p, secret_client(), code), bo::errc::too_large,
                "code is 5000 bytes; the limit is 4096");
  check_message(
      bo::parse_redirect(ru("code=" + code + "&state=" + state), p, secret_client(), expecting_state()),
      bo::errc::too_large, "code is 5000 bytes; the limit is 4096");

  bo::client long_secret = secret_client();
  long_secret.secret = padded(client_secret, 4097);
  check_message(bo::build_token_request(p, long_secret, secret_code), bo::errc::too_large,
                "client_secret is 4097 bytes; the limit is 4096");
  check_message(bo::build_refresh_request(p, secret_client(), padded(secret_token, 4100)),
                bo::errc::too_large, "refresh_token is 4100 bytes; the limit is 4096");
  check_message(bo::attach_token(p, get("https://api.example/me"), padded(secret_token, 4200)),
                bo::errc::too_large, "access token is 4200 bytes; the limit is 4096");

  const std::string long_state = padded(state, 4098);
  bo::authorize_params a;
  a.state = long_state;
  check_message(bo::build_authorize_url(p, secret_client(), a), bo::errc::too_large,
                "state is 4098 bytes; the limit is 4096");
}

TEST_CASE("every too_large of the header is worded by over_limit, so that each gives both numbers") {
  std::ifstream in = repository_file("include/buffer_oauth.hpp");
  REQUIRE(in.good());
  const std::string header((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(header.find("over_limit(") != std::string::npos);
  CHECK(header.find("fail(errc::too_large") == std::string::npos);
}

TEST_CASE("limit errors in a token answer give the size and the limit") {
  const bo::provider p = generic();
  const std::string long_token = padded(secret_token, 4500);
  check_message(bo::parse_token_response(
                    p, token_answer(R"({"access_token":")" + long_token + R"(","token_type":"bearer"})")),
                bo::errc::too_large, "access_token is 4500 bytes; the limit is 4096");
  check_message(bo::parse_token_response(
                    p, token_answer(R"({"access_token":")" + secret_token +
                                    R"(","token_type":"bearer","refresh_token":")" + long_token + R"("})")),
                bo::errc::too_large, "refresh_token is 4500 bytes; the limit is 4096");
  check_message(
      bo::parse_token_response(p, token_answer(R"({"access_token":")" + secret_token +
                                               R"(","token_type":"bearer","expires_in":2000000000})")),
      bo::errc::too_large, "expires_in is 2000000000 seconds; the limit is 1000000000");
  check_message(
      bo::parse_token_response(p, token_answer(padded(R"({"access_token":")" + secret_token, 70000))),
      bo::errc::too_large, "response body is 70000 bytes; the limit is 65536");

  // The 65th '[' opens one level more than the default 64.
  check_message(bo::parse_token_response(p, token_answer(std::string(65, '[') + std::string(65, ']'))),
                bo::errc::depth_exceeded, "JSON nesting at byte 64 is 65 levels; the limit is 64");
  bo::limits shallow;
  shallow.max_json_depth = 2;
  check_message(bo::parse_token_response(p, token_answer(R"({"a":{"b":{"c":1}}})"), shallow),
                bo::errc::depth_exceeded, "JSON nesting at byte 10 is 3 levels; the limit is 2");
}

TEST_CASE("limit errors on a redirect count its parameters and measure its URL") {
  const bo::provider p = generic();
  std::string query = "code=" + secret_code + "&state=" + state;
  for (int k = 0; k < 130; ++k) query += "&p" + std::to_string(k) + "=1";
  check_message(bo::parse_redirect(ru(query), p, secret_client(), expecting_state()), bo::errc::too_large,
                "the redirect's query is 132 parameters; the limit is 128");

  const std::string encoded_code = padded(secret_code, 3 * 4096 + 1);
  bo::limits long_urls;
  long_urls.max_url = 20000;
  check_message(bo::parse_redirect(ru("code=" + encoded_code + "&state=" + state), p, secret_client(),
                                   expecting_state(), long_urls),
                bo::errc::too_large,
                "a redirect parameter's value is 12289 bytes (encoded); the limit is 12288");

  const std::string long_url = ru("state=" + state + "&code=" + padded(secret_code, 9000));
  check_message(bo::parse_redirect(long_url, p, secret_client(), expecting_state()), bo::errc::too_large,
                "URL is " + std::to_string(long_url.size()) + " bytes; the limit is 8192");
}

TEST_CASE(
    "limit errors of entropy, challenges, saved flows, credentials and registration give both numbers") {
  check_message(bo::make_state(std::string(300, 'r')), bo::errc::too_large,
                "state entropy is 300 bytes; the limit is 256");
  check_message(bo::make_code_verifier(std::string(97, 'r')), bo::errc::too_large,
                "code_verifier entropy is 97 bytes; the limit is 96");
  check_message(bo::parse_bearer_challenge("Bearer realm=\"" + std::string(9000, 'r') + "\""),
                bo::errc::too_large, "WWW-Authenticate is 9015 bytes; the limit is 8192");

  const std::string key(32, 'k');
  check_message(bo::flow::restore(padded("bo1." + secret_token, 4 * 8192 + 1), key, generic(),
                                  secret_client(), bo::timestamp{1000}),
                bo::errc::too_large, "saved flow is 32769 bytes; the limit is 32768");
  check_message(bo::parse_credentials(padded("boc1." + secret_token, 9 * 4096 + 257)), bo::errc::too_large,
                "credentials is 37121 bytes; the limit is 37120");
  bo::credentials long_token;
  long_token.access_token = padded(secret_token, 4097);
  check_message(bo::parse_credentials(bo::to_string(long_token)), bo::errc::too_large,
                "access_token is 4097 bytes; the limit is 4096");

  bo::registration_params r;
  r.redirect_uris = {"http://127.0.0.1/cb"};
  r.client_name = std::string(4097, 'n');
  check_message(bo::build_registration_request(bo::provider::buffer(), r), bo::errc::too_large,
                "client_name is 4097 bytes; the limit is 4096");
  r.client_name.clear();
  for (int k = 1; r.redirect_uris.size() < 129; ++k)
    r.redirect_uris.push_back("http://127.0.0.1/cb" + std::to_string(k));
  check_message(bo::build_registration_request(bo::provider::buffer(), r), bo::errc::too_large,
                "redirect_uris is 129 URIs; the limit is 128");
}

TEST_CASE("a list in provider metadata longer than the limit gives its length") {
  std::string types;
  for (int k = 0; k < 130; ++k) types += std::string(k == 0 ? "" : ",") + "\"code\"";
  const std::string issuer = "https://auth.example";
  const std::string metadata =
      R"({"issuer":")" + issuer +
      R"(","authorization_endpoint":"https://auth.example/authorize",)"
      R"("token_endpoint":"https://auth.example/token","response_types_supported":[)" +
      types + "]}";
  check_message(bo::parse_provider_metadata(response(200, metadata), issuer, generic()), bo::errc::too_large,
                "response_types_supported is 130 elements; the limit is 128");
}

TEST_CASE("malformed_json says at which byte reading stopped, counted from 0") {
  const bo::provider p = generic();
  const std::string token = R"({"access_token":")" + secret_token + R"(")";  // 38 bytes
  REQUIRE(token.size() == 38);
  check_message(bo::parse_token_response(p, token_answer(token + R"( "token_type":"bearer"})")),
                bo::errc::malformed_json, "the body is not valid JSON at byte 39");
  check_message(bo::parse_token_response(p, token_answer(token + R"(,"token_type":bearer})")),
                bo::errc::malformed_json, "the body is not valid JSON at byte 52");
  check_message(bo::parse_token_response(p, token_answer(token + ",\"x\":\"a\x01\"}")),
                bo::errc::malformed_json, "the body is not valid JSON at byte 45");
  check_message(bo::parse_token_response(p, token_answer(token + R"(,"x":"\q"})")), bo::errc::malformed_json,
                "the body is not valid JSON at byte 44");
  check_message(bo::parse_token_response(p, token_answer(token + R"(,"x":[1}})")), bo::errc::malformed_json,
                "the body is not valid JSON at byte 45");
  check_message(bo::parse_token_response(p, token_answer(token)), bo::errc::malformed_json,
                "the body is not valid JSON: it ends at byte 38, before the JSON does");
  check_message(bo::parse_token_response(p, token_answer(R"({"access_token":")" + secret_token)),
                bo::errc::malformed_json,
                "the body is not valid JSON: it ends at byte 37, before the JSON does");
  // Other errors of the same reader are placed the same way.
  check_message(bo::parse_token_response(p, token_answer(token + ",\"x\":\"\xC3(\"}")),
                bo::errc::invalid_utf8, "text is not valid UTF-8 at byte 45");
  check_message(bo::parse_token_response(p, token_answer(token + R"(,"x":"\udc00"})")),
                bo::errc::invalid_surrogate,
                std::string(bo::message(bo::errc::invalid_surrogate)) + " at byte 44");
}

TEST_CASE("a body that starts with a byte order mark is told so") {
  const std::string bom = "\xEF\xBB\xBF";
  const std::string body = bom + R"({"access_token":")" + secret_token + R"(","token_type":"bearer"})";
  // A response reader calls what does not start like JSON not_json, as before; the message says why.
  check_message(bo::parse_token_response(generic(), token_answer(body)), bo::errc::not_json,
                "the body starts with a byte order mark (EF BB BF); JSON must not");
  check_message(bo::parse_provider_metadata(response(200, bom + "{}"), "https://auth.example", generic()),
                bo::errc::not_json, "the body starts with a byte order mark (EF BB BF); JSON must not");
  // After a space the same bytes are no byte order mark: the body is simply not JSON.
  check_message(bo::parse_token_response(generic(), token_answer(" " + body)), bo::errc::not_json,
                std::string(bo::message(bo::errc::not_json)));
}

TEST_CASE("api_error and http_error put the HTTP status in the message") {
  const bo::provider p = generic();
  check_message(bo::check_api_response(response(500, "<html><body>Internal error</body></html>")),
                bo::errc::http_error, "HTTP 500: unexpected HTTP status");
  check_message(bo::check_api_response(
                    response(400, R"({"success":false,"code":1025,"message":"posted that one recently"})")),
                bo::errc::api_error, "HTTP 400: the API returned an error (code 1025)");
  check_message(bo::check_api_response(response(200, R"({"success":false,"code":1042,"message":"x"})")),
                bo::errc::api_error, "HTTP 200: the API returned an error (code 1042)");
  check_message(bo::parse_token_response(p, token_answer("{}", 503)), bo::errc::http_error,
                "HTTP 503: unexpected HTTP status");
  check_message(bo::parse_token_response(
                    p, token_answer(R"({"success":false,"code":7,"error":"Access token required."})", 401)),
                bo::errc::api_error, "HTTP 401: the API returned an error (code 7)");
  const auto graphql = bo::check_api_response(
      bo::provider::buffer(),
      response(200, R"({"data":null,"errors":[{"message":"no","extensions":{"code":"FORBIDDEN"}}]})"));
  check_message(graphql, bo::errc::api_error, "HTTP 200: the API returned an error (FORBIDDEN)");
}

TEST_CASE("redirect_uri_mismatch names the part that differs and shows both values") {
  const bo::provider p = generic();
  const std::string query = "?code=" + secret_code + "&state=" + state;
  auto mismatch = [&](const std::string& url, const std::string& registered, const std::string& message) {
    CAPTURE(url);
    bo::client c = secret_client();
    c.redirect_uri = registered;
    check_message(bo::parse_redirect(url, p, c, expecting_state()), bo::errc::redirect_uri_mismatch, message,
                  {state});
  };
  const std::string ru_text(kRu);  // https://example.com/back
  mismatch("http://example.com/back" + query, ru_text,
           R"(the URL's scheme is not the registered redirect URI's: registered "https", received "http")");
  mismatch(
      "https://evil.example/back" + query, ru_text,
      R"(the URL's host is not the registered redirect URI's: registered "example.com", received "evil.example")");
  mismatch("https://example.com:8443/back" + query, ru_text,
           R"(the URL's port is not the registered redirect URI's: registered "443", received "8443")");
  mismatch("https://example.com/back/" + query, ru_text,
           R"(the URL's path is not the registered redirect URI's: registered "/back", received "/back/")");
  mismatch("https://example.com" + query, ru_text,
           R"(the URL's path is not the registered redirect URI's: registered "/back", received "/")");

  // Of the query only the registered parameter's name is told: the received values hold the code.
  const std::string tenant = "https://example.com/back?tenant=RegisteredTenant";
  const std::string prefix =
      R"(the URL's query is not the registered redirect URI's: the registered parameter "tenant")";
  mismatch("https://example.com/back" + query, tenant, prefix + " is missing");
  mismatch("https://example.com/back" + query + "&tenant=OtherTenantValue", tenant,
           prefix + " has another value");
  mismatch("https://example.com/back" + query + "&tenant=RegisteredTenant&tenant=OtherTenantValue", tenant,
           prefix + " comes 2 times");
  bo::client c = secret_client();
  c.redirect_uri = tenant;
  const auto other = bo::parse_redirect("https://example.com/back" + query + "&tenant=OtherTenantValue", p, c,
                                        expecting_state());
  REQUIRE_FALSE(other);
  CHECK(other.error().message.find("OtherTenantValue") == std::string::npos);
}

TEST_CASE("redirect_uri_mismatch in a registration answer names a URI that differs") {
  bo::registration_params sent;
  sent.redirect_uris = {"http://127.0.0.1/callback"};
  auto registered = [&](const std::string& uris) {
    return bo::parse_registration_response(response(201, R"({"client_id":"a","redirect_uris":)" + uris + "}"),
                                           sent);
  };
  check_message(registered(R"(["http://127.0.0.1:8080/callback"])"), bo::errc::redirect_uri_mismatch,
                R"("http://127.0.0.1/callback" was sent but is not among the registered redirect_uris)");
  check_message(registered(R"(["http://127.0.0.1/callback","https://evil.example/cb"])"),
                bo::errc::redirect_uri_mismatch,
                R"("https://evil.example/cb" is registered but was not sent)");
  // A provider's URI outside URI characters is not repeated.
  check_message(registered(R"(["http://127.0.0.1/callback","http://x/\r\nInjected: 1"])"),
                bo::errc::redirect_uri_mismatch, "a redirect URI that was not sent is registered");
  check_message(registered(R"(["http://127.0.0.1/callback","http://127.0.0.1/callback"])"),
                bo::errc::redirect_uri_mismatch, "the registered redirect_uris repeat one that was sent");
}
