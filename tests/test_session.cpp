// Section 15 (Credentials and session): make_credentials, the text form and
// its reader against hostile text, every row of session_transitions, the
// refresh timing, tickets, rotation, rejection and adoption, and a
// random-interleaving property test against a simulated rotating provider.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bo = buffer_oauth;
using namespace std::chrono_literals;

using namespace test_support;

namespace {

constexpr bo::timestamp kT0{1'700'000'000'000};
constexpr bo::timestamp kExpiry = kT0 + 1h;
constexpr bo::timestamp kDue = kExpiry - 60s;  // the default refresh lead before expiry

const std::string kAccess = "1/c0ffee0ddba11a5a1e5ca1ab1eb0a710";
const std::string kRefresh = "1/ref7e5hab1ed00dfeedfacecafebabe0";

bo::client public_client() { return bo::client{std::string(kCid), "", std::string(kRu)}; }

bo::credentials creds(std::uint64_t generation = 0, std::string refresh = kRefresh,
                      std::optional<bo::timestamp> expires_at = kExpiry, bo::timestamp obtained_at = kT0) {
  bo::credentials c;
  c.access_token = kAccess;
  c.token_type = "Bearer";
  c.refresh_token = std::move(refresh);
  c.scope = "account:read posts:write";
  c.obtained_at = obtained_at;
  c.expires_at = expires_at;
  c.generation = generation;
  return c;
}

bo::session buffer_session(bo::credentials c = creds(), bo::session_options o = {}) {
  return bo::session(bo::provider::buffer(), public_client(), std::move(c), std::move(o));
}

std::string token_json(std::string_view access, std::string_view refresh, int expires_in = 3600) {
  std::string body = R"({"access_token":")" + std::string(access) + R"(","token_type":"Bearer")";
  if (expires_in >= 0) body += R"(,"expires_in":)" + std::to_string(expires_in);
  if (!refresh.empty()) body += R"(,"refresh_token":")" + std::string(refresh) + "\"";
  return body + "}";
}

bo::http_response token_ok(std::string_view access = "1/newaccess1",
                           std::string_view refresh = "1/newrefresh1", int expires_in = 3600) {
  return response(200, token_json(access, refresh, expires_in));
}

const bo::http_response kInvalidGrant = response(400, R"({"error":"invalid_grant"})");
const bo::http_response kServerError = response(500, "upstream down");
const bo::http_response kUnreadable = response(200, R"({"access_token":"1/newacc)");

// The refresh_token a refresh request sends.
std::string sent_refresh_token(const bo::session_step& step) {
  REQUIRE(step.request);
  return first_value(form_pairs(step.request->body), "refresh_token");
}

// use() at `now`, required to hand out a refresh; returns its ticket.
std::uint64_t start_refresh(bo::session& s, bo::timestamp now) {
  auto step = s.use(now);
  REQUIRE(step);
  REQUIRE(step->action == bo::session_action::refresh);
  REQUIRE(step->request);
  CHECK(step->ticket == s.ticket_in_flight());
  return step->ticket;
}

void check_attaches(bo::session& s, bo::timestamp now) {
  auto step = s.use(now);
  REQUIRE(step);
  CHECK(step->action == bo::session_action::attach);
  REQUIRE(step->token != nullptr);
  CHECK(step->token == &s.current());
  CHECK_FALSE(step->request);
}

// ---- driving a session to each state, and firing each event

struct driven {
  bo::session s;
  bo::timestamp now = kT0;
  std::uint64_t ticket = 0;
};

driven drive(bo::session_state target) {
  driven d{buffer_session()};
  switch (target) {
    case bo::session_state::valid: break;
    case bo::session_state::refreshing:
      d.now = kDue;
      d.ticket = start_refresh(d.s, d.now);
      break;
    case bo::session_state::rejected: REQUIRE(d.s.invalidate(0, d.now)); break;
    case bo::session_state::refreshing_rejected:
      REQUIRE(d.s.invalidate(0, d.now));
      d.ticket = start_refresh(d.s, d.now);
      break;
    case bo::session_state::ended:
      d.now = kDue;
      d.ticket = start_refresh(d.s, d.now);
      CHECK(d.s.refresh_response(d.ticket, kInvalidGrant, kDue).code() == bo::errc::reauthorization_required);
      break;
  }
  REQUIRE(d.s.state() == target);
  return d;
}

bo::errc fire(driven& d, bo::session_event e) {
  switch (e) {
    case bo::session_event::refresh: {
      d.now = std::max(d.now, kDue);
      auto step = d.s.use(d.now);
      if (!step) return step.code();
      CHECK(step->action == bo::session_action::refresh);
      d.ticket = step->ticket;
      return bo::errc::ok;
    }
    case bo::session_event::refreshed: return d.s.refresh_response(d.ticket, token_ok(), d.now).code();
    case bo::session_event::refresh_failed: return d.s.refresh_failed(d.ticket, d.now).code();
    case bo::session_event::reject: return d.s.invalidate(d.s.current().generation, d.now).code();
    case bo::session_event::adopt:
      return d.s.adopt(creds(d.s.current().generation + 1, "1/stored", d.now + 1h, d.now), d.now).code();
  }
  FAIL("no way to fire event ", static_cast<int>(e));
  return bo::errc::ok;
}

bool is_table_step(bo::session_state from, bo::session_state to) {
  return std::any_of(std::begin(bo::session_transitions), std::end(bo::session_transitions),
                     [&](const bo::session_transition& t) { return t.from == from && t.to == to; });
}

}  // namespace

// ---------------------------------------------------------------------------
// make_credentials

TEST_CASE("session: make_credentials takes the expiry from expires_in, on the caller's clock") {
  bo::token t;
  t.access_token = kAccess;
  t.token_type = "Bearer";
  t.refresh_token = kRefresh;
  t.scope = "account:read";
  t.expires_in = 3600;
  auto c = bo::make_credentials(t, kT0, 4);
  REQUIRE(c);
  REQUIRE(c->expires_at);
  CHECK(*c->expires_at == kT0 + std::chrono::milliseconds(3600 * 1000));
  CHECK(c->obtained_at == kT0);
  CHECK(c->generation == 4);
  CHECK(c->access_token == kAccess);
  CHECK(c->refresh_token == kRefresh);
  CHECK(c->scope == "account:read");
  CHECK(c->token_type == "Bearer");

  t.expires_in.reset();
  c = bo::make_credentials(t, kT0);
  REQUIRE(c);
  CHECK_FALSE(c->expires_at);
  CHECK(c->generation == 0);

  t.expires_in = 0;
  c = bo::make_credentials(t, kT0);
  REQUIRE(c);
  CHECK(*c->expires_at == kT0);
}

