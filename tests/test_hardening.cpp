// The findings of the outside security review, one test case each: every
// case fails when its rule is taken out of the header.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.hpp"

namespace bo = buffer_oauth;
using namespace std::chrono_literals;
using namespace test_support;

namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef";
const std::string kStateBytes(16, '\x11');
const std::string kVerifierBytes(32, '\x22');
constexpr bo::timestamp kT0{5'000'000};

bo::flow begun_flow(std::string_view state_bytes = kStateBytes) {
  bo::flow f(bo::provider::buffer_legacy(), buffer_client());
  REQUIRE(f.begin({state_bytes, {}}, kT0));
  return f;
}

std::string saved_at_t0(std::string_view state_bytes = kStateBytes) {
  auto s = begun_flow(state_bytes).save(kKey);
  REQUIRE(s);
  return *s;
}

bo::result<bo::flow> restore_at(std::string_view saved, bo::timestamp now,
                                const bo::restore_options& o = {}) {
  return bo::flow::restore(saved, kKey, bo::provider::buffer_legacy(), buffer_client(), now, o);
}

bo::http_request api_post(std::string body, bo::http_headers headers = {}) {
  return bo::http_request{"POST", "https://api.bufferapp.com/1/updates/create.json", std::move(headers),
                          std::move(body)};
}

bo::errc attach(bo::http_request req, bo::attach_options o = {}) {
  return bo::attach_token(bo::provider::buffer_legacy(), std::move(req), kToken, o).code();
}

}  // namespace

// ---------------------------------------------------------------------------
// 1. A saved flow works once and for a limited time.
// ---------------------------------------------------------------------------

TEST_CASE("hardening 1: a saved flow expires at its maximum age, measured from begin()") {
  const std::string saved = saved_at_t0();
  CHECK(restore_at(saved, kT0 + 10min - 1ms));
  CHECK(restore_at(saved, kT0 + 10min).code() == bo::errc::flow_expired);
  CHECK(restore_at(saved, kT0 + 24h).code() == bo::errc::flow_expired);
  CHECK(restore_at(saved, kT0 - 1ms).code() == bo::errc::clock_regressed);
  bo::restore_options tight;
  tight.max_age = 30s;
  CHECK(restore_at(saved, kT0 + 29s, tight));
  CHECK(restore_at(saved, kT0 + 30s, tight).code() == bo::errc::flow_expired);
}

TEST_CASE("hardening 1: saving a restored flow again does not extend its life") {
  auto restored = restore_at(saved_at_t0(), kT0 + 9min);
  REQUIRE(restored);
  auto again = restored->save(kKey);
  REQUIRE(again);
  CHECK(restore_at(*again, kT0 + 10min).code() == bo::errc::flow_expired);
}

TEST_CASE("hardening 1: a flow kept in memory expires too, and then has failed") {
  bo::flow f = begun_flow();
  bo::flow late = f;
  const std::string back = std::string(kRu) + "?code=1%2Fabc&state=" + bo::base64url_encode(kStateBytes);
  CHECK(late.redirect(back, kT0 + 10min).code() == bo::errc::flow_expired);
  CHECK(late.state() == bo::flow_state::failed);
  CHECK(f.redirect(back, kT0 - 1ms).code() == bo::errc::clock_regressed);
  CHECK(f.state() == bo::flow_state::awaiting_redirect);  // a caller's clock mistake is not the input's fault
  CHECK(f.redirect(back, kT0 + 10min - 1ms));
}

TEST_CASE("hardening 1: with a claim, the same saved string restores once") {
  const std::string saved = saved_at_t0();
  std::vector<std::string> claimed;
  bo::restore_options once;
  once.claim = [&claimed](std::string_view id) {
    for (const auto& c : claimed)
      if (c == id) return false;
    claimed.emplace_back(id);
    return true;
  };
  REQUIRE(restore_at(saved, kT0 + 1s, once));
  CHECK(restore_at(saved, kT0 + 2s, once).code() == bo::errc::flow_replayed);
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0].size() == 22);
  CHECK(saved.find(claimed[0]) == std::string::npos);  // an id, not a piece of the string
  // Another save is another id; a refused string never reaches the claim.
  CHECK(restore_at(saved_at_t0(std::string(16, '\x44')), kT0 + 1s, once));
  CHECK(claimed.size() == 2);
  CHECK(restore_at(saved, kT0 + 10min, once).code() == bo::errc::flow_expired);
  CHECK(bo::flow::restore(saved, std::string(32, 'x'), bo::provider::buffer_legacy(), buffer_client(), kT0,
                          once)
            .code() == bo::errc::tampered_flow);
  CHECK(claimed.size() == 2);
}

