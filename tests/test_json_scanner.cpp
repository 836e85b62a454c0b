// White-box tests of the JSON scanner's word-at-a-time paths: the word loads,
// the lowest-flag index, skip_plain at every offset and length, and the whole
// scanner next to the byte-by-byte reference (json_reference_scanner.hpp) on
// documents mutated at every byte.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "json_reference_scanner.hpp"
#include "test_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace d = buffer_oauth::detail;
using namespace test_support;

namespace {

// What skip_plain must find, one byte at a time.
std::size_t first_special(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return i;
  }
  return s.size();
}

std::size_t skip_plain(std::string_view s) {
  const exact_copy copy(s);  // no byte after the end: ASan sees an over-read
  const char* begin = copy.view().data();
  return static_cast<std::size_t>(d::json_scanner::skip_plain(begin, begin + s.size()) - begin);
}

// The bytes whose verdict flips around the tests skip_plain makes.
const unsigned char edge_bytes[] = {0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c,
                                    0x5d, 0x7e, 0x7f, 0x80, 0x81, 0xc3, 0xdf, 0xfe, 0xff};

struct outcome {
  d::json_type top;
  buffer_oauth::errc error;
  std::size_t offset;
  std::vector<std::string> slots;  // type, raw, escaped and count of each slot
};

template <class Scanner>
outcome scan_with(std::string_view doc, std::size_t max_depth) {
  // "a" and "A" have the same length: only their bytes tell them apart.
  d::json_slot slots[5] = {
      {"a", {}, 0}, {"access_token", {}, 0}, {"", {}, 0}, {"x\xC3\xA9", {}, 0}, {"A", {}, 0}};
  const exact_copy copy(doc);
  Scanner scanner(copy.view(), max_depth);
  outcome o{scanner.scan(slots, 5), scanner.error(), scanner.error_offset(), {}};
  for (const auto& s : slots)
    o.slots.push_back(std::to_string(static_cast<int>(s.value.type)) + "|" + std::string(s.value.raw) + "|" +
                      std::to_string(s.value.escaped) + "|" + std::to_string(s.count));
  return o;
}

void check_same_as_reference(std::string_view doc, std::size_t max_depth = 64) {
  const outcome got = scan_with<d::json_scanner>(doc, max_depth);
  const outcome want = scan_with<reference::reference_json_scanner>(doc, max_depth);
  const bool same = got.top == want.top && got.error == want.error && got.offset == want.offset &&
                    (got.top == d::json_type::absent || got.slots == want.slots);
  if (!same) {
    CAPTURE(doc);
    CHECK(got.top == want.top);
    CHECK(got.error == want.error);
    CHECK(got.offset == want.offset);
    CHECK(got.slots == want.slots);
  }
}

}  // namespace

TEST_CASE("json scanner: load_le64 reads little-endian on any host, the partial load pads") {
  const char bytes[] = "\x01\x02\x03\x04\x05\x06\x07\x88";
  CHECK(d::load_le64(bytes) == 0x8807060504030201u);
  CHECK(d::load_le64_partial(bytes, 0, ' ') == 0x2020202020202020u);
  CHECK(d::load_le64_partial(bytes, 1, ' ') == 0x2020202020202001u);
  CHECK(d::load_le64_partial(bytes, 7, 0xAB) == 0xAB07060504030201u);
}

TEST_CASE("json scanner: lowest_flagged_byte finds the lowest flag of any set") {
  for (unsigned low = 0; low < 8; ++low) {
    const std::uint64_t flag = std::uint64_t{0x80} << (8 * low);
    CHECK(d::lowest_flagged_byte(flag) == low);
    CHECK(d::lowest_flagged_byte(flag | 0x8000000000000000u) == low);  // higher flags do not matter
    CHECK(d::lowest_flagged_byte(~(flag - 1) & 0x8080808080808080u) == low);
  }
}

TEST_CASE("json scanner: same_bytes finds a difference at every offset of 0 to 17 bytes") {
  for (std::size_t n = 0; n <= 17; ++n) {
    CAPTURE(n);
    const std::string a(n, 'k');
    const exact_copy a_copy(a), b_copy(a);
    CHECK(d::same_bytes(a_copy.view().data(), b_copy.view().data(), n));
    for (std::size_t at = 0; at < n; ++at) {
      for (const unsigned c : {0x00u, 0x6au, 0x6cu, 0xebu, 0xffu}) {
        std::string b = a;
        b[at] = static_cast<char>(c);
        const exact_copy changed(b);
        if (d::same_bytes(a_copy.view().data(), changed.view().data(), n)) {
          CAPTURE(at);
          CAPTURE(c);
          CHECK_FALSE(d::same_bytes(a_copy.view().data(), changed.view().data(), n));
        }
      }
    }
  }
}

TEST_CASE("json scanner: skip_plain stops at each special byte at every offset of strings of 0 to 17 bytes") {
  for (std::size_t n = 0; n <= 17; ++n) {
    CAPTURE(n);
    const std::string plain(n, 'a');
    CHECK(skip_plain(plain) == n);
    for (std::size_t at = 0; at < n; ++at) {
      for (const unsigned char c : edge_bytes) {
        std::string s = plain;
        s[at] = static_cast<char>(c);
        if (skip_plain(s) != first_special(s)) {
          CAPTURE(at);
          CAPTURE(static_cast<unsigned>(c));
          CHECK(skip_plain(s) == first_special(s));
        }
        // A second special byte later never hides the first.
        for (std::size_t later = at + 1; later < n; ++later) {
          std::string t = s;
          t[later] = '"';
          if (skip_plain(t) != first_special(t)) {
            CAPTURE(at);
            CAPTURE(later);
            CHECK(skip_plain(t) == first_special(t));
          }
        }
      }
    }
  }
}

