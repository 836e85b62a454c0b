// Sections 9 (Authorize) and 10 (Redirect): build_authorize_url and
// parse_redirect. Buffer's example callback http://example.com/back is
// replaced by an https URI because only loopback IP literals may use plain
// http (RFC 8252 §7.3).
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace bo = buffer_oauth;

using namespace test_support;

namespace {

// RFC 7636 App. B challenge.
constexpr std::string_view kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

bo::authorize_params with_state(std::string_view state) {
  bo::authorize_params a;
  a.state = state;
  return a;
}

// Without state, only PKCE stands against CSRF: a challenge is required.
bo::authorize_params no_state() {
  bo::authorize_params a;
  a.without_state = true;
  a.code_challenge = kChallenge;
  return a;
}

bo::result<std::string> authorize(const bo::client& c, const bo::authorize_params& a) {
  return bo::build_authorize_url(bo::provider::buffer_legacy(), c, a);
}

bo::provider provider_with_authorize_endpoint(std::string endpoint) {
  bo::provider p = bo::provider::buffer_legacy();
  p.authorize_endpoint = std::move(endpoint);
  return p;
}

// Decoded query parameters of a URL, in order (form decoding).
pairs query_of(std::string_view url) {
  const auto q = url.find('?');
  return q == std::string_view::npos ? pairs{} : form_pairs(url.substr(q + 1));
}

// parse_redirect for the Buffer provider and the https client, expecting `state`.
bo::result<std::string> redirect(std::string_view url, std::string_view state = "xyz",
                                 const bo::client& c = buffer_client(), const bo::limits& lim = {}) {
  bo::expected_redirect e;
  e.state = state;
  return bo::parse_redirect(url, bo::provider::buffer_legacy(), c, e, lim);
}

bo::result<std::string> redirect_without_state(std::string_view url) {
  bo::expected_redirect e;
  e.without_state = true;
  e.code_challenge_sent = true;
  return bo::parse_redirect(url, bo::provider::buffer_legacy(), buffer_client(), e);
}

bo::result<std::string> redirect_with_issuer(std::string_view url, std::string issuer) {
  bo::provider p = bo::provider::buffer_legacy();
  p.issuer = std::move(issuer);
  bo::expected_redirect e;
  e.state = "xyz";
  return bo::parse_redirect(url, p, buffer_client(), e);
}

}  // namespace

// ============================================================================
// 7. build_authorize_url
// ============================================================================

