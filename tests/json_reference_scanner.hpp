// The JSON scanner as it was before it read string bodies a word at a time
// and dispatched on pointers: byte by byte, simple enough to trust. Tests
// run it next to detail::json_scanner and require the same verdict, error
// offset, top-level type and member slots.
#pragma once

#include <buffer_oauth.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace test_support {
namespace reference {
using namespace buffer_oauth::detail;
using buffer_oauth::errc;

class reference_json_scanner {
 public:
  reference_json_scanner(std::string_view doc, std::size_t max_depth) noexcept
      : s_(doc), max_depth_(max_depth < kMaxDepth ? max_depth : kMaxDepth) {}

  /// Validates the whole document; fills `slots` with top-level object members.
  /// Returns the top-level type, or absent with error() set.
  json_type scan(json_slot* slots, std::size_t nslots) noexcept {
    json_type top = json_type::absent;
    json_slot* member_slot = nullptr;
    bool member_escaped = false;
    skip_ws();
    if (at_end()) return fail(errc::empty_body);
    for (;;) {
      // A value starts here.
      skip_ws();
      if (at_end()) return fail(errc::malformed_json);
      const std::size_t value_start = i_;
      const char c = s_[i_];
      json_type t;
      if (c == '{' || c == '[') {
        t = c == '{' ? json_type::object : json_type::array;
        if (depth_ == max_depth_) return fail(errc::depth_exceeded);
        push(c == '{');
        ++i_;
        if (depth_ == 1) top = t;
        skip_ws();
        if (!at_end() && s_[i_] == (c == '{' ? '}' : ']')) {
          ++i_;
          pop();
        } else if (c == '{') {
          if (!member_name(slots, nslots, member_slot, member_escaped)) return json_type::absent;
          continue;
        } else {
          continue;
        }
      } else if (c == '"') {
        t = json_type::string;
        member_escaped = false;
        if (!string(member_escaped)) return json_type::absent;
      } else if (c == '-' || is_digit(static_cast<unsigned char>(c))) {
        t = json_type::number;
        if (!number()) return json_type::absent;
      } else if (c == 't' || c == 'f') {
        t = json_type::boolean;
        if (!literal(c == 't' ? "true" : "false")) return json_type::absent;
      } else if (c == 'n') {
        t = json_type::null;
        if (!literal("null")) return json_type::absent;
      } else {
        return fail(errc::malformed_json);
      }
      if (depth_ == 0) {
        top = t;
      } else if (depth_ == 1 && is_object() && member_slot != nullptr) {
        record(member_slot, t, value_start, member_escaped);
      }
      // After a value: close containers, or expect the next element.
      for (;;) {
        skip_ws();
        if (depth_ == 0) {
          if (!at_end()) return fail(errc::malformed_json);
          return top;
        }
        if (at_end()) return fail(errc::malformed_json);
        const char d = s_[i_++];
        if (d == ',') {
          skip_ws();
          if (is_object()) {
            if (!member_name(slots, nslots, member_slot, member_escaped)) return json_type::absent;
          }
          break;
        }
        if (d != (is_object() ? '}' : ']')) return fail(errc::malformed_json, i_ - 1);
        pop();
        if (depth_ == 1 && is_object() && member_slot != nullptr) {
          record(member_slot, container_type_closed_, container_start_, false);
        }
      }
    }
  }

  errc error() const noexcept { return err_; }
  /// Where the scan stopped on error(): the offending byte, or the end.
  std::size_t error_offset() const noexcept { return error_offset_; }
  std::size_t max_depth() const noexcept { return max_depth_; }

 private:
  static constexpr std::size_t kMaxDepth = 256;

