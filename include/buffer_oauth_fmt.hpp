// SPDX-License-Identifier: MIT
//
// buffer_oauth_fmt.hpp: optional {fmt} formatters for buffer_oauth's types,
// safe to send to a log, and the redaction they use as functions of its own
// (redacted_url, redacted_form, redacted_value). Secrets never appear; each
// one is replaced by the number of bytes hidden, as in "[redacted, 28 bytes]",
// after Buffer's version prefix where the secret_parameters table says the
// value has one: "1/[redacted, 32 bytes]", "1%2F[redacted, 26 bytes]" in a URL.
// What is hidden:
//   - the values of the parameters in buffer_oauth's secret_parameters table
//     (client_secret, code, state, access_token, token, client_assertion...)
//     in URL queries, URL fragments and form bodies (names compared after
//     percent-decoding, case-insensitively), and any piece without '=' that
//     is not a plain word;
//   - URL userinfo, scheme-relative URLs ("//user:pw@host") included;
//   - Authorization and Proxy-Authorization credentials (the scheme is kept;
//     a Bearer credential is redacted as an access_token), Cookie and Set-Cookie, and any header whose name
//     mentions auth, token, secret, key, session, password or cookie (WWW-Authenticate excepted);
//   - request bodies without exactly one application/x-www-form-urlencoded
//     Content-Type (two that disagree are ambiguous), every response body,
//     and error::body unless it is a markup page (an HTML error page is
//     shown, its token-shaped runs redacted and cut at 512 bytes; a JSON or
//     form body, which may hold a short secret, never is);
//   - token::access_token, token::refresh_token, credentials::access_token,
//     credentials::refresh_token, client::secret and
//     registered_client::registration_access_token.
// Bytes outside printable ASCII (and '\') are shown as \xNN, so one value is
// one log line. Every formatter accepts the string format spec: {:>60}.
//
//   #include <buffer_oauth_fmt.hpp>   // needs <fmt/format.h> (fmt 9 or later)
//   fmt::print("{}\n", request);       // POST https://api.bufferapp.com/...
//
// CMake: link buffer_oauth::fmt. Meson: dependency('buffer_oauth_fmt').

#ifndef BUFFER_OAUTH_FMT_HPP
#define BUFFER_OAUTH_FMT_HPP

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "buffer_oauth.hpp"

namespace buffer_oauth::detail::redact {

/// Header-name fragments that mark a credential-bearing header.
inline constexpr std::string_view secret_header_words[] = {"auth",    "token",    "secret", "key",
                                                           "session", "password", "cookie"};

inline void length(std::string& out, std::size_t n) {
  out += "[redacted, ";
  out += std::to_string(n);
  out += n == 1 ? " byte]" : " bytes]";
}

/// Appends `s` with every byte outside printable ASCII, and '\', as \xNN.
inline void printable(std::string& out, std::string_view s) {
  constexpr char hex[] = "0123456789abcdef";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0x0f];
    }
  }
}

inline void quoted(std::string& out, std::string_view s) {
  out += '"';
  printable(out, s);
  out += '"';
}

/// A piece of a query or form without '=' is shown only when it is a plain
/// word; anything else (a JSON document sent as a form, say) may hold a secret.
inline bool is_plain_word(std::string_view piece) {
  return all_of(piece, [](unsigned char c) noexcept { return is_unreserved(c) || c == '%' || c == '+'; });
}

/// Length of the version prefix Buffer puts on its codes and tokens: one to
/// three digits then '/' ("%2F" in a URL or form), as in "1/..." and
/// "1%2F...". It is the same on every code and token, so it gives nothing
/// away; 0 when the value has none, or when the prefix is the whole value.
inline std::size_t version_prefix(std::string_view value) {
  std::size_t digits = 0;
  while (digits < value.size() && digits < 3 && is_digit(static_cast<unsigned char>(value[digits]))) ++digits;
  if (digits == 0) return 0;
  const std::string_view rest = value.substr(digits);
  std::size_t slash = 0;
  if (rest.substr(0, 1) == "/")
    slash = 1;
  else if (iequals(rest.substr(0, 3), "%2F"))
    slash = 3;
  return slash != 0 && digits + slash < value.size() ? digits + slash : 0;
}

