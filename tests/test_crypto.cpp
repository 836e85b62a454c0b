// Section 4 (PKCE and state) of buffer_oauth.hpp: SHA-256, HMAC-SHA256,
// base64 / base64url, RFC 7636 S256, state and verifier makers, equality
// helpers and the OS random source. Vectors are quoted from FIPS 180-2
// Appendix B, RFC 4231 §4, RFC 4648 §10 and RFC 7636 Appendix B.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace bo = buffer_oauth;
namespace bd = buffer_oauth::detail;
using namespace std::string_view_literals;

namespace {

std::string hex(const bo::digest& d, std::size_t n = 32) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n && i < d.size(); ++i) {
    out += digits[d[i] >> 4];
    out += digits[d[i] & 0xf];
  }
  return out;
}

std::string unhex(std::string_view h) {
  auto nibble = [](char c) -> unsigned {
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
    return static_cast<unsigned>(c - 'A' + 10);
  };
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out += static_cast<char>(static_cast<unsigned char>(nibble(h[i]) * 16 + nibble(h[i + 1])));
  return out;
}

std::string bytes(std::size_t n, unsigned value) {
  return std::string(n, static_cast<char>(static_cast<unsigned char>(value)));
}

std::string_view as_view(const bo::digest& d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }

// RFC 7636 Appendix B: the 32 octets behind the example verifier.
const unsigned char rfc7636_octets[32] = {116, 24,  223, 180, 151, 153, 224, 37,  79,  250, 96,
                                          125, 216, 173, 187, 186, 22,  212, 37,  77,  105, 214,
                                          191, 240, 91,  88,  5,   88,  83,  132, 141, 121};

std::string_view rfc7636_bytes() {
  return {reinterpret_cast<const char*>(rfc7636_octets), sizeof rfc7636_octets};
}

}  // namespace

// ============================================================================
// SHA-256
// ============================================================================

