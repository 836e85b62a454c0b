// Section 1 (Errors) and section 2 (Text) of buffer_oauth.hpp: the errc
// table, result<T>, percent coding, form iteration, UTF-8 and URL splitting.
// Encoding and decoding are checked through the requests and redirects that
// use them; the pieces no public function exposes on their own are tested
// directly, each with a note on why.
#include <buffer_oauth.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <csignal>
#include <cstddef>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace bo = buffer_oauth;
namespace bd = buffer_oauth::detail;

using namespace test_support;

namespace {

struct errc_row {
  bo::errc code;
  unsigned number;
  bo::errc_category category;
  std::string_view name;
};

// The published codes, written down apart from the header's list. Numbers
// are part of the API: this list may only grow, and a number never changes.
#define BO_ERRC_ROW(id, number, kind) \
  errc_row { bo::errc::id, number, bo::errc_category::kind, #id }
const errc_row published_errcs[] = {
    BO_ERRC_ROW(ok, 0, none),
    BO_ERRC_ROW(invalid_client_id, 100, caller_misuse),
    BO_ERRC_ROW(invalid_redirect_uri, 101, caller_misuse),
    BO_ERRC_ROW(invalid_endpoint, 102, caller_misuse),
    BO_ERRC_ROW(invalid_character, 103, malformed_input),
    BO_ERRC_ROW(insufficient_entropy, 104, caller_misuse),
    BO_ERRC_ROW(invalid_code_verifier, 105, caller_misuse),
    BO_ERRC_ROW(out_of_order, 106, caller_misuse),
    BO_ERRC_ROW(state_already_used, 108, security_check),
    BO_ERRC_ROW(code_already_used, 109, caller_misuse),
    BO_ERRC_ROW(clock_regressed, 110, caller_misuse),
    BO_ERRC_ROW(invalid_argument, 111, caller_misuse),
    BO_ERRC_ROW(entropy_reused, 112, caller_misuse),
    BO_ERRC_ROW(csrf_protection_missing, 113, caller_misuse),
    BO_ERRC_ROW(client_secret_required, 114, caller_misuse),
    BO_ERRC_ROW(pkce_required, 115, caller_misuse),
    BO_ERRC_ROW(stale_ticket, 116, caller_misuse),
    BO_ERRC_ROW(invalid_url, 200, malformed_input),
    BO_ERRC_ROW(bad_percent_encoding, 201, malformed_input),
    BO_ERRC_ROW(invalid_utf8, 202, malformed_input),
    BO_ERRC_ROW(malformed_json, 203, malformed_input),
    BO_ERRC_ROW(invalid_surrogate, 204, malformed_input),
    BO_ERRC_ROW(depth_exceeded, 205, limit),
    BO_ERRC_ROW(empty_body, 206, malformed_input),
    BO_ERRC_ROW(not_json, 207, malformed_input),
    BO_ERRC_ROW(not_an_object, 208, malformed_input),
    BO_ERRC_ROW(duplicate_member, 209, malformed_input),
    BO_ERRC_ROW(invalid_member_type, 210, malformed_input),
    BO_ERRC_ROW(missing_access_token, 211, malformed_input),
    BO_ERRC_ROW(missing_token_type, 212, malformed_input),
    BO_ERRC_ROW(unsupported_token_type, 213, malformed_input),
    BO_ERRC_ROW(invalid_expires_in, 214, malformed_input),
    BO_ERRC_ROW(invalid_token_syntax, 215, malformed_input),
    BO_ERRC_ROW(malformed_error, 216, malformed_input),
    BO_ERRC_ROW(ambiguous_response, 217, malformed_input),
    BO_ERRC_ROW(missing_code, 218, malformed_input),
    BO_ERRC_ROW(invalid_header_value, 219, malformed_input),
    BO_ERRC_ROW(malformed_challenge, 220, malformed_input),
    BO_ERRC_ROW(corrupt_flow, 221, malformed_input),
    BO_ERRC_ROW(unsupported_flow_version, 222, malformed_input),
    BO_ERRC_ROW(missing_member, 223, malformed_input),
    BO_ERRC_ROW(corrupt_credentials, 224, malformed_input),
    BO_ERRC_ROW(unsupported_credentials, 225, malformed_input),
    BO_ERRC_ROW(insecure_url, 300, security_check),
    BO_ERRC_ROW(redirect_uri_mismatch, 301, security_check),
    BO_ERRC_ROW(state_missing, 302, security_check),
    BO_ERRC_ROW(state_mismatch, 303, security_check),
    BO_ERRC_ROW(duplicate_parameter, 304, security_check),
    BO_ERRC_ROW(iss_missing, 305, security_check),
    BO_ERRC_ROW(iss_mismatch, 306, security_check),
    BO_ERRC_ROW(iss_unexpected, 307, security_check),
    BO_ERRC_ROW(token_origin_mismatch, 308, security_check),
    BO_ERRC_ROW(token_already_present, 309, security_check),
    BO_ERRC_ROW(query_token_disallowed, 310, security_check),
    BO_ERRC_ROW(form_body_not_allowed, 311, security_check),
    BO_ERRC_ROW(code_expired, 312, security_check),
    BO_ERRC_ROW(tampered_flow, 313, security_check),
    BO_ERRC_ROW(provider_mismatch, 314, security_check),
    BO_ERRC_ROW(flow_expired, 315, security_check),
    BO_ERRC_ROW(flow_replayed, 316, security_check),
    BO_ERRC_ROW(metadata_issuer_mismatch, 317, security_check),
    BO_ERRC_ROW(authorization_denied, 400, provider_refused),
    BO_ERRC_ROW(authorization_error, 401, provider_refused),
    BO_ERRC_ROW(token_error, 402, provider_refused),
    BO_ERRC_ROW(api_error, 403, provider_refused),
    BO_ERRC_ROW(token_rejected, 404, provider_refused),
    BO_ERRC_ROW(http_error, 405, provider_refused),
    BO_ERRC_ROW(deauthorize_failed, 406, provider_refused),
    BO_ERRC_ROW(rate_limited, 407, provider_refused),
    BO_ERRC_ROW(pkce_not_supported, 408, provider_refused),
    BO_ERRC_ROW(client_auth_unsupported, 409, provider_refused),
    BO_ERRC_ROW(registration_refused, 410, provider_refused),
    BO_ERRC_ROW(reauthorization_required, 411, provider_refused),
    BO_ERRC_ROW(rotation_lost, 412, provider_refused),
    BO_ERRC_ROW(too_large, 500, limit),
    BO_ERRC_ROW(random_unavailable, 501, transport),
    BO_ERRC_ROW(transport_error, 502, transport),
};
#undef BO_ERRC_ROW

std::string bytes_of(const std::vector<unsigned>& v) {
  std::string s;
  for (unsigned b : v) s += static_cast<char>(static_cast<unsigned char>(b));
  return s;
}

// What follows `marker` in `text` up to the next '&', or "<absent>".
std::string value_after(const std::string& text, std::string_view marker) {
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) return "<absent>";
  const std::string rest = text.substr(at + marker.size());
  return rest.substr(0, rest.find('&'));
}

// `state` as build_authorize_url writes it (RFC 3986: unreserved stays, space
// is %20), or "<errc name>" when the state is refused.
std::string uri_encoded(std::string_view state) {
  bo::authorize_params a;
  a.state = state;
  auto url = bo::build_authorize_url(bo::provider::buffer_legacy(), buffer_client(), a);
  if (!url) return "<" + std::string(bo::to_string(url.code())) + ">";
  return value_after(*url, "&state=");
}

// A client secret as build_token_request writes it into Buffer's form body
// (RFC 6749 Appendix B: unreserved stays, space is '+').
std::string form_encoded(std::string_view secret) {
  bo::client c = buffer_client();
  c.secret = std::string(secret);
  auto req = bo::build_token_request(bo::provider::buffer_legacy(), c, "abc");
  REQUIRE(req);
  return value_after(req->body, "&client_secret=");
}

// A code as build_token_request writes it for Buffer (unreserved and '/'
// stay), or "<errc name>" when the code is refused.
std::string code_encoded(std::string_view code) {
  auto req = bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), code);
  if (!req) return "<" + std::string(bo::to_string(req.code())) + ">";
  return value_after(req->body, "&code=");
}