/// Appends the value of a secret parameter: its version prefix where the
/// table says it has one, then the number of bytes hidden.
inline void secret_value(std::string& out, const secret_parameter& parameter, std::string_view value) {
  const std::size_t shown = parameter.version_prefixed ? version_prefix(value) : 0;
  printable(out, value.substr(0, shown));
  length(out, value.size() - shown);
}

/// The same for a value known by its parameter's name; a name the table does
/// not list shows no prefix.
inline void secret_value(std::string& out, std::string_view name, std::string_view value) {
  static constexpr secret_parameter unlisted{{}, false};
  const secret_parameter* parameter = find_secret_parameter(name);
  secret_value(out, parameter != nullptr ? *parameter : unlisted, value);
}

/// Appends a query, fragment or form body, pair by pair ('&' or ';'
/// separated), with the value of every secret parameter redacted (the names
/// are buffer_oauth's secret_parameters table).
inline void form(std::string& out, std::string_view text) {
  while (true) {
    const std::size_t end = text.find_first_of("&;");
    const std::string_view piece = text.substr(0, end);
    const std::size_t eq = piece.find('=');
    const secret_parameter* secret =
        eq == std::string_view::npos ? nullptr : find_secret_parameter(piece.substr(0, eq));
    if (secret != nullptr) {
      printable(out, piece.substr(0, eq + 1));
      secret_value(out, *secret, piece.substr(eq + 1));
    } else if (eq == std::string_view::npos && !is_plain_word(piece)) {
      length(out, piece.size());
    } else {
      printable(out, piece);
    }
    if (end == std::string_view::npos) break;
    out += text[end];
    text.remove_prefix(end + 1);
  }
}

/// Appends a URL with userinfo and secret query/fragment values redacted.
inline void url(std::string& out, std::string_view u) {
  const std::size_t scheme_end = u.find("://");
  const std::size_t query_or_fragment = u.find_first_of("?#");
  const bool scheme_relative = u.substr(0, 2) == "//";
  if (scheme_relative || (scheme_end != std::string_view::npos && scheme_end < query_or_fragment)) {
    const std::size_t authority = scheme_relative ? 2 : scheme_end + 3;
    const std::size_t authority_end = u.find_first_of("/?#", authority);
    const std::string_view auth = u.substr(authority, authority_end - authority);
    const std::size_t at = auth.rfind('@');
    printable(out, u.substr(0, authority));
    if (at != std::string_view::npos) {
      length(out, at);
      out += '@';
    }
    printable(out, auth.substr(at == std::string_view::npos ? 0 : at + 1));
    u.remove_prefix(authority_end == std::string_view::npos ? u.size() : authority_end);
  }
  const std::size_t hash = u.find('#');
  const std::string_view before_fragment = u.substr(0, hash);
  const std::size_t q = before_fragment.find('?');
  printable(out, before_fragment.substr(0, q));
  if (q != std::string_view::npos) {
    out += '?';
    form(out, before_fragment.substr(q + 1));
  }
  if (hash != std::string_view::npos) {
    out += '#';
    form(out, u.substr(hash + 1));
  }
}

inline bool contains_word(std::string_view name, std::string_view word) {
  if (word.size() > name.size()) return false;
  for (std::size_t i = 0; i + word.size() <= name.size(); ++i)
    if (iequals(name.substr(i, word.size()), word)) return true;
  return false;
}

inline void header(std::string& out, const http_header& h) {
  printable(out, h.name);
  out += ": ";
  if (iequals(h.name, "Authorization") || iequals(h.name, "Proxy-Authorization")) {
    std::size_t scheme = 0;  // keep "Bearer" / "Basic": useful and not secret
    while (scheme < h.value.size() && is_tchar(static_cast<unsigned char>(h.value[scheme]))) ++scheme;
    if (scheme > 0 && scheme < h.value.size() && h.value[scheme] == ' ') {
      const std::string_view credentials = std::string_view(h.value).substr(scheme + 1);
      out.append(h.value, 0, scheme + 1);
      if (iequals(std::string_view(h.value).substr(0, scheme), "Bearer"))
        secret_value(out, "access_token", credentials);  // a bearer credential is an access token
      else
        length(out, credentials.size());
    } else {
      length(out, h.value.size());
    }
    return;
  }
  if (iequals(h.name, "Location") || iequals(h.name, "Content-Location") || iequals(h.name, "Referer")) {
    url(out, h.value);
    return;
  }
  if (!iequals(h.name, "WWW-Authenticate")) {
    for (std::string_view word : secret_header_words) {
      if (contains_word(h.name, word)) {
        length(out, h.value.size());
        return;
      }
    }
  }
  printable(out, h.value);
}

