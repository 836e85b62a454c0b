// demo_provider.hpp: a local stand-in for Buffer's OAuth server and API, on
// 127.0.0.1 only, served by cpp-httplib from a background thread. It behaves
// the way Buffer's authentication guide describes Buffer:
//   GET  /oauth2/authorize         approves at once; 302 to the redirect_uri with
//                                  code=1/<alnum> (and the state it was given)
//   POST /1/oauth2/token.json      swaps a code (single use, 30 s) for
//                                  {"access_token":"1/..."}; refuses a code sent
//                                  as 1%2F... like Buffer does
//   GET  /1/profiles.json          a JSON array, for a valid token only
//   POST /1/user/deauthorize.json  revokes the token
// A token is accepted in the Authorization header, a form body or the query,
// one method at a time (RFC 6750 §2). The clock is injectable so tests can
// age a code past its 30 seconds.
#ifndef BUFFER_OAUTH_EXAMPLES_DEMO_PROVIDER_HPP
#define BUFFER_OAUTH_EXAMPLES_DEMO_PROVIDER_HPP

#include "background_server.hpp"
#include "os_random.hpp"

#include <fmt/core.h>
#include <httplib.h>
#include <strings.h>
#include <buffer_oauth.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace buffer_oauth_cli {

/// What both local providers (this one and current_demo_provider) share:
/// replies, and reading a query or form body as sent.
namespace demo_http {

using json = nlohmann::ordered_json;

/// A page for the browser, never a redirect.
inline void error_page(httplib::Response& res, const std::string& text) {
  res.status = 400;
  res.set_content(text, "text/plain");
}

inline void json_reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

/// RFC 6749 §5.2 error, status 400 (both of Buffer's servers send 400).
inline void oauth_error(httplib::Response& res, std::string_view error, std::string_view description) {
  json_reply(res, 400, {{"error", error}, {"error_description", description}});
}

inline bool is_form(const httplib::Request& req) {
  constexpr std::string_view form = "application/x-www-form-urlencoded";
  const std::string type = req.get_header_value("Content-Type");
  return type.compare(0, form.size(), form) == 0 && (type.size() == form.size() || type[form.size()] == ';');
}

/// The raw query of a request target ("" without one).
inline std::string_view raw_query(const httplib::Request& req) {
  const std::size_t q = req.target.find('?');
  return q == std::string::npos ? std::string_view() : std::string_view(req.target).substr(q + 1);
}

/// Calls `visit(name, value)` for each pair of a query or form body, both
/// still percent-encoded. httplib's own params merge identical pairs, so
/// repetitions are counted here, on the bytes as sent.
template <class Visit>
void for_each_raw_pair(std::string_view form, Visit visit) {
  std::size_t pos = 0;
  while (pos < form.size()) {
    const std::size_t amp = std::min(form.find('&', pos), form.size());
    const std::string_view pair = form.substr(pos, amp - pos);
    const std::size_t eq = std::min(pair.find('='), pair.size());
    if (!pair.empty()) visit(pair.substr(0, eq), pair.substr(std::min(eq + 1, pair.size())));
    pos = amp + 1;
  }
}

inline std::size_t occurrences(std::string_view form, std::string_view name) {
  std::size_t n = 0;
  for_each_raw_pair(form, [&](std::string_view key, std::string_view) { n += key == name; });
  return n;
}

/// `length` random alphanumerics; throws if the system has no randomness.
inline std::string random_alnum(std::size_t length) {
  auto random = os_random_alnum(length);
  if (!random) throw std::runtime_error(random.error().message);
  return *std::move(random);
}

/// What both providers are: apps registered by client_id, an injectable
/// clock, and a server on 127.0.0.1 at a free port. A provider's destructor
/// calls stop() first, as its handlers use its own members.
template <class Registration>
class provider_host {
 public:
  using clock = std::function<std::chrono::steady_clock::time_point()>;

  provider_host(const provider_host&) = delete;
  provider_host& operator=(const provider_host&) = delete;

  void register_client(Registration r) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string id = r.client_id;
    clients_[std::move(id)] = std::move(r);
  }

  void stop() { server_.stop(); }

  int port() const { return server_.port(); }
  std::string base_url() const { return fmt::format("http://127.0.0.1:{}", port()); }
  /// A loopback redirect URI on this host; nothing serves it (the demo reads
  /// the Location header instead of following it).
  std::string callback_uri() const { return base_url() + "/callback"; }

 protected:
  explicit provider_host(clock now) : now_(std::move(now)) {}
  ~provider_host() = default;

  /// Binds 127.0.0.1 on a free port and serves the routes `add_routes(server)`
  /// registers until stop().
  template <class AddRoutes>
  void serve(AddRoutes add_routes) {
    httplib::Server& routes = server_.routes();
    routes.set_payload_max_length(64 * 1024);
    routes.set_read_timeout(std::chrono::seconds(5));
    add_routes(routes);
    server_.start();
  }

