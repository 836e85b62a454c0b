// Formatters in buffer_oauth_fmt.hpp: every type that holds a secret is
// formatted, and no secret (raw or percent-encoded) may appear in the text,
// while the parts needed for debugging (method, URL path, errc name) do.

#include <doctest/doctest.h>
#include <buffer_oauth_fmt.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

namespace bo = buffer_oauth;

namespace {

constexpr std::string_view client_secret = "CsEcReT-9f8e7d6c5b4a";
constexpr std::string_view seed_code = "1/mWot20jTwojsd00jFlaaR45";
constexpr std::string_view access_value = "1/AcCeSs0123456789abcdef";
constexpr std::string_view refresh_value = "ReFrEsH-0123456789abcdef";
constexpr std::string_view redirect_uri = "https://client.example/back";

bo::client buffer_client() {
  return bo::client{"client-id-42", std::string(client_secret), std::string(redirect_uri)};
}

bo::provider pkce_provider() {
  return bo::provider::generic("example", "https://auth.example/authorize", "https://auth.example/token",
                               "https://api.example/");
}

/// Fails if any secret, or any 8-byte slice of one, appears in `text`.
void check_hidden(const std::string& text, std::initializer_list<std::string_view> secrets) {
  INFO("formatted: " << text);
  for (std::string_view secret : secrets) {
    CAPTURE(secret);
    CHECK(text.find(secret) == std::string::npos);
    for (std::size_t i = 0; i + 8 <= secret.size(); i += 4)
      CHECK(text.find(secret.substr(i, 8)) == std::string::npos);
  }
}

bool has(const std::string& text, std::string_view part) {
  INFO("formatted: " << text << "\nexpected: " << part);
  return text.find(part) != std::string::npos;
}

std::string redacted(std::size_t n) { return "[redacted, " + std::to_string(n) + " bytes]"; }

std::string paragraphs(int n) {
  std::string out;
  for (int k = 0; k < n; ++k) out += "<p>no</p>";
  return out;
}

std::string token_body() {
  return std::string(R"({"access_token":")") + std::string(access_value) + R"(","refresh_token":")" +
         std::string(refresh_value) + R"(","expires_in":3600,"token_type":"bearer"})";
}

bo::http_response token_response() {
  return bo::http_response{
      200, {{"Content-Type", "application/json"}, {"Set-Cookie", "sid=CoOkIeVaLuE123"}}, token_body()};
}

}  // namespace

TEST_CASE("fmt: errc prints its stable name, unknown values their number") {
  CHECK(fmt::format("{}", bo::errc::state_mismatch) == "state_mismatch");
  CHECK(fmt::format("{}", bo::errc::ok) == "ok");
  CHECK(fmt::format("{}", static_cast<bo::errc>(999)) == "errc(999)");
  CHECK(fmt::format("[{:>16}]", bo::errc::too_large) == "[       too_large]");
  CHECK(fmt::format("{}", bo::flow_state::awaiting_redirect) == "awaiting_redirect");
  CHECK(fmt::format("{}", bo::flow_event::token_request) == "token_request");
  CHECK(fmt::format("{}", bo::leniency::token_type_defaulted) == "token_type_defaulted");
}

TEST_CASE("fmt: Buffer token request hides client_secret and code, shows method and URL") {
  auto req = bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), seed_code);
  CHECK(req.has_value());
  CHECK(has(req->body, "code=1/mWot20jTwojsd00jFlaaR45"));  // the secret really is in the value
  const std::string out = fmt::format("{}", *req);
  check_hidden(out, {client_secret, seed_code});
  CHECK(has(out, "POST https://api.bufferapp.com/1/oauth2/token.json"));
  CHECK(has(out, "Content-Type: application/x-www-form-urlencoded"));
  CHECK(has(out, "client_id=client-id-42"));
  CHECK(has(out, "grant_type=authorization_code"));
  CHECK(has(out, "client_secret=" + redacted(client_secret.size())));
  CHECK(has(out, "code=1/" + redacted(seed_code.size() - 2)));  // Buffer's version prefix is public
}

