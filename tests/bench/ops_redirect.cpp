// Redirect: from the URL the browser came back to, the decoded code and state.
// parse_redirect also checks the origin and path against the registered URI,
// refuses repeated OAuth parameters, validates UTF-8 and compares the state
// in constant time; the competitors only parse, find and decode.
#include "ops.hpp"

#include <buffer_oauth.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace bench {
namespace {

namespace bo = buffer_oauth;

const bo::client& buffer_client() {
  static const bo::client c{"4e9680c0512f7ed322000000", "s3cr3t", std::string(input::redirect_uri)};
  return c;
}

void keep(capture* cap, std::string_view code, std::string_view state) {
  if (cap == nullptr) return;
  cap->a.assign(code);
  cap->b.assign(state);
}

template <const std::string_view* In, const std::string_view* State>
std::size_t ours_parse_redirect(capture* cap) {
  bo::expected_redirect expect;
  if (State == nullptr) {
    expect.without_state = true;
    expect.code_challenge_sent = true;  // without state, PKCE is what the caller relies on
  } else {
    expect.state = *State;
  }
  auto code = bo::parse_redirect(opaque(*In), buffer_provider(), buffer_client(), expect);
  if (!code) return 0;
  keep(cap, *code, expect.state);
  return code->size() + expect.state.size();
}

/// What the Boost.URL documentation shows: params() decodes; find, then
/// dereference to a param holding decoded std::strings.
template <const std::string_view* In>
std::size_t boost_url_params(capture* cap) {
  auto u = boost::urls::parse_uri(opaque(*In));
  if (!u) return 0;
  const auto params = u->params();
  const auto c = params.find("code");
  if (c == params.end()) return 0;
  const std::string code = (*c).value;
  std::string state;
  if (const auto s = params.find("state"); s != params.end()) state = (*s).value;
  keep(cap, code, state);
  return code.size() + state.size();
}

/// The frugal Boost.URL use: encoded params, decode only the two values.
template <const std::string_view* In>
std::size_t boost_url_encoded(capture* cap) {
  auto u = boost::urls::parse_uri(opaque(*In));
  if (!u) return 0;
  const auto params = u->encoded_params();
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  const auto c = params.find("code");
  if (c == params.end()) return 0;
  const std::string code = (*c).value.decode(form);
  std::string state;
  if (const auto s = params.find("state"); s != params.end()) state = (*s).value.decode(form);
  keep(cap, code, state);
  return code.size() + state.size();
}

int hex(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

bool decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] != '%') {
      out += in[i];
    } else {
      if (in.size() - i < 3) return false;
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return true;
}

/// A hand-written split: '?', then '&' and '=', decode code and state.
template <const std::string_view* In>
std::size_t string_split(capture* cap) {
  const std::string_view url = opaque(*In);
  const auto q = url.find('?');
  if (q == std::string_view::npos) return 0;
  std::string_view query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  std::string code, state;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = pair.substr(0, eq);
    if (name == "code") {
      if (!decode(pair.substr(eq + 1), code)) return 0;
    } else if (name == "state") {
      if (!decode(pair.substr(eq + 1), state)) return 0;
    }
  }
  if (code.empty()) return 0;
  keep(cap, code, state);
  return code.size() + state.size();
}

template <const std::string_view* In, const std::string_view* State>
void add_input(std::vector<op>& out, const char* name) {
  const std::string prefix = std::string("redirect/") + name;
  out.push_back({prefix + "/ours_parse_redirect", &ours_parse_redirect<In, State>});
  out.push_back({prefix + "/boost_url_params", &boost_url_params<In>});
  out.push_back({prefix + "/boost_url_encoded", &boost_url_encoded<In>});
  out.push_back({prefix + "/string_split", &string_split<In>});
  add_floors<In>(out, prefix);
}

constexpr std::string_view xyz = "xyz";

}  // namespace

void add_redirect_ops(std::vector<op>& out) {
  add_input<&input::r3, nullptr>(out, "r3");
  add_input<&input::r4, nullptr>(out, "r4");
  add_input<&input::r6, &xyz>(out, "r6");
  add_input<&input::r10, nullptr>(out, "r10");
  add_input<&input::rlive, &input::rlive_state>(out, "rlive");
}

}  // namespace bench
