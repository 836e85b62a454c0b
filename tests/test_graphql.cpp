// Section 11: check_api_response(provider, response) for a GraphQL API
// (Buffer's current API at api.buffer.com): the answers Buffer documents,
// hostile bodies, Retry-After, and the legacy provider unchanged.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <string>
#include <string_view>

namespace bo = buffer_oauth;

using namespace test_support;

namespace {

bo::result<void> graphql(int status, std::string body, bo::http_headers headers = {}) {
  return bo::check_api_response(bo::provider::buffer(),
                                response(status, std::move(body), std::move(headers)));
}

// Buffer's documented bodies (developers.buffer.com, API responses).
constexpr std::string_view kSuccess = R"({"data": {"account": {"id": "5f1", "email": "a@example.com"}}})";
std::string refusal(std::string_view code) {
  return R"({"data": null, "errors": [{"message": "Not allowed", "extensions": {"code": ")" +
         std::string(code) + R"("}}]})";
}
constexpr std::string_view kAnonymous =
    R"({"errors":[{"message":"An authentication JWT or Access Token is required","extensions":{"code":"UNAUTHENTICATED"}}]})";
std::string rate_limited(std::string_view window) {
  return R"({"errors":[{"message":"Too many requests","extensions":{"code":"RATE_LIMIT_EXCEEDED","window":")" +
         std::string(window) + R"("}}]})";
}
constexpr std::string_view kQueryLimit =
    R"({"errors":[{"message":"Query is too complex: 1203. Maximum allowed complexity: 1000","locations":[{"line":1,"column":1}]}]})";
constexpr std::string_view kMutationError =
    R"({"data":{"createPost":{"__typename":"InvalidInputError","message":"text is too long"}}})";

}  // namespace

TEST_CASE("graphql: the providers say which API format they speak") {
  CHECK(bo::provider::buffer().api == bo::api_format::graphql);
  CHECK(bo::provider::buffer_legacy().api == bo::api_format::buffer_v1);
  CHECK(generic().api == bo::api_format::buffer_v1);
}

TEST_CASE("graphql: 200 with data and no errors is success") {
  CHECK(graphql(200, std::string(kSuccess)));
  // A mutation's recoverable error is a typed payload inside data: the query succeeded.
  CHECK(graphql(200, std::string(kMutationError)));
}

TEST_CASE("graphql: the first error's extensions.code decides, under HTTP 200") {
  struct row {
    std::string_view code;
    bo::errc expected;
  };
  for (const row& r : {row{"UNAUTHORIZED", bo::errc::token_rejected}, row{"FORBIDDEN", bo::errc::api_error},
                       row{"NOT_FOUND", bo::errc::api_error}, row{"UNEXPECTED", bo::errc::api_error},
                       row{"SOMETHING_NEW", bo::errc::api_error}}) {
    CAPTURE(r.code);
    auto res = graphql(200, refusal(r.code));
    REQUIRE(!res);
    CHECK(res.code() == r.expected);
    CHECK(res.error().api_error_code == r.code);
    CHECK(res.error().from_provider.error_description == "Not allowed");
    CHECK(res.error().http_status == 200);
    CHECK(res.error().body == refusal(r.code));
  }
  // Known codes are named in the message; an unknown one only in api_error_code.
  CHECK(graphql(200, refusal("FORBIDDEN")).error().message.find("(FORBIDDEN)") != std::string::npos);
  CHECK(graphql(200, refusal("SOMETHING_NEW")).error().message.find("SOMETHING_NEW") == std::string::npos);
}

TEST_CASE("graphql: a query-limit error has no code and is api_error") {
  auto r = graphql(200, std::string(kQueryLimit));
  CHECK(r.code() == bo::errc::api_error);
  CHECK(r.error().api_error_code.empty());
  CHECK(r.error().from_provider.error_description ==
        "Query is too complex: 1203. Maximum allowed complexity: 1000");
}

TEST_CASE("graphql: HTTP 401, UNAUTHENTICATED or a Bearer challenge, is token_rejected") {
  auto anonymous = graphql(401, std::string(kAnonymous));
  CHECK(anonymous.code() == bo::errc::token_rejected);
  CHECK(anonymous.error().api_error_code == "UNAUTHENTICATED");
  CHECK(anonymous.error().from_provider.error_description ==
        "An authentication JWT or Access Token is required");
  CHECK(graphql(401, "").code() == bo::errc::token_rejected);
  CHECK(graphql(200, std::string(kAnonymous)).code() == bo::errc::token_rejected);
  auto challenged =
      graphql(400, "<html>no</html>", {{"WWW-Authenticate", R"(Bearer error="invalid_token")"}});
  CHECK(challenged.code() == bo::errc::token_rejected);
  CHECK(challenged.error().from_provider.error == "invalid_token");
  CHECK(graphql(403, "", {{"WWW-Authenticate", R"(Bearer error="insufficient_scope")"}}).code() ==
        bo::errc::http_error);
}

