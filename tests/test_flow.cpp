// Section 14 (Flow): the state machine, its transition table, save/restore,
// a whole Buffer login against an in-test fake server, a random-sequence
// property test, and a check that no error message carries a secret input.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace bo = buffer_oauth;
using namespace std::chrono_literals;

using namespace test_support;

namespace {

std::string bytes(std::size_t n, unsigned char seed) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>(static_cast<unsigned char>(seed + 37 * i));
  return out;
}

const std::string kStateBytes = bytes(16, 1);
const std::string kVerifierBytes = bytes(32, 2);

bo::flow_entropy entropy() { return bo::flow_entropy{kStateBytes, kVerifierBytes}; }

// A decoded query parameter of a URL or body, or "<absent>".
std::string param(std::string_view text, std::string_view name) {
  const auto q = text.find('?');
  if (q != std::string_view::npos) text = text.substr(q + 1);
  const auto h = text.find('#');
  if (h != std::string_view::npos) text = text.substr(0, h);
  return first_value(form_pairs(text), name);
}

std::string callback(std::string_view state, std::string_view code = "1%2Fabc") {
  return std::string(kRu) + "?state=" + std::string(state) + "&code=" + std::string(code);
}

const bo::http_response kTokenOk = response(200, R"({"access_token":"1\/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60"})");

constexpr bo::timestamp kT0{1'000'000};

// A Buffer flow driven to `target` (one of the five non-failed states).
struct driven {
  bo::flow f;
  std::string url;    // the authorize URL
  std::string state;  // the state value in it
};

driven drive(bo::flow_state target, bo::provider p = bo::provider::buffer_legacy(), bo::flow_options o = {},
             bo::timestamp begun = kT0) {
  driven d{bo::flow(std::move(p), buffer_client(), std::move(o)), {}, {}};
  if (target == bo::flow_state::idle) return d;
  auto url = d.f.begin(entropy(), begun);
  REQUIRE(url);
  d.url = *url;
  d.state = param(d.url, "state");
  if (target == bo::flow_state::awaiting_redirect) return d;
  REQUIRE(d.f.redirect(callback(d.state), kT0));
  if (target == bo::flow_state::have_code) return d;
  REQUIRE(d.f.token_request(kT0 + 1s));
  if (target == bo::flow_state::awaiting_token) return d;
  REQUIRE(d.f.token_response(kTokenOk));
  return d;
}

// Fires one event with valid-looking inputs; returns its errc (ok on success).
bo::errc fire(driven& d, bo::flow_event e) {
  switch (e) {
    case bo::flow_event::begin: return d.f.begin(entropy(), kT0).code();
    case bo::flow_event::redirect: return d.f.redirect(callback(d.state), kT0 + 2s).code();
    case bo::flow_event::token_request: return d.f.token_request(kT0 + 3s).code();
    case bo::flow_event::token_response: return d.f.token_response(kTokenOk).code();
    case bo::flow_event::restore: break;  // not fired at a flow: flow::restore makes a new one
  }
  FAIL("no way to fire ", bo::to_string(e), " at a flow");
  return bo::errc::ok;
}

// The events fired at a flow, in the enum's order; restore makes a new flow.
constexpr bo::flow_event kEvents[] = {bo::flow_event::begin, bo::flow_event::redirect,
                                      bo::flow_event::token_request, bo::flow_event::token_response};
constexpr bo::flow_state kStates[] = {bo::flow_state::idle,       bo::flow_state::awaiting_redirect,
                                      bo::flow_state::have_code,  bo::flow_state::awaiting_token,
                                      bo::flow_state::authorized, bo::flow_state::failed};

bool table_allows(bo::flow_state s, bo::flow_event e, bo::flow_state* to = nullptr) {
  for (const auto& t : bo::flow_transitions)
    if (t.from == s && t.on == e) {
      if (to) *to = t.to;
      return true;
    }
  return false;
}

// A step of a state diagram, "from --event--> to", as the table spells it.
std::string step(std::string_view from, std::string_view event, std::string_view to) {
  return std::string(from) + " --" + std::string(event) + "--> " + std::string(to);
}

std::vector<std::string> table_steps() {
  std::vector<std::string> out;
  for (const auto& t : bo::flow_transitions)
    out.push_back(step(bo::to_string(t.from), bo::to_string(t.on), bo::to_string(t.to)));
  return out;
}

// The steps of one diagram line "a --event(args)--> b --event--> c"; the
// "any step ... failed" line is the fail rule, not a table row.
void read_diagram_line(const std::string& line, std::vector<std::string>& steps) {
  if (line.rfind("any step", 0) == 0) return;
  std::istringstream words(line);
  std::string word, from, event;
  while (words >> word) {
    if (word.rfind("--", 0) == 0) {
      event = word.substr(2, word.find_first_of("(-", 2) - 2);
      // An event word with spaces inside its parentheses spans several words.
      while (word.size() < 3 || word.compare(word.size() - 3, 3, "-->") != 0) {
        if (!(words >> word)) break;
      }
    } else if (!event.empty()) {
      steps.push_back(step(from, event, word));
      from = word;
      event.clear();
    } else {
      from = word;
    }
  }
}

// The code block under README.md's "## The flow".
std::vector<std::string> readme_diagram() {
  std::ifstream in = repository_file("README.md");
  REQUIRE(in.good());
  std::vector<std::string> steps;
  std::string line;
  bool in_flow = false, in_block = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) in_flow = line == "## The flow";
    if (!in_flow) continue;
    if (line.rfind("```", 0) == 0) {
      if (in_block) break;
      in_block = true;
    } else if (in_block) {
      read_diagram_line(line, steps);
    }
  }
  return steps;
}

// The indented comment lines that open the header's section 14.
std::vector<std::string> header_diagram() {
  std::ifstream in = repository_file("include/buffer_oauth.hpp");
  REQUIRE(in.good());
  std::vector<std::string> steps;
  std::string line;
  bool in_flow = false;
  const std::string indent = "//   ";
  while (std::getline(in, line)) {
    if (line == "// 14. Flow") in_flow = true;
    if (!in_flow) continue;
    if (line.rfind(indent, 0) == 0)
      read_diagram_line(line.substr(indent.size()), steps);
    else if (!steps.empty())
      break;
  }
  return steps;
}

