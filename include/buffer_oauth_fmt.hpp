// SPDX-License-Identifier: MIT
//
// buffer_oauth_fmt.hpp: optional {fmt} formatters for buffer_oauth's types,
// safe to send to a log. Secrets never appear; each one is replaced by its
// length, as in "[redacted, 28 bytes]":
//   - the values of the parameters in buffer_oauth's secret_parameters table
//     (client_secret, code, state, access_token, token, client_assertion...)
//     in URL queries, URL fragments and form bodies (names compared after
//     percent-decoding, case-insensitively), and any piece without '=' that
//     is not a plain word;
//   - URL userinfo, scheme-relative URLs ("//user:pw@host") included;
//   - Authorization and Proxy-Authorization credentials (the scheme is kept),
//     Cookie and Set-Cookie, and any header whose name mentions auth, token,
//     secret, key, session, password or cookie (WWW-Authenticate excepted);
//   - request bodies without exactly one application/x-www-form-urlencoded
//     Content-Type (two that disagree are ambiguous), every
//     response body and error::body (a JSON token response is never shown);
//   - token::access_token, token::refresh_token and client::secret.
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

/// Appends a query, fragment or form body, pair by pair ('&' or ';'
/// separated), with the value of every secret parameter redacted (the names
/// are buffer_oauth's secret_parameters table).
inline void form(std::string& out, std::string_view text) {
  while (true) {
    const std::size_t end = text.find_first_of("&;");
    const std::string_view piece = text.substr(0, end);
    const std::size_t eq = piece.find('=');
    if (eq != std::string_view::npos && find_secret_parameter(piece.substr(0, eq)) != nullptr) {
      printable(out, piece.substr(0, eq + 1));
      length(out, piece.size() - eq - 1);
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
      out.append(h.value, 0, scheme + 1);
      length(out, h.value.size() - scheme - 1);
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
  if (!e.body.empty()) length(field("body "), e.body.size());
  if (!e.from_provider.error.empty()) quoted(field("provider error "), e.from_provider.error);
  if (!e.from_provider.error_description.empty())
    quoted(field("description "), e.from_provider.error_description);
  if (!e.from_provider.error_uri.empty()) {
    std::string& s = field("uri \"");
    url(s, e.from_provider.error_uri);
    s += '"';
  }
  if (e.api_code != 0) field("api code ") += std::to_string(e.api_code);
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
  length(out, t.access_token.size());
  out += ", token_type: ";
  quoted(out, t.token_type);
  out += ", expires_in: ";
  out += t.expires_in ? std::to_string(*t.expires_in) : std::string("none");
  out += ", refresh_token: ";
  if (t.refresh_token.empty())
    out += "none";
  else
    length(out, t.refresh_token.size());
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

inline std::string text(const client& c) {
  std::string out = "client{id: ";
  quoted(out, c.id);
  out += ", secret: ";
  length(out, c.secret.size());
  out += ", redirect_uri: \"";
  url(out, c.redirect_uri);
  out += "\"}";
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

/// "state_mismatch"; an unknown value prints as "errc(123)".
template <>
struct fmt::formatter<buffer_oauth::errc> : buffer_oauth::detail::redact::formatter<buffer_oauth::errc> {};
/// "state_mismatch: <message> [HTTP 400, body [redacted, 57 bytes], provider error "invalid_grant"]"
template <>
struct fmt::formatter<buffer_oauth::error> : buffer_oauth::detail::redact::formatter<buffer_oauth::error> {};
/// "Authorization: Bearer [redacted, 24 bytes]"
template <>
struct fmt::formatter<buffer_oauth::http_header>
    : buffer_oauth::detail::redact::formatter<buffer_oauth::http_header> {};
/// "POST https://api.bufferapp.com/1/oauth2/token.json; Content-Type: ...; body: client_id=..&code=[redacted,
/// 24 bytes]&..."
template <>
struct fmt::formatter<buffer_oauth::http_request>
    : buffer_oauth::detail::redact::formatter<buffer_oauth::http_request> {};
/// "HTTP 200; Content-Type: application/json; body [redacted, 57 bytes]"
template <>
struct fmt::formatter<buffer_oauth::http_response>
    : buffer_oauth::detail::redact::formatter<buffer_oauth::http_response> {};
/// "token{access_token: [redacted, 24 bytes], token_type: "bearer", expires_in: 3600, ...}"
template <>
struct fmt::formatter<buffer_oauth::token> : buffer_oauth::detail::redact::formatter<buffer_oauth::token> {};
/// "client{id: "abc", secret: [redacted, 6 bytes], redirect_uri: "https://client.example/back"}"
template <>
struct fmt::formatter<buffer_oauth::client> : buffer_oauth::detail::redact::formatter<buffer_oauth::client> {
};
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
/// "token_type_defaulted"
template <>
struct fmt::formatter<buffer_oauth::leniency>
    : buffer_oauth::detail::redact::name_formatter<buffer_oauth::leniency> {};

#endif  // BUFFER_OAUTH_FMT_HPP
