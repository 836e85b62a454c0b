// buffer-oauth: get a Buffer access token and debug OAuth 2.0 step by step.
// Every subcommand prints one JSON object on stdout and exits 0 (success),
// 1 (a protocol error: {"errc","message",...}) or 2 (a usage error). See
// examples/README.md. Argument parsing only: the work is in commands.cpp,
// demo.cpp and login.cpp, and the protocol is the core's.
#include "commands.hpp"
#include "curl_command.hpp"
#include "file_credential_store.hpp"

#include <fmt/core.h>
#include <spawn.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
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
                 "2027), or generic: an RFC 6749 provider given by the endpoints below")
      ->check(CLI::IsMember({"buffer", "buffer-legacy", "generic"}))
      ->group(group);
  auto* authorize = app.add_option("--authorize-endpoint", o.authorize_endpoint,
                                   "authorization endpoint of an RFC 6749 provider (authorize-url, login)")
                        ->group(group);
  auto* token = app.add_option("--token-endpoint", o.token_endpoint,
                               "its token endpoint (token-request, refresh-request, login)")
                    ->group(group);
  app.add_option("--api-base", o.api_base, "the API origin and path tokens may be sent to (attach, login)")
      ->group(group);
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
         "login, call, refresh, logout: trust the CAs in this PEM file for HTTPS besides the system's "
         "(verification stays on)")
      ->check(CLI::ExistingFile)
      ->check(readable_file)
      ->group(group);
  app.add_flag("--allow-insecure-loopback", o.allow_insecure_loopback,
               "allow plain http to endpoints on 127.0.0.0/8 or [::1]")
      ->group(group);
}

/// The endpoint options a generic provider needs for a subcommand: only
/// the ones it sends to. The others keep their own checks in the core.
struct needed_endpoints {
  const char* subcommand;
  bool authorize, token, api;
};
constexpr needed_endpoints endpoint_needs[] = {
    {"authorize-url", true, false, false},
    {"token-request", false, true, false},
    {"refresh-request", false, true, false},
    {"attach", false, false, true},
    {"login", true, true, true},
};

/// "--a, --b and --c"
std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return out;
}