TEST_CASE("graphql: 429 or RATE_LIMIT_EXCEEDED is rate_limited, with Retry-After and the window") {
  for (std::string_view window : {"15m", "24h", "30d"}) {
    CAPTURE(window);
    auto r = graphql(429, rate_limited(window), {{"Retry-After", "120"}});
    REQUIRE(r.code() == bo::errc::rate_limited);
    CHECK(r.error().retry_after == std::chrono::seconds(120));
    CHECK(r.error().rate_limit_window == window);
    CHECK(r.error().api_error_code == "RATE_LIMIT_EXCEEDED");
    CHECK(r.error().message.find("(window " + std::string(window) + ")") != std::string::npos);
  }
  // The code alone, under HTTP 200, and the status alone, without a body or Retry-After.
  auto in_200 = graphql(200, rate_limited("15m"), {{"retry-after", "7"}});
  CHECK(in_200.code() == bo::errc::rate_limited);
  CHECK(in_200.error().retry_after == std::chrono::seconds(7));
  auto bare = graphql(429, "");
  CHECK(bare.code() == bo::errc::rate_limited);
  CHECK(!bare.error().retry_after);
  CHECK(bare.error().retry_after_date.empty());
  CHECK(bare.error().rate_limit_window.empty());
  // A 429 outranks the code the body gives.
  CHECK(graphql(429, refusal("FORBIDDEN")).code() == bo::errc::rate_limited);
}

TEST_CASE("graphql: Retry-After is read by the one rule: seconds, an IMF-fixdate, nothing else") {
  auto date = graphql(429, rate_limited("24h"), {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}});
  CHECK(date.code() == bo::errc::rate_limited);
  CHECK(!date.error().retry_after);
  CHECK(date.error().retry_after_date == "Sun, 06 Nov 1994 08:49:37 GMT");
  for (std::string_view bad :
       {"-1", "1e3", "12345678901234567890", "+5", "", " 5", "Sunday, 06-Nov-94 08:49:37 GMT"}) {
    CAPTURE(bad);
    auto r = graphql(429, rate_limited("15m"), {{"Retry-After", std::string(bad)}});
    CHECK(r.code() == bo::errc::rate_limited);
    CHECK(!r.error().retry_after);
    CHECK(r.error().retry_after_date.empty());
  }
  // Retry-After is a rate limit's hint only.
  CHECK(!graphql(200, refusal("FORBIDDEN"), {{"Retry-After", "5"}}).error().retry_after);
}

TEST_CASE("graphql: errors, when present, must be a non-empty list of error objects") {
  auto empty = graphql(200, R"({"data":{"a":1},"errors":[]})");
  CHECK(empty.code() == bo::errc::invalid_member_type);
  CHECK(empty.error().message.find("empty") != std::string::npos);
  CHECK(graphql(200, R"({"errors":{"message":"x"}})").code() == bo::errc::invalid_member_type);
  CHECK(graphql(200, R"({"errors":"denied"})").code() == bo::errc::invalid_member_type);
  CHECK(graphql(200, R"({"errors":null})").code() == bo::errc::invalid_member_type);
  CHECK(graphql(200, R"({"errors":["denied"]})").code() == bo::errc::invalid_member_type);
  // Every element is checked, not only the first.
  CHECK(graphql(200, R"({"errors":[{"message":"a"},7]})").code() == bo::errc::invalid_member_type);
  CHECK(graphql(200, R"({"errors":[{"message":5}]})").code() == bo::errc::invalid_member_type);
  CHECK(graphql(200, R"({"errors":[{"extensions":{"code":"FORBIDDEN"}}]})").code() ==
        bo::errc::missing_member);
  CHECK(graphql(200, R"({"errors":[{"message":"a","extensions":"FORBIDDEN"}]})").code() ==
        bo::errc::invalid_member_type);
  auto numeric = graphql(200, R"({"errors":[{"message":"a","extensions":{"code":1001}}]})");
  CHECK(numeric.code() == bo::errc::invalid_member_type);
  CHECK(numeric.error().message.find("code") != std::string::npos);
  CHECK(graphql(200, R"({"errors":[{"message":"a","extensions":{"code":["UNAUTHORIZED"]}}]})").code() ==
        bo::errc::invalid_member_type);
  CHECK(graphql(429, R"({"errors":[{"message":"a","extensions":{"window":15}}]})").code() ==
        bo::errc::invalid_member_type);
}

