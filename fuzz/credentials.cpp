// SPDX-License-Identifier: MIT
//
// Fuzz target: parse_credentials, to_string(credentials), make_credentials
// and a session driven by times and events taken from the input.
//
// Input: byte 0 = options (bits 0-1 pick the mode; bit 2 tight limits, value
// 24 bytes; bit 3 no expires_at in field mode; bit 4 Buffer's current
// provider instead of the legacy one), then:
//   mode 0  stored credentials as read from a store;
//   mode 1  the same after "boc1.", so the fuzzer starts inside the fields;
//   mode 2/3 fields: 8 bytes generation, 8 bytes obtained_at, 8 bytes
//           expires_in (seconds; little endian), then access_token "\n~~\n"
//           refresh_token "\n~~\n" scope "\n~~\n" token_type.
// What is left after the fields (mode 2/3), or the second half of the text
// (mode 0/1), drives the session: each step picks an event and a time step.
// Properties:
//  - parse_credentials returns a documented error whose message holds no
//    value of the text, or credentials that to_string writes back to a text
//    that parses to the same credentials, field by field, and writes to the
//    same text again;
//  - credentials built field by field survive to_string -> parse_credentials
//    exactly when every field follows its rule and the expiry is not before
//    the token arrived (too_large only for a value over the limit), and
//    make_credentials accepts the same token fields;
//  - the session hands out a token only while it is not expired, a refresh
//    request only with its refresh token and the ticket in flight, waits only
//    while a refresh is in flight; generations never go down; time going back
//    is clock_regressed; an ended session stays ended until adopt() and says
//    why; no message holds a token.

#include "fuzz_common.hpp"

#include <cstring>
#include <limits>

namespace {
using namespace fuzz;
using bo::errc;
namespace d = bo::detail;

bool credentials_error(errc e) {
  return one_of(e, {errc::too_large, errc::corrupt_credentials, errc::unsupported_credentials});
}

void check_same(const bo::credentials& a, const bo::credentials& b) {
  FUZZ_CHECK(a.access_token == b.access_token);
  FUZZ_CHECK(a.token_type == b.token_type);
  FUZZ_CHECK(a.refresh_token == b.refresh_token);
  FUZZ_CHECK(a.scope == b.scope);
  FUZZ_CHECK(a.obtained_at == b.obtained_at);
  FUZZ_CHECK(a.expires_at == b.expires_at);
  FUZZ_CHECK(a.generation == b.generation);
}

/// A secret is never in a message. Access tokens and most refresh tokens
/// hold no space, and no run of the messages without one is 32 bytes long.
void check_no_secret(const bo::error& e, std::string_view secret) {
  if (secret.size() >= 32 && secret.find(' ') == std::string_view::npos) FUZZ_CHECK(!contains(e.message, secret));
}

/// The message names the field, never its value: "<what>: <the code's
/// text>", where what is a field's name followed by `after_name`, or one of
/// `others`.
void check_names_field(const bo::error& e, std::string_view after_name, std::initializer_list<std::string_view> others) {
  const std::string text = bo::detail::fail(e.code).message;
  FUZZ_CHECK(e.message.size() >= text.size() &&
             e.message.compare(e.message.size() - text.size(), text.size(), text) == 0);
  if (e.message.size() == text.size()) return;
  const std::string what = e.message.substr(0, e.message.size() - text.size());
  bool known = false;
  for (std::string_view other : others) known = known || what == std::string(other) + ": ";
  for (const auto& f : d::credential_fields) known = known || what == std::string(f.name) + std::string(after_name) + ": ";
  FUZZ_CHECK(known);
}

/// A limit error names the field or "credentials" and gives numbers only:
/// "<what> is N bytes; the limit is M".
void check_limit_message(const bo::error& e) {
  const std::size_t is = e.message.find(" is ");
  FUZZ_CHECK(is != std::string::npos);
  const std::string what = e.message.substr(0, is);
  bool known = what == "credentials";
  for (const auto& f : d::credential_fields) known = known || what == f.name;
  FUZZ_CHECK(known);
  const std::string rest = e.message.substr(is + 4);
  const std::size_t bytes = rest.find(" bytes; the limit is ");
  FUZZ_CHECK(bytes != std::string::npos && bytes > 0);
  for (char c : rest.substr(0, bytes) + rest.substr(bytes + 21)) FUZZ_CHECK(c >= '0' && c <= '9');
}

void check_parse_message(const bo::error& e) {
  if (e.code == bo::errc::too_large) return check_limit_message(e);
  check_names_field(e, "", {"credentials", "unknown field", "expires_at is before obtained_at"});
}

/// to_string(c) parses back to c and writes the same text again.
void check_round_trip(const bo::credentials& c, const bo::limits& lim) {
  const std::string text = bo::to_string(c);
  FUZZ_CHECK(text.compare(0, 5, "boc1.") == 0);
  arena a;
  auto again = bo::parse_credentials(a.copy(text), lim);
  FUZZ_CHECK(again.has_value());
  check_same(c, *again);
  FUZZ_CHECK(bo::to_string(*again) == text);
}

/// Reference for a field's rule, written from the grammar, not the library.
bool reference_scope(std::string_view s) {
  if (s.empty()) return true;
  std::size_t start = 0;
  while (true) {
    const std::size_t space = s.find(' ', start);
    const std::string_view word = s.substr(start, space - start);
    if (word.empty()) return false;
    for (char ch : word) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') return false;
    }
    if (space == std::string_view::npos) return true;
    start = space + 1;
  }
}

