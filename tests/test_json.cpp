// Section 3 (JSON) of buffer_oauth.hpp: json_scanner, json_read,
// json_member, json_unescape and json_string.
//
// The accept/reject tables follow the spirit of nst/JSONTestSuite: `y` rows
// must be accepted, `n` rows rejected with the exact errc. The cases are
// written here by hand. Where RFC 8259 leaves the choice to the parser (the
// suite's `i_` files) this reader decides as follows, and the `i` rows below
// pin each decision:
//   - a UTF-8 byte order mark before the value: rejected, malformed_json
//     (RFC 8259 §8.1 lets a parser ignore it; a token endpoint must not send it);
//   - UTF-16 or UTF-32 documents: rejected, malformed_json (they start with NUL
//     or 0xFF/0xFE, which are not JSON text);
//   - invalid UTF-8 inside a string: rejected, invalid_utf8;
//   - an unpaired or reversed \u surrogate escape: rejected, invalid_surrogate;
//   - noncharacters such as U+FFFF or U+FDD0, raw or escaped: accepted, they
//     are Unicode scalar values;
//   - huge numbers, huge exponents, very long fractions: accepted as syntax
//     (the reader never converts a number; callers check what they read);
//   - nesting deeper than limits::max_json_depth (64 by default, 256 at most):
//     rejected, depth_exceeded;
//   - an object with a repeated name: accepted by the reader; json_member
//     reports duplicate_member only for a name the caller asked for.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace bo = buffer_oauth;
namespace bd = buffer_oauth::detail;
using namespace std::string_view_literals;

using namespace test_support;

namespace {

struct scanned {
  bo::errc code;
  bd::json_type type;
};

// Validates `doc` from an exact-size heap copy, without slots or size limit.
scanned scan(std::string_view doc, std::size_t max_depth = 64) {
  const exact_copy copy(doc);
  bd::json_scanner scanner(copy.view(), max_depth);
  const bd::json_type t = scanner.scan(nullptr, 0);
  if (t == bd::json_type::absent) return {scanner.error(), t};
  CHECK(scanner.error() == bo::errc::ok);
  return {bo::errc::ok, t};
}

bo::errc scan_code(std::string_view doc, std::size_t max_depth = 64) { return scan(doc, max_depth).code; }

bo::limits big_limits() {
  bo::limits lim;
  lim.max_body = std::size_t{8} << 20;
  return lim;
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string nested_arrays(std::size_t depth) { return repeat("[", depth) + repeat("]", depth); }

std::string nested_objects(std::size_t depth) { return repeat("{\"a\":", depth) + "1" + repeat("}", depth); }

std::string hex4(std::uint32_t v) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += hex[(v >> shift) & 0xf];
  return out;
}

struct row {
  std::string_view doc;
  bo::errc code;
};

}  // namespace

// ============================================================================
// Accepted documents (y)
// ============================================================================

TEST_CASE("json: structurally valid documents are accepted with their top-level type") {
  struct typed {
    std::string_view doc;
    bd::json_type type;
  };
  using T = bd::json_type;
  const typed cases[] = {
      {"[]", T::array},
      {"{}", T::object},
      {"[[]]", T::array},
      {"[{}]", T::array},
      {"[[[[[]]]]]", T::array},
      {"{\"a\":[]}", T::object},
      {"{\"a\":{}}", T::object},
      {"{\"\":0}", T::object},
      {"{\"a\":\"b\",\"c\":1,\"d\":null,\"e\":true,\"f\":false,\"g\":[1,2],\"h\":{\"i\":-1}}", T::object},
      {"{\"a\":{\"b\":{\"c\":[1,{\"d\":null}]}}}", T::object},
      {"[1,2,3]", T::array},
      {"[null,true,false]", T::array},
      {"[\"\"]", T::array},
      {"[\"a\",\n\"b\"]", T::array},
      {" [1] ", T::array},
      {"\t\n\r [1]\r\n\t ", T::array},
      {" { \"a\" : [ 1 , 2 ] , \"b\" : { } } ", T::object},
      {"null", T::null},
      {"true", T::boolean},
      {"false", T::boolean},
      {" false ", T::boolean},
      {"0", T::number},
      {"-0", T::number},
      {"1", T::number},
      {"-1", T::number},
      {"123", T::number},
      {"1.5", T::number},
      {"-1.5e10", T::number},
      {"1E2", T::number},
      {"1e+2", T::number},
      {"1e-2", T::number},
      {"1E-02", T::number},
      {"0.0", T::number},
      {"0e0", T::number},
      {"0E+0", T::number},
      {"-0.0e-0", T::number},
      {"123e65", T::number},
      {"[-0]", T::array},
      {"[1 ,2 , 3 ]", T::array},
      {"\"\"", T::string},
      {"\"asd\"", T::string},
      {"\" \"", T::string},
      {"\"a/*b*/c//d\"", T::string},
      {"[\"\\u0000\"]", T::array},
      {"[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", T::array},
      {"[\"\\u0061\\u30af\\u30EA\\u30b9\"]", T::array},
      {"[\"\\uD834\\uDD1E\"]", T::array},
      {"[\"\\ud834\\udd1e\"]", T::array},
      {"[\"\\uDBFF\\uDFFF\"]", T::array},
      {"[\"\\uD800\\uDC00\"]", T::array},
      {"[\"\\uD7FF\\uE000\"]", T::array},
      {"[\"\\u002c\"]", T::array},
      {"[\"\\/\"]", T::array},
      {"[\"\xE2\x82\xAC\xF0\x9D\x84\x9E\xC2\xA3\"]", T::array},
      {"[\"\x7F\"]", T::array},  // DEL is not a control character in JSON
      {"{\"\xC3\xA9\":\"\xC3\xA9\"}", T::object},
  };
  for (const auto& c : cases) {
    CAPTURE(c.doc);
    const auto r = scan(c.doc);
    CHECK(r.code == bo::errc::ok);
    CHECK(r.type == c.type);
  }
}

