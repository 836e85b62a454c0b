// Nested JSON values: json_elements, json_read_object, json_string_array and
// json_string_array_contains. No public function reads nested values yet, so
// these tests call the detail pieces directly (white box).
//
// Every document is first accepted by json_read, as the pieces require, and
// lives in a heap block of exactly its size, so that a read past its end is
// a heap-buffer-overflow under ASan.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace bo = buffer_oauth;
namespace d = buffer_oauth::detail;

using namespace test_support;

namespace {

// A document json_read accepted, with its top-level member `name`.
class document {
 public:
  document(std::string_view text, std::string_view name) : copy_(text) {
    slot_.name = name;
    const auto read = d::json_read(copy_.view(), &slot_, 1, bo::limits{});
    REQUIRE(read.has_value());
    REQUIRE(slot_.count == 1);
  }
  const d::json_value& member() const { return slot_.value; }

 private:
  exact_copy copy_;
  d::json_slot slot_;
};

struct element {
  d::json_type type;
  std::string raw;
  bool escaped;
};

std::vector<element> elements_of(const d::json_value& v) {
  std::vector<element> out;
  d::json_elements it(v);
  d::json_value e;
  while (it.next(e)) out.push_back({e.type, std::string(e.raw), e.escaped});
  return out;
}

std::vector<element> elements_of(std::string_view array_text) {
  const document doc(std::string("{\"a\":") + std::string(array_text) + "}", "a");
  return elements_of(doc.member());
}

bool operator==(const element& a, const element& b) {
  return a.type == b.type && a.raw == b.raw && a.escaped == b.escaped;
}

using T = d::json_type;

// The values of `names` inside the object member "o" of `text`.
struct object_reading {
  document doc;
  std::vector<d::json_slot> slots;
  object_reading(std::string_view text, std::initializer_list<std::string_view> names) : doc(text, "o") {
    for (auto n : names) slots.push_back(d::json_slot{n, {}, 0});
    d::json_read_object(doc.member(), slots.data(), slots.size());
  }
  bo::result<d::json_value> operator[](std::string_view name) const {
    return d::json_member(slots.data(), slots.size(), name);
  }
};

}  // namespace

TEST_CASE("json_elements: an empty array, in any spacing, has no elements") {
  CHECK(elements_of("[]").empty());
  CHECK(elements_of("[ \t\r\n ]").empty());
}

TEST_CASE("json_elements: one element of each type") {
  CHECK(elements_of("[\"S256\"]") == std::vector<element>{{T::string, "S256", false}});
  CHECK(elements_of("[\"\"]") == std::vector<element>{{T::string, "", false}});
  CHECK(elements_of("[-1.5e+3]") == std::vector<element>{{T::number, "-1.5e+3", false}});
  CHECK(elements_of("[true]") == std::vector<element>{{T::boolean, "true", false}});
  CHECK(elements_of("[false]") == std::vector<element>{{T::boolean, "false", false}});
  CHECK(elements_of("[null]") == std::vector<element>{{T::null, "null", false}});
  CHECK(elements_of("[{}]") == std::vector<element>{{T::object, "{}", false}});
  CHECK(elements_of("[[]]") == std::vector<element>{{T::array, "[]", false}});
}

TEST_CASE("json_elements: many elements, in order, with whitespace everywhere") {
  const std::vector<element> want = {
      {T::string, "a", false},
      {T::number, "0", false},
      {T::boolean, "true", false},
      {T::null, "null", false},
      {T::number, "12", false},
      {T::object, "{\"k\" : [1 , 2]}", false},
      {T::array, "[ [ ] , \"]\" ]", false},
      {T::string, "z", false},
  };
  CHECK(elements_of("[\"a\",0,true,null,12,{\"k\" : [1 , 2]},[ [ ] , \"]\" ],\"z\"]") == want);
  CHECK(elements_of(" [ \"a\" ,\n0\t,\rtrue , null,12 , {\"k\" : [1 , 2]} ,[ [ ] , \"]\" ] , \"z\" ] ") ==
        want);
}

