// The subcommands that only build or parse: no network, no clock. Each is a
// thin wrapper around one function of the core.
#include "commands.hpp"

#include "os_random.hpp"

#include <buffer_oauth_fmt.hpp>

#include <utility>

namespace buffer_oauth_cli {

namespace {
/// A state or PKCE verifier made from 32 bytes of OS randomness.
buffer_oauth::result<std::string> random_value(buffer_oauth::result<std::string> (*make)(std::string_view)) {
  auto bytes = os_random_bytes();
  if (!bytes) return bytes.error();
  return make(*bytes);
}
}  // namespace

command_result authorize_url(const buffer_oauth::provider& p, const authorize_url_args& a) {
  std::string state = a.state.value_or("");
  if (!a.state && !a.no_state) {
    auto generated = random_value(buffer_oauth::make_state);
    if (!generated) return failure(generated.error());
    state = std::move(*generated);
  }
  std::string verifier, challenge = a.code_challenge;
  if (a.pkce) {
    auto generated = random_value(buffer_oauth::make_code_verifier);
    if (!generated) return failure(generated.error());
    verifier = std::move(*generated);
    challenge = buffer_oauth::code_challenge_s256(verifier).value();
  }
  buffer_oauth::authorize_params params;
  params.state = state;
  params.without_state = a.no_state;
  params.code_challenge = challenge;
  params.scope = a.scope;
  auto url = buffer_oauth::build_authorize_url(p, {a.client_id, {}, a.redirect_uri}, params);
  if (!url) return failure(url.error());
  json out = {{"url", *url}};
  if (!a.no_state) out["state"] = state;
  if (!verifier.empty()) out["code_verifier"] = verifier;
  return success(std::move(out));
}

command_result parse_redirect(const buffer_oauth::provider& p, const parse_redirect_args& a) {
  // With neither --state nor --no-state the expected state is empty, and the
  // core fails closed with state_missing.
  auto code = buffer_oauth::parse_redirect(a.url, p, {{}, {}, a.redirect_uri}, {a.state, a.no_state, a.pkce});
  if (!code) return failure(code.error());
  return success({{"code", *code}});
}

command_result token_request(const buffer_oauth::provider& p, const token_request_args& a) {
  auto req = buffer_oauth::build_token_request(p, {a.client_id, a.client_secret, a.redirect_uri}, a.code,
                                               a.code_verifier);
  if (!req) return failure(req.error());
  return success(request_json(*req));
}

namespace {
/// The next line of `text` from `pos`, without its CRLF or LF; pos moves past it.
std::string_view next_line(std::string_view text, std::size_t& pos) {
  const std::size_t end = text.find('\n', pos);
  std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
  pos = end == std::string_view::npos ? text.size() : end + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

/// "HTTP/1.1 200 OK", "HTTP/2 200": the status, or 0.
int status_of(std::string_view line) {
  if (line.substr(0, 5) != "HTTP/") return 0;
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos || line.size() < space + 4) return 0;
  int status = 0;
  for (const char c : line.substr(space + 1, 3)) {
    if (c < '0' || c > '9') return 0;
    status = status * 10 + (c - '0');
  }
  const bool ends = line.size() == space + 4 || line[space + 4] == ' ';
  return ends && status >= 100 && status <= 599 ? status : 0;
}
}  // namespace

std::string parse_included_response(std::string_view text, buffer_oauth::http_response& out) {
  std::size_t pos = 0;
  for (int block = 1;; ++block) {
    const std::string_view status_line = next_line(text, pos);
    out.status = status_of(status_line);
    if (out.status == 0)
      return block == 1 ? "--include: the input does not start with an HTTP status line (HTTP/1.1 200 OK); "
                          "give curl -i's output, or drop --include and pass the body alone"
                        : "--include: no status line after the 1xx answer";
    out.headers.clear();
    for (int number = 1;; ++number) {
      if (pos >= text.size()) return "--include: the headers end without the empty line before the body";
      const std::string_view line = next_line(text, pos);
      if (line.empty()) break;
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0 || line.find_first_of(" \t") < colon)
        return "--include: header line " + std::to_string(number) + " of response " + std::to_string(block) +
               " is not 'Name: value'";
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      out.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    const bool another =
        (out.status < 200 || status_line.find(" Connection established") != std::string_view::npos) &&
        text.substr(pos, 5) == "HTTP/";
    if (another) continue;
    if (out.status < 200) return "--include: no final response after the 1xx answer";
    break;
  }
  out.body = std::string(text.substr(pos));
  return {};
}

command_result parse_token(const buffer_oauth::provider& p, const buffer_oauth::http_response& response) {
  auto t = buffer_oauth::parse_token_response(p, response);
  if (!t) return failure(t.error());
  return success(token_json(*t));
}

command_result refresh_request(const buffer_oauth::provider& p, const refresh_request_args& a) {
  auto req =
      buffer_oauth::build_refresh_request(p, {a.client_id, a.client_secret, {}}, a.refresh_token, a.scope);
  if (!req) return failure(req.error());
  return success(request_json(*req));
}

command_result parse_refresh(const buffer_oauth::provider& p, const buffer_oauth::http_response& response,
                             const std::string& previous) {
  auto t = buffer_oauth::parse_refresh_response(p, response, previous);
  if (!t) return failure(t.error());
  json out = token_json(*t);
  out["refresh_token_rotated"] = t->refresh_token_rotated;
  return success(std::move(out));
}

command_result attach(const buffer_oauth::provider& p, const attach_args& a) {
  buffer_oauth::http_request req{a.method, a.url, {}, a.body};
  if (!a.content_type.empty()) req.headers.push_back({"Content-Type", a.content_type});
  buffer_oauth::attach_options options;
  options.placement = a.placement;
  options.allow_query = a.placement == buffer_oauth::token_placement::query;
  auto attached = buffer_oauth::attach_token(p, std::move(req), a.token, options);
  if (!attached) return failure(attached.error());
  return success(request_json(*attached));
}

command_result deauthorize_request(const buffer_oauth::provider& p, const std::string& token,
                                   std::optional<buffer_oauth::token_placement> placement) {
  buffer_oauth::attach_options options;
  options.placement = placement;
  options.allow_query = placement == buffer_oauth::token_placement::query;
  auto req = buffer_oauth::build_deauthorize_request(p, token, options);
  if (!req) return failure(req.error());
  return success(request_json(*req));
}

command_result metadata_request(const buffer_oauth::provider& p, const std::string& issuer, bool oidc) {
  const auto which = oidc ? buffer_oauth::metadata_document::openid_configuration
                          : buffer_oauth::metadata_document::oauth_authorization_server;
  auto req = buffer_oauth::build_metadata_request(issuer, which, p.allow_insecure_loopback);
  if (!req) return failure(req.error());
  return success(request_json(*req));
}

command_result parse_metadata(const buffer_oauth::provider& base, const std::string& issuer,
                              const buffer_oauth::http_response& response) {
  auto p = buffer_oauth::parse_provider_metadata(response, issuer, base);
  if (!p) return failure(p.error());
  return success(provider_json(*p));
}

command_result registration_request(const buffer_oauth::provider& p,
                                    const buffer_oauth::registration_params& r) {
  auto req = buffer_oauth::build_registration_request(p, r);
  if (!req) return failure(req.error());
  return success(request_json(*req));
}

command_result parse_registration(const buffer_oauth::http_response& response,
                                  const buffer_oauth::registration_params& sent) {
  auto registered = buffer_oauth::parse_registration_response(response, sent);
  if (!registered) return failure(registered.error());
  json out = {{"client_id", registered->app.id}};
  if (!registered->app.secret.empty()) out["client_secret"] = registered->app.secret;
  if (registered->client_secret_expires_at)
    out["client_secret_expires_at"] = *registered->client_secret_expires_at;
  if (!registered->registration_client_uri.empty())
    out["registration_client_uri"] = registered->registration_client_uri;
  if (!registered->registration_access_token.empty())
    out["registration_access_token"] =
        buffer_oauth::redacted_value("registration_access_token", registered->registration_access_token);
  return success(std::move(out));
}

command_result revocation_request(const buffer_oauth::provider& p, const revocation_args& a) {
  auto req = buffer_oauth::build_revocation_request(p, {a.client_id, a.client_secret, {}}, a.token, a.hint);
  if (!req) return failure(req.error());
  return success(request_json(*req));
}

command_result parse_revocation(const buffer_oauth::http_response& response) {
  auto revoked = buffer_oauth::parse_revocation_response(response);
  if (!revoked) return failure(revoked.error());
  return success({{"revoked", true}});
}

command_result parse_api_response(const buffer_oauth::provider& p,
                                  const buffer_oauth::http_response& response) {
  auto ok = buffer_oauth::check_api_response(p, response);
  if (!ok) return failure(ok.error());
  return success({{"ok", true}});
}

}  // namespace buffer_oauth_cli