TEST_CASE("json: implementation-defined inputs accepted by this reader (i)") {
  for (std::string_view doc : {
           "[\"\\uFFFF\"]",         // noncharacter, escaped
           "[\"\\uFDD0\"]",         // noncharacter, escaped
           "[\"\xEF\xBF\xBF\"]",    // U+FFFF raw
           "[\"\\uDBFF\\uDFFE\"]",  // U+10FFFE, a noncharacter
           "[123456789012345678901234567890123456789012345678901234567890]", "[1e400]", "[-1e-400]",
           "[1E9999999999999999999]", "[1e-2147483649]",
           "[0.0000000000000000000000000000000000000000000000000000000000000001]",
           "[-123123123123123123123123123123e-123123123123123123123123]",
           "{\"a\":1,\"a\":2}",  // repeated name: see json_member
       }) {
    CAPTURE(doc);
    CHECK(scan_code(doc) == bo::errc::ok);
  }
}

// ============================================================================
// Rejected documents (n), each with its errc
// ============================================================================

TEST_CASE("json: structural errors are malformed_json") {
  const row cases[] = {
      {"[", bo::errc::malformed_json},
      {"]", bo::errc::malformed_json},
      {"{", bo::errc::malformed_json},
      {"}", bo::errc::malformed_json},
      {"[1", bo::errc::malformed_json},
      {"[1,", bo::errc::malformed_json},
      {"[1,]", bo::errc::malformed_json},
      {"[,1]", bo::errc::malformed_json},
      {"[,]", bo::errc::malformed_json},
      {"[1,,2]", bo::errc::malformed_json},
      {"[1 2]", bo::errc::malformed_json},
      {"[1;2]", bo::errc::malformed_json},
      {"[1:2]", bo::errc::malformed_json},
      {"[\"a\":1]", bo::errc::malformed_json},
      {"[:]", bo::errc::malformed_json},
      {"[1}", bo::errc::malformed_json},
      {"{\"a\":1]", bo::errc::malformed_json},
      {"{,}", bo::errc::malformed_json},
      {"{\"a\"}", bo::errc::malformed_json},
      {"{\"a\":}", bo::errc::malformed_json},
      {"{\"a\" 1}", bo::errc::malformed_json},
      {"{\"a\"::1}", bo::errc::malformed_json},
      {"{\"a\":1:2}", bo::errc::malformed_json},
      {"{\"a\",1}", bo::errc::malformed_json},
      {"{\"a\":1,}", bo::errc::malformed_json},
      {"{\"a\":1 \"b\":2}", bo::errc::malformed_json},
      {"{\"a\":1,,\"b\":2}", bo::errc::malformed_json},
      {"{1:2}", bo::errc::malformed_json},
      {"{a:1}", bo::errc::malformed_json},
      {"{null:1}", bo::errc::malformed_json},
      {"{[]:1}", bo::errc::malformed_json},
      {"{{}:1}", bo::errc::malformed_json},
      {"{'a':1}", bo::errc::malformed_json},
      {"['a']", bo::errc::malformed_json},
      {"'abc'", bo::errc::malformed_json},
      {"abc", bo::errc::malformed_json},
      {"[True]", bo::errc::malformed_json},
      {"TRUE", bo::errc::malformed_json},
      {"tru", bo::errc::malformed_json},
      {"fals", bo::errc::malformed_json},
      {"nul", bo::errc::malformed_json},
      {"nulll", bo::errc::malformed_json},
      {"truefalse", bo::errc::malformed_json},
      {"[undefined]", bo::errc::malformed_json},
      {"[1]//c", bo::errc::malformed_json},
      {"/*c*/[1]", bo::errc::malformed_json},
      {"[1/*c*/]", bo::errc::malformed_json},
      {"#[1]", bo::errc::malformed_json},
  };
  for (const auto& c : cases) {
    CAPTURE(c.doc);
    CHECK(scan_code(c.doc) == c.code);
  }
}

TEST_CASE("json: numbers outside the RFC 8259 grammar are malformed_json") {
  for (std::string_view doc : {"[-01]",
                               "[01]",
                               "[00]",
                               "[-00]",
                               "[1.]",
                               "[.1]",
                               "[-.1]",
                               "[1.e1]",
                               "[2.e3]",
                               "[1e]",
                               "[1e+]",
                               "[1E-]",
                               "[1e+-1]",
                               "[1ee2]",
                               "[0x1]",
                               "[0X1A]",
                               "[1_000]",
                               "[0.1.2]",
                               "[1e1.5]",
                               "[- 1]",
                               "[--1]",
                               "[-]",
                               "[+1]",
                               "[1 000]",
                               "[NaN]",
                               "[-NaN]",
                               "[Infinity]",
                               "[-Infinity]",
                               "[inf]",
                               "NaN",
                               "-",
                               "+",
                               ".",
                               "1.",
                               "-01",
                               "01",
                               "[1e\xC3\xA9]",
                               "[\xEF\xBC\x91]",
                               "[012]",
                               "[1.0e]",
                               "[.]",
                               "[e1]",
                               "[1,-]"}) {
    CAPTURE(doc);
    CHECK(scan_code(doc) == bo::errc::malformed_json);
  }
}