TEST_CASE("json_elements: nested containers are one element each, brackets inside strings do not count") {
  CHECK(elements_of("[[1,[2,[3]]],{\"a\":{\"b\":[]}},\"[{\"]") ==
        std::vector<element>{{T::array, "[1,[2,[3]]]", false},
                             {T::object, "{\"a\":{\"b\":[]}}", false},
                             {T::string, "[{", false}});
  CHECK(elements_of("[{\"}\":\"]\\\"}\"},4]") ==
        std::vector<element>{{T::object, "{\"}\":\"]\\\"}\"}", false}, {T::number, "4", false}});
}

TEST_CASE("json_elements: an escaped string keeps its raw text and says it is escaped") {
  CHECK(elements_of("[\"a\\\"b\",\"\\\\\",\"\\u0053256\",\"plain\"]") ==
        std::vector<element>{{T::string, "a\\\"b", true},
                             {T::string, "\\\\", true},
                             {T::string, "\\u0053256", true},
                             {T::string, "plain", false}});
}

TEST_CASE("json_elements: a value that is no array or object yields nothing") {
  for (std::string_view text : {"{\"a\":\"[1]\"}", "{\"a\":1}", "{\"a\":null}", "{\"a\":true}"}) {
    CAPTURE(text);
    const document doc(text, "a");
    CHECK(elements_of(doc.member()).empty());
  }
  CHECK(elements_of(d::json_value{}).empty());
  // Views no validated document gives, not bracketed, each in a block of exactly its size.
  for (std::string_view raw : {"[", "]", "[1,2", "[\"ab\\", "[\"ab", "[{\"a\":[1", "1]", "[1}", ""}) {
    CAPTURE(raw);
    const exact_copy copy(raw);
    CHECK(elements_of(d::json_value{T::array, copy.view(), false}).empty());
    CHECK(elements_of(d::json_value{T::string, copy.view(), false}).empty());
  }
}

TEST_CASE("json_elements: a view cut inside a string or a container is never read past") {
  // Malformed inside, but bracketed: each element read stays within the block.
  for (std::string_view raw : {"[\"a\\]", "[[1,2]", "[{\"a\":\"]", "[\"\\\"]", "[1 2 ]"}) {
    CAPTURE(raw);
    const exact_copy copy(raw);
    const auto got = elements_of(d::json_value{T::array, copy.view(), false});
    for (const auto& e : got) CHECK(e.raw.size() <= raw.size() - 2);
  }
}

TEST_CASE("json_read_object: fills the object's own members, not those nested deeper") {
  const object_reading r(
      "{\"o\":{ \"code\" : \"UNAUTHORIZED\",\"inner\":{\"window\":\"1h\"}, \"window\":\"15m\" }}",
      {"code", "window", "missing"});
  REQUIRE(r["code"].has_value());
  CHECK(r["code"]->type == T::string);
  CHECK(r["code"]->raw == "UNAUTHORIZED");
  REQUIRE(r["window"].has_value());
  CHECK(r["window"]->raw == "15m");
  CHECK(r.slots[1].count == 1);
  REQUIRE(r["missing"].has_value());
  CHECK(r["missing"]->type == T::absent);
}

TEST_CASE("json_read_object: a repeated member is counted, and json_member refuses it") {
  const object_reading r("{\"o\":{\"code\":\"A\",\"x\":1,\"code\":\"B\"}}", {"code", "x"});
  CHECK(r.slots[0].count == 2);
  CHECK(r.slots[0].value.raw == "B");
  CHECK(r["code"].code() == bo::errc::duplicate_member);
  REQUIRE(r["x"].has_value());
  CHECK(r["x"]->raw == "1");
}