// ---------------------------------------------------------------------------
// 2-4. No state check skipped, no verifier in the URL, no login without CSRF defence.
// ---------------------------------------------------------------------------

TEST_CASE("hardening 2: an expected state together with without_state is a caller error") {
  bo::expected_redirect e;
  e.state = "xyz";
  e.without_state = true;
  e.code_challenge_sent = true;
  // Without the rule, the state check would be skipped and this accepted.
  CHECK(bo::parse_redirect(std::string(kRu) + "?code=1%2Fabc", generic(), buffer_client(), e).code() ==
        bo::errc::invalid_argument);
  CHECK(bo::parse_redirect(std::string(kRu) + "?code=1%2Fabc&state=evil", generic(), buffer_client(), e)
            .code() == bo::errc::invalid_argument);
}

TEST_CASE("hardening 3: state and verifier never come from the same bytes") {
  bo::flow_options pkce;
  pkce.pkce = true;
  const std::string both(48, '\x33');
  const std::string_view all(both);
  std::string distinct(48, '\0');
  for (std::size_t i = 0; i < distinct.size(); ++i) distinct[i] = static_cast<char>(i + 1);
  const std::string_view counting(distinct);
  const auto begin = [&](const bo::flow_entropy& e) {
    bo::flow f(bo::provider::buffer_legacy(), buffer_client(), pkce);
    return f.begin(e, kT0);
  };
  CHECK(begin({kVerifierBytes.substr(0, 16), kVerifierBytes}).code() == bo::errc::entropy_reused);
  CHECK(begin({kVerifierBytes, kVerifierBytes}).code() == bo::errc::entropy_reused);
  CHECK(begin({counting.substr(0, 16), counting.substr(8, 32)}).code() ==
        bo::errc::entropy_reused);  // overlapping views of one buffer, neither holding the other
  CHECK(begin({counting.substr(0, 16), counting.substr(16, 32)}));  // adjacent, not overlapping
  CHECK(begin({all.substr(32, 16), all.substr(0, 32)}).code() == bo::errc::entropy_reused);  // equal content
  const std::string verifier_copy(kVerifierBytes);
  CHECK(begin({std::string_view(verifier_copy).substr(4, 16), kVerifierBytes}).code() ==
        bo::errc::entropy_reused);  // state bytes found inside the verifier's
  auto url = begin({kStateBytes, kVerifierBytes});
  REQUIRE(url);
  CHECK(url->find(bo::base64url_encode(kVerifierBytes).substr(0, 16)) == std::string::npos);
  // Without PKCE there is no verifier to leak.
  bo::flow plain(bo::provider::buffer_legacy(), buffer_client());
  CHECK(plain.begin({kStateBytes, kStateBytes}, kT0));
}

TEST_CASE("hardening 4: without state, only PKCE may stand against CSRF") {
  bo::expected_redirect e;
  e.without_state = true;
  const std::string back = std::string(kRu) + "?code=1%2Fabc";
  CHECK(bo::parse_redirect(back, bo::provider::buffer_legacy(), buffer_client(), e).code() ==
        bo::errc::csrf_protection_missing);
  e.code_challenge_sent = true;
  CHECK(bo::parse_redirect(back, bo::provider::buffer_legacy(), buffer_client(), e).value() == "1/abc");
  bo::authorize_params a;
  a.without_state = true;
  CHECK(bo::build_authorize_url(bo::provider::buffer_legacy(), buffer_client(), a).code() ==
        bo::errc::csrf_protection_missing);
}

// ---------------------------------------------------------------------------
// 5. Never two placements of a token (RFC 6750 §2).
// ---------------------------------------------------------------------------

TEST_CASE("hardening 5: a POST without Content-Type is checked as a form (curl's default)") {
  CHECK(attach(api_post("text=hi&access_token=1%2Fother")) == bo::errc::token_already_present);
  CHECK(attach(api_post("text=hi")) == bo::errc::ok);
}

TEST_CASE("hardening 5: a repeated or listed Content-Type is ambiguous: the body is checked as a form") {
  const bo::http_headers repeated = {{"Content-Type", "application/json"},
                                     {"Content-Type", "application/x-www-form-urlencoded"}};
  CHECK(attach(api_post("access_token=1%2Fother", repeated)) == bo::errc::token_already_present);
  const bo::http_headers listed = {{"Content-Type", "text/plain, application/x-www-form-urlencoded"}};
  CHECK(attach(api_post("access_token=1%2Fother", listed)) == bo::errc::token_already_present);
  // Nor is a token put into such a body.
  bo::attach_options body;
  body.placement = bo::token_placement::form_body;
  CHECK(attach(api_post("text=hi", repeated), body) == bo::errc::form_body_not_allowed);
  // One plain text/plain body is not a form.
  CHECK(attach(api_post("access_token=1%2Fother", {{"Content-Type", "text/plain"}})) == bo::errc::ok);
}

