// The JSON reader, seen through parse_token_response: every document below is
// a token endpoint's answer (HTTP 200) or a member value inside one, and the
// outcome is the errc, token member or provider error_description it yields.
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
//   - an object with a repeated name: accepted by the reader; a token response
//     is duplicate_member only when the repeated name is one OAuth defines.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bo = buffer_oauth;
using namespace std::string_view_literals;

using namespace test_support;

namespace {

bo::limits big_limits() {
  bo::limits lim;
  lim.max_body = std::size_t{8} << 20;
  return lim;
}

// `body` as a token endpoint's 200 answer, read for the strict generic provider.
bo::result<bo::token> read_body(std::string body, const bo::limits& lim = {}) {
  return bo::parse_token_response(generic(), response(200, std::move(body)), lim);
}

// The JSON reader's verdict on `doc`: its own errc, or ok when it read the
// document and any failure is about the members a token needs. A body that
// does not even start like JSON is reported as not_json, which parse_token_response
// gives only for the reader's malformed_json, so it counts as that.
bo::errc scan_code(std::string_view doc, std::size_t max_depth = 64) {
  bo::limits lim = big_limits();
  lim.max_json_depth = max_depth;
  const bo::errc code = read_body(std::string(doc), lim).code();
  if (code == bo::errc::not_json) return bo::errc::malformed_json;
  if (code == bo::errc::malformed_json || code == bo::errc::invalid_utf8 ||
      code == bo::errc::invalid_surrogate || code == bo::errc::depth_exceeded ||
      code == bo::errc::empty_body || code == bo::errc::too_large)
    return code;
  return bo::errc::ok;
}

// White-box: every public entry point hands the reader a std::string, whose
// terminating NUL would hide a one-byte over-read from ASan; only the scanner
// itself can be given a buffer of exactly the document's size.
bo::errc scan_exact(std::string_view doc) {
  const exact_copy copy(doc);
  buffer_oauth::detail::json_scanner scanner(copy.view(), 64);
  scanner.scan(nullptr, 0);
  return scanner.error();
}

// The top-level type of an accepted document, as far as public results tell
// it: a body that is no object is not_an_object; as a member value, a number
// under "code" and false under "success" make a Buffer API envelope
// (api_error), a string is a valid "scope", and null under "access_token" is
// a missing token. Arrays and true are told apart by none of these.
enum class kind { object, number, string, null, false_literal, array_or_true };

kind kind_of(std::string_view doc) {
  const bo::limits lim = big_limits();
  if (read_body(std::string(doc), lim).code() != bo::errc::not_an_object) return kind::object;
  const std::string v(doc);
  if (read_body("{\"code\":" + v + "}", lim).code() == bo::errc::api_error) return kind::number;
  if (read_body("{\"success\":" + v + "}", lim).code() == bo::errc::api_error) return kind::false_literal;
  if (read_body("{\"access_token\":\"a\",\"token_type\":\"bearer\",\"scope\":" + v + "}", lim).code() !=
      bo::errc::invalid_member_type)
    return kind::string;
  if (read_body("{\"access_token\":" + v + "}", lim).code() == bo::errc::missing_access_token)
    return kind::null;
  return kind::array_or_true;
}

// A token response with `members` after a valid access token and token type.
std::string token_body(std::string_view members) {
  return "{\"access_token\":\"tok\",\"token_type\":\"bearer\"" + std::string(members) + "}";
}

// The provider's error_description decoded from the JSON string text
// `escaped`, or "<errc name>" when the response is refused.
std::string description_of(std::string_view escaped) {
  auto r =
      read_body("{\"error\":\"invalid_request\",\"error_description\":\"" + std::string(escaped) + "\"}");
  if (r.code() != bo::errc::token_error) return "<" + std::string(bo::to_string(r.code())) + ">";
  return r.error().from_provider.error_description;
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
    kind type;
  };
  using T = kind;
  const typed cases[] = {
      {"[]", T::array_or_true},
      {"{}", T::object},
      {"[[]]", T::array_or_true},
      {"[{}]", T::array_or_true},
      {"[[[[[]]]]]", T::array_or_true},
      {"{\"a\":[]}", T::object},
      {"{\"a\":{}}", T::object},
      {"{\"\":0}", T::object},
      {"{\"a\":\"b\",\"c\":1,\"d\":null,\"e\":true,\"f\":false,\"g\":[1,2],\"h\":{\"i\":-1}}", T::object},
      {"{\"a\":{\"b\":{\"c\":[1,{\"d\":null}]}}}", T::object},
      {"[1,2,3]", T::array_or_true},
      {"[null,true,false]", T::array_or_true},
      {"[\"\"]", T::array_or_true},
      {"[\"a\",\n\"b\"]", T::array_or_true},
      {" [1] ", T::array_or_true},
      {"\t\n\r [1]\r\n\t ", T::array_or_true},
      {" { \"a\" : [ 1 , 2 ] , \"b\" : { } } ", T::object},
      {"null", T::null},
      {"true", T::array_or_true},
      {"false", T::false_literal},
      {" false ", T::false_literal},
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
      {"[-0]", T::array_or_true},
      {"[1 ,2 , 3 ]", T::array_or_true},
      {"\"\"", T::string},
      {"\"asd\"", T::string},
      {"\" \"", T::string},
      {"\"a/*b*/c//d\"", T::string},
      {"[\"\\u0000\"]", T::array_or_true},
      {"[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", T::array_or_true},
      {"[\"\\u0061\\u30af\\u30EA\\u30b9\"]", T::array_or_true},
      {"[\"\\uD834\\uDD1E\"]", T::array_or_true},
      {"[\"\\ud834\\udd1e\"]", T::array_or_true},
      {"[\"\\uDBFF\\uDFFF\"]", T::array_or_true},
      {"[\"\\uD800\\uDC00\"]", T::array_or_true},
      {"[\"\\uD7FF\\uE000\"]", T::array_or_true},
      {"[\"\\u002c\"]", T::array_or_true},
      {"[\"\\/\"]", T::array_or_true},
      {"[\"\xE2\x82\xAC\xF0\x9D\x84\x9E\xC2\xA3\"]", T::array_or_true},
      {"[\"\x7F\"]", T::array_or_true},  // DEL is not a control character in JSON
      {"{\"\xC3\xA9\":\"\xC3\xA9\"}", T::object},
  };
  for (const auto& c : cases) {
    CAPTURE(c.doc);
    CHECK(scan_code(c.doc) == bo::errc::ok);
    CHECK(kind_of(c.doc) == c.type);
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
    CHECK(scan_code("[\"" + body.substr(0, at)) == bo::errc::malformed_json);  // unterminated
    CHECK(scan_exact("[\"" + body.substr(0, at)) == bo::errc::malformed_json);
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

TEST_CASE("json: truncated inputs are rejected, and without over-reading an exact-size buffer") {
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
    CHECK(scan_exact(c.doc) == c.code);
  }
}

TEST_CASE("json: every proper prefix of an object is rejected with a precise errc") {
  const std::string_view doc =
      "{\"access_token\":\"1\\/abc\\uD834\\uDD1E\\u00e9\xC3\xA9\",\"expires_in\":-12.5e+3,"
      "\"a\":[true,false,null,{\"b\":[]}],\"c\":{}}";
  REQUIRE(scan_code(doc) == bo::errc::ok);
  REQUIRE(scan_exact(doc) == bo::errc::ok);
  for (std::size_t n = 0; n < doc.size(); ++n) {
    const std::string_view prefix = doc.substr(0, n);
    CAPTURE(prefix);
    bo::errc want = bo::errc::malformed_json;
    if (n == 0) want = bo::errc::empty_body;
    const bool after_high = prefix.size() >= 6 && prefix.substr(prefix.size() - 6) == "\\uD834";
    const bool after_high_backslash = prefix.size() >= 7 && prefix.substr(prefix.size() - 7) == "\\uD834\\";
    if (after_high || after_high_backslash) want = bo::errc::invalid_surrogate;
    CHECK(scan_code(prefix) == want);
    CHECK(scan_exact(prefix) == want);
  }
}

TEST_CASE("json: nesting to the depth limit is accepted, one level more is depth_exceeded") {
  // max_json_depth is 64 by default.
  CHECK(read_body(nested_arrays(64)).code() == bo::errc::not_an_object);
  CHECK(read_body(nested_arrays(65)).code() == bo::errc::depth_exceeded);
  CHECK(read_body(nested_objects(64)).code() == bo::errc::missing_access_token);
  CHECK(read_body(nested_objects(65)).code() == bo::errc::depth_exceeded);
  // An empty container at the limit still opens a level.
  CHECK(scan_code(repeat("[", 64) + "{}" + repeat("]", 64)) == bo::errc::depth_exceeded);
  CHECK(scan_code(repeat("[", 63) + "{}" + repeat("]", 63)) == bo::errc::ok);
}

TEST_CASE("json: 100000 '[' are rejected as depth_exceeded without recursion") {
  const std::string open = repeat("[", 100000);
  CHECK(scan_code(open) == bo::errc::depth_exceeded);
  CHECK(scan_code(nested_arrays(100000)) == bo::errc::depth_exceeded);
  CHECK(scan_code(repeat("{\"a\":", 100000)) == bo::errc::depth_exceeded);
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
  CHECK(kind_of("1" + std::string(n, '0')) == kind::number);
  CHECK(scan_code("-" + std::string(n, '9')) == bo::errc::ok);
  CHECK(scan_code("0." + std::string(n, '0') + "1") == bo::errc::ok);
  CHECK(scan_code("1e" + std::string(n, '9')) == bo::errc::ok);
  CHECK(scan_code("[1e-" + std::string(n, '9') + "]") == bo::errc::ok);
  CHECK(scan_code("[" + std::string(n, '1') + ".]") == bo::errc::malformed_json);
  // Read, then refused as seconds: more digits than an int64 holds.
  CHECK(read_body(token_body(",\"expires_in\":" + std::string(n, '7')), big_limits()).code() ==
        bo::errc::invalid_expires_in);
}

TEST_CASE("a response body over max_body is refused before it is read") {
  bo::limits lim;
  lim.max_body = 16;
  const std::string at_cap = "{\"a\":\"" + std::string(8, 'x') + "\"}";
  REQUIRE(at_cap.size() == 16);
  CHECK(read_body(at_cap, lim).code() == bo::errc::missing_access_token);
  CHECK(read_body(at_cap + " ", lim).code() == bo::errc::too_large);
  CHECK(read_body(std::string(17, '['), lim).code() == bo::errc::too_large);
  CHECK(read_body(std::string(std::size_t{64} * 1024 + 1, ' ')).code() == bo::errc::too_large);
  CHECK(read_body(std::string(std::size_t{64} * 1024, ' ')).code() == bo::errc::empty_body);
}

// ============================================================================
// Members: the top-level names a token response is read for
// ============================================================================

TEST_CASE("json members: strings are decoded only when escaped; numbers, false and null keep their meaning") {
  bo::provider lenient = generic();
  lenient.leniencies = static_cast<std::uint8_t>(bo::leniency::expires_in_string);
  const std::string doc =
      "{\"access_token\":\"1\\/abc\",\"token_type\":\"bearer\",\"refresh_token\":\"1/"
      "abc\",\"expires_in\":3600,"
      "\"scope\":\"\",\"other\":null}";
  auto t = bo::parse_token_response(lenient, response(200, doc));
  REQUIRE(t);
  CHECK(t->access_token == "1/abc");
  CHECK(t->refresh_token == "1/abc");
  CHECK(t->expires_in == 3600);
  CHECK(t->scope.empty());
  // A number is read as its exact text; -1.5e3 is no count of seconds.
  CHECK(read_body(token_body(",\"expires_in\":-1.5e3")).code() == bo::errc::invalid_expires_in);
  CHECK(read_body(token_body(",\"expires_in\":true")).code() == bo::errc::invalid_expires_in);
  CHECK(read_body("{\"success\":false}").code() == bo::errc::api_error);
  CHECK(read_body("{\"success\":true}").code() == bo::errc::missing_access_token);
  CHECK(read_body("{\"access_token\":null}").code() == bo::errc::missing_access_token);
  CHECK(read_body("{\"access_token\":\"\"}").code() == bo::errc::missing_access_token);
  // A member that is not there leaves its field empty.
  auto bare = read_body(token_body(""));
  REQUIRE(bare);
  CHECK(bare->refresh_token.empty());
  CHECK_FALSE(bare->expires_in.has_value());
}

TEST_CASE("json members: the escape flag belongs to the value, not to the previous member or the name") {
  // expires_in as a string is taken only when it holds plain digits.
  bo::provider lenient = generic();
  lenient.leniencies = static_cast<std::uint8_t>(bo::leniency::expires_in_string);
  auto after_escaped = bo::parse_token_response(
      lenient, response(200, token_body(",\"refresh_token\":\"a\\/b\",\"expires_in\":\"60\"")));
  REQUIRE(after_escaped);
  CHECK(after_escaped->expires_in == 60);
  CHECK(after_escaped->refresh_token == "a/b");
  auto escaped_name =
      bo::parse_token_response(lenient, response(200, token_body(",\"e\\u0078pires_in\":\"60\"")));
  REQUIRE(escaped_name);
  CHECK(escaped_name->expires_in == 60);
  CHECK(bo::parse_token_response(lenient, response(200, token_body(",\"expires_in\":\"6\\u0030\""))).code() ==
        bo::errc::invalid_expires_in);
}

TEST_CASE("json members: names inside nested containers are not top-level members") {
  const std::string doc =
      "{\"o\":{\"a\":[1,\"\\n\"],\"access_token\":\"inner\"},\"arr\" : [ 1 , [2] , {\"x\":3} ] ,"
      "\"eo\":{},\"ea\":[],\"access_token\":\"outer\",\"after\":{\"scope\":\"\\u0041\"},\"token_type\":"
      "\"bearer\"}";
  auto t = read_body(doc);
  REQUIRE(t);
  CHECK(t->access_token == "outer");
  CHECK(t->scope.empty());
  CHECK(read_body("{\"o\":{\"access_token\":\"a\"}}").code() == bo::errc::missing_access_token);
}

TEST_CASE("json members: a top-level array or scalar is not_an_object") {
  CHECK(read_body("[{\"access_token\":\"a\"},{\"access_token\":\"b\"}]").code() == bo::errc::not_an_object);
  CHECK(read_body("\"access_token\"").code() == bo::errc::not_an_object);
}

TEST_CASE("json members: a repeated name is duplicate_member only for a name OAuth defines") {
  auto unrelated = read_body(token_body(",\"x\":1,\"x\":2"));
  REQUIRE(unrelated);
  CHECK(unrelated->access_token == "tok");
  auto twice = read_body(token_body(",\"scope\":\"a\",\"scope\":\"a\""));
  CHECK(twice.code() == bo::errc::duplicate_member);
  CHECK(twice.error().message.find("scope: ") == 0);
}

TEST_CASE("json members: a duplicate spelled with escapes is still a duplicate") {
  for (std::string_view doc : {"{\"access_token\":\"a\",\"access\\u005ftoken\":\"b\"}",
                               "{\"access\\u005Ftoken\":\"a\",\"access_token\":\"b\"}",
                               "{\"\\u0061ccess_token\":\"a\",\"access_toke\\u006e\":\"b\"}",
                               "{\"access_token\":\"a\",\"x\":{},\"access\\/token\":1,\"access_token\":2}"}) {
    CAPTURE(doc);
    CHECK(read_body(std::string(doc)).code() == bo::errc::duplicate_member);
  }
}

TEST_CASE("json members: escaped names match by decoded bytes, length included") {
  // "scope\u0000", "scope\n" and "\u0073cope\u00e9" are names other than "scope".
  const std::string doc = token_body(
      ",\"scope\":\"a\",\"scope\\u0000\":\"b\",\"scope\\n\":\"c\",\"\\u0073cope\\u00e9\":\"d\","
      "\"\\u0073\\u0063\\u006f\\u0070\\u0065x\":\"e\"");
  auto t = read_body(doc);
  REQUIRE(t);
  CHECK(t->scope == "a");
  auto escaped = read_body(token_body(",\"\\u0073\\u0063\\u006f\\u0070\\u0065\":\"b\""));
  REQUIRE(escaped);
  CHECK(escaped->scope == "b");
}

TEST_CASE("json members: an escape above U+007F never folds onto an ASCII name") {
  // U+0161 and U+4161 end in the byte 0x61 ('a'); U+0165 in 0x65 ('e'). None
  // may be taken for an OAuth name by dropping the high bits.
  const std::string doc =
      "{\"\\u0161ccess_token\":\"x\",\"\\u4161ccess_token\":\"y\",\"access_token\":\"z\","
      "\"token_typ\\u0165\":\"mac\",\"token_type\":\"bearer\",\"scop\\u0165\":\"s\"}";
  auto t = read_body(doc);
  REQUIRE(t);
  CHECK(t->access_token == "z");
  CHECK(t->scope.empty());
}

TEST_CASE("json members: names are case-sensitive and exact") {
  CHECK(
      read_body(
          "{\"Access_Token\":\"a\",\"access_token \":\"b\",\" access_token\":\"c\",\"access_tokens\":\"d\"}")
          .code() == bo::errc::missing_access_token);
}

TEST_CASE("json members: long escaped names are compared without overflowing a buffer") {
  // 300 escapes decode to 300 bytes, more than the reader's 256-byte name
  // buffer: such a name matches nothing and nothing is written past the buffer.
  auto long_name = read_body(token_body(",\"" + repeat("\\u0061", 300) + "\":1"));
  REQUIRE(long_name);
  CHECK(long_name->access_token == "tok");
  // An escaped name of ordinary length still matches, so the duplicate is seen.
  CHECK(read_body(token_body(",\"" + repeat("\\u0061", 2) +
                             "\":1,\"\\u0072\\u0065\\u0066\\u0072\\u0065\\u0073"
                             "\\u0068_token\":\"r\",\"refresh_token\":\"r\""))
            .code() == bo::errc::duplicate_member);
}

TEST_CASE("json: a document that breaks after a wanted member fails as a whole") {
  CHECK(read_body("{\"access_token\":\"x\",}").code() == bo::errc::malformed_json);
  CHECK(read_body(token_body(",")).code() == bo::errc::malformed_json);
}

// ============================================================================
// Unescaping, seen in a provider's error_description and in token members
// ============================================================================

TEST_CASE("json strings: every simple escape is decoded") {
  auto t = read_body(token_body(",\"refresh_token\":\"\\\"\\\\\\/\""));
  REQUIRE(t);
  CHECK(t->refresh_token == "\"\\/");
  CHECK(description_of("\\\"") == "\"");
  CHECK(description_of("\\\\") == "\\");
  CHECK(description_of("\\/") == "/");
  CHECK(description_of("1\\/mWot20jTwojsd00jFlaaR45") == "1/mWot20jTwojsd00jFlaaR45");
  CHECK(description_of("Missing parameter. \\\"code\\\" is required") ==
        "Missing parameter. \"code\" is required");
  CHECK(description_of("") == "");
  CHECK(description_of("plain \xC3\xA9") == "plain \xC3\xA9");
  // A control character never reaches a description, so each of these shows
  // up as a refused error body.
  for (std::string_view control :
       {"\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u001F", "\\u007F", "\\u0080"}) {
    CAPTURE(control);
    CHECK(description_of(control) == "<malformed_error>");
  }
}

TEST_CASE("json strings: control escapes decode to the byte they name") {
  // White-box: no public output carries a control character (see above), so
  // only the unescaper itself can show which byte each escape became.
  CHECK(buffer_oauth::detail::json_unescape("\\b\\f\\n\\r\\t\\u0000\\u007F\\u0080") ==
        std::string("\b\f\n\r\t\0\x7F\xC2\x80", 9));
}

TEST_CASE("json strings: \\u escapes turn into UTF-8 of the right length") {
  CHECK(description_of("\\u0041") == "A");
  CHECK(description_of("\\u00e9") == "\xC3\xA9");
  CHECK(description_of("\\u07FF") == "\xDF\xBF");
  CHECK(description_of("\\u0800") == "\xE0\xA0\x80");
  CHECK(description_of("\\u20AC") == "\xE2\x82\xAC");
  CHECK(description_of("\\uFFFF") == "\xEF\xBF\xBF");
  CHECK(description_of("\\uD834\\uDD1E") == "\xF0\x9D\x84\x9E");
  CHECK(description_of("\\uD834\\uDD1E").size() == 4);
  CHECK(description_of("\\ud834\\udd1e") == "\xF0\x9D\x84\x9E");
  CHECK(description_of("\\uD800\\uDC00") == "\xF0\x90\x80\x80");
  CHECK(description_of("\\uDBFF\\uDFFF") == "\xF4\x8F\xBF\xBF");
  CHECK(description_of("a\\u0031b\\uD83D\\uDE00c") ==
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
    // C0 and C1 controls and DEL are decoded too, and then refused as provider text.
    const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    const std::string want = control ? "<malformed_error>" : utf8_encode(cp);
    if (description_of(esc) != want) {
      if (++mismatches == 1) {
        CAPTURE(cp);
        CHECK(false);
      }
    }
  }
  CHECK(mismatches == 0);
}

// ============================================================================
// Secrets
// ============================================================================

TEST_CASE("json errors never echo the document, so token values stay out of messages") {
  const std::string secret = "1/SECRETtokenVALUE0123456789";
  const std::string docs[] = {
      "{\"access_token\":\"" + secret,                                              // truncated
      "{\"access_token\":\"" + secret + "\xFF\"}",                                  // invalid UTF-8
      "{\"access_token\":\"" + secret + "\\uD800\"}",                               // lone surrogate
      "{\"access_token\":\"" + secret + "\",}",                                     // trailing comma
      "{\"access_token\":\"" + secret + "\"}" + repeat(" ", 70000),                 // too large
      repeat("[", 100) + "\"" + secret + "\"" + repeat("]", 100),                   // too deep
      "{\"access_token\":\"" + secret + "\",\"access_token\":\"" + secret + "\"}",  // duplicate
  };
  for (const auto& doc : docs) {
    auto r = read_body(doc);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find(secret) == std::string::npos);
    CHECK(r.error().message.find("SECRET") == std::string::npos);
    CHECK(r.error().body.find("SECRET") == std::string::npos);
  }
}