TEST_CASE("json_read_object: an escaped member name counts as the name it spells, as at the top level") {
  const object_reading r("{\"o\":{\"c\\u006fde\":\"A\",\"code\":\"B\",\"w\\/x\":true}}", {"code", "w/x"});
  CHECK(r["code"].code() == bo::errc::duplicate_member);
  REQUIRE(r["w/x"].has_value());
  CHECK(r["w/x"]->type == T::boolean);
  // The top level compares names the same way.
  d::json_slot top{"code", {}, 0};
  REQUIRE(d::json_read("{\"c\\u006fde\":1,\"code\":2}", &top, 1, bo::limits{}).has_value());
  CHECK(top.count == 2);
}

TEST_CASE("json_read_object: an empty object or a value that is no object fills nothing") {
  for (std::string_view text : {"{\"o\":{}}", "{\"o\":{ \n }}", "{\"o\":[\"code\",1]}", "{\"o\":\"code\"}"}) {
    CAPTURE(text);
    const object_reading r(text, {"code"});
    CHECK(r.slots[0].count == 0);
  }
  // Views no validated document gives, each in a block of exactly its size.
  for (std::string_view raw : {"{", "{\"code\"", "{\"code\":", "{\"code\"}", "{\"co\\", "{\"co\\}",
                               "{\"code\":}", "{\"c\\u00\":1}", "{\"c\\ud800\":1}"}) {
    CAPTURE(raw);
    const exact_copy copy(raw);
    d::json_slot slot{"code", {}, 0};
    d::json_read_object(d::json_value{T::object, copy.view(), false}, &slot, 1);
    CHECK(slot.count == 0);
  }
}

TEST_CASE("json_string_array: decoded strings in order, or a specific refusal") {
  const document doc("{\"a\":[\"S256\", \"pl\\u0061in\",\"\\\"q\\\"\"]}", "a");
  const auto got = d::json_string_array(doc.member(), 3, "a");
  REQUIRE(got.has_value());
  CHECK(*got == std::vector<std::string>{"S256", "plain", "\"q\""});

  const auto too_many = d::json_string_array(doc.member(), 2, "a");
  CHECK(too_many.code() == bo::errc::too_large);
  CHECK(too_many.error().message == "a is 3 elements; the limit is 2");

  const document empty("{\"a\":[]}", "a");
  REQUIRE(d::json_string_array(empty.member(), 0, "a").has_value());
  CHECK(d::json_string_array(empty.member(), 0, "a")->empty());

  for (std::string_view text : {"{\"a\":[\"x\",1]}", "{\"a\":[null]}", "{\"a\":[[\"x\"]]}", "{\"a\":[{}]}",
                                "{\"a\":\"x\"}", "{\"a\":{\"x\":\"y\"}}"}) {
    CAPTURE(text);
    const document bad(text, "a");
    const auto refused = d::json_string_array(bad.member(), 8, "a");
    CHECK(refused.code() == bo::errc::invalid_member_type);
    CHECK(d::json_string_array_contains(bad.member(), 8, "a", "x").code() == bo::errc::invalid_member_type);
  }
}

TEST_CASE("json_string_array_contains: compares decoded strings") {
  const document doc("{\"code_challenge_methods_supported\":[\"plain\",\"S\\u0032\\u00356\"]}",
                     "code_challenge_methods_supported");
  const auto& v = doc.member();
  CHECK(d::json_string_array_contains(v, 8, "code_challenge_methods_supported", "S256").value());
  CHECK(d::json_string_array_contains(v, 8, "code_challenge_methods_supported", "plain").value());
  CHECK_FALSE(d::json_string_array_contains(v, 8, "code_challenge_methods_supported", "S2").value());
  CHECK_FALSE(
      d::json_string_array_contains(v, 8, "code_challenge_methods_supported", "S\\u0032\\u00356").value());
  CHECK(d::json_string_array_contains(v, 1, "code_challenge_methods_supported", "S256").code() ==
        bo::errc::too_large);
}