TEST_CASE("json: string errors: bad escapes, raw controls, unterminated") {
  const row cases[] = {
      {"[\"\\a\"]", bo::errc::malformed_json},
      {"[\"\\x41\"]", bo::errc::malformed_json},
      {"[\"\\'\"]", bo::errc::malformed_json},
      {"[\"\\U0041\"]", bo::errc::malformed_json},
      {"[\"\\u00G0\"]", bo::errc::malformed_json},
      {"[\"\\u\"]", bo::errc::malformed_json},
      {"[\"\\u0\"]", bo::errc::malformed_json},
      {"[\"\\u004\"]", bo::errc::malformed_json},
      {"[\"\\u-041\"]", bo::errc::malformed_json},
      {"[\"\\ \"]", bo::errc::malformed_json},
      {"[\"\\\xC3\xA9\"]", bo::errc::malformed_json},
      {"[\"a\tb\"]", bo::errc::malformed_json},
      {"[\"\n\"]", bo::errc::malformed_json},
      {"[\"\r\"]", bo::errc::malformed_json},
      {"[\"\x01\"]", bo::errc::malformed_json},
      {"[\"\x1F\"]", bo::errc::malformed_json},
      {"[\"a\0b\"]"sv, bo::errc::malformed_json},
      {"{\"a\x01\":1}", bo::errc::malformed_json},
      {"\"abc", bo::errc::malformed_json},
      {"[\"abc]", bo::errc::malformed_json},
      {"[\"\\\"]", bo::errc::malformed_json},  // the quote is escaped: unterminated
      {"{\"abc", bo::errc::malformed_json},
      {"\"", bo::errc::malformed_json},
  };
  for (const auto& c : cases) {
    CAPTURE(c.doc);
    CHECK(scan_code(c.doc) == c.code);
  }
}

TEST_CASE("json: invalid UTF-8 in strings is invalid_utf8 (i)") {
  for (std::string_view doc : {"[\"\xFF\"]",
                               "[\"\xFE\"]",
                               "[\"\x80\"]",
                               "[\"\xBF\"]",
                               "[\"\xC0\xAF\"]",
                               "[\"\xC1\xBF\"]",
                               "[\"\xE0\x80\xAF\"]",
                               "[\"\xF0\x80\x80\xAF\"]",
                               "[\"\xED\xA0\x80\"]",
                               "[\"\xED\xBF\xBF\"]",
                               "[\"\xF4\x90\x80\x80\"]",
                               "[\"\xF5\x80\x80\x80\"]",
                               "[\"\xE2\x82\"]",
                               "[\"\xC3\"]",
                               "[\"\342\202a\"]",
                               "[\"\xE2\x82\\n\"]",
                               "[\"a\xC3\xA9\xC3\"]",
                               "{\"\xFF\":1}",
                               "{\"a\":\"\xC0\x80\"}",
                               "[\"\342\202a\254\"]",  // ASCII inside a sequence, then its last byte
                               "[\"\xE2\\n\x82\xAC\"]"}) {
    CAPTURE(doc);
    CHECK(scan_code(doc) == bo::errc::invalid_utf8);
  }
}

TEST_CASE("json: an unpaired or reversed surrogate escape is invalid_surrogate (i)") {
  for (std::string_view doc :
       {"[\"\\uD800\"]", "[\"\\uDBFF\"]", "[\"\\uDC00\"]", "[\"\\uDFFF\"]", "[\"\\uDD1E\"]",
        "[\"\\uDD1E\\uD834\"]", "[\"\\uD800\\u0041\"]", "[\"\\uD800\\uD800\"]", "[\"\\uD800\\uE000\"]",
        "[\"\\uD800x\"]", "[\"\\uD800\\n\"]", "[\"\\uD800\\\\uDC00\"]", "[\"a\\uD834\"]", "{\"\\uDEAD\":1}",
        "{\"a\":\"\\udc00\\ud800\"}", "[\"\\uD834\\uDD1E\\uD834\"]"}) {
    CAPTURE(doc);
    CHECK(scan_code(doc) == bo::errc::invalid_surrogate);
  }
}

TEST_CASE("json strings: every byte value at every offset of a long string gets the per-byte verdict") {
  // Long runs of plain ASCII may be skipped several bytes at a time; the
  // verdict for one odd byte must not depend on where it sits in such a run.
  for (unsigned v = 0; v < 256; ++v) {
    const auto c = static_cast<unsigned char>(v);
    bo::errc want = bo::errc::ok;
    if (c < 0x20 || c == '"' || c == '\\')
      want = bo::errc::malformed_json;             // '"' ends early; "\\a" is no escape
    if (c >= 0x80) want = bo::errc::invalid_utf8;  // a lone byte is never UTF-8
    for (std::size_t at = 0; at < 24; ++at) {
      std::string body(24, 'a');
      body[at] = static_cast<char>(c);
      if (scan_code("[\"" + body + "\"]") != want) {
        CAPTURE(v);
        CAPTURE(at);
        CHECK(scan_code("[\"" + body + "\"]") == want);
      }
    }
  }
  // Sequences straddling any offset, and the closing quote at any offset.
  for (std::size_t at = 0; at < 24; ++at) {
    CAPTURE(at);
    std::string body(24, 'b');
    CHECK(scan_code("[\"" + body.substr(0, at) + "\xF0\x9D\x84\x9E" + body.substr(at) + "\"]") ==
          bo::errc::ok);
    CHECK(scan_code("[\"" + body.substr(0, at) + "\\u00e9\\n" + body.substr(at) + "\"]") == bo::errc::ok);
    CHECK(scan_code("[\"" + body.substr(0, at) + "\"]") == bo::errc::ok);
    CHECK(scan_code("[\"" + body.substr(0, at) + "\xF0\x9D\x84" + body.substr(at) + "\"]") ==
          bo::errc::invalid_utf8);
    CHECK(scan_code("[\"" + body.substr(0, at)) == bo::errc::malformed_json);  // unterminated, exact buffer
  }
}

