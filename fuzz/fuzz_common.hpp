// SPDX-License-Identifier: MIT
//
// Helpers shared by the fuzz targets: a property check that traps, exact-size
// heap copies of the input (so ASan sees any over-read), multi-part inputs
// split on "\n~~\n", and reference oracles that do not use buffer_oauth.

#ifndef BUFFER_OAUTH_FUZZ_COMMON_HPP
#define BUFFER_OAUTH_FUZZ_COMMON_HPP

#include <buffer_oauth.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Aborts the run (libFuzzer records a crash) when a property does not hold.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
      std::fflush(stderr);                                                               \
      __builtin_trap();                                                                  \
    }                                                                                    \
  } while (0)

namespace fuzz {

namespace bo = buffer_oauth;

/// Owns exact-size heap copies of byte ranges: each view ends exactly where
/// its allocation ends.
class arena {
 public:
  std::string_view copy(std::string_view s) {
    std::unique_ptr<char[]> p(new char[s.size()]);
    if (!s.empty()) std::memcpy(p.get(), s.data(), s.size());
    const std::string_view out(p.get(), s.size());
    blocks_.push_back(std::move(p));
    return out;
  }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
};

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return size == 0 ? std::string_view() : std::string_view(reinterpret_cast<const char*>(data), size);
}

/// Splits `s` on "\n~~\n" into exactly `n` parts (missing ones are empty; the
/// last part keeps any further separators), each an exact-size heap copy.
inline std::vector<std::string_view> split(arena& a, std::string_view s, std::size_t n) {
  static constexpr std::string_view sep = "\n~~\n";
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < n) {
    const auto at = s.find(sep);
    if (at == std::string_view::npos) break;
    parts.push_back(a.copy(s.substr(0, at)));
    s.remove_prefix(at + sep.size());
  }
  parts.push_back(a.copy(s));
  while (parts.size() < n) parts.push_back(a.copy({}));
  return parts;
}

/// Reads option bytes off the front of the input (zero when exhausted).
class option_bytes {
 public:
  explicit option_bytes(std::string_view& s) : s_(s) {}
  std::uint8_t next() {
    if (s_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(s_.front());
    s_.remove_prefix(1);
    return b;
  }

 private:
  std::string_view& s_;
};

/// A response read off a fuzz input: byte 0 picks the status from
/// `statuses`, byte 1 is left in `header_pick` for the caller's headers, the
/// rest is the body.
template <std::size_t N>
bo::http_response response_from(std::string_view in, const int (&statuses)[N], std::uint8_t& header_pick) {
  option_bytes ob(in);
  const std::uint8_t status_pick = ob.next();
  header_pick = ob.next();
  bo::http_response r;
  r.status = statuses[status_pick % N];
  r.body.assign(in);
  return r;
}

inline bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

inline bool one_of(bo::errc e, std::initializer_list<bo::errc> allowed) {
  for (auto a : allowed)
    if (a == e) return true;
  return false;
}

/// Reference form decoder written independently of the library: '+' is a
/// space, "%XY" a byte; nullopt when a '%' lacks two hex digits.
inline std::optional<std::string> reference_form_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (s.size() - i < 3) return std::nullopt;
      const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// A decoded name/value pair as found by form_reader, or nullopt for a pair
/// whose escapes are malformed.
struct decoded_pair {
  std::string name;
  std::string value;
  bool has_equals = false;
};

/// Reference pairs of a query or form body: pieces between '&', the name up
/// to the first '=', both decoded by reference_form_decode; empty pieces are
/// skipped. nullopt when an escape is malformed.
inline std::optional<std::vector<decoded_pair>> reference_pairs(std::string_view s) {
  std::vector<decoded_pair> out;
  while (!s.empty()) {
    const auto amp = s.find('&');
    const std::string_view piece = s.substr(0, amp);
    s.remove_prefix(amp == std::string_view::npos ? s.size() : amp + 1);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    const auto name = reference_form_decode(piece.substr(0, eq));
    const auto value =
        reference_form_decode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    out.push_back({*name, *value, eq != std::string_view::npos});
  }
  return out;
}

/// Decoded values of the pairs named `name`.
inline std::vector<std::string> values_of(const std::vector<decoded_pair>& pairs, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& p : pairs)
    if (p.name == name) out.push_back(p.value);
  return out;
}

/// Every pair of a form string decoded with the library's own reader; nullopt
/// if a component has a malformed escape.
inline std::optional<std::vector<decoded_pair>> library_pairs(std::string_view s) {
  std::vector<decoded_pair> out;
  bo::detail::form_reader reader(s);
  bo::detail::form_pair p;
  while (reader.next(p)) {
    const auto n = reference_form_decode(p.name);
    const auto v = reference_form_decode(p.value);
    if (!n || !v) return std::nullopt;
    const char* end = p.name.data() + p.name.size();  // p.name is a view into s
    const bool eq = end < s.data() + s.size() && *end == '=';
    out.push_back({*n, *v, eq});
  }
  return out;
}