TEST_CASE("sha256 matches the FIPS 180-2 example messages") {
  CHECK(hex(bo::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(bo::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // 448 bits: the padding spills into a second block.
  CHECK(hex(bo::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex(bo::sha256(std::string(1000000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 gives the same digest however the input is split into updates") {
  std::string msg;
  for (int i = 0; i < 300; ++i) msg += static_cast<char>(static_cast<unsigned char>(i * 37 + 11));
  for (std::size_t len : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 127u, 128u, 129u, 300u}) {
    const std::string_view m = std::string_view(msg).substr(0, len);
    const bo::digest whole = bo::sha256(m);
    for (std::size_t chunk : {1u, 3u, 63u, 64u, 65u}) {
      CAPTURE(len);
      CAPTURE(chunk);
      // White-box: the incremental hasher behind sha256() has no public interface.
      bd::sha256 h;
      for (std::size_t at = 0; at < m.size(); at += chunk) h.update(m.substr(at, chunk));
      CHECK(h.finish() == whole);
    }
    bd::sha256 raw;
    raw.update(m.data(), m.size());
    raw.update(nullptr, 0);
    CHECK(raw.finish() == whole);
  }
}

TEST_CASE("sha256 separates inputs that differ in one bit or one byte of length") {
  CHECK(bo::sha256("abc") != bo::sha256("abd"));
  CHECK(bo::sha256("") != bo::sha256(std::string(1, '\0')));
  CHECK(bo::sha256(std::string(55, 'a')) != bo::sha256(std::string(56, 'a')));
  CHECK(hex(bo::sha256(std::string(1, '\0'))) ==
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

// ============================================================================
// HMAC-SHA256 (RFC 4231 §4)
// ============================================================================

TEST_CASE("hmac_sha256 RFC 4231 test case 1") {
  CHECK(hex(bo::hmac_sha256(bytes(20, 0x0b), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST_CASE("hmac_sha256 RFC 4231 test case 2: a key shorter than the output") {
  CHECK(hex(bo::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("hmac_sha256 RFC 4231 test case 3: 50 bytes of 0xdd") {
  CHECK(hex(bo::hmac_sha256(bytes(20, 0xaa), bytes(50, 0xdd))) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

TEST_CASE("hmac_sha256 RFC 4231 test case 4: a 25-byte counting key") {
  CHECK(hex(bo::hmac_sha256(unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), bytes(50, 0xcd))) ==
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

TEST_CASE("hmac_sha256 RFC 4231 test case 5: output truncated to 128 bits") {
  const bo::digest mac = bo::hmac_sha256(bytes(20, 0x0c), "Test With Truncation");
  CHECK(hex(mac, 16) == "a3b6167473100ee06e0c796c2955552b");
}

TEST_CASE("hmac_sha256 RFC 4231 test case 6: a 131-byte key is hashed first") {
  CHECK(hex(bo::hmac_sha256(bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("hmac_sha256 RFC 4231 test case 7: a 131-byte key and a long message") {
  CHECK(hex(bo::hmac_sha256(
            bytes(131, 0xaa),
            "This is a test using a larger than block-size key and a larger than block-size data. "
            "The key needs to be hashed before being used by the HMAC algorithm.")) ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("hmac_sha256 keys: longer than 64 bytes equal their hash, shorter are zero-padded") {
  const std::string long_key = bytes(100, 0x42);
  CHECK(bo::hmac_sha256(long_key, "m") == bo::hmac_sha256(as_view(bo::sha256(long_key)), "m"));
  CHECK(bo::hmac_sha256("k", "m") == bo::hmac_sha256(std::string("k\0\0", 3), "m"));
  CHECK(bo::hmac_sha256("", "m") == bo::hmac_sha256(std::string(64, '\0'), "m"));
  // A 64-byte key is used as is, not hashed.
  const std::string block_key = bytes(64, 0x42);
  CHECK(bo::hmac_sha256(block_key, "m") != bo::hmac_sha256(as_view(bo::sha256(block_key)), "m"));
  CHECK(bo::hmac_sha256("key", "m") != bo::hmac_sha256("kez", "m"));
  CHECK(bo::hmac_sha256("key", "m") != bo::hmac_sha256("key", "n"));
}

// ============================================================================
// Equality helpers
// ============================================================================

TEST_CASE("constant_time_equal compares exactly n bytes") {
  const unsigned char a[] = {1, 2, 3, 4, 5};
  const unsigned char b[] = {1, 2, 3, 4, 6};
  const unsigned char c[] = {0, 2, 3, 4, 5};
  CHECK(bo::constant_time_equal(a, a, 5));
  CHECK_FALSE(bo::constant_time_equal(a, b, 5));
  CHECK_FALSE(bo::constant_time_equal(a, c, 5));
  CHECK(bo::constant_time_equal(a, b, 4));  // the difference is past n
  CHECK(bo::constant_time_equal(a, c, 0));
  for (unsigned bit = 0; bit < 8; ++bit) {
    unsigned char x[5] = {1, 2, 3, 4, 5};
    x[2] = static_cast<unsigned char>(x[2] ^ (1u << bit));
    CHECK_FALSE(bo::constant_time_equal(a, x, 5));
  }
}

TEST_CASE("secure_equals is byte-exact, length included") {
  CHECK(bo::secure_equals("xyz", "xyz"));
  CHECK(bo::secure_equals("", ""));
  CHECK_FALSE(bo::secure_equals("xyz", "xyZ"));
  CHECK_FALSE(bo::secure_equals("xyz", "xy"));
  CHECK_FALSE(bo::secure_equals("xy", "xyz"));
  CHECK_FALSE(bo::secure_equals("xyz", "xyz "));
  CHECK_FALSE(bo::secure_equals("", "x"));
  CHECK_FALSE(bo::secure_equals("S", "S+"));
  CHECK(bo::secure_equals("a\0b"sv, "a\0b"sv));
  CHECK_FALSE(bo::secure_equals("a\0b"sv, "a\0c"sv));
  CHECK_FALSE(bo::secure_equals("a\0"sv, "a"sv));
  const std::string long_state(4096, 'q');
  CHECK(bo::secure_equals(long_state, std::string(4096, 'q')));
  CHECK_FALSE(bo::secure_equals(long_state, std::string(4095, 'q') + "r"));
}

// ============================================================================
// base64 and base64url (RFC 4648 §10)
// ============================================================================

TEST_CASE("base64_encode matches RFC 4648 §10") {
  CHECK(bo::base64_encode("") == "");
  CHECK(bo::base64_encode("f") == "Zg==");
  CHECK(bo::base64_encode("fo") == "Zm8=");
  CHECK(bo::base64_encode("foo") == "Zm9v");
  CHECK(bo::base64_encode("foob") == "Zm9vYg==");
  CHECK(bo::base64_encode("fooba") == "Zm9vYmE=");
  CHECK(bo::base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64url_encode matches RFC 4648 §10 without padding") {
  CHECK(bo::base64url_encode("") == "");
  CHECK(bo::base64url_encode("f") == "Zg");
  CHECK(bo::base64url_encode("fo") == "Zm8");
  CHECK(bo::base64url_encode("foo") == "Zm9v");
  CHECK(bo::base64url_encode("foob") == "Zm9vYg");
  CHECK(bo::base64url_encode("fooba") == "Zm9vYmE");
  CHECK(bo::base64url_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64 and base64url differ only in the last two alphabet characters") {
  CHECK(bo::base64_encode("\xfb\xff") == "+/8=");
  CHECK(bo::base64url_encode("\xfb\xff") == "-_8");
  CHECK(bo::base64_encode("\xff\xff\xff") == "////");
  CHECK(bo::base64url_encode("\xff\xff\xff") == "____");
  CHECK(bo::base64_encode("\xfb\xef\xbe") == "++++");
  CHECK(bo::base64url_encode("\xfb\xef\xbe") == "----");
  CHECK(bo::base64_encode(std::string(3, '\0')) == "AAAA");
  // RFC 6749 §2.3.1 style credentials, as the Basic header would carry them.
  CHECK(bo::base64_encode("client%20id:p%2Bq%2Fr") == "Y2xpZW50JTIwaWQ6cCUyQnElMkZy");
}

TEST_CASE("base64url_decode inverts the RFC 4648 §10 vectors") {
  const std::pair<std::string_view, std::string_view> vectors[] = {{"", ""},
                                                                   {"Zg", "f"},
                                                                   {"Zm8", "fo"},
                                                                   {"Zm9v", "foo"},
                                                                   {"Zm9vYg", "foob"},
                                                                   {"Zm9vYmE", "fooba"},
                                                                   {"Zm9vYmFy", "foobar"},
                                                                   {"-_8", "\xfb\xff"},
                                                                   {"____", "\xff\xff\xff"}};
  for (const auto& v : vectors) {
    CAPTURE(v.first);
    auto r = bo::base64url_decode(v.first);
    REQUIRE(r);
    CHECK(*r == v.second);
  }
}

TEST_CASE("base64url round-trips every length and byte value") {
  std::string all;
  for (unsigned i = 0; i < 256; ++i) all += static_cast<char>(static_cast<unsigned char>(i));
  for (std::size_t len = 0; len <= all.size(); ++len) {
    const std::string_view in = std::string_view(all).substr(all.size() - len);
    const std::string enc = bo::base64url_encode(in);
    CHECK(enc.size() == (len * 4 + 2) / 3);
    CHECK(enc.find_first_of("+/=") == std::string::npos);
    auto dec = bo::base64url_decode(enc);
    REQUIRE(dec);
    CHECK(*dec == in);
  }
}

TEST_CASE("base64url_decode rejects padding, whitespace and characters outside the alphabet") {
  for (std::string_view text :
       {"Zg==", "Zm8=", "Zg=", "=", "====", "Zm9v====", "Zm 9v", " Zm9v", "Zm9v ", "Zm9v\n", "Zm9v\r\n",
        "Zm\t9v", "Zm+v", "Zm/v", "Zm9v.", "Zm9v~", "Zm9v%", "Zm9\xC3\xA9", "Zm9v\x80"}) {
    CAPTURE(text);
    auto r = bo::base64url_decode(text);
    CHECK(r.code() == bo::errc::invalid_character);
  }
  CHECK(bo::base64url_decode("Zm9v\0"sv).code() == bo::errc::invalid_character);
  CHECK(bo::base64url_decode("Zm9v\0AAA"sv).code() == bo::errc::invalid_character);
}

TEST_CASE("base64url_decode rejects non-canonical trailing bits") {
  // "f" is "Zg"; "Zh".."Zv" carry the same byte plus non-zero spare bits.
  for (std::string_view text :
       {"Zh", "Zi", "Zj", "Zv", "Z_", "Zm9", "Zm-", "Zm_", "Zm9vYh", "Zm9vYmF", "AB", "AAB"}) {
    CAPTURE(text);
    CHECK(bo::base64url_decode(text).code() == bo::errc::invalid_character);
  }
  auto ok = bo::base64url_decode("AAE");
  REQUIRE(ok);
  CHECK(*ok == std::string("\0\x01", 2));
}

TEST_CASE("base64url_decode rejects a length of 1 modulo 4") {
  for (std::string_view text : {"A", "Z", "AAAAA", "Zm9vY", "Zm9vYmFyZ"}) {
    CAPTURE(text);
    CHECK(bo::base64url_decode(text).code() == bo::errc::invalid_character);
  }
}

TEST_CASE("base64url_decode messages do not repeat the input") {
  const std::string secret = "SECRETmacVALUE";
  for (const std::string& text : {secret + "=", secret + " ", secret + "+", "." + secret, secret + "AAA"}) {
    auto r = bo::base64url_decode(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find(secret) == std::string::npos);
  }
}

// ============================================================================
// PKCE (RFC 7636)
// ============================================================================

TEST_CASE("RFC 7636 Appendix B: octets to verifier to S256 challenge") {
  auto verifier = bo::make_code_verifier(rfc7636_bytes());
  REQUIRE(verifier);
  CHECK(*verifier == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  CHECK(bo::base64url_encode(rfc7636_bytes()) == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  CHECK(bo::is_valid_code_verifier(*verifier));
  auto challenge = bo::code_challenge_s256(*verifier);
  REQUIRE(challenge);
  CHECK(*challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  auto back = bo::base64url_decode(*verifier);
  REQUIRE(back);
  CHECK(*back == rfc7636_bytes());
}

TEST_CASE("is_valid_code_verifier: 43 to 128 unreserved characters") {
  CHECK_FALSE(bo::is_valid_code_verifier(std::string(42, 'a')));
  CHECK(bo::is_valid_code_verifier(std::string(43, 'a')));
  CHECK(bo::is_valid_code_verifier(std::string(128, 'a')));
  CHECK_FALSE(bo::is_valid_code_verifier(std::string(129, 'a')));
  CHECK_FALSE(bo::is_valid_code_verifier(""));
  CHECK(bo::is_valid_code_verifier(std::string(39, 'a') + "-._~"));
  CHECK(bo::is_valid_code_verifier("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"));
  for (char bad : {'+', '/', '=', ' ', '%', '!', '*', '\0', '\n'}) {
    CAPTURE(static_cast<int>(bad));
    std::string v(43, 'a');
    v[20] = bad;
    CHECK_FALSE(bo::is_valid_code_verifier(v));
  }
  CHECK_FALSE(bo::is_valid_code_verifier(std::string(41, 'a') + "\xC3\xA9"));  // 43 bytes, not ASCII
}

TEST_CASE("code_challenge_s256 refuses an invalid verifier") {
  for (const std::string& v : {std::string(42, 'a'), std::string(129, 'a'), std::string(42, 'a') + "+",
                               std::string(42, 'a') + "=", std::string()}) {
    auto r = bo::code_challenge_s256(v);
    CHECK(r.code() == bo::errc::invalid_code_verifier);
    CHECK_FALSE(r.has_value());
  }
  auto min = bo::code_challenge_s256(std::string(43, 'a'));
  REQUIRE(min);
  CHECK(min->size() == 43);
  bo::authorize_params a;  // build_authorize_url refuses anything but an S256 challenge
  a.state = "xyz";
  a.code_challenge = *min;
  CHECK(bo::build_authorize_url(bo::provider::buffer_legacy(), test_support::buffer_client(), a));
}

TEST_CASE("make_code_verifier needs 32 to 96 random bytes") {
  auto short_input = bo::make_code_verifier(std::string(31, 'x'));
  CHECK(short_input.code() == bo::errc::insufficient_entropy);
  CHECK(bo::make_code_verifier("").code() == bo::errc::insufficient_entropy);
  auto min = bo::make_code_verifier(std::string(32, 'x'));
  REQUIRE(min);
  CHECK(min->size() == 43);
  CHECK(bo::is_valid_code_verifier(*min));
  auto max = bo::make_code_verifier(std::string(96, '\xff'));
  REQUIRE(max);
  CHECK(max->size() == 128);
  CHECK(bo::is_valid_code_verifier(*max));
  auto over = bo::make_code_verifier(std::string(97, 'x'));
  CHECK(over.code() == bo::errc::too_large);
  for (std::size_t n = 32; n <= 96; ++n) {
    CAPTURE(n);
    auto v = bo::make_code_verifier(std::string(n, '\xfb'));
    REQUIRE(v);
    CHECK(bo::is_valid_code_verifier(*v));
  }
}

TEST_CASE("make_state needs at least 16 random bytes") {
  auto short_input = bo::make_state(std::string(15, 'x'));
  CHECK(short_input.code() == bo::errc::insufficient_entropy);
  CHECK_FALSE(short_input.has_value());
  CHECK(bo::make_state("").code() == bo::errc::insufficient_entropy);
  auto min = bo::make_state(std::string(16, '\0'));
  REQUIRE(min);
  CHECK(*min == "AAAAAAAAAAAAAAAAAAAAAA");
  CHECK(min->size() == 22);
  auto vec = bo::make_state(std::string_view(reinterpret_cast<const char*>(rfc7636_octets), 16));
  REQUIRE(vec);
  CHECK(*vec == "dBjftJeZ4CVP-mB92K27ug");
  CHECK(vec->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);  // base64url, so unreserved
  CHECK(bo::make_state(std::string(256, 'x')));
  CHECK(bo::make_state(std::string(257, 'x')).code() == bo::errc::too_large);
}

TEST_CASE("make_state and make_code_verifier never echo the random bytes in an error") {
  const std::string secretish = "SECRETbytes";
  auto s = bo::make_state(secretish);
  REQUIRE_FALSE(s);
  CHECK(s.error().message.find(secretish) == std::string::npos);
  CHECK(s.error().message.find(bo::base64url_encode(secretish)) == std::string::npos);
  auto v = bo::make_code_verifier(secretish + secretish);
  REQUIRE_FALSE(v);
  CHECK(v.error().message.find(secretish) == std::string::npos);
  auto c = bo::code_challenge_s256(secretish);
  REQUIRE_FALSE(c);
  CHECK(c.error().message.find(secretish) == std::string::npos);
}

TEST_CASE("entropy constants match RFC 6749 §10.10 and RFC 7636 §7.1") {
  static_assert(bo::min_state_entropy == 16);
  static_assert(bo::min_verifier_entropy == 32);
  static_assert(bo::max_verifier_entropy == 96);
  CHECK(bo::base64url_encode(std::string(bo::max_verifier_entropy, 'x')).size() == 128);
  CHECK(bo::base64url_encode(std::string(bo::min_verifier_entropy, 'x')).size() == 43);
}

// ============================================================================
// OS random source
// ============================================================================

TEST_CASE("system_random_bytes fills the buffer and two draws differ") {
  std::array<unsigned char, 32> a{}, b{};
  auto ra = bo::system_random_bytes(a.data(), a.size());
  auto rb = bo::system_random_bytes(b.data(), b.size());
  REQUIRE(ra);
  REQUIRE(rb);
  CHECK(a != b);  // equal with probability 2^-256
  CHECK(a != std::array<unsigned char, 32>{});
}

TEST_CASE("system_random_bytes writes exactly n bytes and accepts n == 0") {
  std::array<unsigned char, 48> buf{};
  buf.fill(0xA5);
  auto r = bo::system_random_bytes(buf.data() + 8, 32);
  REQUIRE(r);
  for (std::size_t i = 0; i < 8; ++i) CHECK(buf[i] == 0xA5);
  for (std::size_t i = 40; i < 48; ++i) CHECK(buf[i] == 0xA5);
  auto none = bo::system_random_bytes(buf.data(), 0);
  CHECK(none);
  CHECK(buf[0] == 0xA5);
  // A larger request than one getrandom call may return in one go.
  std::string big(1 << 20, '\0');
  auto rbig = bo::system_random_bytes(reinterpret_cast<unsigned char*>(big.data()), big.size());
  REQUIRE(rbig);
  CHECK(big.find(std::string(64, '\0')) == std::string::npos);
}

TEST_CASE("system_random_bytes output feeds make_state and make_code_verifier") {
  std::array<unsigned char, 32> state_bytes{};
  std::array<unsigned char, 32> verifier_bytes{};
  REQUIRE(bo::system_random_bytes(state_bytes.data(), state_bytes.size()));
  REQUIRE(bo::system_random_bytes(verifier_bytes.data(), verifier_bytes.size()));
  auto state =
      bo::make_state(std::string_view(reinterpret_cast<const char*>(state_bytes.data()), state_bytes.size()));
  auto verifier = bo::make_code_verifier(
      std::string_view(reinterpret_cast<const char*>(verifier_bytes.data()), verifier_bytes.size()));
  REQUIRE(state);
  REQUIRE(verifier);
  CHECK(state->size() == 43);
  CHECK(bo::is_valid_code_verifier(*verifier));
  CHECK(*state != *verifier);
}