TEST_CASE("hardening 5: a JSON body with a top-level access_token member") {
  const bo::http_headers json = {{"Content-Type", "application/json"}};
  CHECK(attach(api_post(R"({"text":"hi","access_token":"1/other"})", json)) ==
        bo::errc::token_already_present);
  CHECK(attach(api_post(R"( {"access_token":null})", {{"Content-Type", "text/plain"}})) ==
        bo::errc::token_already_present);
  CHECK(attach(api_post(R"({"access\u005ftoken":"x"})", json)) == bo::errc::token_already_present);
  // Nested, or only in a string, it is data.
  CHECK(attach(api_post(R"({"post":{"access_token":"x"}})", json)) == bo::errc::ok);
  CHECK(attach(api_post(R"({"text":"access_token=x"})", json)) == bo::errc::ok);
}

TEST_CASE("hardening 5: ';' pairs and names a server may read as access_token") {
  const bo::http_headers form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  for (const char* body : {"a=1;access_token=x", "access.token=x", "access+token=x", "access%20token=x",
                           "access[token=x", "access_token[]=x", "access_token[0]=x", "ACCESS_TOKEN=x",
                           "Access_Token=x", "+access_token=x", "acc%65ss_token=x"}) {
    CAPTURE(body);
    CHECK(attach(api_post(body, form)) == bo::errc::token_already_present);
    bo::http_request get{"GET", "https://api.bufferapp.com/1/profiles.json?" + std::string(body), {}, {}};
    CHECK(attach(get) == bo::errc::token_already_present);
  }
  for (const char* body : {"access_tokens=x", "my_access_token=x", "access-token=x", "access__token=x",
                           "accesstoken=x", "access]token=x"}) {
    CAPTURE(body);
    CHECK(attach(api_post(body, form)) == bo::errc::ok);
  }
}

// ---------------------------------------------------------------------------
// 6-7. Provider text and Buffer's envelope, the same everywhere.
// ---------------------------------------------------------------------------

TEST_CASE("hardening 6: no control character from a provider reaches an error") {
  const std::string injected = R"({"success":false,"code":1001,"message":"a\r\nX-Injected: yes"})";
  CHECK(bo::check_api_response(response(403, injected)).code() == bo::errc::malformed_error);
  CHECK(bo::check_api_response(response(200, injected)).code() == bo::errc::malformed_error);
  CHECK(bo::parse_token_response(bo::provider::buffer_legacy(), response(400, injected)).code() ==
        bo::errc::malformed_error);
  CHECK(bo::parse_deauthorize_response(response(400, injected)).code() == bo::errc::malformed_error);
  for (const char* text : {R"(a\u0000b)", R"(a\u001bb)", R"(a\u007fb)", R"(a\u009bb)", R"(a\u0085b)"}) {
    CAPTURE(text);
    const std::string envelope = R"({"success":false,"code":1025,"error":")" + std::string(text) + "\"}";
    CHECK(bo::check_api_response(response(400, envelope)).code() == bo::errc::malformed_error);
    const std::string oauth = R"({"error":"invalid_grant","error_description":")" + std::string(text) + "\"}";
    CHECK(bo::parse_token_response(generic(), response(400, oauth)).code() == bo::errc::malformed_error);
  }
  // Quotes, backslashes and non-ASCII text stay readable.
  auto kept = bo::check_api_response(response(400, R"({"code":1025,"message":"d\u00e9j\u00e0 \"posted\""})"));
  CHECK(kept.code() == bo::errc::api_error);
  CHECK(kept.error().from_provider.error_description == "d\xc3\xa9j\xc3\xa0 \"posted\"");
}

TEST_CASE("hardening 7: Buffer's error envelope with HTTP 200 is an error everywhere") {
  const std::string envelope = R"({"success":false,"code":1001,"error":"Access token required."})";
  auto api = bo::check_api_response(response(200, envelope));
  CHECK(api.code() == bo::errc::api_error);
  CHECK(api.error().api_code == 1001);
  CHECK(bo::parse_token_response(bo::provider::buffer_legacy(), response(200, envelope)).code() ==
        bo::errc::api_error);
  CHECK(bo::parse_deauthorize_response(response(200, envelope)).code() == bo::errc::api_error);
  CHECK(bo::check_api_response(response(200, R"({"success":false})")).code() == bo::errc::api_error);
  CHECK(bo::check_api_response(response(200, R"({"code":1025})")).code() == bo::errc::api_error);
  // Success bodies pass, whatever their size; bodies that are not a JSON object are not read.
  CHECK(bo::check_api_response(response(200, R"({"success":true,"updates":[]})")));
  CHECK(bo::check_api_response(response(200, "[1,2]")));
  CHECK(bo::check_api_response(response(200, "id,text\n1,hi")));
  CHECK(bo::check_api_response(response(204, "")));
  const std::string big = R"({"success":true,"text":")" + std::string(100000, 'x') + "\"}";
  CHECK(bo::check_api_response(response(200, big)));
  CHECK(bo::check_api_response(response(200, R"({"success":true,)")).code() == bo::errc::malformed_json);
}