inline std::string text(const http_header& h) {
  std::string out;
  header(out, h);
  return out;
}

inline void headers(std::string& out, const http_headers& hs) {
  for (const auto& h : hs) {
    out += "; ";
    header(out, h);
  }
}

/// How much of an error's markup page one formatted error shows.
inline constexpr std::size_t shown_page_cap = 512;

/// Whether an error's body is a markup page, such as a proxy's HTML error
/// page, which is shown with its token-shaped runs redacted. A JSON or form
/// body is not: it may carry a secret too short to be such a run.
inline bool is_markup_page(std::string_view body) {
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && body[first] == '<';
}

/// Appends a markup page redacted as error_body redacts, every run of white
/// space as one space so that the page stays on one line, then cut.
inline void page(std::string& out, std::string_view body) {
  const std::string redacted = error_body(body);
  std::string shown;
  for (char ch : redacted) {
    const bool space = ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
    if (!space)
      shown += ch;
    else if (shown.empty() || shown.back() != ' ')
      shown += ' ';
  }
  printable(out, std::string_view(shown).substr(0, shown_page_cap));
  if (shown.size() > shown_page_cap)
    out += "[... " + std::to_string(shown.size() - shown_page_cap) + " more bytes]";
}

inline std::string text(errc code) {
  const std::string_view name = to_string(code);
  if (name != "unknown") return std::string(name);
  return "errc(" + std::to_string(static_cast<unsigned>(code)) + ")";
}

inline std::string text(const error& e) {
  std::string out = text(e.code);
  if (!e.message.empty()) {
    out += ": ";
    printable(out, e.message);
  }
  std::string extra;
  auto field = [&extra](std::string_view name) -> std::string& {
    if (!extra.empty()) extra += ", ";
    extra += name;
    return extra;
  };
  if (e.http_status != 0) field("HTTP ") += std::to_string(e.http_status);
  if (is_markup_page(e.body)) {
    std::string& s = field("body \"");
    page(s, e.body);
    s += '"';
  } else if (!e.body.empty()) {
    length(field("body "), e.body.size());
  }
  if (!e.from_provider.error.empty()) quoted(field("provider error "), e.from_provider.error);
  if (!e.from_provider.error_description.empty())
    quoted(field("description "), e.from_provider.error_description);
  if (!e.from_provider.error_uri.empty()) {
    std::string& s = field("uri \"");
    url(s, e.from_provider.error_uri);
    s += '"';
  }
  if (e.api_code != 0) field("api code ") += std::to_string(e.api_code);
  if (!e.api_error_code.empty()) {  // a code the library knows as is, any other as provider text
    const bool known = find_field(graphql_codes, e.api_error_code) != nullptr;
    quoted(field("api code "), known ? e.api_error_code : error_body(e.api_error_code));
  }
  if (e.retry_after) field("retry after ") += std::to_string(e.retry_after->count()) + " s";
  if (!e.retry_after_date.empty()) quoted(field("retry after "), e.retry_after_date);
  if (!e.rate_limit_window.empty()) quoted(field("window "), e.rate_limit_window);
  if (!extra.empty()) {
    out += " [";
    out += extra;
    out += ']';
  }
  return out;
}

/// Only a body with one unambiguous form Content-Type is shown pair by pair.
inline bool is_form(const http_headers& hs) { return read_content_type(hs).is_form(); }

inline std::string text(const http_request& r) {
  std::string out;
  printable(out, r.method);
  out += ' ';
  url(out, r.url);
  headers(out, r.headers);
  if (!r.body.empty()) {
    if (is_form(r.headers)) {
      out += "; body: ";
      form(out, r.body);
    } else {
      out += "; body ";
      length(out, r.body.size());
    }
  }
  return out;
}

inline std::string text(const http_response& r) {
  std::string out = "HTTP " + std::to_string(r.status);
  headers(out, r.headers);
  if (!r.body.empty()) {
    out += "; body ";
    length(out, r.body.size());
  }
  return out;
}

