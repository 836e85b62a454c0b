// redaction.hpp: secrets shortened for display, e.g. "1/ab…(redacted, 28 chars)".
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

/// At most 4 leading characters, and never more than a quarter of the value,
/// so a short secret shows nothing. `show_prefix` false hides even those.
inline std::string redact(std::string_view secret, bool show_prefix = true) {
  const std::size_t prefix = show_prefix ? std::min<std::size_t>(4, secret.size() / 4) : 0;
  return fmt::format("{}{}(redacted, {} chars)", secret.substr(0, prefix), prefix ? "…" : "", secret.size());
}

namespace detail {
inline bool ascii_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

struct sensitive_parameter {
  std::string_view name;
  bool show_prefix;
};
// OAuth parameters whose values are secrets. The client secret never shows a
// single character.
inline constexpr sensitive_parameter sensitive_parameters[] = {
    {"client_secret", false}, {"code", true},         {"code_verifier", true},
    {"state", true},          {"access_token", true}, {"refresh_token", true},
};

inline const sensitive_parameter* find_sensitive(std::string_view name) {
  for (const auto& p : sensitive_parameters)
    if (p.name == name) return &p;
  return nullptr;
}
}  // namespace detail

/// A query string or form body with the value of every sensitive parameter
/// redacted; everything else is kept byte for byte.
inline std::string redact_form(std::string_view form) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t amp = std::min(form.find('&', pos), form.size());
    const std::string_view piece = form.substr(pos, amp - pos);
    const std::size_t eq = piece.find('=');
    const auto* sensitive =
        eq == std::string_view::npos ? nullptr : detail::find_sensitive(piece.substr(0, eq));
    if (sensitive) {
      out.append(piece.substr(0, eq + 1));
      out += redact(piece.substr(eq + 1), sensitive->show_prefix);
    } else {
      out.append(piece);
    }
    if (amp == form.size()) return out;
    out += '&';
    pos = amp + 1;
  }
}

/// A URL with the sensitive parameters of its query redacted.
inline std::string redact_url(std::string_view url) {
  const std::size_t query = url.find('?');
  if (query == std::string_view::npos) return std::string(url);
  const std::size_t fragment = std::min(url.find('#', query), url.size());
  std::string out(url.substr(0, query + 1));
  out += redact_form(url.substr(query + 1, fragment - query - 1));
  out.append(url.substr(fragment));
  return out;
}

/// A request safe to print: URL query, form body and credentials redacted.
inline buffer_oauth::http_request redact_request(buffer_oauth::http_request req) {
  req.url = redact_url(req.url);
  req.body = redact_form(req.body);
  for (auto& header : req.headers) {
    if (!detail::ascii_iequals(header.name, "Authorization")) continue;
    const std::size_t space = header.value.find(' ');
    const std::string_view scheme = std::string_view(header.value).substr(0, space);
    const bool bearer = detail::ascii_iequals(scheme, "Bearer");
    header.value =
        space == std::string::npos
            ? redact(header.value, false)
            : fmt::format("{} {}", scheme, redact(std::string_view(header.value).substr(space + 1), bearer));
  }
  return req;
}

}  // namespace buffer_oauth_cli

#endif
