// What several unit-test files share: a Buffer client's identifiers, a Buffer client
// and a generic provider, redirect URLs, API requests and response values,
// exact-size copies for ASan, an independent UTF-8 encoder and a form reader
// that decodes what it reads.
#ifndef BUFFER_OAUTH_TEST_SUPPORT_HPP
#define BUFFER_OAUTH_TEST_SUPPORT_HPP

#include <buffer_oauth.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace test_support {

inline constexpr std::string_view kCid = "4e9680c0512f7ed322000000";
inline constexpr std::string_view kRu = "https://example.com/back";
// An authorization code as Buffer issues them: "1/" and then base62.
inline constexpr std::string_view kBufferCode = "1/mWot20jTwojsd00jFlaaR45";
inline constexpr std::string_view kToken = "1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60";

// A file of the repository; __FILE__ is the path the build system compiled
// (absolute under CMake, build-relative under Meson).
inline std::ifstream repository_file(std::string_view relative) {
  std::string path = __FILE__;
  const auto slash = path.find_last_of("/\\");
  path = (slash == std::string::npos ? std::string(".") : path.substr(0, slash)) + "/../";
  return std::ifstream(path + std::string(relative));
}

inline buffer_oauth::client buffer_client(std::string_view redirect_uri = kRu) {
  return buffer_oauth::client{std::string(kCid), "s3cr3t", std::string(redirect_uri)};
}

inline buffer_oauth::provider generic() {
  return buffer_oauth::provider::generic("example", "https://auth.example/authorize",
                                         "https://auth.example/token", "https://api.example/");
}

// The registered redirect URI kRu with `query`, as the browser comes back.
inline std::string ru(std::string_view query) { return std::string(kRu) + "?" + std::string(query); }

// A GET to the API as a client sends it, before the token is attached.
/// Method, URL, body and every header (name and value, in order) are equal.
inline bool same_request(const buffer_oauth::http_request& a, const buffer_oauth::http_request& b) {
  if (a.method != b.method || a.url != b.url || a.body != b.body || a.headers.size() != b.headers.size())
    return false;
  for (std::size_t i = 0; i < a.headers.size(); ++i)
    if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value) return false;
  return true;
}

inline buffer_oauth::http_request get(std::string url) {
  buffer_oauth::http_request r;
  r.method = "GET";
  r.url = std::move(url);
  r.headers.push_back({"Accept", "application/json"});
  return r;
}

inline buffer_oauth::http_response response(int status, std::string body,
                                            buffer_oauth::http_headers headers = {}) {
  buffer_oauth::http_response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// A copy of `s` in a heap block of exactly s.size() bytes, so that reading
// one byte past the end is a heap-buffer-overflow under ASan.
class exact_copy {
 public:
  explicit exact_copy(std::string_view s) : size_(s.size()), data_(new char[s.size()]) {
    if (size_ != 0) std::memcpy(data_.get(), s.data(), size_);
  }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::size_t size_;
  std::unique_ptr<char[]> data_;
};

// Encodes any value up to 0x10FFFF, surrogates too, so that the validators
// can be shown to reject them.
inline std::string utf8_encode(std::uint32_t cp) {
  std::string out;
  auto byte = [&](std::uint32_t b) { out += static_cast<char>(static_cast<unsigned char>(b)); };
  if (cp < 0x80) {
    byte(cp);
  } else if (cp < 0x800) {
    byte(0xc0 | (cp >> 6));
    byte(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    byte(0xe0 | (cp >> 12));
    byte(0x80 | ((cp >> 6) & 0x3f));
    byte(0x80 | (cp & 0x3f));
  } else {
    byte(0xf0 | (cp >> 18));
    byte(0x80 | ((cp >> 12) & 0x3f));
    byte(0x80 | ((cp >> 6) & 0x3f));
    byte(0x80 | (cp & 0x3f));
  }
  return out;
}

using pairs = std::vector<std::pair<std::string, std::string>>;

// One form component decoded on the test side ('+' is a space, %XY a byte),
// so that what the library wrote is checked by a reader it does not share.
inline std::string form_decode(std::string_view raw) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '+') {
      out += ' ';
    } else if (raw[i] == '%' && i + 2 < raw.size() && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
      out += static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

// Every pair of a form body or query, split on '&' (empty pieces skipped) and
// at each piece's first '=', names and values form-decoded, in order.
inline pairs form_pairs(std::string_view form) {
  pairs out;
  while (!form.empty()) {
    const std::size_t amp = form.find('&');
    const std::string_view piece = form.substr(0, amp);
    form = amp == std::string_view::npos ? std::string_view{} : form.substr(amp + 1);
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    const std::string_view name = piece.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    out.emplace_back(form_decode(name), form_decode(value));
  }
  return out;
}

// The first value named `name`, or "<absent>".
inline std::string first_value(const pairs& p, std::string_view name) {
  for (const auto& kv : p)
    if (kv.first == name) return kv.second;
  return "<absent>";
}

inline std::size_t count_name(const pairs& p, std::string_view name) {
  std::size_t n = 0;
  for (const auto& kv : p)
    if (kv.first == name) ++n;
  return n;
}

}  // namespace test_support

#endif  // BUFFER_OAUTH_TEST_SUPPORT_HPP