// Whether parse_redirect accepts a redirect whose state is `raw` (as it comes,
// encoded) against the state `sent`: the state is decoded, then compared.
bool state_decodes_to(std::string_view raw, std::string_view sent) {
  bo::expected_redirect e;
  e.state = sent;
  return static_cast<bool>(bo::parse_redirect(ru("code=abc&state=" + std::string(raw)),
                                              bo::provider::buffer_legacy(), buffer_client(), e));
}

// The code parse_redirect returns for a redirect carrying `raw` as its code.
std::string redirect_code(std::string_view raw) {
  bo::expected_redirect e;
  e.state = "xyz";
  auto code = bo::parse_redirect(ru("code=" + std::string(raw) + "&state=xyz"), bo::provider::buffer_legacy(),
                                 buffer_client(), e);
  if (!code) return "<" + std::string(bo::to_string(code.code())) + ">";
  return *code;
}

// White-box helpers, each on an exact-size heap copy: every public entry point
// hands these pieces a std::string or a URL it built, whose terminating NUL or
// trailing text would hide a one-byte over-read from ASan.

// Every byte percent_decoder yields, and whether it stopped on a bad escape
// (white-box also because the '+'-is-literal mode and the bytes before a bad
// escape show in no public result).
struct decoded {
  std::string bytes;
  bool bad = false;
};

decoded decode_all(std::string_view raw, bool plus_is_space) {
  const exact_copy copy(raw);
  bd::percent_decoder d(copy.view(), plus_is_space);
  decoded out;
  unsigned char c = 0;
  while (d.next(c)) out.bytes += static_cast<char>(c);
  out.bad = d.bad();
  return out;
}

bo::errc check_component(std::string_view raw) {
  const exact_copy copy(raw);
  return bd::check_form_component(copy.view());
}

std::vector<std::pair<std::string, std::string>> pairs_of(std::string_view s) {
  const exact_copy copy(s);
  bd::form_reader reader(copy.view());
  bd::form_pair p;
  std::vector<std::pair<std::string, std::string>> out;
  while (reader.next(p)) out.emplace_back(std::string(p.name), std::string(p.value));
  return out;
}

bool valid_utf8(std::string_view s) {
  const exact_copy copy(s);
  return bd::is_valid_utf8(copy.view());
}

// White-box: no public function returns the parts of a URL.
bo::result<bd::url_parts> split(std::string_view url, bo::errc bad = bo::errc::invalid_redirect_uri,
                                std::size_t max = 8192) {
  return bd::split_url(url, bad, max);
}

bo::errc split_code(std::string_view url, bo::errc bad = bo::errc::invalid_redirect_uri) {
  const exact_copy copy(url);
  auto r = bd::split_url(copy.view(), bad, 8192);
  return r ? bo::errc::ok : r.code();
}

bool loopback(std::string_view host) {
  const exact_copy copy(host);
  return bd::is_loopback_ip(copy.view());
}

bool equals_name(std::string_view raw, std::string_view name) {
  const exact_copy copy(raw);
  return bd::form_component_equals(copy.view(), name);
}

// Whether attach_token takes `s` as a token; it refuses one outside b64token.
bool b64token(std::string_view s) {
  const exact_copy copy(s);
  auto r = bo::attach_token(bo::provider::buffer_legacy(), get("https://api.bufferapp.com/1/user.json"),
                            copy.view());
  if (!r) CHECK(r.code() == bo::errc::invalid_token_syntax);
  return static_cast<bool>(r);
}

// White-box: the origin rule is tested apart from each URL check that uses it.
bool same_origin(std::string_view a, std::string_view b) {
  auto pa = split(a, bo::errc::invalid_url);
  auto pb = split(b, bo::errc::invalid_url);
  REQUIRE(pa);
  REQUIRE(pb);
  return bd::same_origin(*pa, *pb);
}

}  // namespace

// ============================================================================
// 1. Errors
// ============================================================================

TEST_CASE("every errc keeps its published number and a name equal to its enumerator") {
  for (const auto& row : published_errcs) {
    CAPTURE(row.name);
    CHECK(static_cast<unsigned>(row.code) == row.number);
    CHECK(bo::to_string(row.code) == row.name);
  }
}

TEST_CASE("the errc names cover exactly the published codes") {
  // Every number an errc can hold: a published one has its own name, message
  // and category; any other is unknown.
  std::set<std::string_view> names;
  for (unsigned v = 0; v <= 0xFFFF; ++v) {
    const errc_row* row = nullptr;
    for (const auto& p : published_errcs)
      if (p.number == v) row = &p;
    const auto code = static_cast<bo::errc>(v);
    if (row == nullptr) {
      if (bo::to_string(code) != "unknown") {
        CAPTURE(v);
        CHECK(bo::to_string(code) == "unknown");
      }
      continue;
    }
    CAPTURE(row->name);
    CHECK(bo::to_string(code) == row->name);
    CHECK(names.insert(bo::to_string(code)).second);
  }
  CHECK(names.size() == sizeof(published_errcs) / sizeof(published_errcs[0]));
}

TEST_CASE("errc numbers are 0 for ok, then 100 to 599") {
  for (const auto& row : published_errcs) {
    CAPTURE(row.name);
    if (row.code == bo::errc::ok) {
      CHECK(row.number == 0);
    } else {
      CHECK(row.number >= 100);
      CHECK(row.number < 600);
    }
  }
}

// The category, not the hundreds digit, is authoritative: a code that moved
// to another category kept its number.
TEST_CASE("every errc has the category the published list gives it") {
  for (const auto& row : published_errcs) {
    CAPTURE(row.name);
    CHECK(bo::category(row.code) == row.category);
    CHECK((row.category == bo::errc_category::none) == (row.code == bo::errc::ok));
  }
  CHECK(bo::category(bo::errc::state_already_used) == bo::errc_category::security_check);  // 1xx
  CHECK(bo::category(bo::errc::invalid_character) == bo::errc_category::malformed_input);  // 1xx
  CHECK(bo::category(bo::errc::depth_exceeded) == bo::errc_category::limit);               // 2xx
  CHECK(bo::category(bo::errc::random_unavailable) == bo::errc_category::transport);       // 5xx
}

TEST_CASE("every errc category has a snake_case name of its own") {
  const bo::errc_category all[] = {bo::errc_category::none,
                                   bo::errc_category::caller_misuse,
                                   bo::errc_category::malformed_input,
                                   bo::errc_category::security_check,
                                   bo::errc_category::provider_refused,
                                   bo::errc_category::limit,
                                   bo::errc_category::transport};
  std::set<std::string_view> names;
  for (const auto c : all) {
    const std::string_view name = bo::to_string(c);
    CAPTURE(name);
    CHECK(name != "unknown");
    CHECK(names.insert(name).second);
  }
  CHECK(bo::to_string(bo::errc_category::malformed_input) == "malformed_input");
  CHECK(bo::to_string(static_cast<bo::errc_category>(7)) == "unknown");
  CHECK(bo::to_string(static_cast<bo::errc_category>(255)) == "unknown");
}

TEST_CASE("every errc has a snake_case name and a non-empty message of its own") {
  std::set<std::string_view> messages;
  for (const auto& row : published_errcs) {
    CAPTURE(row.name);
    const std::string_view name = bo::to_string(row.code);
    const std::string_view text = bo::message(row.code);
    REQUIRE(!name.empty());
    CHECK(!text.empty());
    CHECK(text != name);
    CHECK(text != "unknown error");
    CHECK(messages.insert(text).second);
    bool snake = name.front() != '_' && name.back() != '_';
    for (char ch : name)
      if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) snake = false;
    CHECK(snake);
  }
}

TEST_CASE("an errc value outside the table gets a placeholder name and message, category none") {
  for (unsigned v : {1u, 99u, 107u, 117u, 226u, 318u, 413u, 503u, 999u, 65535u}) {
    CAPTURE(v);
    const auto code = static_cast<bo::errc>(v);
    CHECK(bo::to_string(code) == "unknown");
    CHECK(bo::message(code) == "unknown error");
    CHECK(bo::category(code) == bo::errc_category::none);
  }
}

TEST_CASE("to_string, message and category are usable in constant expressions") {
  static_assert(bo::to_string(bo::errc::state_mismatch) == "state_mismatch");
  static_assert(bo::to_string(bo::errc::ok) == "ok");
  static_assert(bo::message(bo::errc::ok) == "success");
  static_assert(bo::to_string(static_cast<bo::errc>(7)) == "unknown");
  static_assert(bo::category(bo::errc::state_mismatch) == bo::errc_category::security_check);
  static_assert(bo::category(static_cast<bo::errc>(7)) == bo::errc_category::none);
  static_assert(bo::to_string(bo::errc_category::limit) == "limit");
  CHECK(bo::to_string(bo::errc::too_large) == "too_large");
}