TEST_CASE("authorize: with state opted out, PKCE is required against CSRF") {
  bo::authorize_params bare;
  bare.without_state = true;
  CHECK(authorize(buffer_client(), bare).code() == bo::errc::csrf_protection_missing);
  auto url = authorize(buffer_client(), no_state());
  REQUIRE(url);
  CHECK(*url ==
        "https://bufferapp.com/oauth2/authorize?client_id=4e9680c0512f7ed322000000"
        "&redirect_uri=https%3A%2F%2Fexample.com%2Fback&response_type=code"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");
}

TEST_CASE("authorize: state xyz is appended and no scope is sent") {
  auto url = authorize(buffer_client(), with_state("xyz"));
  REQUIRE(url);
  CHECK(*url ==
        "https://bufferapp.com/oauth2/authorize?client_id=4e9680c0512f7ed322000000"
        "&redirect_uri=https%3A%2F%2Fexample.com%2Fback&response_type=code&state=xyz");
  CHECK(url->find("scope") == std::string::npos);
}

TEST_CASE("authorize: http://example.com/back is refused (plain http only for loopback IPs)") {
  auto url = authorize(buffer_client("http://example.com/back"), with_state("xyz"));
  CHECK(url.code() == bo::errc::insecure_url);
}

TEST_CASE("authorize: every parameter once, uppercase hex, S256 added") {
  bo::authorize_params a = with_state("S-._~9");
  a.code_challenge = kChallenge;
  auto url = authorize(buffer_client("https://client.example/back"), a);
  REQUIRE(url);
  CHECK(*url ==
        "https://bufferapp.com/oauth2/authorize?client_id=4e9680c0512f7ed322000000"
        "&redirect_uri=https%3A%2F%2Fclient.example%2Fback&response_type=code&state=S-._~9"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");
  const auto q = query_of(*url);
  for (std::string_view name :
       {"client_id", "redirect_uri", "response_type", "state", "code_challenge", "code_challenge_method"})
    CHECK(count_name(q, name) == 1);
  CHECK(url->find("%2f") == std::string::npos);  // hex digits are uppercase
}

TEST_CASE("authorize: the endpoint's own query is kept") {
  SUBCASE("?x=1 becomes ?x=1&client_id=") {
    auto url = bo::build_authorize_url(provider_with_authorize_endpoint("https://auth.example/authorize?x=1"),
                                       buffer_client(), with_state("xyz"));
    REQUIRE(url);
    CHECK(url->rfind("https://auth.example/authorize?x=1&client_id=4e9680c0512f7ed322000000&", 0) == 0);
    CHECK(url->find("?&") == std::string::npos);
  }
  SUBCASE("a bare trailing ? gets no extra separator") {
    auto url = bo::build_authorize_url(provider_with_authorize_endpoint("https://auth.example/authorize?"),
                                       buffer_client(), with_state("xyz"));
    REQUIRE(url);
    CHECK(url->rfind("https://auth.example/authorize?client_id=", 0) == 0);
  }
}

TEST_CASE("authorize: an OAuth parameter already in the endpoint query is a duplicate") {
  for (const char* endpoint :
       {"https://auth.example/authorize?x=1&client_id=a", "https://auth.example/authorize?state=s",
        "https://auth.example/authorize?%63lient_id=a",  // decoded name
        "https://auth.example/authorize?response_type=token",
        "https://auth.example/authorize?code_challenge_method=plain"}) {
    CAPTURE(endpoint);
    auto url = bo::build_authorize_url(provider_with_authorize_endpoint(endpoint), buffer_client(),
                                       with_state("xyz"));
    CHECK(url.code() == bo::errc::duplicate_parameter);
  }
}

TEST_CASE("authorize: endpoint with a fragment, not absolute, or plain http") {
  CHECK(bo::build_authorize_url(provider_with_authorize_endpoint("https://auth.example/authorize#frag"),
                                buffer_client(), with_state("xyz"))
            .code() == bo::errc::invalid_endpoint);
  CHECK(bo::build_authorize_url(provider_with_authorize_endpoint("/oauth2/authorize"), buffer_client(),
                                with_state("xyz"))
            .code() == bo::errc::invalid_endpoint);
  CHECK(bo::build_authorize_url(provider_with_authorize_endpoint("http://auth.example/authorize"),
                                buffer_client(), with_state("xyz"))
            .code() == bo::errc::insecure_url);
}

TEST_CASE("authorize: redirect URI rejections") {
  struct row {
    const char* uri;
    bo::errc want;
  };
  const row rows[] = {
      {"https://example.com/back#frag", bo::errc::invalid_redirect_uri},
      {"/back", bo::errc::invalid_redirect_uri},
      {"//x/back", bo::errc::invalid_redirect_uri},
      {"", bo::errc::invalid_redirect_uri},
      {"ftp://example.com/back", bo::errc::invalid_redirect_uri},
      {"https://u@x/cb", bo::errc::invalid_redirect_uri},
      {"https://x\\cb", bo::errc::invalid_redirect_uri},
      {"https://x/c b", bo::errc::invalid_redirect_uri},
      {"https://x/c\tb", bo::errc::invalid_redirect_uri},
      {"https://x/c\rb", bo::errc::invalid_redirect_uri},
      {"https://x/c\nb", bo::errc::invalid_redirect_uri},
      {"https://ex\xc3\xa4mple.com/cb", bo::errc::invalid_redirect_uri},
      {"http://[::1", bo::errc::invalid_redirect_uri},
      {"http://example.com/back", bo::errc::insecure_url},
      {"http://localhost:8080/cb", bo::errc::insecure_url},  // RFC 8252 §8.3: NOT RECOMMENDED
      {"http://127.0.0.1.evil.com/cb", bo::errc::insecure_url},
      {"http://128.0.0.1/cb", bo::errc::insecure_url},
  };
  for (const auto& r : rows) {
    CAPTURE(r.uri);
    CHECK(authorize(buffer_client(r.uri), with_state("xyz")).code() == r.want);
  }
}

TEST_CASE("authorize: loopback IP literals may use plain http on any port (RFC 8252 §7.3)") {
  auto v4 = authorize(buffer_client("http://127.0.0.1:51004/cb"), with_state("xyz"));
  REQUIRE(v4);
  CHECK(v4->find("&redirect_uri=http%3A%2F%2F127.0.0.1%3A51004%2Fcb&") != std::string::npos);
  auto v6 = authorize(buffer_client("http://[::1]:8080/cb"), with_state("xyz"));
  REQUIRE(v6);
  CHECK(v6->find("&redirect_uri=http%3A%2F%2F%5B%3A%3A1%5D%3A8080%2Fcb&") != std::string::npos);
}

TEST_CASE("authorize: client_id, state and scope with & = + # % space are escaped and round-trip") {
  const std::string hostile = "a&b=c+d#e%f g";
  bo::client c = buffer_client();
  c.id = hostile;
  bo::authorize_params a = with_state(hostile);
  a.scope = "read&x=1 write+all #tag 100%";
  auto url = authorize(c, a);
  REQUIRE(url);
  CHECK(url->find("client_id=a%26b%3Dc%2Bd%23e%25f%20g&") != std::string::npos);
  CHECK(url->find("&state=a%26b%3Dc%2Bd%23e%25f%20g&") != std::string::npos);
  CHECK(url->find("&scope=read%26x%3D1%20write%2Ball%20%23tag%20100%25") != std::string::npos);
  CHECK(url->find('#') == std::string::npos);
  const auto q = query_of(*url);
  REQUIRE(q.size() == 5);
  CHECK(q[0] == std::make_pair(std::string("client_id"), hostile));
  CHECK(q[1] == std::make_pair(std::string("redirect_uri"), std::string(kRu)));
  CHECK(q[2] == std::make_pair(std::string("response_type"), std::string("code")));
  CHECK(q[3] == std::make_pair(std::string("state"), hostile));
  CHECK(q[4] == std::make_pair(std::string("scope"), std::string(a.scope)));
}

TEST_CASE("authorize: control and non-ASCII characters are refused") {
  CHECK(authorize(buffer_client(), with_state("ab\x01")).code() == bo::errc::invalid_character);
  CHECK(authorize(buffer_client(), with_state("ab\ncd")).code() == bo::errc::invalid_character);
  CHECK(authorize(buffer_client(), with_state("ab\x7f")).code() == bo::errc::invalid_character);
  CHECK(authorize(buffer_client(), with_state("caf\xc3\xa9")).code() == bo::errc::invalid_character);
  // client_id has its own code (documented: invalid_client_id covers non-VSCHAR).
  bo::client c = buffer_client();
  c.id = "id\r\n";
  CHECK(authorize(c, with_state("xyz")).code() == bo::errc::invalid_client_id);
  c.id = "caf\xc3\xa9";
  CHECK(authorize(c, with_state("xyz")).code() == bo::errc::invalid_client_id);
  c.id = "";
  CHECK(authorize(c, with_state("xyz")).code() == bo::errc::invalid_client_id);
}

TEST_CASE("authorize: scope tokens must be NQCHAR separated by single spaces") {
  for (const char* scope :
       {"read \"write\"", "a\\b", "read  write", " read", "read ", "caf\xc3\xa9", "a\tb"}) {
    CAPTURE(scope);
    bo::authorize_params a = with_state("xyz");
    a.scope = scope;
    CHECK(authorize(buffer_client(), a).code() == bo::errc::invalid_character);
  }
}

TEST_CASE("authorize: an empty scope is omitted, never scope=") {
  bo::authorize_params a = with_state("xyz");
  a.scope = "";
  auto url = authorize(buffer_client(), a);
  REQUIRE(url);
  CHECK(url->find("scope") == std::string::npos);
}

TEST_CASE("authorize: state is required unless explicitly opted out") {
  CHECK(authorize(buffer_client(), bo::authorize_params{}).code() == bo::errc::state_missing);
  bo::authorize_params both = with_state("xyz");
  both.without_state = true;
  CHECK(authorize(buffer_client(), both).code() == bo::errc::invalid_argument);
  auto url = authorize(buffer_client(), no_state());
  REQUIRE(url);
  CHECK(url->find("state") == std::string::npos);
}

TEST_CASE("authorize: state over limits::max_value is too_large, at the cap accepted") {
  const std::string at_cap(bo::limits{}.max_value, 'S');
  CHECK(authorize(buffer_client(), with_state(at_cap)));
  const std::string over(bo::limits{}.max_value + 1, 'S');
  CHECK(authorize(buffer_client(), with_state(over)).code() == bo::errc::too_large);
}

TEST_CASE("authorize: code_challenge must be 43 base64url characters") {
  const std::string base(kChallenge);
  for (const std::string& bad : {base.substr(0, 42), base + "A", base.substr(0, 42) + "+",
                                 base.substr(0, 42) + "=", base.substr(0, 42) + "/", std::string(43, ' ')}) {
    CAPTURE(bad);
    bo::authorize_params a = with_state("xyz");
    a.code_challenge = bad;
    CHECK(authorize(buffer_client(), a).code() == bo::errc::invalid_code_verifier);
  }
  bo::authorize_params a = with_state("xyz");
  a.code_challenge = kChallenge;
  auto url = authorize(buffer_client(), a);
  REQUIRE(url);
  CHECK(url->find("&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256") !=
        std::string::npos);
  // Without a challenge there is no method either.
  auto plain = authorize(buffer_client(), with_state("xyz"));
  REQUIRE(plain);
  CHECK(plain->find("code_challenge") == std::string::npos);
}

// ============================================================================
// 8. parse_redirect: Buffer's redirects (RU = https://example.com/back)
// ============================================================================

TEST_CASE("redirect: a raw code with '/' is returned as sent") {
  auto code = redirect(ru("code=1/mWot20jTwojsd00jFlaaR45&state=xyz"));
  REQUIRE(code);
  CHECK(*code == kBufferCode);
}

TEST_CASE("redirect: a code with %2F is decoded to '/'") {
  auto code = redirect(ru("code=1%2FmWot20jTwojsd00jFlaaR45&state=xyz"));
  REQUIRE(code);
  CHECK(*code == kBufferCode);
}

TEST_CASE("redirect: %252F is decoded only once") {
  auto code = redirect(ru("code=1%252FmWot&state=xyz"));
  REQUIRE(code);
  CHECK(*code == "1%2FmWot");
}

TEST_CASE("redirect: state may come before code") {
  auto code = redirect(ru("state=xyz&code=1%2Fabc"));
  REQUIRE(code);
  CHECK(*code == "1/abc");
}

TEST_CASE("redirect: a wrong state is state_mismatch") {
  CHECK(redirect(ru("code=1%2Fabc&state=evil")).code() == bo::errc::state_mismatch);
}

TEST_CASE("redirect: access_denied with a '+'-encoded description") {
  auto r = redirect(
      ru("error=access_denied&error_description=The+user+denied+access+to+your+application&state=xyz"));
  REQUIRE_FALSE(r);
  CHECK(r.code() == bo::errc::authorization_denied);
  CHECK(r.error().from_provider.error == "access_denied");
  CHECK(r.error().from_provider.error_description == "The user denied access to your application");
  CHECK(r.error().from_provider.error_uri.empty());
}

TEST_CASE("redirect: other provider errors are kept verbatim") {
  auto mismatch = redirect(ru("error=redirect_uri_mismatch&state=xyz"));
  CHECK(mismatch.code() == bo::errc::authorization_error);
  CHECK(mismatch.error().from_provider.error == "redirect_uri_mismatch");
  auto draft16 = redirect(ru("error=503&state=xyz"));
  CHECK(draft16.code() == bo::errc::authorization_error);
  CHECK(draft16.error().from_provider.error == "503");
  auto unlisted = redirect(ru("error=foo_bar&state=xyz"));
  CHECK(unlisted.code() == bo::errc::authorization_error);
  CHECK(unlisted.error().from_provider.error == "foo_bar");
}

TEST_CASE("redirect: unknown parameters are ignored") {
  auto code = redirect(ru("foo=bar&code=1%2Fabc&state=xyz"));
  REQUIRE(code);
  CHECK(*code == "1/abc");
  // Names are case-sensitive: Code= and =x are unknown, so the code is still missing.
  CHECK(redirect(ru("Code=x&=y&state=xyz")).code() == bo::errc::missing_code);
}

TEST_CASE("redirect: a repeated code is duplicate_parameter") {
  CHECK(redirect(ru("code=a&code=b&state=xyz")).code() == bo::errc::duplicate_parameter);
}

TEST_CASE("redirect: an empty code counts as missing") {
  CHECK(redirect(ru("code=&state=xyz")).code() == bo::errc::missing_code);
  CHECK(redirect(ru("code&state=xyz")).code() == bo::errc::missing_code);
}

// ============================================================================
// 8. parse_redirect: state, origin and hostile redirects
// ============================================================================

TEST_CASE("redirect: Buffer's example callback, with no state") {
  const std::string as_written = "http://example.com/back?code=1/mWot20jTwojsd00jFlaaR45";
  // Registered with plain http on a public host: refused outright.
  CHECK(redirect(as_written, "xyz", buffer_client("http://example.com/back")).code() ==
        bo::errc::insecure_url);
  // The https equivalent without state: accepted only when no state was sent...
  const std::string over_https = ru("code=1/mWot20jTwojsd00jFlaaR45");
  auto ok = redirect_without_state(over_https);
  REQUIRE(ok);
  CHECK(*ok == kBufferCode);
  // ...and a flow that sent state refuses it.
  CHECK(redirect(over_https).code() == bo::errc::state_missing);
}

TEST_CASE("redirect: state absent, empty, altered, repeated") {
  CHECK(redirect(ru("code=1/abc")).code() == bo::errc::state_missing);
  CHECK(redirect(ru("code=1/abc&state=")).code() == bo::errc::state_missing);
  CHECK(redirect(ru("code=1/abc&state=S+"), "S").code() == bo::errc::state_mismatch);
  CHECK(redirect(ru("code=1/abc&state=S%20"), "S").code() == bo::errc::state_mismatch);
  CHECK(redirect(ru("code=1/abc&state=XYZ")).code() == bo::errc::state_mismatch);
  CHECK(redirect(ru("code=1/abc&state=xy")).code() == bo::errc::state_mismatch);
  CHECK(redirect(ru("code=1/abc&state=xyzz")).code() == bo::errc::state_mismatch);
  CHECK(redirect(ru("code=1/abc&state=xyz&state=xyz")).code() == bo::errc::duplicate_parameter);
  CHECK(redirect(ru("code=1/abc&state=xyz&%73tate=xyz")).code() == bo::errc::duplicate_parameter);
  // A state that is form-encoded on the way back is compared after decoding.
  auto decoded = redirect(ru("code=1/abc&state=a%2Bb+c"), "a+b c");
  REQUIRE(decoded);
  CHECK(*decoded == "1/abc");
}

TEST_CASE("redirect: no expected state configured fails closed") {
  bo::expected_redirect e;  // state empty, without_state false
  CHECK(
      bo::parse_redirect(ru("code=1/abc&state="), bo::provider::buffer_legacy(), buffer_client(), e).code() ==
      bo::errc::state_missing);
  CHECK(bo::parse_redirect(ru("code=1/abc"), bo::provider::buffer_legacy(), buffer_client(), e).code() ==
        bo::errc::state_missing);
}

TEST_CASE("redirect: without_state refuses any state that arrives") {
  CHECK(redirect_without_state(ru("code=1/abc&state=xyz")).code() == bo::errc::state_mismatch);
  CHECK(redirect_without_state(ru("code=1/abc&state=")).code() == bo::errc::state_mismatch);
}

TEST_CASE("redirect: provider error with wrong or missing state is a state failure, not the error") {
  auto wrong = redirect(ru("error=access_denied&error_description=injected+text&state=evil"));
  CHECK(wrong.code() == bo::errc::state_mismatch);
  CHECK(wrong.error().from_provider.error.empty());
  CHECK(wrong.error().message.find("injected") == std::string::npos);
  CHECK(redirect(ru("error=access_denied")).code() == bo::errc::state_missing);
}

TEST_CASE("redirect: provider error fields outside RFC 6749 charsets") {
  CHECK(redirect(ru("error=access%22denied&state=xyz")).code() == bo::errc::malformed_error);
  CHECK(redirect(ru("error=access%5Cdenied&state=xyz")).code() == bo::errc::malformed_error);
  CHECK(redirect(ru("error=acc%C3%A9s&state=xyz")).code() == bo::errc::malformed_error);
  CHECK(redirect(ru("error=access_denied&error_description=say+%22hi%22&state=xyz")).code() ==
        bo::errc::malformed_error);
  CHECK(redirect(ru("error=access_denied&error_description=back%5Cslash&state=xyz")).code() ==
        bo::errc::malformed_error);
  CHECK(redirect(ru("error=access_denied&error_description=caf%C3%A9&state=xyz")).code() ==
        bo::errc::malformed_error);
  CHECK(redirect(ru("error=access_denied&error_uri=https%3A%2F%2Fx%2Fa+b&state=xyz")).code() ==
        bo::errc::malformed_error);
  // Control characters are refused in every parameter before any is looked
  // at (invalid_character), error fields included.
  CHECK(redirect(ru("error=access_denied&error_description=a%0D%0AX:+y&state=xyz")).code() ==
        bo::errc::invalid_character);
  CHECK(redirect(ru("error=access%00denied&state=xyz")).code() == bo::errc::invalid_character);
}

TEST_CASE("redirect: error_uri is data, kept and never followed") {
  auto r = redirect(ru("error=server_error&error_uri=javascript:alert(1)&state=xyz"));
  CHECK(r.code() == bo::errc::authorization_error);
  CHECK(r.error().from_provider.error_uri == "javascript:alert(1)");
}

TEST_CASE("redirect: code and error together are ambiguous") {
  CHECK(redirect(ru("code=1/abc&error=access_denied&state=xyz")).code() == bo::errc::ambiguous_response);
}

TEST_CASE("redirect: neither code nor error, code only in the fragment, implicit-grant token") {
  CHECK(redirect(ru("state=xyz")).code() == bo::errc::missing_code);
  CHECK(redirect(std::string(kRu) + "?state=xyz#code=1/abc").code() == bo::errc::missing_code);
  CHECK(redirect(ru("access_token=1/abc&token_type=bearer&state=xyz")).code() == bo::errc::missing_code);
}

TEST_CASE("redirect: the fragment is ignored") {
  auto code = redirect(ru("code=1/abc&state=xyz#_=_"));
  REQUIRE(code);
  CHECK(*code == "1/abc");
}

TEST_CASE("redirect: anything but the registered redirect URI is redirect_uri_mismatch") {
  for (const char* url : {
           "http://example.com/back?code=1/abc&state=xyz",
           "https://example.com.evil.com/back?code=1/abc&state=xyz",
           "https://evil.com/back?code=1/abc&state=xyz",
           "https://example.com:8443/back?code=1/abc&state=xyz",
           "https://example.com/back/?code=1/abc&state=xyz",
           "https://example.com/Back?code=1/abc&state=xyz",
           "https://example.com/back/../back?code=1/abc&state=xyz",
           "https://example.com/%62ack?code=1/abc&state=xyz",
           "https://example.com/?code=1/abc&state=xyz",
           "https://example.com?code=1/abc&state=xyz",
       }) {
    CAPTURE(url);
    CHECK(redirect(url).code() == bo::errc::redirect_uri_mismatch);
  }
}

TEST_CASE("redirect: userinfo and backslash are not URLs at all") {
  CHECK(redirect("https://example.com@evil.com/back?code=1/abc&state=xyz").code() == bo::errc::invalid_url);
  CHECK(redirect("https://evil.com\\@example.com/back?code=1/abc&state=xyz").code() == bo::errc::invalid_url);
  CHECK(redirect("https://user:pw@example.com/back?code=1/abc&state=xyz").code() == bo::errc::invalid_url);
}

TEST_CASE("redirect: scheme and host are case-insensitive, the default port is normalised") {
  for (const char* url : {"HTTPS://EXAMPLE.COM/back?code=1/abc&state=xyz",
                          "https://example.com:443/back?code=1/abc&state=xyz"}) {
    CAPTURE(url);
    auto code = redirect(url);
    REQUIRE(code);
    CHECK(*code == "1/abc");
  }
}

TEST_CASE("redirect: TAB, LF, CR, space and leading spaces are refused, never stripped (invalid_url)") {
  for (const std::string& url :
       {ru("code=1/abc\t&state=xyz"), ru("code=1/abc&state=xyz\n"),
        std::string("https://example.com/ba\nck?code=1/abc&state=xyz"), ru("code=1/a\rbc&state=xyz"),
        " " + ru("code=1/abc&state=xyz"), "\t" + ru("code=1/abc&state=xyz"), ru("code=1/a bc&state=xyz"),
        ru("code=1/ab\xc3\xa9&state=xyz")}) {
    CAPTURE(url);
    CHECK(redirect(url).code() == bo::errc::invalid_url);
  }
}

TEST_CASE("redirect: a registered query must come back unchanged") {
  const bo::client c = buffer_client("https://example.com/back?tenant=7");
  auto ok = redirect("https://example.com/back?tenant=7&code=1/abc&state=xyz", "xyz", c);
  REQUIRE(ok);
  CHECK(*ok == "1/abc");
  CHECK(redirect("https://example.com/back?code=1/abc&state=xyz", "xyz", c).code() ==
        bo::errc::redirect_uri_mismatch);
  CHECK(redirect("https://example.com/back?tenant=8&code=1/abc&state=xyz", "xyz", c).code() ==
        bo::errc::redirect_uri_mismatch);
  CHECK(redirect("https://example.com/back?tenant=7&tenant=7&code=1/abc&state=xyz", "xyz", c).code() ==
        bo::errc::redirect_uri_mismatch);
}

TEST_CASE("redirect: RFC 9207 iss with an issuer configured") {
  const std::string issuer = "https://bufferapp.com";
  CHECK(redirect_with_issuer(ru("code=1/abc&state=xyz"), issuer).code() == bo::errc::iss_missing);
  CHECK(redirect_with_issuer(ru("code=1/abc&state=xyz&iss="), issuer).code() == bo::errc::iss_missing);
  CHECK(redirect_with_issuer(ru("code=1/abc&state=xyz&iss=https%3A%2F%2Fbufferapp.com%2F"), issuer).code() ==
        bo::errc::iss_mismatch);
  CHECK(redirect_with_issuer(ru("code=1/abc&state=xyz&iss=https%3A%2F%2FBUFFERAPP.com"), issuer).code() ==
        bo::errc::iss_mismatch);
  CHECK(
      redirect_with_issuer(
          ru("code=1/abc&state=xyz&iss=https%3A%2F%2Fbufferapp.com&iss=https%3A%2F%2Fbufferapp.com"), issuer)
          .code() == bo::errc::duplicate_parameter);
  auto ok = redirect_with_issuer(ru("code=1/abc&state=xyz&iss=https%3A%2F%2Fbufferapp.com"), issuer);
  REQUIRE(ok);
  CHECK(*ok == "1/abc");
  auto raw = redirect_with_issuer(ru("code=1/abc&state=xyz&iss=https://bufferapp.com"), issuer);
  REQUIRE(raw);
  CHECK(*raw == "1/abc");
  // The issuer check applies to error responses too (mix-up defence).
  CHECK(redirect_with_issuer(ru("error=access_denied&state=xyz"), issuer).code() == bo::errc::iss_missing);
}

TEST_CASE("redirect: iss is compared decoded, '+' as a space") {
  CHECK(redirect_with_issuer(ru("code=1/abc&state=xyz&iss=https%3A%2F%2Fbufferapp.com%2Fa+b"),
                             "https://bufferapp.com/a b"));
  CHECK(redirect_with_issuer(ru("code=1/abc&state=xyz&iss=https%3A%2F%2Fbufferapp.com%2Fa+b"),
                             "https://bufferapp.com/a+b")
            .code() == bo::errc::iss_mismatch);
}

TEST_CASE("redirect: the registered URI is checked before the URL, also when the URL starts with it") {
  // The received URL is the registered one plus a query: the registered one's own faults still count.
  CHECK(redirect("http://example.com/back?code=1/abc&state=xyz", "xyz",
                 buffer_client("http://example.com/back"))
            .code() == bo::errc::insecure_url);
  CHECK(redirect("https://example.com:0/back?code=1/abc&state=xyz", "xyz",
                 buffer_client("https://example.com:0/back"))
            .code() == bo::errc::invalid_redirect_uri);
  CHECK(redirect("https://example.com/back#?code=1/abc&state=xyz", "xyz",
                 buffer_client("https://example.com/back#"))
            .code() == bo::errc::invalid_redirect_uri);
  bo::limits tight;
  tight.max_url = 10;
  CHECK(redirect(ru("code=1/abc&state=xyz"), "xyz", buffer_client(), tight).code() == bo::errc::too_large);
  // A loopback http URI registered and received byte for byte is accepted.
  auto loopback = redirect("http://127.0.0.1:8080/cb?code=1/abc&state=xyz", "xyz",
                           buffer_client("http://127.0.0.1:8080/cb"));
  REQUIRE(loopback);
  CHECK(*loopback == "1/abc");
}

TEST_CASE("redirect: iss present but no issuer configured fails closed") {
  CHECK(redirect(ru("code=1/abc&state=xyz&iss=https%3A%2F%2Fbufferapp.com")).code() ==
        bo::errc::iss_unexpected);
  CHECK(redirect(ru("code=1/abc&state=xyz&iss=")).code() == bo::errc::iss_unexpected);
}

TEST_CASE("redirect: code length at limits::max_value accepted, one more too_large") {
  const std::size_t cap = bo::limits{}.max_value;
  const std::string at_cap = "1/" + std::string(cap - 2, 'a');
  auto ok = redirect(ru("code=" + at_cap + "&state=xyz"));
  REQUIRE(ok);
  CHECK(*ok == at_cap);
  const std::string over = at_cap + "a";
  CHECK(redirect(ru("code=" + over + "&state=xyz")).code() == bo::errc::too_large);
  // Measured after decoding: cap escapes of "/" are cap bytes, one more is too many.
  bo::limits long_urls;
  long_urls.max_url = 4 * cap + 100;
  std::string escaped;
  for (std::size_t i = 0; i < cap; ++i) escaped += "%2F";
  auto slashes = redirect(ru("code=" + escaped + "&state=xyz"), "xyz", buffer_client(), long_urls);
  REQUIRE(slashes);
  CHECK(slashes->size() == cap);
  CHECK(redirect(ru("code=" + escaped + "%2F&state=xyz"), "xyz", buffer_client(), long_urls).code() ==
        bo::errc::too_large);
}

TEST_CASE("redirect: a one-character code is accepted, control characters are not") {
  auto one = redirect(ru("code=a&state=xyz"));
  REQUIRE(one);
  CHECK(*one == "a");
  CHECK(redirect(ru("code=1%2F%01&state=xyz")).code() == bo::errc::invalid_character);
  CHECK(redirect(ru("code=1%2F%7F&state=xyz")).code() == bo::errc::invalid_character);
  CHECK(redirect(ru("code=1%2F%C3%A9&state=xyz")).code() ==
        bo::errc::invalid_character);  // UTF-8 but not VSCHAR
  CHECK(redirect(ru("code=%zz&state=xyz")).code() == bo::errc::bad_percent_encoding);
  CHECK(redirect(ru("code=1%2&state=xyz")).code() == bo::errc::bad_percent_encoding);
  CHECK(redirect(ru("code=%C0%AF&state=xyz")).code() == bo::errc::invalid_utf8);
}

TEST_CASE("redirect: parameter count at limits::max_parameters accepted, one more too_large") {
  const std::size_t cap = bo::limits{}.max_parameters;
  std::string query = "code=1/abc&state=xyz";
  for (std::size_t i = 2; i < cap; ++i) query += "&p=1";
  auto ok = redirect(ru(query));
  REQUIRE(ok);
  CHECK(*ok == "1/abc");
  CHECK(redirect(ru(query + "&p=1")).code() == bo::errc::too_large);
}

TEST_CASE("redirect: URL longer than limits::max_url is too_large") {
  const std::size_t cap = bo::limits{}.max_url;
  std::string url = ru("code=1/abc&state=xyz&pad=");
  url += std::string(cap - url.size(), 'p');
  CHECK(redirect(url));
  CHECK(redirect(url + "p").code() == bo::errc::too_large);
}

TEST_CASE("redirect: a 1 MiB hostile URL is refused as too_large") {
  std::string pairs;
  while (pairs.size() < (1u << 20)) pairs += "a=1&";
  CHECK(redirect(ru(pairs)).code() == bo::errc::too_large);
  std::string escapes;
  while (escapes.size() < (1u << 20)) escapes += "%41";
  CHECK(redirect(ru("code=" + escapes + "&state=xyz")).code() == bo::errc::too_large);
  // With the URL cap lifted, the parameter-count cap still holds.
  bo::limits wide;
  wide.max_url = 2u << 20;
  CHECK(redirect(ru(pairs), "xyz", buffer_client(), wide).code() == bo::errc::too_large);
  CHECK(redirect(ru("code=" + escapes + "&state=xyz"), "xyz", buffer_client(), wide).code() ==
        bo::errc::too_large);
}

TEST_CASE("redirect: ';' is data, not a separator") {
  auto code = redirect(ru("code=1/abc;state=evil&state=xyz"));
  REQUIRE(code);
  CHECK(*code == "1/abc;state=evil");
}

TEST_CASE("redirect: names are compared after decoding") {
  CHECK(redirect(ru("code=a&%63ode=b&state=xyz")).code() == bo::errc::duplicate_parameter);
  auto encoded_name = redirect(ru("%63ode=1/abc&state=xyz"));
  REQUIRE(encoded_name);
  CHECK(*encoded_name == "1/abc");
}

TEST_CASE("redirect: empty pieces are skipped") {
  auto code = redirect(ru("&&code=1/abc&&state=xyz&"));
  REQUIRE(code);
  CHECK(*code == "1/abc");
}

// ---- the fast paths of parse_redirect, against the slow ones they skip

namespace {

// Every byte that may matter to a form component: plain, the two escapes,
// hex digits, a control, DEL, space, and bytes >= 0x80 (lead and trail).
constexpr std::string_view kComponentBytes("a%+2F\x01\x7f \xc3\xa9\x80\xff=;", 14);

// The slow path: check_form_component and has_escapes over the whole component.
void check_scan_matches_slow_path(const std::string& raw) {
  const auto scan = bo::detail::scan_form_component(raw);
  CAPTURE(raw);
  CHECK(scan.status == bo::detail::check_form_component(raw));
  CHECK(scan.escaped == bo::detail::has_escapes(raw));
  CHECK(scan.verbatim == bo::detail::all_of(raw, bo::detail::verbatim_form_chars));
}

// Decoding by hand: '+' is a space, %XX its byte, a bad escape ends it.
std::string decode_by_hand(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '+') {
      out += ' ';
    } else if (raw[i] != '%') {
      out += raw[i];
    } else if (i + 2 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      break;
    }
  }
  return out;
}

// The code, or the error's message.
std::string code_or_error(const bo::result<std::string>& r) { return r ? *r : "error: " + r.error().message; }

}  // namespace