// ---------------------------------------------------------------------------
// 8. No endpoint carries an OAuth parameter of its own.
// ---------------------------------------------------------------------------

TEST_CASE("hardening 8: every endpoint is checked for OAuth parameters in its query") {
  const bo::client c = buffer_client();
  bo::provider token_with_grant = bo::provider::buffer_legacy();
  token_with_grant.token_endpoint = "https://as.example/token?grant_type=password&code=X";
  CHECK(bo::build_token_request(token_with_grant, c, kBufferCode).code() == bo::errc::duplicate_parameter);
  CHECK(bo::build_refresh_request(token_with_grant, c, "r").code() == bo::errc::duplicate_parameter);
  bo::provider encoded = bo::provider::buffer_legacy();
  encoded.token_endpoint = "https://as.example/token?gr%61nt_type=password";
  CHECK(bo::build_token_request(encoded, c, kBufferCode).code() == bo::errc::duplicate_parameter);
  bo::provider deauth = bo::provider::buffer_legacy();
  deauth.deauthorize_endpoint = "https://api.bufferapp.com/1/user/deauthorize.json?access_token=other";
  CHECK(bo::build_deauthorize_request(deauth, kToken).code() == bo::errc::duplicate_parameter);
  bo::provider api = bo::provider::buffer_legacy();
  api.api_base = "https://api.bufferapp.com/1/?token=other";
  CHECK(attach(bo::http_request{"GET", "https://api.bufferapp.com/1/x.json", {}, {}}) == bo::errc::ok);
  CHECK(bo::attach_token(api, bo::http_request{"GET", "https://api.bufferapp.com/1/x.json", {}, {}}, kToken)
            .code() == bo::errc::duplicate_parameter);
  // A query of the provider's own stays.
  bo::provider versioned = bo::provider::buffer_legacy();
  versioned.token_endpoint = "https://as.example/token?api-version=2";
  auto req = bo::build_token_request(versioned, c, kBufferCode);
  REQUIRE(req);
  CHECK(req->url == "https://as.example/token?api-version=2");
}

// ---------------------------------------------------------------------------
// 9. expires_in that no clock arithmetic can overflow.
// ---------------------------------------------------------------------------

TEST_CASE("hardening 9: expires_in over limits::max_expires_in is too_large, with the numbers") {
  auto near_max =
      bo::parse_token_response(generic(), response(200, R"({"access_token":"a","token_type":"bearer",)"
                                                        R"("expires_in":999999999999999999})"));
  CHECK(near_max.code() == bo::errc::too_large);
  CHECK(near_max.error().message.find("999999999999999999") != std::string::npos);
  CHECK(near_max.error().message.find("1000000000") != std::string::npos);
  auto as_string = bo::parse_token_response(
      bo::provider::buffer_legacy(), response(200, R"({"access_token":"a","expires_in":"1000000001"})"));
  CHECK(as_string.code() == bo::errc::too_large);
  auto at_cap = bo::parse_token_response(
      generic(), response(200, R"({"access_token":"a","token_type":"bearer","expires_in":1000000000})"));
  REQUIRE(at_cap);
  CHECK(*at_cap->expires_in == 1'000'000'000);
  bo::limits strict;
  strict.max_expires_in = 3600;
  CHECK(
      bo::parse_token_response(
          generic(), response(200, R"({"access_token":"a","token_type":"bearer","expires_in":3601})"), strict)
          .code() == bo::errc::too_large);
}

TEST_CASE("hardening 5: a JSON object this reader cannot read is refused if it mentions access") {
  const bo::http_headers json = {{"Content-Type", "application/json"}};
  std::string deep = R"({"access_token":"1/other","x":)";
  deep += std::string(100, '[') + std::string(100, ']') + "}";
  CHECK(attach(api_post(deep, json)) == bo::errc::token_already_present);
  CHECK(attach(api_post(R"({"ACCESS_TOKEN":"x",})", json)) == bo::errc::token_already_present);  // lax JSON
  CHECK(attach(api_post(R"({"text":"hi",})", json)) == bo::errc::ok);
}
