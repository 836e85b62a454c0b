// Sections 12 (Attach) and 13 (Deauthorize): attach_token,
// check_api_response, parse_bearer_challenge, build_deauthorize_request,
// parse_deauthorize_response, for Buffer's API and for hostile requests.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace bo = buffer_oauth;

using namespace test_support;

namespace {

constexpr std::string_view kProfiles = "https://api.bufferapp.com/1/profiles.json";

bo::http_request post(std::string url, std::string body, std::string content_type) {
  bo::http_request r;
  r.method = "POST";
  r.url = std::move(url);
  if (!content_type.empty()) r.headers.push_back({"Content-Type", std::move(content_type)});
  r.body = std::move(body);
  return r;
}

constexpr std::string_view kForm = "application/x-www-form-urlencoded";

bo::attach_options in_body() {
  bo::attach_options o;
  o.placement = bo::token_placement::form_body;
  return o;
}

bo::attach_options in_query(bool allowed = true) {
  bo::attach_options o;
  o.placement = bo::token_placement::query;
  o.allow_query = allowed;
  return o;
}

bo::result<bo::http_request> attach(bo::http_request req, std::string_view token = kToken,
                                    const bo::attach_options& o = {}) {
  return bo::attach_token(bo::provider::buffer_legacy(), std::move(req), token, o);
}

bo::provider loopback_provider(bool opt_in) {
  bo::provider p = bo::provider::generic("local", "http://127.0.0.1:8080/authorize",
                                         "http://127.0.0.1:8080/token", "http://127.0.0.1:8080/");
  p.allow_insecure_loopback = opt_in;
  return p;
}

}  // namespace

// ============================================================================
// attach_token
// ============================================================================

TEST_CASE("attach: Buffer puts the token in an Authorization header by default and changes nothing else") {
  const bo::http_request before = get(std::string(kProfiles));
  auto req = attach(before);
  REQUIRE(req);
  CHECK(req->method == "GET");
  CHECK(req->url == kProfiles);
  CHECK(req->body.empty());
  REQUIRE(req->headers.size() == 2);
  CHECK(req->headers[0].name == "Accept");
  CHECK(req->headers[0].value == "application/json");
  CHECK(req->headers[1].name == "Authorization");
  CHECK(req->headers[1].value == "Bearer 1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60");
  CHECK(req->url.find("access_token") == std::string::npos);
}

TEST_CASE("attach: query placement with the opt-in adds access_token and no Authorization header") {
  auto req = attach(get(std::string(kProfiles)), kToken, in_query());
  REQUIRE(req);
  CHECK(req->url ==
        "https://api.bufferapp.com/1/profiles.json?access_token=1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60");
  CHECK(bo::find_header(req->headers, "Authorization") == nullptr);
  const std::string* cc = bo::find_header(req->headers, "Cache-Control");
  REQUIRE(cc != nullptr);
  CHECK(*cc == "no-store");
}

TEST_CASE("attach: form body placement appends access_token to the body") {
  auto req = attach(post("https://api.bufferapp.com/1/updates/create.json",
                         "text=Hi+there&profile_ids%5B%5D=4eb854340acb04e870000010", std::string(kForm)),
                    kToken, in_body());
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->url == "https://api.bufferapp.com/1/updates/create.json");
  CHECK(req->body ==
        "text=Hi+there&profile_ids%5B%5D=4eb854340acb04e870000010&access_token=1/"
        "8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60");
  CHECK(bo::find_header(req->headers, "Authorization") == nullptr);
  REQUIRE(req->headers.size() == 1);
  CHECK(req->headers[0].value == kForm);
}

TEST_CASE("attach: form body escapes '+' in the token, keeps '/'") {
  auto req =
      attach(post("https://api.bufferapp.com/1/x.json", "a=1", std::string(kForm)), "x+y/z", in_body());
  REQUIRE(req);
  CHECK(req->body == "a=1&access_token=x%2By/z");
}

TEST_CASE("attach: form body on an empty untyped POST gets the form Content-Type") {
  auto req = attach(post("https://api.bufferapp.com/1/x.json", "", ""), kToken, in_body());
  REQUIRE(req);
  CHECK(req->body == "access_token=1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60");
  const std::string* ct = bo::find_header(req->headers, "Content-Type");
  REQUIRE(ct != nullptr);
  CHECK(*ct == kForm);
}

