// os_random.hpp: random bytes from the OS CSPRNG, through the core's
// buffer_oauth::system_random_bytes (getrandom on Linux).
#ifndef BUFFER_OAUTH_EXAMPLES_OS_RANDOM_HPP
#define BUFFER_OAUTH_EXAMPLES_OS_RANDOM_HPP

#include <buffer_oauth.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace buffer_oauth_cli {

/// Bytes for flow_entropy, make_state and make_code_verifier: 32 is the
/// RFC 7636 minimum for a verifier and twice what state needs.
inline constexpr std::size_t entropy_bytes = 32;

inline buffer_oauth::result<std::string> os_random_bytes(std::size_t n = entropy_bytes) {
  std::string bytes(n, '\0');
  auto ok = buffer_oauth::system_random_bytes(reinterpret_cast<unsigned char*>(bytes.data()), n);
  if (!ok) return ok.error();
  return bytes;
}

/// `n` characters from [0-9A-Za-z], uniformly (bytes >= 248 are redrawn so
/// the modulo has no bias). For the demo provider's codes and tokens.
inline buffer_oauth::result<std::string> os_random_alnum(std::size_t n) {
  static constexpr std::string_view alphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    auto bytes = os_random_bytes(n);
    if (!bytes) return bytes.error();
    for (char ch : *bytes) {
      const auto b = static_cast<unsigned char>(ch);
      if (b >= 248 || out.size() == n) continue;
      out += alphabet[b % alphabet.size()];
    }
  }
  return out;
}

}  // namespace buffer_oauth_cli

#endif
