// json_output.hpp: the one-object JSON documents the subcommands print, and
// the exit codes that go with them (0 success, 1 protocol error; CLI11 usage
// errors exit 2 before any of this runs).
#ifndef BUFFER_OAUTH_EXAMPLES_JSON_OUTPUT_HPP
#define BUFFER_OAUTH_EXAMPLES_JSON_OUTPUT_HPP

#include <fmt/core.h>
#include <buffer_oauth.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace buffer_oauth_cli {

/// Keys stay in the order they are set, so output reads like the docs.
using json = nlohmann::ordered_json;

inline constexpr int exit_success = 0;
inline constexpr int exit_protocol_error = 1;
inline constexpr int exit_usage = 2;

/// What a subcommand prints on stdout, and its exit status.
struct command_result {
  json output;
  int exit_code = exit_success;
};

/// {"method","url","headers":[[name,value],...],"body"}
inline json request_json(const buffer_oauth::http_request& req) {
  json headers = json::array();
  for (const auto& h : req.headers) headers.push_back({h.name, h.value});
  return {{"method", req.method}, {"url", req.url}, {"headers", std::move(headers)}, {"body", req.body}};
}

/// {"access_token","token_type","expires_in","refresh_token","scope","leniencies":[...]};
/// members the response did not carry are left out.
inline json token_json(const buffer_oauth::token& t) {
  json out = {{"access_token", t.access_token}, {"token_type", t.token_type}};
  if (t.expires_in) out["expires_in"] = *t.expires_in;
  if (!t.refresh_token.empty()) out["refresh_token"] = t.refresh_token;
  if (!t.scope.empty()) out["scope"] = t.scope;
  json applied = json::array();
  for (const auto& l : buffer_oauth::all_leniencies)
    if (t.applied(l.id)) applied.push_back(std::string(l.name));
  out["leniencies"] = std::move(applied);
  return out;
}

/// {"errc","message"} plus what the provider sent: "error",
/// "error_description", "error_uri", "http_status" / "api_code" /
/// "api_error_code" when known, and for rate_limited "retry_after" (seconds)
/// or "retry_after_date", and "rate_limit_window".
inline json error_json(const buffer_oauth::error& e) {
  json out = {{"errc", std::string(buffer_oauth::to_string(e.code))}, {"message", e.message}};
  if (!e.from_provider.error.empty()) out["error"] = e.from_provider.error;
  if (!e.from_provider.error_description.empty())
    out["error_description"] = e.from_provider.error_description;
  if (!e.from_provider.error_uri.empty()) out["error_uri"] = e.from_provider.error_uri;
  if (e.http_status != 0) out["http_status"] = e.http_status;
  if (e.api_code != 0) out["api_code"] = e.api_code;
  if (!e.api_error_code.empty()) out["api_error_code"] = e.api_error_code;
  if (e.retry_after) out["retry_after"] = e.retry_after->count();
  if (!e.retry_after_date.empty()) out["retry_after_date"] = e.retry_after_date;
  if (!e.rate_limit_window.empty()) out["rate_limit_window"] = e.rate_limit_window;
  return out;
}

/// The names a provider's settings go by in metadata documents.
inline constexpr std::pair<buffer_oauth::client_auth, std::string_view> client_auth_names[] = {
    {buffer_oauth::client_auth::request_body, "client_secret_post"},
    {buffer_oauth::client_auth::http_basic, "client_secret_basic"},
};
inline constexpr std::pair<buffer_oauth::api_format, std::string_view> api_format_names[] = {
    {buffer_oauth::api_format::buffer_v1, "buffer_v1"},
    {buffer_oauth::api_format::graphql, "graphql"},
};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::pair<Enum, std::string_view> (&names)[N], Enum value) {
  for (const auto& [id, name] : names)
    if (id == value) return name;
  return "unknown";
}

/// Every endpoint a provider may have, in the order they are printed.
inline constexpr std::pair<std::string_view, std::string buffer_oauth::provider::*> provider_endpoints[] = {
    {"authorize_endpoint", &buffer_oauth::provider::authorize_endpoint},
    {"token_endpoint", &buffer_oauth::provider::token_endpoint},
    {"deauthorize_endpoint", &buffer_oauth::provider::deauthorize_endpoint},
    {"revocation_endpoint", &buffer_oauth::provider::revocation_endpoint},
    {"registration_endpoint", &buffer_oauth::provider::registration_endpoint},
    {"api_base", &buffer_oauth::provider::api_base},
};

/// {"name", every endpoint (null: none), "issuer" (null: none),
/// "authentication", "public_clients", "confidential_clients", "pkce",
/// "pkce_required", "api"}
inline json provider_json(const buffer_oauth::provider& p) {
  const auto text_or_null = [](const std::string& text) { return text.empty() ? json(nullptr) : json(text); };
  json out = {{"name", p.name}};
  for (const auto& [name, member] : provider_endpoints) out[std::string(name)] = text_or_null(p.*member);
  out["issuer"] = text_or_null(p.issuer);
  out["authentication"] = name_of(client_auth_names, p.authentication);
  out["public_clients"] = p.public_clients;
  out["confidential_clients"] = p.confidential_clients;
  out["pkce"] = p.pkce;
  out["pkce_required"] = p.pkce_required;
  out["api"] = name_of(api_format_names, p.api);
  return out;
}

/// An error the CLI itself detects (timeout, not_logged_in, ...): these
/// names are the CLI's, never the core's errc.
inline json error_json(std::string_view name, std::string_view message) {
  return {{"errc", name}, {"message", message}};
}

inline command_result success(json output) { return {std::move(output), exit_success}; }
inline command_result failure(const buffer_oauth::error& e) { return {error_json(e), exit_protocol_error}; }
inline command_result failure(std::string_view name, std::string_view message) {
  return {error_json(name, message), exit_protocol_error};
}

/// One line of JSON. Bytes that are not UTF-8 (possible in an echoed request
/// body) become U+FFFD instead of aborting the dump.
inline std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

inline void print(const json& j) { fmt::print("{}\n", dump(j)); }

}  // namespace buffer_oauth_cli

#endif