TEST_CASE("attach: form body with a charset parameter is still a form") {
  auto req = attach(
      post("https://api.bufferapp.com/1/x.json", "a=1", "Application/X-WWW-Form-Urlencoded; charset=utf-8"),
      kToken, in_body());
  REQUIRE(req);
  CHECK(req->body == "a=1&access_token=1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60");
}

TEST_CASE("attach: form body refused on GET/HEAD and on non-form bodies") {
  bo::http_request g = get(std::string(kProfiles));
  CHECK(attach(g, kToken, in_body()).code() == bo::errc::form_body_not_allowed);
  g.method = "HEAD";
  CHECK(attach(g, kToken, in_body()).code() == bo::errc::form_body_not_allowed);
  bo::http_request with_body = post(std::string(kProfiles), "a=1", std::string(kForm));
  with_body.method = "get";
  CHECK(attach(with_body, kToken, in_body()).code() == bo::errc::form_body_not_allowed);
  const std::string url = "https://api.bufferapp.com/1/updates/create.json";
  CHECK(attach(post(url, R"({"text":"hi"})", "application/json"), kToken, in_body()).code() ==
        bo::errc::form_body_not_allowed);
  CHECK(attach(post(url, "--b\r\n\r\nx\r\n--b--", "multipart/form-data; boundary=b"), kToken, in_body())
            .code() == bo::errc::form_body_not_allowed);
  CHECK(attach(post(url, "a=1", ""), kToken, in_body()).code() == bo::errc::form_body_not_allowed);
  CHECK(attach(post(url, "text=caf\xc3\xa9", std::string(kForm)), kToken, in_body()).code() ==
        bo::errc::form_body_not_allowed);
}

TEST_CASE("attach: query placement needs the explicit opt-in") {
  CHECK(attach(get(std::string(kProfiles)), kToken, in_query(false)).code() ==
        bo::errc::query_token_disallowed);
  bo::provider p = bo::provider::buffer_legacy();
  p.default_placement = bo::token_placement::query;  // a provider default is not an opt-in
  CHECK(bo::attach_token(p, get(std::string(kProfiles)), kToken).code() == bo::errc::query_token_disallowed);
}

TEST_CASE("attach: query placement keeps the existing query and fragment") {
  const std::string t = "access_token=1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60";
  const std::string base = "https://api.bufferapp.com/1";
  const std::pair<std::string, std::string> rows[] = {
      {base + "/x", base + "/x?" + t},
      {base + "/x?", base + "/x?" + t},
      {base + "/x?a=1", base + "/x?a=1&" + t},
      {base + "/x#f", base + "/x?" + t + "#f"},
      {base + "/x?a=1#f", base + "/x?a=1&" + t + "#f"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.first);
    auto req = attach(get(row.first), kToken, in_query());
    REQUIRE(req);
    CHECK(req->url == row.second);
    const std::string* cc = bo::find_header(req->headers, "Cache-Control");
    REQUIRE(cc != nullptr);
    CHECK(*cc == "no-store");
  }
}

TEST_CASE("attach: query placement escapes '+' and merges an existing Cache-Control") {
  bo::http_request r = get(std::string(kProfiles));
  r.headers.push_back({"cache-control", "max-age=0"});
  auto req = attach(r, "x+y/z", in_query());
  REQUIRE(req);
  CHECK(req->url == "https://api.bufferapp.com/1/profiles.json?access_token=x%2By/z");
  CHECK(*bo::find_header(req->headers, "Cache-Control") == "max-age=0, no-store");
  r.headers.back().value = "no-store";
  auto again = attach(r, kToken, in_query());
  REQUIRE(again);
  CHECK(*bo::find_header(again->headers, "Cache-Control") == "no-store");
}