inline std::string text(const token& t) {
  std::string out = "token{access_token: ";
  secret_value(out, "access_token", t.access_token);
  out += ", token_type: ";
  quoted(out, t.token_type);
  out += ", expires_in: ";
  out += t.expires_in ? std::to_string(*t.expires_in) : std::string("none");
  out += ", refresh_token: ";
  if (t.refresh_token.empty())
    out += "none";
  else
    secret_value(out, "refresh_token", t.refresh_token);
  if (t.refresh_token_rotated) out += " (rotated)";
  out += ", scope: ";
  quoted(out, t.scope);
  out += ", no_store: ";
  out += t.no_store ? "true" : "false";
  out += ", leniencies: [";
  bool first = true;
  for (const auto& l : all_leniencies) {
    if (!t.applied(l.id)) continue;
    if (!first) out += ", ";
    first = false;
    out += l.name;
  }
  out += "]}";
  return out;
}

inline std::string text(const credentials& c) {
  std::string out = "credentials{generation: " + std::to_string(c.generation) + ", access_token: ";
  secret_value(out, "access_token", c.access_token);
  out += ", token_type: ";
  quoted(out, c.token_type);
  out += ", scope: ";
  quoted(out, c.scope);
  out += ", obtained_at: " + std::to_string(c.obtained_at.count()) + " ms, expires_at: ";
  out += c.expires_at ? std::to_string(c.expires_at->count()) + " ms" : std::string("unknown");
  out += ", refresh_token: ";
  if (c.refresh_token.empty())
    out += "none";
  else
    secret_value(out, "refresh_token", c.refresh_token);
  out += '}';
  return out;
}

inline std::string text(const client& c) {
  std::string out = "client{id: ";
  quoted(out, c.id);
  out += ", secret: ";
  secret_value(out, "client_secret", c.secret);
  out += ", redirect_uri: \"";
  url(out, c.redirect_uri);
  out += "\"}";
  return out;
}

inline std::string text(const registered_client& r) {
  std::string out = "registered_client{app: " + text(r.app) + ", registration_access_token: ";
  if (r.registration_access_token.empty())
    out += "none";
  else
    secret_value(out, "registration_access_token", r.registration_access_token);
  out += ", registration_client_uri: \"";
  url(out, r.registration_client_uri);
  out += "\", client_secret_expires_at: ";
  out += r.client_secret_expires_at ? std::to_string(*r.client_secret_expires_at) : std::string("none");
  out += '}';
  return out;
}

inline std::string text(const flow& f) {
  std::string out = "flow{state: ";
  out += to_string(f.state());
  out += ", pkce: ";
  out += f.uses_pkce() ? "on" : "off";
  if (const error* failure = f.failure()) {
    out += ", failure: ";
    out += text(*failure);
  }
  if (f.state() == flow_state::authorized) {
    out += ", ";
    out += text(f.access());
  }
  out += '}';
  return out;
}

/// Formats through formatter<string_view>, so width and alignment work.
template <class T>
struct formatter : ::fmt::formatter<::fmt::string_view> {
  template <class FormatContext>
  auto format(const T& value, FormatContext& ctx) const -> decltype(ctx.out()) {
    const std::string s = text(value);
    return ::fmt::formatter<::fmt::string_view>::format(::fmt::string_view(s.data(), s.size()), ctx);
  }
};

/// For enums that have a constexpr to_string: no allocation.
template <class E>
struct name_formatter : ::fmt::formatter<::fmt::string_view> {
  template <class FormatContext>
  auto format(E value, FormatContext& ctx) const -> decltype(ctx.out()) {
    const std::string_view s = to_string(value);
    return ::fmt::formatter<::fmt::string_view>::format(::fmt::string_view(s.data(), s.size()), ctx);
  }
};

}  // namespace buffer_oauth::detail::redact