/// Decoded values of every pair named `name` in a form string.
inline std::vector<std::string> values_named(std::string_view form, std::string_view name) {
  std::vector<std::string> out;
  bo::detail::form_reader reader(form);
  bo::detail::form_pair p;
  while (reader.next(p)) {
    FUZZ_CHECK(bo::detail::check_form_component(p.name) != bo::errc::bad_percent_encoding ||
               !bo::detail::form_component_equals(p.name, name));
    if (bo::detail::form_component_equals(p.name, name))
      out.push_back(bo::detail::decode_form_component(p.value));
  }
  return out;
}

inline constexpr std::string_view reference_token_chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";

/// Reference RFC 6750 §2.1 b64token: one or more of the characters below,
/// then only '='.
inline bool is_reference_b64token(std::string_view s) {
  constexpr std::string_view token_chars = reference_token_chars;
  std::size_t end = s.size();
  while (end > 0 && s[end - 1] == '=') --end;
  if (end == 0) return false;
  for (std::size_t i = 0; i < end; ++i)
    if (token_chars.find(s[i]) == std::string_view::npos) return false;
  return true;
}

/// Longest run of token characters in `s` (a token, code or secret).
inline std::size_t longest_token_run(std::string_view s) {
  std::size_t longest = 0, run = 0;
  for (char ch : s) {
    run = reference_token_chars.find(ch) != std::string_view::npos ? run + 1 : 0;
    longest = run > longest ? run : longest;
  }
  return longest;
}

/// What an error keeps of a response body: no run of 16 token characters
/// (a token is never kept), at most 2 KiB plus a marker, and the body itself
/// when it is short and holds no such run.
inline void check_error_body(const bo::error& e, std::string_view body) {
  FUZZ_CHECK(longest_token_run(e.body) < 16);
  FUZZ_CHECK(e.body.size() <= 2048 + 64);
  if (body.size() <= 2048 && longest_token_run(body) < 16) FUZZ_CHECK(e.body == body);
}

/// A URL cut into components the way RFC 3986 Appendix B's regular
/// expression cuts it, for URLs with a scheme and an authority.
struct reference_url {
  std::string_view scheme;
  std::string_view authority;
  std::string_view path;
  std::optional<std::string_view> query;     ///< after the first '?', without it
  std::optional<std::string_view> fragment;  ///< after the first '#', without it
};

inline std::optional<reference_url> reference_split(std::string_view url) {
  reference_url u;
  if (const auto hash = url.find('#'); hash != std::string_view::npos) {
    u.fragment = url.substr(hash + 1);
    url = url.substr(0, hash);
  }
  if (const auto question = url.find('?'); question != std::string_view::npos) {
    u.query = url.substr(question + 1);
    url = url.substr(0, question);
  }
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      url.substr(0, colon).find('/') != std::string_view::npos)
    return std::nullopt;
  u.scheme = url.substr(0, colon);
  url.remove_prefix(colon + 1);
  if (url.substr(0, 2) != "//") return std::nullopt;
  url.remove_prefix(2);
  const auto slash = url.find('/');
  u.authority = url.substr(0, slash);
  u.path = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  return u;
}

/// An http(s) origin: scheme and host in lowercase, the port as a number
/// (80 or 443 when the URL has none).
struct reference_origin {
  std::string scheme;
  std::string host;
  unsigned long port = 0;
  bool operator==(const reference_origin& o) const {
    return scheme == o.scheme && host == o.host && port == o.port;
  }
};

/// nullopt for other schemes, userinfo, or a port that is empty or not digits.
inline std::optional<reference_origin> origin_of(const reference_url& u) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  };
  reference_origin o;
  o.scheme = lower(u.scheme);
  if ((o.scheme != "http" && o.scheme != "https") || u.authority.find('@') != std::string_view::npos)
    return std::nullopt;
  std::string_view host = u.authority;
  const auto colon = host.rfind(':');
  if (colon == std::string_view::npos || host.find(']', colon) != std::string_view::npos) {
    o.port = o.scheme == "https" ? 443 : 80;
  } else {
    const std::string_view digits = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (digits.empty()) return std::nullopt;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      o.port = std::min(o.port * 10 + static_cast<unsigned long>(c - '0'), 1000000ul);
    }
  }
  o.host = lower(host);
  return o;
}

inline std::optional<reference_origin> origin_of(std::string_view url) {
  const auto u = reference_split(url);
  return u ? origin_of(*u) : std::nullopt;
}

inline bool has_control(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace fuzz

#endif  // BUFFER_OAUTH_FUZZ_COMMON_HPP