TEST_CASE("attach: never two placements at once") {
  bo::http_request h = get(std::string(kProfiles));
  h.headers.push_back({"authorization", "Bearer other"});
  CHECK(attach(h).code() == bo::errc::token_already_present);
  CHECK(attach(h, kToken, in_query()).code() == bo::errc::token_already_present);
  CHECK(attach(get(std::string(kProfiles) + "?access_token=1/x")).code() == bo::errc::token_already_present);
  CHECK(attach(get(std::string(kProfiles) + "?a=1&%61ccess_token=1/x")).code() ==
        bo::errc::token_already_present);
  CHECK(attach(get(std::string(kProfiles) + "?access_token=1/x"), kToken, in_query()).code() ==
        bo::errc::token_already_present);
  bo::http_request b = post("https://api.bufferapp.com/1/x.json", "a=1&access_token=1/x", std::string(kForm));
  CHECK(attach(b).code() == bo::errc::token_already_present);
  CHECK(attach(b, kToken, in_body()).code() == bo::errc::token_already_present);
}

TEST_CASE("attach: tokens outside RFC 6750 b64token are refused") {
  for (const std::string& bad :
       {std::string("a b"), std::string("a\r\nX: 1"), std::string("=a"), std::string("a=b"), std::string(""),
        std::string("\xc3\xa4"), std::string("a,b"), std::string("a\0b", 3), std::string("\"a\""),
        std::string("a\tb")}) {
    CAPTURE(bad);
    CHECK(attach(get(std::string(kProfiles)), bad).code() == bo::errc::invalid_token_syntax);
  }
  auto padded = attach(get(std::string(kProfiles)), "a==");
  REQUIRE(padded);
  CHECK(*bo::find_header(padded->headers, "Authorization") == "Bearer a==");
  auto all = attach(get(std::string(kProfiles)), "AZaz09-._~+/");
  REQUIRE(all);
  CHECK(*bo::find_header(all->headers, "Authorization") == "Bearer AZaz09-._~+/");
}

TEST_CASE("attach: token length at limits::max_value accepted, one more too_large") {
  const std::size_t cap = bo::limits{}.max_value;
  CHECK(attach(get(std::string(kProfiles)), std::string(cap, 'a')));
  CHECK(attach(get(std::string(kProfiles)), std::string(cap + 1, 'a')).code() == bo::errc::too_large);
}

TEST_CASE("attach: only to the provider's API origin over https") {
  CHECK(attach(get("http://api.bufferapp.com/1/profiles.json")).code() == bo::errc::insecure_url);
  CHECK(attach(get("https://api.bufferapp.com.evil.com/1/profiles.json")).code() ==
        bo::errc::token_origin_mismatch);
  CHECK(attach(get("https://evil.com/1/profiles.json")).code() == bo::errc::token_origin_mismatch);
  CHECK(attach(get("https://bufferapp.com/1/profiles.json")).code() == bo::errc::token_origin_mismatch);
  CHECK(attach(get("https://api.bufferapp.com:8443/1/profiles.json")).code() ==
        bo::errc::token_origin_mismatch);
  CHECK(attach(get("https://user@api.bufferapp.com/1/profiles.json")).code() == bo::errc::invalid_url);
  CHECK(attach(get("https://evil.com\\@api.bufferapp.com/1/profiles.json")).code() == bo::errc::invalid_url);
  CHECK(attach(get("/1/profiles.json")).code() == bo::errc::invalid_url);
  // Case and the default port do not change the origin.
  CHECK(attach(get("HTTPS://API.BUFFERAPP.COM/1/profiles.json")));
  CHECK(attach(get("https://api.bufferapp.com:443/1/profiles.json")));
}

TEST_CASE("attach: plain http loopback only with the provider's opt-in") {
  CHECK(bo::attach_token(loopback_provider(false), get("http://127.0.0.1:8080/x"), kToken).code() ==
        bo::errc::insecure_url);
  auto ok = bo::attach_token(loopback_provider(true), get("http://127.0.0.1:8080/x"), kToken);
  REQUIRE(ok);
  CHECK(*bo::find_header(ok->headers, "Authorization") == "Bearer 1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60");
  CHECK(bo::attach_token(loopback_provider(true), get("http://127.0.0.1:9090/x"), kToken).code() ==
        bo::errc::token_origin_mismatch);
  CHECK(bo::attach_token(loopback_provider(true), get("http://localhost:8080/x"), kToken).code() ==
        bo::errc::insecure_url);
  // Buffer with the opt-in still only sends to its own https origin.
  bo::provider b = bo::provider::buffer_legacy();
  b.allow_insecure_loopback = true;
  CHECK(bo::attach_token(b, get("http://127.0.0.1:8080/x"), kToken).code() ==
        bo::errc::token_origin_mismatch);
}

