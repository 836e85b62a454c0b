// SPDX-License-Identifier: MIT
//
// nlohmann/json as a second opinion on JSON documents (see README.md for the
// published differences).

#ifndef BUFFER_OAUTH_FUZZ_NLOHMANN_HPP
#define BUFFER_OAUTH_FUZZ_NLOHMANN_HPP

#include "fuzz_common.hpp"

#include <nlohmann/json.hpp>

namespace fuzz {

using json = nlohmann::json;

/// Top-level members buffer_oauth's token parser looks up.
inline constexpr std::string_view kOAuthMembers[] = {
    "access_token", "token_type", "expires_in", "refresh_token", "scope", "error",
    "error_description", "error_uri", "code", "success", "message"};
inline constexpr std::size_t kOAuthMemberCount = sizeof kOAuthMembers / sizeof kOAuthMembers[0];

/// What nlohmann's SAX parser saw: accepted or the exception id of the
/// rejection, the deepest nesting, and how often each OAuth member name
/// appears at the top level of an object.
struct sax_report {
  bool accepted = false;
  int error_id = 0;  ///< 101 parse error, 406 number overflow, ...
  std::size_t error_end = 0;  ///< offset just past the token nlohmann refused
  std::string error_token;
  std::size_t max_depth = 0;
  unsigned top_counts[kOAuthMemberCount] = {};
};

class sax_counter {
 public:
  explicit sax_counter(sax_report& r) : r_(r) {}
  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) { return open(true); }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(false); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    if (depth_ == 1 && top_is_object_)
      for (std::size_t i = 0; i < kOAuthMemberCount; ++i)
        if (k == kOAuthMembers[i]) ++r_.top_counts[i];
    return true;
  }
  bool parse_error(std::size_t end, const std::string& token, const nlohmann::detail::exception& ex) {
    r_.error_id = ex.id;
    r_.error_end = end;
    r_.error_token = token;
    return false;
  }

 private:
  bool open(bool object) {
    if (depth_ == 0) top_is_object_ = object;
    ++depth_;
    if (depth_ > r_.max_depth) r_.max_depth = depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  sax_report& r_;
  std::size_t depth_ = 0;
  bool top_is_object_ = false;
};

inline sax_report nlohmann_report(std::string_view doc) {
  sax_report r;
  sax_counter counter(r);
  r.accepted = json::sax_parse(doc.begin(), doc.end(), &counter);
  return r;
}

inline json nlohmann_parse(std::string_view doc) { return json::parse(doc.begin(), doc.end(), nullptr, false); }

/// `doc` with every number nlohmann refuses as too large for a double (error
/// 406, a published difference) overwritten by "0" and spaces, so that
/// nlohmann reads the rest of the document and it can still be compared.
/// Offsets stay the same.
inline std::string without_number_overflows(std::string_view doc) {
  std::string out(doc);
  for (sax_report r = nlohmann_report(out); r.error_id == 406; r = nlohmann_report(out)) {
    const std::size_t size = r.error_token.size();
    FUZZ_CHECK(size > 0 && r.error_end >= size && r.error_end <= out.size() &&
               out.compare(r.error_end - size, size, r.error_token) == 0);
    out.replace(r.error_end - size, size, size, ' ');
    out[r.error_end - size] = '0';
  }
  return out;
}

/// The part of `doc` nlohmann actually reads: a leading UTF-8 BOM is skipped
/// and a NUL byte ends the input (both published differences).
inline std::string_view nlohmann_extent(std::string_view doc) {
  if (doc.size() >= 3 && doc.substr(0, 3) == "\xEF\xBB\xBF") doc.remove_prefix(3);
  const auto nul = doc.find('\0');
  return nul == std::string_view::npos ? doc : doc.substr(0, nul);
}

}  // namespace fuzz

#endif  // BUFFER_OAUTH_FUZZ_NLOHMANN_HPP
