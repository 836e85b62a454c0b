// Operations measured by the benchmark binary (Google Benchmark: ns/op,
// allocations/op) and by the callgrind driver (instructions/op). Both link
// the same object files, so both measure exactly the same code.
//
// Names are "<group>/<input>/<implementation>". Implementations whose name
// starts with "ours_" call buffer_oauth; "floor_" ones are the floors (memchr,
// memcpy, reading the fields a session decides on); everything else is a competitor.
#ifndef BUFFER_OAUTH_BENCH_OPS_HPP
#define BUFFER_OAUTH_BENCH_OPS_HPP

#include <buffer_oauth.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

/// What an operation extracted, for the driver's cross-check. Operations
/// fill it only when given a non-null pointer (never while measured).
struct capture {
  std::string a;        ///< access_token, code, Authorization value or URL
  std::string b;        ///< token_type, state, or a second header value
  std::int64_t n = -1;  ///< expires_in; -1 when absent
};

/// One measured operation. `fn` returns a value derived from what it
/// extracted (0 on failure) so the work cannot be optimised away.
struct op {
  std::string name;
  std::size_t (*fn)(capture*);
};

/// Buffer's provider, made once: every operation is measured without its construction.
inline const buffer_oauth::provider& buffer_provider() {
  static const buffer_oauth::provider p = buffer_oauth::provider::buffer_legacy();
  return p;
}

void add_token_ops(std::vector<op>& out);
void add_redirect_ops(std::vector<op>& out);
void add_attach_ops(std::vector<op>& out);
void add_session_ops(std::vector<op>& out);

/// The input as the compiler must see it: bytes known only at run time, so
/// nothing is folded at compile time (inputs are constants here, never in use).
inline std::string_view opaque(std::string_view s) noexcept {
  const char* p = s.data();
  std::size_t n = s.size();
#if defined(__GNUC__)
  asm volatile("" : "+r"(p), "+r"(n));
#endif
  return {p, n};
}

/// Destination of the memcpy floors.
extern char floor_buffer[1024];

/// One memchr pass over the input, looking for a byte it does not contain.
template <const std::string_view* In>
std::size_t floor_memchr(capture*) {
  const std::string_view s = opaque(*In);
  const void* hit = std::memchr(s.data(), '\x01', s.size());
  return hit == nullptr ? s.size() : 0;
}

/// One memcpy of the input into a buffer that is already there.
template <const std::string_view* In>
std::size_t floor_memcpy(capture*) {
  const std::string_view s = opaque(*In);
  std::memcpy(floor_buffer, s.data(), s.size());
  return static_cast<unsigned char>(floor_buffer[s.size() - 1]) + s.size();
}

/// Adds "<prefix>/floor_memchr" and "<prefix>/floor_memcpy".
template <const std::string_view* In>
void add_floors(std::vector<op>& out, const std::string& prefix) {
  out.push_back({prefix + "/floor_memchr", &floor_memchr<In>});
  out.push_back({prefix + "/floor_memcpy", &floor_memcpy<In>});
}

/// Every operation, "empty/loop/empty" (the loop baseline) first.
const std::vector<op>& all_ops();

/// Inputs. Token bodies: a lone escaped token, Buffer's answer with a null
/// scope, a Bearer token with a refresh token, and a 254-byte RFC 6749 §5.1
/// response with unknown nested members.
namespace input {
inline constexpr std::string_view t15 = R"({"access_token":"1\/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60"})";
inline constexpr std::string_view t16 =
    R"({"access_token":"1/abc","expires_in":3600,"token_type":"bearer","scope":null})";
inline constexpr std::string_view t17 =
    R"({"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"})";
inline constexpr std::string_view t250 =
    R"({"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,)"
    R"("refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"read write","x_account":{"id":4711,)"
    R"("plan":"pro","limits":[60,3600,{"burst":true}]},"x_meta":[null,false,1.5e3,"caf\u00e9"]})";

/// The registered redirect URI. Buffer's example callback is
/// http://example.com/back, which parse_redirect refuses (plain http is only
/// for loopback), so the https form is used.
inline constexpr std::string_view redirect_uri = "https://example.com/back";
inline constexpr std::string_view r3 = "https://example.com/back?code=1/mWot20jTwojsd00jFlaaR45";
inline constexpr std::string_view r4 = "https://example.com/back?code=1%2FmWot20jTwojsd00jFlaaR45";
inline constexpr std::string_view r6 = "https://example.com/back?state=xyz&code=1%2Fabc";
inline constexpr std::string_view r10 = "https://example.com/back?foo=bar&code=1%2Fabc";
/// What a real login returns: a 22-character state from make_state(16 bytes).
inline constexpr std::string_view rlive =
    "https://example.com/back?state=q1w2E3r4T5y6U7i8O9p0Aa&code=1%2FmWot20jTwojsd00jFlaaR45";
inline constexpr std::string_view rlive_state = "q1w2E3r4T5y6U7i8O9p0Aa";

/// Attach: a GET to Buffer's API and a token to put on it.
inline constexpr std::string_view api_url = "https://api.bufferapp.com/1/profiles.json";
inline constexpr std::string_view token = "1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60";
/// The attach floors move the URL and the token: the bytes any attach copies.
inline constexpr std::string_view attach_bytes =
    "https://api.bufferapp.com/1/profiles.json1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60";
}  // namespace input

}  // namespace bench

#endif