TEST_CASE("attach: header names and values with CR, LF or NUL are refused, never stripped") {
  for (const std::string& value : {std::string("a\rb"), std::string("a\nb"), std::string("a\0b", 3),
                                   std::string("a\r\nX-Evil: 1"), std::string("\x7f")}) {
    bo::http_request r = get(std::string(kProfiles));
    r.headers.push_back({"X-Test", value});
    CHECK(attach(r).code() == bo::errc::invalid_header_value);
  }
  bo::http_request tab = get(std::string(kProfiles));
  tab.headers.push_back({"X-Test", "a\tb"});
  CHECK(attach(tab));
  for (const std::string& name :
       {std::string(""), std::string("X Test"), std::string("X-Test:"), std::string("X\r\nTest")}) {
    bo::http_request r = get(std::string(kProfiles));
    r.headers.push_back({name, "v"});
    CHECK(attach(r).code() == bo::errc::invalid_header_value);
  }
}

TEST_CASE("attach: the method must be a token") {
  bo::http_request r = get(std::string(kProfiles));
  r.method = "";
  CHECK(attach(r).code() == bo::errc::invalid_argument);
  r.method = "GET /evil";
  CHECK(attach(r).code() == bo::errc::invalid_argument);
}

// ============================================================================
// parse_bearer_challenge and check_api_response
// ============================================================================

TEST_CASE("challenge: a Bearer challenge with a realm only") {
  auto c = bo::parse_bearer_challenge(R"(Bearer realm="example")");
  REQUIRE(c);
  CHECK(c->realm == "example");
  CHECK(c->error.empty());
  CHECK(c->error_description.empty());
}

TEST_CASE("challenge: invalid_token with a description") {
  auto c = bo::parse_bearer_challenge(
      R"(Bearer realm="example", error="invalid_token", error_description="The access token expired")");
  REQUIRE(c);
  CHECK(c->realm == "example");
  CHECK(c->error == "invalid_token");
  CHECK(c->error_description == "The access token expired");
}

TEST_CASE("challenge: a draft-era invalid_grant is kept as sent") {
  auto c = bo::parse_bearer_challenge(
      R"(Bearer realm="Service", error="invalid_grant", error_description="The access token provided has expired.")");
  REQUIRE(c);
  CHECK(c->realm == "Service");
  CHECK(c->error == "invalid_grant");
  CHECK(c->error_description == "The access token provided has expired.");
}

TEST_CASE("challenge: lower-case scheme accepted, duplicate realm refused") {
  auto lower = bo::parse_bearer_challenge(R"(bearer realm="a")");
  REQUIRE(lower);
  CHECK(lower->realm == "a");
  CHECK(bo::parse_bearer_challenge(R"(bearer realm="a", realm="b")").code() == bo::errc::malformed_challenge);
}

TEST_CASE("challenge: other syntax") {
  auto bare = bo::parse_bearer_challenge("Bearer");
  REQUIRE(bare);
  CHECK(bare->realm.empty());
  auto token_value = bo::parse_bearer_challenge(R"(Bearer error=invalid_token, scope="read write")");
  REQUIRE(token_value);
  CHECK(token_value->error == "invalid_token");
  CHECK(token_value->scope == "read write");
  for (const char* bad :
       {R"(Basic realm="x")", R"(Bearerrealm="x")", R"(Bearer realm="x)", R"(Bearer realm)",
        R"(Bearer realm="x" error="y")", R"(Bearer error="a\"b")", R"(Bearer error="a\\b")",
        "Bearer realm=\"a\nb\"", R"(Bearer error="x", error="y")", R"(Bearer realm=)", ""}) {
    CAPTURE(bad);
    CHECK(bo::parse_bearer_challenge(bad).code() == bo::errc::malformed_challenge);
  }
}