std::string sorted_lines(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

// ============================================================================
// The transition table
// ============================================================================

TEST_CASE("flow: flow_transitions is exactly the README's diagram and the header's") {
  const std::string table = sorted_lines(table_steps());
  CHECK(sorted_lines(readme_diagram()) == table);
  CHECK(sorted_lines(header_diagram()) == table);
}

TEST_CASE("flow: the table rows in data-flow order") {
  const bo::flow_transition want[] = {
      {bo::flow_state::idle, bo::flow_event::begin, bo::flow_state::awaiting_redirect},
      {bo::flow_state::idle, bo::flow_event::restore, bo::flow_state::awaiting_redirect},
      {bo::flow_state::awaiting_redirect, bo::flow_event::redirect, bo::flow_state::have_code},
      {bo::flow_state::have_code, bo::flow_event::token_request, bo::flow_state::awaiting_token},
      {bo::flow_state::awaiting_token, bo::flow_event::token_response, bo::flow_state::authorized},
  };
  REQUIRE(std::size(bo::flow_transitions) == std::size(want));
  for (std::size_t i = 0; i < std::size(want); ++i) {
    CAPTURE(i);
    CHECK(bo::flow_transitions[i].from == want[i].from);
    CHECK(bo::flow_transitions[i].on == want[i].on);
    CHECK(bo::flow_transitions[i].to == want[i].to);
  }
  CHECK(bo::to_string(bo::flow_state::failed) == "failed");
  CHECK(bo::to_string(bo::flow_event::restore) == "restore");
}

// ============================================================================
// Every transition and every rejection
// ============================================================================

TEST_CASE("flow: the happy path, step by step") {
  bo::flow f(bo::provider::buffer_legacy(), buffer_client());
  CHECK(f.state() == bo::flow_state::idle);
  CHECK(f.failure() == nullptr);
  CHECK_FALSE(f.uses_pkce());
  auto url = f.begin(entropy(), kT0);
  REQUIRE(url);
  CHECK(f.state() == bo::flow_state::awaiting_redirect);
  const std::string state = param(*url, "state");
  CHECK(state == bo::base64url_encode(kStateBytes));
  bo::authorize_params a;
  a.state = state;
  CHECK(*url == bo::build_authorize_url(bo::provider::buffer_legacy(), buffer_client(), a).value());
  REQUIRE(f.redirect(callback(state, "1%2FmWot20jTwojsd00jFlaaR45"), kT0));
  CHECK(f.state() == bo::flow_state::have_code);
  auto req = f.token_request(kT0 + 5s);
  REQUIRE(req);
  CHECK(f.state() == bo::flow_state::awaiting_token);
  CHECK(same_request(*req, bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(),
                                                   "1/mWot20jTwojsd00jFlaaR45")
                               .value()));
  CHECK(req->body.find("code=1/mWot20jTwojsd00jFlaaR45&") != std::string::npos);
  auto tok = f.token_response(kTokenOk);
  REQUIRE(tok);
  CHECK(f.state() == bo::flow_state::authorized);
  CHECK(tok->access_token == kToken);
  CHECK(f.access().access_token == kToken);
  CHECK(f.failure() == nullptr);
}

TEST_CASE("flow: every event the table does not allow is refused and changes nothing") {
  for (bo::flow_state s : kStates) {
    if (s == bo::flow_state::failed) continue;
    for (bo::flow_event e : kEvents) {
      if (table_allows(s, e)) continue;
      CAPTURE(bo::to_string(s));
      CAPTURE(bo::to_string(e));
      driven d = drive(s);
      bo::errc want = bo::errc::out_of_order;
      if (e == bo::flow_event::redirect && s != bo::flow_state::idle) want = bo::errc::state_already_used;
      if (e == bo::flow_event::token_request &&
          (s == bo::flow_state::awaiting_token || s == bo::flow_state::authorized))
        want = bo::errc::code_already_used;
      CHECK(fire(d, e) == want);
      CHECK(d.f.state() == s);
      CHECK(d.f.failure() == nullptr);
      // And the flow still works from where it was.
      for (bo::flow_event next : kEvents) {
        bo::flow_state to{};
        if (!table_allows(s, next, &to)) continue;
        CHECK(fire(d, next) == bo::errc::ok);
        CHECK(d.f.state() == to);
      }
    }
  }
}

TEST_CASE("flow: out_of_order names the event and the state") {
  bo::flow f(bo::provider::buffer_legacy(), buffer_client());
  auto r = f.token_request(kT0);
  CHECK(r.code() == bo::errc::out_of_order);
  CHECK(r.error().message.find("token_request") != std::string::npos);
  CHECK(r.error().message.find("idle") != std::string::npos);
}

TEST_CASE("flow: a second redirect is state_already_used, a second token_request code_already_used") {
  driven d = drive(bo::flow_state::have_code);
  CHECK(d.f.redirect(callback(d.state), kT0 + 1s).code() == bo::errc::state_already_used);
  CHECK(d.f.state() == bo::flow_state::have_code);
  REQUIRE(d.f.token_request(kT0 + 2s));
  CHECK(d.f.token_request(kT0 + 3s).code() == bo::errc::code_already_used);
  CHECK(d.f.state() == bo::flow_state::awaiting_token);
  CHECK(d.f.redirect(callback(d.state), kT0 + 4s).code() == bo::errc::state_already_used);
  CHECK(d.f.failure() == nullptr);
}

TEST_CASE("flow: Buffer's 30-second code, boundary included (age >= lifetime is expired)") {
  SUBCASE("29.999 s accepted") {
    driven d = drive(bo::flow_state::have_code);
    CHECK(d.f.token_request(kT0 + 29999ms));
    CHECK(d.f.state() == bo::flow_state::awaiting_token);
  }
  SUBCASE("0 s accepted") {
    driven d = drive(bo::flow_state::have_code);
    CHECK(d.f.token_request(kT0));
  }
  for (bo::timestamp age : {30000ms, 30001ms, 3600000ms}) {
    CAPTURE(age.count());
    driven d = drive(bo::flow_state::have_code);
    auto r = d.f.token_request(kT0 + age);
    CHECK(r.code() == bo::errc::code_expired);
    CHECK(d.f.state() == bo::flow_state::failed);
    REQUIRE(d.f.failure() != nullptr);
    CHECK(d.f.failure()->code == bo::errc::code_expired);
  }
}

TEST_CASE("flow: extreme timestamps are compared without overflow") {
  // The epoch is the caller's: any int64 millisecond count is a valid time.
  constexpr bo::timestamp lo = bo::timestamp::min();
  constexpr bo::timestamp hi = bo::timestamp::max();
  const auto awaiting = [](bo::timestamp begun) {
    return drive(bo::flow_state::awaiting_redirect, bo::provider::buffer_legacy(), {}, begun);
  };
  {
    driven d = awaiting(lo);
    REQUIRE(d.f.redirect(callback(d.state), lo));
    CHECK(d.f.token_request(hi).code() == bo::errc::code_expired);
  }
  {
    driven d = awaiting(lo);
    REQUIRE(d.f.redirect(callback(d.state), lo));
    CHECK(d.f.token_request(lo + 29999ms));
  }
  {
    driven d = awaiting(hi - 29999ms);
    REQUIRE(d.f.redirect(callback(d.state), hi - 29999ms));
    CHECK(d.f.token_request(hi));
  }
  {
    driven d = awaiting(lo);
    CHECK(d.f.redirect(callback(d.state), hi).code() == bo::errc::flow_expired);
  }
  {
    driven d = awaiting(hi);
    REQUIRE(d.f.redirect(callback(d.state), hi));
    CHECK(d.f.token_request(lo).code() == bo::errc::clock_regressed);
  }
}