TEST_CASE("redirect: scan_form_component agrees with the slow path, each special byte at each offset") {
  // Lengths around a word (7, 8, 9, 16, 17) and the special byte at every offset, end included.
  for (std::size_t length : {1u, 2u, 3u, 7u, 8u, 9u, 16u, 17u})
    for (std::size_t at = 0; at < length; ++at)
      for (char special : kComponentBytes) {
        std::string raw(length, 'x');
        raw[at] = special;
        check_scan_matches_slow_path(raw);
      }
  for (const char* raw :
       {"",   "abc",    "%41",      "a%41",  "%41a", "%4",   "a%",     "%",        "%zz", "+",     "a+",
        "+a", "%C3%A9", "\xc3\xa9", "a\xc3", "\xc3", "\xa9", "%C2%80", "\xc2\x80", "a;b", "~!*'()"})
    check_scan_matches_slow_path(raw);
}

TEST_CASE("redirect: decode_form_component decodes escapes and '+' anywhere, and stops at a bad escape") {
  for (std::string_view raw : {"", "a", "abc", "%41", "a%41", "%41a", "+", "a+b", "+a+", "%2F%2f", "%C3%A9",
                               "1/mWot20jTwojsd00jFlaaR45", "ab%4", "ab%", "a%zzb", "%41%4", "x+%20+y"})
    CHECK(bo::detail::decode_form_component(raw) == decode_by_hand(raw));
  // Escapes at each offset of components around a word's length.
  for (std::size_t length : {7u, 8u, 9u, 16u, 17u})
    for (std::size_t at = 0; at + 3 <= length; ++at) {
      std::string raw(length, 'q');
      raw.replace(at, 3, "%2F");
      CHECK(bo::detail::decode_form_component(raw) == decode_by_hand(raw));
      raw[at] = '+';
      CHECK(bo::detail::decode_form_component(raw) == decode_by_hand(raw));
    }
}

