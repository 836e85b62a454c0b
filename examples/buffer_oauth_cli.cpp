// buffer-oauth: get a Buffer access token and debug OAuth 2.0 step by step.
// Every subcommand prints one JSON object on stdout and exits 0 (success),
// 1 (a protocol error: {"errc","message",...}) or 2 (a usage error). See
// examples/README.md. Argument parsing only: the work is in commands.cpp,
// demo.cpp and login.cpp, and the protocol is the core's.
#include "commands.hpp"
#include "file_credential_store.hpp"

#include <fmt/core.h>
#include <spawn.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace buffer_oauth_cli;

/// Global options: Buffer's current API (the default), its legacy REST API
/// v1, or any RFC 6749 provider described by its endpoints.
struct provider_options {
  std::string name = "buffer";
  std::string authorize_endpoint;
  std::string token_endpoint;
  std::string api_base;
  std::string deauthorize_endpoint;
  std::string revocation_endpoint;
  std::string registration_endpoint;
  std::string issuer;
  bool allow_insecure_loopback = false;
  std::string discover;  ///< issuer whose metadata gives the endpoints (subcommands that do I/O)
  std::string cacert;
};

/// A file this process can open: CLI::ExistingFile does not check that.
const CLI::Validator readable_file(
    [](std::string& path) -> std::string {
      return std::ifstream(path).is_open() ? "" : "cannot read " + path;
    },
    "FILE");

void add_provider_options(CLI::App& app, provider_options& o) {
  const char* group = "Provider (global options)";
  app.add_option("--provider", o.name,
                 "buffer (the current API, default), buffer-legacy (REST API v1, retired on 1 February "
                 "2027), or generic with the three endpoints below")
      ->check(CLI::IsMember({"buffer", "buffer-legacy", "generic"}))
      ->group(group);
  auto* authorize = app.add_option("--authorize-endpoint", o.authorize_endpoint,
                                   "authorization endpoint of an RFC 6749 provider")
                        ->group(group);
  auto* token = app.add_option("--token-endpoint", o.token_endpoint, "its token endpoint")->group(group);
  auto* api =
      app.add_option("--api-base", o.api_base, "the API origin and path tokens may be sent to")->group(group);
  authorize->needs(token)->needs(api);
  token->needs(authorize)->needs(api);
  app.add_option("--deauthorize-endpoint", o.deauthorize_endpoint, "where tokens are revoked (Buffer's v1)")
      ->group(group);
  app.add_option("--revocation-endpoint", o.revocation_endpoint, "where tokens are revoked (RFC 7009)")
      ->group(group);
  app.add_option("--registration-endpoint", o.registration_endpoint, "where native apps register (RFC 7591)")
      ->group(group);
  auto* issuer =
      app.add_option("--issuer", o.issuer, "RFC 9207 issuer the redirect's iss must equal")->group(group);
  app.add_option("--discover", o.discover,
                 "login: take the endpoints, issuer, PKCE and client authentication from this issuer's "
                 "OpenID metadata, over the --provider profile (with --api-base for another API)")
      ->excludes(authorize)
      ->excludes(token)
      ->excludes(issuer)
      ->group(group);
  app.add_option(
         "--cacert", o.cacert,
         "login: trust the CAs in this PEM file for HTTPS besides the system's (verification stays on)")
      ->check(CLI::ExistingFile)
      ->check(readable_file)
      ->group(group);
  app.add_flag("--allow-insecure-loopback", o.allow_insecure_loopback,
               "allow plain http to endpoints on 127.0.0.0/8 or [::1]")
      ->group(group);
}

