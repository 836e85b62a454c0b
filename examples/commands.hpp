// commands.hpp: the buffer-oauth subcommands, independent of the argument
// parser. Each takes the provider (Buffer, or any RFC 6749 provider
// described on the command line) and returns the JSON object to print with
// its exit status.
#ifndef BUFFER_OAUTH_EXAMPLES_COMMANDS_HPP
#define BUFFER_OAUTH_EXAMPLES_COMMANDS_HPP

#include "json_output.hpp"

#include <buffer_oauth.hpp>
#include <buffer_oauth_curl.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace buffer_oauth_cli {

struct authorize_url_args {
  std::string client_id;
  std::string redirect_uri;
  std::optional<std::string> state;  ///< none: generated, unless no_state
  bool no_state = false;
  bool pkce = false;           ///< generate a verifier and send its S256 challenge
  std::string code_challenge;  ///< a challenge computed elsewhere
  std::string scope;
};
/// {"url","state","code_verifier"}: state unless --no-state, code_verifier with --pkce.
command_result authorize_url(const buffer_oauth::provider& p, const authorize_url_args& a);

struct parse_redirect_args {
  std::string url;
  std::string redirect_uri;
  std::string state;
  bool no_state = false;
  bool pkce = false;  ///< a code_challenge was sent: only then may no_state be
};
/// {"code"}
command_result parse_redirect(const buffer_oauth::provider& p, const parse_redirect_args& a);

struct token_request_args {
  std::string client_id;
  std::string client_secret;
  std::string redirect_uri;
  std::string code;
  std::string code_verifier;
};
/// {"method","url","headers","body"}
command_result token_request(const buffer_oauth::provider& p, const token_request_args& a);

/// Reads `curl -i` output, a status line, header lines, an empty line and
/// the body (lines end in CRLF or LF), into `out`. After a 1xx answer, or a
/// proxy's "200 Connection established", another status line follows: the
/// last response is the one read. Returns what is wrong, or empty.
std::string parse_included_response(std::string_view text, buffer_oauth::http_response& out);

/// {"access_token","token_type","expires_in","refresh_token","scope","leniencies"}
command_result parse_token(const buffer_oauth::provider& p, const buffer_oauth::http_response& response);

struct refresh_request_args {
  std::string refresh_token;
  std::string client_id;
  std::string client_secret;  ///< empty: a public client
  std::string scope;          ///< empty: the grant's
};
/// The refresh POST (RFC 6749 §6). {"method","url","headers","body"}
command_result refresh_request(const buffer_oauth::provider& p, const refresh_request_args& a);

/// parse-token's output for a refresh answer, with "refresh_token_rotated":
/// whether the refresh token differs from `previous` (none sent: kept).
command_result parse_refresh(const buffer_oauth::provider& p, const buffer_oauth::http_response& response,
                             const std::string& previous);

struct attach_args {
  std::string url;
  std::string token;
  std::optional<buffer_oauth::token_placement> placement;  ///< none: the provider's default
  std::string method = "GET";
  std::string body;
  std::string content_type;
};
/// The request with the token attached. Query placement opts in to
/// allow_query: the user asked for it by name.
command_result attach(const buffer_oauth::provider& p, const attach_args& a);

/// The revocation request for `token`.
command_result deauthorize_request(const buffer_oauth::provider& p, const std::string& token,
                                   std::optional<buffer_oauth::token_placement> placement);

/// The GET of `issuer`'s metadata document: RFC 8414's, or with `oidc`
/// OpenID Connect Discovery's. {"method","url","headers","body"}
command_result metadata_request(const buffer_oauth::provider& p, const std::string& issuer, bool oidc);

/// The provider `issuer`'s metadata document describes over `base`, as
/// provider_json prints it.
command_result parse_metadata(const buffer_oauth::provider& base, const std::string& issuer,
                              const buffer_oauth::http_response& response);

/// The RFC 7591 registration POST of a native app.
command_result registration_request(const buffer_oauth::provider& p,
                                    const buffer_oauth::registration_params& r);

/// {"client_id","client_secret","client_secret_expires_at","registration_client_uri",
/// "registration_access_token" (redacted)}; members the answer did not carry are left out.
command_result parse_registration(const buffer_oauth::http_response& response,
                                  const buffer_oauth::registration_params& sent);

struct revocation_args {
  std::string token;
  buffer_oauth::token_type_hint hint = buffer_oauth::token_type_hint::none;
  std::string client_id;
  std::string client_secret;  ///< empty: a public client
};
/// The RFC 7009 revocation POST.
command_result revocation_request(const buffer_oauth::provider& p, const revocation_args& a);

/// {"revoked":true}
command_result parse_revocation(const buffer_oauth::http_response& response);

/// {"ok":true}, or the API's error with what it asks (retry_after...).
command_result parse_api_response(const buffer_oauth::provider& p,
                                  const buffer_oauth::http_response& response);

/// Which of Buffer's APIs `demo` plays.
enum class demo_api { current, legacy };

/// The whole flow against a local demo provider: prints one line per step
/// and a JSON summary line on stdout; 0 only if every step did what it should.
int demo(demo_api api = demo_api::current, const buffer_oauth::curl::options& transport = {});

struct login_args {
  std::string client_id;
  std::string client_secret;  ///< empty: a public client (client_id and PKCE verifier only)
  int port = 8765;            ///< 0: any free port (for providers that follow RFC 8252 §7.3)
  bool show_token = false;
  std::chrono::seconds timeout{300};
  std::string scope{};             ///< space-separated; {}: aggregate initializations may stop before it
  bool register_client = false;    ///< RFC 7591: register a public client first; client_id unused
  std::string discover_issuer{};   ///< the provider from this issuer's OpenID document, over `p`
  std::string credentials_path{};  ///< where the token is saved (see save_login); empty: nowhere
};
/// Shows the user the authorization URL (printing it, maybe opening a browser).
using browser = std::function<void(const std::string& authorize_url)>;
/// The real login: a loopback listener for the redirect, the code swapped at
/// once, the token saved to the credentials file and printed (redacted unless
/// show_token) with save_login's members, and the client_id when one was
/// registered. Progress goes to stderr.
command_result login(const buffer_oauth::provider& p, const login_args& a, const browser& open,
                     const buffer_oauth::curl::options& transport = {});

/// What call, refresh and logout work on: the credentials file login wrote.
/// The provider and client come from the file; a confidential client's
/// secret, never stored, from the command line.
struct session_args {
  std::string credentials_path;
  std::string client_secret;
  buffer_oauth::curl::options transport;
};

/// Writes the token of a login to the credentials file `path` (mode 0600),
/// its generation one past the file's; {"credentials","generation"}.
command_result save_login(const std::string& path, const buffer_oauth::provider& p,
                          const buffer_oauth::client& c, const buffer_oauth::token& t);

struct call_args {
  std::string url;
  std::string method = "GET";
  std::string body;
  std::string content_type;
};
/// One API request with the stored token, refreshed first when due or when
/// the API rejects it (once). {"status","body","refreshed","generation"}
command_result call(const session_args& a, const call_args& c);

/// A refresh whether due or not, stored. {"generation","refreshed","rotated"}
command_result refresh(const session_args& a);

/// Revokes the grant (RFC 7009, or Buffer v1's deauthorize) and deletes the
/// file. {"revoked":true}
command_result logout(const session_args& a);

}  // namespace buffer_oauth_cli

#endif
