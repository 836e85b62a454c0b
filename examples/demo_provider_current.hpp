// demo_provider_current.hpp: a local stand-in for Buffer's current API, on
// 127.0.0.1 only: the OAuth server at auth.buffer.com (oidc-provider's routes)
// and the GraphQL API at api.buffer.com, served from one background thread.
//   GET  /auth              approves at once; 302 to the redirect_uri with code,
//                           state and iss. PKCE S256 is required; offline_access
//                           is granted only with prompt=consent
//   POST /token             authorization_code (public client: client_id and
//                           code_verifier, checked against the challenge) and
//                           refresh_token: single use, every refresh rotates it,
//                           and sending a spent one revokes the whole grant
//   POST /token/revocation  RFC 7009: forgets the token, answers 200 always
//   POST /graphql           {"data":{"account":...}} for a live Bearer token;
//                           otherwise 200 with errors, code UNAUTHORIZED (401
//                           UNAUTHENTICATED without any token)
// Access tokens live one hour by the injectable clock.
#ifndef BUFFER_OAUTH_EXAMPLES_DEMO_PROVIDER_CURRENT_HPP
#define BUFFER_OAUTH_EXAMPLES_DEMO_PROVIDER_CURRENT_HPP

#include "demo_provider.hpp"

#include <strings.h>
#include <buffer_oauth.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace buffer_oauth_cli {

/// A public client (mobile, desktop, CLI): no secret, PKCE always.
struct current_registration {
  std::string client_id;
  std::string redirect_uri;  ///< must match exactly
};

class current_demo_provider : public demo_http::provider_host<current_registration> {
 public:
  using registration = current_registration;

  static constexpr std::chrono::seconds code_lifetime{60};
  static constexpr std::chrono::seconds access_token_lifetime{3600};

  explicit current_demo_provider(clock now = &std::chrono::steady_clock::now)
      : provider_host(std::move(now)) {}
  ~current_demo_provider() { stop(); }
  current_demo_provider(const current_demo_provider&) = delete;
  current_demo_provider& operator=(const current_demo_provider&) = delete;

  void start() {
    serve([this](httplib::Server& routes) {
      routes.Get("/auth", [this](const httplib::Request& q, httplib::Response& r) { authorize(q, r); });
      routes.Post("/token", [this](const httplib::Request& q, httplib::Response& r) { token(q, r); });
      routes.Post("/token/revocation",
                  [this](const httplib::Request& q, httplib::Response& r) { revoke(q, r); });
      routes.Post("/graphql", [this](const httplib::Request& q, httplib::Response& r) { graphql(q, r); });
    });
  }

  /// provider::buffer() with its issuer, endpoints and API here, plain http
  /// allowed for loopback; PKCE, public clients and GraphQL stay.
  buffer_oauth::provider profile() const {
    auto p = buffer_oauth::provider::buffer();
    p.name = "buffer-demo";
    p.issuer = base_url();
    p.authorize_endpoint = base_url() + "/auth";
    p.token_endpoint = base_url() + "/token";
    p.revocation_endpoint = base_url() + "/token/revocation";
    p.registration_endpoint.clear();
    p.api_base = base_url() + "/graphql";
    p.allow_insecure_loopback = true;
    return p;
  }
  std::string graphql_url() const { return base_url() + "/graphql"; }

 private:
  using json = demo_http::json;

  struct issued_code {
    std::string client_id;
    std::string redirect_uri;
    std::string code_challenge;
    std::string scope;
    std::chrono::steady_clock::time_point issued_at;
  };

  /// What one authorization gave a client; revoking it kills all its tokens.
  struct grant {
    std::string client_id;
    std::string scope;
    bool offline = false;
  };

  struct access_token {
    std::uint64_t grant_id;
    std::chrono::steady_clock::time_point expires_at;
  };

  struct refresh_token {
    std::uint64_t grant_id;
    bool spent = false;
  };

  static bool has_scope(std::string_view scope, std::string_view wanted) {
    return buffer_oauth::detail::has_scope_token(scope, wanted);
  }