TEST_CASE("an error names the field before the code's message, and only when there is one") {
  auto plain = bo::build_token_request(generic(), buffer_client(), "abc", "too-short-verifier");
  REQUIRE_FALSE(plain);
  CHECK(plain.code() == bo::errc::invalid_code_verifier);
  CHECK(plain.error().message == bo::message(bo::errc::invalid_code_verifier));
  CHECK(plain.error().http_status == 0);
  CHECK(plain.error().body.empty());
  CHECK(plain.error().api_code == 0);
  CHECK(plain.error().from_provider.error.empty());

  auto with_field = bo::make_state(std::string(3, 'x'));
  CHECK(with_field.code() == bo::errc::insufficient_entropy);
  CHECK(with_field.error().message == "state: " + std::string(bo::message(bo::errc::insufficient_entropy)));
}

TEST_CASE("result<T> holding a value") {
  bo::result<std::string> r(std::string("1/abc"));
  CHECK(static_cast<bool>(r));
  CHECK(r.has_value());
  CHECK(r.code() == bo::errc::ok);
  CHECK(r.value() == "1/abc");
  CHECK(*r == "1/abc");
  CHECK(r->size() == 5);
  r->append("d");
  CHECK(r.value() == "1/abcd");
  CHECK(r.value_or("fallback") == "1/abcd");

  const bo::result<std::string>& cr = r;
  CHECK(cr.value() == "1/abcd");
  CHECK(*cr == "1/abcd");
  CHECK(cr->front() == '1');

  std::string moved = std::move(r).value();
  CHECK(moved == "1/abcd");
}

TEST_CASE("result<T> holding an error keeps the error and has no value") {
  bo::error e = bo::make_state("short").error();
  e.http_status = 400;
  bo::result<std::string> r(e);
  CHECK_FALSE(static_cast<bool>(r));
  CHECK_FALSE(r.has_value());
  CHECK(r.code() == bo::errc::insufficient_entropy);
  CHECK(r.error().message == e.message);
  CHECK(r.error().http_status == 400);
  CHECK(r.value_or("fallback") == "fallback");
  CHECK(std::move(r).value_or(std::string("moved fallback")) == "moved fallback");

  const bo::result<int> i(bo::make_state(std::string(300, 'x')).error());
  CHECK_FALSE(i);
  CHECK(i.code() == bo::errc::too_large);
  CHECK(i.value_or(7) == 7);
}

namespace {
struct no_default {
  explicit no_default(int n) : number(n) {}
  int number;
};

// Counts live objects, so that a result that forgets or repeats a
// destruction shows.
struct counted {
  static inline int live = 0;
  explicit counted(int n) : number(n) { ++live; }
  counted(const counted& other) : number(other.number) { ++live; }
  counted(counted&& other) noexcept : number(other.number) { ++live; }
  counted& operator=(const counted&) = default;
  counted& operator=(counted&&) noexcept = default;
  ~counted() { --live; }
  int number;
};
}  // namespace

TEST_CASE("result<T> needs no default constructor for T") {
  const bo::result<no_default> ok(no_default(3));
  REQUIRE(ok);
  CHECK(ok->number == 3);
  const bo::result<no_default> bad(bo::make_state(std::string(300, 'x')).error());
  CHECK(bad.code() == bo::errc::too_large);
  CHECK(bad.value_or(no_default(9)).number == 9);
}

TEST_CASE("result<T> holds a move-only T") {
  bo::result<std::unique_ptr<int>> r(std::make_unique<int>(5));
  REQUIRE(r);
  bo::result<std::unique_ptr<int>> moved(std::move(r));
  REQUIRE(moved);
  CHECK(**moved == 5);

  bo::result<std::unique_ptr<int>> target(bo::make_state(std::string(300, 'x')).error());
  target = std::move(moved);
  REQUIRE(target);
  CHECK(**target == 5);
  target = bo::result<std::unique_ptr<int>>(bo::make_code_verifier("short").error());
  CHECK(target.code() == bo::errc::insufficient_entropy);
  CHECK(std::move(target).value_or(nullptr) == nullptr);

  std::unique_ptr<int> taken = bo::result<std::unique_ptr<int>>(std::make_unique<int>(6)).value();
  CHECK(*taken == 6);
}

TEST_CASE("result<T> copies and moves in both states") {
  const bo::error e = bo::make_state("short").error();
  {
    const bo::result<counted> value(counted(1));
    const bo::result<counted> failed(e);
    CHECK(counted::live == 1);

    bo::result<counted> copy_of_value(value);
    bo::result<counted> copy_of_failed(failed);
    CHECK(copy_of_value->number == 1);
    CHECK(copy_of_failed.error().message == e.message);
    CHECK(&copy_of_failed.error() != &failed.error());
    CHECK(counted::live == 2);

    copy_of_value = failed;  // value -> error
    CHECK(copy_of_value.code() == bo::errc::insufficient_entropy);
    CHECK(counted::live == 1);
    copy_of_failed = value;  // error -> value
    CHECK(copy_of_failed->number == 1);
    CHECK(counted::live == 2);
    copy_of_failed = bo::result<counted>(counted(2));  // value -> value
    CHECK(copy_of_failed->number == 2);
    CHECK(counted::live == 2);
    const bo::result<counted>& same = copy_of_value;
    copy_of_value = same;  // error -> itself
    CHECK(copy_of_value.code() == bo::errc::insufficient_entropy);

    bo::result<counted> moved_value(std::move(copy_of_failed));
    CHECK(moved_value->number == 2);
    bo::result<counted> moved_failed(std::move(copy_of_value));
    CHECK(moved_failed.error().message == e.message);
    CHECK_FALSE(copy_of_value.has_value());  // NOLINT(bugprone-use-after-move): still failed
    moved_failed = std::move(moved_value);
    CHECK(moved_failed->number == 2);
  }
  CHECK(counted::live == 0);

  const bo::result<void> failed(e);
  bo::result<void> copy(failed);
  CHECK(copy.error().message == e.message);
  bo::result<void> moved(std::move(copy));
  CHECK(moved.code() == bo::errc::insufficient_entropy);
  CHECK_FALSE(copy.has_value());  // NOLINT(bugprone-use-after-move)
  moved = bo::result<void>();
  CHECK(moved);
  moved = failed;
  CHECK(moved.code() == bo::errc::insufficient_entropy);
}

// The error lives out of line: a result costs its value plus one pointer.
static_assert(sizeof(bo::result<void>) == sizeof(void*));
static_assert(sizeof(bo::result<bool>) <= 2 * sizeof(void*));
static_assert(sizeof(bo::result<std::string>) <= sizeof(std::string) + sizeof(void*));
static_assert(sizeof(bo::result<bo::token>) <= sizeof(bo::token) + sizeof(void*));

#if defined(__unix__) || defined(__APPLE__)
namespace {
// Runs f in a child process; true if the child died of SIGABRT.
template <class F>
bool aborts(F f) {
  const pid_t child = fork();
  if (child == 0) {
    (void)std::signal(SIGABRT, SIG_DFL);
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDERR_FILENO);
    f();
    _exit(0);
  }
  int status = 0;
  return child > 0 && waitpid(child, &status, 0) == child && WIFSIGNALED(status) &&
         WTERMSIG(status) == SIGABRT;
}
}  // namespace

TEST_CASE("value() of a failed result aborts, in debug and release builds") {
  const bo::result<std::string> failed(bo::make_state(std::string(300, 'x')).error());
  CHECK(aborts([&] { static_cast<void>(failed.value().size()); }));
  CHECK(aborts([&] { static_cast<void>(failed->size()); }));
  const bo::result<std::string> ok(std::string("x"));
  CHECK_FALSE(aborts([&] { static_cast<void>(ok.value().size()); }));
}
#endif

#ifdef NDEBUG
TEST_CASE("error() of a successful result is, in release builds, an empty error") {
  const bo::result<std::string> ok(std::string("x"));
  CHECK(ok.error().code == bo::errc::ok);
  CHECK(ok.error().message.empty());
  const bo::result<void> done;
  CHECK(done.error().code == bo::errc::ok);
}
#endif