TEST_CASE("challenge: each parameter fills its own member, once, within its characters") {
  auto all = bo::parse_bearer_challenge(
      R"(Bearer realm="a\"b", scope="read", ext="kept out", error="invalid_token", )"
      R"(error_description="Expired token", error_uri="https://example.com/e")");
  REQUIRE(all);
  CHECK(all->realm == "a\"b");  // realm and scope have no character rule of their own
  CHECK(all->scope == "read");
  CHECK(all->error == "invalid_token");
  CHECK(all->error_description == "Expired token");
  CHECK(all->error_uri == "https://example.com/e");
  for (const char* name : {"realm", "scope", "error", "error_description", "error_uri"}) {
    CAPTURE(name);
    const std::string twice = std::string("Bearer ") + name + "=\"a\", " + name + "=\"a\"";
    CHECK(bo::parse_bearer_challenge(twice).code() == bo::errc::malformed_challenge);
  }
  // RFC 6750 §3: a space is allowed in error and error_description, not in error_uri.
  CHECK(bo::parse_bearer_challenge(R"(Bearer error="a b", error_description="a b")"));
  auto spaced_uri = bo::parse_bearer_challenge(R"(Bearer error_uri="https://example.com/a b")");
  CHECK(spaced_uri.code() == bo::errc::malformed_challenge);
  CHECK(spaced_uri.error().message.find("error_uri") != std::string::npos);
}

TEST_CASE("api response: 2xx is fine") {
  CHECK(bo::check_api_response(response(200, R"({"id":"1"})")));
  CHECK(bo::check_api_response(response(204, "")));
}

TEST_CASE("api response: 401 means log in again") {
  auto r = bo::check_api_response(response(401, ""));
  CHECK(r.code() == bo::errc::token_rejected);
  CHECK(r.error().http_status == 401);
  // A draft-style challenge with 401 (error="invalid_grant"): still rejected, whatever the error name.
  auto draft = bo::check_api_response(
      response(401, "", {{"WWW-Authenticate", R"(Bearer realm="Service", error="invalid_grant")"}}));
  CHECK(draft.code() == bo::errc::token_rejected);
}

TEST_CASE("api response: 403 with Buffer code 1001 is token_rejected") {
  const std::string body = R"({"success":false,"code":1001,"error":"Access token required."})";
  auto r = bo::check_api_response(response(403, body));
  CHECK(r.code() == bo::errc::token_rejected);
  CHECK(r.error().api_code == 1001);
  CHECK(r.error().http_status == 403);
  CHECK(r.error().body == body);
  CHECK(r.error().from_provider.error_description == "Access token required.");
}

TEST_CASE("api response: other Buffer codes are api_error") {
  auto r = bo::check_api_response(response(
      400,
      R"({"message":"Whoops, it looks like you've posted that one recently.","code":1025,"success":false})"));
  CHECK(r.code() == bo::errc::api_error);
  CHECK(r.error().api_code == 1025);
  CHECK(r.error().from_provider.error_description ==
        "Whoops, it looks like you've posted that one recently.");
  auto other403 =
      bo::check_api_response(response(403, R"({"success":false,"code":1002,"error":"Not allowed."})"));
  CHECK(other403.code() == bo::errc::api_error);
  CHECK(other403.error().api_code == 1002);
  // 1001 under another status is not the "token required" answer.
  CHECK(bo::check_api_response(response(400, R"({"success":false,"code":1001})")).code() ==
        bo::errc::api_error);
}

TEST_CASE("api response: WWW-Authenticate error=\"invalid_token\" is token_rejected") {
  auto r = bo::check_api_response(
      response(400, "<html>no</html>",
               {{"www-authenticate",
                 R"(Bearer realm="example", error="invalid_token", error_description="expired")"}}));
  CHECK(r.code() == bo::errc::token_rejected);
  CHECK(r.error().from_provider.error == "invalid_token");
  CHECK(r.error().from_provider.error_description == "expired");
  // insufficient_scope is not a reason to log in again.
  CHECK(bo::check_api_response(
            response(403, "", {{"WWW-Authenticate", R"(Bearer error="insufficient_scope")"}}))
            .code() == bo::errc::http_error);
}

TEST_CASE("api response: non-JSON or non-envelope failures are http_error") {
  const std::string html = "<html><body>502 Bad Gateway</body></html>";
  auto r = bo::check_api_response(response(502, html));
  CHECK(r.code() == bo::errc::http_error);
  CHECK(r.error().http_status == 502);
  CHECK(r.error().body == html);
  CHECK(bo::check_api_response(response(500, R"({"oops":true})")).code() == bo::errc::http_error);
  CHECK(bo::check_api_response(response(429, "")).code() == bo::errc::http_error);
}

// ============================================================================
// Deauthorize
// ============================================================================

TEST_CASE("deauthorize: POST to Buffer's endpoint, token in the header by default") {
  auto req = bo::build_deauthorize_request(bo::provider::buffer_legacy(), kToken);
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->url == "https://api.bufferapp.com/1/user/deauthorize.json");
  CHECK(req->body.empty());
  CHECK(*bo::find_header(req->headers, "Authorization") == "Bearer 1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60");
  CHECK(req->url.find("access_token") == std::string::npos);
}

TEST_CASE("deauthorize: query placement only with the opt-in") {
  auto req = bo::build_deauthorize_request(bo::provider::buffer_legacy(), kToken, in_query());
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->url ==
        "https://api.bufferapp.com/1/user/deauthorize.json?access_token=1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60");
  CHECK(req->body.empty());
  CHECK(bo::find_header(req->headers, "Authorization") == nullptr);
  CHECK(bo::build_deauthorize_request(bo::provider::buffer_legacy(), kToken, in_query(false)).code() ==
        bo::errc::query_token_disallowed);
}

TEST_CASE("deauthorize: an empty or invalid token is refused before building") {
  CHECK(bo::build_deauthorize_request(bo::provider::buffer_legacy(), "").code() ==
        bo::errc::invalid_token_syntax);
  CHECK(bo::build_deauthorize_request(bo::provider::buffer_legacy(), "1/a b").code() ==
        bo::errc::invalid_token_syntax);
  CHECK(bo::build_deauthorize_request(bo::provider::buffer_legacy(), "1/a\r\nX: y").code() ==
        bo::errc::invalid_token_syntax);
}

TEST_CASE("deauthorize: provider without, or with an unusable, endpoint") {
  bo::provider g = bo::provider::generic("example", "https://auth.example/authorize",
                                         "https://auth.example/token", "https://api.example/");
  CHECK(bo::build_deauthorize_request(g, kToken).code() == bo::errc::invalid_endpoint);
  bo::provider b = bo::provider::buffer_legacy();
  b.deauthorize_endpoint = "http://api.bufferapp.com/1/user/deauthorize.json";
  CHECK(bo::build_deauthorize_request(b, kToken).code() == bo::errc::insecure_url);
  b.deauthorize_endpoint = "https://api.bufferapp.com/1/user/deauthorize.json#x";
  CHECK(bo::build_deauthorize_request(b, kToken).code() == bo::errc::invalid_endpoint);
  b.deauthorize_endpoint = "https://evil.com/1/user/deauthorize.json";  // outside the API origin
  CHECK(bo::build_deauthorize_request(b, kToken).code() == bo::errc::token_origin_mismatch);
}

TEST_CASE("deauthorize: Buffer's success envelope means the token was revoked") {
  CHECK(bo::parse_deauthorize_response(
      response(200, R"({"success": true, "message": "Access successfully revoked!"})")));
}

TEST_CASE("deauthorize: every other answer is a distinct error") {
  // Buffer's envelope (success false, or a numeric code) is an API error at any status.
  CHECK(bo::parse_deauthorize_response(response(200, R"({"success":false})")).code() == bo::errc::api_error);
  CHECK(bo::parse_deauthorize_response(response(200, R"({"success":true,"code":1001})")).code() ==
        bo::errc::api_error);
  CHECK(bo::parse_deauthorize_response(response(200, R"({})")).code() == bo::errc::deauthorize_failed);
  CHECK(bo::parse_deauthorize_response(response(200, R"({"success":"true"})")).code() ==
        bo::errc::invalid_member_type);
  CHECK(bo::parse_deauthorize_response(response(200, R"({"success":1})")).code() ==
        bo::errc::invalid_member_type);
  CHECK(bo::parse_deauthorize_response(response(200, R"({"success":true,"success":true})")).code() ==
        bo::errc::duplicate_member);
  CHECK(bo::parse_deauthorize_response(response(200, "<html>ok</html>")).code() == bo::errc::not_json);
  CHECK(bo::parse_deauthorize_response(response(200, "")).code() == bo::errc::empty_body);
  CHECK(bo::parse_deauthorize_response(response(200, "[true]")).code() == bo::errc::not_an_object);
  CHECK(bo::parse_deauthorize_response(response(401, "")).code() == bo::errc::token_rejected);
  CHECK(bo::parse_deauthorize_response(
            response(403, R"({"success":false,"code":1001,"error":"Access token required."})"))
            .code() == bo::errc::token_rejected);
  CHECK(bo::parse_deauthorize_response(response(500, "<html>oops</html>")).code() == bo::errc::http_error);
  auto failed = bo::parse_deauthorize_response(response(200, R"({"success":false})"));
  CHECK(failed.error().http_status == 200);
  CHECK(failed.error().body == R"({"success":false})");
}

TEST_CASE("deauthorize: a body over max_body is read as check_api_response reads it, then refused") {
  bo::limits lim;
  lim.max_body = 32;
  std::string filler;  // short words: error_body keeps them as they are
  for (int i = 0; i < 12; ++i) filler += "word ";
  // An object is read whole first, so Buffer's envelope and bad JSON keep their own errors.
  auto envelope = response(200, R"({"success":false,"message":")" + filler + "\"}");
  CHECK(bo::parse_deauthorize_response(envelope, lim).code() == bo::errc::api_error);
  CHECK(bo::parse_deauthorize_response(response(200, "{" + filler), lim).code() == bo::errc::malformed_json);
  // Anything else that large is not read into a result.
  auto revoked = response(200, R"({"success":true,"message":")" + filler + "\"}");
  CHECK(bo::check_api_response(revoked, lim));
  auto too_large = bo::parse_deauthorize_response(revoked, lim);
  CHECK(too_large.code() == bo::errc::too_large);
  CHECK(too_large.error().http_status == 200);
  CHECK(too_large.error().body == revoked.body);
  CHECK(bo::parse_deauthorize_response(response(200, "<html>" + filler), lim).code() == bo::errc::too_large);
}