TEST_CASE("redirect: a code or state with escapes at its ends, '+' or non-ASCII takes the decoding path") {
  CHECK(code_or_error(redirect(ru("code=%2Fabc&state=xyz"))) == "/abc");
  CHECK(code_or_error(redirect(ru("code=abc%2F&state=xyz"))) == "abc/");
  CHECK(code_or_error(redirect(ru("code=a+b&state=xyz"))) == "a b");
  CHECK(code_or_error(redirect(ru("code=+&state=xyz"))) == " ");
  CHECK(code_or_error(redirect(ru("code=1/abc&state=x+y"), "x y")) == "1/abc");
  CHECK(code_or_error(redirect(ru("code=1/abc&state=xy%7A"))) == "1/abc");
  CHECK(code_or_error(redirect(ru("code=1/abc&state=%78yz"))) == "1/abc");
  CHECK(redirect(ru("code=1/abc&state=x+y"), "x+y").code() == bo::errc::state_mismatch);
  // Raw non-ASCII: valid UTF-8 reaches the code's VSCHAR rule, which refuses it.
  CHECK(redirect(ru("code=abc\xc3\xa9&state=xyz")).code() == bo::errc::invalid_url);
  CHECK(redirect(ru("code=1%2F%C3%A9&state=xyz")).code() == bo::errc::invalid_character);
  CHECK(redirect(ru("code=%C3%A91&state=xyz")).code() == bo::errc::invalid_character);
  CHECK(code_or_error(redirect(ru("code=1%2F%7E&state=xyz"))) == "1/~");
  // Every parameter is checked, also one the redirect ignores.
  CHECK(redirect(ru("code=1/abc&state=xyz&other=%zz")).code() == bo::errc::bad_percent_encoding);
  CHECK(redirect(ru("code=1/abc&state=xyz&%zz=1")).code() == bo::errc::bad_percent_encoding);
  CHECK(redirect(ru("code=1/abc&state=xyz&other=%C0%AF")).code() == bo::errc::invalid_utf8);
  CHECK(redirect(ru("code=1/abc&state=xyz&other=%01")).code() == bo::errc::invalid_character);
  // Empty pairs and ';' on the fast path too.
  CHECK(code_or_error(redirect(ru("code=1/abc;x&&state=xyz&&"))) == "1/abc;x");
  CHECK(code_or_error(redirect(ru("=&code=1/abc&=x&state=xyz"))) == "1/abc");
  CHECK(redirect(ru("code=1/abc&state=xyz&state=xyz")).code() == bo::errc::duplicate_parameter);
  CHECK(redirect(ru("code=1/abc&state=xyz&st%61te=xyz")).code() == bo::errc::duplicate_parameter);
}