TEST_CASE("result<void> is success by default and carries an error otherwise") {
  const bo::result<void> ok;
  CHECK(static_cast<bool>(ok));
  CHECK(ok.has_value());
  CHECK(ok.code() == bo::errc::ok);

  const bo::result<void> bad = bo::check_header("X-Note", "a\nb");
  CHECK_FALSE(static_cast<bool>(bad));
  CHECK_FALSE(bad.has_value());
  CHECK(bad.code() == bo::errc::invalid_header_value);
  CHECK(bad.error().message.find("header value: ") == 0);
}

// ============================================================================
// 2. Text: limits and character sets
// ============================================================================

TEST_CASE("limits have the documented defaults") {
  const bo::limits lim;
  CHECK(lim.max_url == 8192);
  CHECK(lim.max_body == 64 * 1024);
  CHECK(lim.max_parameters == 128);
  CHECK(lim.max_value == 4096);
  CHECK(lim.max_json_depth == 64);
}

TEST_CASE("character classes match their RFC grammar for all 256 bytes") {
  // White-box: the public validators each combine several classes, so only
  // the classes themselves can be compared byte by byte with their grammar.
  const std::string_view alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const std::string_view digit = "0123456789";
  auto in = [](std::string_view set, unsigned char c) {
    return set.find(static_cast<char>(c)) != std::string_view::npos;
  };
  for (unsigned v = 0; v < 256; ++v) {
    const auto c = static_cast<unsigned char>(v);
    CAPTURE(v);
    const bool is_alpha = in(alpha, c);
    const bool is_digit = in(digit, c);
    CHECK(bd::is_alpha(c) == is_alpha);
    CHECK(bd::is_digit(c) == is_digit);
    CHECK(bd::is_hexdig(c) == (is_digit || in("abcdefABCDEF", c)));
    const bool unreserved = is_alpha || is_digit || in("-._~", c);
    CHECK(bd::is_unreserved(c) == unreserved);           // RFC 3986 §2.3
    CHECK(bd::is_sub_delim(c) == in("!$&'()*+,;=", c));  // RFC 3986 §2.2
    CHECK(bd::is_uri_char(c) == (unreserved || in("!$&'()*+,;=:/?#[]@%", c)));
    CHECK(bd::is_vschar(c) == (v >= 0x20 && v <= 0x7e));  // RFC 6749 A
    CHECK(bd::is_nqschar(c) == (v >= 0x20 && v <= 0x7e && c != '"' && c != '\\'));
    CHECK(bd::is_nqchar(c) == (v >= 0x21 && v <= 0x7e && c != '"' && c != '\\'));
    CHECK(bd::is_b64token_char(c) == (unreserved || c == '+' || c == '/'));        // RFC 6750 §2.1
    CHECK(bd::is_tchar(c) == (is_alpha || is_digit || in("!#$%&'*+-.^_`|~", c)));  // RFC 7230
    // The sets themselves, including those no predicate wraps.
    const bool ctl = v <= 0x1f || v == 0x7f;  // RFC 5234 CTL
    CHECK(bd::abnf::ctl.contains(c) == ctl);
    CHECK(bd::abnf::field_ctl.contains(c) == (ctl && c != '\t'));
    CHECK(bd::abnf::vchar.contains(c) == (v >= 0x21 && v <= 0x7e));  // RFC 5234 VCHAR
    CHECK(bd::abnf::gen_delims.contains(c) == in(":/?#[]@", c));     // RFC 3986 §2.2
    CHECK(bd::abnf::reg_name.contains(c) == (unreserved || in("!$&'()*+,;=", c)));
    CHECK(bd::abnf::ipv6_literal.contains(c) == (is_digit || in("abcdefABCDEF:.", c)));
    CHECK(bd::abnf::base64url.contains(c) == (is_alpha || is_digit || c == '-' || c == '_'));  // RFC 4648 §5
    CHECK(bd::abnf::uri.contains(c) == bd::is_uri_char(c));
    CHECK(bd::abnf::nqchar.contains(c) == bd::is_nqchar(c));
  }
}

TEST_CASE("char_set builds sets from characters, ranges, union and difference at compile time") {
  constexpr bd::char_set letters("abc");
  static_assert(letters.contains('a') && letters.contains('c') && !letters.contains('d'));
  constexpr auto digits = bd::char_set::range('0', '9');
  static_assert(digits.contains('0') && digits.contains('9') && !digits.contains('/') &&
                !digits.contains(':'));
  constexpr auto both = letters | digits;
  static_assert(both.contains('b') && both.contains('5') && !both.contains('x'));
  constexpr auto fewer = both - "b5";
  static_assert(fewer.contains('a') && !fewer.contains('b') && fewer.contains('4') && !fewer.contains('5'));
  constexpr auto all = bd::char_set::range(0x00, 0xff);
  static_assert(all.contains(0x00) && all.contains(0xff));
  static_assert(!bd::char_set().contains(0x00) && !bd::char_set("").contains(0x00));
  static_assert(bd::is_tchar('!') && !bd::is_tchar('"'));  // the predicates stay constexpr
  for (unsigned v = 0; v < 256; ++v) {
    const auto c = static_cast<unsigned char>(v);
    CAPTURE(v);
    CHECK(all.contains(c));
    CHECK_FALSE((all - all).contains(c));
    CHECK((letters | digits).contains(c) == (letters.contains(c) || digits.contains(c)));
  }
}