buffer_oauth::provider make_provider(const CLI::App& app, const provider_options& o,
                                     const std::string& subcommand) {
  // --api-base with --discover names another API for the discovered provider.
  const bool endpoints = !o.authorize_endpoint.empty() || !o.token_endpoint.empty() ||
                         (!o.api_base.empty() && o.discover.empty());
  if (app.count("--provider") > 0 && o.name != "generic" && endpoints)
    throw CLI::ValidationError("--provider " + o.name + " has its own endpoints: drop --provider " + o.name +
                               " to use the ones given, or drop them");
  const bool generic = o.name == "generic" || endpoints;
  for (const auto& needs : endpoint_needs) {
    if (!generic || subcommand != needs.subcommand) continue;
    std::vector<std::string> missing;
    if (needs.authorize && o.authorize_endpoint.empty()) missing.emplace_back("--authorize-endpoint URL");
    if (needs.token && o.token_endpoint.empty()) missing.emplace_back("--token-endpoint URL");
    if (needs.api && o.api_base.empty()) missing.emplace_back("--api-base URL");
    if (!missing.empty())
      throw CLI::ValidationError("a generic provider has no endpoints built in: " + subcommand + " needs " +
                                 listed(missing) + (subcommand == "login" ? ", or --discover ISSUER" : ""));
  }
  buffer_oauth::provider p =
      generic ? buffer_oauth::provider::generic("generic", o.authorize_endpoint, o.token_endpoint, o.api_base)
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

/// What a parse-* subcommand reads: --status, --header..., the body on
/// stdin; or with --include, all of it on stdin as curl -i prints it.
struct response_options {
  buffer_oauth::http_response response;
  std::vector<std::string> headers;
  bool include = false;
};

/// A subcommand that reads a response into `o`.
CLI::App* add_response_subcommand(CLI::App& app, const std::string& name, const std::string& description,
                                  response_options& o, int default_status = 200) {
  auto* cmd = app.add_subcommand(name, description);
  o.response.status = default_status;
  auto* status = cmd->add_option("--status", o.response.status,
                                 fmt::format("HTTP status (default {})", o.response.status))
                     ->check(CLI::Range(100, 599));
  auto* headers = cmd->add_option("--header", o.headers, "a response header, repeatable")
                      ->check(header_argument)
                      ->allow_extra_args(false);
  cmd->add_flag("--include", o.include,
                "stdin holds curl -i's output: status line and headers, then the body")
      ->excludes(status)
      ->excludes(headers);
  return cmd;
}

/// At most one byte more than `cap`, so an oversized input is reported
/// without being read whole.
std::string read_stdin(std::size_t cap) {
  std::string body;
  std::array<char, 4096> chunk{};
  while (body.size() <= cap && std::cin.read(chunk.data(), chunk.size()))
    body.append(chunk.data(), chunk.size());
  body.append(chunk.data(), static_cast<std::size_t>(std::cin.gcount()));
  return body;
}

/// Room for the status line and headers of curl -i's output, besides the body.
constexpr std::size_t max_head = std::size_t{64} * 1024;

/// The response from the options and stdin; a problem with --include's
/// input is the CLI's malformed_response.
std::optional<command_result> read_response(response_options& o) {
  const std::size_t max_body = buffer_oauth::limits{}.max_body;
  if (!o.include) {
    for (const auto& h : o.headers) o.response.headers.push_back(parse_header_argument(h));
    o.response.body = read_stdin(max_body);
    return std::nullopt;
  }
  const std::string message = read_stdin(max_head + max_body);
  if (const std::string problem = parse_included_response(message, o.response); !problem.empty())
    return failure("malformed_response", problem);
  return std::nullopt;
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

/// A secret given as an option can be read by every local user (ps) and
/// stays in the shell's history: each use says so on stderr.
void warn_on_argv(const CLI::Option& option, const std::string& instead) {
  fmt::print(
      stderr,
      "warning: {} on the command line can be read by other local users and stays in shell history{}\n",
      option.get_name(), instead.empty() ? "" : "; use " + instead + " instead");
}

/// Where one kind of secret may come from besides its option.
struct secret_kind {
  const char* option;       ///< "--client-secret"
  const char* file_option;  ///< "--client-secret-file": FILE, or '-' for stdin
  const char* variable;     ///< "BUFFER_OAUTH_CLIENT_SECRET": a string literal, so NUL-terminated
  const char* what;         ///< "the client secret"
};
// The variables are the ones curl_command's lines read: one name for both ends.
constexpr secret_kind client_secret_kind{"--client-secret", "--client-secret-file",
                                         client_secret_variable.data(), "the client secret"};
constexpr secret_kind token_kind{"--token", "--token-file", token_variable.data(), "the token"};

/// A secret read from a file, or stdin for '-': its one line, the line
/// ending dropped and nothing else.
std::string read_secret_file(const secret_kind& kind, const std::string& path) {
  constexpr std::size_t cap = std::size_t{64} * 1024;
  std::string text;
  if (path == "-") {
    text = read_stdin(cap);
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path))
      throw CLI::ValidationError(kind.file_option, "cannot read " + path);
    std::array<char, 4096> chunk{};
    while (text.size() <= cap && in.read(chunk.data(), chunk.size())) text.append(chunk.data(), chunk.size());
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (text.size() > cap)
    throw CLI::ValidationError(kind.file_option, path + " is over " + std::to_string(cap) +
                                                     " bytes; it should hold one line, the secret");
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

/// The secret options of every subcommand, resolved once the command line
/// is parsed: the option, --...-file or the environment variable, and
/// never two of them, as which one wins would be a guess.
class secret_inputs {
 public:
  /// Adds `kind`'s option and file option to `cmd`, both filling `value`.
  void add(CLI::App* cmd, const secret_kind& kind, std::string& value, const std::string& help) {
    input& in = inputs_.emplace_back(input{kind, cmd, nullptr, nullptr, {}, &value});
    in.on_argv =
        cmd->add_option(kind.option, value, help + "; safer: " + kind.file_option + " or $" + kind.variable);
    in.in_file = cmd->add_option(kind.file_option, in.file,
                                 std::string("read ") + kind.what + " from this file ('-': stdin)");
  }

  /// Reads the chosen subcommand's secrets; a usage error for two sources,
  /// or two secrets both read from stdin.
  void resolve() {
    bool stdin_used = false;
    for (input& in : inputs_) {
      if (!in.command->parsed()) continue;
      const char* variable = std::getenv(in.kind.variable);  // NOLINT(concurrency-mt-unsafe): no thread yet
      std::vector<std::string> sources;
      if (in.on_argv->count() > 0) sources.emplace_back(in.kind.option);
      if (in.in_file->count() > 0) sources.emplace_back(in.kind.file_option);
      if (variable != nullptr) sources.emplace_back(std::string("$") + in.kind.variable);
      if (sources.size() > 1)
        throw CLI::ValidationError(
            listed(sources) + (sources.size() == 2 ? " both give " : " all give ") + in.kind.what +
            ": keep one" + (variable != nullptr ? std::string(" (unset ") + in.kind.variable + ")" : ""));
      if (in.on_argv->count() > 0)
        warn_on_argv(*in.on_argv, std::string(in.kind.file_option) + " or $" + in.kind.variable);
      if (in.in_file->count() > 0) {
        if (in.file == "-" && std::exchange(stdin_used, true))
          throw CLI::ValidationError(std::string(in.kind.file_option) +
                                     " -: another secret is read from stdin already; "
                                     "give one of them in a file");
        *in.value = read_secret_file(in.kind, in.file);
      }
      if (variable != nullptr) *in.value = variable;
      if (!sources.empty()) given_.push_back(in.value);
    }
  }

  /// Whether `value` came from any of its sources, even empty.
  bool given(const std::string& value) const {
    return std::find(given_.begin(), given_.end(), &value) != given_.end();
  }

 private:
  struct input {
    secret_kind kind;
    CLI::App* command;
    CLI::Option* on_argv;
    CLI::Option* in_file;
    std::string file;
    std::string* value;
  };
  std::deque<input> inputs_;  // a deque: CLI11 keeps a reference to each `file`
  std::vector<const std::string*> given_;
};

/// "%2F" or any other escape in a code that should have been decoded; with
/// Buffer's "1%2F..." the fix is shown as "1/...".
std::optional<std::string> percent_encoded_code_message(const std::string& code) {
  const auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  std::size_t at = code.find('%');
  while (at != std::string::npos && !(at + 2 < code.size() && hex(code[at + 1]) && hex(code[at + 2])))
    at = code.find('%', at + 1);
  if (at == std::string::npos) return std::nullopt;
  const auto decoded = static_cast<char>(std::stoi(code.substr(at + 1, 2), nullptr, 16));
  const bool short_prefix = at <= 3 && std::isgraph(static_cast<unsigned char>(decoded)) != 0 &&
                            std::all_of(code.begin(), code.begin() + static_cast<std::ptrdiff_t>(at),
                                        [](char c) { return c >= '0' && c <= '9'; });
  return "--code: the code looks percent-encoded; pass it decoded" +
         (short_prefix ? " (" + code.substr(0, at) + decoded + "...)"
                       : std::string(", as parse-redirect prints it"));
}

/// A token given with its scheme, as copied from an Authorization header.
bool has_bearer_prefix(const std::string& token) {
  return token.size() >= 7 && buffer_oauth::detail::iequals(std::string_view(token).substr(0, 7), "Bearer ");
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

/// The line each subcommand's help ends with.
std::string example(const std::string& command_line) { return "Example:\n  " + command_line + "\n"; }

/// The version, as JSON like every other output.
std::string version_json() {
  return fmt::format(R"({{"version":"{}.{}.{}"}})", BUFFER_OAUTH_VERSION_MAJOR, BUFFER_OAUTH_VERSION_MINOR,
                     BUFFER_OAUTH_VERSION_PATCH);
}

/// The request a request-building subcommand printed, back from its JSON.
buffer_oauth::http_request request_from(const json& printed) {
  buffer_oauth::http_request req{printed.at("method"), printed.at("url"), {}, printed.at("body")};
  for (const auto& h : printed.at("headers")) req.headers.push_back({h.at(0), h.at(1)});
  return req;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "buffer-oauth: get a Buffer access token and debug OAuth 2.0 step by step.\n"
      "Prints one JSON object on stdout. Exit status: 0 success, 1 protocol error, 2 usage error.\n"
      "Secrets: give them in a file (--client-secret-file, --token-file; '-' is stdin) or in\n"
      "$BUFFER_OAUTH_CLIENT_SECRET and $BUFFER_OAUTH_TOKEN rather than on the command line."};
  app.get_formatter()->column_width(44);
  app.fallthrough();  // global options may follow the subcommand
  app.require_subcommand(1);
  app.set_version_flag("--version", version_json(), "print {\"version\":...} and exit");
  provider_options provider_opts;
  add_provider_options(app, provider_opts);
  secret_inputs secrets;
  std::vector<CLI::Option*> argv_only_secrets;  // warned about when used
  const char* curl_help =
      "add \"curl\": this request as a curl command line reading its secrets from $BUFFER_OAUTH_*";

  authorize_url_args authorize;
  std::string authorize_state;
  auto* authorize_cmd = app.add_subcommand("authorize-url", "Build the URL to send the user's browser to");
  authorize_cmd->footer(
      example("buffer-oauth authorize-url --client-id ID --redirect-uri https://example.com/back --pkce"));
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
  redirect_cmd->footer(
      example("buffer-oauth parse-redirect 'https://example.com/back?code=1%2Fab&state=xyz' --redirect-uri "
              "https://example.com/back --state xyz"));
  redirect_cmd->add_option("url", redirect.url, "the full redirect URL")->required();
  redirect_cmd->add_option("--redirect-uri", redirect.redirect_uri, "the registered Callback URL")
      ->required();
  auto* expected_state = redirect_cmd->add_option("--state", redirect.state, "the state that was sent");
  redirect_cmd->add_flag("--no-state", redirect.no_state, "no state was sent (needs --pkce)")
      ->excludes(expected_state);
  redirect_cmd->add_flag("--pkce", redirect.pkce, "a PKCE code_challenge was sent");

  token_request_args swap;
  bool swap_curl = false;
  auto* token_cmd = app.add_subcommand("token-request", "Build the POST that swaps a code for a token");
  token_cmd->footer(
      example("buffer-oauth token-request --client-id ID --client-secret-file secret.txt --redirect-uri "
              "https://example.com/back --code 1/CODE --curl"));
  token_cmd->add_option("--client-id", swap.client_id, "your app's client_id")->required();
  secrets.add(token_cmd, client_secret_kind, swap.client_secret, "the client secret; none: a public client");
  token_cmd->add_option("--redirect-uri", swap.redirect_uri, "the Callback URL the code was sent to")
      ->required();
  auto* code_opt = token_cmd->add_option("--code", swap.code, "the code, decoded (1/...)")->required();
  auto* verifier_opt = token_cmd->add_option("--code-verifier", swap.code_verifier,
                                             "the PKCE verifier, if a challenge was sent");
  token_cmd->add_flag("--curl", swap_curl, curl_help);
  argv_only_secrets.insert(argv_only_secrets.end(), {code_opt, verifier_opt});

  response_options token_response;
  auto* parse_token_cmd = add_response_subcommand(
      app, "parse-token", "Parse a token endpoint response (body on stdin)", token_response);
  parse_token_cmd->footer(
      example("curl -sS -i -d @form https://api.bufferapp.com/1/oauth2/token.json | "
              "buffer-oauth parse-token --include"));

  refresh_request_args refresh_args;
  bool refresh_curl = false;
  auto* refresh_request_cmd =
      app.add_subcommand("refresh-request", "Build the POST that swaps a refresh token for a new token");
  refresh_request_cmd->footer(example("buffer-oauth refresh-request --refresh-token R --client-id ID"));
  argv_only_secrets.push_back(
      refresh_request_cmd->add_option("--refresh-token", refresh_args.refresh_token, "the refresh token")
          ->required());
  refresh_request_cmd->add_option("--client-id", refresh_args.client_id, "your app's client_id")->required();
  secrets.add(refresh_request_cmd, client_secret_kind, refresh_args.client_secret,
              "the client secret; none: a public client");
  refresh_request_cmd->add_option("--scope", refresh_args.scope, "narrower scopes (default: the grant's)");
  refresh_request_cmd->add_flag("--curl", refresh_curl, curl_help);

  response_options refresh_response;
  std::string previous_refresh_token;
  auto* parse_refresh_cmd = add_response_subcommand(
      app, "parse-refresh",
      "Parse the answer to a refresh (body on stdin); say if it rotated the refresh token", refresh_response);
  parse_refresh_cmd->footer(example("buffer-oauth parse-refresh --refresh-token R < answer.json"));
  argv_only_secrets.push_back(parse_refresh_cmd->add_option("--refresh-token", previous_refresh_token,
                                                            "the refresh token that was sent"));

  attach_args attach_opts;
  std::string attach_placement;
  bool attach_curl = false;
  auto* attach_cmd = app.add_subcommand("attach", "Put an access token on an API request");
  attach_cmd->footer(example(
      "BUFFER_OAUTH_TOKEN=... buffer-oauth attach --url https://api.bufferapp.com/1/profiles.json --curl"));
  attach_cmd->add_option("--url", attach_opts.url, "the API URL")->required();
  secrets.add(attach_cmd, token_kind, attach_opts.token, "the access token, without 'Bearer '");
  attach_cmd->add_option("--placement", attach_placement, "header (default), body or query")
      ->check(CLI::IsMember({"header", "body", "query"}));
  attach_cmd->add_option("--method", attach_opts.method, "HTTP method (default GET)");
  attach_cmd->add_option("--body", attach_opts.body, "request body");
  attach_cmd->add_option("--content-type", attach_opts.content_type, "Content-Type of the body");
  attach_cmd->add_flag("--curl", attach_curl, curl_help);

  std::string revoke_token, revoke_placement;
  bool revoke_curl = false;
  auto* revoke_cmd = app.add_subcommand("deauthorize-request", "Build the request that revokes a token");
  revoke_cmd->footer(
      example("buffer-oauth --provider buffer-legacy deauthorize-request --token-file token.txt"));
  secrets.add(revoke_cmd, token_kind, revoke_token, "the access token, without 'Bearer '");
  revoke_cmd->add_option("--placement", revoke_placement, "header (default), body or query")
      ->check(CLI::IsMember({"header", "body", "query"}));
  revoke_cmd->add_flag("--curl", revoke_curl, curl_help);

  std::string metadata_issuer;
  bool metadata_oidc = false, metadata_curl = false;
  auto* metadata_cmd =
      app.add_subcommand("metadata-request", "Build the GET of an issuer's metadata (RFC 8414, OIDC)");
  metadata_cmd->footer(example("buffer-oauth metadata-request --oidc --curl"));
  metadata_cmd->add_option("--issuer", metadata_issuer, "the issuer (default: the provider's)");
  metadata_cmd->add_flag("--oidc", metadata_oidc, "OpenID Connect's document instead of RFC 8414's");
  metadata_cmd->add_flag("--curl", metadata_curl, curl_help);

  response_options metadata_response;
  auto* parse_metadata_cmd = add_response_subcommand(
      app, "parse-metadata", "Read an issuer's metadata (body on stdin) into a provider over --provider",
      metadata_response);
  parse_metadata_cmd->footer(example(
      "curl -s https://auth.buffer.com/.well-known/openid-configuration | buffer-oauth parse-metadata"));
  parse_metadata_cmd->add_option("--issuer", metadata_issuer, "the issuer asked (default: the provider's)");

  buffer_oauth::registration_params registration;
  bool registration_curl = false;
  const char* redirect_uris_help = "a loopback redirect URI, repeatable";
  auto* registration_cmd =
      app.add_subcommand("registration-request", "Build the POST that registers a native app (RFC 7591)");
  registration_cmd->footer(
      example("buffer-oauth registration-request --redirect-uri http://127.0.0.1:8765/callback --client-name "
              "'My CLI'"));
  registration_cmd->add_option("--redirect-uri", registration.redirect_uris, redirect_uris_help)
      ->required()
      ->allow_extra_args(false);
  registration_cmd->add_option("--client-name", registration.client_name, "shown to the user at consent");
  registration_cmd->add_option("--scope", registration.scope, "space-separated scopes");
  registration_cmd->add_flag("--curl", registration_curl, curl_help);

  response_options registration_response;
  auto* parse_registration_cmd = add_response_subcommand(
      app, "parse-registration", "Read the registration endpoint's answer (body on stdin)",
      registration_response, 201);
  parse_registration_cmd->footer(
      example("buffer-oauth parse-registration --redirect-uri http://127.0.0.1:8765/callback < answer.json"));
  parse_registration_cmd->add_option("--redirect-uri", registration.redirect_uris, redirect_uris_help)
      ->required()
      ->allow_extra_args(false);

  revocation_args revocation;
  std::string revocation_hint;
  bool revocation_curl = false;
  auto* revocation_cmd =
      app.add_subcommand("revocation-request", "Build the POST that revokes a token (RFC 7009)");
  revocation_cmd->footer(
      example("buffer-oauth revocation-request --token-file refresh.txt --token-type-hint refresh_token "
              "--client-id ID"));
  secrets.add(revocation_cmd, token_kind, revocation.token, "the access or refresh token");
  revocation_cmd->add_option("--token-type-hint", revocation_hint, "access_token or refresh_token")
      ->check(CLI::IsMember(hint_names()));
  revocation_cmd->add_option("--client-id", revocation.client_id, "your app's client_id")->required();
  secrets.add(revocation_cmd, client_secret_kind, revocation.client_secret,
              "the client secret; none: a public client");
  revocation_cmd->add_flag("--curl", revocation_curl, curl_help);

  response_options revocation_response;
  auto* parse_revocation_cmd = add_response_subcommand(
      app, "parse-revocation", "Read the revocation endpoint's answer (body on stdin)", revocation_response);
  parse_revocation_cmd->footer(example("buffer-oauth parse-revocation --status 200 < /dev/null"));

  response_options api_response;
  auto* parse_api_cmd = add_response_subcommand(
      app, "parse-api-response", "Check an API answer (body on stdin) as the provider's API reports errors",
      api_response);
  parse_api_cmd->footer(
      example("buffer-oauth parse-api-response --status 429 --header 'Retry-After: 900' < answer.json"));

  auto* demo_cmd = app.add_subcommand(
      "demo",
      "The whole flow, offline, against a local Buffer-like provider: the current API, or with "
      "--provider buffer-legacy the REST API v1");
  demo_cmd->footer(example("buffer-oauth demo --provider buffer-legacy"));
  demo_cmd->callback([&] {
    if (provider_opts.name == "generic" || !provider_opts.authorize_endpoint.empty() ||
        !provider_opts.token_endpoint.empty() || !provider_opts.api_base.empty())
      throw CLI::ValidationError("demo",
                                 "plays Buffer against a local stand-in: use --provider buffer (the "
                                 "default) or --provider buffer-legacy, without endpoints");
  });

  login_args login_opts;
  bool open_browser = false;
  long timeout_seconds = 300;
  auto* login_cmd = app.add_subcommand("login", "Log in for real: loopback redirect, code swapped at once");
  login_cmd->footer(example("buffer-oauth login --client-id ID --open"));
  auto* client_id_opt = login_cmd->add_option("--client-id", login_opts.client_id, "your app's client_id");
  secrets.add(login_cmd, client_secret_kind, login_opts.client_secret,
              "a confidential client's secret; none: a public client");
  login_cmd
      ->add_flag("--register", login_opts.register_client,
                 "register a public client first (RFC 7591), for this login's Callback URL")
      ->excludes(client_id_opt)
      ->excludes("--client-secret")
      ->excludes("--client-secret-file");
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
  call_cmd->footer(
      example("buffer-oauth call https://api.buffer.com/ --json '{\"query\":\"{ account { id } }\"}'"));
  call_cmd->add_option("url", call_opts.url, "the API URL")->required();
  std::string call_method;
  auto* method_opt =
      call_cmd->add_option("--method", call_method, "HTTP method (default GET, POST with a body)");
  auto* data_opt = call_cmd->add_option("--data", call_data, "a form-encoded body");
  auto* json_opt = call_cmd->add_option("--json", call_json, "a JSON body")->excludes(data_opt);
  secrets.add(call_cmd, client_secret_kind, stored.client_secret, stored_secret_help);

  auto* refresh_cmd = app.add_subcommand("refresh", "Refresh the stored token now, and store the new one");
  refresh_cmd->footer(example("buffer-oauth refresh"));
  secrets.add(refresh_cmd, client_secret_kind, stored.client_secret, stored_secret_help);
  auto* logout_cmd =
      app.add_subcommand("logout", "Revoke the stored grant at the provider and delete the credentials file");
  logout_cmd->footer(example("buffer-oauth logout"));
  secrets.add(logout_cmd, client_secret_kind, stored.client_secret, stored_secret_help);

  buffer_oauth::provider provider;
  try {
    app.parse(argc, argv);
    const std::string subcommand = app.get_subcommands().front()->get_name();
    provider = make_provider(app, provider_opts, subcommand);
    secrets.resolve();
    for (const CLI::Option* option : argv_only_secrets)
      if (option->count() > 0) warn_on_argv(*option, "");
    if (metadata_issuer.empty()) metadata_issuer = provider.issuer;
    if ((*metadata_cmd || *parse_metadata_cmd) && metadata_issuer.empty())
      throw CLI::ValidationError("--issuer is needed: " + provider.name + " has no issuer of its own");
    if (*login_cmd && !login_opts.register_client && client_id_opt->count() == 0)
      throw CLI::ValidationError("login needs --client-id ID, or --register to register a client first");
    if (*login_cmd && login_opts.register_client && secrets.given(login_opts.client_secret))
      throw CLI::ValidationError("--register registers a public client, which has no secret: unset " +
                                 std::string(client_secret_kind.variable));
    if (*login_cmd && login_opts.client_secret.empty() && !login_opts.register_client &&
        !provider.public_clients && provider_opts.discover.empty())
      throw CLI::ValidationError("login needs --client-secret-file FILE (or --client-secret, or $" +
                                 std::string(client_secret_kind.variable) + "): " + provider.name +
                                 " has no public clients");
    for (const std::string* secret : {&swap.client_secret, &refresh_args.client_secret,
                                      &revocation.client_secret, &login_opts.client_secret})
      if (secrets.given(*secret) && secret->empty() &&
          provider.authentication == buffer_oauth::client_auth::request_body)
        throw CLI::ValidationError(
            "the client secret given is empty, and " + provider.name +
            " would send it in the request body as client_secret=: give the secret, or "
            "no client secret at all for a public client");
    if (*token_cmd)
      if (const auto message = percent_encoded_code_message(swap.code)) throw CLI::ValidationError(*message);
    for (const std::string* token : {&attach_opts.token, &revoke_token, &revocation.token})
      if (has_bearer_prefix(*token))
        throw CLI::ValidationError(
            "the token starts with 'Bearer ': give the token alone, without the "
            "'Bearer ' prefix; the request puts it back");
    if ((*attach_cmd || *revoke_cmd || *revocation_cmd) &&
        !(secrets.given(attach_opts.token) || secrets.given(revoke_token) || secrets.given(revocation.token)))
      throw CLI::ValidationError(subcommand + " needs the token: --token-file FILE, $" +
                                 std::string(token_kind.variable) + " or --token");
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
    const auto on_response = [](response_options& o, const auto& parse) -> command_result {
      if (auto unreadable = read_response(o)) return *std::move(unreadable);
      return parse(o.response);
    };
    bool as_curl = false;
    if (*authorize_cmd) {
      if (state_opt->count() > 0) authorize.state = authorize_state;
      result = authorize_url(provider, authorize);
    } else if (*redirect_cmd) {
      result = parse_redirect(provider, redirect);
    } else if (*token_cmd) {
      result = token_request(provider, swap);
      as_curl = swap_curl;
    } else if (*parse_token_cmd) {
      result = on_response(token_response, [&](const auto& r) { return parse_token(provider, r); });
    } else if (*refresh_request_cmd) {
      result = refresh_request(provider, refresh_args);
      as_curl = refresh_curl;
    } else if (*parse_refresh_cmd) {
      result = on_response(refresh_response,
                           [&](const auto& r) { return parse_refresh(provider, r, previous_refresh_token); });
    } else if (*attach_cmd) {
      attach_opts.placement = placement_named(attach_placement);
      result = attach(provider, attach_opts);
      as_curl = attach_curl;
    } else if (*revoke_cmd) {
      result = deauthorize_request(provider, revoke_token, placement_named(revoke_placement));
      as_curl = revoke_curl;
    } else if (*metadata_cmd) {
      result = metadata_request(provider, metadata_issuer, metadata_oidc);
      as_curl = metadata_curl;
    } else if (*parse_metadata_cmd) {
      result = on_response(metadata_response,
                           [&](const auto& r) { return parse_metadata(provider, metadata_issuer, r); });
    } else if (*registration_cmd) {
      result = registration_request(provider, registration);
      as_curl = registration_curl;
    } else if (*parse_registration_cmd) {
      result = on_response(registration_response,
                           [&](const auto& r) { return parse_registration(r, registration); });
    } else if (*revocation_cmd) {
      revocation.hint = hint_named(revocation_hint);
      result = revocation_request(provider, revocation);
      as_curl = revocation_curl;
    } else if (*parse_revocation_cmd) {
      result = on_response(revocation_response, [](const auto& r) { return parse_revocation(r); });
    } else if (*parse_api_cmd) {
      result = on_response(api_response, [&](const auto& r) { return parse_api_response(provider, r); });
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
    if (as_curl && result.exit_code == exit_success)
      result.output["curl"] = curl_command(request_from(result.output));
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