TEST_CASE("api_target: the API origin is checked once, as attach_token checks api_base") {
  const auto api = bo::api_target::make(bo::provider::buffer_legacy());
  REQUIRE(api);
  CHECK(api->origin() == "https://api.bufferapp.com");
  CHECK(bo::api_target::make(bo::provider::buffer()).value().origin() == "https://api.buffer.com");

  bo::provider bare = bo::provider::buffer_legacy();
  for (const char* base :
       {"https://api.example.com", "https://api.example.com:8443", "https://[::1]:8443?v=1"}) {
    CAPTURE(base);
    bare.api_base = base;
    const std::string origin = std::string(base).substr(0, std::string(base).find('?'));
    auto bare_api = bo::api_target::make(bare);
    REQUIRE(bare_api);
    CHECK(bare_api->origin() == origin);
    CHECK(bo::attach_token(*bare_api, get(origin + "/x"), kToken));
    CHECK(bo::attach_token(*bare_api, get(origin), kToken));
  }

  bo::provider broken = bo::provider::buffer_legacy();
  broken.api_base = "http://api.bufferapp.com/1/";
  CHECK(bo::api_target::make(broken).code() == bo::errc::insecure_url);
  CHECK(bo::attach_token(broken, get(std::string(kProfiles)), kToken).code() == bo::errc::insecure_url);
  broken.api_base = "https://api.bufferapp.com/1/#top";
  CHECK(bo::api_target::make(broken).code() == bo::errc::invalid_endpoint);
  broken.api_base = "https://api.bufferapp.com/1/?access_token=x";
  CHECK(bo::api_target::make(broken).code() == bo::errc::duplicate_parameter);
  broken.api_base = "https://[::1]:99999/";
  CHECK(bo::api_target::make(broken).code() == bo::errc::invalid_endpoint);
}