buffer_oauth::provider make_provider(const CLI::App& app, const provider_options& o) {
  const bool endpoints = !o.authorize_endpoint.empty();
  if (app.count("--provider") > 0 && o.name != "generic" && endpoints)
    throw CLI::ValidationError(
        "--provider", o.name + " has its own endpoints; drop --provider " + o.name + " or the endpoints");
  if (o.name == "generic" && !endpoints)
    throw CLI::RequiredError(
        "--provider generic needs --authorize-endpoint, --token-endpoint and --api-base");
  if (!o.api_base.empty() && !endpoints && o.discover.empty())
    throw CLI::ValidationError("--api-base",
                               "needs --authorize-endpoint and --token-endpoint, or --discover");
  buffer_oauth::provider p = endpoints ? buffer_oauth::provider::generic("generic", o.authorize_endpoint,
                                                                         o.token_endpoint, o.api_base)
                             : o.name == "buffer-legacy" ? buffer_oauth::provider::buffer_legacy()
                                                         : buffer_oauth::provider::buffer();
  if (!o.api_base.empty()) p.api_base = o.api_base;
  if (!o.deauthorize_endpoint.empty()) p.deauthorize_endpoint = o.deauthorize_endpoint;
  if (!o.revocation_endpoint.empty()) p.revocation_endpoint = o.revocation_endpoint;
  if (!o.registration_endpoint.empty()) p.registration_endpoint = o.registration_endpoint;
  if (!o.issuer.empty()) p.issuer = o.issuer;
  p.allow_insecure_loopback = o.allow_insecure_loopback;
  return p;
}

const std::map<std::string, buffer_oauth::token_placement> placements = {
    {"header", buffer_oauth::token_placement::header},
    {"body", buffer_oauth::token_placement::form_body},
    {"query", buffer_oauth::token_placement::query},
};

std::optional<buffer_oauth::token_placement> placement_named(const std::string& name) {
  if (name.empty()) return std::nullopt;
  return placements.at(name);
}

/// "Name: value" -> header; the core checks the bytes of name and value.
buffer_oauth::http_header parse_header_argument(const std::string& text) {
  const auto colon = text.find(':');
  std::string value = text.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  value.erase(value.find_last_not_of(" \t") + 1);
  return {text.substr(0, colon), value};
}

const CLI::Validator header_argument(
    [](std::string& text) -> std::string {
      const auto colon = text.find(':');
      return colon == std::string::npos || colon == 0 ? "expected 'Name: value'" : "";
    },
    "'Name: value'");

/// What a parse-* subcommand reads: --status, --header..., the body on stdin.
struct response_options {
  buffer_oauth::http_response response;
  std::vector<std::string> headers;
};

/// A subcommand that reads a response into `o`.
CLI::App* add_response_subcommand(CLI::App& app, const std::string& name, const std::string& description,
                                  response_options& o, int default_status = 200) {
  auto* cmd = app.add_subcommand(name, description);
  o.response.status = default_status;
  cmd->add_option("--status", o.response.status, fmt::format("HTTP status (default {})", o.response.status))
      ->check(CLI::Range(100, 599));
  cmd->add_option("--header", o.headers, "a response header, repeatable")
      ->check(header_argument)
      ->allow_extra_args(false);
  return cmd;
}

/// At most one byte more than the core accepts, so an oversized body is
/// reported as too_large without being read whole.
std::string read_stdin() {
  const std::size_t cap = buffer_oauth::limits{}.max_body;
  std::string body;
  std::array<char, 4096> chunk{};
  while (body.size() <= cap && std::cin.read(chunk.data(), chunk.size()))
    body.append(chunk.data(), chunk.size());
  body.append(chunk.data(), static_cast<std::size_t>(std::cin.gcount()));
  return body;
}

/// The response with its headers and the body read from stdin.
const buffer_oauth::http_response& read_response(response_options& o) {
  for (const auto& h : o.headers) o.response.headers.push_back(parse_header_argument(h));
  o.response.body = read_stdin();
  return o.response;
}

/// The hints --token-type-hint takes: the core's, less "none" (no option).
std::vector<std::string> hint_names() {
  std::vector<std::string> names;
  for (const auto& row : buffer_oauth::token_type_hints)
    if (row.id != buffer_oauth::token_type_hint::none) names.emplace_back(row.name);
  return names;
}

buffer_oauth::token_type_hint hint_named(const std::string& name) {
  for (const auto& row : buffer_oauth::token_type_hints)
    if (row.name == name) return row.id;
  return buffer_oauth::token_type_hint::none;
}