TEST_CASE("flow: a provider without a code lifetime never expires the code") {
  bo::provider p = generic();
  REQUIRE(p.code_lifetime.count() == 0);
  bo::flow f(p, buffer_client());
  auto url = f.begin(entropy(), kT0);
  REQUIRE(url);
  REQUIRE(f.redirect(callback(param(*url, "state")), kT0));
  CHECK(f.token_request(kT0 + 24h));
}

TEST_CASE("flow: a clock going backwards is refused without failing the flow") {
  driven d = drive(bo::flow_state::have_code);
  auto r = d.f.token_request(kT0 - 1ms);
  CHECK(r.code() == bo::errc::clock_regressed);
  CHECK(d.f.state() == bo::flow_state::have_code);
  CHECK(d.f.failure() == nullptr);
  CHECK(d.f.token_request(kT0 + 1ms));
}

TEST_CASE("flow: after a failure every event reports the first reason") {
  struct scenario {
    const char* name;
    bo::errc want;
  };
  for (const scenario& sc :
       {scenario{"state", bo::errc::state_mismatch}, scenario{"denied", bo::errc::authorization_denied},
        scenario{"expired", bo::errc::code_expired}, scenario{"token", bo::errc::token_error},
        scenario{"mixup", bo::errc::redirect_uri_mismatch}}) {
    CAPTURE(sc.name);
    driven d = drive(bo::flow_state::awaiting_redirect);
    const std::string name = sc.name;
    if (name == "state") {
      CHECK(d.f.redirect(callback("evil"), kT0).code() == sc.want);
    } else if (name == "denied") {
      CHECK(d.f.redirect(std::string(kRu) + "?error=access_denied&state=" + d.state, kT0).code() == sc.want);
    } else if (name == "mixup") {
      CHECK(d.f.redirect("https://other-provider.example/back?code=1%2Fabc&state=" + d.state, kT0).code() ==
            sc.want);
    } else {
      REQUIRE(d.f.redirect(callback(d.state), kT0));
      if (name == "expired") {
        CHECK(d.f.token_request(kT0 + 30s).code() == sc.want);
      } else {
        REQUIRE(d.f.token_request(kT0 + 1s));
        CHECK(d.f.token_response(response(400, R"({"error":"invalid_grant"})")).code() == sc.want);
      }
    }
    REQUIRE(d.f.state() == bo::flow_state::failed);
    REQUIRE(d.f.failure() != nullptr);
    CHECK(d.f.failure()->code == sc.want);
    for (bo::flow_event e : kEvents) {
      CAPTURE(bo::to_string(e));
      CHECK(fire(d, e) == sc.want);
      CHECK(d.f.state() == bo::flow_state::failed);
      CHECK(d.f.failure()->code == sc.want);
    }
    // Even a perfectly valid redirect or an earlier clock does not revive it.
    CHECK(d.f.redirect(callback(d.state), kT0).code() == sc.want);
    CHECK(d.f.token_request(kT0 - 1h).code() == sc.want);
  }
}

TEST_CASE("flow: the failure keeps the provider's error fields") {
  driven d = drive(bo::flow_state::awaiting_redirect);
  auto r = d.f.redirect(
      std::string(kRu) + "?error=access_denied&error_description=No+thanks&state=" + d.state, kT0);
  CHECK(r.code() == bo::errc::authorization_denied);
  REQUIRE(d.f.failure() != nullptr);
  CHECK(d.f.failure()->from_provider.error == "access_denied");
  CHECK(d.f.failure()->from_provider.error_description == "No thanks");
}

TEST_CASE("flow: insufficient entropy leaves the flow idle") {
  bo::flow f(bo::provider::buffer_legacy(), buffer_client());
  CHECK(f.begin(bo::flow_entropy{bytes(15, 1), {}}, kT0).code() == bo::errc::insufficient_entropy);
  CHECK(f.state() == bo::flow_state::idle);
  CHECK(f.failure() == nullptr);
  CHECK(f.begin(bo::flow_entropy{{}, {}}, kT0).code() == bo::errc::insufficient_entropy);
  CHECK(f.state() == bo::flow_state::idle);

  bo::flow_options pkce;
  pkce.pkce = true;
  bo::flow g(bo::provider::buffer_legacy(), buffer_client(), pkce);
  CHECK(g.begin(bo::flow_entropy{kStateBytes, bytes(31, 2)}, kT0).code() == bo::errc::insufficient_entropy);
  CHECK(g.state() == bo::flow_state::idle);
  CHECK(g.begin(bo::flow_entropy{kStateBytes, bytes(97, 2)}, kT0).code() == bo::errc::too_large);
  CHECK(g.state() == bo::flow_state::idle);
  CHECK(g.begin(bo::flow_entropy{kStateBytes, bytes(96, 2)}, kT0));
  CHECK(g.state() == bo::flow_state::awaiting_redirect);
  // Enough entropy afterwards works.
  CHECK(f.begin(entropy(), kT0));
  CHECK(f.state() == bo::flow_state::awaiting_redirect);
}

TEST_CASE("flow: a begin the authorize builder refuses changes nothing") {
  bo::client c = buffer_client();
  c.redirect_uri = "http://example.com/back";
  bo::flow f(bo::provider::buffer_legacy(), c);
  CHECK(f.begin(entropy(), kT0).code() == bo::errc::insecure_url);
  CHECK(f.state() == bo::flow_state::idle);
  CHECK(f.failure() == nullptr);
}

TEST_CASE("flow: code_verifier in the token body iff a challenge was in the authorize URL") {
  struct row {
    const char* name;
    bo::provider p;
    std::optional<bool> pkce;
    bool want;
  };
  const row rows[] = {
      {"buffer default", bo::provider::buffer_legacy(), std::nullopt, false},
      {"buffer opt-in", bo::provider::buffer_legacy(), true, true},
      {"generic default", generic(), std::nullopt, true},
      {"generic opt-out", generic(), false, false},
  };
  for (const auto& r : rows) {
    CAPTURE(r.name);
    bo::flow_options o;
    o.pkce = r.pkce;
    bo::flow f(r.p, buffer_client(), o);
    CHECK(f.uses_pkce() == r.want);
    auto url = f.begin(entropy(), kT0);
    REQUIRE(url);
    const std::string challenge = param(*url, "code_challenge");
    CHECK((challenge != "<absent>") == r.want);
    CHECK((param(*url, "code_challenge_method") == "S256") == r.want);
    REQUIRE(f.redirect(callback(param(*url, "state")), kT0));
    auto req = f.token_request(kT0 + 1s);
    REQUIRE(req);
    const std::string verifier = param(req->body, "code_verifier");
    CHECK((verifier != "<absent>") == r.want);
    if (r.want) {
      CHECK(verifier == bo::base64url_encode(kVerifierBytes));
      CHECK(challenge == bo::code_challenge_s256(verifier).value());
    }
  }
}