TEST_CASE("api_target: a URL that starts with the origin and one that only shares it give the same answers") {
  const auto api = bo::api_target::make(bo::provider::buffer_legacy()).value();
  struct row {
    std::string url;
    bo::errc want;
  };
  const row rows[] = {
      {"https://api.bufferapp.com/1/profiles.json", bo::errc::ok},
      {"https://api.bufferapp.com", bo::errc::ok},
      {"https://api.bufferapp.com?x=1", bo::errc::ok},
      {"https://api.bufferapp.com#top", bo::errc::ok},
      {"https://api.bufferapp.com/1/a b", bo::errc::invalid_url},
      {"https://api.bufferapp.com/1/a\r\nX: y", bo::errc::invalid_url},
      {"https://api.bufferapp.com/1/\xc3\xa9", bo::errc::invalid_url},
      {"https://api.bufferapp.com/1/x#a#b", bo::errc::invalid_url},
      {"https://api.bufferapp.com.evil.com/1/", bo::errc::token_origin_mismatch},
      {"https://api.bufferapp.comm/1/", bo::errc::token_origin_mismatch},
      {"https://api.bufferapp.com:444/1/", bo::errc::token_origin_mismatch},
      {"https://api.bufferapp.com@evil.com/1/", bo::errc::invalid_url},
      {"https://api.bufferapp.com\\@evil.com/1/", bo::errc::invalid_url},
      {"HTTPS://Api.BufferApp.com/1/a b", bo::errc::invalid_url},
      {"HTTPS://Api.BufferApp.com:443/1/x#a#b", bo::errc::invalid_url},
      {"HTTPS://Api.BufferApp.com:443/1/profiles.json", bo::errc::ok},
  };
  for (const row& r : rows) {
    CAPTURE(r.url);
    const auto got = bo::attach_token(api, get(r.url), kToken);
    CHECK(got.code() == r.want);
    CHECK(bo::attach_token(bo::provider::buffer_legacy(), get(r.url), kToken).code() == r.want);
    if (!got) continue;
    CHECK(got->url == r.url);
    CHECK(*bo::find_header(got->headers, "Authorization") == "Bearer " + std::string(kToken));
  }
  // A URL over limits::max_url is refused before any comparison.
  bo::limits small;
  small.max_url = 30;
  CHECK(bo::attach_token(api, get(std::string(kProfiles)), kToken, {}, small).code() == bo::errc::too_large);
}

