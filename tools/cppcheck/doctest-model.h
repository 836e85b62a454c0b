// Force-included by tools/quality.sh when cppcheck reads tests/*.cpp (it does
// not read doctest.h itself). Models what matters for analysis: a failed
// REQUIRE ends the test case, so code after it may rely on the condition.
// Not a suppression: without it cppcheck reports, e.g., diagram[i] after
// REQUIRE(diagram.size() == 4) as an out-of-bounds access.
[[noreturn]] void doctest_model_require_failed();
#define DOCTEST_MODEL_REQUIRE(cond) ((cond) ? (void)0 : doctest_model_require_failed())
#define REQUIRE(...) DOCTEST_MODEL_REQUIRE(__VA_ARGS__)
#define REQUIRE_FALSE(...) DOCTEST_MODEL_REQUIRE(!(__VA_ARGS__))
#define REQUIRE_UNARY(...) DOCTEST_MODEL_REQUIRE(__VA_ARGS__)
#define REQUIRE_UNARY_FALSE(...) DOCTEST_MODEL_REQUIRE(!(__VA_ARGS__))
#define REQUIRE_EQ(a, b) DOCTEST_MODEL_REQUIRE((a) == (b))
#define REQUIRE_NE(a, b) DOCTEST_MODEL_REQUIRE((a) != (b))
#define REQUIRE_LT(a, b) DOCTEST_MODEL_REQUIRE((a) < (b))
#define REQUIRE_GT(a, b) DOCTEST_MODEL_REQUIRE((a) > (b))
#define REQUIRE_LE(a, b) DOCTEST_MODEL_REQUIRE((a) <= (b))
#define REQUIRE_GE(a, b) DOCTEST_MODEL_REQUIRE((a) >= (b))