TEST_CASE("fmt: PKCE token request hides code_verifier and Basic credentials") {
  const std::string verifier(43, 'V');
  auto req = bo::build_token_request(pkce_provider(), buffer_client(), "AuThCoDe-xyz0987", verifier);
  CHECK(req.has_value());
  const std::string* basic = bo::find_header(req->headers, "Authorization");
  CHECK(basic != nullptr);
  const std::string out = fmt::format("{}", *req);
  check_hidden(out, {client_secret, "AuThCoDe-xyz0987", verifier});
  if (basic != nullptr) {
    check_hidden(out, {std::string_view(*basic).substr(6)});
    CHECK(has(out, "Authorization: Basic " + redacted(basic->size() - 6)));
  }
  CHECK(has(out, "code_verifier=" + redacted(verifier.size())));
  CHECK(has(out, "POST https://auth.example/token"));
}

TEST_CASE("fmt: refresh request hides the refresh token") {
  auto req = bo::build_refresh_request(pkce_provider(), buffer_client(), refresh_value);
  CHECK(req.has_value());
  const std::string out = fmt::format("{}", *req);
  check_hidden(out, {client_secret, refresh_value});
  CHECK(has(out, "grant_type=refresh_token"));
}

TEST_CASE("fmt: state in the authorize URL and code/state in the redirect are hidden") {
  const std::string state = "StAtE-aBcDeFgHiJkLmNoP";
  bo::authorize_params a;
  a.state = state;
  auto url = bo::build_authorize_url(bo::provider::buffer_legacy(), buffer_client(), a);
  CHECK(url.has_value());
  const std::string out = fmt::format("{}", bo::http_request{"GET", *url, {}, {}});
  check_hidden(out, {state});
  CHECK(has(out, "GET https://bufferapp.com/oauth2/authorize?client_id=client-id-42"));
  CHECK(has(out, "response_type=code"));

  const std::string back =
      std::string(redirect_uri) + "?code=1%2FmWot20jTwojsd00jFlaaR45&state=" + state + "#_=_";
  const bo::http_response redirect{302, {{"Location", back}}, {}};
  const std::string shown = fmt::format("{}", redirect);
  check_hidden(shown, {state, "mWot20jTwojsd00jFlaaR45"});
  CHECK(has(shown, "HTTP 302; Location: https://client.example/back?code="));
}

TEST_CASE("fmt: attached tokens are hidden in header, query and form body") {
  const auto p = bo::provider::buffer_legacy();
  bo::http_request get{"GET", "https://api.bufferapp.com/1/profiles.json?x=1#frag", {}, {}};

  auto header = bo::attach_token(p, get, access_value);
  CHECK(header.has_value());
  const std::string h = fmt::format("{}", *header);
  check_hidden(h, {access_value});
  CHECK(has(h, "Authorization: Bearer 1/" + redacted(access_value.size() - 2)));
  CHECK(has(h, "GET https://api.bufferapp.com/1/profiles.json?x=1#frag"));

  bo::attach_options q;
  q.placement = bo::token_placement::query;
  q.allow_query = true;
  auto query = bo::attach_token(p, get, access_value, q);
  CHECK(query.has_value());
  const std::string qs = fmt::format("{}", *query);
  check_hidden(qs, {access_value});
  CHECK(has(qs, "/1/profiles.json?x=1&access_token=1/" + redacted(access_value.size() - 2) + "#frag"));

  bo::attach_options f;
  f.placement = bo::token_placement::form_body;
  bo::http_request post{"POST",
                        "https://api.bufferapp.com/1/updates/create.json",
                        {{"Content-Type", "application/x-www-form-urlencoded"}},
                        "text=hello+world"};
  auto form = bo::attach_token(p, post, access_value, f);
  CHECK(form.has_value());
  const std::string fs = fmt::format("{}", *form);
  check_hidden(fs, {access_value});
  CHECK(has(fs, "body: text=hello+world&access_token=1/" + redacted(access_value.size() - 2)));

  // A single header formats the same way.
  CHECK(fmt::format("{}", bo::http_header{"Authorization", "Bearer abc"}) ==
        "Authorization: Bearer [redacted, 3 bytes]");
}

TEST_CASE("fmt: response bodies, cookies and parsed tokens are hidden") {
  const auto response = token_response();
  const std::string r = fmt::format("{}", response);
  check_hidden(r, {access_value, refresh_value, "CoOkIeVaLuE123"});
  CHECK(has(r, "HTTP 200; Content-Type: application/json; Set-Cookie: [redacted"));
  CHECK(has(r, "body " + redacted(response.body.size())));

  auto t = bo::parse_token_response(bo::provider::buffer_legacy(), response);
  CHECK(t.has_value());
  const std::string ts = fmt::format("{}", *t);
  check_hidden(ts, {access_value, refresh_value});
  CHECK(has(ts, "access_token: 1/" + redacted(access_value.size() - 2)));
  CHECK(has(ts, "refresh_token: " + redacted(refresh_value.size())));
  CHECK(has(ts, "expires_in: 3600"));
  CHECK(has(ts, "token_type: \"bearer\""));
}