  /// RFC 6749 §4.1.2.1: an authorization request that repeats one of
  /// `single` or does not name a registered client and its exact redirect URI
  /// gets an error page, never a redirect. Otherwise the parameters to send
  /// back, starting with the state. Call with mutex_ held.
  std::optional<httplib::Params> redirect_params(const httplib::Request& req, httplib::Response& res,
                                                 std::initializer_list<const char*> single) const {
    for (const char* name : single)
      if (occurrences(raw_query(req), name) > 1) {
        error_page(res, fmt::format("invalid_request: {} repeated", name));
        return std::nullopt;
      }
    const auto client = clients_.find(req.get_param_value("client_id"));
    if (client == clients_.end()) {
      error_page(res, "invalid_client: unknown client_id");
      return std::nullopt;
    }
    if (req.get_param_value("redirect_uri") != client->second.redirect_uri) {
      error_page(res, "redirect_uri_mismatch: not the registered Callback URL");
      return std::nullopt;
    }
    httplib::Params back;
    if (req.has_param("state")) back.emplace("state", req.get_param_value("state"));
    return back;
  }

  clock now_;
  std::mutex mutex_;
  std::map<std::string, Registration> clients_;  // by client_id

 private:
  background_server server_;
};

}  // namespace demo_http

/// An app registered with the legacy provider.
struct legacy_registration {
  std::string client_id;
  std::string client_secret;
  std::string redirect_uri;  ///< the Callback URL; must match exactly
};

class demo_provider : public demo_http::provider_host<legacy_registration> {
 public:
  using registration = legacy_registration;

  static constexpr std::chrono::seconds code_lifetime{30};

  explicit demo_provider(clock now = &std::chrono::steady_clock::now) : provider_host(std::move(now)) {}
  ~demo_provider() { stop(); }
  demo_provider(const demo_provider&) = delete;
  demo_provider& operator=(const demo_provider&) = delete;

  void start() {
    serve([this](httplib::Server& routes) {
      routes.Get("/oauth2/authorize",
                 [this](const httplib::Request& q, httplib::Response& r) { authorize(q, r); });
      routes.Post("/1/oauth2/token.json",
                  [this](const httplib::Request& q, httplib::Response& r) { swap_code(q, r); });
      routes.Get("/1/profiles.json",
                 [this](const httplib::Request& q, httplib::Response& r) { profiles(q, r); });
      routes.Post("/1/user/deauthorize.json",
                  [this](const httplib::Request& q, httplib::Response& r) { deauthorize(q, r); });
    });
  }

  /// How a client describes this provider: Buffer's profile with every
  /// endpoint here and plain http allowed for loopback.
  buffer_oauth::provider profile() const {
    auto p = buffer_oauth::provider::buffer_legacy();
    p.name = "buffer-demo";
    p.authorize_endpoint = base_url() + "/oauth2/authorize";
    p.token_endpoint = base_url() + "/1/oauth2/token.json";
    p.deauthorize_endpoint = base_url() + "/1/user/deauthorize.json";
    p.api_base = base_url() + "/1/";
    p.allow_insecure_loopback = true;
    return p;
  }

 private:
  using json = demo_http::json;

  struct issued_code {
    std::string client_id;
    std::string redirect_uri;
    std::chrono::steady_clock::time_point issued_at;
  };

  /// Buffer's answer to a missing, unknown or revoked token.
  static void token_required(httplib::Response& res) {
    demo_http::json_reply(res, 403,
                          {{"success", false}, {"code", 1001}, {"error", "Access token required."}});
  }

  /// Codes and tokens look like Buffer's: "1/" and alphanumerics.
  static std::string new_secret_value(std::size_t length) { return "1/" + demo_http::random_alnum(length); }

  /// Buffer's guide forbids a URL-encoded code (1%2F... for 1/...). Codes are
  /// "1/" and alphanumerics, so any '%' in the bytes sent is an encoding.
  static bool code_sent_percent_encoded(std::string_view body) {
    bool encoded = false;
    demo_http::for_each_raw_pair(body, [&](std::string_view key, std::string_view value) {
      encoded = encoded || (key == "code" && value.find('%') != std::string_view::npos);
    });
    return encoded;
  }

  // RFC 6749 §4.1.1. A request that does not name a registered client and its
  // exact Callback URL gets an error page, never a redirect (§4.1.2.1).
  void authorize(const httplib::Request& req, httplib::Response& res) {
    const std::string client_id = req.get_param_value("client_id");
    const std::string redirect_uri = req.get_param_value("redirect_uri");
    std::lock_guard<std::mutex> lock(mutex_);
    auto answer = redirect_params(req, res, {"client_id", "redirect_uri", "response_type", "state"});
    if (!answer) return;
    httplib::Params& back = *answer;
    if (req.get_param_value("response_type") != "code") {
      back.emplace("error", "unsupported_response_type");
    } else {
      const std::string code = new_secret_value(24);
      codes_[code] = {client_id, redirect_uri, now_()};
      back.emplace("code", code);
    }
    res.set_redirect(httplib::append_query_params(redirect_uri, back), 302);
  }

