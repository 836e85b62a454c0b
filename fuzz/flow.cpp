// SPDX-License-Identifier: MIT
//
// Fuzz target: flow::restore, and the save -> restore round trip.
//
// Input: byte 0 = options (bits 0-1 pick the mode), then:
//   mode 0  a saved flow as received (restored with a fixed key);
//   mode 1  a payload, framed and signed by the harness so that the payload
//           parser (not just the MAC check) is exercised;
//   mode 2/3 round trip: provider name "\n~~\n" scope "\n~~\n" state bytes
//           "\n~~\n" verifier bytes "\n~~\n" client id "\n~~\n" code;
//           bit 2/3 PKCE on/off, bit 4 without_state, bit 5 Buffer vs
//           generic provider, bit 6 use the fuzzed provider name.
// Properties:
//  - restore only ever returns a documented error or a flow awaiting its
//    redirect; a restored flow saves to a string that restores to itself;
//  - whatever begin() accepts saves, and restore(save(f)) is f: it saves to
//    the same bytes and behaves the same on the redirect and the token
//    request (same body, PKCE verifier matching the challenge sent);
//  - another key, another provider, any truncation and any changed byte
//    are refused, and so are a save at its maximum age, a clock that went
//    back, and a second restore that its claim refuses;
//  - events out of order change nothing.

#include "fuzz_common.hpp"