TEST_CASE("redirect: the URL that starts with the registered URI still has the registered URI's rules") {
  // Equal byte for byte, so no split of its own: plain http still refused.
  const bo::client http = buffer_client("http://example.com/back");
  CHECK(redirect("http://example.com/back?code=1/abc&state=xyz", "xyz", http).code() ==
        bo::errc::insecure_url);
  const bo::client loopback = buffer_client("http://127.0.0.1:8080/cb");
  CHECK(code_or_error(redirect("http://127.0.0.1:8080/cb?code=1/abc&state=xyz", "xyz", loopback)) == "1/abc");
  // The same URI written otherwise is compared part by part.
  CHECK(code_or_error(redirect("HTTPS://Example.com:443/back?code=1/abc&state=xyz")) == "1/abc");
  CHECK(redirect("https://example.com/back/?code=1/abc&state=xyz").code() == bo::errc::redirect_uri_mismatch);
  CHECK(redirect("https://example.com/bac?code=1/abc&state=xyz").code() == bo::errc::redirect_uri_mismatch);
  // A registered URI with a query never equals a URL's base, so its query is checked.
  const bo::client with_query = buffer_client("https://example.com/back?app=1");
  CHECK(code_or_error(redirect("https://example.com/back?app=1&code=1/abc&state=xyz", "xyz", with_query)) ==
        "1/abc");
  CHECK(redirect("https://example.com/back?code=1/abc&state=xyz", "xyz", with_query).code() ==
        bo::errc::redirect_uri_mismatch);
}

