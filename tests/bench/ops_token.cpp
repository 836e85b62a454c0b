// Token body: parse and extract access_token (plus token_type and expires_in
// where present). Every implementation starts from the same bytes and ends
// with the same three values.
#include "ops.hpp"

#include <buffer_oauth.hpp>

#include <rapidjson/document.h>
#include <simdjson.h>
#include <nlohmann/json.hpp>

namespace bench {
namespace {

namespace bo = buffer_oauth;

void keep(capture* cap, std::string_view a, std::string_view b, std::int64_t n) {
  if (cap == nullptr) return;
  cap->a.assign(a);
  cap->b.assign(b);
  cap->n = n;
}

std::size_t sum(std::string_view a, std::string_view b, std::int64_t n) {
  return a.size() + b.size() + static_cast<std::size_t>(n);
}

template <const std::string_view* In>
struct fixture {
  static inline const bo::http_response response{200, {}, std::string(*In)};
  static inline const simdjson::padded_string padded{*In};
};

/// The public API: validates everything, returns an owning token.
template <const std::string_view* In>
std::size_t ours_parse_token_response(capture* cap) {
  auto t = bo::parse_token_response(buffer_provider(), fixture<In>::response);
  if (!t) return 0;
  const std::int64_t n = t->expires_in.value_or(-1);
  keep(cap, t->access_token, t->token_type, n);
  return sum(t->access_token, t->token_type, n);
}

/// The bare reader: one validating pass, views of the three members; a
/// string is decoded (allocated) only if it holds escapes.
template <const std::string_view* In>
std::size_t ours_json_read(capture* cap) {
  namespace d = bo::detail;
  d::json_slot slots[3] = {{"access_token", {}, 0}, {"token_type", {}, 0}, {"expires_in", {}, 0}};
  static const bo::limits lim{};
  auto top = d::json_read(opaque(*In), slots, 3, lim);
  if (!top || *top != d::json_type::object) return 0;
  for (const auto& s : slots)
    if (s.count > 1) return 0;
  const d::json_value& at = slots[0].value;
  if (at.type != d::json_type::string) return 0;
  std::string at_owned, tt_owned;
  std::string_view access_token = at.raw;
  if (at.escaped) access_token = at_owned = d::json_unescape(at.raw);
  std::string_view token_type;
  const d::json_value& tt = slots[1].value;
  if (tt.type == d::json_type::string) {
    token_type = tt.raw;
    if (tt.escaped) token_type = tt_owned = d::json_unescape(tt.raw);
  }
  std::int64_t n = -1;
  if (slots[2].value.type == d::json_type::number && !d::parse_seconds(slots[2].value.raw, n)) return 0;
  keep(cap, access_token, token_type, n);
  return sum(access_token, token_type, n);
}

template <const std::string_view* In>
std::size_t nlohmann_json(capture* cap) {
  const std::string_view body = opaque(*In);
  const auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return 0;
  const auto at = j.find("access_token");
  if (at == j.end() || !at->is_string()) return 0;
  const std::string& access_token = at->get_ref<const std::string&>();
  std::string_view token_type;
  if (const auto tt = j.find("token_type"); tt != j.end() && tt->is_string())
    token_type = tt->get_ref<const std::string&>();
  std::int64_t n = -1;
  if (const auto ex = j.find("expires_in"); ex != j.end() && ex->is_number_integer())
    n = ex->get<std::int64_t>();
  keep(cap, access_token, token_type, n);
  return sum(access_token, token_type, n);
}

simdjson::ondemand::parser& simdjson_parser() {
  static simdjson::ondemand::parser parser;  // reused, as simdjson recommends
  return parser;
}

/// On-demand, one pass over the fields (members come in any order).
std::size_t simdjson_extract(const simdjson::padded_string_view& json, capture* cap) {
  simdjson::ondemand::document doc;
  if (simdjson_parser().iterate(json).get(doc) != simdjson::SUCCESS) return 0;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return 0;
  std::string_view access_token, token_type;
  bool have_token = false;
  std::int64_t n = -1;
  for (auto field : obj) {
    simdjson::ondemand::raw_json_string key;
    if (field.key().get(key) != simdjson::SUCCESS) return 0;
    if (key == "access_token") {
      if (field.value().get_string().get(access_token) != simdjson::SUCCESS) return 0;
      have_token = true;
    } else if (key == "token_type") {
      if (field.value().get_string().get(token_type) != simdjson::SUCCESS) return 0;
    } else if (key == "expires_in") {
      if (field.value().get_int64().get(n) != simdjson::SUCCESS) return 0;
    }
  }
  if (!have_token) return 0;
  keep(cap, access_token, token_type, n);
  return sum(access_token, token_type, n);
}

/// The input as it usually arrives (a std::string): copied into a
/// padded_string first, which simdjson needs.
template <const std::string_view* In>
std::size_t simdjson_with_copy(capture* cap) {
  const simdjson::padded_string padded(opaque(*In));
  return simdjson_extract(padded, cap);
}

/// Input already padded by the caller: no copy.
template <const std::string_view* In>
std::size_t simdjson_prepadded(capture* cap) {
  return simdjson_extract(fixture<In>::padded, cap);
}

template <const std::string_view* In>
std::size_t rapidjson_dom(capture* cap) {
  rapidjson::Document doc;
  const std::string_view body = opaque(*In);
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return 0;
  const auto at = doc.FindMember("access_token");
  if (at == doc.MemberEnd() || !at->value.IsString()) return 0;
  const std::string_view access_token(at->value.GetString(), at->value.GetStringLength());
  std::string_view token_type;
  if (const auto tt = doc.FindMember("token_type"); tt != doc.MemberEnd() && tt->value.IsString())
    token_type = std::string_view(tt->value.GetString(), tt->value.GetStringLength());
  std::int64_t n = -1;
  if (const auto ex = doc.FindMember("expires_in"); ex != doc.MemberEnd() && ex->value.IsInt64())
    n = ex->value.GetInt64();
  keep(cap, access_token, token_type, n);
  return sum(access_token, token_type, n);
}

template <const std::string_view* In>
void add_input(std::vector<op>& out, const char* name) {
  const std::string prefix = std::string("token/") + name;
  out.push_back({prefix + "/ours_parse_token_response", &ours_parse_token_response<In>});
  out.push_back({prefix + "/ours_json_read", &ours_json_read<In>});
  out.push_back({prefix + "/nlohmann", &nlohmann_json<In>});
  out.push_back({prefix + "/simdjson_with_copy", &simdjson_with_copy<In>});
  out.push_back({prefix + "/simdjson_prepadded", &simdjson_prepadded<In>});
  out.push_back({prefix + "/rapidjson", &rapidjson_dom<In>});
  add_floors<In>(out, prefix);
}

}  // namespace

void add_token_ops(std::vector<op>& out) {
  add_input<&input::t15>(out, "t15");
  add_input<&input::t16>(out, "t16");
  add_input<&input::t17>(out, "t17");
  add_input<&input::t250>(out, "t250");
}

}  // namespace bench