TEST_CASE("json: only space, tab, LF and CR are whitespace") {
  for (std::string_view doc : {"\x0B[1]", "[1]\x0B",
                               "[\x0C"
                               "1]",
                               "\x0C{}",
                               "{\"a\":\x0B"
                               "1}",
                               "\xC2\xA0[1]",
                               "[1,\xC2\xA0"
                               "2]",
                               "\xE2\x80\x8B[]", "\xE3\x80\x80[]"}) {
    CAPTURE(doc);
    CHECK(scan_code(doc) == bo::errc::malformed_json);
  }
}

TEST_CASE("json: a byte order mark or a UTF-16 document is malformed_json (i)") {
  CHECK(scan_code("\xEF\xBB\xBF{}") == bo::errc::malformed_json);
  CHECK(scan_code("\xEF\xBB\xBF") == bo::errc::malformed_json);
  CHECK(scan_code("\xEF\xBB\xBF[1]") == bo::errc::malformed_json);
  CHECK(scan_code("[1]\xEF\xBB\xBF") == bo::errc::malformed_json);
  CHECK(scan_code("\xFF\xFE[\0]\0"sv) == bo::errc::malformed_json);
  CHECK(scan_code("\0[\0]"sv) == bo::errc::malformed_json);
  CHECK(scan_code("[\xFF]") == bo::errc::malformed_json);  // raw byte outside a string
}

TEST_CASE("json: anything after the top-level value is malformed_json") {
  for (std::string_view doc :
       {"{}x", "{} {}", "[1]]", "[1] [2]", "{}}", "1 1", "1 2", "\"a\"\"b\"", "true false", "{}\n,", "[1],",
        "null null", "0 0", "{\"a\":1}\"", "[]\xC3\xA9"}) {
    CAPTURE(doc);
    CHECK(scan_code(doc) == bo::errc::malformed_json);
  }
  CHECK(scan_code("[1]\0"sv) == bo::errc::malformed_json);
  CHECK(scan_code("{}\0{}"sv) == bo::errc::malformed_json);
  CHECK(scan_code("0\0"sv) == bo::errc::malformed_json);
}

TEST_CASE("json: an empty or blank document is empty_body") {
  for (std::string_view doc : {"", " ", "\t", "\r\n", " \t\r\n  "}) {
    CAPTURE(doc);
    CHECK(scan_code(doc) == bo::errc::empty_body);
  }
  // Other blanks are not whitespace, so not an empty body either.
  CHECK(scan_code("\x0B") == bo::errc::malformed_json);
  CHECK(scan_code("\0"sv) == bo::errc::malformed_json);
}

// ============================================================================
// Truncation and bounds
// ============================================================================

TEST_CASE("json: truncated inputs in exact-size buffers are rejected without over-reading") {
  const row cases[] = {
      {"\"\\", bo::errc::malformed_json},
      {"\"\\u12", bo::errc::malformed_json},
      {"\"\\u", bo::errc::malformed_json},
      {"\"\\u123", bo::errc::malformed_json},
      {"{\"1\":1,", bo::errc::malformed_json},
      {"{\"1\":1", bo::errc::malformed_json},
      {"{\"1\":", bo::errc::malformed_json},
      {"{\"1\"", bo::errc::malformed_json},
      {"{\"1", bo::errc::malformed_json},
      {"[\"\\uD834\\uDD1", bo::errc::malformed_json},
      {"[\"\\uD834\\u", bo::errc::malformed_json},
      {"[\"\\uD834\\", bo::errc::invalid_surrogate},  // no room left for a low surrogate
      {"\"\\uD834", bo::errc::invalid_surrogate},
      {"{\"a\":tru", bo::errc::malformed_json},
      {"[nul", bo::errc::malformed_json},
      {"[f", bo::errc::malformed_json},
      {"[1e", bo::errc::malformed_json},
      {"[1.", bo::errc::malformed_json},
      {"-", bo::errc::malformed_json},
      {"[-", bo::errc::malformed_json},
      {"[\"\xE2\x82", bo::errc::malformed_json},  // cut inside a UTF-8 sequence
      {"[\"abc", bo::errc::malformed_json},
      {"[[[", bo::errc::malformed_json},
  };
  for (const auto& c : cases) {
    CAPTURE(c.doc);
    CHECK(scan_code(c.doc) == c.code);
  }
}

TEST_CASE("json: every proper prefix of an object is rejected with a precise errc") {
  const std::string_view doc =
      "{\"access_token\":\"1\\/abc\\uD834\\uDD1E\\u00e9\xC3\xA9\",\"expires_in\":-12.5e+3,"
      "\"a\":[true,false,null,{\"b\":[]}],\"c\":{}}";
  REQUIRE(scan_code(doc) == bo::errc::ok);
  for (std::size_t n = 0; n < doc.size(); ++n) {
    const std::string_view prefix = doc.substr(0, n);
    CAPTURE(prefix);
    bo::errc want = bo::errc::malformed_json;
    if (n == 0) want = bo::errc::empty_body;
    const bool after_high = prefix.size() >= 6 && prefix.substr(prefix.size() - 6) == "\\uD834";
    const bool after_high_backslash = prefix.size() >= 7 && prefix.substr(prefix.size() - 7) == "\\uD834\\";
    if (after_high || after_high_backslash) want = bo::errc::invalid_surrogate;
    CHECK(scan_code(prefix) == want);
  }
}

