// SPDX-License-Identifier: MIT
//
// Fuzz target: the strict JSON reader (detail::json_read, json_member,
// json_string), differentially against nlohmann/json.
//
// The whole input is one JSON document. Properties:
//  - json_read accepts exactly what nlohmann accepts, outside the published
//    differences (README.md): nesting deeper than max_json_depth, a body over
//    max_body, a leading UTF-8 BOM and a NUL byte that nlohmann treats as
//    the end of input; a number that overflows a double (nlohmann error 406)
//    is replaced by 0 for nlohmann, which then reads the rest;
//  - for an accepted document: the same top-level type; every OAuth member
//    seen as often as nlohmann's SAX parser sees it at the top level;
//    json_member refuses exactly the repeated ones; a single member's value
//    equals nlohmann's (strings decoded to the same bytes, valid UTF-8);
//  - every array and object in an accepted document, walked with
//    json_elements and json_read_object, holds nlohmann's elements in order
//    and its members under their decoded names, each inside its container;
//    json_string_array reads an array exactly when nlohmann sees only strings;
//  - tighter limits only ever add depth_exceeded / too_large refusals.

#include "fuzz_nlohmann.hpp"

namespace {
using namespace fuzz;
using bo::errc;
namespace d = bo::detail;

struct reading {
  std::string_view doc;  ///< what json_read read; values are views into it
  bo::result<d::json_type> top = d::json_type::absent;
  d::json_slot slots[kOAuthMemberCount];
};

reading read(std::string_view doc, const bo::limits& lim) {
  reading r;
  r.doc = doc;
  for (std::size_t i = 0; i < kOAuthMemberCount; ++i) r.slots[i].name = kOAuthMembers[i];
  r.top = d::json_read(doc, r.slots, kOAuthMemberCount, lim);
  return r;
}

json::value_t expected_type(d::json_type t) {
  switch (t) {
    case d::json_type::null: return json::value_t::null;
    case d::json_type::boolean: return json::value_t::boolean;
    case d::json_type::string: return json::value_t::string;
    case d::json_type::object: return json::value_t::object;
    case d::json_type::array: return json::value_t::array;
    default: return json::value_t::discarded;
  }
}

bool same_type(d::json_type ours, const json& j) {
  if (ours == d::json_type::number) return j.is_number();
  return j.type() == expected_type(ours);
}

// `nlohmann_doc` is ours.doc as nlohmann read it: the same length, with
// overflowing numbers replaced.
void compare_members(const reading& ours, const sax_report& sax, const json& j,
                     std::string_view nlohmann_doc) {
  for (std::size_t i = 0; i < kOAuthMemberCount; ++i) {
    const d::json_slot& slot = ours.slots[i];
    FUZZ_CHECK(slot.count == sax.top_counts[i]);
    auto member = d::json_member(ours.slots, kOAuthMemberCount, kOAuthMembers[i]);
    FUZZ_CHECK(member.has_value() == (slot.count <= 1));
    if (!member) {
      FUZZ_CHECK(member.code() == errc::duplicate_member);
      continue;
    }
    if (slot.count == 0) {
      FUZZ_CHECK(member->type == d::json_type::absent);
      if (j.is_object()) FUZZ_CHECK(!j.contains(std::string(kOAuthMembers[i])));
      continue;
    }
    FUZZ_CHECK(j.is_object());
    const json& theirs = j.at(std::string(kOAuthMembers[i]));
    FUZZ_CHECK(same_type(member->type, theirs));
    if (member->type == d::json_type::string) {
      const std::string s = d::json_string(*member);
      FUZZ_CHECK(d::is_valid_utf8(s));
      FUZZ_CHECK(s == theirs.get<std::string>());
      FUZZ_CHECK(member->escaped == contains(member->raw, "\\"));
    } else {
      const auto offset = static_cast<std::size_t>(member->raw.data() - ours.doc.data());
      FUZZ_CHECK(nlohmann_parse(nlohmann_doc.substr(offset, member->raw.size())) == theirs);
    }
  }
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// `v` is an array or object inside ours.doc as json_read accepted it, and
// `theirs` the same value as nlohmann read it from `nlohmann_doc`.
void compare_nested(const d::json_value& v, const json& theirs, std::string_view doc,
                    std::string_view nlohmann_doc) {
  FUZZ_CHECK(same_type(v.type, theirs));
  const char* const inside_end = v.raw.data() + v.raw.size();
  const char* previous_end = v.raw.data();
  auto check_element = [&](const d::json_value& e, const json& t) {
    FUZZ_CHECK(e.raw.data() > previous_end && e.raw.data() + e.raw.size() < inside_end);
    previous_end = e.raw.data() + e.raw.size();
    FUZZ_CHECK(same_type(e.type, t));
    if (e.type == d::json_type::string) {
      FUZZ_CHECK(d::json_string(e) == t.get<std::string>());
      FUZZ_CHECK(e.escaped == contains(e.raw, "\\"));
    } else if (e.type == d::json_type::array || e.type == d::json_type::object) {
      compare_nested(e, t, doc, nlohmann_doc);
    } else {
      const auto offset = static_cast<std::size_t>(e.raw.data() - doc.data());
      FUZZ_CHECK(nlohmann_parse(nlohmann_doc.substr(offset, e.raw.size())) == t);
    }
  };

  d::json_elements walk(v);
  d::json_value e;
  if (v.type == d::json_type::array) {
    std::size_t n = 0;
    while (walk.next(e)) {
      FUZZ_CHECK(n < theirs.size());
      check_element(e, theirs[n++]);
    }
    FUZZ_CHECK(n == theirs.size());
    const bool only_strings = std::all_of(theirs.begin(), theirs.end(), [](const json& t) { return t.is_string(); });
    const auto strings = d::json_string_array(v, n, "array");
    FUZZ_CHECK(strings.has_value() == only_strings);
    if (!strings) {
      FUZZ_CHECK(strings.code() == errc::invalid_member_type);
      return;
    }
    FUZZ_CHECK(*strings == theirs.get<std::vector<std::string>>());
    for (const std::string& s : *strings) FUZZ_CHECK(*d::json_string_array_contains(v, n, "array", s));
    if (n > 0) FUZZ_CHECK(d::json_string_array(v, n - 1, "array").code() == errc::too_large);
    return;
  }

  // Every member under its decoded name; nlohmann keeps one per name.
  std::string_view name;
  bool escaped = false;
  std::size_t members = 0;
  while (walk.next_member(name, escaped, e)) {
    ++members;
    FUZZ_CHECK(theirs.contains(escaped ? d::json_unescape(name) : std::string(name)));
  }
  FUZZ_CHECK(members >= theirs.size());
  // json_read_object compares names as the top level does, which knows only
  // ASCII names.
  std::vector<d::json_slot> slots;
  for (auto it = theirs.begin(); it != theirs.end(); ++it)
    if (is_ascii(it.key())) slots.push_back(d::json_slot{it.key(), {}, 0});
  d::json_read_object(v, slots.data(), slots.size());
  for (const d::json_slot& slot : slots) {
    FUZZ_CHECK(slot.count >= 1);
    if (slot.count == 1) {
      previous_end = v.raw.data();
      check_element(slot.value, theirs.at(std::string(slot.name)));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arena a;
  const std::string_view doc = a.copy(as_view(data, size));
  const bo::limits lim;
  const reading ours = read(doc, lim);
  const std::string_view extent = a.copy(nlohmann_extent(doc));
  const std::string comparable = without_number_overflows(doc);
  const sax_report sax = nlohmann_report(comparable);

  // json_read with no slots validates the same way.
  const auto bare = d::json_read(doc, nullptr, 0, lim);
  FUZZ_CHECK(bare.has_value() == ours.top.has_value());
  if (bare) FUZZ_CHECK(*bare == *ours.top);
  if (!ours.top) {
    FUZZ_CHECK(one_of(ours.top.code(), {errc::malformed_json, errc::invalid_utf8, errc::invalid_surrogate,
                                        errc::depth_exceeded, errc::empty_body, errc::too_large}));
    FUZZ_CHECK(bare.code() == ours.top.code());
  } else {
    FUZZ_CHECK(extent.size() == doc.size());  // no BOM, no NUL outside a string
  }

  // Accept/reject against nlohmann, on the part nlohmann reads.
  const reading on_extent = extent.size() == doc.size() ? ours : read(extent, lim);
  if (sax.accepted && !on_extent.top) {
    const bool deep = on_extent.top.code() == errc::depth_exceeded && sax.max_depth > lim.max_json_depth;
    const bool big = on_extent.top.code() == errc::too_large && extent.size() > lim.max_body;
    FUZZ_CHECK(deep || big);
  }
  if (on_extent.top) {
    FUZZ_CHECK(sax.accepted);
    const json j = nlohmann_parse(comparable);
    FUZZ_CHECK(!j.is_discarded());
    FUZZ_CHECK(same_type(*on_extent.top, j));
    compare_members(on_extent, sax, j, nlohmann_extent(comparable));
    if (j.is_array() || j.is_object()) {
      const std::string_view text = on_extent.doc;
      const std::size_t first = text.find_first_not_of(" \t\n\r"), last = text.find_last_not_of(" \t\n\r");
      const d::json_value top{*on_extent.top, text.substr(first, last + 1 - first), false};
      compare_nested(top, j, on_extent.doc, nlohmann_extent(comparable));
    }
  }

  // Tighter limits refuse more, never differently.
  bo::limits tight;
  tight.max_json_depth = 3;
  const reading shallow = read(doc, tight);
  if (shallow.top) {
    FUZZ_CHECK(ours.top && *shallow.top == *ours.top);
    for (std::size_t i = 0; i < kOAuthMemberCount; ++i) FUZZ_CHECK(shallow.slots[i].count == ours.slots[i].count);
  } else if (ours.top) {
    FUZZ_CHECK(shallow.top.code() == errc::depth_exceeded && sax.max_depth > 3);
  }
  if (!doc.empty()) {
    tight = lim;
    tight.max_body = doc.size() - 1;
    FUZZ_CHECK(read(doc, tight).top.code() == errc::too_large);
  }
  return 0;
}