  // RFC 6749 §4.1.3, with Buffer's rules: client secret in the body, code
  // valid once and for 30 seconds, code not percent-encoded.
  void swap_code(const httplib::Request& req, httplib::Response& res) {
    if (!demo_http::is_form(req) || !demo_http::raw_query(req).empty())
      return demo_http::oauth_error(res, "invalid_request",
                                    "Parameters go in an application/x-www-form-urlencoded body");
    if (code_sent_percent_encoded(req.body))
      return demo_http::oauth_error(res, "invalid_grant",
                                    "The code must not be URL-encoded: send 1/... rather than 1%2F...");
    for (const char* name : {"client_id", "client_secret", "redirect_uri", "code", "grant_type"})
      if (demo_http::occurrences(req.body, name) != 1)
        return demo_http::oauth_error(res, "invalid_request",
                                      fmt::format("Parameter {} missing or repeated", name));
    if (req.get_param_value("grant_type") != "authorization_code")
      return demo_http::oauth_error(res, "unsupported_grant_type", "Only authorization_code is supported");

    std::lock_guard<std::mutex> lock(mutex_);
    const auto client = clients_.find(req.get_param_value("client_id"));
    if (client == clients_.end() ||
        !buffer_oauth::secure_equals(req.get_param_value("client_secret"), client->second.client_secret))
      return demo_http::oauth_error(res, "invalid_client", "The client credentials are invalid");
    const auto found = codes_.find(req.get_param_value("code"));
    if (found == codes_.end())
      return demo_http::oauth_error(res, "invalid_grant", "Unknown or already used authorization code");
    const issued_code issued = found->second;
    codes_.erase(found);  // single use, even when a check below fails
    if (issued.client_id != client->first)
      return demo_http::oauth_error(res, "invalid_grant", "The code was issued to another client");
    if (issued.redirect_uri != req.get_param_value("redirect_uri"))
      return demo_http::oauth_error(res, "invalid_grant",
                                    "redirect_uri differs from the authorization request");
    if (now_() - issued.issued_at >= code_lifetime)
      return demo_http::oauth_error(res, "invalid_grant", "The authorization code has expired");

    const std::string token = new_secret_value(32);
    tokens_.insert(token);
    // Like Buffer: only access_token, and '/' escaped as "\/" the way PHP's
    // json_encode writes it.
    std::string body = json{{"access_token", token}}.dump();
    for (std::size_t at = body.find('/'); at != std::string::npos; at = body.find('/', at + 2))
      body.insert(at, 1, '\\');
    res.set_header("Cache-Control", "no-store");
    res.set_header("Pragma", "no-cache");
    res.set_content(body, "application/json");
  }

  enum class presented { none, one, several };

  /// The access token a request carries: Authorization: Bearer, a form body
  /// or the query (httplib merges the last two into params).
  static presented presented_token(const httplib::Request& req, std::string& token) {
    std::size_t methods = demo_http::occurrences(demo_http::raw_query(req), "access_token") +
                          (demo_http::is_form(req) ? demo_http::occurrences(req.body, "access_token") : 0);
    const std::string authorization = req.get_header_value("Authorization");
    if (!authorization.empty()) {
      ++methods;
      if (strncasecmp(authorization.c_str(), "Bearer ", 7) == 0) token = authorization.substr(7);
    } else if (methods == 1) {
      token = req.get_param_value("access_token");
    }
    return methods == 0 ? presented::none : methods == 1 ? presented::one : presented::several;
  }

  /// True if the request carries a live token; otherwise the refusal is written.
  bool authenticate(const httplib::Request& req, httplib::Response& res, std::string& token) {
    const presented how = presented_token(req, token);
    if (how == presented::several) {
      demo_http::json_reply(res, 400,
                            {{"error", "invalid_request"},
                             {"error_description", "Only one method may be used to send the token"}});
      return false;
    }
    if (how == presented::none || tokens_.count(token) == 0) {
      token_required(res);
      return false;
    }
    return true;
  }

  void profiles(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string token;
    if (!authenticate(req, res, token)) return;
    demo_http::json_reply(res, 200,
                          json::array({{{"id", "5f0c0ffee0000000000000a1"},
                                        {"service", "twitter"},
                                        {"formatted_username", "@buffer_oauth_demo"},
                                        {"default", true}}}));
  }

  void deauthorize(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string token;
    if (!authenticate(req, res, token)) return;
    tokens_.erase(token);
    demo_http::json_reply(res, 200, {{"success", true}, {"message", "Access successfully revoked!"}});
  }

  std::map<std::string, issued_code> codes_;
  std::set<std::string> tokens_;
};

}  // namespace buffer_oauth_cli

#endif