  // RFC 6749 §4.1.1 with RFC 7636 and RFC 9207. Unknown client or redirect URI:
  // an error page (§4.1.2.1); anything else wrong goes back to the client.
  void authorize(const httplib::Request& req, httplib::Response& res) {
    const std::string client_id = req.get_param_value("client_id");
    const std::string redirect_uri = req.get_param_value("redirect_uri");
    std::lock_guard<std::mutex> lock(mutex_);
    auto answer =
        redirect_params(req, res, {"client_id", "redirect_uri", "response_type", "state", "code_challenge"});
    if (!answer) return;
    httplib::Params& back = *answer;
    back.emplace("iss", base_url());
    const std::string challenge = req.get_param_value("code_challenge");
    const auto refuse = [&](const char* error, const char* description) {
      back.emplace("error", error);
      back.emplace("error_description", description);
    };
    if (req.get_param_value("response_type") != "code") {
      refuse("unsupported_response_type", "only response_type=code is supported");
    } else if (challenge.empty()) {
      refuse("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256");
    } else if (req.get_param_value("code_challenge_method") != "S256") {
      refuse("invalid_request", "code_challenge_method must be S256");
    } else {
      std::string scope = req.get_param_value("scope");
      if (has_scope(scope, buffer_oauth::scopes::offline_access) &&
          req.get_param_value("prompt") != "consent")
        scope = without_offline_access(scope);
      const std::string code = demo_http::random_alnum(43);
      codes_[code] = {client_id, redirect_uri, challenge, std::move(scope), now_()};
      back.emplace("code", code);
    }
    res.set_redirect(httplib::append_query_params(redirect_uri, back), 302);
  }

  /// oidc-provider drops offline_access when the user was not asked to consent.
  static std::string without_offline_access(std::string_view scope) {
    std::string kept;
    while (!scope.empty()) {
      const std::string_view word = scope.substr(0, scope.find(' '));
      if (word != buffer_oauth::scopes::offline_access) kept += (kept.empty() ? "" : " ") + std::string(word);
      scope.remove_prefix(std::min(word.size() + 1, scope.size()));
    }
    return kept;
  }

  void token(const httplib::Request& req, httplib::Response& res) {
    if (!demo_http::is_form(req) || !demo_http::raw_query(req).empty())
      return demo_http::oauth_error(res, "invalid_request",
                                    "Parameters go in an application/x-www-form-urlencoded body");
    for (const char* name : {"client_id", "grant_type"})
      if (demo_http::occurrences(req.body, name) != 1)
        return demo_http::oauth_error(res, "invalid_request",
                                      fmt::format("Parameter {} missing or repeated", name));
    std::lock_guard<std::mutex> lock(mutex_);
    const auto client = clients_.find(req.get_param_value("client_id"));
    if (client == clients_.end() || req.has_param("client_secret"))
      return demo_http::oauth_error(res, "invalid_client",
                                    "Unknown client, or a secret sent by a public client");
    const std::string grant_type = req.get_param_value("grant_type");
    if (grant_type == "authorization_code") return swap_code(req, res, client->first);
    if (grant_type == "refresh_token") return refresh(req, res, client->first);
    demo_http::oauth_error(res, "unsupported_grant_type", "Only authorization_code and refresh_token");
  }

  // RFC 6749 §4.1.3 and RFC 7636 §4.6: the verifier must hash to the challenge.
  void swap_code(const httplib::Request& req, httplib::Response& res, const std::string& client_id) {
    for (const char* name : {"code", "redirect_uri", "code_verifier"})
      if (demo_http::occurrences(req.body, name) != 1)
        return demo_http::oauth_error(res, "invalid_request",
                                      fmt::format("Parameter {} missing or repeated", name));
    const auto found = codes_.find(req.get_param_value("code"));
    if (found == codes_.end())
      return demo_http::oauth_error(res, "invalid_grant", "Unknown or already used authorization code");
    const issued_code issued = found->second;
    codes_.erase(found);  // single use, even when a check below fails
    if (issued.client_id != client_id)
      return demo_http::oauth_error(res, "invalid_grant", "The code was issued to another client");
    if (issued.redirect_uri != req.get_param_value("redirect_uri"))
      return demo_http::oauth_error(res, "invalid_grant",
                                    "redirect_uri differs from the authorization request");
    if (now_() - issued.issued_at >= code_lifetime)
      return demo_http::oauth_error(res, "invalid_grant", "Authorization code has expired");
    const auto challenge = buffer_oauth::code_challenge_s256(req.get_param_value("code_verifier"));
    if (!challenge || !buffer_oauth::secure_equals(*challenge, issued.code_challenge))
      return demo_http::oauth_error(res, "invalid_grant", "PKCE verification failed");
    const std::uint64_t id = next_grant_id_++;
    grants_[id] = {client_id, issued.scope, has_scope(issued.scope, buffer_oauth::scopes::offline_access)};
    issue_tokens(res, id);
  }

