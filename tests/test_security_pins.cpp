// Pins for security checks that the rest of the suite let pass unnoticed when
// removed: each test fails if its check (named as in tools/mutations.txt) is
// dropped or flipped. The exact errc is asserted because a missing check is
// often caught later by another one with a different code.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <string>
#include <string_view>

namespace bo = buffer_oauth;

using namespace test_support;

namespace {

bo::result<std::string> redirect(std::string_view url, std::string_view expected_state,
                                 const bo::limits& lim = {}) {
  bo::expected_redirect e;
  e.state = expected_state;
  return bo::parse_redirect(url, bo::provider::buffer_legacy(), buffer_client(), e, lim);
}

bo::result<bo::token> parse(std::string body) {
  return bo::parse_token_response(generic(), response(200, std::move(body)));
}

}  // namespace

// ============================================================================
// parse_redirect
// ============================================================================

TEST_CASE("pin redirect_state_decoded_on_plus: a state whose only escape is '+' is decoded") {
  auto code = redirect(ru("code=1/abc&state=a+b"), "a b");
  REQUIRE(code);
  CHECK(*code == "1/abc");
}

TEST_CASE("pin redirect_state_decoded_on_percent: a state whose only escape is %XX is decoded") {
  auto code = redirect(ru("code=1/abc&state=a%2Fb"), "a/b");
  REQUIRE(code);
  CHECK(*code == "1/abc");
}

TEST_CASE("pin redirect_expected_state_required: a received state with none expected is state_missing") {
  CHECK(redirect(ru("code=1/abc&state=xyz"), "").code() == bo::errc::state_missing);
}

TEST_CASE("pin redirect_parameter_max_value: a raw value over 3 x max_value is too_large") {
  bo::limits lim;  // small enough that the URL stays under max_url
  lim.max_value = 16;
  const std::size_t cap = 3 * lim.max_value;
  CHECK(redirect(ru("code=1/abc&state=" + std::string(cap, 'x')), "xyz", lim).code() ==
        bo::errc::state_mismatch);
  CHECK(redirect(ru("code=1/abc&state=" + std::string(cap + 1, 'x')), "xyz", lim).code() ==
        bo::errc::too_large);
}

// ============================================================================
// parse_token_response
// ============================================================================

TEST_CASE("pin token_refresh_token_max_value: a refresh_token of max_value + 1 bytes is refused") {
  const std::size_t cap = bo::limits{}.max_value;
  auto body = [](std::size_t n) {
    return R"({"access_token":"a","token_type":"bearer","refresh_token":")" + std::string(n, 'r') + "\"}";
  };
  auto at_cap = parse(body(cap));
  REQUIRE(at_cap);
  CHECK(at_cap->refresh_token.size() == cap);
  CHECK(parse(body(cap + 1)).code() == bo::errc::too_large);
}

// ============================================================================
// attach_token
// ============================================================================

TEST_CASE("pin attach_loopback_opt_in: http to a loopback IP without the opt-in is insecure_url") {
  // The API base is https, so the refusal comes from the request URL's own
  // check and not from the provider's endpoints or the origin comparison.
  CHECK(bo::attach_token(bo::provider::buffer_legacy(), get("http://127.0.0.1:8080/x"), kToken).code() ==
        bo::errc::insecure_url);
  CHECK(bo::attach_token(bo::provider::buffer_legacy(), get("http://[::1]/x"), kToken).code() ==
        bo::errc::insecure_url);
}
