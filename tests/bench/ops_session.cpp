// Session: use(now) on the hot path, a valid token with no refresh due, next
// to reading the fields of the credentials that decision needs. use() also
// checks the clock, the session's state and the refresh lead, and builds the
// session_step it returns.
#include "ops.hpp"

#include <buffer_oauth.hpp>

#include <chrono>

namespace bench {
namespace {

namespace bo = buffer_oauth;

/// An hour-long Buffer token obtained at 1700000000000 ms, used a minute later.
const bo::credentials& hour_token() {
  static const bo::credentials c = [] {
    bo::credentials h;
    h.access_token.assign(input::token);
    h.refresh_token = "1/r3fr3sh0123456789abcdef";
    h.obtained_at = bo::timestamp(1700000000000);
    h.expires_at = h.obtained_at + std::chrono::hours(1);
    h.generation = 3;
    return h;
  }();
  return c;
}

bo::session& hour_session() {
  static bo::session s(buffer_provider(), {"4e9680c0512f7ed322000000", "s3cr3t", "https://example.com/back"},
                       hour_token());
  return s;
}

bo::timestamp a_minute_in() {
  std::int64_t ms = 1700000060000;
#if defined(__GNUC__)
  asm volatile("" : "+r"(ms));
#endif
  return bo::timestamp(ms);
}

std::size_t keep(capture* cap, const bo::credentials& c) {
  if (cap != nullptr) {
    cap->a = c.access_token;
    cap->n = c.expires_at ? c.expires_at->count() : -1;
  }
  return c.access_token.size() + static_cast<std::size_t>(c.generation);
}

std::size_t ours_use(capture* cap) {
  auto step = hour_session().use(a_minute_in());
  if (!step || step->action != bo::session_action::attach) return 0;
  return keep(cap, *step->token);
}

/// The floor: read the fields the decision needs (the expiry, the token, the
/// generation) through a pointer the compiler cannot see through, and compare
/// the expiry with now.
std::size_t floor_fields(capture* cap) {
  const bo::credentials* volatile held = &hour_session().current();
  const bo::credentials& c = *held;
  if (!c.expires_at || a_minute_in() >= *c.expires_at) return 0;
  return keep(cap, c);
}

}  // namespace

void add_session_ops(std::vector<op>& out) {
  out.push_back({"session/use/ours_session_use", &ours_use});
  out.push_back({"session/use/floor_fields", &floor_fields});
}

}  // namespace bench
