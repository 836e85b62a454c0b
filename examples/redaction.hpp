// redaction.hpp: secrets shortened for display, e.g. "1/…(redacted, 28 chars)".
// Used by `demo` and `login`; the debugging subcommands print in full what
// they exist to print (see README.md).
#ifndef BUFFER_OAUTH_EXAMPLES_REDACTION_HPP
#define BUFFER_OAUTH_EXAMPLES_REDACTION_HPP

#include <fmt/format.h>
#include <buffer_oauth.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace buffer_oauth_cli {

/// Length of a Buffer-style version prefix: digits then '/' (or "%2F" in a
/// URL), as in "1/..." and "1%2F...". It is the same on every code and token,
/// so showing it gives nothing away; 0 when the value has none.
inline std::size_t version_prefix(std::string_view value) {
  std::size_t digits = 0;
  while (digits < value.size() && digits < 3 && std::isdigit(static_cast<unsigned char>(value[digits])))
    ++digits;
  if (digits == 0) return 0;
  const std::string_view rest = value.substr(digits);
  if (!rest.empty() && rest.front() == '/') return digits + 1;
  if (rest.size() >= 3 && rest[0] == '%' && rest[1] == '2' && (rest[2] == 'F' || rest[2] == 'f'))
    return digits + 3;
  return 0;
}

/// The value's length and, with `show_prefix`, its version prefix: never a
/// character the secret's entropy is in.
inline std::string redact(std::string_view secret, bool show_prefix = true) {
  const std::size_t prefix = show_prefix ? version_prefix(secret) : 0;
  // A prefix that is the whole value would not be redacted at all.
  const std::string_view shown = prefix < secret.size() ? secret.substr(0, prefix) : std::string_view();
  return fmt::format("{}{}(redacted, {} chars)", shown, shown.empty() ? "" : "…", secret.size());
}

/// A query string or form body with the value of every sensitive parameter
/// redacted; everything else is kept byte for byte.
inline std::string redact_form(std::string_view form) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t amp = std::min(form.find('&', pos), form.size());
    const std::string_view piece = form.substr(pos, amp - pos);
    const std::size_t eq = piece.find('=');
    // The names and which may show a version prefix: the core's one table.
    const auto* secret = eq == std::string_view::npos
                             ? nullptr
                             : buffer_oauth::detail::find_secret_parameter(piece.substr(0, eq));
    if (secret) {
      out.append(piece.substr(0, eq + 1));
      out += redact(piece.substr(eq + 1), secret->version_prefixed);
    } else {
      out.append(piece);
    }
    if (amp == form.size()) return out;
    out += '&';
    pos = amp + 1;
  }
}

/// A URL with the sensitive parameters of its query and fragment redacted
/// (an implicit-grant style fragment carries access_token and state).
inline std::string redact_url(std::string_view url) {
  const std::size_t fragment = std::min(url.find('#'), url.size());
  const std::size_t query = std::min(url.substr(0, fragment).find('?'), fragment);
  std::string out(url.substr(0, query));
  if (query < fragment) {
    out += '?';
    out += redact_form(url.substr(query + 1, fragment - query - 1));
  }
  if (fragment < url.size()) {
    out += '#';
    out += redact_form(url.substr(fragment + 1));
  }
  return out;
}

/// A request safe to print: URL query, form body and credentials redacted.
inline buffer_oauth::http_request redact_request(buffer_oauth::http_request req) {
  req.url = redact_url(req.url);
  req.body = redact_form(req.body);
  for (auto& header : req.headers) {
    if (!buffer_oauth::detail::iequals(header.name, "Authorization")) continue;
    const std::size_t space = header.value.find(' ');
    const std::string_view scheme = std::string_view(header.value).substr(0, space);
    const bool bearer = buffer_oauth::detail::iequals(scheme, "Bearer");
    header.value =
        space == std::string::npos
            ? redact(header.value, false)
            : fmt::format("{} {}", scheme, redact(std::string_view(header.value).substr(space + 1), bearer));
  }
  return req;
}

}  // namespace buffer_oauth_cli

#endif