TEST_CASE("api_target: the query placement keeps the query and fragment of a URL read by either path") {
  const auto api = bo::api_target::make(bo::provider::buffer_legacy()).value();
  auto fast = bo::attach_token(api, get("https://api.bufferapp.com/1/x?a=1#frag"), "tok", in_query());
  REQUIRE(fast);
  CHECK(fast->url == "https://api.bufferapp.com/1/x?a=1&access_token=tok#frag");
  auto slow = bo::attach_token(api, get("https://API.bufferapp.com/1/x#frag"), "tok", in_query());
  REQUIRE(slow);
  CHECK(slow->url == "https://API.bufferapp.com/1/x?access_token=tok#frag");
  CHECK(bo::attach_token(api, get("https://api.bufferapp.com/1/x?access_token=a"), "tok").code() ==
        bo::errc::token_already_present);
}

TEST_CASE("api_target::attach changes the request in place, and leaves it as it was on failure") {
  const auto api = bo::api_target::make(bo::provider::buffer_legacy()).value();
  const bo::http_request before = get(std::string(kProfiles));
  bo::http_request req = before;
  REQUIRE(api.attach(req, kToken));
  CHECK(req.headers.size() == before.headers.size() + 1);
  CHECK(*bo::find_header(req.headers, "Authorization") == "Bearer " + std::string(kToken));

  bo::http_request again = req;
  CHECK(api.attach(again, kToken).code() == bo::errc::token_already_present);
  CHECK(same_request(again, req));

  bo::http_request in_get = before;
  CHECK(api.attach(in_get, kToken, in_body()).code() == bo::errc::form_body_not_allowed);
  CHECK(same_request(in_get, before));
  CHECK(api.attach(in_get, kToken, in_query(false)).code() == bo::errc::query_token_disallowed);
  CHECK(same_request(in_get, before));
  CHECK(api.attach(in_get, "not a token").code() == bo::errc::invalid_token_syntax);
  CHECK(same_request(in_get, before));
}
