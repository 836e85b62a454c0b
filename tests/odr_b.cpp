// Two translation units include the header: any non-inline definition in it
// would break the link (ODR).
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

namespace {
std::string_view odr_b_name() { return buffer_oauth::to_string(buffer_oauth::errc::state_mismatch); }
}  // namespace

TEST_CASE("header links into more than one translation unit (odr_b)") {
  CHECK(odr_b_name() == "state_mismatch");
}