TEST_CASE("json scanner: every byte value at every offset of a 24-byte string body") {
  for (unsigned v = 0; v < 256; ++v) {
    for (std::size_t at = 0; at < 24; ++at) {
      std::string s(24, 'q');
      s[at] = static_cast<char>(v);
      if (skip_plain(s) != first_special(s)) {
        CAPTURE(v);
        CAPTURE(at);
        CHECK(skip_plain(s) == first_special(s));
      }
    }
  }
}

TEST_CASE("json scanner: strings of 0 to 17 bytes, non-ASCII across word ends, controls in the last word") {
  for (std::size_t n = 0; n <= 17; ++n) {
    CAPTURE(n);
    const std::string body(n, 'z');
    check_same_as_reference("\"" + body + "\"");
    check_same_as_reference("{\"a\":\"" + body + "\"}");
    check_same_as_reference("\"" + body);           // unterminated: the end within the last word
    check_same_as_reference("\"" + body + "\x1f");  // a control byte as the last byte
    for (std::size_t at = 0; at <= n; ++at) {
      const std::string head = body.substr(0, at), tail = body.substr(at);
      for (std::string_view insert : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9D\x84\x9E", "\xC3", "\xE2\x82",
                                      "\xF0\x9D\x84", "\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80", "\x1f",
                                      "\x7f", "\\u00e9", "\\uD834\\uDD1E", "\\uD834", "\\x", "\\"}) {
        const std::string s = head + std::string(insert) + tail;
        check_same_as_reference("\"" + s + "\"");
        check_same_as_reference("\"" + s);  // cut inside or right after it
        check_same_as_reference("[\"" + s + "\",1]");
        check_same_as_reference("\"" + s + "\x1f\"");
      }
    }
  }
}

TEST_CASE("json scanner: the same verdict, offset and slots as the reference for every one-byte change") {
  // A token response with unknown nested members.
  const std::string_view token_with_extras =
      R"({"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,)"
      R"("refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"read write","x_account":{"id":4711,)"
      R"("plan":"pro","limits":[60,3600,{"burst":true}]},"x_meta":[null,false,1.5e3,"caf\u00e9"]})";
  const std::string_view seeds[] = {
      token_with_extras,
      R"({"a":[],"a":{},"":-0.5E+7,"x\u00e9":"\ud834\udd1e","access_token":"1\/abc"} )",
      " [ {\"a\" : [ 1 , -2.25e-3 , true , null , \"\\\"\" ] } , \"caf\xC3\xA9\" ]\r\n",
      R"({"access_token":"1/abc","expires_in":3600,"token_type":"bearer","scope":null})",
      "{\"a\":{\"a\":{\"a\":[[[\"deep\"]]]}},\"a\":0}",
      R"({"a":[1,{"b":2}],"A":"\u0041","access_token":[[]],"":{"c":[3]},"x\u00e9":[{}],"a":["S256"]})",
      "-12.5e+3",
      "\"just a string\"",
      "true",
      "null",
      "{}",
      "[]",
  };
  const unsigned char replacements[] = {' ', '\t', '\n', '"',  '\\', '{',  '}',  '[',  ']',  ',',  ':',
                                        '0', '1',  '-',  '+',  '.',  'e',  'E',  't',  'f',  'n',  'u',
                                        'a', '/',  0x00, 0x1f, 0x7f, 0x80, 0xbf, 0xc3, 0xed, 0xf4, 0xff};
  for (std::string_view seed : seeds) {
    CAPTURE(seed);
    check_same_as_reference(seed);
    check_same_as_reference(seed, 2);
    for (std::size_t cut = 0; cut < seed.size(); ++cut) check_same_as_reference(seed.substr(0, cut));
    for (std::size_t at = 0; at < seed.size(); ++at) {
      std::string doc(seed);
      doc.erase(at, 1);
      check_same_as_reference(doc);
      for (const unsigned char c : replacements) {
        doc = std::string(seed);
        doc[at] = static_cast<char>(c);
        check_same_as_reference(doc);
        check_same_as_reference(doc, 3);
        doc = std::string(seed);
        doc.insert(at, 1, static_cast<char>(c));
        check_same_as_reference(doc);
      }
    }
  }
}

TEST_CASE("json scanner: nesting at and past the depth limit matches the reference") {
  for (std::size_t depth : {1u, 2u, 63u, 64u, 65u, 255u, 256u, 257u}) {
    CAPTURE(depth);
    const std::string arrays = std::string(depth, '[') + std::string(depth, ']');
    std::string objects;
    for (std::size_t k = 0; k < depth; ++k) objects += "{\"a\":";
    objects += "1" + std::string(depth, '}');
    for (std::size_t limit : {std::size_t{1}, std::size_t{64}, std::size_t{256}, std::size_t{1000}}) {
      check_same_as_reference(arrays, limit);
      check_same_as_reference(objects, limit);
    }
  }
}
