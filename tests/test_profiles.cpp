// The two Buffer profiles, public clients, required PKCE and Buffer's scopes.
// Facts: Buffer's current API (auth.buffer.com, api.buffer.com) and its REST
// API v1 (the authentication guide).
#include <doctest/doctest.h>
#include <buffer_oauth.hpp>

#include <string>

#include "test_support.hpp"

namespace bo = buffer_oauth;
using namespace test_support;

namespace {

// RFC 7636 Appendix B: the verifier and its S256 challenge.
constexpr std::string_view kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
constexpr std::string_view kCode = "SplxlOBeZQQYbYS6WxSbIA";  // RFC 6749 §4.1.2's code

bo::client public_app() { return {"buffer-cli", "", "http://127.0.0.1:8765/callback"}; }
bo::client confidential_app() { return {"buffer-web", "s3cr3t-for-tests", "https://app.example/callback"}; }

bo::authorize_params with_pkce(std::string_view scope = {}) {
  bo::authorize_params a;
  a.state = "af0ifjsldkj";
  a.code_challenge = kChallenge;
  a.scope = scope;
  return a;
}

std::string param(const std::string& url, std::string_view name) {
  for (const auto& [n, v] : form_pairs(url.substr(url.find('?') + 1)))
    if (n == name) return v;
  return "<absent>";
}

}  // namespace

TEST_CASE("buffer(): Buffer's current OAuth server and GraphQL API") {
  const bo::provider p = bo::provider::buffer();
  CHECK(p.name == "buffer");
  CHECK(p.issuer == "https://auth.buffer.com");
  CHECK(p.authorize_endpoint == "https://auth.buffer.com/auth");
  CHECK(p.token_endpoint == "https://auth.buffer.com/token");
  CHECK(p.revocation_endpoint == "https://auth.buffer.com/token/revocation");
  CHECK(p.registration_endpoint == "https://auth.buffer.com/reg");
  CHECK(p.deauthorize_endpoint.empty());
  CHECK(p.api_base == "https://api.buffer.com/");
  CHECK(p.authentication == bo::client_auth::request_body);
  CHECK(p.public_clients);
  CHECK(p.pkce);
  CHECK(p.pkce_required);
  CHECK(p.offline_access_consent);
  CHECK(p.api == bo::api_format::graphql);
  CHECK(p.leniencies == 0);
  CHECK(p.code_lifetime.count() == 0);
  CHECK_FALSE(p.code_form_safe);
  CHECK_FALSE(p.allow_insecure_loopback);
}

TEST_CASE("buffer_legacy(): the REST API v1 of Buffer's guide, unchanged") {
  const bo::provider p = bo::provider::buffer_legacy();
  CHECK(p.name == "buffer-legacy");
  CHECK(p.authorize_endpoint == "https://bufferapp.com/oauth2/authorize");
  CHECK(p.token_endpoint == "https://api.bufferapp.com/1/oauth2/token.json");
  CHECK(p.deauthorize_endpoint == "https://api.bufferapp.com/1/user/deauthorize.json");
  CHECK(p.revocation_endpoint.empty());
  CHECK(p.registration_endpoint.empty());
  CHECK(p.api_base == "https://api.bufferapp.com/1/");
  CHECK(p.issuer.empty());
  CHECK(p.code_lifetime == std::chrono::seconds(30));
  CHECK(p.code_form_safe);
  CHECK_FALSE(p.public_clients);
  CHECK_FALSE(p.pkce);
  CHECK_FALSE(p.pkce_required);
  CHECK_FALSE(p.offline_access_consent);
  CHECK(p.api == bo::api_format::buffer_v1);
  CHECK(p.allows(bo::leniency::token_type_defaulted));
  CHECK(p.allows(bo::leniency::expires_in_string));
  CHECK(p.allows(bo::leniency::null_member));
}

