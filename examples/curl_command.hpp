// curl_command.hpp: a request as a curl command line for a POSIX shell, with
// every secret read from an environment variable ("${BUFFER_OAUTH_TOKEN}")
// instead of written out, so the line can be shown, pasted and kept.
#ifndef BUFFER_OAUTH_EXAMPLES_CURL_COMMAND_HPP
#define BUFFER_OAUTH_EXAMPLES_CURL_COMMAND_HPP

#include <buffer_oauth.hpp>

#include <string>
#include <string_view>

namespace buffer_oauth_cli {

/// The environment variables a curl line reads its secrets from.
inline constexpr std::string_view client_secret_variable = "BUFFER_OAUTH_CLIENT_SECRET";
inline constexpr std::string_view token_variable = "BUFFER_OAUTH_TOKEN";
inline constexpr std::string_view refresh_token_variable = "BUFFER_OAUTH_REFRESH_TOKEN";
inline constexpr std::string_view code_variable = "BUFFER_OAUTH_CODE";
inline constexpr std::string_view code_verifier_variable = "BUFFER_OAUTH_CODE_VERIFIER";

namespace detail {

/// One word for sh: single quotes, a quote inside written '\''.
inline std::string shell_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

/// A word that the shell expands to the variable's value, unsplit.
inline std::string shell_variable(std::string_view name) {
  std::string out = "\"${";
  out += name;
  return out + "}\"";
}

/// The variable that stands for a form field or query parameter, by its
/// decoded name; empty for a field that is no secret.
inline std::string_view secret_variable(std::string_view raw_name) {
  struct named {
    std::string_view field, variable;
  };
  static constexpr named secrets[] = {
      {"client_secret", client_secret_variable},
      {"code", code_variable},
      {"code_verifier", code_verifier_variable},
      {"refresh_token", refresh_token_variable},
      {"token", token_variable},
      {"access_token", token_variable},
  };
  for (const auto& s : secrets)
    if (buffer_oauth::detail::form_component_equals(raw_name, s.field)) return s.variable;
  return {};
}

/// The URL as shell words: a secret in its query (a token placed there)
/// replaced by its variable.
inline std::string url_words(std::string_view url) {
  const std::size_t question = url.find('?');
  if (question == std::string_view::npos) return shell_quoted(url);
  const std::size_t hash = url.find('#', question);
  const std::string_view query =
      url.substr(question + 1, hash == std::string_view::npos ? hash : hash - question - 1);
  std::string out, literal(url.substr(0, question + 1));
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = query.find('&', start);
    const std::string_view pair = query.substr(start, end == std::string_view::npos ? end : end - start);
    const std::size_t equals = pair.find('=');
    const std::string_view variable =
        equals == std::string_view::npos ? std::string_view{} : secret_variable(pair.substr(0, equals));
    if (variable.empty()) {
      literal += pair;
    } else {
      literal += pair.substr(0, equals + 1);
      out += shell_quoted(literal) + shell_variable(variable);
      literal.clear();
    }
    if (end == std::string_view::npos) break;
    literal += '&';
    start = end + 1;
  }
  if (hash != std::string_view::npos) literal += url.substr(hash);
  if (!literal.empty()) out += shell_quoted(literal);
  return out;
}

/// The form-encoded client_id of an "Authorization: Basic" value, or empty.
inline std::string basic_client_id(std::string_view credentials) {
  std::string url_alphabet(credentials);  // base64 to base64url, unpadded: what the core decodes
  for (char& c : url_alphabet) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!url_alphabet.empty() && url_alphabet.back() == '=') url_alphabet.pop_back();
  auto decoded = buffer_oauth::base64url_decode(url_alphabet);
  if (!decoded) return {};
  return decoded->substr(0, decoded->find(':'));
}

}  // namespace detail

/// `curl` with options that send `req` as the core built it: no redirect
/// followed, the response's status line and headers printed before its
/// body (-i, what parse-token --include reads). Secrets come from the
/// variables above: a form field through --data-urlencode, which encodes
/// the value as the core would, except a value the core sent unencoded with
/// a '/' (Buffer's code, refused with its '/' encoded), which goes as it is; a
/// client secret for HTTP Basic through --user, which takes it as it is.
inline std::string curl_command(const buffer_oauth::http_request& req) {
  std::string line = "curl -sS -i -g";  // -g: [::1] in a URL is a host, not a glob
  const bool has_body = !req.body.empty();
  if (req.method != (has_body ? "POST" : "GET")) line += " --request " + detail::shell_quoted(req.method);
  const std::string* content_type = buffer_oauth::find_header(req.headers, "Content-Type");
  for (const auto& h : req.headers) {
    if (buffer_oauth::detail::iequals(h.name, "Authorization")) {
      const std::string_view value = h.value;
      if (value.substr(0, 6) == "Basic ") {
        line += " --user " + detail::shell_quoted(detail::basic_client_id(value.substr(6)) + ":") +
                detail::shell_variable(client_secret_variable);
        continue;
      }
      if (value.substr(0, 7) == "Bearer ") {
        line +=
            " -H " + detail::shell_quoted("Authorization: Bearer ") + detail::shell_variable(token_variable);
        continue;
      }
    }
    line += " -H " + detail::shell_quoted(h.name + ": " + h.value);
  }
  // Buffer's code, "1/" and letters, goes as it is: --data-urlencode would
  // encode its '/', which Buffer refuses. A value the core had to encode does not.
  const auto keeps_slash = [](std::string_view encoded) {
    return encoded.find('/') != std::string_view::npos &&
           encoded.find_first_of("%+") == std::string_view::npos;
  };
  if (has_body) {
    if (content_type != nullptr && *content_type == "application/x-www-form-urlencoded") {
      // One --data per field: curl joins them with '&' in this order.
      std::size_t start = 0;
      for (;;) {
        const std::size_t end = req.body.find('&', start);
        const std::string_view pair =
            std::string_view(req.body).substr(start, end == std::string::npos ? end : end - start);
        const std::size_t equals = pair.find('=');
        const std::string_view variable = equals == std::string_view::npos
                                              ? std::string_view{}
                                              : detail::secret_variable(pair.substr(0, equals));
        if (variable.empty())
          line += " --data-raw " + detail::shell_quoted(pair);
        else
          line += std::string(keeps_slash(pair.substr(equals + 1)) ? " --data-raw " : " --data-urlencode ") +
                  detail::shell_quoted(pair.substr(0, equals + 1)) + detail::shell_variable(variable);
        if (end == std::string::npos) break;
        start = end + 1;
      }
    } else {
      line += " --data-binary " + detail::shell_quoted(req.body);
    }
  }
  return line + " " + detail::url_words(req.url);
}

}  // namespace buffer_oauth_cli

#endif
