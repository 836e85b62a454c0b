// Bugs the fuzz targets found (fuzz/README.md), pinned as unit tests. Each
// case names its regression input under fuzz/regressions/<target>/.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace bo = buffer_oauth;

namespace {

constexpr std::string_view kKey = "k3y-for-fuzzing-0123456789abcdef!";

std::vector<std::string> values_named(std::string_view form, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& kv : test_support::form_pairs(form))
    if (kv.first == name) out.push_back(kv.second);
  return out;
}

bo::http_request request(std::string method, std::string url, std::string body, std::string content_type) {
  bo::http_request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  if (!content_type.empty()) r.headers.push_back({"Content-Type", std::move(content_type)});
  return r;
}

}  // namespace

// fuzz/regressions/flow/provider-name-not-utf8
TEST_CASE("fuzz: a flow whose provider name is not UTF-8 saves and restores") {
  for (const std::string& name : {std::string("bo\xe3"
                                              "1."),
                                  std::string("tab\there"), std::string("\x7f")}) {
    CAPTURE(name);
    bo::provider p = bo::provider::buffer_legacy();
    p.name = name;
    bo::client c{"4e9680c0512f7ed322000000", "s3cr3t", "https://client.example/back"};
    bo::flow f(p, c);
    REQUIRE(f.begin(bo::flow_entropy{"0123456789abcdef", {}}, bo::timestamp{0}));
    auto saved = f.save(kKey);
    REQUIRE(saved);
    auto restored = bo::flow::restore(*saved, kKey, p, c, bo::timestamp{0});
    REQUIRE(restored);
    CHECK(restored->state() == bo::flow_state::awaiting_redirect);
    CHECK(restored->save(kKey).value() == *saved);
  }
}

TEST_CASE("fuzz: restore still refuses control characters in the fields it restores") {
  // The state field under a valid MAC: strict, unlike the compared-only fields.
  const std::string payload =
      "p=buffer-legacy&t=https%3A%2F%2Fapi.bufferapp.com%2F1%2Foauth2%2Ftoken.json&c=4e9680c0512f7ed322000000"
      "&r=https%3A%2F%2Fclient.example%2Fback&x=&n=0&k=0&s=a%0Ab&v=&i=0";
  std::string saved = "bo1." + bo::base64url_encode(payload);
  const bo::digest mac = bo::hmac_sha256(kKey, saved);
  saved +=
      "." + bo::base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  bo::client c{"4e9680c0512f7ed322000000", "s3cr3t", "https://client.example/back"};
  CHECK(bo::flow::restore(saved, kKey, bo::provider::buffer_legacy(), c, bo::timestamp{0}).code() ==
        bo::errc::corrupt_flow);
}

// fuzz/regressions/attach/form-body-ending-in-question-mark (and the crash-286ae3a9... original)
TEST_CASE("fuzz: a form body ending in '?' gets the token as a pair of its own") {
  auto r = bo::attach_token(bo::provider::buffer_legacy(),
                            request("POST", "https://api.bufferapp.com/1/updates/create.json", "text=Really?",
                                    "application/x-www-form-urlencoded"),
                            "1/abc", {bo::token_placement::form_body, false});
  REQUIRE(r);
  CHECK(r->body == "text=Really?&access_token=1/abc");
  CHECK(values_named(r->body, "access_token") == std::vector<std::string>{"1/abc"});
  CHECK(values_named(r->body, "text") == std::vector<std::string>{"Really?"});

  auto bare = bo::attach_token(
      bo::provider::buffer_legacy(),
      request("POST", "https://api.bufferapp.com/1/x", "?", "application/x-www-form-urlencoded"), "1/abc",
      {bo::token_placement::form_body, false});
  REQUIRE(bare);
  CHECK(bare->body == "?&access_token=1/abc");
}

// fuzz/regressions/attach/query-ending-in-question-mark
TEST_CASE("fuzz: a query ending in '?' gets the token as a pair of its own") {
  const bo::attach_options query{bo::token_placement::query, true};
  auto r = bo::attach_token(bo::provider::buffer_legacy(),
                            request("GET", "https://api.bufferapp.com/1/x?q=why?#f", "", ""), "1/abc", query);
  REQUIRE(r);
  CHECK(r->url == "https://api.bufferapp.com/1/x?q=why?&access_token=1/abc#f");
  // The '?' that opens an empty query still takes no '&'.
  auto empty = bo::attach_token(bo::provider::buffer_legacy(),
                                request("GET", "https://api.bufferapp.com/1/x?", "", ""), "1/abc", query);
  REQUIRE(empty);
  CHECK(empty->url == "https://api.bufferapp.com/1/x?access_token=1/abc");
}

TEST_CASE("fuzz: an authorize endpoint whose query ends in '?' keeps its last value") {
  bo::provider p = bo::provider::generic("g", "https://auth.example/authorize?x=1?",
                                         "https://auth.example/token", "https://api.example/");
  bo::client c{"client", "secret-value", "https://client.example/back"};
  bo::authorize_params a;
  a.state = "xyz";
  auto url = bo::build_authorize_url(p, c, a);
  REQUIRE(url);
  CHECK(url->rfind("https://auth.example/authorize?x=1?&client_id=client&", 0) == 0);
}

// fuzz/regressions/credentials/value-longer-once-encoded
TEST_CASE("fuzz: stored credentials are limited by their values, not by the values' encoding") {
  bo::credentials c;
  c.access_token = "1/" + std::string(4094, '/');  // b64token; "%2F" stored
  c.refresh_token = std::string(4096, '&');
  c.scope = std::string(4096, ':');  // one scope token; account:read has one too
  c.obtained_at = bo::timestamp(1700000000000);
  c.expires_at = bo::timestamp(1700003600000);
  auto back = bo::parse_credentials(bo::to_string(c));
  REQUIRE(back);
  CHECK(back->access_token == c.access_token);
  CHECK(back->refresh_token == c.refresh_token);
  CHECK(back->scope == c.scope);
  c.scope += ':';
  CHECK(bo::parse_credentials(bo::to_string(c)).code() == bo::errc::too_large);
}

// fuzz/regressions/credentials/generation-at-its-largest
TEST_CASE("fuzz: a session whose generation cannot go up never refreshes it back to 0") {
  bo::credentials c;
  c.access_token = "1/abc";
  c.refresh_token = "1/refresh";
  c.obtained_at = bo::timestamp(0);
  c.expires_at = bo::timestamp(3600000);
  c.generation = std::numeric_limits<std::uint64_t>::max();
  bo::session s(bo::provider::buffer_legacy(),
                {"4e9680c0512f7ed322000000", "s3cr3t", "https://client.example/back"}, c);
  auto due = s.use(bo::timestamp(3590000));  // within the lead: handed out, not refreshed
  REQUIRE(due);
  CHECK(due->action == bo::session_action::attach);
  CHECK(s.state() == bo::session_state::valid);
  CHECK(s.use(bo::timestamp(3600000)).code() == bo::errc::reauthorization_required);
  CHECK(s.state() == bo::session_state::ended);
}