TEST_CASE("json: nesting to the depth limit is accepted, one level more is depth_exceeded") {
  bo::limits lim;  // max_json_depth 64
  auto ok_arrays = bd::json_read(nested_arrays(64), nullptr, 0, lim);
  CHECK(ok_arrays);
  auto deep_arrays = bd::json_read(nested_arrays(65), nullptr, 0, lim);
  CHECK(deep_arrays.code() == bo::errc::depth_exceeded);
  auto ok_objects = bd::json_read(nested_objects(64), nullptr, 0, lim);
  CHECK(ok_objects);
  auto deep_objects = bd::json_read(nested_objects(65), nullptr, 0, lim);
  CHECK(deep_objects.code() == bo::errc::depth_exceeded);
  // An empty container at the limit still opens a level.
  CHECK(scan_code(repeat("[", 64) + "{}" + repeat("]", 64)) == bo::errc::depth_exceeded);
  CHECK(scan_code(repeat("[", 63) + "{}" + repeat("]", 63)) == bo::errc::ok);
}

TEST_CASE("json: 100000 '[' are rejected as depth_exceeded without recursion") {
  const std::string open = repeat("[", 100000);
  CHECK(scan_code(open) == bo::errc::depth_exceeded);
  CHECK(scan_code(nested_arrays(100000)) == bo::errc::depth_exceeded);
  CHECK(scan_code(repeat("{\"a\":", 100000)) == bo::errc::depth_exceeded);
  auto r = bd::json_read(open, nullptr, 0, big_limits());
  CHECK(r.code() == bo::errc::depth_exceeded);
}

TEST_CASE("json: a depth limit above 256 is clamped to 256") {
  CHECK(scan_code(nested_arrays(256), 1000) == bo::errc::ok);
  CHECK(scan_code(nested_arrays(257), 1000) == bo::errc::depth_exceeded);
  CHECK(scan_code(nested_arrays(100000), 100000) == bo::errc::depth_exceeded);
  CHECK(scan_code(nested_objects(256), 256) == bo::errc::ok);
  CHECK(scan_code(nested_objects(257), 256) == bo::errc::depth_exceeded);
}

TEST_CASE("json: small depth limits") {
  CHECK(scan_code("[]", 0) == bo::errc::depth_exceeded);
  CHECK(scan_code("{}", 0) == bo::errc::depth_exceeded);
  CHECK(scan_code("1", 0) == bo::errc::ok);
  CHECK(scan_code("\"x\"", 0) == bo::errc::ok);
  CHECK(scan_code("[1,2]", 1) == bo::errc::ok);
  CHECK(scan_code("{\"a\":1}", 1) == bo::errc::ok);
  CHECK(scan_code("[[]]", 1) == bo::errc::depth_exceeded);
  CHECK(scan_code("{\"a\":{}}", 1) == bo::errc::depth_exceeded);
  // Siblings do not add up: depth is nesting, not count.
  CHECK(scan_code("[[],[],[[]]]", 3) == bo::errc::ok);
  CHECK(scan_code(repeat("[[]],", 1000) + "[]", 2) == bo::errc::malformed_json);  // not one value
  CHECK(scan_code("[" + repeat("[[]],", 1000) + "[]]", 3) == bo::errc::ok);
}

TEST_CASE("json: very long numbers are accepted (linear scan, no conversion)") {
  const std::size_t n = 1000000;
  CHECK(scan("1" + std::string(n, '0')).type == bd::json_type::number);
  CHECK(scan_code("-" + std::string(n, '9')) == bo::errc::ok);
  CHECK(scan_code("0." + std::string(n, '0') + "1") == bo::errc::ok);
  CHECK(scan_code("1e" + std::string(n, '9')) == bo::errc::ok);
  CHECK(scan_code("[1e-" + std::string(n, '9') + "]") == bo::errc::ok);
  CHECK(scan_code("[" + std::string(n, '1') + ".]") == bo::errc::malformed_json);
  auto r = bd::json_read("{\"expires_in\":" + std::string(n, '7') + "}", nullptr, 0, big_limits());
  CHECK(r);
  CHECK(*r == bd::json_type::object);
}

TEST_CASE("json_read refuses a body over max_body before reading it") {
  bo::limits lim;
  lim.max_body = 16;
  const std::string at_cap = "{\"a\":\"" + std::string(8, 'x') + "\"}";
  REQUIRE(at_cap.size() == 16);
  auto ok = bd::json_read(at_cap, nullptr, 0, lim);
  CHECK(ok);
  auto over = bd::json_read(at_cap + " ", nullptr, 0, lim);
  CHECK(over.code() == bo::errc::too_large);
  auto garbage = bd::json_read(std::string(17, '['), nullptr, 0, lim);
  CHECK(garbage.code() == bo::errc::too_large);
  bo::limits defaults;
  auto big = bd::json_read(std::string(std::size_t{64} * 1024 + 1, ' '), nullptr, 0, defaults);
  CHECK(big.code() == bo::errc::too_large);
  auto blank = bd::json_read(std::string(std::size_t{64} * 1024, ' '), nullptr, 0, defaults);
  CHECK(blank.code() == bo::errc::empty_body);
}

// ============================================================================
// Slots: top-level members the caller asks for
// ============================================================================