  bool at_end() const noexcept { return i_ >= s_.size(); }
  void skip_ws() noexcept {
    if (i_ < s_.size() && static_cast<unsigned char>(s_[i_]) > ' ') return;  // the usual case
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  json_type fail(errc e) noexcept { return fail(e, i_); }
  json_type fail(errc e, std::size_t at) noexcept {
    err_ = e;
    error_offset_ = at;
    return json_type::absent;
  }
  bool failb(errc e) noexcept { return failb(e, i_); }
  bool failb(errc e, std::size_t at) noexcept {
    fail(e, at);
    return false;
  }
  void push(bool object) noexcept {
    if (depth_ == 1) container_start_ = i_;  // the member value that opens here
    const std::size_t d = depth_++;
    auto& word = stack_[d / 64];
    const auto bit = std::uint64_t{1} << (d % 64);
    word = object ? (word | bit) : (word & ~bit);
  }
  void pop() noexcept {
    --depth_;
    if (depth_ == 1)
      container_type_closed_ = (stack_[1 / 64] >> 1) & 1 ? json_type::object : json_type::array;
  }
  bool is_object() const noexcept {
    const std::size_t d = depth_ - 1;
    return (stack_[d / 64] >> (d % 64)) & 1;
  }

  // Reads `"name" :` at the top level (or any level) and picks its slot.
  bool member_name(json_slot* slots, std::size_t nslots, json_slot*& chosen, bool& escaped) noexcept {
    skip_ws();
    if (at_end() || s_[i_] != '"') return failb(errc::malformed_json);
    const std::size_t start = i_ + 1;
    bool esc = false;
    if (!string(esc)) return false;
    const std::string_view name = s_.substr(start, i_ - 1 - start);
    if (depth_ == 1) {
      chosen = nullptr;
      for (std::size_t k = nslots; k-- > 0;) {  // slot names are distinct: stop at the match
        const std::string_view want = slots[k].name;
        if (esc ? json_name_equals(name, esc, want)
                : name.size() == want.size() && (name.empty() || name[0] == want[0]) && name == want) {
          chosen = &slots[k];
          break;
        }
      }
    }
    skip_ws();
    if (at_end() || s_[i_] != ':') return failb(errc::malformed_json);
    ++i_;
    escaped = false;
    return true;
  }

  void record(json_slot* slot, json_type t, std::size_t start, bool escaped) noexcept {
    ++slot->count;
    slot->value.type = t;
    slot->value.escaped = escaped;
    if (t == json_type::string)
      slot->value.raw = s_.substr(start + 1, i_ - start - 2);
    else
      slot->value.raw = s_.substr(start, i_ - start);
  }

  // First index at or after `i` holding a byte string() must look at: '"',
  // '\\', a control character or a non-ASCII byte.
  static std::size_t skip_plain(const char* p, std::size_t i, std::size_t n) noexcept {
    while (i < n) {
      const auto c = static_cast<unsigned char>(p[i]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++i;
    }
    return i;
  }

  // At the opening quote; leaves i_ after the closing quote.
  bool string(bool& escaped) noexcept {
    ++i_;
    utf8_validator utf8;
    while (i_ < s_.size()) {
      if (utf8.complete()) {  // plain ASCII needs no check
        i_ = skip_plain(s_.data(), i_, s_.size());
        if (i_ >= s_.size()) break;
      }
      const std::size_t at = i_;
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return utf8.complete() ? true : failb(errc::invalid_utf8, at);
      if (c < 0x20) return failb(errc::malformed_json, at);
      if (c >= 0x80) {
        if (!utf8.feed(c)) return failb(errc::invalid_utf8, at);
        continue;
      }
      if (!utf8.complete()) return failb(errc::invalid_utf8, at);
      if (c != '\\') continue;
      escaped = true;
      if (at_end()) return failb(errc::malformed_json);
      const char e = s_[i_++];
      if (e == 'u') {
        std::uint32_t cp = 0;
        if (const errc bad = read_u_escape(s_, i_, cp); bad != errc::ok) return failb(bad, at);
      } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
                 e != 't') {
        return failb(errc::malformed_json, at);
      }
    }
    return failb(errc::malformed_json);
  }

  bool digits() noexcept {
    const std::size_t start = i_;
    while (i_ < s_.size() && is_digit(static_cast<unsigned char>(s_[i_]))) ++i_;
    return i_ > start;
  }

  bool number() noexcept {
    if (s_[i_] == '-') ++i_;
    if (at_end()) return failb(errc::malformed_json);
    if (s_[i_] == '0') {
      ++i_;
    } else if (!digits()) {
      return failb(errc::malformed_json);
    }
    if (!at_end() && s_[i_] == '.') {
      ++i_;
      if (!digits()) return failb(errc::malformed_json);
    }
    if (!at_end() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (!at_end() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!digits()) return failb(errc::malformed_json);
    }
    return true;
  }

  bool literal(std::string_view word) noexcept {
    if (s_.substr(i_, word.size()) != word) return failb(errc::malformed_json);
    i_ += word.size();
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::size_t depth_ = 0;
  std::size_t max_depth_;
  std::array<std::uint64_t, kMaxDepth / 64> stack_{};
  std::size_t container_start_ = 0;
  json_type container_type_closed_ = json_type::absent;
  errc err_ = errc::ok;
  std::size_t error_offset_ = 0;
};

}  // namespace reference
}  // namespace test_support