TEST_CASE("nested reading: server metadata lists its supported methods") {
  exact_copy copy(
      "{\"issuer\":\"https://auth.example\",\"code_challenge_methods_supported\":[\"S256\"],"
      "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\",\"none\"],"
      "\"scopes_supported\":[],\"grant_types_supported\":[\"authorization_code\",\"refresh_token\"]}");
  d::json_slot slots[] = {{"code_challenge_methods_supported", {}, 0},
                          {"token_endpoint_auth_methods_supported", {}, 0},
                          {"scopes_supported", {}, 0},
                          {"grant_types_supported", {}, 0}};
  REQUIRE(d::json_read(copy.view(), slots, 4, bo::limits{}).has_value());
  const std::size_t max = bo::limits{}.max_parameters;
  CHECK(d::json_string_array_contains(slots[0].value, max, slots[0].name, "S256").value());
  CHECK(d::json_string_array(slots[1].value, max, slots[1].name).value() ==
        std::vector<std::string>{"client_secret_basic", "none"});
  CHECK(d::json_string_array(slots[2].value, max, slots[2].name).value().empty());
  CHECK(d::json_string_array_contains(slots[3].value, max, slots[3].name, "refresh_token").value());
}

TEST_CASE("nested reading: a GraphQL answer's first error, its message and extensions") {
  exact_copy copy(
      "{\"data\":null,\"errors\":[{\"message\":\"Not authorized\",\"path\":[\"account\"],"
      "\"extensions\":{\"code\":\"UNAUTHORIZED\",\"window\":\"15m\"}},{\"message\":\"second\"}]}");
  d::json_slot top[] = {{"data", {}, 0}, {"errors", {}, 0}};
  REQUIRE(d::json_read(copy.view(), top, 2, bo::limits{}).has_value());
  CHECK(top[0].value.type == T::null);

  d::json_elements errors(top[1].value);
  d::json_value first;
  REQUIRE(errors.next(first));
  REQUIRE(first.type == T::object);
  d::json_slot error_members[] = {{"message", {}, 0}, {"extensions", {}, 0}};
  d::json_read_object(first, error_members, 2);
  CHECK(d::json_string(error_members[0].value) == "Not authorized");

  d::json_slot extensions[] = {{"code", {}, 0}, {"window", {}, 0}};
  d::json_read_object(error_members[1].value, extensions, 2);
  CHECK(d::json_string(extensions[0].value) == "UNAUTHORIZED");
  CHECK(d::json_string(extensions[1].value) == "15m");

  d::json_value second;
  REQUIRE(errors.next(second));
  CHECK(second.raw == "{\"message\":\"second\"}");
  CHECK_FALSE(errors.next(second));

  const document no_errors("{\"data\":{},\"errors\":[]}", "errors");
  d::json_value none;
  CHECK_FALSE(d::json_elements(no_errors.member()).next(none));
}

TEST_CASE("nested reading: a client registration response's redirect URIs") {
  const document doc(
      "{\"client_id\":\"s6BhdRkqt3\",\"redirect_uris\":[\"https://client.example/cb\","
      "\"https:\\/\\/client.example\\/cb2\"],\"token_endpoint_auth_method\":\"none\"}",
      "redirect_uris");
  CHECK(d::json_string_array(doc.member(), bo::limits{}.max_parameters, "redirect_uris").value() ==
        std::vector<std::string>{"https://client.example/cb", "https://client.example/cb2"});
}

TEST_CASE("json_read_object: an escaped member name of any length is found") {
  const std::string name = std::string(300, 'k') + "\n" + std::string(40, 'z');
  const std::string text = "{\"o\":{\"" + std::string(300, 'k') + "\\n" + std::string(40, 'z') + "\":7}}";
  const object_reading r(text, {name});
  REQUIRE(r.slots[0].count == 1);
  CHECK(r.slots[0].value.raw == "7");
}