TEST_CASE("fmt: an error keeps its name and message but not the body it came from") {
  bo::http_response bad = token_response();
  bad.body = std::string(R"({"access_token":")") + std::string(access_value) + R"(","token_type":"mac"})";
  auto t = bo::parse_token_response(bo::provider::buffer_legacy(), bad);
  CHECK_FALSE(t.has_value());
  CHECK(t.error().body.find(access_value) == std::string::npos);  // the error keeps a redacted body
  const std::string e = fmt::format("{}", t.error());
  check_hidden(e, {access_value});
  CHECK(has(e, "unsupported_token_type: "));
  CHECK(has(e, "HTTP 200"));
  CHECK(has(e, "body " + redacted(t.error().body.size())));

  bo::http_response oauth_err{400, {}, R"({"error":"invalid_grant","error_description":"code expired"})"};
  auto g = bo::parse_token_response(bo::provider::buffer_legacy(), oauth_err);
  CHECK_FALSE(g.has_value());
  const std::string ge = fmt::format("{}", g.error());
  CHECK(has(ge, "token_error"));
  CHECK(has(ge, "provider error \"invalid_grant\""));
  CHECK(has(ge, "description \"code expired\""));

  bo::error injected;
  injected.code = bo::errc::malformed_error;
  injected.message = "line\r\nX-Injected: 1";
  CHECK(fmt::format("{}", injected) == "malformed_error: line\\x0d\\x0aX-Injected: 1");
}

TEST_CASE("fmt: an error shows an HTML error page, token-shaped runs redacted, on one line and cut") {
  const std::string page =
      "<html>\r\n  <head><title>502 Bad Gateway</title></head>\n  <body>upstream said: " +
      std::string(access_value) + " then " + std::string(client_secret) + "</body>\n</html>";
  auto t = bo::parse_token_response(pkce_provider(),
                                    bo::http_response{502, {{"Content-Type", "text/html"}}, page});
  REQUIRE(t.code() == bo::errc::not_json);
  const std::string e = fmt::format("{}", t.error());
  check_hidden(e, {access_value, client_secret});
  CHECK(has(e, "HTTP 502"));
  CHECK(has(e, R"(body "<html> <head><title>502 Bad Gateway</title></head> <body>upstream said: )" +
                   redacted(access_value.size()) + " then " + redacted(client_secret.size()) +
                   "</body> </html>\""));
  CHECK_FALSE(has(e, "\\x0a"));

  // A long page is cut after 512 bytes of what is shown, and says how much is left out.
  const std::string long_page = "<html><body>" + paragraphs(120) + std::string(seed_code) + "</body></html>";
  auto l = bo::parse_token_response(pkce_provider(), bo::http_response{500, {}, long_page});
  REQUIRE(l.code() == bo::errc::not_json);
  const std::string le = fmt::format("{}", l.error());
  check_hidden(le, {seed_code});
  CHECK(has(le, R"(body "<html><body><p>no</p><p>no</p>)"));
  CHECK(has(le, "[... " + std::to_string(l.error().body.size() - 512) + " more bytes]\""));
  CHECK(le.size() < 700);

  // A JSON body is still only counted: a short secret in it is no token-shaped run.
  auto j = bo::parse_token_response(pkce_provider(), bo::http_response{500, {}, R"({"access_token":"abc"})"});
  REQUIRE_FALSE(j);
  const std::string je = fmt::format("{}", j.error());
  CHECK(has(je, "body " + redacted(j.error().body.size())));
  CHECK_FALSE(has(je, "abc"));
}

TEST_CASE("fmt: a GraphQL refusal shows its code, wait and window; a token-shaped code is redacted") {
  bo::http_response limited{429,
                            {{"Retry-After", "900"}},
                            R"({"errors":[{"message":"slow down",)"
                            R"("extensions":{"code":"RATE_LIMIT_EXCEEDED","window":"15m"}}]})"};
  auto answer = bo::check_api_response(bo::provider::buffer(), limited);
  REQUIRE(answer.code() == bo::errc::rate_limited);
  const std::string text = fmt::format("{}", answer.error());
  CHECK(has(text, "api code \"RATE_LIMIT_EXCEEDED\""));
  CHECK(has(text, "retry after 900 s"));
  CHECK(has(text, "window \"15m\""));

  const std::string token_like(40, 'k');
  bo::http_response odd{
      200, {}, R"({"errors":[{"message":"no","extensions":{"code":")" + token_like + R"("}}]})"};
  auto refused = bo::check_api_response(bo::provider::buffer(), odd);
  REQUIRE(refused.code() == bo::errc::api_error);
  CHECK(refused.error().api_error_code == token_like);
  check_hidden(fmt::format("{}", refused.error()), {token_like});

  bo::error dated;
  dated.code = bo::errc::rate_limited;
  dated.retry_after_date = "Sun, 06 Nov 1994 08:49:37 GMT";
  CHECK(has(fmt::format("{}", dated), "retry after \"Sun, 06 Nov 1994 08:49:37 GMT\""));
}

TEST_CASE("fmt: a flow never shows its state, verifier, code or token") {
  const std::string state_bytes(16, 'S');
  const std::string verifier_bytes(32, 'V');
  bo::flow f(pkce_provider(), buffer_client());
  auto url = f.begin({state_bytes, verifier_bytes}, bo::timestamp{0});
  CHECK(url.has_value());
  const std::string state = bo::make_state(state_bytes).value();
  const std::string verifier = bo::make_code_verifier(verifier_bytes).value();
  check_hidden(fmt::format("{}", bo::http_request{"GET", *url, {}, {}}), {state});
  const std::string waiting = fmt::format("{}", f);
  CHECK(waiting == "flow{state: awaiting_redirect, pkce: on}");

  auto ok =
      f.redirect(std::string(redirect_uri) + "?code=FlOwCoDe-123456&state=" + state, bo::timestamp{1000});
  CHECK(ok.has_value());
  auto req = f.token_request(bo::timestamp{2000});
  CHECK(req.has_value());
  check_hidden(fmt::format("{}", *req), {"FlOwCoDe-123456", verifier, client_secret});
  auto tok = f.token_response(token_response());
  CHECK(tok.has_value());
  const std::string done = fmt::format("{}", f);
  check_hidden(done, {state, verifier, "FlOwCoDe-123456", access_value, refresh_value, client_secret});
  CHECK(has(done,
            "flow{state: authorized, pkce: on, token{access_token: 1/" + redacted(access_value.size() - 2)));

  bo::flow g(bo::provider::buffer_legacy(), buffer_client());
  CHECK(g.begin({state_bytes, {}}, bo::timestamp{0}).has_value());
  auto bad = g.redirect(std::string(redirect_uri) + "?code=FlOwCoDe-123456&state=WrOnGsTaTe-000000",
                        bo::timestamp{0});
  CHECK_FALSE(bad.has_value());
  const std::string failed = fmt::format("{}", g);
  check_hidden(failed, {state, "FlOwCoDe-123456", "WrOnGsTaTe-000000"});
  CHECK(has(failed, "flow{state: failed, pkce: off, failure: state_mismatch"));
}

TEST_CASE("fmt: client, userinfo, encoded names, ';' pairs and credential headers") {
  const std::string c = fmt::format("{}", buffer_client());
  check_hidden(c, {client_secret});
  CHECK(c == "client{id: \"client-id-42\", secret: " + redacted(client_secret.size()) +
                 ", redirect_uri: \"https://client.example/back\"}");

  bo::registered_client registered{buffer_client(), "ReGaCcEsS-0123456789abcdef",
                                   "https://auth.buffer.com/reg/client-id-42", 2893276800};
  const std::string r = fmt::format("{}", registered);
  check_hidden(r, {client_secret, "ReGaCcEsS-0123456789abcdef"});
  CHECK(r == "registered_client{app: " + c + ", registration_access_token: " + redacted(26) +
                 ", registration_client_uri: \"https://auth.buffer.com/reg/client-id-42\", "
                 "client_secret_expires_at: 2893276800}");
  const std::string public_client =
      fmt::format("{}", bo::registered_client{bo::client{"cli", "", "http://127.0.0.1/cb"}, "", "", {}});
  CHECK(public_client == "registered_client{app: client{id: \"cli\", secret: " + redacted(0) +
                             ", redirect_uri: \"http://127.0.0.1/cb\"}, registration_access_token: none, "
                             "registration_client_uri: \"\", client_secret_expires_at: none}");

  const bo::http_request tricky{
      "POST",
      "https://user:PaSsWoRd-xyz@api.example/"
      "x?%63ode=EnCoDeDnAmE-1&a=1;state=SeMiCoLoN-22#access_token=FrAgMeNt-333",
      {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
       {"X-Api-Key", "KeYhEaDeR-4444"},
       {"Cookie", "sid=CoOkIe-55555"},
       {"WWW-Authenticate", "Bearer error=\"invalid_token\""}},
      "Code=CaSeCoDe-666666&password=PaSsWoRd-7777777&%zz=BaDnAmE-88888888&scope=read"};
  const std::string out = fmt::format("{}", tricky);
  check_hidden(out, {"PaSsWoRd-xyz", "EnCoDeDnAmE-1", "SeMiCoLoN-22", "FrAgMeNt-333", "KeYhEaDeR-4444",
                     "CoOkIe-55555", "CaSeCoDe-666666", "PaSsWoRd-7777777", "BaDnAmE-88888888"});
  CHECK(has(out, "POST https://[redacted, 17 bytes]@api.example/x?"));
  CHECK(has(out, "&a=1;state=[redacted"));
  CHECK(has(out, "WWW-Authenticate: Bearer error=\"invalid_token\""));
  CHECK(has(out, "&scope=read"));

  // A body that is not form-encoded is never shown.
  const bo::http_request json{"POST",
                              "https://api.example/x",
                              {{"Content-Type", "application/json"}},
                              R"({"client_secret":"JsOnSeCrEt-999"})"};
  const std::string js = fmt::format("{}", json);
  check_hidden(js, {"JsOnSeCrEt-999"});
  CHECK(has(js, "body " + redacted(json.body.size())));
}

TEST_CASE("fmt: scheme-relative userinfo, ambiguous form types, RFC 7009/7523 names, JSON in a form") {
  const bo::http_request relative{"GET", "//user:ReLaTiVe-pw-1@api.example/x?a=1", {}, {}};
  const std::string r = fmt::format("{}", relative);
  check_hidden(r, {"ReLaTiVe-pw-1", "user:ReLaTiVe"});
  CHECK(has(r, "GET //[redacted, 18 bytes]@api.example/x?a=1"));

  // Two Content-Type headers that disagree: the body is not shown pair by pair.
  const bo::http_request ambiguous{
      "POST",
      "https://api.example/x",
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Content-Type", "application/json"}},
      R"({"refresh_token":"AmBiGuOuS-22"})"};
  const std::string a = fmt::format("{}", ambiguous);
  check_hidden(a, {"AmBiGuOuS-22"});
  CHECK(has(a, "body " + redacted(ambiguous.body.size())));

  const bo::http_request revoke{
      "POST",
      "https://auth.example/revoke",
      {{"Content-Type", "application/x-www-form-urlencoded"}},
      "token=ReVoKeD-333&token_type_hint=refresh_token&client_assertion=eyJ.AsSeRtIoN-4444.sig"};
  const std::string v = fmt::format("{}", revoke);
  check_hidden(v, {"ReVoKeD-333", "AsSeRtIoN-4444"});
  CHECK(has(v, "token_type_hint=refresh_token"));

  // A form Content-Type on a body that is not a form: a piece without '='
  // is shown only when it is a plain word.
  const bo::http_request mislabelled{"POST",
                                     "https://api.example/x?flag",
                                     {{"Content-Type", "application/x-www-form-urlencoded"}},
                                     R"({"access_token":"MiSlAbElLeD-55555"})"};
  const std::string m = fmt::format("{}", mislabelled);
  check_hidden(m, {"MiSlAbElLeD-55555"});
  CHECK(has(m, "https://api.example/x?flag"));
}

TEST_CASE("fmt: every name in the core's secret_parameters table is hidden") {
  for (const auto& secret : bo::detail::secret_parameters) {
    CAPTURE(secret.name);
    const bo::http_request r{"POST",
                             "https://api.example/x?" + std::string(secret.name) + "=InQuErY-1234567",
                             {{"Content-Type", "application/x-www-form-urlencoded"}},
                             std::string(secret.name) + "=InBoDy-7654321"};
    check_hidden(fmt::format("{}", r), {"InQuErY-1234567", "InBoDy-7654321"});
  }
}

TEST_CASE("redacted_value: Buffer's version prefix shows where the table says so, nothing else of a secret") {
  CHECK(bo::redacted_value("code", "1/abcdefghijklmnopqrstuvwxyz") == "1/" + redacted(26));
  CHECK(bo::redacted_value("code", "1%2Fabcdefghijklmnopqrstuvwxyz") == "1%2F" + redacted(26));
  CHECK(bo::redacted_value("code", "1%2fabcdef") == "1%2f" + redacted(6));
  CHECK(bo::redacted_value("access_token", "12/abc") == "12/" + redacted(3));
  CHECK(bo::redacted_value("refresh_token", "1/yQe4Nw8LcV") == "1/" + redacted(10));
  CHECK(bo::redacted_value("token", "1/x") == "1/[redacted, 1 byte]");
  CHECK(bo::redacted_value("code", "abcd/efgh") == redacted(9));  // not digits before the '/'
  CHECK(bo::redacted_value("code", "1234/abc") == redacted(8));   // more than three digits: not a version
  CHECK(bo::redacted_value("code", "1%2") == redacted(3));
  CHECK(bo::redacted_value("code", "abc") == redacted(3));
  CHECK(bo::redacted_value("code", "1/") == redacted(2));  // the prefix alone would be the whole value
  CHECK(bo::redacted_value("code", "") == redacted(0));
  // Values the table does not mark version_prefixed show nothing but their length.
  CHECK(bo::redacted_value("code_verifier", "1/abcdefghijklmnop") == redacted(18));
  CHECK(bo::redacted_value("client_secret", "1/abcdefghijklmnop") == redacted(18));
  CHECK(bo::redacted_value("state", "2/abcdefghijklmnop") == redacted(18));
  CHECK(bo::redacted_value("not_a_secret_name", "1/abcdefghijklmnop") == redacted(18));
  // The name is matched as in a form: decoded, any case.
  CHECK(bo::redacted_value("c%6Fde", "1/abcdef") == "1/" + redacted(6));
  CHECK(bo::redacted_value("Refresh%5FToken", "1/abcdef") == "1/" + redacted(6));
}

TEST_CASE("redacted_form and redacted_url decode names before comparing them with the table") {
  CHECK(bo::redacted_form("c%6Fde=1%2FmWot20jTwojsd00jFlaaR45&client%5Fsecret=Qm7RkV2xT9bLw4Ns"
                          "&code_verifier=1/abcdefghijklmnop&refresh_token=1/yQe4Nw8LcV&grant_type=x") ==
        "c%6Fde=1%2F" + redacted(23) + "&client%5Fsecret=" + redacted(16) + "&code_verifier=" + redacted(18) +
            "&refresh_token=1/" + redacted(10) + "&grant_type=x");
  CHECK(bo::redacted_form("access%5Ftoken=1/AcCeSs0123&CODE=1/abc&c%6fde=1/abc&client_id=app") ==
        "access%5Ftoken=1/" + redacted(10) + "&CODE=1/" + redacted(3) + "&c%6fde=1/" + redacted(3) +
            "&client_id=app");
  CHECK(bo::redacted_url("http://127.0.0.1:1/cb?%63ode=1%2FQm7RkV2xT9bLw4Ns&st%61te=Zq7vXk2Lm9RtW4pY") ==
        "http://127.0.0.1:1/cb?%63ode=1%2F" + redacted(16) + "&st%61te=" + redacted(16));
  CHECK(bo::redacted_url("https://h/cb#access_token=1/abcdefgh&state=abcdefgh&token_type=bearer") ==
        "https://h/cb#access_token=1/" + redacted(8) + "&state=" + redacted(8) + "&token_type=bearer");
  CHECK(bo::redacted_url("https://h/cb?state=abcdefghijklmnop&x=1#f") ==
        "https://h/cb?state=" + redacted(16) + "&x=1#f");
  CHECK(bo::redacted_url("https://h/cb?x=1#y") == "https://h/cb?x=1#y");
  // A name that does not decode may be any name: its value is hidden.
  CHECK(bo::redacted_form("%zz=1/abcdef&a=1") == "%zz=" + redacted(8) + "&a=1");
}

TEST_CASE("redacted_form hides a secret under the names PHP reads as its name") {
  // PHP turns ' ', '.' and an unclosed '[' into '_', drops leading spaces and
  // reads "name[...]" as "name": each of these reaches the server as a secret.
  CHECK(bo::redacted_form("access.token=1/abcdef&x=1") == "access.token=1/" + redacted(6) + "&x=1");
  CHECK(bo::redacted_form("access+token=1/abcdef") == "access+token=1/" + redacted(6));
  CHECK(bo::redacted_form("%20client%20secret=Qm7RkV") == "%20client%20secret=" + redacted(6));
  CHECK(bo::redacted_form("refresh[token=1/abcdef") == "refresh[token=1/" + redacted(6));
  CHECK(bo::redacted_form("code[]=1/abcdef") == "code[]=1/" + redacted(6));
  CHECK(bo::redacted_form("code_verifier[x]=abcdefgh") == "code_verifier[x]=" + redacted(8));
  // Names that only look alike stay visible.
  CHECK(bo::redacted_form("access-token=abc&codes=abc") == "access-token=abc&codes=abc");
}

TEST_CASE("redaction: every secret_parameters entry is hidden, with a prefix exactly where the table says") {
  for (const auto& secret : bo::detail::secret_parameters) {
    CAPTURE(secret.name);
    const std::string name(secret.name);
    const std::string shown = secret.version_prefixed ? "1/" + redacted(16) : redacted(18);
    CHECK(bo::redacted_form(name + "=1/Zq7vXk2Lm9RtW4pY&a=1") == name + "=" + shown + "&a=1");
    CHECK(bo::redacted_url("https://h/cb?" + name + "=1/Zq7vXk2Lm9RtW4pY") ==
          "https://h/cb?" + name + "=" + shown);
    CHECK(bo::redacted_value(name, "1/Zq7vXk2Lm9RtW4pY") == shown);
  }
}

TEST_CASE("fmt: a bearer credential shows the version prefix of an access token, other schemes none") {
  CHECK(fmt::format("{}", bo::http_header{"Authorization", "Bearer 1/abcdefgh"}) ==
        "Authorization: Bearer 1/" + redacted(8));
  CHECK(fmt::format("{}", bo::http_header{"Authorization", "bearer 1/abcdefgh"}) ==
        "Authorization: bearer 1/" + redacted(8));
  CHECK(fmt::format("{}", bo::http_header{"Authorization", "Basic 1/abcdefgh"}) ==
        "Authorization: Basic " + redacted(10));
  CHECK(fmt::format("{}", bo::http_header{"Authorization", "1/abcdefgh"}) ==
        "Authorization: " + redacted(10));
}

TEST_CASE("fmt: credentials show their generation, times and scope, never a token") {
  bo::token t;
  t.access_token = std::string(access_value);
  t.refresh_token = std::string(refresh_value);
  t.token_type = "Bearer";
  t.scope = "account:read posts:write";
  t.expires_in = 3600;
  auto c = bo::make_credentials(t, bo::timestamp{1700000000000}, 7);
  REQUIRE(c.has_value());
  const std::string s = fmt::format("{}", *c);
  check_hidden(s, {access_value, refresh_value});
  CHECK(s.find(bo::to_string(*c)) == std::string::npos);
  CHECK(s ==
        "credentials{generation: 7, access_token: 1/" + redacted(access_value.size() - 2) +
            ", token_type: \"Bearer\", scope: \"account:read posts:write\", obtained_at: 1700000000000 ms, "
            "expires_at: 1700003600000 ms, refresh_token: " +
            redacted(refresh_value.size()) + "}");

  c->expires_at.reset();
  c->refresh_token.clear();
  const std::string bare = fmt::format("{}", *c);
  check_hidden(bare, {access_value});
  CHECK(has(bare, "expires_at: unknown, refresh_token: none}"));
  CHECK(fmt::format("{:>200}", *c).size() == 200);
}

TEST_CASE("fmt: a session's states and events print their names") {
  CHECK(fmt::format("{}", bo::session_state::refreshing_rejected) == "refreshing_rejected");
  CHECK(fmt::format("{}", bo::session_state::ended) == "ended");
  CHECK(fmt::format("{}", bo::session_event::refresh_failed) == "refresh_failed");
  CHECK(fmt::format("{:>8}", bo::session_event::adopt) == "   adopt");
  for (const auto& step : bo::session_transitions)
    CHECK(fmt::format("{} --{}--> {}", step.from, step.on, step.to) ==
          std::string(bo::to_string(step.from)) + " --" + std::string(bo::to_string(step.on)) + "--> " +
              std::string(bo::to_string(step.to)));
}