/// RFC 6749 Appendix A: VSCHAR = %x20-7E, the space included.
bool reference_vschar(std::string_view s) {
  for (char ch : s)
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7e) return false;
  return true;
}

bool reference_bearer(std::string_view s) {
  if (s.size() != 6) return false;
  for (std::size_t i = 0; i < 6; ++i)
    if ((s[i] | 0x20) != "bearer"[i]) return false;
  return true;
}

std::uint64_t read_u64(option_bytes& ob) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(ob.next()) << (8 * i);
  return v;
}

/// Credentials field by field: what survives storing, checked against the
/// rules; the credentials when they do.
std::optional<bo::credentials> from_fields(arena& a, std::uint8_t opt, std::string_view& in,
                                          const bo::limits& lim) {
  option_bytes ob(in);
  bo::credentials c;
  c.generation = read_u64(ob);
  c.obtained_at = bo::timestamp(static_cast<std::int64_t>(read_u64(ob)));
  const auto expires_in = static_cast<std::int64_t>(read_u64(ob));
  const auto parts = split(a, in, 5);
  c.access_token.assign(parts[0]);
  c.refresh_token.assign(parts[1]);
  c.scope.assign(parts[2]);
  c.token_type.assign(parts[3]);
  in = parts[4];  // the session script

  constexpr std::int64_t max_ms = std::numeric_limits<std::int64_t>::max();
  const bool expiry_fits = expires_in >= 0 && expires_in <= max_ms / 1000 &&
                           c.obtained_at.count() <= max_ms - expires_in * 1000;
  if (!(opt & 8) && expiry_fits) c.expires_at = c.obtained_at + std::chrono::seconds(expires_in);

  const bool follows = is_reference_b64token(c.access_token) && reference_vschar(c.refresh_token) &&
                       reference_scope(c.scope) && reference_bearer(c.token_type);
  const bool fits = c.access_token.size() <= lim.max_value && c.refresh_token.size() <= lim.max_value &&
                    c.scope.size() <= lim.max_value && c.token_type.size() <= lim.max_value;

  const std::string text = bo::to_string(c);
  auto parsed = bo::parse_credentials(a.copy(text), lim);
  if (follows && fits) {
    FUZZ_CHECK(parsed.has_value());
    check_same(c, *parsed);
    check_round_trip(*parsed, lim);
  } else {
    FUZZ_CHECK(!parsed);
    // Refused as too large only for a value over the limit, or (for values
    // that break their rules and so may be long once encoded) a long text.
    const bool long_text = text.size() > 9 * lim.max_value + 256;
    FUZZ_CHECK(parsed.code() == (follows ? errc::too_large : errc::corrupt_credentials) ||
               (!follows && (!fits || long_text) && parsed.code() == errc::too_large));
    check_parse_message(parsed.error());
  }

  bo::token t;
  t.access_token = c.access_token;
  t.refresh_token = c.refresh_token;
  t.scope = c.scope;
  t.token_type = c.token_type;
  if (!(opt & 8)) t.expires_in = expires_in;
  auto made = bo::make_credentials(t, c.obtained_at, c.generation);
  if (!(opt & 8) && !expiry_fits) {
    FUZZ_CHECK(made.code() == errc::invalid_expires_in);
  } else if (!follows) {
    FUZZ_CHECK(made.code() == errc::invalid_argument);
    check_names_field(made.error(), " breaks its rule", {});
  } else {
    FUZZ_CHECK(made.has_value());
    check_same(c, *made);
  }
  if (follows && fits) return c;
  return std::nullopt;
}