bool is_option_name(const std::string& word) {
  return word.size() > 2 && word.compare(0, 2, "--") == 0 &&
         std::all_of(word.begin() + 2, word.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}

/// CLI11's own message repeats the unexpected arguments, and one of them may
/// be a secret: given to a subcommand that does not take it, after a
/// misspelled option, or split off by the shell. Only the words shaped like
/// our option names (--lowercase-and-dashes, before any =) are shown.
std::string unexpected_arguments_message(const std::vector<std::string>& arguments) {
  std::string options;
  std::size_t values = 0;
  for (const auto& argument : arguments) {
    const std::string name = argument.substr(0, argument.find('='));
    if (is_option_name(name))
      options += " " + name;
    else
      ++values;
  }
  std::string message = "Not expected here:" + options;
  if (values > 0)
    message += fmt::format("{} {} value{} (not shown: it may be a secret)", options.empty() ? "" : " and",
                           values, values == 1 ? "" : "s");
  return message;
}

/// xdg-open, with its chatter sent to stderr so stdout stays one JSON object.
/// Not waited for: some openers run as long as the browser does.
void open_in_browser(const std::string& url) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  std::string program = "xdg-open", argument = url;  // posix_spawn wants mutable argv strings
  char* argv[] = {program.data(), argument.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ) != 0)
    fmt::print(stderr, "Could not run xdg-open; open the URL above yourself.\n");
  posix_spawn_file_actions_destroy(&actions);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "buffer-oauth: get a Buffer access token and debug OAuth 2.0 step by step.\n"
      "Prints one JSON object on stdout. Exit status: 0 success, 1 protocol error, 2 usage error."};
  app.fallthrough();  // global options may follow the subcommand
  app.require_subcommand(1);
  provider_options provider_opts;
  add_provider_options(app, provider_opts);

  authorize_url_args authorize;
  std::string authorize_state;
  auto* authorize_cmd = app.add_subcommand("authorize-url", "Build the URL to send the user's browser to");
  authorize_cmd->add_option("--client-id", authorize.client_id, "your app's client_id")->required();
  authorize_cmd->add_option("--redirect-uri", authorize.redirect_uri, "the registered Callback URL")
      ->required();
  auto* state_opt =
      authorize_cmd->add_option("--state", authorize_state, "state to send (default: 32 random bytes)");
  authorize_cmd
      ->add_flag("--no-state", authorize.no_state, "send no state (needs --pkce or --code-challenge)")
      ->excludes(state_opt);
  auto* pkce_opt =
      authorize_cmd->add_flag("--pkce", authorize.pkce, "generate a PKCE verifier, send its S256 challenge");
  authorize_cmd->add_option("--code-challenge", authorize.code_challenge, "send this S256 challenge")
      ->excludes(pkce_opt);
  authorize_cmd->add_option("--scope", authorize.scope, "space-separated scopes (Buffer has none)");

  parse_redirect_args redirect;
  auto* redirect_cmd =
      app.add_subcommand("parse-redirect", "Check the URL the browser came back to; print the code");
  redirect_cmd->add_option("url", redirect.url, "the full redirect URL")->required();
  redirect_cmd->add_option("--redirect-uri", redirect.redirect_uri, "the registered Callback URL")
      ->required();
  auto* expected_state = redirect_cmd->add_option("--state", redirect.state, "the state that was sent");
  redirect_cmd->add_flag("--no-state", redirect.no_state, "no state was sent (needs --pkce)")
      ->excludes(expected_state);
  redirect_cmd->add_flag("--pkce", redirect.pkce, "a PKCE code_challenge was sent");

  token_request_args swap;
  auto* token_cmd = app.add_subcommand("token-request", "Build the POST that swaps a code for a token");
  token_cmd->add_option("--client-id", swap.client_id)->required();
  token_cmd->add_option("--client-secret", swap.client_secret)->required();
  token_cmd->add_option("--redirect-uri", swap.redirect_uri)->required();
  token_cmd->add_option("--code", swap.code, "the code, decoded (1/...)")->required();
  token_cmd->add_option("--code-verifier", swap.code_verifier, "the PKCE verifier, if a challenge was sent");

  response_options token_response;
  auto* parse_token_cmd = add_response_subcommand(
      app, "parse-token", "Parse a token endpoint response (body on stdin)", token_response);

  refresh_request_args refresh_args;
  auto* refresh_request_cmd =
      app.add_subcommand("refresh-request", "Build the POST that swaps a refresh token for a new token");
  refresh_request_cmd->add_option("--refresh-token", refresh_args.refresh_token)->required();
  refresh_request_cmd->add_option("--client-id", refresh_args.client_id)->required();
  refresh_request_cmd->add_option("--client-secret", refresh_args.client_secret, "none: a public client");
  refresh_request_cmd->add_option("--scope", refresh_args.scope, "narrower scopes (default: the grant's)");

  response_options refresh_response;
  std::string previous_refresh_token;
  auto* parse_refresh_cmd = add_response_subcommand(
      app, "parse-refresh",
      "Parse the answer to a refresh (body on stdin); say if it rotated the refresh token", refresh_response);
  parse_refresh_cmd->add_option("--refresh-token", previous_refresh_token, "the refresh token that was sent");

  attach_args attach_opts;
  std::string attach_placement;
  auto* attach_cmd = app.add_subcommand("attach", "Put an access token on an API request");
  attach_cmd->add_option("--url", attach_opts.url, "the API URL")->required();
  attach_cmd->add_option("--token", attach_opts.token, "the access token")->required();
  attach_cmd->add_option("--placement", attach_placement, "header (default), body or query")
      ->check(CLI::IsMember({"header", "body", "query"}));
  attach_cmd->add_option("--method", attach_opts.method, "HTTP method (default GET)");
  attach_cmd->add_option("--body", attach_opts.body, "request body");
  attach_cmd->add_option("--content-type", attach_opts.content_type, "Content-Type of the body");

  std::string revoke_token, revoke_placement;
  auto* revoke_cmd = app.add_subcommand("deauthorize-request", "Build the request that revokes a token");
  revoke_cmd->add_option("--token", revoke_token, "the access token")->required();
  revoke_cmd->add_option("--placement", revoke_placement, "header (default), body or query")
      ->check(CLI::IsMember({"header", "body", "query"}));

  std::string metadata_issuer;
  bool metadata_oidc = false;
  auto* metadata_cmd =
      app.add_subcommand("metadata-request", "Build the GET of an issuer's metadata (RFC 8414, OIDC)");
  metadata_cmd->add_option("--issuer", metadata_issuer, "the issuer (default: the provider's)");
  metadata_cmd->add_flag("--oidc", metadata_oidc, "OpenID Connect's document instead of RFC 8414's");

  response_options metadata_response;
  auto* parse_metadata_cmd = add_response_subcommand(
      app, "parse-metadata", "Read an issuer's metadata (body on stdin) into a provider over --provider",
      metadata_response);
  parse_metadata_cmd->add_option("--issuer", metadata_issuer, "the issuer asked (default: the provider's)");

  buffer_oauth::registration_params registration;
  const char* redirect_uris_help = "a loopback redirect URI, repeatable";
  auto* registration_cmd =
      app.add_subcommand("registration-request", "Build the POST that registers a native app (RFC 7591)");
  registration_cmd->add_option("--redirect-uri", registration.redirect_uris, redirect_uris_help)
      ->required()
      ->allow_extra_args(false);
  registration_cmd->add_option("--client-name", registration.client_name, "shown to the user at consent");
  registration_cmd->add_option("--scope", registration.scope, "space-separated scopes");

  response_options registration_response;
  auto* parse_registration_cmd = add_response_subcommand(
      app, "parse-registration", "Read the registration endpoint's answer (body on stdin)",
      registration_response, 201);
  parse_registration_cmd->add_option("--redirect-uri", registration.redirect_uris, redirect_uris_help)
      ->required()
      ->allow_extra_args(false);

  revocation_args revocation;
  std::string revocation_hint;
  auto* revocation_cmd =
      app.add_subcommand("revocation-request", "Build the POST that revokes a token (RFC 7009)");
  revocation_cmd->add_option("--token", revocation.token, "the access or refresh token")->required();
  revocation_cmd->add_option("--token-type-hint", revocation_hint, "access_token or refresh_token")
      ->check(CLI::IsMember(hint_names()));
  revocation_cmd->add_option("--client-id", revocation.client_id)->required();
  revocation_cmd->add_option("--client-secret", revocation.client_secret, "none: a public client");

  response_options revocation_response;
  auto* parse_revocation_cmd = add_response_subcommand(
      app, "parse-revocation", "Read the revocation endpoint's answer (body on stdin)", revocation_response);

  response_options api_response;
  auto* parse_api_cmd = add_response_subcommand(
      app, "parse-api-response", "Check an API answer (body on stdin) as the provider's API reports errors",
      api_response);

  auto* demo_cmd = app.add_subcommand(
      "demo",
      "The whole flow, offline, against a local Buffer-like provider: the current API, or with "
      "--provider buffer-legacy the REST API v1");
  demo_cmd->callback([&] {
    if (provider_opts.name == "generic" || !provider_opts.authorize_endpoint.empty())
      throw CLI::ValidationError("demo",
                                 "plays Buffer against a local stand-in: use --provider buffer (the "
                                 "default) or --provider buffer-legacy, without endpoints");
  });

  login_args login_opts;
  bool open_browser = false;
  long timeout_seconds = 300;
  auto* login_cmd = app.add_subcommand("login", "Log in for real: loopback redirect, code swapped at once");
  auto* client_id_opt = login_cmd->add_option("--client-id", login_opts.client_id, "your app's client_id");
  auto* client_secret_opt = login_cmd->add_option("--client-secret", login_opts.client_secret,
                                                  "a confidential client's secret; none: a public client");
  login_cmd
      ->add_flag("--register", login_opts.register_client,
                 "register a public client first (RFC 7591), for this login's Callback URL")
      ->excludes(client_id_opt)
      ->excludes(client_secret_opt);
  auto* scope_opt = login_cmd->add_option(
      "--scope", login_opts.scope, "space-separated scopes (--provider buffer: account:read offline_access)");
  login_cmd->add_option("--port", login_opts.port, "loopback port of the Callback URL (default 8765; 0: any)")
      ->check(CLI::Range(0, 65535));
  login_cmd->add_flag("--open", open_browser, "open the URL with xdg-open");
  login_cmd->add_flag("--show-token", login_opts.show_token, "print the token in full");
  login_cmd->add_option("--timeout", timeout_seconds, "seconds to wait for the browser (default 300)")
      ->check(CLI::Range(1, 3600));

  session_args stored;
  app.add_option("--credentials", stored.credentials_path,
                 "login, call, refresh, logout: the credentials file (default "
                 "$XDG_CONFIG_HOME/buffer-oauth/credentials, else ~/.config/buffer-oauth/credentials)")
      ->group("Credentials (global option)");
  const char* stored_secret_help = "the client secret, if the login used one (it is not stored)";

  call_args call_opts;
  std::string call_data, call_json;
  auto* call_cmd = app.add_subcommand(
      "call", "Send one API request with the stored token, refreshing it first when it is due or rejected");
  call_cmd->add_option("url", call_opts.url, "the API URL")->required();
  std::string call_method;
  auto* method_opt =
      call_cmd->add_option("--method", call_method, "HTTP method (default GET, POST with a body)");
  auto* data_opt = call_cmd->add_option("--data", call_data, "a form-encoded body");
  auto* json_opt = call_cmd->add_option("--json", call_json, "a JSON body")->excludes(data_opt);
  call_cmd->add_option("--client-secret", stored.client_secret, stored_secret_help);

  auto* refresh_cmd = app.add_subcommand("refresh", "Refresh the stored token now, and store the new one");
  refresh_cmd->add_option("--client-secret", stored.client_secret, stored_secret_help);
  auto* logout_cmd =
      app.add_subcommand("logout", "Revoke the stored grant at the provider and delete the credentials file");
  logout_cmd->add_option("--client-secret", stored.client_secret, stored_secret_help);

  buffer_oauth::provider provider;
  try {
    app.parse(argc, argv);
    provider = make_provider(app, provider_opts);
    if (metadata_issuer.empty()) metadata_issuer = provider.issuer;
    if ((*metadata_cmd || *parse_metadata_cmd) && metadata_issuer.empty())
      throw CLI::RequiredError("--issuer (the provider has no issuer of its own)");
    if (*login_cmd && !login_opts.register_client && client_id_opt->count() == 0)
      throw CLI::RequiredError("--client-id (or --register)");
    if (*login_cmd && login_opts.client_secret.empty() && !login_opts.register_client &&
        !provider.public_clients && provider_opts.discover.empty())
      throw CLI::RequiredError("--client-secret (" + provider.name + " has no public clients)");
  } catch (const CLI::ExtrasError&) {
    fmt::print(stderr, "{}\nRun with --help for more information.\n",
               unexpected_arguments_message(app.remaining(true)));
    return exit_usage;
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_success : exit_usage;
  }

  try {
    const buffer_oauth::curl::global curl;
    if (!curl.ok()) {
      print(error_json("internal_error", "libcurl could not be initialised (curl_global_init failed)"));
      return exit_protocol_error;
    }
    command_result result;
    if (stored.credentials_path.empty() && (*login_cmd || *call_cmd || *refresh_cmd || *logout_cmd))
      stored.credentials_path = default_credentials_path();
    stored.transport.ca_file = provider_opts.cacert;
    if (*authorize_cmd) {
      if (state_opt->count() > 0) authorize.state = authorize_state;
      result = authorize_url(provider, authorize);
    } else if (*redirect_cmd) {
      result = parse_redirect(provider, redirect);
    } else if (*token_cmd) {
      result = token_request(provider, swap);
    } else if (*parse_token_cmd) {
      result = parse_token(provider, read_response(token_response));
    } else if (*refresh_request_cmd) {
      result = refresh_request(provider, refresh_args);
    } else if (*parse_refresh_cmd) {
      result = parse_refresh(provider, read_response(refresh_response), previous_refresh_token);
    } else if (*attach_cmd) {
      attach_opts.placement = placement_named(attach_placement);
      result = attach(provider, attach_opts);
    } else if (*revoke_cmd) {
      result = deauthorize_request(provider, revoke_token, placement_named(revoke_placement));
    } else if (*metadata_cmd) {
      result = metadata_request(provider, metadata_issuer, metadata_oidc);
    } else if (*parse_metadata_cmd) {
      result = parse_metadata(provider, metadata_issuer, read_response(metadata_response));
    } else if (*registration_cmd) {
      result = registration_request(provider, registration);
    } else if (*parse_registration_cmd) {
      result = parse_registration(read_response(registration_response), registration);
    } else if (*revocation_cmd) {
      revocation.hint = hint_named(revocation_hint);
      result = revocation_request(provider, revocation);
    } else if (*parse_revocation_cmd) {
      result = parse_revocation(read_response(revocation_response));
    } else if (*parse_api_cmd) {
      result = parse_api_response(provider, read_response(api_response));
    } else if (*demo_cmd) {
      return demo(provider_opts.name == "buffer-legacy" ? demo_api::legacy : demo_api::current);
    } else if (*call_cmd) {
      if (data_opt->count() > 0)
        call_opts = {call_opts.url, "POST", call_data, "application/x-www-form-urlencoded"};
      if (json_opt->count() > 0) call_opts = {call_opts.url, "POST", call_json, "application/json"};
      if (method_opt->count() > 0) call_opts.method = call_method;
      result = call(stored, call_opts);
    } else if (*refresh_cmd) {
      result = refresh(stored);
    } else if (*logout_cmd) {
      result = logout(stored);
    } else if (*login_cmd) {
      login_opts.timeout = std::chrono::seconds(timeout_seconds);
      login_opts.credentials_path = stored.credentials_path;
      login_opts.discover_issuer = provider_opts.discover;
      if (scope_opt->count() == 0 && provider.name == "buffer")
        login_opts.scope = "account:read offline_access";
      buffer_oauth::curl::options transport;
      transport.ca_file = provider_opts.cacert;
      result = login(
          provider, login_opts,
          [&](const std::string& url) {
            if (open_browser) open_in_browser(url);
          },
          transport);
    }
    print(result.output);
    return result.exit_code;
  } catch (const credential_file_error& e) {
    print(error_json(e.errc(), e.what()));
    return exit_protocol_error;
  } catch (const std::exception& e) {
    print(error_json("internal_error", e.what()));
    return exit_protocol_error;
  }
}