TEST_CASE("session: make_credentials refuses an expiry past the largest timestamp") {
  constexpr std::int64_t max_ms = std::numeric_limits<std::int64_t>::max();
  bo::token t;
  t.access_token = kAccess;
  t.token_type = "bearer";
  t.expires_in = std::numeric_limits<std::int64_t>::max();
  CHECK(bo::make_credentials(t, kT0).code() == bo::errc::invalid_expires_in);
  t.expires_in = max_ms / 1000 + 1;
  CHECK(bo::make_credentials(t, bo::timestamp{0}).code() == bo::errc::invalid_expires_in);
  t.expires_in = 10;
  CHECK(bo::make_credentials(t, bo::timestamp{max_ms - 9'999}).code() == bo::errc::invalid_expires_in);
  auto last = bo::make_credentials(t, bo::timestamp{max_ms - 10'000});
  REQUIRE(last);
  CHECK(last->expires_at->count() == max_ms);
  t.expires_in = -1;
  CHECK(bo::make_credentials(t, kT0).code() == bo::errc::invalid_expires_in);
}

TEST_CASE("session: make_credentials names the field that breaks its rule, never its value") {
  const std::string bad_access = "1/secret token";
  bo::token t;
  t.access_token = bad_access;
  t.token_type = "bearer";
  auto c = bo::make_credentials(t, kT0);
  REQUIRE(c.code() == bo::errc::invalid_argument);
  CHECK(c.error().message.find("access_token") != std::string::npos);
  CHECK(c.error().message.find(bad_access) == std::string::npos);

  t.access_token = kAccess;
  t.token_type = "mac";
  c = bo::make_credentials(t, kT0);
  REQUIRE(c.code() == bo::errc::invalid_argument);
  CHECK(c.error().message.find("token_type") != std::string::npos);

  t.token_type = "bearer";
  t.scope = "a\"b";
  c = bo::make_credentials(t, kT0);
  REQUIRE(c.code() == bo::errc::invalid_argument);
  CHECK(c.error().message.find("scope") != std::string::npos);

  t.scope = "";
  t.refresh_token = "1/refresh\x01secret";
  c = bo::make_credentials(t, kT0);
  REQUIRE(c.code() == bo::errc::invalid_argument);
  CHECK(c.error().message.find("refresh_token") != std::string::npos);
  CHECK(c.error().message.find("secret") == std::string::npos);
}

// ---------------------------------------------------------------------------
// to_string and parse_credentials

TEST_CASE("session: the text form is exactly the documented one") {
  bo::credentials c;
  c.generation = 2;
  c.obtained_at = bo::timestamp{1700000000000};
  c.expires_at = bo::timestamp{1700003600000};
  c.token_type = "Bearer";
  c.scope = "account:read";
  c.access_token = "1/abc";
  c.refresh_token = "1/def";
  const std::string text =
      "boc1.generation=2&obtained_at=1700000000000&expires_at=1700003600000&token_type=Bearer"
      "&scope=account%3Aread&access_token=1%2Fabc&refresh_token=1%2Fdef";
  CHECK(bo::to_string(c) == text);
  auto back = bo::parse_credentials(text);
  REQUIRE(back);
  CHECK(bo::to_string(*back) == text);

  c.expires_at.reset();
  c.refresh_token.clear();
  CHECK(bo::to_string(c) ==
        "boc1.generation=2&obtained_at=1700000000000&expires_at=&token_type=Bearer"
        "&scope=account%3Aread&access_token=1%2Fabc&refresh_token=");
}

TEST_CASE("session: parse_credentials reads back every field to_string wrote") {
  const auto check_round_trip = [](const bo::credentials& c) {
    auto back = bo::parse_credentials(bo::to_string(c));
    REQUIRE(back);
    CHECK(back->access_token == c.access_token);
    CHECK(back->token_type == c.token_type);
    CHECK(back->refresh_token == c.refresh_token);
    CHECK(back->scope == c.scope);
    CHECK(back->obtained_at == c.obtained_at);
    CHECK(back->expires_at == c.expires_at);
    CHECK(back->generation == c.generation);
  };
  bo::credentials c = creds(7);
  c.access_token = "1/Ab+c/d~e_f-g.h==";
  c.refresh_token = "r!#$%&'()*+,-./:;<=>?@[]^_`{|}~";
  c.scope = "account:read posts:write https://x.example/a?b=c";
  check_round_trip(c);
  c.expires_at.reset();
  check_round_trip(c);
  c.refresh_token.clear();
  check_round_trip(c);
  c.scope.clear();
  c.generation = std::numeric_limits<std::uint64_t>::max();
  c.obtained_at = bo::timestamp{-5};
  c.expires_at = bo::timestamp{-5};
  check_round_trip(c);
}

TEST_CASE("session: parse_credentials refuses hostile text with a distinct error, never quoting a value") {
  const std::string good = bo::to_string(creds(3));
  REQUIRE(bo::parse_credentials(good));
  // `good` with the text of field `name=` up to the next '&' replaced by `with`.
  const auto replace = [&](std::string_view name, std::string_view with) {
    const std::size_t at = good.find(std::string(name) + "=");
    REQUIRE(at != std::string::npos);
    std::size_t end = good.find('&', at);
    if (end == std::string::npos) end = good.size();
    std::string out = good;
    out.replace(at, end - at, with);
    return out;
  };
  const std::pair<std::string, bo::errc> cases[] = {
      {"", bo::errc::corrupt_credentials},
      {"boc", bo::errc::corrupt_credentials},
      {"xoc1." + good.substr(5), bo::errc::corrupt_credentials},
      {"BOC1." + good.substr(5), bo::errc::corrupt_credentials},
      {" " + good, bo::errc::corrupt_credentials},
      {"boc1" + good.substr(5), bo::errc::corrupt_credentials},
      {"boc." + good.substr(5), bo::errc::corrupt_credentials},
      {"boc2." + good.substr(5), bo::errc::unsupported_credentials},
      {"boc10." + good.substr(5), bo::errc::unsupported_credentials},
      {good + "&colour=blue", bo::errc::corrupt_credentials},
      {good + "&generation=3", bo::errc::corrupt_credentials},
      {good + "&access_token=1%2Fother", bo::errc::corrupt_credentials},
      {replace("refresh_token", ""), bo::errc::corrupt_credentials},
      {replace("generation", "generatio=3"), bo::errc::corrupt_credentials},
      {replace("scope", "scope=%zz"), bo::errc::corrupt_credentials},
      {replace("scope", "scope=a%4"), bo::errc::corrupt_credentials},
      {replace("scope", "scope=a%"), bo::errc::corrupt_credentials},
      {replace("scope", "scope=a%0Ab"), bo::errc::corrupt_credentials},
      {replace("scope", "scope=a\nb"), bo::errc::corrupt_credentials},
      {replace("access_token", "access_token=1%2Fa%00b"), bo::errc::corrupt_credentials},
      {replace("refresh_token", "refresh_token=r%7Fx"), bo::errc::corrupt_credentials},
      {replace("token_type", "token_type=mac"), bo::errc::corrupt_credentials},
      {replace("token_type", "token_type="), bo::errc::corrupt_credentials},
      {replace("generation", "generation=-1"), bo::errc::corrupt_credentials},
      {replace("generation", "generation=%2B1"), bo::errc::corrupt_credentials},
      {replace("generation", "generation=+1"), bo::errc::corrupt_credentials},
      {replace("generation", "generation="), bo::errc::corrupt_credentials},
      {replace("generation", "generation=18446744073709551616"), bo::errc::corrupt_credentials},
      {replace("obtained_at", "obtained_at=%201700000000000"), bo::errc::corrupt_credentials},
      {replace("obtained_at", "obtained_at=1e3"), bo::errc::corrupt_credentials},
      {replace("obtained_at", "obtained_at="), bo::errc::corrupt_credentials},
      {replace("expires_at", "expires_at=" + std::to_string((kT0 - 1ms).count())),
       bo::errc::corrupt_credentials},
      {replace("expires_at", "expires_at=soon"), bo::errc::corrupt_credentials},
      {replace("access_token", "access_token=1%2Fa+b"), bo::errc::corrupt_credentials},
      {replace("access_token", "access_token=%3D%3Dab"), bo::errc::corrupt_credentials},
      {replace("access_token", "access_token="), bo::errc::corrupt_credentials},
      {replace("access_token", "access_token=1%2F%C3%A9"), bo::errc::corrupt_credentials},
  };
  for (const auto& one : cases) {
    const std::string& text = one.first;
    CAPTURE(text);
    auto c = bo::parse_credentials(text);
    CHECK(c.code() == one.second);
    if (!c) {
      CHECK(c.error().message.find(kAccess) == std::string::npos);
      CHECK(c.error().message.find(kRefresh) == std::string::npos);
      CHECK(c.error().message.find("1/a") == std::string::npos);
    }
  }
  // Each missing field is named.
  for (const auto& f : bo::detail::credential_fields) {
    std::string without = replace(f.name, "");
    const std::size_t gap = without.find("&&");
    if (gap != std::string::npos) without.erase(gap, 1);
    if (without.back() == '&') without.pop_back();
    if (without.compare(0, 6, "boc1.&") == 0) without.erase(5, 1);
    CAPTURE(without);
    auto c = bo::parse_credentials(without);
    REQUIRE(c.code() == bo::errc::corrupt_credentials);
    CHECK(c.error().message.find(f.name) != std::string::npos);
  }
  // An expiry equal to the time the token arrived is a token born expired, not corrupt.
  CHECK(bo::parse_credentials(replace("expires_at", "expires_at=" + std::to_string(kT0.count()))));
}

TEST_CASE("session: parse_credentials refuses oversized text and values as too_large") {
  bo::limits lim;
  lim.max_value = 64;
  bo::credentials c = creds();
  c.access_token = std::string(64, 'a');
  CHECK(bo::parse_credentials(bo::to_string(c), lim));
  c.access_token += "a";
  auto over = bo::parse_credentials(bo::to_string(c), lim);
  REQUIRE(over.code() == bo::errc::too_large);
  CHECK(over.error().message.find("access_token") != std::string::npos);
  CHECK(over.error().message.find(c.access_token) == std::string::npos);

  const std::string huge = "boc1." + std::string(16 * lim.max_value + 256, 'a');
  CHECK(bo::parse_credentials(huge, lim).code() == bo::errc::too_large);
  CHECK(bo::parse_credentials("boc9." + std::string(std::size_t{10} * 4096, 'x')).code() ==
        bo::errc::too_large);
}

// ---------------------------------------------------------------------------
// session: the transition table

TEST_CASE("session: every row of session_transitions, each reached and landing where it says") {
  for (const auto& row : bo::session_transitions) {
    CAPTURE(bo::to_string(row.from));
    CAPTURE(bo::to_string(row.on));
    driven d = drive(row.from);
    CHECK(fire(d, row.on) == bo::errc::ok);
    CHECK(d.s.state() == row.to);
    CHECK(d.s.failure() == nullptr);
  }
}

TEST_CASE("session: an event the table lacks is refused and changes nothing") {
  for (const auto from : {bo::session_state::valid, bo::session_state::rejected}) {
    driven d = drive(from);
    d.ticket = 1;
    CHECK(fire(d, bo::session_event::refreshed) == bo::errc::stale_ticket);
    CHECK(fire(d, bo::session_event::refresh_failed) == bo::errc::stale_ticket);
    CHECK(d.s.state() == from);
  }
  driven d = drive(bo::session_state::ended);
  CHECK(fire(d, bo::session_event::refresh) == bo::errc::reauthorization_required);
  CHECK(fire(d, bo::session_event::reject) == bo::errc::reauthorization_required);
  CHECK(d.s.state() == bo::session_state::ended);
}

TEST_CASE("session: states and events have names, and a value outside the enumeration is unknown") {
  CHECK(bo::to_string(bo::session_state::refreshing_rejected) == "refreshing_rejected");
  CHECK(bo::to_string(bo::session_event::adopt) == "adopt");
  CHECK(bo::to_string(static_cast<bo::session_state>(5)) == "unknown");
  CHECK(bo::to_string(static_cast<bo::session_event>(255)) == "unknown");
  CHECK(bo::to_string(static_cast<bo::flow_state>(6)) == "unknown");
  CHECK(bo::to_string(static_cast<bo::flow_event>(200)) == "unknown");
}

// ---------------------------------------------------------------------------
// session: when to refresh

TEST_CASE("session: a fresh token is attached, and refreshed exactly at expires_at less the lead") {
  bo::session s = buffer_session();
  CHECK(s.state() == bo::session_state::valid);
  check_attaches(s, kT0);
  check_attaches(s, kDue - 1ms);
  CHECK(s.state() == bo::session_state::valid);
  CHECK(s.ticket_in_flight() == 0);
  auto step = s.use(kDue);
  REQUIRE(step);
  CHECK(step->action == bo::session_action::refresh);
  CHECK(step->ticket != 0);
  CHECK(s.state() == bo::session_state::refreshing);
  CHECK(s.ticket_in_flight() == step->ticket);
  REQUIRE(step->request);
  CHECK(step->request->method == "POST");
  CHECK(step->request->url == "https://auth.buffer.com/token");
  const pairs body = form_pairs(step->request->body);
  CHECK(first_value(body, "grant_type") == "refresh_token");
  CHECK(first_value(body, "refresh_token") == kRefresh);
  CHECK(first_value(body, "client_id") == kCid);
  CHECK(count_name(body, "client_secret") == 0);
  CHECK(count_name(body, "scope") == 0);
  for (const auto& h : step->request->headers) CHECK(h.name != "Authorization");
}

TEST_CASE("session: a custom lead and scope, and Buffer's legacy API with its secret") {
  bo::session_options o;
  o.refresh_lead = std::chrono::minutes(5);
  o.scope = "account:read";
  bo::session s(bo::provider::buffer_legacy(), buffer_client(), creds(), o);
  check_attaches(s, kExpiry - std::chrono::minutes(5) - 1ms);
  auto step = s.use(kExpiry - std::chrono::minutes(5));
  REQUIRE(step);
  REQUIRE(step->action == bo::session_action::refresh);
  const pairs body = form_pairs(step->request->body);
  CHECK(step->request->url == "https://api.bufferapp.com/1/oauth2/token.json");
  CHECK(first_value(body, "grant_type") == "refresh_token");
  CHECK(first_value(body, "refresh_token") == kRefresh);
  CHECK(first_value(body, "client_id") == kCid);
  CHECK(first_value(body, "client_secret") == "s3cr3t");
  CHECK(first_value(body, "scope") == "account:read");
}

TEST_CASE("session: a 10-second token is refreshed at half its life") {
  bo::session s = buffer_session(creds(0, kRefresh, kT0 + 10s));
  check_attaches(s, kT0 + 5s - 1ms);
  CHECK(s.use(kT0 + 5s)->action == bo::session_action::refresh);

  bo::session odd = buffer_session(creds(0, kRefresh, kT0 + 2001ms));
  check_attaches(odd, kT0 + 1001ms - 1ms);
  CHECK(odd.use(kT0 + 1001ms)->action == bo::session_action::refresh);
}

TEST_CASE("session: while a refresh is in flight the valid token is attached, once expired use() waits") {
  bo::session s = buffer_session();
  const std::uint64_t ticket = start_refresh(s, kDue);
  check_attaches(s, kDue + 1s);
  check_attaches(s, kExpiry - 1ms);
  for (const auto at : {kExpiry, kExpiry + 1h}) {
    auto step = s.use(at);
    REQUIRE(step);
    CHECK(step->action == bo::session_action::wait);
    CHECK(step->ticket == ticket);
    CHECK_FALSE(step->request);
  }
  CHECK(s.state() == bo::session_state::refreshing);
  REQUIRE(s.refresh_response(ticket, token_ok(), kExpiry + 1h));
  check_attaches(s, kExpiry + 1h);
  CHECK(s.current().access_token == "1/newaccess1");
}

TEST_CASE("session: one refresh per generation, and stale tickets change nothing") {
  bo::session s = buffer_session();
  const std::uint64_t ticket = start_refresh(s, kDue);
  for (int i = 0; i < 5; ++i) {
    auto step = s.use(kExpiry + std::chrono::seconds(i));
    REQUIRE(step);
    CHECK(step->action == bo::session_action::wait);
  }
  CHECK(s.refresh_response(ticket + 1, token_ok(), kExpiry + 5s).code() == bo::errc::stale_ticket);
  CHECK(s.refresh_response(0, token_ok(), kExpiry + 5s).code() == bo::errc::stale_ticket);
  CHECK(s.refresh_failed(ticket + 1, kExpiry + 5s).code() == bo::errc::stale_ticket);
  CHECK(s.state() == bo::session_state::refreshing);
  CHECK(s.current().generation == 0);
  CHECK(s.ticket_in_flight() == ticket);

  auto done = s.refresh_response(ticket, token_ok(), kExpiry + 10s);
  REQUIRE(done);
  CHECK(done->current.generation == 1);
  // The same answer again, and the old ticket after the next refresh started.
  CHECK(s.refresh_response(ticket, token_ok("1/other", "1/other"), kExpiry + 10s).code() ==
        bo::errc::stale_ticket);
  CHECK(s.refresh_failed(ticket, kExpiry + 10s).code() == bo::errc::stale_ticket);
  CHECK(s.current().access_token == "1/newaccess1");
  CHECK(s.state() == bo::session_state::valid);
  const std::uint64_t next = start_refresh(s, kExpiry + 10s + 1h - 60s);
  CHECK(next != ticket);
  CHECK(s.refresh_response(ticket, token_ok("1/other", "1/other"), kExpiry + 2h).code() ==
        bo::errc::stale_ticket);
  CHECK(s.ticket_in_flight() == next);
  CHECK(s.current().generation == 1);
}

// ---------------------------------------------------------------------------
// session: refresh answers

TEST_CASE("session: a successful refresh raises the generation and says whether the token rotated") {
  bo::session s = buffer_session(creds(4));
  auto ticket = start_refresh(s, kDue);
  auto r = s.refresh_response(ticket, token_ok("1/acc5", "1/ref5", 600), kDue + 1s);
  REQUIRE(r);
  CHECK(r->refresh_token_rotated);
  CHECK(r->current.generation == 5);
  CHECK(r->current.access_token == "1/acc5");
  CHECK(r->current.refresh_token == "1/ref5");
  CHECK(r->current.obtained_at == kDue + 1s);
  CHECK(r->current.expires_at == kDue + 1s + 600s);
  CHECK(s.current().generation == 5);
  CHECK(s.state() == bo::session_state::valid);

  // The same refresh token sent back is no rotation; none sent keeps the old one.
  ticket = start_refresh(s, kDue + 1s + 540s);
  r = s.refresh_response(ticket, token_ok("1/acc6", "1/ref5"), kDue + 1s + 540s);
  REQUIRE(r);
  CHECK_FALSE(r->refresh_token_rotated);
  CHECK(r->current.generation == 6);
  const bo::timestamp later = kDue + std::chrono::seconds(1 + 540 + 3600);
  ticket = start_refresh(s, later);
  r = s.refresh_response(ticket, token_ok("1/acc7", ""), later);
  REQUIRE(r);
  CHECK_FALSE(r->refresh_token_rotated);
  CHECK(r->current.refresh_token == "1/ref5");
  CHECK(r->current.access_token == "1/acc7");
  CHECK(s.current().generation == 7);
}

TEST_CASE("session: invalid_grant ends the session with reauthorization_required") {
  bo::session s = buffer_session();
  const auto ticket = start_refresh(s, kDue);
  auto r = s.refresh_response(ticket, kInvalidGrant, kDue + 1s);
  REQUIRE(r.code() == bo::errc::reauthorization_required);
  CHECK(r.error().from_provider.error == "invalid_grant");
  CHECK(s.state() == bo::session_state::ended);
  REQUIRE(s.failure() != nullptr);
  CHECK(s.failure()->code == bo::errc::reauthorization_required);
  CHECK(s.failure()->from_provider.error == "invalid_grant");
  CHECK(s.ticket_in_flight() == 0);
  for (const auto at : {kDue + 2s, kT0}) {
    auto step = s.use(at);
    REQUIRE_FALSE(step);
    CHECK(step.code() == bo::errc::reauthorization_required);
    CHECK(step.error().message.find(kRefresh) == std::string::npos);
  }
  CHECK(s.refresh_response(ticket, token_ok(), kDue + 3s).code() == bo::errc::reauthorization_required);
  CHECK(s.refresh_failed(ticket, kDue + 3s).code() == bo::errc::reauthorization_required);
  CHECK(s.invalidate(0, kDue + 3s).code() == bo::errc::reauthorization_required);
  CHECK(s.state() == bo::session_state::ended);
}

TEST_CASE("session: refresh_not_sent hands the refresh token out again and marks no answer lost") {
  bo::session s = buffer_session();
  auto step = s.use(kDue);
  REQUIRE(step);
  REQUIRE(step->action == bo::session_action::refresh);
  const std::string first = sent_refresh_token(*step);
  CHECK(s.refresh_not_sent(step->ticket + 1, kDue + 1s).code() == bo::errc::stale_ticket);
  REQUIRE(s.refresh_not_sent(step->ticket, kDue + 1s));
  CHECK(s.ticket_in_flight() == 0);
  CHECK(s.refresh_not_sent(step->ticket, kDue + 1s).code() == bo::errc::stale_ticket);
  auto again = s.use(kDue + 2s);
  REQUIRE(again);
  REQUIRE(again->action == bo::session_action::refresh);
  CHECK(sent_refresh_token(*again) == first);
  CHECK(s.refresh_response(again->ticket, kInvalidGrant, kDue + 3s).code() ==
        bo::errc::reauthorization_required);
}

TEST_CASE("session: refresh_not_sent after a lost answer keeps it lost") {
  bo::session s = buffer_session();
  auto step = s.use(kDue);
  REQUIRE(step);
  REQUIRE(s.refresh_failed(step->ticket, kDue + 1s));
  auto unsent = s.use(kDue + 2s);
  REQUIRE(unsent);
  REQUIRE(s.refresh_not_sent(unsent->ticket, kDue + 2s));
  auto again = s.use(kDue + 3s);
  REQUIRE(again);
  CHECK(s.refresh_response(again->ticket, kInvalidGrant, kDue + 4s).code() == bo::errc::rotation_lost);
}

TEST_CASE("session: refresh_failed resends the same refresh token, and invalid_grant then is rotation_lost") {
  bo::session s = buffer_session();
  auto step = s.use(kDue);
  REQUIRE(step);
  const std::string first = sent_refresh_token(*step);
  REQUIRE(s.refresh_failed(step->ticket, kDue + 1s));
  CHECK(s.state() == bo::session_state::valid);
  CHECK(s.ticket_in_flight() == 0);
  auto again = s.use(kDue + 2s);
  REQUIRE(again);
  REQUIRE(again->action == bo::session_action::refresh);
  CHECK(again->ticket != step->ticket);
  CHECK(sent_refresh_token(*again) == first);
  auto r = s.refresh_response(again->ticket, kInvalidGrant, kDue + 3s);
  CHECK(r.code() == bo::errc::rotation_lost);
  CHECK(r.error().from_provider.error == "invalid_grant");
  REQUIRE(s.failure() != nullptr);
  CHECK(s.failure()->code == bo::errc::rotation_lost);
  CHECK_FALSE(s.use(kDue + 4s));
}

TEST_CASE("session: an unreadable 2xx answer counts as lost") {
  bo::session s = buffer_session();
  auto ticket = start_refresh(s, kDue);
  CHECK_FALSE(s.refresh_response(ticket, kUnreadable, kDue));
  CHECK(s.state() == bo::session_state::valid);
  CHECK(s.current().refresh_token == kRefresh);
  auto step = s.use(kDue + 1s);
  REQUIRE(step);
  REQUIRE(step->action == bo::session_action::refresh);
  CHECK(sent_refresh_token(*step) == kRefresh);
  CHECK(s.refresh_response(step->ticket, kInvalidGrant, kDue + 1s).code() == bo::errc::rotation_lost);

  // A readable 2xx whose token make_credentials refuses counts as lost too.
  bo::session t = buffer_session();
  ticket = start_refresh(t, kDue);
  CHECK_FALSE(t.refresh_response(ticket,
                                 response(200, R"({"access_token":"1/x","token_type":"Bearer",)"
                                               R"("expires_in":9223372036854775})"),
                                 kDue));
  ticket = start_refresh(t, kDue);
  CHECK(t.refresh_response(ticket, kInvalidGrant, kDue).code() == bo::errc::rotation_lost);
}

TEST_CASE("session: a 500 keeps the token and the next use() refreshes again") {
  bo::session s = buffer_session();
  auto ticket = start_refresh(s, kDue);
  auto r = s.refresh_response(ticket, kServerError, kDue + 1s);
  REQUIRE_FALSE(r);
  CHECK(r.code() != bo::errc::reauthorization_required);
  CHECK(s.state() == bo::session_state::valid);
  CHECK(s.current().access_token == kAccess);
  CHECK(s.current().generation == 0);
  auto step = s.use(kDue + 2s);
  REQUIRE(step);
  REQUIRE(step->action == bo::session_action::refresh);
  CHECK(sent_refresh_token(*step) == kRefresh);
  // An error answer is no lost answer: invalid_grant now is plain reauthorization.
  CHECK(s.refresh_response(step->ticket, kInvalidGrant, kDue + 3s).code() ==
        bo::errc::reauthorization_required);
}

TEST_CASE("session: a rate-limited refresh holds off the next one for Retry-After") {
  bo::session s = buffer_session();
  auto ticket = start_refresh(s, kDue);
  auto r = s.refresh_response(ticket, response(429, "", {{"Retry-After", "30"}}), kDue);
  REQUIRE(r.code() == bo::errc::rate_limited);
  CHECK(s.state() == bo::session_state::valid);
  check_attaches(s, kDue + 1s);
  check_attaches(s, kDue + 29s);
  // Expired and still held off: no token, the wait left.
  bo::session held = buffer_session(creds(0, kRefresh, kDue + 10s));
  ticket = start_refresh(held, kDue);
  REQUIRE(held.refresh_response(ticket, response(429, "", {{"Retry-After", "30"}}), kDue).code() ==
          bo::errc::rate_limited);
  check_attaches(held, kDue + 10s - 1ms);
  auto step = held.use(kDue + 10s);
  REQUIRE(step.code() == bo::errc::rate_limited);
  REQUIRE(step.error().retry_after);
  CHECK(*step.error().retry_after == 20s);
  step = held.use(kDue + 29s + 500ms);
  REQUIRE(step.code() == bo::errc::rate_limited);
  CHECK(*step.error().retry_after == std::chrono::seconds(1));
  CHECK(held.state() == bo::session_state::valid);
  step = held.use(kDue + 30s);
  REQUIRE(step);
  CHECK(step->action == bo::session_action::refresh);
  // The token endpoint's answer says rate_limited for a 429, or a 503 that says how long to wait.
  auto busy =
      bo::parse_refresh_response(bo::provider::buffer(), response(503, "", {{"Retry-After", "5"}}), kRefresh);
  REQUIRE(busy.code() == bo::errc::rate_limited);
  CHECK(busy.error().retry_after == 5s);
  CHECK(bo::parse_refresh_response(bo::provider::buffer(), response(503, ""), kRefresh).code() !=
        bo::errc::rate_limited);
  CHECK(
      bo::parse_token_response(bo::provider::buffer_legacy(), response(429, R"({"error":"slow"})")).code() ==
      bo::errc::rate_limited);

  // The first session refreshes at the delay too.
  step = s.use(kDue + 30s);
  REQUIRE(step);
  CHECK(step->action == bo::session_action::refresh);
}

// ---------------------------------------------------------------------------
// session: rejection

TEST_CASE("session: invalidate of the current generation forces exactly one refresh") {
  bo::session s = buffer_session(creds(3));
  for (int i = 0; i < 8; ++i) CHECK(s.invalidate(3, kT0 + 1s));
  CHECK(s.state() == bo::session_state::rejected);
  auto step = s.use(kT0 + 1s);
  REQUIRE(step);
  REQUIRE(step->action == bo::session_action::refresh);
  CHECK(s.state() == bo::session_state::refreshing_rejected);
  for (int i = 0; i < 8; ++i) CHECK(s.invalidate(3, kT0 + 2s));
  auto waiting = s.use(kT0 + 2s);
  REQUIRE(waiting);
  CHECK(waiting->action == bo::session_action::wait);
  CHECK(waiting->ticket == step->ticket);
  REQUIRE(s.refresh_response(step->ticket, token_ok(), kT0 + 3s));
  CHECK(s.current().generation == 4);
  // Late reports of the replaced token change nothing.
  for (int i = 0; i < 8; ++i) CHECK(s.invalidate(3, kT0 + 4s));
  CHECK(s.state() == bo::session_state::valid);
  check_attaches(s, kT0 + 4s);
  CHECK(s.invalidate(5, kT0 + 4s).code() == bo::errc::invalid_argument);
  CHECK(s.state() == bo::session_state::valid);
}

TEST_CASE("session: invalidate of an older generation changes nothing") {
  bo::session s = buffer_session(creds(3));
  CHECK(s.invalidate(2, kT0));
  CHECK(s.invalidate(0, kT0));
  CHECK(s.state() == bo::session_state::valid);
  check_attaches(s, kT0 + 1s);
  const auto ticket = start_refresh(s, kDue);
  CHECK(s.invalidate(2, kDue));
  CHECK(s.state() == bo::session_state::refreshing);
  CHECK(s.ticket_in_flight() == ticket);
}

TEST_CASE("session: the token a rejection-forced refresh gave, rejected too, ends the session") {
  bo::session s = buffer_session();
  REQUIRE(s.invalidate(0, kT0));
  const auto ticket = start_refresh(s, kT0);
  REQUIRE(s.refresh_response(ticket, token_ok(), kT0 + 1s));
  auto r = s.invalidate(1, kT0 + 2s);
  CHECK(r.code() == bo::errc::reauthorization_required);
  CHECK(s.state() == bo::session_state::ended);
  CHECK_FALSE(s.use(kT0 + 3s));

  // A rejection during a plain refresh forces it too.
  bo::session t = buffer_session();
  const auto plain = start_refresh(t, kDue);
  REQUIRE(t.invalidate(0, kDue));
  CHECK(t.state() == bo::session_state::refreshing_rejected);
  REQUIRE(t.refresh_response(plain, token_ok(), kDue));
  CHECK(t.invalidate(1, kDue).code() == bo::errc::reauthorization_required);

  // Once due for refresh, a forced refresh's token rejected is refreshed again.
  bo::session early = buffer_session();
  REQUIRE(early.invalidate(0, kT0));
  REQUIRE(early.refresh_response(start_refresh(early, kT0), token_ok(), kT0));
  CHECK(early.invalidate(1, kT0 + 1h - 60s - 1ms).code() == bo::errc::reauthorization_required);
  bo::session later = buffer_session();
  REQUIRE(later.invalidate(0, kT0));
  REQUIRE(later.refresh_response(start_refresh(later, kT0), token_ok(), kT0));
  CHECK(later.invalidate(1, kT0 + 1h - 60s));
  CHECK(later.state() == bo::session_state::rejected);

  // A token from a timed refresh may be rejected once and refreshed.
  bo::session u = buffer_session();
  REQUIRE(u.refresh_response(start_refresh(u, kDue), token_ok(), kDue));
  CHECK(u.invalidate(1, kDue));
  CHECK(u.state() == bo::session_state::rejected);
}

TEST_CASE("session: without a refresh token an expired or rejected token ends the session") {
  bo::session s = buffer_session(creds(0, ""));
  check_attaches(s, kDue);
  check_attaches(s, kExpiry - 1ms);
  auto step = s.use(kExpiry);
  CHECK(step.code() == bo::errc::reauthorization_required);
  CHECK(s.state() == bo::session_state::ended);

  bo::session t = buffer_session(creds(0, ""));
  CHECK(t.invalidate(0, kT0).code() == bo::errc::reauthorization_required);
  CHECK(t.state() == bo::session_state::ended);
}

TEST_CASE("session: a token of unknown expiry is attached until it is rejected") {
  bo::session s = buffer_session(creds(0, kRefresh, std::nullopt));
  for (const auto at : {kT0, kExpiry, kT0 + 24h * 365 * 100}) {
    auto step = s.use(at);
    REQUIRE(step);
    CHECK(step->action == bo::session_action::attach);
    REQUIRE(step->token != nullptr);
    CHECK_FALSE(step->token->expires_at);
  }
  REQUIRE(s.invalidate(0, kT0 + 24h * 365 * 100));
  CHECK(s.use(kT0 + 24h * 365 * 100)->action == bo::session_action::refresh);
}

TEST_CASE("session: a clock going back is clock_regressed and changes nothing") {
  bo::session s = buffer_session();
  const auto ticket = start_refresh(s, kDue);
  CHECK(s.use(kDue - 1ms).code() == bo::errc::clock_regressed);
  CHECK(s.refresh_response(ticket, token_ok(), kDue - 1ms).code() == bo::errc::clock_regressed);
  CHECK(s.refresh_failed(ticket, kDue - 1ms).code() == bo::errc::clock_regressed);
  CHECK(s.invalidate(0, kDue - 1ms).code() == bo::errc::clock_regressed);
  CHECK(s.state() == bo::session_state::refreshing);
  CHECK(s.ticket_in_flight() == ticket);
  CHECK(s.current().generation == 0);
  CHECK(s.use(kT0 - 1ms).code() == bo::errc::clock_regressed);
  CHECK(s.refresh_response(ticket, token_ok(), kDue));
}

TEST_CASE("session: a negative refresh_lead is invalid_argument") {
  bo::session_options o;
  o.refresh_lead = -1ms;
  bo::session s = buffer_session(creds(), o);
  CHECK(s.use(kT0).code() == bo::errc::invalid_argument);
  CHECK(s.state() == bo::session_state::valid);
  o.refresh_lead = 0ms;
  bo::session zero = buffer_session(creds(), o);
  check_attaches(zero, kExpiry - 1ms);
  CHECK(zero.use(kExpiry)->action == bo::session_action::refresh);
}

// ---------------------------------------------------------------------------
// session: adopt

TEST_CASE("session: adopt takes a higher generation and makes the refresh in flight stale") {
  bo::session s = buffer_session(creds(2));
  const auto ticket = start_refresh(s, kDue);
  bo::credentials stored = creds(3, "1/stored", kDue + 1h, kDue);
  stored.access_token = "1/storedaccess";
  REQUIRE(s.adopt(stored, kDue + 1s));
  CHECK(s.state() == bo::session_state::valid);
  CHECK(s.current().generation == 3);
  CHECK(s.current().access_token == "1/storedaccess");
  CHECK(s.ticket_in_flight() == 0);
  CHECK(s.refresh_response(ticket, token_ok(), kDue + 2s).code() == bo::errc::stale_ticket);
  CHECK(s.refresh_failed(ticket, kDue + 2s).code() == bo::errc::stale_ticket);
  CHECK(s.current().access_token == "1/storedaccess");
  check_attaches(s, kDue + 2s);

  CHECK(s.adopt(creds(3), kDue + 3s).code() == bo::errc::invalid_argument);
  CHECK(s.adopt(creds(1), kDue + 3s).code() == bo::errc::invalid_argument);
  CHECK(s.current().access_token == "1/storedaccess");
  CHECK(s.adopt(creds(4, "1/x", kDue + 2h, kDue + 10s), kDue + 9s).code() == bo::errc::clock_regressed);
  CHECK(s.current().generation == 3);
}

TEST_CASE("session: adopt brings an ended session back") {
  driven d = drive(bo::session_state::ended);
  CHECK(d.s.adopt(creds(0), kDue).code() == bo::errc::invalid_argument);
  REQUIRE(d.s.adopt(creds(1, "1/fresh", kDue + 1h, kDue), kDue + 1s));
  CHECK(d.s.state() == bo::session_state::valid);
  CHECK(d.s.failure() == nullptr);
  check_attaches(d.s, kDue + 1s);
  // The adopted token's refresh is no retry: invalid_grant is plain reauthorization.
  const auto ticket = start_refresh(d.s, kDue + 1h - 60s);
  CHECK(d.s.refresh_response(ticket, kInvalidGrant, kDue + 1h).code() == bo::errc::reauthorization_required);
}

// ---------------------------------------------------------------------------
// The property test: random interleavings against a simulated provider that
// rotates refresh tokens and revokes the grant when an old one comes back.

namespace {

struct simulated_provider {
  std::set<std::string> issued_access{kAccess};
  std::set<std::string> consumed;  // refresh tokens rotated away
  std::string live = kRefresh;     // the one refresh token it takes
  bool revoked = false;
  int serial = 0;

  // Takes `refresh_token`: a new token pair, or invalid_grant (and the grant
  // revoked) for a refresh token it no longer takes.
  bo::http_response take(const std::string& refresh_token) {
    if (revoked || refresh_token != live) {
      revoked = true;
      return kInvalidGrant;
    }
    consumed.insert(live);
    ++serial;
    const std::string access = "1/acc" + std::to_string(serial);
    live = "1/ref" + std::to_string(serial);
    issued_access.insert(access);
    return token_ok(access, live, 120);
  }
};

// What the caller knows of the refresh token last sent.
enum class last_answer { none, refreshed, error_answer, lost };

struct interleaving {
  std::mt19937_64 rng;
  bo::session s;
  simulated_provider provider;
  bo::timestamp now = kT0;
  bo::timestamp told = kT0;  // the last time the session took
  struct pending_refresh {
    std::uint64_t ticket;
    std::string refresh_token;
  };
  std::optional<pending_refresh> pending;
  std::map<std::string, last_answer> answers;  // by refresh token sent
  std::optional<std::uint64_t> forced_generation;
  bool lost_since_refresh = false;
  std::string problem;

  explicit interleaving(std::uint64_t seed)
      : rng(seed), s(buffer_session(creds(0, kRefresh, kT0 + 120s), bo::session_options{})) {}

  std::uint64_t pick(std::uint64_t n) { return rng() % n; }
  // Whether the current token is within the default lead (or half its life) of expiring.
  bool due() const {
    const bo::credentials& c = s.current();
    if (!c.expires_at) return false;
    const std::chrono::milliseconds lead =
        std::min<std::chrono::milliseconds>(60s, (*c.expires_at - c.obtained_at) / 2);
    return now >= *c.expires_at - lead;
  }
  void flag(std::string what) {
    if (problem.empty()) problem = std::move(what);
  }

  void use() {
    told = now;
    auto step = s.use(now);
    if (!step) {
      if (s.state() != bo::session_state::ended) flag("use() failed without ending: " + step.error().message);
      return;
    }
    if (s.state() == bo::session_state::ended) flag("use() succeeded in an ended session");
    switch (step->action) {
      case bo::session_action::attach:
        if (step->token != &s.current()) flag("attach of other than the current token");
        if (step->token->expires_at && now >= *step->token->expires_at) flag("an expired token attached");
        if (provider.issued_access.count(step->token->access_token) == 0)
          flag("a token never issued attached");
        break;
      case bo::session_action::wait:
        if (!pending || step->ticket != pending->ticket) flag("wait without the refresh in flight");
        break;
      case bo::session_action::refresh: {
        if (pending) flag("a second refresh while one is outstanding");
        const std::string sent = sent_refresh_token(*step);
        const auto before = answers.find(sent);
        if (before != answers.end()) {
          if (before->second == last_answer::refreshed)
            flag("a refresh token sent again after it was replaced");
          if (provider.consumed.count(sent) != 0 && before->second != last_answer::lost)
            flag("a consumed refresh token sent again though its answer was not lost");
        }
        pending = pending_refresh{step->ticket, sent};
        break;
      }
    }
  }

  void answer() {
    if (!pending) return;
    const auto choice = pick(10);
    if (choice == 0) {  // a ticket that is not the one in flight
      const std::uint64_t wrong = pick(2) == 0 ? pending->ticket + 1 + pick(3) : pick(pending->ticket);
      const auto r = s.refresh_response(wrong, token_ok(), now);
      if (r.code() != bo::errc::stale_ticket) flag("a stale ticket was not refused");
      return;
    }
    const auto state_before = s.state();
    const std::string sent = pending->refresh_token;
    const std::uint64_t generation = s.current().generation;
    const bool retry = lost_since_refresh;
    bo::http_response reply;
    last_answer outcome = last_answer::error_answer;
    if (choice == 1) {  // the user revoked the app
      provider.revoked = true;
      reply = kInvalidGrant;
    } else if (choice == 2) {
      reply = kServerError;
    } else if (choice == 3) {  // taken, and the answer lost on the way back
      reply = provider.take(sent);
      if (reply.status == 200) {
        reply = kUnreadable;
        outcome = last_answer::lost;
      }
    } else {
      reply = provider.take(sent);
      if (reply.status == 200) outcome = last_answer::refreshed;
    }
    told = now;
    const auto r = s.refresh_response(pending->ticket, reply, now);
    pending.reset();
    // Once an answer for it was lost, the token may be consumed whatever follows.
    auto& known = answers[sent];
    if (known != last_answer::lost || outcome != last_answer::error_answer) known = outcome;
    if (reply.status == 400) {
      const bo::errc want = retry ? bo::errc::rotation_lost : bo::errc::reauthorization_required;
      if (r.code() != want) flag("invalid_grant gave " + std::string(bo::to_string(r.code())));
      if (s.state() != bo::session_state::ended) flag("invalid_grant did not end the session");
      return;
    }
    if (outcome == last_answer::refreshed) {
      if (!r) return flag("a good answer was refused: " + r.error().message);
      if (s.current().generation != generation + 1) flag("a refresh did not raise the generation by one");
      if (s.current().refresh_token != provider.live) flag("the new refresh token was not kept");
      forced_generation.reset();
      if (state_before == bo::session_state::refreshing_rejected) forced_generation = s.current().generation;
      lost_since_refresh = false;
      return;
    }
    if (r) flag("a failed answer was taken");
    if (s.current().generation != generation) flag("a failed answer changed the generation");
    if (outcome == last_answer::lost) lost_since_refresh = true;
  }

  void transport_failure() {
    if (!pending) return;
    if (pick(2) == 0) provider.take(pending->refresh_token);  // it arrived; the answer did not
    told = now;
    if (!s.refresh_failed(pending->ticket, now)) flag("refresh_failed refused its ticket");
    answers[pending->refresh_token] = last_answer::lost;
    lost_since_refresh = true;
    pending.reset();
  }

  void invalidate() {
    const std::uint64_t current = s.current().generation;
    const bool older = current > 0 && pick(3) == 0;
    const std::uint64_t generation = older ? pick(current) : current;
    const auto state_before = s.state();
    told = now;
    const auto r = s.invalidate(generation, now);
    if (state_before == bo::session_state::ended) {
      if (r) flag("invalidate succeeded in an ended session");
      return;
    }
    if (older || state_before == bo::session_state::rejected ||
        state_before == bo::session_state::refreshing_rejected) {
      if (!r || s.state() != state_before) flag("a repeated or older rejection changed the session");
      return;
    }
    if (forced_generation == current && !due()) {
      if (r.code() != bo::errc::reauthorization_required)
        flag("a forced refresh's token rejected did not end");
      return;
    }
    if (!r) flag("invalidate refused: " + r.error().message);
  }

  void step_time() {
    if (pick(5) == 0) {  // an attempt to go back
      const bo::timestamp back = told - std::chrono::milliseconds(1 + pick(5000));
      const auto state_before = s.state();
      const auto code = pick(2) == 0 ? s.use(back).code() : s.invalidate(s.current().generation, back).code();
      const bo::errc want =
          state_before == bo::session_state::ended ? s.failure()->code : bo::errc::clock_regressed;
      if (code != want) flag("a clock going back gave " + std::string(bo::to_string(code)));
      if (s.state() != state_before) flag("a clock going back changed the state");
      return;
    }
    now += std::chrono::milliseconds(pick(90'000));
  }

  void run(int steps) {
    std::uint64_t generation = 0;
    for (int i = 0; i < steps && problem.empty(); ++i) {
      const auto state_before = s.state();
      const bool ended_before = state_before == bo::session_state::ended;
      switch (pick(6)) {
        case 0: use(); break;
        case 1: answer(); break;
        case 2: transport_failure(); break;
        case 3: invalidate(); break;
        default: step_time(); break;
      }
      const auto after = s.state();
      if (after != state_before && after != bo::session_state::ended && !is_table_step(state_before, after))
        flag("a step the table lacks: " + std::string(bo::to_string(state_before)) + " to " +
             std::string(bo::to_string(after)));
      if (ended_before && after != bo::session_state::ended) flag("an ended session came back");
      if (after == bo::session_state::ended) pending.reset();
      if ((s.ticket_in_flight() != 0) != pending.has_value())
        flag("ticket_in_flight disagrees with the caller");
      if (s.current().generation < generation) flag("the generation went down");
      generation = s.current().generation;
      if (!problem.empty()) problem = "step " + std::to_string(i) + ": " + problem;
    }
  }
};

}  // namespace

TEST_CASE("session: 10,000 random interleavings keep every promise") {
  int ended = 0;
  int refreshed = 0;
  for (std::uint64_t seed = 1; seed <= 10'000; ++seed) {
    interleaving run(seed);
    run.run(40);
    CHECK_MESSAGE(run.problem.empty(), "seed ", seed, ": ", run.problem);
    ended += run.s.state() == bo::session_state::ended;
    refreshed += run.s.current().generation > 0;
  }
  // The walk reaches both ends often enough to mean something.
  CHECK(ended > 1000);
  CHECK(refreshed > 1000);
}
