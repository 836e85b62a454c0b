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