TEST_CASE("has_control finds C0 controls, DEL and the C1 controls of UTF-8 text") {
  for (unsigned v = 0; v < 0x80; ++v) {
    CAPTURE(v);
    const std::string one(1, static_cast<char>(v));
    CHECK(bd::has_control(one) == (v <= 0x1f || v == 0x7f));
    CHECK(bd::has_control("text " + one + " more") == (v <= 0x1f || v == 0x7f));
  }
  for (unsigned v = 0x80; v <= 0xbf; ++v) {  // U+0080-U+00BF: C1 controls up to U+009F
    CAPTURE(v);
    const std::string two{'\xC2', static_cast<char>(v)};
    CHECK(bd::has_control(two) == (v <= 0x9f));
    CHECK(bd::has_control("a" + two + "b") == (v <= 0x9f));
  }
  CHECK_FALSE(bd::has_control(""));
  CHECK_FALSE(bd::has_control("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(bd::has_control("\xC2"));      // a lead byte at the end reads nothing beyond
  CHECK_FALSE(bd::has_control("\xC3\x85"));  // U+00C5: same trail byte, other lead
  CHECK(bd::has_control(std::string_view("\0", 1)));
}

TEST_CASE("header names compare with ASCII letters folded, nothing else") {
  auto found = [](std::string_view stored, std::string_view asked) {
    const bo::http_headers headers{{std::string(stored), "v"}};
    return bo::find_header(headers, asked) != nullptr;
  };
  CHECK(found("HTTPS", "https"));
  CHECK(found("Api.BufferApp.COM", "api.bufferapp.com"));
  CHECK(found("AZ", "az"));
  CHECK(found("", ""));
  CHECK(found("@[", "@["));
  CHECK_FALSE(found("https", "http"));
  CHECK_FALSE(found("http", "https"));
  CHECK_FALSE(found("@", "`"));  // 0x40 and 0x60 differ only in bit 5
  CHECK_FALSE(found("[", "{"));
  CHECK_FALSE(found("\xC3\x84", "\xC3\xA4"));  // Ä / ä: no Unicode folding
  // token_type is compared the same way.
  auto typed = [](std::string_view type) {
    return bo::parse_token_response(generic(), response(200, "{\"access_token\":\"a\",\"token_type\":\"" +
                                                                 std::string(type) + "\"}"))
        .code();
  };
  CHECK(typed("BEARER") == bo::errc::ok);
  CHECK(typed("bEaReR") == bo::errc::ok);
  CHECK(typed("bearer ") == bo::errc::unsupported_token_type);
  CHECK(typed("beare") == bo::errc::unsupported_token_type);
}

// ============================================================================
// 2. Text: percent encoding
// ============================================================================

TEST_CASE("form encoding follows RFC 6749 Appendix B") {
  CHECK(form_encoded(" %&+\xC2\xA3\xE2\x82\xAC") == "+%25%26%2B%C2%A3%E2%82%AC");
  CHECK(form_encoded("a b/c") == "a+b%2Fc");
}

TEST_CASE("uri encoding escapes everything but unreserved, space as %20") {
  CHECK(uri_encoded(" %&+") == "%20%25%26%2B");
  CHECK(uri_encoded("http://example.com/back") == "http%3A%2F%2Fexample.com%2Fback");
  CHECK(uri_encoded("AZaz09-._~") == "AZaz09-._~");
  // A state is VSCHAR: non-ASCII is refused, not encoded.
  CHECK(uri_encoded("\xC2\xA3") == "<invalid_character>");
}

TEST_CASE("Buffer's code keeps '/' raw and escapes every other delimiter") {
  CHECK(code_encoded("1/mWot20jTwojsd00jFlaaR45") == "1/mWot20jTwojsd00jFlaaR45");
  CHECK(code_encoded("1/ab+c=") == "1/ab%2Bc%3D");
  CHECK(code_encoded("a&grant_type=password") == "a%26grant_type%3Dpassword");
  CHECK(code_encoded("a=b") == "a%3Db");
  CHECK(code_encoded("a+b") == "a%2Bb");
  CHECK(code_encoded("a%2Fb") == "a%252Fb");
  CHECK(code_encoded("a#b") == "a%23b");
  CHECK(code_encoded("a b") == "a%20b");
  CHECK(code_encoded("a;b?c") == "a%3Bb%3Fc");
  // A code is VSCHAR: controls and non-ASCII are refused, not encoded.
  for (std::string_view code : {"\r", "\n", "\x7f", "\xC3\xA4"}) {
    CAPTURE(code);
    CHECK(code_encoded(code) == "<invalid_character>");
  }
  CHECK(code_encoded(std::string_view("a\0b", 3)) == "<invalid_character>");
}

TEST_CASE("percent encoding writes uppercase hex digits") {
  CHECK(form_encoded("\xff\xfe\xab\xcd\xef") == "%FF%FE%AB%CD%EF");
  CHECK(uri_encoded(":") == "%3A");
  CHECK(code_encoded(":") == "%3A");
}

TEST_CASE("each encoding leaves exactly its own set literal and every byte decodes back") {
  static constexpr std::string_view unreserved_set =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  static constexpr std::string_view uri_chars = "!$&'()*+,;=:/?#[]@%";  // RFC 3986 reserved and '%'
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string all, printable;
  for (unsigned v = 0; v < 256; ++v) {
    const auto c = static_cast<char>(static_cast<unsigned char>(v));
    CAPTURE(v);
    const std::string one(1, c);
    const std::string escaped{'%', hex[v >> 4], hex[v & 0xf]};
    const bool unreserved = unreserved_set.find(c) != std::string_view::npos;
    const bool vschar = v >= 0x20 && v <= 0x7e;
    all += one;
    if (vschar) printable += one;

    const std::string form = form_encoded(one);
    CHECK(form == (unreserved ? one : c == ' ' ? "+" : escaped));
    CHECK(form_decode(form) == one);
    const std::string uri = uri_encoded(one);
    const std::string code = code_encoded(one);
    if (!vschar) {
      CHECK(uri == "<invalid_character>");
      CHECK(code == "<invalid_character>");
      continue;
    }
    CHECK(uri == (unreserved ? one : escaped));
    CHECK(form_decode(uri) == one);
    CHECK(code == (unreserved || c == '/' ? one : escaped));
    CHECK(form_decode(code) == one);
  }
  for (const std::string& enc : {form_encoded(all), uri_encoded(printable), code_encoded(printable)}) {
    for (char ch : enc)
      CHECK((unreserved_set.find(ch) != std::string_view::npos ||
             uri_chars.find(ch) != std::string_view::npos));
    CHECK(enc.find_first_of("&=#? ") == std::string::npos);
  }
  CHECK(form_decode(form_encoded(all)) == all);
  CHECK(form_decode(uri_encoded(printable)) == printable);
  CHECK(form_decode(code_encoded(printable)) == printable);
}

TEST_CASE("pairs are joined by '&' only between them") {
  bo::authorize_params a;
  a.state = "x&y";
  auto url = bo::build_authorize_url(bo::provider::buffer_legacy(), buffer_client(), a);
  REQUIRE(url);
  CHECK(*url ==
        "https://bufferapp.com/oauth2/authorize?client_id=4e9680c0512f7ed322000000"
        "&redirect_uri=https%3A%2F%2Fexample.com%2Fback&response_type=code&state=x%26y");

  auto req = bo::build_token_request(bo::provider::buffer_legacy(), buffer_client(), "1/ab+c=");
  REQUIRE(req);
  CHECK(
      req->body ==
      "client_id=4e9680c0512f7ed322000000&client_secret=s3cr3t&redirect_uri=https%3A%2F%2Fexample.com%2Fback"
      "&code=1/ab%2Bc%3D&grant_type=authorization_code");

  // An endpoint query that is empty or ends in '&' takes no further '&'.
  for (std::string_view endpoint :
       {"https://auth.example/authorize?", "https://auth.example/authorize?a=1&"}) {
    CAPTURE(endpoint);
    const bo::provider p = bo::provider::generic("g", std::string(endpoint), "https://auth.example/token",
                                                 "https://api.example/");
    auto u = bo::build_authorize_url(p, buffer_client(), a);
    REQUIRE(u);
    CHECK(u->rfind(std::string(endpoint) + "client_id=", 0) == 0);
  }
}

TEST_CASE("a token appended to a form body takes '&' only after a pair") {
  auto attach_to = [](std::string body) {
    bo::http_request r;
    r.method = "POST";
    r.url = "https://api.bufferapp.com/1/updates/create.json";
    r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    r.body = std::move(body);
    auto out = bo::attach_token(bo::provider::buffer_legacy(), std::move(r), "1/abc",
                                {bo::token_placement::form_body, false});
    REQUIRE(out);
    return out->body;
  };
  CHECK(attach_to("") == "access_token=1/abc");
  CHECK(attach_to("a=1&") == "a=1&access_token=1/abc");
  CHECK(attach_to("text=Really?") == "text=Really?&access_token=1/abc");  // '?' is data in a body
  CHECK(attach_to("?") == "?&access_token=1/abc");
}

// ============================================================================
// 2. Text: percent decoding
// ============================================================================

TEST_CASE("percent decoding accepts upper- and lowercase hex") {
  CHECK(decode_all("%2F", true).bytes == "/");
  CHECK(decode_all("%2f", true).bytes == "/");
  CHECK(decode_all("%aB%Cd", true).bytes == "\xAB\xCD");
  CHECK_FALSE(decode_all("%2f", true).bad);
  CHECK(check_component("%2F") == bo::errc::ok);
  CHECK(check_component("%2f") == bo::errc::ok);
  CHECK(redirect_code("1%2FmWot20jTwojsd00jFlaaR45") == "1/mWot20jTwojsd00jFlaaR45");
  CHECK(redirect_code("1%2fmWot20jTwojsd00jFlaaR45") == "1/mWot20jTwojsd00jFlaaR45");
  CHECK(state_decodes_to("%c3%A4%E2%82%ac", "\xC3\xA4\xE2\x82\xAC"));
}

TEST_CASE("percent decoding rejects truncated and non-hex escapes") {
  for (std::string_view raw :
       {"%", "a%", "%4", "%G1", "%zz", "%1G", "%%41", "ab%4", "%2", "% 41", "%+1", "%-1", "%\xC3\xA4"}) {
    CAPTURE(raw);
    CHECK(decode_all(raw, true).bad);
    CHECK(decode_all(raw, false).bad);
    CHECK(check_component(raw) == bo::errc::bad_percent_encoding);
  }
}

TEST_CASE("percent decoder yields the bytes before a bad escape, then stops") {
  const auto d = decode_all("ab%4", true);
  CHECK(d.bytes == "ab");
  CHECK(d.bad);
  const auto e = decode_all("%41%", true);
  CHECK(e.bytes == "A");
  CHECK(e.bad);
  const auto ok = decode_all("", true);
  CHECK(ok.bytes.empty());
  CHECK_FALSE(ok.bad);
  for (std::string_view raw : {"ab%4", "%41%", "a+b%zz+c", "%2B%", "x%G1", "%C3%A9+%"}) {
    CAPTURE(raw);
    CHECK(bd::decode_form_component(raw) == decode_all(raw, true).bytes);
  }
}

TEST_CASE("percent decoding decodes exactly once") {
  CHECK(check_component("%252F") == bo::errc::ok);
  CHECK(redirect_code("%252F") == "%2F");
  CHECK(redirect_code("1%252FmWot") == "1%2FmWot");
  CHECK(redirect_code("%2541") == "%41");
}

TEST_CASE("a literal ASCII byte inside an escaped UTF-8 sequence is invalid UTF-8") {
  CHECK(check_component("%C3a%A4") == bo::errc::invalid_utf8);
  CHECK(check_component("%E2%82a%AC") == bo::errc::invalid_utf8);
  CHECK(check_component("%E2a%82%AC") == bo::errc::invalid_utf8);
  CHECK(check_component("%C3+%A4") == bo::errc::invalid_utf8);
  CHECK(check_component("a%C3%A4b%E2%82%ACc") == bo::errc::ok);
  CHECK(check_component("%C3%A4") == bo::errc::ok);
}

TEST_CASE("'+' is a space in form decoding and literal otherwise") {
  CHECK(decode_all("a+b", true).bytes == "a b");
  CHECK(decode_all("a+b", false).bytes == "a+b");
  CHECK(decode_all("%2B", true).bytes == "+");
  CHECK(redirect_code("The+user+denied+access") == "The user denied access");
  CHECK(redirect_code("a%2Bb") == "a+b");
  CHECK(check_component("+") == bo::errc::ok);
}

TEST_CASE("RFC 6749 Appendix B example decodes and round-trips") {
  const std::string_view raw = "+%25%26%2B%C2%A3%E2%82%AC";
  CHECK(check_component(raw) == bo::errc::ok);
  const std::string plain = " %&+\xC2\xA3\xE2\x82\xAC";
  CHECK(state_decodes_to(raw, plain));
  CHECK_FALSE(state_decodes_to(raw, " %&+"));
  CHECK(form_encoded(plain) == raw);
}

TEST_CASE("percent decoding rejects control characters, escaped or raw") {
  for (std::string_view raw : {"%00", "%0D%0A", "%0d%0a", "a%0Ab", "%09", "%0B", "%1F", "%7F", "S%00"}) {
    CAPTURE(raw);
    CHECK(check_component(raw) == bo::errc::invalid_character);
  }
  for (std::string_view raw : {"a\tb", "a\rb", "a\nb", "\x7f"}) {
    CAPTURE(raw);
    CHECK(check_component(raw) == bo::errc::invalid_character);
  }
  CHECK(check_component(std::string_view("a\0b", 3)) == bo::errc::invalid_character);
  CHECK(check_component("%20") == bo::errc::ok);  // space is text, not a control
  CHECK(check_component("%7E") == bo::errc::ok);
}

TEST_CASE("percent decoding rejects escaped bytes that are not UTF-8") {
  for (std::string_view raw : {
           "%C0%AF",             // overlong '/'
           "%C1%BF",             // overlong
           "%E0%80%AF",          // overlong, three bytes
           "%F0%80%80%AF",       // overlong, four bytes
           "%ED%A0%80",          // U+D800, a surrogate
           "%ED%BF%BF",          // U+DFFF
           "%F4%90%80%80",       // U+110000, above U+10FFFF
           "%F5%80%80%80",       // lead byte beyond F4
           "%FF", "%FE", "%80",  // never valid / lone continuation
           "%E2%82",             // truncated euro sign
           "%E2%82a",            // truncated, then ASCII
           "%C2",                // truncated at the end
           "a%C3%A4%C3",         // valid, then truncated
       }) {
    CAPTURE(raw);
    CHECK(check_component(raw) == bo::errc::invalid_utf8);
  }
  CHECK(check_component("%C3%A4") == bo::errc::ok);
  CHECK(check_component("%F4%8F%BF%BF") == bo::errc::ok);  // U+10FFFF
  CHECK(check_component("%EF%BF%BF") == bo::errc::ok);     // U+FFFF is a scalar value
}

TEST_CASE("percent decoding rejects raw bytes of invalid UTF-8") {
  for (std::string_view raw : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82",
                               "\xFF", "\x80", "a\xC3"}) {
    CAPTURE(raw);
    CHECK(check_component(raw) == bo::errc::invalid_utf8);
  }
  // Mixed raw and escaped halves of one sequence are still checked as one.
  CHECK(check_component("\xE2%82%AC") == bo::errc::ok);
  CHECK(check_component("\xE2%82") == bo::errc::invalid_utf8);
}

TEST_CASE("a whole URL with a raw byte >= 0x80, space, quote, '<' or backslash is refused") {
  // check_form_component works on components the URL splitter already
  // accepted; refusing raw non-ASCII, space, quote, '<' and backslash is the splitter's job.
  for (std::string_view url :
       {"https://client.example/back?code=\xC3\xA4", "https://client.example/back?code=a b",
        "https://client.example/back?code=a\"b", "https://client.example/back?code=<x>",
        "https://client.example/back?code=a\\b", "https://client.example/back?code=\xFF"}) {
    CAPTURE(url);
    CHECK(split_code(url, bo::errc::invalid_url) == bo::errc::invalid_url);
  }
}

TEST_CASE("form_component_equals compares the decoded name byte-exactly") {
  CHECK(equals_name("code", "code"));
  CHECK(equals_name("%63ode", "code"));
  CHECK(equals_name("%63%6F%64%65", "code"));
  CHECK(equals_name("access%5Ftoken", "access_token"));
  CHECK(equals_name("c+de", "c de"));
  CHECK(equals_name("%2B", "+"));
  CHECK(equals_name("", ""));
  CHECK_FALSE(equals_name("+", "+"));
  CHECK_FALSE(equals_name("Code", "code"));  // case-sensitive
  CHECK_FALSE(equals_name("cod", "code"));
  CHECK_FALSE(equals_name("codex", "code"));
  CHECK_FALSE(equals_name("code%", "code"));
  CHECK_FALSE(equals_name("code%0", "code"));
  CHECK_FALSE(equals_name("%63ode%", "code"));
  CHECK_FALSE(equals_name("%2563ode", "code"));  // decoded once: "%63ode"
  CHECK_FALSE(equals_name("code", ""));
  CHECK_FALSE(equals_name("", "code"));
  CHECK_FALSE(equals_name(std::string_view("code\0", 5), "code"));
  CHECK_FALSE(equals_name("code%00", "code"));
}

// ============================================================================
// 2. Text: form iteration
// ============================================================================

TEST_CASE("form_reader splits on '&' only: ';' is data") {
  const auto p = pairs_of("a=1;b=2");
  REQUIRE(p.size() == 1);
  CHECK(p[0].first == "a");
  CHECK(p[0].second == "1;b=2");
}

TEST_CASE("form_reader skips empty pieces") {
  const auto p = pairs_of("&&a=1&");
  REQUIRE(p.size() == 1);
  CHECK(p[0].first == "a");
  CHECK(p[0].second == "1");
  CHECK(pairs_of("").empty());
  CHECK(pairs_of("&").empty());
  CHECK(pairs_of("&&&").empty());
  CHECK(pairs_of("a&&b").size() == 2);
}

TEST_CASE("form_reader gives a name without '=' an empty value") {
  auto p = pairs_of("code");
  REQUIRE(p.size() == 1);
  CHECK(p[0].first == "code");
  CHECK(p[0].second.empty());
  p = pairs_of("code=");
  REQUIRE(p.size() == 1);
  CHECK(p[0].first == "code");
  CHECK(p[0].second.empty());
}

TEST_CASE("form_reader splits each piece at its first '=' and keeps order and encoding") {
  const auto p = pairs_of("=x&a=b=c&state=xyz&code=1%2Fabc&a=2");
  REQUIRE(p.size() == 5);
  CHECK(p[0].first.empty());
  CHECK(p[0].second == "x");
  CHECK(p[1].first == "a");
  CHECK(p[1].second == "b=c");
  CHECK(p[2].first == "state");
  CHECK(p[3].second == "1%2Fabc");  // still encoded
  CHECK(p[4].first == "a");
  CHECK(p[4].second == "2");
}

TEST_CASE("form_reader keeps reporting the end once exhausted") {
  // White-box: what the reader does after its end shows in no public result.
  bd::form_reader reader("a=1");
  bd::form_pair p;
  CHECK(reader.next(p));
  CHECK_FALSE(reader.next(p));
  CHECK_FALSE(reader.next(p));
}

// ============================================================================
// 2. Text: UTF-8
// ============================================================================

TEST_CASE("utf8_validator accepts the boundaries of each sequence length") {
  for (std::uint32_t cp :
       {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    CAPTURE(cp);
    CHECK(valid_utf8(utf8_encode(cp)));
  }
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("plain ASCII"));
  CHECK(valid_utf8("\xC2\xA3\xE2\x82\xAC\xF0\x9D\x84\x9E"));
}

TEST_CASE("utf8_validator rejects overlong forms, surrogates, values above U+10FFFF and truncation") {
  for (const auto& bad :
       {bytes_of({0xC0, 0x80}), bytes_of({0xC1, 0xBF}), bytes_of({0xE0, 0x9F, 0xBF}),
        bytes_of({0xF0, 0x8F, 0xBF, 0xBF}), bytes_of({0xED, 0xA0, 0x80}), bytes_of({0xED, 0xBF, 0xBF}),
        bytes_of({0xF4, 0x90, 0x80, 0x80}), bytes_of({0xF5, 0x80, 0x80, 0x80}),
        bytes_of({0xF8, 0x88, 0x80, 0x80, 0x80}), bytes_of({0xFE}), bytes_of({0xFF}), bytes_of({0x80}),
        bytes_of({0xBF}), bytes_of({0xE2, 0x82}), bytes_of({0xF0, 0x9D, 0x84}), bytes_of({0xC2}),
        bytes_of({0xE2, 0x28, 0xA1}), bytes_of({0xC2, 0xC2, 0x80}), bytes_of({0x61, 0xE2, 0x82})}) {
    CAPTURE(bad);
    CHECK_FALSE(valid_utf8(bad));
  }
}

TEST_CASE("utf8_validator reports truncation only through complete()") {
  // White-box: feed() and complete() are the validator's own interface.
  bd::utf8_validator v;
  CHECK(v.complete());
  CHECK(v.feed(0xE2));
  CHECK_FALSE(v.complete());
  CHECK(v.feed(0x82));
  CHECK_FALSE(v.complete());
  CHECK(v.feed(0xAC));
  CHECK(v.complete());
  CHECK_FALSE(v.feed(0x80));  // continuation without a lead byte
}

TEST_CASE("utf8_validator agrees with the definition on every code point") {
  // Every scalar value is accepted; every encoded surrogate is rejected.
  std::size_t accepted = 0, rejected = 0;
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    if (valid_utf8(utf8_encode(cp)) != !surrogate) {
      CAPTURE(cp);
      CHECK(false);
      break;
    }
    (surrogate ? rejected : accepted)++;
  }
  CHECK(accepted == 0x110000 - 0x800);
  CHECK(rejected == 0x800);
}