TEST_CASE("buffer(): the authorization URL carries PKCE S256 and asks consent for offline_access") {
  const std::string scope =
      std::string(bo::scopes::account_read) + " " + std::string(bo::scopes::offline_access);
  auto url = bo::build_authorize_url(bo::provider::buffer(), public_app(), with_pkce(scope));
  REQUIRE(url);
  CHECK(*url ==
        "https://auth.buffer.com/"
        "auth?client_id=buffer-cli&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
        "&response_type=code&state=af0ifjsldkj&scope=account%3Aread%20offline_access&prompt=consent"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");

  // Only the exact scope token asks for a refresh token.
  for (std::string_view other : {"account:read", "offline_accessx account:read", "xoffline_access", ""}) {
    CAPTURE(other);
    auto without = bo::build_authorize_url(bo::provider::buffer(), public_app(), with_pkce(other));
    REQUIRE(without);
    CHECK(param(*without, "prompt") == "<absent>");
  }
  auto last =
      bo::build_authorize_url(bo::provider::buffer(), public_app(), with_pkce("posts:read offline_access"));
  REQUIRE(last);
  CHECK(param(*last, "prompt") == "consent");

  // The legacy profile and a generic provider never add it.
  bo::provider legacy = bo::provider::buffer_legacy();
  auto v1 = bo::build_authorize_url(legacy, buffer_client(), with_pkce("offline_access"));
  REQUIRE(v1);
  CHECK(param(*v1, "prompt") == "<absent>");

  // An endpoint that already carries prompt would send it twice.
  bo::provider twice = bo::provider::buffer();
  twice.authorize_endpoint = "https://auth.buffer.com/auth?prompt=login";
  CHECK(bo::build_authorize_url(twice, public_app(), with_pkce(scope)).code() ==
        bo::errc::duplicate_parameter);
}

TEST_CASE("Buffer's scope constants are RFC 6749 §3.3 scope tokens, accepted together") {
  const std::string_view all[] = {
      bo::scopes::posts_read,   bo::scopes::posts_write,   bo::scopes::ideas_read,    bo::scopes::ideas_write,
      bo::scopes::account_read, bo::scopes::account_write, bo::scopes::offline_access};
  std::string scope;
  for (std::string_view s : all) scope += (scope.empty() ? "" : " ") + std::string(s);
  CHECK(scope == "posts:read posts:write ideas:read ideas:write account:read account:write offline_access");
  auto url = bo::build_authorize_url(bo::provider::buffer(), public_app(), with_pkce(scope));
  REQUIRE(url);
  CHECK(param(*url, "scope") == scope);
  CHECK(bo::build_authorize_url(bo::provider::buffer(), public_app(), with_pkce("account:read  posts:read"))
            .code() == bo::errc::invalid_character);
}

TEST_CASE("buffer(): PKCE cannot be left out, for a public or a confidential client") {
  bo::authorize_params no_pkce = with_pkce();
  no_pkce.code_challenge = {};
  auto pub = bo::build_authorize_url(bo::provider::buffer(), public_app(), no_pkce);
  CHECK(pub.code() == bo::errc::pkce_required);
  CHECK(pub.error().message.rfind("public client: PKCE cannot be turned off", 0) == 0);
  auto conf = bo::build_authorize_url(bo::provider::buffer(), confidential_app(), no_pkce);
  CHECK(conf.code() == bo::errc::pkce_required);
  CHECK(conf.error().message.rfind("provider \"buffer\": PKCE cannot be turned off", 0) == 0);
  CHECK(bo::build_token_request(bo::provider::buffer(), public_app(), kCode).code() ==
        bo::errc::pkce_required);
  CHECK(bo::build_token_request(bo::provider::buffer(), confidential_app(), kCode).code() ==
        bo::errc::pkce_required);

  // A generic provider that takes public clients still needs PKCE from them.
  bo::provider g = generic();
  g.public_clients = true;
  CHECK(bo::build_authorize_url(g, public_app(), no_pkce).code() == bo::errc::pkce_required);
  CHECK(bo::build_token_request(g, public_app(), kCode).code() == bo::errc::pkce_required);
  CHECK(bo::build_authorize_url(g, confidential_app(), no_pkce));
}

TEST_CASE("buffer(): a public client sends client_id and the verifier, never a client_secret") {
  auto req = bo::build_token_request(bo::provider::buffer(), public_app(), kCode, kVerifier);
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->url == "https://auth.buffer.com/token");
  CHECK(bo::find_header(req->headers, "Authorization") == nullptr);
  CHECK(
      req->body ==
      "client_id=buffer-cli&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&code=SplxlOBeZQQYbYS6WxSbIA"
      "&grant_type=authorization_code&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

  auto refresh = bo::build_refresh_request(bo::provider::buffer(), public_app(), "rt-1");
  REQUIRE(refresh);
  CHECK(refresh->body == "client_id=buffer-cli&grant_type=refresh_token&refresh_token=rt-1");
}

TEST_CASE("buffer(): a confidential client authenticates with client_secret_post, and sends its verifier") {
  auto req = bo::build_token_request(bo::provider::buffer(), confidential_app(), kCode, kVerifier);
  REQUIRE(req);
  CHECK(bo::find_header(req->headers, "Authorization") == nullptr);
  const auto f = form_pairs(req->body);
  CHECK(first_value(f, "client_id") == "buffer-web");
  CHECK(first_value(f, "client_secret") == "s3cr3t-for-tests");
  CHECK(first_value(f, "code_verifier") == kVerifier);
}

TEST_CASE("a provider without public clients refuses a client without a secret") {
  const bo::client no_secret{std::string(kCid), "", std::string(kRu)};
  for (const bo::provider& p : {bo::provider::buffer_legacy(), generic()}) {
    CAPTURE(p.name);
    // The authorization URL needs no secret; every request that would send one does.
    CHECK(bo::build_authorize_url(p, no_secret, with_pkce()));
    auto token = bo::build_token_request(p, no_secret, kCode, kVerifier);
    CHECK(token.code() == bo::errc::client_secret_required);
    CHECK(token.error().message.find("takes no public clients") != std::string::npos);
    CHECK(bo::build_refresh_request(p, no_secret, "rt").code() == bo::errc::client_secret_required);
    bo::flow f(p, no_secret);
    const std::string bytes(32, 'x'), other(32, 'y');
    CHECK(f.begin({bytes, other}, bo::timestamp{0}).code() == bo::errc::client_secret_required);
    CHECK(f.state() == bo::flow_state::idle);
  }
}

TEST_CASE(
    "a provider built for public clients only refuses a client with a secret, and says what to change") {
  bo::provider p = generic();
  p.public_clients = true;
  p.confidential_clients = false;
  auto token = bo::build_token_request(p, confidential_app(), kCode, kVerifier);
  REQUIRE(!token);
  CHECK(token.code() == bo::errc::client_auth_unsupported);
  CHECK(token.error().message.rfind("provider \"example\" takes only public clients: drop the client secret, "
                                    "or set confidential_clients",
                                    0) == 0);
  CHECK(token.error().message.find(confidential_app().secret) == std::string::npos);
  CHECK(bo::build_token_request(p, public_app(), kCode, kVerifier));
}

TEST_CASE("buffer(): the flow logs a public client in with PKCE and checks iss") {
  const std::string state_bytes(16, 's'), verifier_bytes(32, 'v');
  bo::flow_options no_pkce;
  no_pkce.pkce = false;
  bo::flow refused(bo::provider::buffer(), public_app(), no_pkce);
  CHECK(refused.begin({state_bytes, verifier_bytes}, bo::timestamp{0}).code() == bo::errc::pkce_required);

  bo::flow_options o;
  o.scope = "account:read offline_access";
  bo::flow f(bo::provider::buffer(), public_app(), o);
  auto url = f.begin({state_bytes, verifier_bytes}, bo::timestamp{0});
  REQUIRE(url);
  CHECK(param(*url, "prompt") == "consent");
  CHECK(param(*url, "code_challenge_method") == "S256");
  const std::string back =
      "http://127.0.0.1:8765/callback?code=" + std::string(kCode) + "&state=" + param(*url, "state");

  bo::flow copy = f;
  CHECK(copy.redirect(back, bo::timestamp{1}).code() == bo::errc::iss_missing);
  CHECK(f.redirect(back + "&iss=https%3A%2F%2Fauth.buffer.com", bo::timestamp{1}));
  auto req = f.token_request(bo::timestamp{2});
  REQUIRE(req);
  const auto body = form_pairs(req->body);
  CHECK(count_name(body, "client_secret") == 0);
  CHECK(first_value(body, "code_verifier").size() == 43);
}

TEST_CASE("buffer(): tokens go only to https://api.buffer.com, in the Authorization header") {
  const bo::provider p = bo::provider::buffer();
  bo::http_request graphql{"POST",
                           "https://api.buffer.com/graphql",
                           {{"Content-Type", "application/json"}},
                           R"({"query":"{ account { id } }"})"};
  auto sent = bo::attach_token(p, graphql, kToken);
  REQUIRE(sent);
  CHECK(*bo::find_header(sent->headers, "Authorization") == "Bearer " + std::string(kToken));
  CHECK(sent->body == graphql.body);

  bo::attach_options body;
  body.placement = bo::token_placement::form_body;
  CHECK(bo::attach_token(p, graphql, kToken, body).code() == bo::errc::form_body_not_allowed);
  bo::attach_options query;
  query.placement = bo::token_placement::query;
  CHECK(bo::attach_token(p, graphql, kToken, query).code() == bo::errc::query_token_disallowed);

  for (const char* elsewhere :
       {"https://api.bufferapp.com/1/user.json", "https://api.buffer.com.evil.example/graphql",
        "https://auth.buffer.com/graphql", "https://api.buffer.com:8443/graphql"}) {
    CAPTURE(elsewhere);
    CHECK(bo::attach_token(p, {"POST", elsewhere, {}, {}}, kToken).code() == bo::errc::token_origin_mismatch);
  }
  CHECK(bo::attach_token(p, {"POST", "http://api.buffer.com/graphql", {}, {}}, kToken).code() ==
        bo::errc::insecure_url);
}
