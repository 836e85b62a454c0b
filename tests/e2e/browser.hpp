// What the end-to-end suites share: their settings from run_e2e.sh, the
// randomness and clock the core asks for, and a browser's job done by the
// test (following redirects, reading forms, logging in and consenting on
// oidc-provider's development pages).
#ifndef BUFFER_OAUTH_E2E_BROWSER_HPP
#define BUFFER_OAUTH_E2E_BROWSER_HPP

#include "http_stacks.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace e2e {

// ---------------------------------------------------------------------------
// Settings from run_e2e.sh
// ---------------------------------------------------------------------------

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

inline std::string need(const char* name) {
  std::string v = env(name);
  INFO("environment variable " << name);
  REQUIRE_MESSAGE(!v.empty(), name << " is not set: run these tests through tests/e2e/run_e2e.sh");
  return v;
}

inline std::string ca_file() { return need("E2E_CA_CERT"); }

inline bo::client test_client() {
  return bo::client{need("E2E_CLIENT_ID"), need("E2E_CLIENT_SECRET"), need("E2E_REDIRECT_URI")};
}

inline std::chrono::milliseconds seconds_setting(const char* name) {
  const double s = std::atof(need(name).c_str());
  REQUIRE(s > 0);
  return std::chrono::milliseconds(static_cast<long long>(s * 1000));
}

inline bo::timestamp now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

inline std::string random_bytes(std::size_t n) {
  std::string s(n, '\0');
  auto ok = bo::system_random_bytes(reinterpret_cast<unsigned char*>(&s[0]), n);
  REQUIRE_MESSAGE(ok, ok.error().message);
  return s;
}

/// Randomness for flow::begin, from the OS.
struct entropy {
  std::string state = random_bytes(32);
  std::string verifier = random_bytes(32);
  bo::flow_entropy view() const { return {state, verifier}; }
};

// ---------------------------------------------------------------------------
// Small HTTP and HTML helpers (a browser's job, done by the test)
// ---------------------------------------------------------------------------

inline std::string header(const bo::http_response& r, std::string_view name) {
  const std::string* v = bo::find_header(r.headers, name);
  return v ? *v : std::string();
}

inline bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307;
}

inline bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

/// A Location made absolute against the URL it answered.
inline std::string resolve(const std::string& base, const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  e2e::url_split u;
  REQUIRE(e2e::split(base, u));
  const std::string origin = u.scheme + "://" + u.host + ':' + std::to_string(u.port);
  if (!location.empty() && location.front() == '/') return origin + location;
  const std::string path = u.target.substr(0, u.target.find('?'));
  return origin + path.substr(0, path.rfind('/') + 1) + location;
}