bo::http_response refresh_answer(std::uint8_t pick, std::uint64_t n) {
  bo::http_response r;
  r.status = 200;
  r.headers.push_back({"Content-Type", "application/json"});
  const std::string tail = std::to_string(n);
  switch (pick % 6) {
    case 0:  // a new access token, the refresh token kept
      r.body = R"({"access_token":"1/fresh)" + tail + R"(","token_type":"bearer","expires_in":60})";
      break;
    case 1:  // rotated
      r.body = R"({"access_token":"1/fresh)" + tail + R"(","token_type":"bearer","expires_in":3600,)"
               R"("refresh_token":"1/rotated)" + tail + R"("})";
      break;
    case 2:  // no expiry
      r.body = R"({"access_token":"1/fresh)" + tail + R"(","token_type":"bearer"})";
      break;
    case 3:
      r.status = 400;
      r.body = R"({"error":"invalid_grant"})";
      break;
    case 4:
      r.status = 429;
      r.headers.push_back({"Retry-After", "2"});
      r.body = R"({"error":"rate_limited"})";
      break;
    default:  // a 2xx that cannot be read
      r.body = "{";
      break;
  }
  return r;
}

/// Time steps a step may take, in milliseconds: around the lead, the life,
/// and back.
constexpr std::int64_t kSteps[] = {0, 1, 999, 1000, 30000, 59999, 60000, 61000, 3600000, -1, -60000};