TEST_CASE("utf8_validator accepts exactly the shortest forms among all two-byte sequences") {
  std::size_t valid = 0;
  for (unsigned a = 0; a < 256; ++a)
    for (unsigned b = 0; b < 256; ++b)
      if (valid_utf8(bytes_of({a, b}))) ++valid;
  // 128*128 ASCII pairs plus 30 lead bytes (C2..DF) times 64 continuations.
  CHECK(valid == 128 * 128 + 30 * 64);
}

// ============================================================================
// 2. Text: URL splitting
// ============================================================================

TEST_CASE("split_url splits an absolute https URL into views") {
  const std::string_view url = "https://api.bufferapp.com/1/profiles.json?access_token=x&b=2#frag";
  auto r = split(url, bo::errc::invalid_url);
  REQUIRE(r);
  CHECK(r->scheme == "https");
  CHECK(r->host == "api.bufferapp.com");
  CHECK(r->port.empty());
  CHECK(r->path == "/1/profiles.json");
  CHECK(r->has_query);
  CHECK(r->query == "access_token=x&b=2");
  CHECK(r->has_fragment);
  CHECK(r->fragment == "frag");
  CHECK(r->effective_port == 443);
  CHECK(r->https());
  // Views point into the input.
  CHECK(r->host.data() == url.data() + 8);
}