  // RFC 6749 §6 with rotation: the token sent is spent; a spent one sent again
  // means it was stolen or replayed, so the whole grant goes.
  void refresh(const httplib::Request& req, httplib::Response& res, const std::string& client_id) {
    if (demo_http::occurrences(req.body, "refresh_token") != 1)
      return demo_http::oauth_error(res, "invalid_request", "Parameter refresh_token missing or repeated");
    const auto found = refresh_tokens_.find(req.get_param_value("refresh_token"));
    if (found == refresh_tokens_.end())
      return demo_http::oauth_error(res, "invalid_grant", "Unknown or revoked refresh token");
    const std::uint64_t id = found->second.grant_id;
    if (grants_.at(id).client_id != client_id)
      return demo_http::oauth_error(res, "invalid_grant", "The refresh token was issued to another client");
    if (found->second.spent) {
      revoke_grant(id);
      return demo_http::oauth_error(res, "invalid_grant",
                                    "Refresh token already used: the grant is revoked, authorize again");
    }
    found->second.spent = true;
    issue_tokens(res, id);
  }

  void issue_tokens(httplib::Response& res, std::uint64_t grant_id) {
    const grant& g = grants_.at(grant_id);
    const std::string access = demo_http::random_alnum(43);
    access_tokens_[access] = {grant_id, now_() + access_token_lifetime};
    json body = {{"access_token", access},
                 {"expires_in", access_token_lifetime.count()},
                 {"token_type", "Bearer"},
                 {"scope", g.scope}};
    if (g.offline) {
      std::string refresh = demo_http::random_alnum(43);
      refresh_tokens_[refresh] = {grant_id, false};
      body["refresh_token"] = std::move(refresh);
    }
    demo_http::json_reply(res, 200, body);
  }

  void revoke_grant(std::uint64_t grant_id) {
    grants_.erase(grant_id);
    erase_if_grant(access_tokens_, grant_id);
    erase_if_grant(refresh_tokens_, grant_id);
  }

  template <class Map>
  static void erase_if_grant(Map& tokens, std::uint64_t grant_id) {
    for (auto it = tokens.begin(); it != tokens.end();)
      it = it->second.grant_id == grant_id ? tokens.erase(it) : std::next(it);
  }

  // RFC 7009 §2.2: 200 whether or not the token was known. Revoking a refresh
  // token revokes its grant, access tokens included.
  void revoke(const httplib::Request& req, httplib::Response& res) {
    if (!demo_http::is_form(req) || demo_http::occurrences(req.body, "token") != 1)
      return demo_http::oauth_error(res, "invalid_request", "Send one token in a form body");
    std::lock_guard<std::mutex> lock(mutex_);
    if (clients_.count(req.get_param_value("client_id")) == 0)
      return demo_http::oauth_error(res, "invalid_client", "Unknown client");
    const std::string token = req.get_param_value("token");
    if (const auto refresh = refresh_tokens_.find(token); refresh != refresh_tokens_.end())
      revoke_grant(refresh->second.grant_id);
    access_tokens_.erase(token);
    res.status = 200;
  }

  static void graphql_error(httplib::Response& res, int status, const char* code, const char* message) {
    json error = {{"message", message}, {"extensions", {{"code", code}}}};
    json body = status == 200 ? json{{"data", nullptr}, {"errors", json::array({error})}}
                              : json{{"errors", json::array({error})}};
    demo_http::json_reply(res, status, body);
  }

  void graphql(const httplib::Request& req, httplib::Response& res) {
    const std::string authorization = req.get_header_value("Authorization");
    if (authorization.empty())
      return graphql_error(res, 401, "UNAUTHENTICATED", "An authentication JWT or Access Token is required");
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = strncasecmp(authorization.c_str(), "Bearer ", 7) == 0
                           ? access_tokens_.find(authorization.substr(7))
                           : access_tokens_.end();
    if (found == access_tokens_.end() || now_() >= found->second.expires_at)
      return graphql_error(res, 200, "UNAUTHORIZED", "The access token is invalid, expired or revoked");
    demo_http::json_reply(
        res, 200,
        {{"data",
          {{"account", {{"id", "5f0c0ffee0000000000000a1"}, {"email", "demo@buffer-oauth.example"}}}}}});
  }

  std::map<std::string, issued_code> codes_;
  std::uint64_t next_grant_id_ = 1;
  std::map<std::uint64_t, grant> grants_;
  std::map<std::string, access_token> access_tokens_;
  std::map<std::string, refresh_token> refresh_tokens_;
};

}  // namespace buffer_oauth_cli

#endif