void drive_session(std::uint8_t opt, const bo::credentials& start, std::string_view script, const bo::limits& lim) {
  bo::session_options o;
  o.refresh_lead = std::chrono::milliseconds(script.empty() ? 60000 : static_cast<unsigned char>(script[0]) * 1000);
  const bo::client client{"4e9680c0512f7ed322000000", "s3cr3t-for-fuzzing", "https://client.example/back"};
  bo::session s(opt & 16 ? bo::provider::buffer() : bo::provider::buffer_legacy(), client, start, o, lim);
  bo::timestamp latest = start.obtained_at;
  bo::timestamp now = start.obtained_at;
  std::uint64_t generation = start.generation;
  std::uint64_t answers = 0;
  const std::string first_access = start.access_token, first_refresh = start.refresh_token;
  constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min(), hi = std::numeric_limits<std::int64_t>::max();

  const std::size_t steps = std::min<std::size_t>(script.size(), 24);
  for (std::size_t i = 1; i < steps; ++i) {
    const auto b = static_cast<unsigned char>(script[i]);
    const std::int64_t step = kSteps[(b >> 3) % (sizeof kSteps / sizeof kSteps[0])];
    now = bo::timestamp(step > 0 && now.count() > hi - step   ? hi
                        : step < 0 && now.count() < lo - step ? lo
                                                              : now.count() + step);
    const bool was_ended = s.state() == bo::session_state::ended;
    const bool goes_back = now < latest;
    const std::uint64_t in_flight = s.ticket_in_flight();
    bo::error failed;
    bool ok = true;

    switch (b & 7) {
      case 0:
      case 1:
      case 2: {
        auto step_or = s.use(now);
        if (!step_or) {
          ok = false;
          failed = step_or.error();
          FUZZ_CHECK(one_of(failed.code, {errc::clock_regressed, errc::reauthorization_required, errc::rotation_lost,
                                          errc::rate_limited, errc::invalid_argument, errc::too_large,
                                          errc::invalid_character, errc::invalid_token_syntax}) ||
                     was_ended);
          if (failed.code == errc::rate_limited) FUZZ_CHECK(failed.retry_after.has_value());
          break;
        }
        FUZZ_CHECK(!was_ended && !goes_back);
        const bo::credentials& held = s.current();
        FUZZ_CHECK(step_or->token == &held);
        switch (step_or->action) {
          case bo::session_action::attach:
            FUZZ_CHECK(!step_or->request);
            FUZZ_CHECK(s.state() == bo::session_state::valid || s.state() == bo::session_state::refreshing);
            FUZZ_CHECK(!held.expires_at || now < *held.expires_at);
            break;
          case bo::session_action::refresh: {
            FUZZ_CHECK(in_flight == 0 && step_or->request != nullptr);
            FUZZ_CHECK(step_or->ticket != 0 && step_or->ticket == s.ticket_in_flight());
            FUZZ_CHECK(!held.refresh_token.empty());
            const auto sent = values_named(step_or->request->body, "refresh_token");
            FUZZ_CHECK(sent.size() == 1 && sent[0] == held.refresh_token);
            break;
          }
          case bo::session_action::wait:
            FUZZ_CHECK(!step_or->request && in_flight != 0 && step_or->ticket == in_flight);
            break;
        }
        break;
      }
      case 3:
      case 4: {
        const std::uint64_t ticket = in_flight != 0 && (b & 0x80) == 0 ? in_flight : in_flight + 1;
        auto r = s.refresh_response(ticket, refresh_answer(static_cast<std::uint8_t>(b >> 4), ++answers), now);
        if (!r) {
          ok = false;
          failed = r.error();
          if (!was_ended && (in_flight == 0 || ticket != in_flight)) FUZZ_CHECK(failed.code == errc::stale_ticket);
          break;
        }
        FUZZ_CHECK(!was_ended && !goes_back && ticket == in_flight);
        FUZZ_CHECK(r->current.generation == generation + 1 && s.current().generation == generation + 1);
        FUZZ_CHECK(s.state() == bo::session_state::valid && s.ticket_in_flight() == 0);
        check_round_trip(r->current, bo::limits{});
        break;
      }
      case 5: {
        const std::uint64_t ticket = in_flight != 0 && (b & 0x80) == 0 ? in_flight : in_flight + 1;
        auto r = (b & 0x40) ? s.refresh_not_sent(ticket, now) : s.refresh_failed(ticket, now);
        if (!r) {
          ok = false;
          failed = r.error();
        } else {
          FUZZ_CHECK(!was_ended && in_flight != 0 && s.ticket_in_flight() == 0);
        }
        break;
      }
      case 6: {
        auto r = s.invalidate(generation - ((b & 0x80) ? 1 : 0), now);
        if (!r) {
          ok = false;
          failed = r.error();
        }
        break;
      }
      default: {
        bo::credentials newer = s.current();
        newer.generation = generation + 1 + (b >> 7);
        newer.obtained_at = (b & 0x40) || now.count() == hi ? now : now + bo::timestamp(1);
        auto r = s.adopt(newer, now);
        if (!r) {
          ok = false;
          failed = r.error();
          FUZZ_CHECK(one_of(failed.code, {errc::clock_regressed, errc::invalid_argument}));
        } else {
          FUZZ_CHECK(s.state() == bo::session_state::valid && s.current().generation == newer.generation);
          FUZZ_CHECK(s.failure() == nullptr);
        }
        break;
      }
    }

    if (ok) {
      FUZZ_CHECK(!goes_back);
      latest = now;
    } else {
      if (failed.code == errc::clock_regressed) FUZZ_CHECK(goes_back || (b & 7) == 7);
      if (was_ended && (b & 7) != 7) FUZZ_CHECK(s.state() == bo::session_state::ended);
      if (!was_ended && !goes_back && failed.code != errc::clock_regressed && (b & 7) != 7 &&
          failed.code != errc::stale_ticket)
        latest = now;
      for (std::string_view secret : {std::string_view(first_access), std::string_view(first_refresh),
                                      std::string_view(s.current().access_token),
                                      std::string_view(s.current().refresh_token)})
        check_no_secret(failed, secret);
    }
    FUZZ_CHECK(s.current().generation >= generation);
    generation = s.current().generation;
    FUZZ_CHECK((s.state() == bo::session_state::ended) == (s.failure() != nullptr));
    if (s.failure() != nullptr)
      FUZZ_CHECK(one_of(s.failure()->code, {errc::reauthorization_required, errc::rotation_lost}));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = as_view(data, size);
  const std::uint8_t opt = option_bytes(in).next();
  arena a;
  bo::limits lim;
  if (opt & 4) lim.max_value = 24;  // still above the 20 digits of a time or generation

  if ((opt & 3) >= 2) {
    if (auto c = from_fields(a, opt, in, lim)) drive_session(opt, *c, in, lim);
    return 0;
  }

  const std::string text = (opt & 3) == 1 ? "boc1." + std::string(in) : std::string(in);
  auto c = bo::parse_credentials(a.copy(text), lim);
  if (!c) {
    FUZZ_CHECK(credentials_error(c.code()));
    check_parse_message(c.error());
    return 0;
  }
  FUZZ_CHECK(text.compare(0, 5, "boc1.") == 0);
  FUZZ_CHECK(is_reference_b64token(c->access_token) && reference_vschar(c->refresh_token) &&
             reference_scope(c->scope) && reference_bearer(c->token_type));
  FUZZ_CHECK(!c->expires_at || *c->expires_at >= c->obtained_at);
  check_round_trip(*c, lim);
  drive_session(opt, *c, text.substr(text.size() / 2), lim);
  return 0;
}