TEST_CASE("split_url gives default ports 80 and 443 and honours explicit ones") {
  auto http = split("http://example.com/back");
  REQUIRE(http);
  CHECK(http->effective_port == 80);
  CHECK_FALSE(http->https());
  auto https = split("HTTPS://Example.COM/");
  REQUIRE(https);
  CHECK(https->effective_port == 443);
  CHECK(https->https());
  CHECK(https->scheme == "HTTPS");  // as written
  CHECK(https->host == "Example.COM");
  auto explicit_port = split("http://127.0.0.1:51004/cb");
  REQUIRE(explicit_port);
  CHECK(explicit_port->host == "127.0.0.1");
  CHECK(explicit_port->port == "51004");
  CHECK(explicit_port->effective_port == 51004);
  auto v6 = split("http://[::1]:8080/cb");
  REQUIRE(v6);
  CHECK(v6->host == "[::1]");
  CHECK(v6->port == "8080");
  CHECK(v6->effective_port == 8080);
  CHECK(v6->path == "/cb");
  auto max_port = split("https://x:65535/");
  REQUIRE(max_port);
  CHECK(max_port->effective_port == 65535);
  auto one = split("https://x:1");
  REQUIRE(one);
  CHECK(one->effective_port == 1);
  CHECK(one->path.empty());
  // RFC 3986 §3.2.3: port = *DIGIT, so leading zeros name the same port.
  auto zeros = split("https://x:00443/");
  REQUIRE(zeros);
  CHECK(zeros->effective_port == 443);
}

TEST_CASE("split_url tells an empty query or fragment from an absent one") {
  auto bare = split("https://example.com");
  REQUIRE(bare);
  CHECK(bare->path.empty());
  CHECK_FALSE(bare->has_query);
  CHECK_FALSE(bare->has_fragment);
  auto q = split("https://example.com?");
  REQUIRE(q);
  CHECK(q->has_query);
  CHECK(q->query.empty());
  CHECK(q->path.empty());
  auto f = split("https://example.com/#");
  REQUIRE(f);
  CHECK(f->has_fragment);
  CHECK(f->fragment.empty());
  CHECK_FALSE(f->has_query);
  auto qf = split("https://example.com/back?state=S#_=_");
  REQUIRE(qf);
  CHECK(qf->query == "state=S");
  CHECK(qf->fragment == "_=_");
  // A '?' after the '#' belongs to the fragment.
  auto fq = split("https://x/p#a?b");
  REQUIRE(fq);
  CHECK(fq->path == "/p");
  CHECK_FALSE(fq->has_query);
  CHECK(fq->fragment == "a?b");
  // A second '?' belongs to the query.
  auto qq = split("https://x/p?a=1?b");
  REQUIRE(qq);
  CHECK(qq->query == "a=1?b");
}

TEST_CASE("split_url rejects userinfo") {
  for (std::string_view url : {"https://u@client.example/cb", "https://user:pw@client.example/cb",
                               "https://client.example@evil.com/cb", "https://@client.example/cb",
                               "https://client.example:443@evil.com/"}) {
    CAPTURE(url);
    CHECK(split_code(url) == bo::errc::invalid_redirect_uri);
  }
  // '@' after the authority is path data.
  CHECK(split_code("https://client.example/a@b") == bo::errc::ok);
}

TEST_CASE("split_url rejects backslash, raw whitespace and non-ASCII anywhere") {
  for (std::string_view url :
       {"https://evil.com\\@client.example/cb", "https://client.example\\cb", "https://client.example/c b",
        " https://client.example/cb", "https://client.example/cb ", "https://client.example/c\tb",
        "https://client.\texample/", "https://client.example/c\rb", "https://client.example/c\nb",
        "\nhttps://client.example/", "https://client.example/caf\xC3\xA9", "https://b\303\274cher.example/",
        "https://client.example/\x7f", "https://client.example/a{b}", "https://client.example/a|b",
        "https://client.example/a^b", "https://client.example/a`b", "https://client.example/a\"b",
        "https://client.example/a<b>"}) {
    CAPTURE(url);
    CHECK(split_code(url) == bo::errc::invalid_redirect_uri);
  }
  CHECK(split_code(std::string_view("https://client.example/\0", 24)) == bo::errc::invalid_redirect_uri);
}