TEST_CASE("graphql: code and window are checked against their character sets") {
  CHECK(graphql(200, refusal("")).code() == bo::errc::malformed_error);
  CHECK(graphql(200, refusal("NOT FOUND")).code() == bo::errc::malformed_error);
  CHECK(graphql(200, refusal(R"(A\nB)")).code() == bo::errc::malformed_error);
  CHECK(graphql(200, refusal("caf\u00e9")).code() == bo::errc::malformed_error);
  bo::limits small;
  small.max_value = 8;
  CHECK(bo::check_api_response(bo::provider::buffer(), response(200, refusal("FORBIDDEN_TOO_LONG")), small)
            .code() == bo::errc::malformed_error);
  CHECK(graphql(429, rate_limited("15 m")).code() == bo::errc::malformed_error);
  CHECK(graphql(429, rate_limited("1234567890123456")).code() == bo::errc::malformed_error);
  CHECK(graphql(429, rate_limited("123456789012345")).error().rate_limit_window == "123456789012345");
  // An escaped code is compared decoded.
  CHECK(graphql(200, refusal(R"(UNAUTHORIZE\u0044)")).code() == bo::errc::token_rejected);
}

TEST_CASE("graphql: duplicate members are refused at every level read") {
  CHECK(graphql(200, R"({"errors":[{"message":"a"}],"errors":[{"message":"b"}]})").code() ==
        bo::errc::duplicate_member);
  CHECK(graphql(200, R"({"data":{},"data":{}})").code() == bo::errc::duplicate_member);
  CHECK(graphql(200, R"({"errors":[{"message":"a","message":"b"}]})").code() == bo::errc::duplicate_member);
  CHECK(
      graphql(200, R"({"errors":[{"message":"a","extensions":{"code":"FORBIDDEN","code":"UNAUTHORIZED"}}]})")
          .code() == bo::errc::duplicate_member);
  // Escaped names are the same names.
  CHECK(graphql(200, R"({"errors":[{"message":"a"}],"\u0065rrors":[{"message":"b"}]})").code() ==
        bo::errc::duplicate_member);
}

TEST_CASE("graphql: data and errors together is the error (no partial success)") {
  auto r = graphql(
      200, R"({"data":{"account":{"id":"1"}},"errors":[{"message":"x","extensions":{"code":"NOT_FOUND"}}]})");
  CHECK(r.code() == bo::errc::api_error);
  CHECK(r.error().api_error_code == "NOT_FOUND");
}

TEST_CASE("graphql: a 2xx answer must be an object with data or errors") {
  CHECK(graphql(200, "").code() == bo::errc::empty_body);
  CHECK(graphql(200, "<html>ok</html>").code() == bo::errc::not_json);
  CHECK(graphql(200, "[]").code() == bo::errc::not_an_object);
  CHECK(graphql(200, "{}").code() == bo::errc::missing_member);
  CHECK(graphql(200, R"({"data":null})").code() == bo::errc::missing_member);
  CHECK(graphql(200, R"({"data":[1]})").code() == bo::errc::invalid_member_type);
  CHECK(graphql(200, R"({"data":{})").code() == bo::errc::malformed_json);
  CHECK(graphql(204, "").code() == bo::errc::empty_body);
}

TEST_CASE("graphql: other statuses are http_error, unless a body says more") {
  CHECK(graphql(502, "<html><body>502 Bad Gateway</body></html>").code() == bo::errc::http_error);
  CHECK(graphql(500, R"({"message":"oops"})").code() == bo::errc::http_error);
  auto coded = graphql(500, refusal("UNEXPECTED"));
  CHECK(coded.code() == bo::errc::api_error);
  CHECK(coded.error().api_error_code == "UNEXPECTED");
  // A body that opens an object is read at any status, and a broken one is reported.
  CHECK(graphql(500, R"({"errors":[)").code() == bo::errc::malformed_json);
}

