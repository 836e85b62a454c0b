// SPDX-License-Identifier: MIT
//
// Boost.URL as a second opinion on query decoding (see README.md for the
// published differences).

#ifndef BUFFER_OAUTH_FUZZ_BOOST_HPP
#define BUFFER_OAUTH_FUZZ_BOOST_HPP

#include "fuzz_common.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace fuzz {

/// Boost.URL's pairs of a query, decoded with '+' as space, leaving out the
/// empty pieces (no name, no '=') that buffer_oauth's reader skips; nullopt
/// when Boost rejects the query.
///
/// Boost.URL 1.81's parse_query measures its input again with strlen (it
/// passes s.data() where a string_view is expected), so it reads past a
/// buffer that is not NUL-terminated: the query is copied into a
/// std::string first.
inline std::optional<std::vector<decoded_pair>> boost_pairs(std::string_view query) {
  const std::string terminated(query);
  const boost::urls::string_view q(terminated.data(), terminated.size());
  if (!boost::urls::parse_query(q)) return std::nullopt;
  const boost::urls::params_view params(q, boost::urls::encoding_opts(true, false, false));
  std::vector<decoded_pair> out;
  for (const boost::urls::param p : params) {
    if (p.key.empty() && !p.has_value) continue;
    out.push_back({p.key, p.value, p.has_value});
  }
  return out;
}

/// Boost.URL's RFC 3986 encoding of `s` (unreserved kept, uppercase hex).
inline std::string boost_encode_unreserved(std::string_view s) {
  return boost::urls::encode(boost::urls::string_view(s.data(), s.size()), boost::urls::unreserved_chars);
}

/// The characters Boost.URL accepts raw in a query: pchar, '/', '?', '&'
/// and '%' (escapes are checked separately).
inline bool boost_query_char(unsigned char c) {
  static constexpr std::string_view punctuation = "-._~!$&'()*+,;=:@/?%";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (punctuation.find(static_cast<char>(c)) != std::string_view::npos);
}

inline bool all_boost_query_chars(std::string_view s) {
  for (char ch : s)
    if (!boost_query_char(static_cast<unsigned char>(ch))) return false;
  return true;
}

}  // namespace fuzz

#endif  // BUFFER_OAUTH_FUZZ_BOOST_HPP