namespace {
using namespace fuzz;
using bo::errc;
namespace d = bo::detail;

const std::string kKey = "k3y-for-fuzzing-0123456789abcdef!";
const std::string kOtherKey = "another-key-for-fuzzing-012345678";
const bo::timestamp kNow(0);  // begin() and every restore

bo::provider generic_provider() {
  return bo::provider::generic("g", "https://auth.example/authorize", "https://auth.example/token",
                               "https://api.example/");
}

bo::client default_client() {
  bo::client c;
  c.id = "4e9680c0512f7ed322000000";
  c.secret = "s3cr3t";
  c.redirect_uri = "https://client.example/back";
  return c;
}

bool restore_error(errc e) {
  return one_of(e, {errc::too_large, errc::corrupt_flow, errc::unsupported_flow_version, errc::tampered_flow,
                    errc::provider_mismatch, errc::clock_regressed, errc::flow_expired});
}

std::string sign(std::string_view payload) {
  std::string out = "bo1." + bo::base64url_encode(payload);
  const bo::digest mac = bo::hmac_sha256(kKey, out);
  out += '.';
  out += bo::base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  return out;
}

void check_restored(const bo::provider& p, const bo::client& c, std::string_view saved) {
  auto f = bo::flow::restore(saved, kKey, p, c, kNow);
  if (!f) {
    FUZZ_CHECK(restore_error(f.code()));
    return;
  }
  FUZZ_CHECK(f->state() == bo::flow_state::awaiting_redirect && f->failure() == nullptr);
  auto again = f->save(kKey);
  FUZZ_CHECK(again.has_value());
  auto g = bo::flow::restore(*again, kKey, p, c, kNow);
  FUZZ_CHECK(g.has_value());
  auto third = g->save(kKey);
  FUZZ_CHECK(third.has_value() && *third == *again);
  FUZZ_CHECK(g->uses_pkce() == f->uses_pkce());
}

std::string query_of(std::string_view url) {
  auto parts = d::split_url(url, errc::invalid_url, 1u << 20);
  FUZZ_CHECK(parts.has_value());
  return std::string(parts->query);
}

void round_trip(std::uint8_t opt, const std::vector<std::string_view>& parts, std::uint64_t seed) {
  bo::provider p = (opt & 32) ? bo::provider::buffer_legacy() : generic_provider();
  if (opt & 64) p.name.assign(parts[0]);
  bo::client c = default_client();
  if (!parts[4].empty()) c.id.assign(parts[4]);
  bo::flow_options fo;
  fo.scope.assign(parts[1]);
  fo.without_state = (opt & 16) != 0;
  if (opt & 4) fo.pkce = true;
  if (opt & 8) fo.pkce = false;

  bo::flow f(p, c, fo);
  auto url = f.begin({parts[2], parts[3]}, kNow);
  if (!url) {
    FUZZ_CHECK(one_of(url.code(), {errc::insufficient_entropy, errc::too_large, errc::invalid_client_id,
                                   errc::invalid_character, errc::entropy_reused, errc::csrf_protection_missing}));
    FUZZ_CHECK(f.state() == bo::flow_state::idle);
    return;
  }
  FUZZ_CHECK(f.state() == bo::flow_state::awaiting_redirect);
  const std::string query = query_of(*url);
  const auto states = values_named(query, "state");
  if (fo.without_state) {
    FUZZ_CHECK(states.empty());
  } else {
    FUZZ_CHECK(states.size() == 1 && states[0] == bo::base64url_encode(parts[2]));
  }
  const auto challenges = values_named(query, "code_challenge");
  FUZZ_CHECK(challenges.size() == (f.uses_pkce() ? 1u : 0u));

  // Out of order: refused, nothing changes.
  bo::http_response early;
  early.status = 200;
  early.body = R"({"access_token":"1/abc","token_type":"bearer"})";
  FUZZ_CHECK(f.token_response(early).code() == errc::out_of_order);
  FUZZ_CHECK(f.token_request(bo::timestamp(0)).code() == errc::out_of_order);
  FUZZ_CHECK(f.state() == bo::flow_state::awaiting_redirect);

  auto saved = f.save(kKey);
  FUZZ_CHECK(saved.has_value());
  auto g = bo::flow::restore(*saved, kKey, p, c, kNow);
  FUZZ_CHECK(g.has_value());  // save -> restore is the identity
  auto resaved = g->save(kKey);
  FUZZ_CHECK(resaved.has_value() && *resaved == *saved);
  FUZZ_CHECK(g->uses_pkce() == f.uses_pkce());

  // One refusal per input (each restore costs an HMAC): the input's hash
  // picks which, and where to cut or which byte to change.
  switch (seed % 7) {
    case 0:
      FUZZ_CHECK(bo::flow::restore(*saved, kOtherKey, p, c, kNow).code() == errc::tampered_flow);
      break;
    case 1: {
      bo::provider other = p;
      other.name += "x";
      FUZZ_CHECK(bo::flow::restore(*saved, kKey, other, c, kNow).code() == errc::provider_mismatch);
      break;
    }
    case 2: {
      bo::client other_client = c;
      other_client.redirect_uri += "x";
      FUZZ_CHECK(bo::flow::restore(*saved, kKey, p, other_client, kNow).code() == errc::provider_mismatch);
      break;
    }
    case 3: {
      arena a;
      const std::size_t cut = static_cast<std::size_t>((seed >> 8) % saved->size());
      auto t = bo::flow::restore(a.copy(std::string_view(*saved).substr(0, cut)), kKey, p, c, kNow);
      FUZZ_CHECK(!t && restore_error(t.code()));
      break;
    }
    case 4: {
      bo::restore_options late;
      late.max_age = bo::timestamp(1 + static_cast<std::int64_t>((seed >> 8) % 1000));
      FUZZ_CHECK(bo::flow::restore(*saved, kKey, p, c, kNow + late.max_age, late).code() == errc::flow_expired);
      FUZZ_CHECK(bo::flow::restore(*saved, kKey, p, c, kNow - bo::timestamp(1)).code() == errc::clock_regressed);
      break;
    }
    case 5: {
      bo::restore_options once;
      std::string claimed;
      once.claim = [&claimed](std::string_view id) {
        if (id == claimed) return false;
        claimed.assign(id);
        return true;
      };
      FUZZ_CHECK(bo::flow::restore(*saved, kKey, p, c, kNow, once).has_value());
      FUZZ_CHECK(claimed.size() == 22);
      FUZZ_CHECK(bo::flow::restore(*saved, kKey, p, c, kNow, once).code() == errc::flow_replayed);
      break;
    }
    default: {
      arena a;
      std::string changed = *saved;
      const std::size_t at = static_cast<std::size_t>((seed >> 16) % changed.size());
      changed[at] = static_cast<char>(changed[at] ^ static_cast<char>(1 + (seed >> 40) % 255));
      auto m = bo::flow::restore(a.copy(changed), kKey, p, c, kNow);
      FUZZ_CHECK(!m && restore_error(m.code()));
      break;
    }
  }

  // Both flows take the same redirect and produce the same token request.
  const std::string code = parts[5].empty() ? std::string("1/mWot20jTwojsd00jFlaaR45") : std::string(parts[5]);
  std::string back = c.redirect_uri + "?code=";
  d::percent_encode(back, code, d::encoding::form);
  if (!states.empty()) {
    back += "&state=";
    d::percent_encode(back, states[0], d::encoding::form);
  }
  const bo::timestamp t0(1000);
  auto rf = f.redirect(back, t0);
  auto rg = g->redirect(back, t0);
  FUZZ_CHECK(rf.has_value() == rg.has_value() && rf.code() == rg.code());
  if (!rf) {
    FUZZ_CHECK(f.state() == bo::flow_state::failed && g->state() == bo::flow_state::failed);
    return;
  }
  FUZZ_CHECK(f.redirect(back, t0).code() == errc::state_already_used);
  if (p.code_lifetime.count() > 0) {
    bo::flow late = f;
    FUZZ_CHECK(late.token_request(t0 + p.code_lifetime).code() == errc::code_expired);
    FUZZ_CHECK(late.state() == bo::flow_state::failed);
  }
  auto qf = f.token_request(t0 + bo::timestamp(1));
  auto qg = g->token_request(t0 + bo::timestamp(1));
  FUZZ_CHECK(qf.has_value() == qg.has_value());
  if (!qf) return;
  FUZZ_CHECK(qf->body == qg->body && qf->url == qg->url);
  const auto codes = values_named(qf->body, "code");
  FUZZ_CHECK(codes.size() == 1 && codes[0] == code);
  const auto verifiers = values_named(qf->body, "code_verifier");
  FUZZ_CHECK(verifiers.size() == challenges.size());
  if (!verifiers.empty()) {
    auto s256 = bo::code_challenge_s256(verifiers[0]);
    FUZZ_CHECK(s256 && *s256 == challenges[0]);
  }
  FUZZ_CHECK(f.token_request(t0 + bo::timestamp(2)).code() == errc::code_already_used);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arena a;
  std::string_view in = as_view(data, size);
  option_bytes ob(in);
  const std::uint8_t opt = ob.next();
  const bo::provider providers[] = {bo::provider::buffer_legacy(), generic_provider()};
  const bo::client c = default_client();
  switch (opt & 3) {
    case 0:
      for (const auto& p : providers) check_restored(p, c, a.copy(in));
      break;
    case 1: {
      const std::string saved = sign(in);
      for (const auto& p : providers) check_restored(p, c, a.copy(saved));
      break;
    }
    default: {
      std::uint64_t seed = 1469598103934665603ull;  // FNV-1a of the input picks cuts and flips
      for (char ch : in) seed = (seed ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
      round_trip(opt, split(a, in, 6), seed);
      break;
    }
  }
  return 0;
}