TEST_CASE("json slots: each scalar type, with raw text and escape flag") {
  const std::string_view doc =
      "{\"access_token\":\"1\\/abc\",\"plain\":\"1/abc\",\"n\":-1.5e3,\"t\":true,\"f\":false,\"z\":null,"
      "\"empty\":\"\"}";
  bd::json_slot slots[] = {
      {"access_token", {}, 0}, {"plain", {}, 0},  {"n", {}, 0}, {"t", {}, 0}, {"f", {}, 0}, {"z", {}, 0},
      {"empty", {}, 0},        {"missing", {}, 0}};
  auto r = bd::json_read(doc, slots, 8, bo::limits{});
  REQUIRE(r);
  CHECK(*r == bd::json_type::object);
  CHECK(slots[0].value.type == bd::json_type::string);
  CHECK(slots[0].value.raw == "1\\/abc");
  CHECK(slots[0].value.escaped);
  CHECK(bd::json_string(slots[0].value) == "1/abc");
  CHECK(slots[1].value.raw == "1/abc");
  CHECK_FALSE(slots[1].value.escaped);
  CHECK(bd::json_string(slots[1].value) == "1/abc");
  CHECK(slots[2].value.type == bd::json_type::number);
  CHECK(slots[2].value.raw == "-1.5e3");
  CHECK(slots[3].value.type == bd::json_type::boolean);
  CHECK(slots[3].value.raw == "true");
  CHECK(slots[4].value.type == bd::json_type::boolean);
  CHECK(slots[4].value.raw == "false");
  CHECK(slots[5].value.type == bd::json_type::null);
  CHECK(slots[5].value.raw == "null");
  CHECK(slots[6].value.type == bd::json_type::string);
  CHECK(slots[6].value.raw.empty());
  CHECK(slots[7].value.type == bd::json_type::absent);
  for (std::size_t k = 0; k < 7; ++k) CHECK(slots[k].count == 1);
  CHECK(slots[7].count == 0);
}

TEST_CASE("json slots: the escape flag belongs to the value, not to the previous member") {
  const std::string_view doc = "{\"s\":\"\\n\",\"n\":1,\"e\\u0074\":\"v\",\"o\":{\"k\":\"\\t\"}}";
  bd::json_slot slots[] = {{"s", {}, 0}, {"n", {}, 0}, {"et", {}, 0}, {"o", {}, 0}};
  auto r = bd::json_read(doc, slots, 4, bo::limits{});
  REQUIRE(r);
  CHECK(slots[0].value.escaped);
  CHECK(slots[1].value.type == bd::json_type::number);
  CHECK_FALSE(slots[1].value.escaped);
  CHECK(slots[2].count == 1);  // the name was escaped, the value is not
  CHECK_FALSE(slots[2].value.escaped);
  CHECK(slots[2].value.raw == "v");
  CHECK_FALSE(slots[3].value.escaped);
}

TEST_CASE("json slots: nested containers are recorded whole, never as top-level members") {
  const std::string_view doc =
      "{\"o\":{\"a\":[1,\"\\n\"],\"access_token\":\"inner\"},\"arr\" : [ 1 , [2] , {\"x\":3} ] ,"
      "\"eo\":{},\"ea\":[],\"access_token\":\"outer\",\"after\":{\"b\":\"\\u0041\"}}";
  bd::json_slot slots[] = {{"o", {}, 0}, {"arr", {}, 0},          {"eo", {}, 0}, {"ea", {}, 0},
                           {"a", {}, 0}, {"access_token", {}, 0}, {"x", {}, 0},  {"after", {}, 0}};
  auto r = bd::json_read(doc, slots, 8, bo::limits{});
  REQUIRE(r);
  CHECK(slots[0].value.type == bd::json_type::object);
  CHECK(slots[0].value.raw == "{\"a\":[1,\"\\n\"],\"access_token\":\"inner\"}");
  CHECK_FALSE(slots[0].value.escaped);
  CHECK(slots[1].value.type == bd::json_type::array);
  CHECK(slots[1].value.raw == "[ 1 , [2] , {\"x\":3} ]");
  CHECK(slots[2].value.type == bd::json_type::object);
  CHECK(slots[2].value.raw == "{}");
  CHECK(slots[3].value.type == bd::json_type::array);
  CHECK(slots[3].value.raw == "[]");
  // Names inside nested objects are not top-level members.
  CHECK(slots[4].count == 0);
  CHECK(slots[4].value.type == bd::json_type::absent);
  CHECK(slots[5].count == 1);
  CHECK(slots[5].value.raw == "outer");
  CHECK(slots[6].count == 0);
  CHECK(slots[7].value.type == bd::json_type::object);
  CHECK(slots[7].value.raw == "{\"b\":\"\\u0041\"}");
  CHECK_FALSE(slots[7].value.escaped);
  for (std::size_t k : {0u, 1u, 2u, 3u, 7u}) CHECK(slots[k].count == 1);
}

TEST_CASE("json slots: a top-level array or scalar fills no slot") {
  bd::json_slot slots[] = {{"access_token", {}, 0}};
  auto arr = bd::json_read("[{\"access_token\":\"a\"},{\"access_token\":\"b\"}]", slots, 1, bo::limits{});
  REQUIRE(arr);
  CHECK(*arr == bd::json_type::array);
  CHECK(slots[0].count == 0);
  auto s = bd::json_read("\"access_token\"", slots, 1, bo::limits{});
  REQUIRE(s);
  CHECK(*s == bd::json_type::string);
  CHECK(slots[0].count == 0);
  auto m = bd::json_member(slots, 1, "access_token");
  REQUIRE(m);
  CHECK(m->type == bd::json_type::absent);
}

