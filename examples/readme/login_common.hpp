// SPDX-License-Identifier: MIT
// login_common.hpp: what the web app and the desktop app share: the clock,
// the OS's random bytes, and the end of a login, from the redirect to one
// call of Buffer's GraphQL API.
#ifndef BUFFER_OAUTH_README_LOGIN_COMMON_HPP
#define BUFFER_OAUTH_README_LOGIN_COMMON_HPP

#include <buffer_oauth.hpp>
#include <buffer_oauth_curl.hpp>

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

namespace bo = buffer_oauth;

/// One clock for the whole flow; system_clock, as a saved flow may be
/// restored by another process.
inline bo::timestamp now() {
  return std::chrono::duration_cast<bo::timestamp>(std::chrono::system_clock::now().time_since_epoch());
}

inline bo::result<std::string> random_bytes(std::size_t n) {
  std::string bytes(n, '\0');
  if (auto filled = bo::system_random_bytes(reinterpret_cast<unsigned char*>(bytes.data()), n); !filled)
    return filled.error();
  return bytes;
}

inline std::string setting(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

/// The URL the browser was sent back to: the registered redirect URI with
/// the query of the request `target` that reached it.
inline std::string callback_url(const bo::client& app, std::string_view target) {
  const std::size_t query = target.find('?');
  return app.redirect_uri + std::string(query == std::string_view::npos ? "" : target.substr(query));
}

/// Checks the redirect that came back to `callback_url`, swaps its code for
/// a token and asks the API who logged in: the answer's body, or the first
/// failure.
inline bo::result<std::string> finish_login(bo::flow& flow, const bo::provider& buffer,
                                            std::string_view callback_url, const bo::curl::options& https) {
  // state_mismatch, iss_mismatch, authorization_denied, redirect_uri_mismatch, ...
  if (auto redirect = flow.redirect(callback_url, now()); !redirect) return redirect.error();
  auto token_request = flow.token_request(now());
  if (!token_request) return token_request.error();
  auto token_response = bo::curl::send(*token_request, https);
  if (!token_response) return token_response.error();  // transport_error, too_large
  auto token = flow.token_response(*token_response);
  if (!token) return token.error();  // token_error: error().from_provider has the provider's fields
  // Keep bo::make_credentials(*token, now()) for later calls, as a secret (see "Staying logged in").

  bo::http_request query{"POST",
                         buffer.api_base,
                         {{"Content-Type", "application/json"}},
                         R"({"query":"{ account { id email } }"})"};
  auto with_token = bo::attach_token(buffer, std::move(query), token->access_token);
  if (!with_token) return with_token.error();
  auto answer = bo::curl::send(*with_token, https);
  if (!answer) return answer.error();
  // GraphQL errors come with HTTP 200: token_rejected (refresh or log in again), rate_limited, api_error.
  if (auto ok = bo::check_api_response(buffer, *answer); !ok) return ok.error();
  return answer->body;
}

#endif