TEST_CASE("redirect: split_url's authority ends at the first '/', '?' or '#', or at the end") {
  struct expected_split {
    const char* url;
    const char* host;
    const char* path;
    const char* query;
    const char* fragment;
  };
  for (const expected_split& e : {
           expected_split{"https://example.com", "example.com", "", "", ""},
           expected_split{"https://example.com/", "example.com", "/", "", ""},
           expected_split{"https://example.com?a=/", "example.com", "", "a=/", ""},
           expected_split{"https://example.com#f/?", "example.com", "", "", "f/?"},
           expected_split{"https://e:8443/p?q#f", "e", "/p", "q", "f"},
           expected_split{"https://example.com/p/q?x?y#z?", "example.com", "/p/q", "x?y", "z?"},
       }) {
    CAPTURE(e.url);
    auto parts = bo::detail::split_url(e.url, bo::errc::invalid_url, 8192);
    REQUIRE(parts);
    CHECK(parts->host == e.host);
    CHECK(parts->path == e.path);
    CHECK(parts->query == e.query);
    CHECK(parts->fragment == e.fragment);
  }
  CHECK(bo::detail::split_url("https://a@example.com/", bo::errc::invalid_url, 8192).code() ==
        bo::errc::invalid_url);
  CHECK(bo::detail::split_url("https://example.com/#a#b", bo::errc::invalid_url, 8192).code() ==
        bo::errc::invalid_url);
  CHECK(bo::detail::split_url("https:///p", bo::errc::invalid_url, 8192).code() == bo::errc::invalid_url);
}