TEST_CASE("flow: RFC 7636 App. B octets give App. B's verifier and challenge") {
  const unsigned char octets[32] = {116, 24,  223, 180, 151, 153, 224, 37,  79,  250, 96,
                                    125, 216, 173, 187, 186, 22,  212, 37,  77,  105, 214,
                                    191, 240, 91,  88,  5,   88,  83,  132, 141, 121};
  const std::string verifier_bytes(reinterpret_cast<const char*>(octets), sizeof octets);
  bo::flow f(generic(), buffer_client());
  auto url = f.begin(bo::flow_entropy{kStateBytes, verifier_bytes}, kT0);
  REQUIRE(url);
  CHECK(param(*url, "code_challenge") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  REQUIRE(f.redirect(callback(param(*url, "state")), kT0));
  auto req = f.token_request(kT0);
  REQUIRE(req);
  CHECK(param(req->body, "code_verifier") == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST_CASE("flow: without_state sends no state and refuses one on the way back") {
  bo::flow_options o;
  o.without_state = true;
  o.pkce = true;  // without state, PKCE is what stops CSRF
  {
    bo::flow f(bo::provider::buffer_legacy(), buffer_client(), o);
    auto url = f.begin(bo::flow_entropy{{}, kVerifierBytes}, kT0);
    REQUIRE(url);
    CHECK(param(*url, "state") == "<absent>");
    CHECK(f.redirect(std::string(kRu) + "?code=1%2Fabc&state=x", kT0).code() == bo::errc::state_mismatch);
    CHECK(f.state() == bo::flow_state::failed);
  }
  bo::flow f(bo::provider::buffer_legacy(), buffer_client(), o);
  REQUIRE(f.begin(bo::flow_entropy{{}, kVerifierBytes}, kT0));
  CHECK(f.redirect(std::string(kRu) + "?code=1/mWot20jTwojsd00jFlaaR45", kT0));
}

TEST_CASE("flow: without_state and without PKCE is refused: nothing would stop CSRF") {
  bo::flow_options o;
  o.without_state = true;
  bo::flow f(bo::provider::buffer_legacy(), buffer_client(), o);  // Buffer's v1 profile has no PKCE
  CHECK(f.begin(bo::flow_entropy{}, kT0).code() == bo::errc::csrf_protection_missing);
  CHECK(f.state() == bo::flow_state::idle);
}

TEST_CASE("flow: a scope option reaches the authorize URL") {
  bo::flow_options o;
  o.scope = "read write";
  bo::flow f(generic(), buffer_client(), o);
  auto url = f.begin(entropy(), kT0);
  REQUIRE(url);
  CHECK(param(*url, "scope") == "read write");
}

// ============================================================================
// save and restore
// ============================================================================

namespace {
const std::string kKey(32, 'k');
const std::string kOtherKey(32, 'K');

// "bo1." + payload + "." + MAC, with a MAC computed under kKey: lets a test
// reach the payload checks that run after the MAC check.
std::string forge(std::string_view payload) {
  std::string out = "bo1." + bo::base64url_encode(payload);
  const bo::digest mac = bo::hmac_sha256(kKey, out);
  return out + "." +
         bo::base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

bo::result<bo::flow> restore(std::string_view saved, std::string_view key = kKey,
                             bo::provider p = bo::provider::buffer_legacy(), bo::client c = buffer_client()) {
  return bo::flow::restore(saved, key, std::move(p), std::move(c), kT0);
}

std::string saved_flow(bo::flow_options o = {}) {
  bo::flow f(bo::provider::buffer_legacy(), buffer_client(), std::move(o));
  REQUIRE(f.begin(entropy(), kT0));
  auto s = f.save(kKey);
  REQUIRE(s);
  return *s;
}
}  // namespace

TEST_CASE("save/restore: the restored flow accepts the redirect and builds the identical token request") {
  for (bool pkce : {false, true}) {
    CAPTURE(pkce);
    bo::flow_options o;
    o.pkce = pkce;
    o.scope = "read";
    bo::flow original(bo::provider::buffer_legacy(), buffer_client(), o);
    auto url = original.begin(entropy(), kT0);
    REQUIRE(url);
    auto saved = original.save(kKey);
    REQUIRE(saved);
    CHECK(saved->rfind("bo1.", 0) == 0);
    // Every field once, in a fixed order: a saved string outlives the version that wrote it.
    const std::size_t dot = saved->rfind('.');
    auto payload = bo::base64url_decode(std::string_view(*saved).substr(4, dot - 4));
    REQUIRE(payload);
    const std::string verifier = pkce ? bo::make_code_verifier(kVerifierBytes).value() : "";
    CHECK(*payload ==
          "p=buffer-legacy&t=https%3A%2F%2Fapi.bufferapp.com%2F1%2Foauth2%2Ftoken.json&c=" +
              std::string(kCid) + "&r=https%3A%2F%2Fexample.com%2Fback&x=read&n=0&k=" + (pkce ? "1" : "0") +
              "&s=" + param(*url, "state") + "&v=" + verifier + "&i=" + std::to_string(kT0.count()));
    auto restored = restore(*saved);
    REQUIRE(restored);
    CHECK(restored->state() == bo::flow_state::awaiting_redirect);
    CHECK(restored->uses_pkce() == pkce);
    // Saving the restored flow gives the same string.
    CHECK(restored->save(kKey).value() == *saved);
    const std::string back = callback(param(*url, "state"), "1%2FmWot20jTwojsd00jFlaaR45");
    REQUIRE(original.redirect(back, kT0));
    REQUIRE(restored->redirect(back, kT0));
    auto a = original.token_request(kT0 + 1s);
    auto b = restored->token_request(kT0 + 1s);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(same_request(*a, *b));
    CHECK((param(b->body, "code_verifier") != "<absent>") == pkce);
  }
}

TEST_CASE("save/restore: a restored flow still refuses a wrong state") {
  auto restored = restore(saved_flow());
  REQUIRE(restored);
  CHECK(restored->redirect(callback("evil"), kT0).code() == bo::errc::state_mismatch);
}

TEST_CASE("save/restore: without_state round-trips") {
  bo::flow_options o;
  o.without_state = true;
  o.pkce = true;
  bo::flow f(bo::provider::buffer_legacy(), buffer_client(), o);
  REQUIRE(f.begin(bo::flow_entropy{{}, kVerifierBytes}, kT0));
  auto s = f.save(kKey);
  REQUIRE(s);
  auto restored = restore(*s);
  REQUIRE(restored);
  CHECK(restored->redirect(std::string(kRu) + "?code=1%2Fabc", kT0));
}

TEST_CASE("save: only a flow awaiting its redirect, only with a 32-byte key") {
  bo::flow idle(bo::provider::buffer_legacy(), buffer_client());
  CHECK(idle.save(kKey).code() == bo::errc::out_of_order);
  driven d = drive(bo::flow_state::have_code);
  CHECK(d.f.save(kKey).code() == bo::errc::out_of_order);
  driven w = drive(bo::flow_state::awaiting_redirect);
  CHECK(w.f.save(std::string(31, 'k')).code() == bo::errc::insufficient_entropy);
  CHECK(w.f.save(std::string(32, 'k')));
}

TEST_CASE("restore: every truncation is corrupt_flow") {
  const std::string saved = saved_flow();
  for (std::size_t n = 0; n < saved.size(); ++n) {
    CAPTURE(n);
    CHECK(restore(saved.substr(0, n)).code() == bo::errc::corrupt_flow);
  }
}

TEST_CASE("restore: a flipped bit in the payload is tampered_flow") {
  const std::string saved = saved_flow();
  const std::size_t mac_dot = saved.rfind('.');
  REQUIRE(mac_dot > 4);
  for (std::size_t i = 4; i < mac_dot; ++i)
    for (int bit = 0; bit < 8; ++bit) {
      std::string s = saved;
      s[i] = static_cast<char>(static_cast<unsigned char>(s[i]) ^ (1u << bit));
      CAPTURE(i);
      CAPTURE(bit);
      CHECK(restore(s).code() == bo::errc::tampered_flow);
    }
}

TEST_CASE("restore: a flipped bit in the MAC is tampered_flow, or corrupt_flow when no longer a MAC") {
  const std::string saved = saved_flow();
  const std::size_t mac_dot = saved.rfind('.');
  for (std::size_t i = mac_dot + 1; i < saved.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      std::string s = saved;
      s[i] = static_cast<char>(static_cast<unsigned char>(s[i]) ^ (1u << bit));
      // Still 32 bytes of canonical base64url: only the MAC comparison can tell.
      auto mac = bo::base64url_decode(std::string_view(s).substr(mac_dot + 1));
      const bool well_formed = s.rfind('.') == mac_dot && mac && mac->size() == 32;
      CAPTURE(i);
      CAPTURE(bit);
      CHECK(restore(s).code() == (well_formed ? bo::errc::tampered_flow : bo::errc::corrupt_flow));
    }
  // The plainest case: the first MAC character replaced by another letter.
  std::string s = saved;
  s[mac_dot + 1] = s[mac_dot + 1] == 'A' ? 'B' : 'A';
  CHECK(restore(s).code() == bo::errc::tampered_flow);
}

TEST_CASE("restore: other versions, other keys, oversized, short keys") {
  const std::string saved = saved_flow();
  CHECK(restore("bo2.").code() == bo::errc::unsupported_flow_version);
  CHECK(restore("bo2." + saved.substr(4)).code() == bo::errc::unsupported_flow_version);
  CHECK(restore("bo10." + saved.substr(4)).code() == bo::errc::unsupported_flow_version);
  CHECK(restore("box." + saved.substr(4)).code() == bo::errc::corrupt_flow);
  CHECK(restore("xx1." + saved.substr(4)).code() == bo::errc::corrupt_flow);
  CHECK(restore(saved, kOtherKey).code() == bo::errc::tampered_flow);
  CHECK(restore(saved, std::string(31, 'k')).code() == bo::errc::insufficient_entropy);
  CHECK(restore(saved, "").code() == bo::errc::insufficient_entropy);
  const std::size_t cap = 4 * bo::limits{}.max_url;
  CHECK(restore("bo1." + std::string(cap - 4, 'A')).code() == bo::errc::corrupt_flow);
  CHECK(restore("bo1." + std::string(cap - 3, 'A')).code() == bo::errc::too_large);
  CHECK(restore(saved + std::string(cap, 'A')).code() == bo::errc::too_large);
}

TEST_CASE("restore: another provider or client is provider_mismatch") {
  const std::string saved = saved_flow();
  bo::client other_id = buffer_client();
  other_id.id = "5f0000000000000000000000";
  CHECK(restore(saved, kKey, bo::provider::buffer_legacy(), other_id).code() == bo::errc::provider_mismatch);
  bo::client other_uri = buffer_client();
  other_uri.redirect_uri = "https://example.com/other";
  CHECK(restore(saved, kKey, bo::provider::buffer_legacy(), other_uri).code() == bo::errc::provider_mismatch);
  bo::provider renamed = bo::provider::buffer_legacy();
  renamed.name = "evil";
  CHECK(restore(saved, kKey, renamed).code() == bo::errc::provider_mismatch);
  bo::provider moved = bo::provider::buffer_legacy();
  moved.token_endpoint = "https://evil.example/token";
  CHECK(restore(saved, kKey, moved).code() == bo::errc::provider_mismatch);
  CHECK(restore(saved, kKey, generic()).code() == bo::errc::provider_mismatch);
}

TEST_CASE("restore: a payload with a valid MAC is still parsed strictly") {
  const std::string ok_fields =
      "p=buffer-legacy&t=https%3A%2F%2Fapi.bufferapp.com%2F1%2Foauth2%2Ftoken.json&c=4e9680c0512f7ed322000000"
      "&r=https%3A%2F%2Fexample.com%2Fback&x=&n=0&k=0&s=abc&v=&i=1000000";
  auto good = restore(forge(ok_fields));
  REQUIRE(good);
  CHECK(good->state() == bo::flow_state::awaiting_redirect);
  CHECK(good->redirect(callback("abc"), kT0));

  for (const std::string& bad : {
           std::string("p=buffer-legacy"),                                          // fields missing
           ok_fields + "&z=1",                                                      // unknown field
           ok_fields + "&s=abc",                                                    // repeated field
           ok_fields.substr(0, ok_fields.size() - 10) + "&i=",                      // no issue time
           ok_fields.substr(0, ok_fields.size() - 10) + "&i=1e6",                   // not an integer
           ok_fields.substr(0, ok_fields.size() - 10) + "&i=+1",                    // not an integer
           ok_fields.substr(0, ok_fields.size() - 10) + "&i=99999999999999999999",  // overflow
           std::string("p=buffer-legacy&t=https%3A%2F%2Fapi.bufferapp.com%2F1%2Foauth2%2Ftoken.json&c="
                       "4e9680c0512f7ed322000000"
                       "&r=https%3A%2F%2Fexample.com%2Fback&x=&n=2&k=0&s=abc&v=&i=1000000"),  // n not 0/1
           std::string(
               "p=buffer-legacy&t=https%3A%2F%2Fapi.bufferapp.com%2F1%2Foauth2%2Ftoken.json&c="
               "4e9680c0512f7ed322000000"
               "&r=https%3A%2F%2Fexample.com%2Fback&x=&n=0&k=0&s=&v=&i=1000000"),  // state required but empty
           std::string(
               "p=buffer-legacy&t=https%3A%2F%2Fapi.bufferapp.com%2F1%2Foauth2%2Ftoken.json&c="
               "4e9680c0512f7ed322000000"
               "&r=https%3A%2F%2Fexample.com%2Fback&x=&n=0&k=1&s=abc&v=&i=1000000"),  // PKCE without verifier
           std::string(
               "p=buffer-legacy&t=https%3A%2F%2Fapi.bufferapp.com%2F1%2Foauth2%2Ftoken.json&c="
               "4e9680c0512f7ed322000000"
               "&r=https%3A%2F%2Fexample.com%2Fback&x=&n=0&k=0&s=a%0Ab&v=&i=1000000"),  // control character
       }) {
    CAPTURE(bad);
    CHECK(restore(forge(bad)).code() == bo::errc::corrupt_flow);
  }
  // Not base64url at all, under a valid MAC.
  std::string junk = "bo1.!!!!";
  const bo::digest mac = bo::hmac_sha256(kKey, junk);
  junk += "." + bo::base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  CHECK(restore(junk).code() == bo::errc::corrupt_flow);
  // Valid MAC, but another client's fields.
  CHECK(restore(forge("p=buffer-legacy&t=https%3A%2F%2Fapi.bufferapp.com%2F1%2Foauth2%2Ftoken.json&c=other"
                      "&r=https%3A%2F%2Fexample.com%2Fback&x=&n=0&k=0&s=abc&v=&i=1000000"))
            .code() == bo::errc::provider_mismatch);
}

// ============================================================================
// A whole Buffer login against a fake Buffer
// ============================================================================

namespace {
// Plays Buffer: answers the authorize URL with a redirect the way a draft-20
// PHP server would (state first, '/' as %2F), and serves the token,
// profiles and deauthorize endpoints.
struct fake_buffer {
  std::string issued_code = "1/mWot20jTwojsd00jFlaaR45";
  std::string token = std::string(kToken);
  bool revoked = false;
  int token_calls = 0;

  std::string authorize(std::string_view url) const {
    CHECK(url.rfind("https://bufferapp.com/oauth2/authorize?", 0) == 0);
    CHECK(param(url, "client_id") == kCid);
    CHECK(param(url, "redirect_uri") == kRu);
    CHECK(param(url, "response_type") == "code");
    return param(url, "redirect_uri") + "?state=" + param(url, "state") + "&code=1%2FmWot20jTwojsd00jFlaaR45";
  }

  bo::http_response serve(const bo::http_request& req) {
    if (req.url == "https://api.bufferapp.com/1/oauth2/token.json") {
      ++token_calls;
      if (req.method != "POST" || !bo::find_header(req.headers, "Content-Type") ||
          *bo::find_header(req.headers, "Content-Type") != "application/x-www-form-urlencoded")
        return response(400, R"({"error":"invalid_request"})");
      // Buffer takes the code only as 1/..., not 1%2F...
      if (req.body.find("&code=" + issued_code + "&") == std::string::npos)
        return response(
            400, R"({"error":"invalid_grant","error_description":"The authorization code is invalid"})");
      if (param(req.body, "client_id") != kCid || param(req.body, "client_secret") != "s3cr3t" ||
          param(req.body, "redirect_uri") != kRu || param(req.body, "grant_type") != "authorization_code")
        return response(400, R"({"error":"invalid_client"})");
      issued_code.clear();  // single use
      return response(200, R"({"access_token":"1\/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60"})",
                      {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}});
    }
    const std::string* auth = bo::find_header(req.headers, "Authorization");
    const bool authorized = !revoked && auth && *auth == "Bearer " + token;
    if (!authorized)
      return response(403, R"({"success":false,"code":1001,"error":"Access token required."})");
    if (req.method == "GET" && req.url == "https://api.bufferapp.com/1/profiles.json")
      return response(200, R"([{"id":"4eb854340acb04e870000010","service":"twitter"}])");
    if (req.method == "POST" && req.url == "https://api.bufferapp.com/1/user/deauthorize.json") {
      revoked = true;
      return response(200, R"({"success": true, "message": "Access successfully revoked!"})");
    }
    return response(404, R"({"success":false,"code":404,"message":"Not found"})");
  }
};
}  // namespace

TEST_CASE("flow: a whole Buffer login, API call and deauthorize through a fake transport") {
  fake_buffer buffer;
  bo::flow f(bo::provider::buffer_legacy(), buffer_client());
  auto url = f.begin(entropy(), kT0);
  REQUIRE(url);
  const std::string back = buffer.authorize(*url);
  REQUIRE(f.redirect(back, kT0));
  auto swap = f.token_request(kT0 + 2s);
  REQUIRE(swap);
  CHECK(swap->body.find("code=1/mWot20jTwojsd00jFlaaR45") != std::string::npos);
  auto tok = f.token_response(buffer.serve(*swap));
  REQUIRE(tok);
  CHECK(buffer.token_calls == 1);
  CHECK(f.state() == bo::flow_state::authorized);
  CHECK(tok->access_token == kToken);
  CHECK(tok->no_store);
  CHECK(tok->applied(bo::leniency::token_type_defaulted));

  bo::http_request profiles;
  profiles.method = "GET";
  profiles.url = "https://api.bufferapp.com/1/profiles.json";
  auto call = bo::attach_token(bo::provider::buffer_legacy(), profiles, f.access().access_token);
  REQUIRE(call);
  const bo::http_response answer = buffer.serve(*call);
  CHECK(bo::check_api_response(answer));
  CHECK(answer.body.find("4eb854340acb04e870000010") != std::string::npos);

  auto revoke = bo::build_deauthorize_request(bo::provider::buffer_legacy(), f.access().access_token);
  REQUIRE(revoke);
  CHECK(bo::parse_deauthorize_response(buffer.serve(*revoke)));

  // The revoked token is now refused by the API: log in again.
  CHECK(bo::check_api_response(buffer.serve(*call)).code() == bo::errc::token_rejected);
  CHECK(bo::parse_deauthorize_response(buffer.serve(*revoke)).code() == bo::errc::token_rejected);
}

TEST_CASE("flow: against the fake Buffer, a slow swap never reaches the server") {
  fake_buffer buffer;
  bo::flow f(bo::provider::buffer_legacy(), buffer_client());
  auto url = f.begin(entropy(), kT0);
  REQUIRE(url);
  REQUIRE(f.redirect(buffer.authorize(*url), kT0));
  CHECK(f.token_request(kT0 + 31s).code() == bo::errc::code_expired);
  CHECK(buffer.token_calls == 0);
}

TEST_CASE("flow: against the fake Buffer, a double-encoded code is refused by the server") {
  fake_buffer buffer;
  bo::flow f(bo::provider::buffer_legacy(), buffer_client());
  auto url = f.begin(entropy(), kT0);
  REQUIRE(url);
  // %252F decodes once to "%2F": the form-safe encoder must escape that '%'.
  REQUIRE(f.redirect(callback(param(*url, "state"), "1%252FmWot20jTwojsd00jFlaaR45"), kT0));
  auto swap = f.token_request(kT0 + 1s);
  REQUIRE(swap);
  CHECK(swap->body.find("&code=1%252FmWot20jTwojsd00jFlaaR45&") != std::string::npos);
  auto tok = f.token_response(buffer.serve(*swap));
  CHECK(tok.code() == bo::errc::token_error);
  CHECK(tok.error().from_provider.error == "invalid_grant");
}

// ============================================================================
// Property test: random event sequences
// ============================================================================

namespace {
std::string random_bytes(std::mt19937& rng, std::size_t n) {
  std::string out(n, '\0');
  for (auto& ch : out) ch = static_cast<char>(rng() & 0xff);
  return out;
}

std::size_t pick(std::mt19937& rng, std::size_t n) { return static_cast<std::size_t>(rng() % n); }

std::string mutate(std::mt19937& rng, std::string s) {
  static constexpr char alphabet[] = "aZ09%&=+#?/;:@\\ \t\r\n\"'.-_~[]\x01\x7f\xc3\xa9";
  const std::size_t edits = 1 + pick(rng, 3);
  for (std::size_t k = 0; k < edits; ++k) {
    const char c = alphabet[pick(rng, sizeof alphabet - 1)];
    switch (pick(rng, 3)) {
      case 0:
        if (!s.empty()) s[pick(rng, s.size())] = c;
        break;
      case 1:
        if (!s.empty()) s.erase(pick(rng, s.size()), 1);
        break;
      default: s.insert(pick(rng, s.size() + 1), 1, c); break;
    }
  }
  return s;
}
}  // namespace

TEST_CASE("flow: property, 20000 random event sequences keep the invariants") {
  std::mt19937 rng(20240611u);
  const bo::http_response responses[] = {
      kTokenOk,
      response(200, R"({"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600})"),
      response(400, R"({"error":"invalid_grant"})"),
      response(403, R"({"success":false,"code":1001,"error":"Access token required."})"),
      response(502, "<html>bad gateway</html>"),
      response(200, ""),
      response(200, R"({"access_token":"a","access_token":"b"})"),
  };
  std::size_t violations = 0, steps = 0, accepted = 0;
  std::string first_violation;
  auto violation = [&](const std::string& what) {
    if (violations++ == 0) first_violation = what;
  };

  for (int seq = 0; seq < 20000; ++seq) {
    bo::provider p = pick(rng, 2) == 0 ? bo::provider::buffer_legacy() : generic();
    bo::flow_options o;
    if (pick(rng, 4) == 0) o.pkce = pick(rng, 2) == 0;
    if (pick(rng, 10) == 0) o.without_state = true;
    bo::flow f(p, buffer_client(), o);
    std::string state;  // from the last authorize URL
    bo::timestamp now{static_cast<std::int64_t>(pick(rng, 1'000'000))};
    const std::size_t length = 1 + pick(rng, 8);
    for (std::size_t step = 0; step < length; ++step) {
      const bo::flow_state before = f.state();
      const bo::error* failure_before = f.failure();
      const bo::errc first_reason = failure_before ? failure_before->code : bo::errc::ok;
      const bo::flow_event event = kEvents[pick(rng, std::size(kEvents))];
      now += bo::timestamp{static_cast<std::int64_t>(pick(rng, 45'000)) - 2'000};
      bo::errc got = bo::errc::ok;
      switch (event) {
        case bo::flow_event::begin: {
          bo::flow_entropy e;
          const std::string sb = random_bytes(rng, pick(rng, 4) == 0 ? pick(rng, 20) : 16 + pick(rng, 16));
          const std::string vb = random_bytes(rng, pick(rng, 4) == 0 ? pick(rng, 100) : 32 + pick(rng, 64));
          e.state_bytes = sb;
          e.verifier_bytes = vb;
          auto url = f.begin(e, kT0);
          got = url.code();
          if (url) state = param(*url, "state");
          break;
        }
        case bo::flow_event::redirect: {
          std::string url;
          switch (pick(rng, 6)) {
            case 0: url = callback(state, "1%2Fabc"); break;
            case 1: url = std::string(kRu) + "?state=" + state + "&error=access_denied"; break;
            case 2: url = callback("wrong"); break;
            case 3: url = std::string(kRu) + "?code=1%2Fabc"; break;
            default: url = mutate(rng, callback(state, "1%2Fabc")); break;
          }
          got = f.redirect(url, now).code();
          break;
        }
        case bo::flow_event::token_request: got = f.token_request(now).code(); break;
        case bo::flow_event::token_response: {
          bo::http_response r = responses[pick(rng, std::size(responses))];
          if (pick(rng, 3) == 0) r.body = mutate(rng, r.body);
          got = f.token_response(r).code();
          break;
        }
        case bo::flow_event::restore: break;  // never drawn: only kEvents are fired at a flow
      }
      ++steps;
      const bo::flow_state after = f.state();
      const auto after_index = static_cast<std::size_t>(after);
      if (after_index >= std::size(kStates)) violation("state() outside the six states");
      if ((f.failure() != nullptr) != (after == bo::flow_state::failed))
        violation("failure() iff failed broken");
      if (before == bo::flow_state::failed) {
        if (after != bo::flow_state::failed || got != first_reason || f.failure()->code != first_reason)
          violation("a failed flow changed or reported another reason");
        continue;
      }
      bo::flow_state to{};
      const bool allowed = table_allows(before, event, &to);
      if (!allowed) {
        const bool refusal = got == bo::errc::out_of_order || got == bo::errc::state_already_used ||
                             got == bo::errc::code_already_used;
        if (!refusal) violation("an event outside the table was not refused as out of order");
        if (after != before) violation("a refused out-of-order event changed the state");
      } else if (got == bo::errc::ok) {
        ++accepted;
        if (after != to) violation("an accepted event did not follow the table");
      } else if (after != before && after != bo::flow_state::failed) {
        violation("a rejected event moved somewhere other than failed");
      } else if ((after == bo::flow_state::failed) !=
                 (before != bo::flow_state::idle && bo::category(got) != bo::errc_category::caller_misuse &&
                  bo::category(got) != bo::errc_category::transport)) {
        violation("whether a refusal failed the flow disagrees with its errc's category");
      } else if (after == bo::flow_state::failed && f.failure()->code != got) {
        violation("the kept failure differs from the returned error");
      }
    }
  }
  CAPTURE(first_violation);
  CHECK(violations == 0);
  CHECK(steps > 20000);
  CHECK(accepted > 1000);  // the generator reaches the later states
}

// ============================================================================
// No error message carries a secret input
// ============================================================================

TEST_CASE("no error message produced by sections 7-12 contains a secret input") {
  const std::string secret = "ClientSecretValue7Q";
  const std::string code = "1/CodeSecretValue8R";
  const std::string verifier = "VerifierSecretValue9S" + std::string(30, 'v');
  const std::string token = "1/TokenSecretValue0T";
  const std::string state = "StateSecretValue1U";
  const bo::client c{std::string(kCid), secret, std::string(kRu)};
  const bo::provider buf = bo::provider::buffer_legacy();
  std::vector<bo::error> errors;
  auto keep = [&](const auto& r) {
    CHECK_FALSE(r);
    if (!r) errors.push_back(r.error());
  };

  // 7. authorize
  // authorize_params holds views: the strings must outlive the calls.
  const std::string state_ctl = state + "\x01";
  const std::string state_long = state + std::string(bo::limits{}.max_value, 'x');
  bo::authorize_params a;
  a.state = state_ctl;
  keep(bo::build_authorize_url(buf, c, a));
  a.state = state_long;
  keep(bo::build_authorize_url(buf, c, a));
  a.state = state;
  a.code_challenge = verifier;
  keep(bo::build_authorize_url(buf, c, a));
  a.without_state = true;
  keep(bo::build_authorize_url(buf, c, a));

  // 8. redirect
  bo::expected_redirect e;
  e.state = state;
  for (const std::string& url :
       {callback("Other" + state, code), callback(state + "X", code), callback(state, code + "%01"),
        callback(state, code + std::string(bo::limits{}.max_value, 'c')),
        callback(state, code) + "&code=" + code, callback(state, code) + "&error=access_denied",
        std::string(kRu) + "?code=" + code, std::string(kRu) + "/x?code=" + code + "&state=" + state,
        callback(state, code) + " ", callback(state, code) + "&iss=https%3A%2F%2Fbufferapp.com",
        callback(state, code + "%zz")})
    keep(bo::parse_redirect(url, buf, c, e));

  // 9. token
  keep(bo::build_token_request(buf, c, code + "\n"));
  keep(bo::build_token_request(buf, c, code, verifier + "+"));
  keep(bo::build_token_request(buf, c, code + std::string(bo::limits{}.max_value, 'c')));
  bo::client big_secret = c;
  big_secret.secret = secret + std::string(bo::limits{}.max_value, 's');
  keep(bo::build_token_request(buf, big_secret, code));
  bo::client bad_uri = c;
  bad_uri.redirect_uri = "http://example.com/back?s=" + secret;
  keep(bo::build_token_request(buf, bad_uri, code));
  keep(bo::build_refresh_request(buf, c, token + "\n"));
  for (const std::string& body : {R"({"access_token":")" + token + R"( x"})",
                                  R"({"access_token":")" + token + R"(","access_token":"y"})",
                                  R"({"access_token":")" + token + R"(","token_type":"mac"})",
                                  R"({"access_token":")" + token + R"(","expires_in":-1})",
                                  R"({"access_token":")" + token + R"(","error":"invalid_grant"})",
                                  R"({"error":"invalid_grant","error_description":")" + token + R"("})",
                                  std::string("<html>") + token, R"({"access_token":")" + token + R"(",})"})
    keep(bo::parse_token_response(generic(), response(200, body)));

  // 10, 11. attach and deauthorize
  bo::http_request get;
  get.method = "GET";
  get.url = "https://api.bufferapp.com/1/profiles.json";
  keep(bo::attach_token(buf, get, token + " "));
  keep(bo::attach_token(buf, get, token + std::string(bo::limits{}.max_value, 't')));
  bo::http_request elsewhere = get;
  elsewhere.url = "https://evil.example/?t=" + token;
  keep(bo::attach_token(buf, elsewhere, token));
  bo::http_request already = get;
  already.headers.push_back({"Authorization", "Bearer " + token});
  keep(bo::attach_token(buf, already, token));
  bo::attach_options q;
  q.placement = bo::token_placement::query;
  keep(bo::attach_token(buf, get, token, q));
  keep(bo::build_deauthorize_request(buf, token + "\r\n"));
  keep(bo::check_api_response(response(401, token)));
  keep(bo::parse_deauthorize_response(response(200, R"({"success":false,"token":")" + token + "\"}")));

  // 12. flow, save and restore
  std::vector<std::string> flow_secrets;
  {
    bo::flow_options o;
    o.pkce = true;
    bo::flow f(buf, c, o);
    auto url = f.begin(entropy(), kT0);
    REQUIRE(url);
    const std::string flow_state = param(*url, "state");
    flow_secrets.push_back(flow_state);
    flow_secrets.push_back(bo::base64url_encode(kVerifierBytes));
    auto saved = f.save(kKey);
    REQUIRE(saved);
    keep(bo::flow::restore(*saved, kOtherKey, buf, c, kT0));
    keep(bo::flow::restore(saved->substr(0, saved->size() - 3), kKey, buf, c, kT0));
    bo::client other = c;
    other.id = "other";
    keep(bo::flow::restore(*saved, kKey, buf, other, kT0));
    keep(f.redirect(callback(flow_state + "x", code), kT0));
    keep(f.token_request(kT0));  // reports the first failure again
  }
  {
    bo::flow f(buf, c);
    auto url = f.begin(entropy(), kT0);
    REQUIRE(url);
    REQUIRE(f.redirect(callback(param(*url, "state"), code), kT0));
    keep(f.token_request(kT0 - 1ms));
    keep(f.redirect(callback(param(*url, "state"), code), kT0));
    keep(f.token_request(kT0 + 30s));
  }

  REQUIRE(errors.size() > 40);
  for (const bo::error& err : errors) {
    CAPTURE(err.message);
    CHECK_FALSE(err.message.empty());
    for (const std::string& s : {secret, code, verifier, token, state})
      CHECK(err.message.find(s) == std::string::npos);
    for (const std::string& s : flow_secrets) CHECK(err.message.find(s) == std::string::npos);
    // Provider fields come from the response, never from our inputs.
    CHECK(err.from_provider.error.find(secret) == std::string::npos);
  }
}