TEST_CASE("graphql: the API's message is provider text: control characters leave it out") {
  for (std::string_view message : {R"(line\nforged)", R"(bell\u0007)", R"(csi\u009b)", "\x7f"}) {
    CAPTURE(message);
    auto r = graphql(200, R"({"errors":[{"message":")" + std::string(message) +
                              R"(","extensions":{"code":"FORBIDDEN"}}]})");
    CHECK(r.code() == bo::errc::api_error);  // the code still decides
    CHECK(r.error().from_provider.error_description.empty());
    CHECK(r.error().message.find("left out") != std::string::npos);
  }
  CHECK(graphql(200, R"({"errors":[{"message":"caf\u00e9 \"quoted\""}]})")
            .error()
            .from_provider.error_description == "caf\xc3\xa9 \"quoted\"");
}

TEST_CASE("graphql: no secret reaches the message or the kept provider text") {
  const std::string token(kToken);
  auto echoed = graphql(200, R"({"errors":[{"message":"token )" + token +
                                 R"( is invalid","extensions":{"code":"UNAUTHORIZED"}}]})");
  CHECK(echoed.code() == bo::errc::token_rejected);
  CHECK(echoed.error().from_provider.error_description.find("8c3f0e7a9b2d4c6e") == std::string::npos);
  CHECK(echoed.error().from_provider.error_description.find("[redacted") != std::string::npos);
  CHECK(echoed.error().body.find("8c3f0e7a9b2d4c6e") == std::string::npos);
  const std::string secret_code = "8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60";
  auto coded = graphql(200, refusal(secret_code));
  CHECK(coded.error().message.find(secret_code) == std::string::npos);
  // A kept message is at most 2 KiB, however long the body's.
  auto long_message = graphql(200, R"({"errors":[{"message":")" + std::string(100000, 'a') + " " +
                                       std::string(100000, 'b') + R"("}]})");
  CHECK(long_message.code() == bo::errc::api_error);
  CHECK(long_message.error().from_provider.error_description.size() < 2200);
}

TEST_CASE("graphql: huge and deep bodies") {
  // A 2xx body is read whole, past max_body, as the caller already holds it.
  std::string many = R"({"errors":[)";
  for (int i = 0; i < 20000; ++i) many += R"({"message":"m","extensions":{"code":"FORBIDDEN"}},)";
  many += R"({"message":"last"}]})";
  REQUIRE(many.size() > bo::limits{}.max_body);
  auto r = graphql(200, many);
  CHECK(r.code() == bo::errc::api_error);
  CHECK(r.error().api_error_code == "FORBIDDEN");
  CHECK(r.error().body.size() < 2200);
  std::string bad_last = many;
  bad_last.replace(bad_last.rfind(R"({"message":"last"})"), 18, "[]");
  CHECK(graphql(200, bad_last).code() == bo::errc::invalid_member_type);
  std::string big_data = R"({"data":{"posts":[)" + std::string(200000, ' ') + "1]}}";
  CHECK(graphql(200, big_data));
  // Depth stays bounded by limits::max_json_depth.
  std::string deep = R"({"data":)" + std::string(100, '[') + std::string(100, ']') + "}";
  CHECK(graphql(200, deep).code() == bo::errc::depth_exceeded);
  std::string deep_ext = R"({"errors":[{"message":"a","extensions":{"code":"FORBIDDEN","more":)" +
                         std::string(70, '[') + std::string(70, ']') + "}}]}";
  CHECK(graphql(200, deep_ext).code() == bo::errc::depth_exceeded);
}

TEST_CASE("graphql: the legacy and generic providers keep the v1 reading") {
  for (const bo::provider& p : {bo::provider::buffer_legacy(), generic()}) {
    CAPTURE(p.name);
    for (const auto& r :
         {response(200, R"({"id":"1"})"), response(204, ""), response(401, ""),
          response(403, R"({"success":false,"code":1001,"error":"Access token required."})"),
          response(200, refusal("UNAUTHORIZED")), response(429, rate_limited("15m"), {{"Retry-After", "5"}}),
          response(502, "<html></html>"), response(200, "{")}) {
      auto with_provider = bo::check_api_response(p, r);
      auto v1 = bo::check_api_response(r);
      CHECK(with_provider.code() == v1.code());
      if (!v1) {
        CHECK(with_provider.error().message == v1.error().message);
        CHECK(with_provider.error().api_code == v1.error().api_code);
        CHECK(with_provider.error().api_error_code.empty());
      }
    }
  }
  // The v1 reading takes a GraphQL refusal under 200 for success: the provider's format matters.
  CHECK(bo::check_api_response(bo::provider::buffer_legacy(), response(200, refusal("UNAUTHORIZED"))));
}