/// The raw value of a query parameter (no decoding: used for state, which
/// is base64url).
inline std::string query_value(const std::string& url, std::string_view name) {
  const auto q = url.find('?');
  if (q == std::string::npos) return {};
  std::string_view rest(url);
  rest.remove_prefix(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) return std::string(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

inline std::string html_unescape(std::string s) {
  static const std::pair<std::string_view, std::string_view> entities[] = {
      {"&amp;", "&"}, {"&quot;", "\""}, {"&#34;", "\""}, {"&#39;", "'"}, {"&#x27;", "'"},
      {"&lt;", "<"},  {"&gt;", ">"},    {"&#x2F;", "/"}, {"&#47;", "/"}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool done = false;
    if (s[i] == '&')
      for (const auto& [from, to] : entities)
        if (s.compare(i, from.size(), from) == 0) {
          out += to;
          i += from.size();
          done = true;
          break;
        }
    if (!done) out += s[i++];
  }
  return out;
}

/// The value of attribute `name` in one HTML tag, unescaped.
inline std::optional<std::string> attribute(std::string_view tag, std::string_view name) {
  std::size_t at = 0;
  while ((at = tag.find(name, at)) != std::string_view::npos) {
    const bool word_start = at > 0 && (tag[at - 1] == ' ' || tag[at - 1] == '\t' || tag[at - 1] == '\n');
    std::size_t i = at + name.size();
    if (word_start && i + 1 < tag.size() && tag[i] == '=' && (tag[i + 1] == '"' || tag[i + 1] == '\'')) {
      const char quote = tag[i + 1];
      const auto end = tag.find(quote, i + 2);
      if (end == std::string_view::npos) return std::nullopt;
      return html_unescape(std::string(tag.substr(i + 2, end - i - 2)));
    }
    at = i;
  }
  return std::nullopt;
}

struct html_form {
  std::string action;
  std::string method;
  std::vector<std::pair<std::string, std::string>> hidden;
  std::string field(std::string_view name) const {
    for (const auto& [n, v] : hidden)
      if (n == name) return v;
    return {};
  }
};

/// The first <form> of a page with its hidden inputs.
inline std::optional<html_form> first_form(const std::string& html) {
  const auto start = html.find("<form");
  if (start == std::string::npos) return std::nullopt;
  const auto tag_end = html.find('>', start);
  const auto form_end = html.find("</form>", start);
  if (tag_end == std::string::npos || form_end == std::string::npos) return std::nullopt;
  html_form f;
  const std::string_view tag(html.data() + start, tag_end - start);
  f.action = attribute(tag, "action").value_or("");
  f.method = attribute(tag, "method").value_or("get");
  std::size_t at = tag_end;
  while ((at = html.find("<input", at)) != std::string::npos && at < form_end) {
    const auto end = html.find('>', at);
    const std::string_view input(html.data() + at, end - at);
    if (attribute(input, "type").value_or("") == "hidden")
      f.hidden.emplace_back(attribute(input, "name").value_or(""), attribute(input, "value").value_or(""));
    at = end;
  }
  return f;
}

/// The first link whose target contains `needle`.
inline std::string link_containing(const std::string& html, std::string_view needle) {
  std::size_t at = 0;
  while ((at = html.find("<a ", at)) != std::string::npos) {
    const auto end = html.find('>', at);
    const std::string_view tag(html.data() + at, end - at);
    if (auto href = attribute(tag, "href"); href && contains(*href, needle)) return *href;
    at = end;
  }
  return {};
}

inline bo::http_request get(const std::string& url) { return {"GET", url, {}, ""}; }

inline bo::http_request post_form(const std::string& url, std::string body) {
  return {"POST", url, {{"Content-Type", "application/x-www-form-urlencoded"}}, std::move(body)};
}

/// Sends as the browser and insists that some HTTP answer came back.
inline bo::http_response send(http_session& s, const bo::http_request& req) {
  bo::http_response r = s.send(req);
  INFO(req.method << ' ' << req.url);
  REQUIRE_MESSAGE(r.status != 0, "transport failed: " << s.last_error);
  return r;
}

/// Sends as the OAuth client and insists that some HTTP answer came back.
inline bo::http_response client_send(http_session& s, const bo::http_request& req) {
  bo::http_response r = s.client_send(req);
  INFO(req.method << ' ' << req.url);
  REQUIRE_MESSAGE(r.status != 0, "transport failed: " << s.last_error);
  return r;
}

// ---------------------------------------------------------------------------
// Driving the servers' consent pages, as a user would
// ---------------------------------------------------------------------------

enum class consent { allow, deny };

/// oidc-provider: follow its redirects through the development login and
/// consent pages (form POSTs, with cookies) until it sends the browser to
/// our redirect URI; abort at consent for consent::deny.
inline std::string oidc_authorize(http_session& s, const std::string& url, const std::string& redirect_uri,
                                  consent choice) {
  std::string current = url;
  bo::http_request next = get(current);
  for (int step = 0; step < 20; ++step) {
    const auto r = send(s, next);
    if (is_redirect(r.status)) {
      const std::string location = resolve(next.url, header(r, "Location"));
      if (location.rfind(redirect_uri, 0) == 0) return location;
      current = location;
      next = get(current);
      continue;
    }
    INFO("page body: " << r.body.substr(0, 400));
    REQUIRE(r.status == 200);
    const auto form = first_form(r.body);
    REQUIRE(form);
    const std::string prompt = form->field("prompt");
    if (prompt == "login") {
      next = post_form(resolve(current, form->action), "prompt=login&login=e2e-user&password=e2e-password");
    } else if (prompt == "consent" && choice == consent::allow) {
      next = post_form(resolve(current, form->action), "prompt=consent");
    } else if (prompt == "consent") {
      const std::string abort = link_containing(r.body, "/abort");
      REQUIRE_FALSE(abort.empty());
      current = resolve(current, abort);
      next = get(current);
    } else {
      FAIL("unexpected interaction page, prompt=" << prompt);
    }
  }
  FAIL("oidc-provider never redirected to " << redirect_uri);
  return {};
}

/// An authorization done with the lower-level functions, for tests that
/// build token requests by hand: state, PKCE verifier (when `pkce`), the
/// redirect URL and the code parsed from it.
struct manual_authorization {
  std::string state, verifier, redirect, code;
};

template <class Authorize>
manual_authorization authorize_by_hand(const bo::provider& p, const bo::client& c, bool pkce,
                                       std::string_view scope, Authorize&& authorize) {
  manual_authorization m;
  m.state = bo::make_state(random_bytes(32)).value();
  bo::authorize_params a;
  a.state = m.state;
  a.scope = scope;
  std::string challenge;
  if (pkce) {
    m.verifier = bo::make_code_verifier(random_bytes(32)).value();
    challenge = bo::code_challenge_s256(m.verifier).value();
    a.code_challenge = challenge;
  }
  auto url = bo::build_authorize_url(p, c, a);
  REQUIRE_MESSAGE(url, url.error().message);
  m.redirect = authorize(*url);
  auto code = bo::parse_redirect(m.redirect, p, c, {m.state});
  REQUIRE_MESSAGE(code, code.error().message << " in " << m.redirect);
  m.code = *code;
  return m;
}

/// A provider's refusal, kept whole: the errc, RFC 6749 error and
/// description as sent, and for token errors the HTTP status and raw body.
inline void check_provider_error(const bo::error& e, bo::errc code, std::string_view error, int status,
                                 std::optional<std::string_view> description = std::nullopt) {
  INFO("message: " << e.message << " | body: " << e.body);
  CHECK(e.code == code);
  CHECK(e.from_provider.error == error);
  if (description) CHECK(e.from_provider.error_description == *description);
  if (status) {
    CHECK(e.http_status == status);
    CHECK(contains(e.body, "\"" + std::string(error) + "\""));
    if (!e.from_provider.error_description.empty())
      CHECK(contains(e.body, e.from_provider.error_description));
  }
}

}  // namespace e2e

#endif  // BUFFER_OAUTH_E2E_BROWSER_HPP