TEST_CASE("split_url rejects malformed IPv6 literals") {
  for (std::string_view url :
       {"http://[::1", "http://[::1/cb", "http://[]/", "http://[:]/", "http://[::1]x/", "http://[::g]/",
        "http://[::1]]/", "http://[fe80::1%25en0]/", "http://::1/", "http://[::1]:/"}) {
    CAPTURE(url);
    CHECK(split_code(url) == bo::errc::invalid_redirect_uri);
  }
  CHECK(split_code("http://[::]/") == bo::errc::ok);
  CHECK(split_code("http://[2001:db8::7]/") == bo::errc::ok);
  CHECK(split_code("http://[::ffff:127.0.0.1]/") == bo::errc::ok);
}

TEST_CASE("split_url rejects ports that are empty, zero, too large or not digits") {
  for (std::string_view url :
       {"https://x:/", "https://x:", "https://x:0/", "https://x:00000/", "https://x:65536/",
        "https://x:99999/", "https://x:123456/", "https://x:-1/", "https://x:+80/", "https://x:8a/",
        "https://x:80:80/", "https://x: 80/", "https://x:0x50/"}) {
    CAPTURE(url);
    CHECK(split_code(url) == bo::errc::invalid_redirect_uri);
  }
}

TEST_CASE("split_url rejects a missing host") {
  for (std::string_view url :
       {"https:///cb", "https://:443/cb", "https://?q", "https://#f", "https://", "file:///etc/passwd"}) {
    CAPTURE(url);
    CHECK(split_code(url) == bo::errc::invalid_redirect_uri);
  }
}

TEST_CASE("split_url rejects a second '#'") {
  CHECK(split_code("https://client.example/cb#a#b") == bo::errc::invalid_redirect_uri);
  CHECK(split_code("https://client.example/cb##") == bo::errc::invalid_redirect_uri);
  CHECK(split_code("https://client.example/cb?a#b#") == bo::errc::invalid_redirect_uri);
}

TEST_CASE("split_url rejects relative URLs and schemes other than http(s)") {
  for (std::string_view url :
       {"", "/back", "//client.example/back", "client.example/back", "https:/x/back", "https:x", "https//x",
        "://x/", "ftp://x/", "httpss://x/", "xhttps://x/", "javascript://x/%0Aalert(1)", "ws://x/"}) {
    CAPTURE(url);
    CHECK(split_code(url) == bo::errc::invalid_redirect_uri);
  }
}

TEST_CASE("split_url reports the caller's errc for malformed input") {
  CHECK(split_code("https://u@x/", bo::errc::invalid_endpoint) == bo::errc::invalid_endpoint);
  CHECK(split_code("https://u@x/", bo::errc::invalid_url) == bo::errc::invalid_url);
  CHECK(split_code("/relative", bo::errc::invalid_endpoint) == bo::errc::invalid_endpoint);
}

TEST_CASE("split_url accepts a URL at its size limit and rejects one byte more") {
  const std::string at_cap = "https://x/" + std::string(54, 'a');
  REQUIRE(at_cap.size() == 64);
  auto ok = split(at_cap, bo::errc::invalid_url, 64);
  CHECK(ok);
  auto over = split(at_cap + "a", bo::errc::invalid_url, 64);
  CHECK(over.code() == bo::errc::too_large);
  // The size check comes first, even for otherwise hostile input.
  auto hostile = split(std::string(65, '\\'), bo::errc::invalid_url, 64);
  CHECK(hostile.code() == bo::errc::too_large);
}

TEST_CASE("split_url error messages never repeat the URL, so userinfo secrets stay out") {
  const std::string secret = "hunter2-s3cr3t-VALUE";
  for (const std::string& url :
       {"https://user:" + secret + "@client.example/cb", "https://client.example/cb?code=" + secret + " x",
        "https://client.example/cb#" + secret + "#", "ftp://" + secret + "/",
        "https://" + secret + ":99999/"}) {
    auto r = split(url, bo::errc::invalid_url);
    REQUIRE_FALSE(r);
    CHECK(r.code() == bo::errc::invalid_url);
    CHECK(r.error().message.find(secret) == std::string::npos);
    CHECK(r.error().body.empty());
  }
  auto big = split("https://x/" + secret + std::string(100, 'a'), bo::errc::invalid_url, 64);
  CHECK(big.code() == bo::errc::too_large);
  CHECK(big.error().message.find(secret) == std::string::npos);
}

// ============================================================================
// 2. Text: loopback and origins
// ============================================================================

TEST_CASE("is_loopback_ip accepts 127.0.0.0/8 dotted quads and [::1]") {
  for (std::string_view host : {"127.0.0.1", "127.255.255.254", "127.255.255.255", "127.0.0.0", "127.1.2.3",
                                "127.10.100.200", "[::1]"}) {
    CAPTURE(host);
    CHECK(loopback(host));
  }
}

TEST_CASE("is_loopback_ip rejects names, short forms, leading zeros and out-of-range parts") {
  for (std::string_view host : {"localhost",
                                "LOCALHOST",
                                "localhost.",
                                "128.0.0.1",
                                "126.255.255.255",
                                "127.1",
                                "127.0.1",
                                "127",
                                "0127.0.0.1",
                                "127.0.0.01",
                                "127.000.0.1",
                                "127.0.0.256",
                                "127.0.0.1000",
                                "127.0.0.1.",
                                ".127.0.0.1",
                                "127..0.1",
                                "127.0.0.1:80",
                                "127.0.0.1 ",
                                " 127.0.0.1",
                                "",
                                "::1",
                                "[::1",
                                "::1]",
                                "[::2]",
                                "[0:0:0:0:0:0:0:1]",
                                "[::ffff:127.0.0.1]",
                                "0x7f.0.0.1",
                                "2130706433",
                                "1.2.3.4",
                                "0.0.0.0",
                                "127.0.0.-1",
                                "127.0.0.1/8",
                                "127.0.0.1%20"}) {
    CAPTURE(host);
    CHECK_FALSE(loopback(host));
  }
  // The last part is read without running past the end of the view.
  CHECK(loopback("127.0.0.1"));
  CHECK_FALSE(loopback("127.0.0."));
}

TEST_CASE("same_origin compares scheme and host case-insensitively and the effective port") {
  CHECK(same_origin("https://api.bufferapp.com/1/", "https://api.bufferapp.com/1/profiles.json?x=1"));
  CHECK(same_origin("https://api.bufferapp.com/", "HTTPS://API.BufferApp.com:443/x"));
  CHECK(same_origin("http://127.0.0.1/", "http://127.0.0.1:80/cb"));
  CHECK(same_origin("http://[::1]:8080/", "http://[::1]:8080/cb#f"));
  CHECK_FALSE(same_origin("https://api.bufferapp.com/", "http://api.bufferapp.com/"));
  CHECK_FALSE(same_origin("https://api.bufferapp.com/", "https://api.bufferapp.com.evil.com/"));
  CHECK_FALSE(same_origin("https://api.bufferapp.com/", "https://api.bufferapp.com:8443/"));
  CHECK_FALSE(same_origin("https://api.bufferapp.com/", "https://bufferapp.com/"));
  CHECK_FALSE(same_origin("http://x:443/", "https://x/"));
  CHECK_FALSE(same_origin("http://127.0.0.1:8080/", "http://127.0.0.1:8081/"));
}

// ============================================================================
// 2. Text: RFC 6750 b64token
// ============================================================================

TEST_CASE("attach_token takes only a b64token (RFC 6750 §2.1)") {
  CHECK_FALSE(b64token("a b"));
  CHECK_FALSE(b64token("a\r\nX: 1"));
  CHECK_FALSE(b64token("=a"));
  CHECK_FALSE(b64token("a=b"));
  CHECK(b64token("a=="));
  CHECK_FALSE(b64token(""));
  CHECK_FALSE(b64token("\xC3\xA4"));
  CHECK_FALSE(b64token("a,b"));

  CHECK(b64token("1/8c3f0e7a9b2d4c6e8f0a1b2c3d4e5f60"));
  CHECK(b64token("mF_9.B5f-4.1JqM"));
  CHECK(b64token("a+b/c~d-e.f_g"));
  CHECK(b64token("a="));
  CHECK(b64token("a==="));
  CHECK_FALSE(b64token("="));
  CHECK_FALSE(b64token("a== "));
  CHECK_FALSE(b64token("a\t"));
  CHECK_FALSE(b64token("\"a\""));
  CHECK_FALSE(b64token(std::string_view("a\0", 2)));
  CHECK_FALSE(b64token("a%20b"));
  CHECK_FALSE(b64token("a,"));
  CHECK_FALSE(b64token("a=,"));
  CHECK_FALSE(b64token("a=\n"));
}