TEST_CASE("json_member reports duplicates only for names the caller asked for") {
  const std::string_view doc = "{\"x\":1,\"x\":2,\"access_token\":\"a\"}";
  bd::json_slot unrelated[] = {{"access_token", {}, 0}};
  auto r1 = bd::json_read(doc, unrelated, 1, bo::limits{});
  REQUIRE(r1);
  auto at = bd::json_member(unrelated, 1, "access_token");
  REQUIRE(at);
  CHECK(at->raw == "a");

  bd::json_slot asked[] = {{"x", {}, 0}, {"access_token", {}, 0}};
  auto r2 = bd::json_read(doc, asked, 2, bo::limits{});
  REQUIRE(r2);  // the document itself is valid JSON
  CHECK(asked[0].count == 2);
  auto x = bd::json_member(asked, 2, "x");
  CHECK(x.code() == bo::errc::duplicate_member);
  CHECK(x.error().message.find("x: ") == 0);
  auto again = bd::json_member(asked, 2, "access_token");
  CHECK(again);
  // A name with no slot at all is simply absent.
  auto none = bd::json_member(asked, 2, "scope");
  REQUIRE(none);
  CHECK(none->type == bd::json_type::absent);
}

TEST_CASE("json_member sees a duplicate spelled with escapes") {
  for (std::string_view doc : {"{\"access_token\":\"a\",\"access\\u005ftoken\":\"b\"}",
                               "{\"access\\u005Ftoken\":\"a\",\"access_token\":\"b\"}",
                               "{\"\\u0061ccess_token\":\"a\",\"access_toke\\u006e\":\"b\"}",
                               "{\"access_token\":\"a\",\"x\":{},\"access\\/token\":1,\"access_token\":2}"}) {
    CAPTURE(doc);
    bd::json_slot slots[] = {{"access_token", {}, 0}, {"access/token", {}, 0}};
    auto r = bd::json_read(doc, slots, 2, bo::limits{});
    REQUIRE(r);
    CHECK(slots[0].count == 2);
    CHECK(bd::json_member(slots, 2, "access_token").code() == bo::errc::duplicate_member);
  }
}

TEST_CASE("json slots: escaped names match by decoded bytes, length included") {
  // {"a":1,"a\u0000":2} holds two different names.
  const std::string_view doc = "{\"a\":1,\"a\\u0000\":2,\"\\u00e9\":3,\"\\uD834\\uDD1E\":4,\"a\\n\":5}";
  bd::json_slot slots[] = {{"a", {}, 0}, {"a\0"sv, {}, 0}, {"a\n", {}, 0}, {"\xC3\xA9", {}, 0}};
  auto r = bd::json_read(doc, slots, 4, bo::limits{});
  REQUIRE(r);
  CHECK(slots[0].count == 1);
  CHECK(slots[0].value.raw == "1");
  CHECK(slots[1].count == 1);
  CHECK(slots[1].value.raw == "2");
  CHECK(slots[2].count == 1);
  CHECK(slots[2].value.raw == "5");
  // OAuth member names are ASCII: an escaped non-ASCII name never matches.
  CHECK(slots[3].count == 0);
  CHECK(bd::json_member(slots, 4, "a"));
}

TEST_CASE("json slots: an escape above U+007F never folds onto an ASCII name") {
  // U+0161 and U+4161 end in the byte 0x61 ('a'); U+0100 in 0x00. None may be
  // taken for "access_token" (or "a\0") by dropping the high bits.
  const std::string_view doc =
      "{\"\\u0161ccess_token\":\"x\",\"\\u4161ccess_token\":\"y\",\"a\\u0100\":1,\"access_token\":\"z\"}";
  bd::json_slot slots[] = {{"access_token", {}, 0}, {"a\0"sv, {}, 0}};
  auto r = bd::json_read(doc, slots, 2, bo::limits{});
  REQUIRE(r);
  CHECK(slots[0].count == 1);
  CHECK(slots[0].value.raw == "z");
  CHECK(slots[1].count == 0);
  CHECK(bd::json_member(slots, 2, "access_token"));
}

TEST_CASE("json slots: names are case-sensitive and exact") {
  const std::string_view doc =
      "{\"Access_Token\":1,\"access_token \":2,\" access_token\":3,\"access_tokens\":4}";
  bd::json_slot slots[] = {{"access_token", {}, 0}};
  auto r = bd::json_read(doc, slots, 1, bo::limits{});
  REQUIRE(r);
  CHECK(slots[0].count == 0);
}

TEST_CASE("json slots: escaped names are compared without overflowing a buffer") {
  // 300 escapes decode to 300 bytes, more than the reader's 256-byte name
  // buffer: such a name never matches (OAuth names are short) and nothing is
  // written past the buffer.
  const std::string long_name = "{\"" + repeat("\\u0061", 300) + "\":1}";
  const std::string a300 = repeat("a", 300);
  bd::json_slot long_slots[] = {{"a", {}, 0}, {a300, {}, 0}};
  auto r1 = bd::json_read(long_name, long_slots, 2, bo::limits{});
  REQUIRE(r1);
  CHECK(long_slots[0].count == 0);
  CHECK(long_slots[1].count == 0);
  // 40 escapes still match a 40-byte name, so the duplicate is seen.
  const std::string want = repeat("a", 40);
  const std::string doc = "{\"" + repeat("\\u0061", 40) + "\":1,\"" + want + "\":2}";
  bd::json_slot slots[] = {{want, {}, 0}};
  auto r2 = bd::json_read(doc, slots, 1, bo::limits{});
  REQUIRE(r2);
  CHECK(slots[0].count == 2);
  CHECK(bd::json_member(slots, 1, want).code() == bo::errc::duplicate_member);
}