namespace buffer_oauth {

/// A URL safe to show: userinfo and the values of secret parameters in its
/// query and fragment redacted as the formatters redact them.
///   "https://h/cb?c%6Fde=1%2FmWot20&state=xyz" ->
///   "https://h/cb?c%6Fde=1%2F[redacted, 6 bytes]&state=[redacted, 3 bytes]"
inline std::string redacted_url(std::string_view url) {
  std::string out;
  detail::redact::url(out, url);
  return out;
}

/// A query string or form body safe to show, pair by pair as redacted_url
/// shows a query: "client_id=app&client_secret=[redacted, 6 bytes]".
inline std::string redacted_form(std::string_view form) {
  std::string out;
  detail::redact::form(out, form);
  return out;
}

/// `value`, the value of the parameter `name` (form-encoded, matched as in a
/// form), redacted: redacted_value("access_token", "1/abcd") is
/// "1/[redacted, 4 bytes]". A name outside the secret_parameters table is
/// still redacted, without a prefix.
inline std::string redacted_value(std::string_view name, std::string_view value) {
  std::string out;
  detail::redact::secret_value(out, name, value);
  return out;
}

}  // namespace buffer_oauth

/// "state_mismatch"; an unknown value prints as "errc(123)".
template <>
struct fmt::formatter<buffer_oauth::errc> : buffer_oauth::detail::redact::formatter<buffer_oauth::errc> {};
/// "state_mismatch: <message> [HTTP 400, body [redacted, 57 bytes], provider error "invalid_grant"]"
template <>
struct fmt::formatter<buffer_oauth::error> : buffer_oauth::detail::redact::formatter<buffer_oauth::error> {};
/// "Authorization: Bearer 1/[redacted, 32 bytes]"
template <>
struct fmt::formatter<buffer_oauth::http_header>
    : buffer_oauth::detail::redact::formatter<buffer_oauth::http_header> {};
/// "POST https://api.bufferapp.com/1/oauth2/token.json; Content-Type: ...; body:
/// client_id=..&code=1/[redacted, 23 bytes]&..."
template <>
struct fmt::formatter<buffer_oauth::http_request>
    : buffer_oauth::detail::redact::formatter<buffer_oauth::http_request> {};
/// "HTTP 200; Content-Type: application/json; body [redacted, 57 bytes]"
template <>
struct fmt::formatter<buffer_oauth::http_response>
    : buffer_oauth::detail::redact::formatter<buffer_oauth::http_response> {};
/// "token{access_token: 1/[redacted, 32 bytes], token_type: "bearer", expires_in: 3600, ...}"
template <>
struct fmt::formatter<buffer_oauth::token> : buffer_oauth::detail::redact::formatter<buffer_oauth::token> {};
/// "credentials{generation: 2, access_token: 1/[redacted, 32 bytes], token_type: "bearer", scope: "",
/// obtained_at: 1700000000000 ms, expires_at: 1700003600000 ms, refresh_token: [redacted, 22 bytes]}"
template <>
struct fmt::formatter<buffer_oauth::credentials>
    : buffer_oauth::detail::redact::formatter<buffer_oauth::credentials> {};
/// "client{id: "abc", secret: [redacted, 6 bytes], redirect_uri: "https://client.example/back"}"
template <>
struct fmt::formatter<buffer_oauth::client> : buffer_oauth::detail::redact::formatter<buffer_oauth::client> {
};
/// "registered_client{app: client{...}, registration_access_token: [redacted, 43 bytes], ...}"
template <>
struct fmt::formatter<buffer_oauth::registered_client>
    : buffer_oauth::detail::redact::formatter<buffer_oauth::registered_client> {};
/// "flow{state: failed, pkce: off, failure: state_mismatch: ...}"
template <>
struct fmt::formatter<buffer_oauth::flow> : buffer_oauth::detail::redact::formatter<buffer_oauth::flow> {};
/// "awaiting_redirect"
template <>
struct fmt::formatter<buffer_oauth::flow_state>
    : buffer_oauth::detail::redact::name_formatter<buffer_oauth::flow_state> {};
/// "redirect"
template <>
struct fmt::formatter<buffer_oauth::flow_event>
    : buffer_oauth::detail::redact::name_formatter<buffer_oauth::flow_event> {};
/// "refreshing_rejected"
template <>
struct fmt::formatter<buffer_oauth::session_state>
    : buffer_oauth::detail::redact::name_formatter<buffer_oauth::session_state> {};
/// "refresh_failed"
template <>
struct fmt::formatter<buffer_oauth::session_event>
    : buffer_oauth::detail::redact::name_formatter<buffer_oauth::session_event> {};
/// "token_type_defaulted"
template <>
struct fmt::formatter<buffer_oauth::leniency>
    : buffer_oauth::detail::redact::name_formatter<buffer_oauth::leniency> {};

#endif  // BUFFER_OAUTH_FMT_HPP