TEST_CASE("json_read fails as a whole when the document breaks after a wanted member") {
  bd::json_slot slots[] = {{"access_token", {}, 0}};
  auto r = bd::json_read("{\"access_token\":\"x\",}", slots, 1, bo::limits{});
  CHECK(r.code() == bo::errc::malformed_json);
  CHECK_FALSE(r);
}

// ============================================================================
// Unescaping
// ============================================================================

TEST_CASE("json_unescape decodes every simple escape") {
  CHECK(bd::json_unescape("\\\"") == "\"");
  CHECK(bd::json_unescape("\\\\") == "\\");
  CHECK(bd::json_unescape("\\/") == "/");
  CHECK(bd::json_unescape("\\b\\f\\n\\r\\t") == "\b\f\n\r\t");
  CHECK(bd::json_unescape("1\\/mWot20jTwojsd00jFlaaR45") == "1/mWot20jTwojsd00jFlaaR45");
  CHECK(bd::json_unescape("Missing parameter. \\\"code\\\" is required") ==
        "Missing parameter. \"code\" is required");
  CHECK(bd::json_unescape("") == "");
  CHECK(bd::json_unescape("plain \xC3\xA9") == "plain \xC3\xA9");
}

TEST_CASE("json_unescape turns \\u escapes into UTF-8 of the right length") {
  CHECK(bd::json_unescape("\\u0041") == "A");
  CHECK(bd::json_unescape("\\u0000") == std::string(1, '\0'));
  CHECK(bd::json_unescape("\\u007F") == "\x7F");
  CHECK(bd::json_unescape("\\u0080") == "\xC2\x80");
  CHECK(bd::json_unescape("\\u00e9") == "\xC3\xA9");
  CHECK(bd::json_unescape("\\u07FF") == "\xDF\xBF");
  CHECK(bd::json_unescape("\\u0800") == "\xE0\xA0\x80");
  CHECK(bd::json_unescape("\\u20AC") == "\xE2\x82\xAC");
  CHECK(bd::json_unescape("\\uFFFF") == "\xEF\xBF\xBF");
  CHECK(bd::json_unescape("\\uD834\\uDD1E") == "\xF0\x9D\x84\x9E");
  CHECK(bd::json_unescape("\\uD834\\uDD1E").size() == 4);
  CHECK(bd::json_unescape("\\ud834\\udd1e") == "\xF0\x9D\x84\x9E");
  CHECK(bd::json_unescape("\\uD800\\uDC00") == "\xF0\x90\x80\x80");
  CHECK(bd::json_unescape("\\uDBFF\\uDFFF") == "\xF4\x8F\xBF\xBF");
  CHECK(bd::json_unescape("a\\u0031b\\uD83D\\uDE00c") ==
        "a1b\xF0\x9F\x98\x80"
        "c");
}

TEST_CASE("json: every code point survives escape, validation and unescape") {
  std::size_t mismatches = 0;
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    std::string esc;
    if (cp < 0x10000) {
      esc = hex4(cp);
    } else {
      const std::uint32_t v = cp - 0x10000;
      esc = hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF));
    }
    const std::string doc = "\"" + esc + "\"";
    bd::json_scanner scanner(doc, 64);
    const bool valid = scanner.scan(nullptr, 0) == bd::json_type::string;
    if (!valid || bd::json_unescape(esc) != utf8_encode(cp)) {
      if (++mismatches == 1) {
        CAPTURE(cp);
        CHECK(false);
      }
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("json_string copies an unescaped value and decodes an escaped one") {
  bd::json_value plain{bd::json_type::string, "a\\nb", false};  // as if read without escapes
  CHECK(bd::json_string(plain) == "a\\nb");
  bd::json_value escaped{bd::json_type::string, "a\\nb", true};
  CHECK(bd::json_string(escaped) == "a\nb");
}

// ============================================================================
// Secrets
// ============================================================================

TEST_CASE("json errors never echo the document, so token values stay out of messages") {
  const std::string secret = "1/SECRETtokenVALUE0123456789";
  const std::string docs[] = {
      "{\"access_token\":\"" + secret,                               // truncated
      "{\"access_token\":\"" + secret + "\xFF\"}",                   // invalid UTF-8
      "{\"access_token\":\"" + secret + "\\uD800\"}",                // lone surrogate
      "{\"access_token\":\"" + secret + "\",}",                      // trailing comma
      "{\"access_token\":\"" + secret + "\"}" + repeat(" ", 70000),  // too large
      repeat("[", 100) + "\"" + secret + "\"" + repeat("]", 100),    // too deep
  };
  for (const auto& doc : docs) {
    bd::json_slot slots[] = {{"access_token", {}, 0}};
    auto r = bd::json_read(doc, slots, 1, bo::limits{});
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find(secret) == std::string::npos);
    CHECK(r.error().message.find("SECRET") == std::string::npos);
    CHECK(r.error().body.empty());
  }
  const std::string dup = "{\"access_token\":\"" + secret + "\",\"access_token\":\"" + secret + "\"}";
  bd::json_slot slots[] = {{"access_token", {}, 0}};
  auto r = bd::json_read(dup, slots, 1, bo::limits{});
  REQUIRE(r);
  auto m = bd::json_member(slots, 1, "access_token");
  CHECK(m.code() == bo::errc::duplicate_member);
  CHECK(m.error().message.find(secret) == std::string::npos);
}
