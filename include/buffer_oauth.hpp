// SPDX-License-Identifier: MIT
//
// buffer_oauth.hpp: a transport-agnostic OAuth 2.0 client core for the Buffer
// API. It builds requests and parses responses; the caller does all I/O, owns
// the clock and supplies the randomness. One header, standard library only,
// C++17, nothing thrown, no mutable globals.
//
// Sections, in the order data flows through them (each uses only those above):
//    1. Errors        errc, errc_category, error, result<T>
//    2. Text          limits, character sets, percent coding, UTF-8, URL split
//    3. JSON          strict RFC 8259 reader for token and error bodies, nested values;
//                     JSON strings written
//    4. PKCE, state   SHA-256, HMAC-SHA256, base64/base64url, S256, OS entropy
//    5. HTTP values   http_header, http_request, http_response
//    6. Provider      provider (Buffer built in), client
//    7. Responses     error bodies, response members, the errors providers report
//    8. Discovery     build_metadata_request, parse_provider_metadata
//    9. Authorize     build_authorize_url
//   10. Redirect      parse_redirect
//   11. Token         build_token_request, build_refresh_request,
//                     parse_token_response, parse_refresh_response,
//                     build_revocation_request, parse_revocation_response,
//                     build_registration_request, parse_registration_response
//   12. Attach        api_target, attach_token, check_api_response (v1 and GraphQL),
//                     parse_bearer_challenge
//   13. Deauthorize   build_deauthorize_request, parse_deauthorize_response
//   14. Flow          flow: the state machine, save and restore
//   15. Session       credentials (to_string, parse_credentials), session: expiry,
//                     one refresh at a time, rotation, reauthorization
//
// Specs: RFC 6749 (OAuth 2.0), 6750 (Bearer), 7636 (PKCE), 8252 (native apps),
// 8414 (metadata), 9207 (iss), 9700 (security BCP), 3986 (URI), 8259 (JSON),
// 3629 (UTF-8), 4648 (base64), FIPS 180-4 (SHA-256), RFC 2104 (HMAC); OpenID
// Connect Discovery 1.0, Core §11 (offline_access); GraphQL (errors); Buffer's guides.

#ifndef BUFFER_OAUTH_HPP
#define BUFFER_OAUTH_HPP

// MSVC reports 199711L in __cplusplus unless given /Zc:__cplusplus; _MSVC_LANG is its real standard.
#if !((defined(_MSVC_LANG) && _MSVC_LANG >= 201703L) || __cplusplus >= 201703L)
#error "buffer_oauth.hpp needs C++17 or later: compile with -std=c++17 (g++, clang++) or /std:c++17 (MSVC)"
#else

#define BUFFER_OAUTH_VERSION_MAJOR 0
#define BUFFER_OAUTH_VERSION_MINOR 1
#define BUFFER_OAUTH_VERSION_PATCH 0

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/random.h>
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <stdlib.h>
#elif defined(_WIN32)
#include <windows.h>
#include <bcrypt.h>
#endif

namespace buffer_oauth {

// ============================================================================
// 1. Errors
// ============================================================================

/// What kind of failure an errc is, for callers that handle a whole kind at
/// once; category(errc) gives it.
enum class errc_category : std::uint8_t {
  none = 0,          ///< errc::ok, or a number that is no errc
  caller_misuse,     ///< the calling program is wrong: an argument, the configuration or the order of calls
  malformed_input,   ///< data from outside (a redirect, a response, a saved flow) breaks its grammar
  security_check,    ///< a check that stops an attack refused: CSRF, mix-up, replay, tampering, token leak
  provider_refused,  ///< the provider answered with an error or refusal
  limit,             ///< input over a limit of `limits`
  transport,         ///< the environment did not deliver: the OS random source
};

/// Stable snake_case name of a category, e.g. "security_check".
inline constexpr std::string_view to_string(errc_category c) noexcept {
  switch (c) {
    case errc_category::none: return "none";
    case errc_category::caller_misuse: return "caller_misuse";
    case errc_category::malformed_input: return "malformed_input";
    case errc_category::security_check: return "security_check";
    case errc_category::provider_refused: return "provider_refused";
    case errc_category::limit: return "limit";
    case errc_category::transport: return "transport";
  }
  return "unknown";
}

// Every error code, once: X(name, number, category, message). The enum and
// the table behind to_string, message and category are made from it; it is
// #undef'd after use, so the list itself is no public API.
// Numbers are published and never change, nor is a retired one reused. They
// were given in groups of a hundred, but the category is authoritative: a
// code whose category changes keeps its number.
// A code returned for two kinds of failure has the category of its main use;
// README.md, "Errors", names those codes.
// One row per code, columns aligned, so that the list is easy to scan and to diff.
// clang-format off
#define BUFFER_OAUTH_ERRC_LIST(X) \
  X(ok,                       0,   none,             "success") \
  X(invalid_client_id,        100, caller_misuse,    "the client_id is empty or has characters outside RFC " \
                                                     "6749 VSCHAR; use the id Buffer shows for your app") \
  X(invalid_redirect_uri,     101, caller_misuse,    "the redirect URI must be an absolute http(s) URI " \
                                                     "without fragment or userinfo") \
  X(invalid_endpoint,         102, caller_misuse,    "a provider endpoint is missing, or not an absolute " \
                                                     "http(s) URL without fragment") \
  X(invalid_character,        103, malformed_input,  "a value contains a character its grammar does not " \
                                                     "allow") \
  X(insufficient_entropy,     104, caller_misuse,    "too few random bytes: state needs 16, a PKCE " \
                                                     "verifier 32") \
  X(invalid_code_verifier,    105, caller_misuse,    "PKCE verifier must be 43-128 unreserved characters, " \
                                                     "challenge 43 base64url characters") \
  X(out_of_order,             106, caller_misuse,    "this flow event is not allowed in the current state") \
  X(state_already_used,       108, security_check,   "a redirect was already accepted for this state; " \
                                                     "start a new login") \
  X(code_already_used,        109, caller_misuse,    "the code was already used in a token request; codes " \
                                                     "work once") \
  X(clock_regressed,          110, caller_misuse,    "the time passed is earlier than a time passed " \
                                                     "before; use a monotonic clock") \
  X(invalid_argument,         111, caller_misuse,    "an argument is outside its documented range") \
  X(entropy_reused,           112, caller_misuse,    "state and PKCE verifier share random bytes; give " \
                                                     "each its own bytes, or the verifier leaks in the URL") \
  X(csrf_protection_missing,  113, caller_misuse,    "a login without state needs PKCE, which then stops " \
                                                     "CSRF; send a state or turn PKCE on") \
  X(client_secret_required,   114, caller_misuse,    "this provider takes no public clients; give the " \
                                                     "client secret") \
  X(pkce_required,            115, caller_misuse,    "PKCE cannot be turned off here: the provider requires " \
                                                     "it, or the client is public; send the code_verifier") \
  X(stale_ticket,             116, caller_misuse,    "this refresh ticket is not the one in flight: it was " \
                                                     "answered already, or no refresh was handed out") \
  X(invalid_url,              200, malformed_input,  "not an absolute http(s) URL") \
  X(bad_percent_encoding,     201, malformed_input,  "a '%' is not followed by two hex digits") \
  X(invalid_utf8,             202, malformed_input,  "text is not valid UTF-8") \
  X(malformed_json,           203, malformed_input,  "the body is not valid JSON") \
  X(invalid_surrogate,        204, malformed_input,  "a JSON string has an unpaired UTF-16 surrogate " \
                                                     "escape") \
  X(depth_exceeded,           205, limit,            "the JSON is nested deeper than the limit") \
  X(empty_body,               206, malformed_input,  "the response body is empty") \
  X(not_json,                 207, malformed_input,  "the response body is not JSON (an HTML error page or " \
                                                     "a proxy message?)") \
  X(not_an_object,            208, malformed_input,  "the JSON body is not an object") \
  X(duplicate_member,         209, malformed_input,  "an OAuth member appears more than once in the JSON " \
                                                     "body") \
  X(invalid_member_type,      210, malformed_input,  "an OAuth member has the wrong JSON type") \
  X(missing_access_token,     211, malformed_input,  "the token response has no access_token") \
  X(missing_token_type,       212, malformed_input,  "the token response has no token_type (RFC 6749 §5.1 " \
                                                     "requires it)") \
  X(unsupported_token_type,   213, malformed_input,  "the token_type is not Bearer; this client only uses " \
                                                     "Bearer tokens") \
  X(invalid_expires_in,       214, malformed_input,  "expires_in is not a non-negative integer of seconds") \
  X(invalid_token_syntax,     215, malformed_input,  "the token is not RFC 6750 b64token syntax") \
  X(malformed_error,          216, malformed_input,  "the provider's error fields break RFC 6749's " \
                                                     "character rules") \
  X(ambiguous_response,       217, malformed_input,  "the response carries both a result and an error") \
  X(missing_code,             218, malformed_input,  "the redirect carries neither a code nor an error") \
  X(invalid_header_value,     219, malformed_input,  "a header name or value contains CR, LF, NUL or " \
                                                     "another forbidden byte") \
  X(malformed_challenge,      220, malformed_input,  "the WWW-Authenticate header is not RFC 6750 §3 " \
                                                     "syntax") \
  X(corrupt_flow,             221, malformed_input,  "the saved flow is truncated or malformed") \
  X(unsupported_flow_version, 222, malformed_input,  "the saved flow has an unknown format version") \
  X(missing_member,           223, malformed_input,  "a member the response must have is missing") \
  X(corrupt_credentials,      224, malformed_input,  "the stored credentials are truncated or malformed") \
  X(unsupported_credentials,  225, malformed_input,  "the stored credentials have a format version this " \
                                                     "library does not know") \
  X(insecure_url,             300, security_check,   "plain http is not allowed here; use https (or a " \
                                                     "loopback IP with the explicit opt-in)") \
  X(redirect_uri_mismatch,    301, security_check,   "the URL is not the registered redirect URI") \
  X(state_missing,            302, security_check,   "the state parameter is missing") \
  X(state_mismatch,           303, security_check,   "the state parameter does not match the one sent; " \
                                                     "possible CSRF") \
  X(duplicate_parameter,      304, security_check,   "an OAuth parameter appears more than once") \
  X(iss_missing,              305, security_check,   "the redirect has no iss but an issuer is configured " \
                                                     "(RFC 9207)") \
  X(iss_mismatch,             306, security_check,   "iss differs from the configured issuer; possible " \
                                                     "mix-up attack") \
  X(iss_unexpected,           307, security_check,   "the redirect has iss but no issuer is configured to " \
                                                     "check it") \
  X(token_origin_mismatch,    308, security_check,   "the request URL is outside the provider's API " \
                                                     "origin; the token is not sent there") \
  X(token_already_present,    309, security_check,   "the request already carries an access token") \
  X(query_token_disallowed,   310, security_check,   "a token in the query string needs an explicit opt-in " \
                                                     "(RFC 9700 §4.3.2)") \
  X(form_body_not_allowed,    311, security_check,   "a body token needs a non-GET request with an ASCII " \
                                                     "application/x-www-form-urlencoded body") \
  X(code_expired,             312, security_check,   "the authorization code is older than the provider " \
                                                     "allows; log in again") \
  X(tampered_flow,            313, security_check,   "the saved flow failed its integrity check (wrong key " \
                                                     "or altered)") \
  X(provider_mismatch,        314, security_check,   "the saved flow belongs to another provider or client") \
  X(flow_expired,             315, security_check,   "the login was started longer ago than its maximum " \
                                                     "age allows; start a new login") \
  X(flow_replayed,            316, security_check,   "this saved flow was already restored once; a saved " \
                                                     "flow works once, start a new login") \
  X(metadata_issuer_mismatch, 317, security_check,   "the metadata's issuer is not the issuer asked for " \
                                                     "(RFC 8414 §3.3); possible mix-up attack") \
  X(authorization_denied,     400, provider_refused, "the user denied access") \
  X(authorization_error,      401, provider_refused, "the provider returned an authorization error") \
  X(token_error,              402, provider_refused, "the token endpoint returned an OAuth error") \
  X(api_error,                403, provider_refused, "the API returned an error") \
  X(token_rejected,           404, provider_refused, "the API rejected the access token; log in again") \
  X(http_error,               405, provider_refused, "unexpected HTTP status") \
  X(deauthorize_failed,       406, provider_refused, "the provider did not confirm the revocation") \
  X(rate_limited,             407, provider_refused, "the provider asks to wait before trying again; see " \
                                                     "retry_after") \
  X(pkce_not_supported,       408, provider_refused, "the provider does not offer PKCE S256, and PKCE is " \
                                                     "required") \
  X(client_auth_unsupported,  409, provider_refused, "the provider offers no client authentication this " \
                                                     "library has: client_secret_post, client_secret_basic " \
                                                     "or none") \
  X(registration_refused,     410, provider_refused, "the registration endpoint refused the client " \
                                                     "metadata (RFC 7591 §3.2.2)") \
  X(reauthorization_required, 411, provider_refused, "the grant is gone (the refresh token was refused, or " \
                                                     "a freshly refreshed token was rejected); log in again") \
  X(rotation_lost,            412, provider_refused, "a refresh answer was lost after the provider rotated " \
                                                     "the refresh token, so the retry was refused; log in " \
                                                     "again") \
  X(too_large,                500, limit,            "input exceeds a size or count limit") \
  X(random_unavailable,       501, transport,        "the operating system's random source failed") \
  X(transport_error,          502, transport,        "no complete HTTP response arrived (DNS, connect, TLS, " \
                                                     "timeout, closed connection); the message has the " \
                                                     "transport's own words")
// clang-format on

/// Why an operation failed. Values are stable: never renumbered, only
/// appended. category(errc) says what kind of failure a code is.
enum class errc : std::uint16_t {
#define BUFFER_OAUTH_ERRC_ENUMERATOR(name, number, kind, text) name = (number),
  BUFFER_OAUTH_ERRC_LIST(BUFFER_OAUTH_ERRC_ENUMERATOR)
#undef BUFFER_OAUTH_ERRC_ENUMERATOR
};

namespace detail {
struct errc_info {
  errc code;
  errc_category category;
  std::string_view name;
  std::string_view message;
};

inline constexpr errc_info errc_table[] = {
#define BUFFER_OAUTH_ERRC_INFO(name, number, kind, text) {errc::name, errc_category::kind, #name, text},
    BUFFER_OAUTH_ERRC_LIST(BUFFER_OAUTH_ERRC_INFO)
#undef BUFFER_OAUTH_ERRC_INFO
};
#undef BUFFER_OAUTH_ERRC_LIST

inline constexpr std::size_t errc_count = sizeof errc_table / sizeof errc_table[0];

/// Index of `code` in errc_table, or errc_count. An index, not a pointer:
/// GCC does not fold a pointer-to-null comparison in a constant expression
/// under -fno-delete-null-pointer-checks or -fsanitize=null.
inline constexpr std::size_t find_errc(errc code) noexcept {
  std::size_t i = 0;
  while (i < errc_count && errc_table[i].code != code) ++i;
  return i;
}
}  // namespace detail

/// Stable snake_case name of an error code, e.g. "state_mismatch".
inline constexpr std::string_view to_string(errc code) noexcept {
  const std::size_t i = detail::find_errc(code);
  return i < detail::errc_count ? detail::errc_table[i].name : std::string_view("unknown");
}

/// Default text for people, e.g. "the state parameter does not match ...".
inline constexpr std::string_view message(errc code) noexcept {
  const std::size_t i = detail::find_errc(code);
  return i < detail::errc_count ? detail::errc_table[i].message : std::string_view("unknown error");
}

/// What kind of failure `code` is; errc_category::none for errc::ok and for a
/// number that is no errc.
inline constexpr errc_category category(errc code) noexcept {
  const std::size_t i = detail::find_errc(code);
  return i < detail::errc_count ? detail::errc_table[i].category : errc_category::none;
}

/// Error fields sent by a provider (RFC 6749 §4.1.2.1, §5.2).
struct oauth_error {
  std::string error{};
  std::string error_description{};
  std::string error_uri{};
};

/// What went wrong. `message` never contains a secret. For a response from
/// the network, `http_status` is what arrived and `body` a redacted copy.
struct error {
  errc code = errc::ok;
  std::string message{};
  oauth_error from_provider{};
  int http_status = 0;
  std::string body{};         ///< at most 2 KiB, token-shaped runs redacted
  std::int64_t api_code = 0;  ///< Buffer's numeric error code, when sent
  /// rate_limited: how long the provider asks to wait, when its Retry-After
  /// gave a number of seconds.
  std::optional<std::chrono::seconds> retry_after{};
  /// rate_limited: the Retry-After HTTP-date ("Sun, 06 Nov 1994 08:49:37
  /// GMT") as sent; compare it with your own clock, as this library reads none.
  std::string retry_after_date{};
  /// A GraphQL API's refusal: the first error's extensions.code as sent (RFC 6749 NQCHAR), e.g. "FORBIDDEN".
  std::string api_error_code{};
  /// rate_limited by a GraphQL API: the first error's extensions.window as sent, e.g. "15m".
  std::string rate_limit_window{};
};

namespace detail {
/// The error of a failed result, kept out of line so that a result is about
/// the size of its value. Null exactly when the result holds a value: a
/// moved-from failed result points at the shared empty error and stays failed.
class error_slot {
 public:
  error_slot() noexcept = default;
  explicit error_slot(error err) : error_(new error(std::move(err))) {}
  error_slot(const error_slot& other) : error_(other.error_ ? new error(*other.error_) : nullptr) {}
  error_slot(error_slot&& other) noexcept : error_(take(other)) {}
  error_slot& operator=(const error_slot& other) {
    if (this != &other) *this = error_slot(other);
    return *this;
  }
  error_slot& operator=(error_slot&& other) noexcept {
    if (this != &other) {
      release();
      error_ = take(other);
    }
    return *this;
  }
  ~error_slot() {
    if (error_ != nullptr) release();  // a success has nothing to free: no call
  }

  bool empty() const noexcept { return error_ == nullptr; }
  const error& get() const noexcept {
    assert(error_ && "error() of a successful result");
    return error_ ? *error_ : no_error();
  }
  errc code() const noexcept { return error_ ? error_->code : errc::ok; }

 private:
  static error& no_error() noexcept {
    static error none;
    return none;
  }
  static error* take(error_slot& other) noexcept {
    return other.error_ ? std::exchange(other.error_, &no_error()) : nullptr;
  }
  void release() noexcept {
    if (error_ != nullptr && error_ != &no_error()) delete error_;  // a success never asks for no_error()
    error_ = nullptr;
  }

  error* error_ = nullptr;
};

[[noreturn]] inline void value_of_failed_result() noexcept {
  assert(false && "value() of a failed result");
  std::abort();
}
}  // namespace detail

/// Holds either a T or an error, like std::expected<T, error>. value(), `*`
/// and `->` of a failed result, and error() of a successful one, are bugs
/// that assert in debug builds. In release builds the first aborts (there is
/// no T to give) and the second returns an empty error whose code is ok.
template <class T>
class [[nodiscard]] result {
 public:
  result(const T& value) : value_(value) {}                                 // NOLINT
  result(T&& value) : value_(std::move(value)) {}                           // NOLINT
  result(buffer_oauth::error err) : no_value_(), error_(std::move(err)) {}  // NOLINT
  result(const result& other) : no_value_(), error_(other.error_) {
    if (has_value()) new (&value_) T(other.value_);
  }
  result(result&& other) noexcept(std::is_nothrow_move_constructible_v<T>)
      : no_value_(), error_(std::move(other.error_)) {
    if (has_value()) new (&value_) T(std::move(other.value_));
  }
  result& operator=(const result& other) {
    if (this != &other) *this = result(other);
    return *this;
  }
  result& operator=(result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &other) {
      this->~result();
      new (this) result(std::move(other));
    }
    return *this;
  }
  ~result() {
    if (has_value()) value_.~T();
  }

  explicit operator bool() const noexcept { return has_value(); }
  bool has_value() const noexcept { return error_.empty(); }
  T& value() & noexcept { return checked_value(); }
  const T& value() const& noexcept { return checked_value(); }
  T&& value() && noexcept { return std::move(checked_value()); }
  T& operator*() & noexcept { return checked_value(); }
  const T& operator*() const& noexcept { return checked_value(); }
  T&& operator*() && noexcept { return std::move(checked_value()); }
  T* operator->() noexcept { return &checked_value(); }
  const T* operator->() const noexcept { return &checked_value(); }
  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? value_ : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  T value_or(U&& fallback) && {
    return has_value() ? std::move(value_) : static_cast<T>(std::forward<U>(fallback));
  }
  const buffer_oauth::error& error() const noexcept { return error_.get(); }
  errc code() const noexcept { return error_.code(); }

 private:
  T& checked_value() noexcept {
    if (!has_value()) detail::value_of_failed_result();
    return value_;
  }
  const T& checked_value() const noexcept {
    if (!has_value()) detail::value_of_failed_result();
    return value_;
  }

  union {
    T value_;  // alive exactly when error_ is empty
    // Zeroed in a failed result, so that no compiler sees uninitialised bytes.
    unsigned char no_value_[sizeof(T)];
  };
  detail::error_slot error_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(buffer_oauth::error err) : error_(std::move(err)) {}  // NOLINT
  explicit operator bool() const noexcept { return has_value(); }
  bool has_value() const noexcept { return error_.empty(); }
  const buffer_oauth::error& error() const noexcept { return error_.get(); }
  errc code() const noexcept { return error_.code(); }

 private:
  detail::error_slot error_;
};

namespace detail {
/// An error whose message is the code's text plus, optionally, which field.
inline error fail(errc code, std::string_view what = {}) {
  error e;
  e.code = code;
  if (!what.empty()) {
    e.message.assign(what);
    e.message += ": ";
  }
  e.message += message(code);
  return e;
}

/// A limit error, worded alike everywhere: "code is 5000 bytes; the limit is
/// 4096". `unit` says what `amount` and `limit` count.
template <class Amount, class Limit>
error over_limit(std::string_view what, Amount amount, std::string_view unit, Limit limit,
                 errc code = errc::too_large) {
  error e;
  e.code = code;
  e.message.assign(what);
  e.message += " is " + std::to_string(amount) + ' ';
  e.message += unit;
  e.message += "; the limit is " + std::to_string(limit);
  return e;
}

/// How this header writes a fixed set of named fields: an enum numbers them,
/// and a constexpr array of `field` rows gives each its name, the rule its
/// value follows and, where the set is a struct's, the member that holds it.
/// The code reads the rows; no name or rule is written a second time.
struct no_rule {};
template <class Enum, class Rule = no_rule, class Member = no_rule>
struct field {
  Enum id;
  std::string_view name;
  Rule rule{};
  Member member{};
};

/// Whether row k describes enumerator k, so that table[k] is field k's row.
template <class Enum, class Rule, class Member, std::size_t N>
constexpr bool in_enum_order(const field<Enum, Rule, Member> (&table)[N]) noexcept {
  for (std::size_t k = 0; k < N; ++k)
    if (static_cast<std::size_t>(table[k].id) != k) return false;
  return true;
}

/// The name of enumerator `value` in `names`, which lists them in order;
/// "unknown" for a value outside the enumeration.
template <class Enum, std::size_t N>
constexpr std::string_view name_of(const std::string_view (&names)[N], Enum value) noexcept {
  const auto i = static_cast<std::size_t>(value);
  return i < N ? names[i] : std::string_view("unknown");
}

/// The row named `name`, or nullptr.
template <class Enum, class Rule, class Member, std::size_t N>
constexpr const field<Enum, Rule, Member>* find_field(const field<Enum, Rule, Member> (&table)[N],
                                                      std::string_view name) noexcept {
  for (const auto& row : table)
    if (row.name == name) return &row;
  return nullptr;
}
}  // namespace detail

// ============================================================================
// 2. Text
// ============================================================================

/// Size and count limits applied to everything parsed. Defaults are generous
/// for OAuth and small enough that hostile input costs little.
struct limits {
  std::size_t max_url = 8192;                   ///< redirect URLs, endpoints, API URLs
  std::size_t max_body = 65536;                 ///< response bodies (64 KiB)
  std::size_t max_parameters = 128;             ///< query/form pairs in one URL
  std::size_t max_value = 4096;                 ///< code, state, token, other values
  std::size_t max_json_depth = 64;              ///< nesting; at most 256 is honoured
  std::int64_t max_expires_in = 1'000'000'000;  ///< seconds (31 years): now + expires_in cannot overflow
};

namespace detail {

/// A set of bytes, built at compile time from literal characters, ranges and
/// other sets. A bool per byte rather than a bit: membership is one load.
class char_set {
 public:
  constexpr char_set() noexcept = default;
  constexpr explicit char_set(const char* chars) noexcept {
    for (; *chars != '\0'; ++chars) in_[static_cast<unsigned char>(*chars)] = true;
  }
  static constexpr char_set range(unsigned char first, unsigned char last) noexcept {
    char_set s;
    for (unsigned c = first; c <= last; ++c) s.in_[c] = true;
    return s;
  }
  constexpr bool contains(unsigned char c) const noexcept { return in_[c]; }
  constexpr bool includes(const char_set& other) const noexcept {
    for (unsigned c = 0; c < 256; ++c)
      if (other.in_[c] && !in_[c]) return false;
    return true;
  }

  friend constexpr char_set operator|(char_set a, const char_set& b) noexcept {
    for (unsigned c = 0; c < 256; ++c) a.in_[c] = a.in_[c] || b.in_[c];
    return a;
  }
  friend constexpr char_set operator-(char_set a, const char_set& b) noexcept {
    for (unsigned c = 0; c < 256; ++c) a.in_[c] = a.in_[c] && !b.in_[c];
    return a;
  }
  friend constexpr char_set operator|(const char_set& a, const char* chars) noexcept {
    return a | char_set(chars);
  }
  friend constexpr char_set operator-(const char_set& a, const char* chars) noexcept {
    return a - char_set(chars);
  }

 private:
  bool in_[256] = {};
};

/// The character sets of the grammars this library reads, each defined once
/// from smaller ones, under the RFC's own names.
namespace abnf {
// RFC 5234 Appendix B.1
inline constexpr char_set alpha = char_set::range('A', 'Z') | char_set::range('a', 'z');
inline constexpr char_set digit = char_set::range('0', '9');
inline constexpr char_set hexdig = digit | "ABCDEFabcdef";  // ABNF's "A" matches "a" too
inline constexpr char_set ctl = char_set::range(0x00, 0x1f) | "\x7f";
inline constexpr char_set vchar = char_set::range(0x21, 0x7e);

// RFC 3986 §2.2, §2.3, §3.2.2; RFC 7636 §4.1 builds the code_verifier from
// the same unreserved
inline constexpr char_set unreserved = alpha | digit | "-._~";
inline constexpr char_set sub_delims = char_set("!$&'()*+,;=");
inline constexpr char_set gen_delims = char_set(":/?#[]@");
inline constexpr char_set reg_name = unreserved | sub_delims;  // besides pct-encoded
/// What an IPv6address is written with: hex digits, ':' and a dotted IPv4 tail.
inline constexpr char_set ipv6_literal = hexdig | ":.";
/// Every character that may appear literally in a URI (§2).
inline constexpr char_set uri = unreserved | gen_delims | sub_delims | "%";

// RFC 6749 Appendix A
inline constexpr char_set vschar = vchar | " ";  // %x20-7E
inline constexpr char_set nqschar = vschar - "\"\\";
inline constexpr char_set nqchar = nqschar - " ";

// RFC 7230 §3.2.6
inline constexpr char_set tchar = alpha | digit | "!#$%&'*+-.^_`|~";
/// Controls a header field value or quoted-string refuses: HTAB is allowed.
inline constexpr char_set field_ctl = ctl - "\t";

// RFC 6750 §2.1: b64token, before its trailing '='
inline constexpr char_set b64token = unreserved | "+/";

// RFC 4648 §5, unpadded, as RFC 7636 §4.2 sends the S256 code_challenge
inline constexpr char_set base64url = alpha | digit | "-_";
}  // namespace abnf

constexpr bool is_alpha(unsigned char c) noexcept { return abnf::alpha.contains(c); }
constexpr bool is_digit(unsigned char c) noexcept { return abnf::digit.contains(c); }
constexpr bool is_hexdig(unsigned char c) noexcept { return abnf::hexdig.contains(c); }
constexpr bool is_unreserved(unsigned char c) noexcept { return abnf::unreserved.contains(c); }
constexpr bool is_sub_delim(unsigned char c) noexcept { return abnf::sub_delims.contains(c); }
constexpr bool is_reg_name_char(unsigned char c) noexcept { return abnf::reg_name.contains(c); }
constexpr bool is_uri_char(unsigned char c) noexcept { return abnf::uri.contains(c); }
constexpr bool is_vschar(unsigned char c) noexcept { return abnf::vschar.contains(c); }
constexpr bool is_nqschar(unsigned char c) noexcept { return abnf::nqschar.contains(c); }
constexpr bool is_nqchar(unsigned char c) noexcept { return abnf::nqchar.contains(c); }
constexpr bool is_b64token_char(unsigned char c) noexcept { return abnf::b64token.contains(c); }
constexpr bool is_tchar(unsigned char c) noexcept { return abnf::tchar.contains(c); }

/// True if UTF-8 text holds a control character: a CTL byte, or one of the C1
/// controls U+0080-U+009F (0xC2 followed by 0x80-0x9F).
inline bool has_control(std::string_view utf8) noexcept {
  constexpr unsigned char c1_lead = 0xc2;
  static constexpr char_set c1_trail = char_set::range(0x80, 0x9f);
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (abnf::ctl.contains(c)) return true;
    if (c == c1_lead && i + 1 < utf8.size() && c1_trail.contains(static_cast<unsigned char>(utf8[i + 1])))
      return true;
  }
  return false;
}

constexpr unsigned char hex_value(unsigned char c) noexcept {
  return static_cast<unsigned char>(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
}

inline bool all_of(std::string_view s, bool (*pred)(unsigned char) noexcept) noexcept {
  for (char ch : s)
    if (!pred(static_cast<unsigned char>(ch))) return false;
  return true;
}

inline bool all_of(std::string_view s, const char_set& set) noexcept {
  const auto in = [&set](char ch) -> unsigned { return set.contains(static_cast<unsigned char>(ch)); };
  std::size_t i = 0;
  // Four bytes a step and one branch: nearly every string checked passes.
  for (; s.size() - i >= 4; i += 4)
    if (!(in(s[i]) & in(s[i + 1]) & in(s[i + 2]) & in(s[i + 3]))) return false;
  for (; i < s.size(); ++i)
    if (!in(s[i])) return false;
  return true;
}

inline bool any_of(std::string_view s, const char_set& set) noexcept {
  return std::any_of(s.begin(), s.end(),
                     [&set](char ch) { return set.contains(static_cast<unsigned char>(ch)); });
}

constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a == b) return true;  // the usual case, one memcmp
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

/// Whether the whole of `value` is one decimal integer that fits `out`, put
/// there: no sign for an unsigned type, no '+', no space.
template <class Int>
bool parse_integer(std::string_view value, Int& out) noexcept {
  const auto parsed = std::from_chars(value.data(), value.data() + value.size(), out);
  return !value.empty() && parsed.ec == std::errc() && parsed.ptr == value.data() + value.size();
}

/// RFC 6750 §2.1 b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
inline bool is_b64token(std::string_view s) noexcept {
  std::size_t body = s.size();
  while (body > 0 && s[body - 1] == '=') --body;
  return body > 0 && all_of(s.substr(0, body), abnf::b64token);
}

/// Incremental UTF-8 validator (RFC 3629): rejects overlong forms, surrogates,
/// code points above U+10FFFF and truncated sequences.
class utf8_validator {
 public:
  bool feed(unsigned char c) noexcept {
    if (need_ == 0) {
      if (c < 0x80) return true;
      if (c >= 0xc2 && c <= 0xdf) {
        need_ = 1;
        lo_ = 0x80;
        hi_ = 0xbf;
        return true;
      }
      if (c >= 0xe0 && c <= 0xef) {
        need_ = 2;
        lo_ = c == 0xe0 ? 0xa0 : 0x80;
        hi_ = c == 0xed ? 0x9f : 0xbf;
        return true;
      }
      if (c >= 0xf0 && c <= 0xf4) {
        need_ = 3;
        lo_ = c == 0xf0 ? 0x90 : 0x80;
        hi_ = c == 0xf4 ? 0x8f : 0xbf;
        return true;
      }
      return false;
    }
    if (c < lo_ || c > hi_) return false;
    lo_ = 0x80;
    hi_ = 0xbf;
    --need_;
    return true;
  }
  bool complete() const noexcept { return need_ == 0; }

 private:
  unsigned need_ = 0;
  unsigned char lo_ = 0x80, hi_ = 0xbf;
};

inline bool is_valid_utf8(std::string_view s) noexcept {
  utf8_validator v;
  for (char ch : s)
    if (!v.feed(static_cast<unsigned char>(ch))) return false;
  return v.complete();
}

/// Which characters percent_encode leaves alone.
enum class encoding : std::uint8_t {
  uri,        ///< RFC 3986: unreserved stays, space is %20
  form,       ///< RFC 6749 App. B / HTML form: unreserved stays, space is '+'
  form_safe,  ///< Buffer's code: unreserved and '/' stay, everything else escaped
};

inline void percent_encode(std::string& out, std::string_view s, encoding mode) {
  static constexpr char hex[] = "0123456789ABCDEF";
  static constexpr char_set unreserved_and_slash = abnf::unreserved | "/";
  const char_set& stays = mode == encoding::form_safe ? unreserved_and_slash : abnf::unreserved;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;  // a run that stays as it is: one append
    while (j < s.size() && stays.contains(static_cast<unsigned char>(s[j]))) ++j;
    out.append(s, i, j - i);
    if (j == s.size()) break;
    const auto c = static_cast<unsigned char>(s[j]);
    if (mode == encoding::form && c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
    i = j + 1;
  }
}

/// Walks the bytes of a percent-encoded component without allocating.
/// `plus_is_space` selects form decoding (query strings, form bodies).
class percent_decoder {
 public:
  percent_decoder(std::string_view raw, bool plus_is_space) noexcept : raw_(raw), plus_(plus_is_space) {}
  /// Next decoded byte; false at the end or on a bad escape (see bad()).
  bool next(unsigned char& out) noexcept {
    if (pos_ >= raw_.size()) return false;
    const auto c = static_cast<unsigned char>(raw_[pos_]);
    if (c == '%') {
      if (raw_.size() - pos_ < 3 || !is_hexdig(static_cast<unsigned char>(raw_[pos_ + 1])) ||
          !is_hexdig(static_cast<unsigned char>(raw_[pos_ + 2]))) {
        bad_ = true;
        return false;
      }
      out = static_cast<unsigned char>(hex_value(static_cast<unsigned char>(raw_[pos_ + 1])) * 16 +
                                       hex_value(static_cast<unsigned char>(raw_[pos_ + 2])));
      pos_ += 3;
      return true;
    }
    out = (plus_ && c == '+') ? static_cast<unsigned char>(' ') : c;
    ++pos_;
    return true;
  }
  /// Steps over raw bytes in `literal`, a set without '%'; next() continues after them.
  void skip(const char_set& literal) noexcept {
    while (pos_ < raw_.size() && literal.contains(static_cast<unsigned char>(raw_[pos_]))) ++pos_;
  }
  bool bad() const noexcept { return bad_; }

 private:
  std::string_view raw_;
  std::size_t pos_ = 0;
  bool plus_;
  bool bad_ = false;
};

/// Checks a raw query/form component: escapes well formed, decoded bytes valid
/// UTF-8 without control characters. No allocation.
inline errc check_form_component(std::string_view raw) noexcept {
  // Printable ASCII other than '%' decodes to itself (or ' '): nothing to
  // check, wherever a UTF-8 sequence is not half read.
  static constexpr char_set plain_chars = abnf::vschar - "%";
  percent_decoder d(raw, true);
  utf8_validator utf8;
  unsigned char c = 0;
  for (;;) {
    if (utf8.complete()) d.skip(plain_chars);
    if (!d.next(c)) break;
    if (abnf::ctl.contains(c)) return errc::invalid_character;
    if (!utf8.feed(c)) return errc::invalid_utf8;
  }
  if (d.bad()) return errc::bad_percent_encoding;
  return utf8.complete() ? errc::ok : errc::invalid_utf8;
}

/// True if the raw component decodes to exactly `name` (no allocation).
inline bool form_component_equals(std::string_view raw, std::string_view name) noexcept {
  percent_decoder d(raw, true);
  std::size_t i = 0;
  unsigned char c = 0;
  while (d.next(c)) {
    if (i >= name.size() || static_cast<unsigned char>(name[i]) != c) return false;
    ++i;
  }
  return !d.bad() && i == name.size();
}

/// Decodes a component already accepted by check_form_component.
inline std::string decode_form_component(std::string_view raw) {
  std::string out(raw.size(), '\0');  // decoding never lengthens
  std::size_t n = 0;
  percent_decoder d(raw, true);
  for (unsigned char c = 0; d.next(c);) out[n++] = static_cast<char>(c);  // stops at a bad escape
  out.resize(n);
  return out;
}

/// One name=value piece of a query string or form body, still encoded.
struct form_pair {
  std::string_view name;
  std::string_view value;
};

/// Splits "a=1&b=2" on '&' only (';' is data), skipping empty pieces.
class form_reader {
 public:
  explicit form_reader(std::string_view s) noexcept : rest_(s) {}
  bool next(form_pair& out) noexcept {
    while (!rest_.empty()) {
      const auto amp = rest_.find('&');
      const auto piece = rest_.substr(0, amp);
      rest_ = amp == std::string_view::npos ? std::string_view() : rest_.substr(amp + 1);
      if (piece.empty()) continue;
      const auto eq = piece.find('=');
      out.name = piece.substr(0, eq);
      out.value = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
      return true;
    }
    return false;
  }

 private:
  std::string_view rest_;
};

/// How many pairs `reader` has yet to give; a copy reads them.
inline std::size_t count_pairs(form_reader reader) noexcept {
  std::size_t n = 0;
  for (form_pair pair; reader.next(pair);) ++n;
  return n;
}

/// An absolute http(s) URL split into views of the input.
struct url_parts {
  std::string_view scheme;  ///< as written; compare case-insensitively
  std::string_view host;    ///< reg-name, IPv4, or "[...]" IPv6 literal
  std::string_view port;    ///< digits, or empty
  std::string_view path;
  std::string_view query;  ///< without '?'
  std::string_view fragment;
  bool has_query = false;
  bool has_fragment = false;
  std::uint16_t effective_port = 0;  ///< port, or 80/443 by scheme
  bool https() const noexcept { return iequals(scheme, "https"); }
};

/// Only RFC 3986 characters: no raw space, TAB, CR, LF, backslash or non-ASCII.
inline result<void> check_url_characters(std::string_view url, errc bad) {
  if (!all_of(url, abnf::uri)) return fail(bad, "URL has a character RFC 3986 does not allow");
  return {};
}

/// Fills in path, query and fragment from what follows a URL's authority,
/// whose characters check_url_characters has accepted.
inline result<void> split_path_query_fragment(std::string_view rest, url_parts& p, errc bad) {
  const auto hash = rest.find('#');
  if (hash != std::string_view::npos) {
    p.has_fragment = true;
    p.fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
    if (p.fragment.find('#') != std::string_view::npos) return fail(bad, "URL has two '#'");
  }
  const auto q = rest.find('?');
  if (q != std::string_view::npos) {
    p.has_query = true;
    p.query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  p.path = rest;
  return {};
}

/// Splits an absolute http(s) URL. Strict: only RFC 3986 characters (no raw
/// space, TAB, CR, LF, backslash or non-ASCII), no userinfo, a non-empty
/// host, a port of at most 65535. Errors carry `bad` (e.g. invalid_redirect_uri).
inline result<url_parts> split_url(std::string_view url, errc bad, std::size_t max) {
  if (url.size() > max) return over_limit("URL", url.size(), "bytes", max);
  if (auto ok = check_url_characters(url, bad); !ok) return ok.error();
  url_parts p;
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) return fail(bad, "URL is not absolute");
  p.scheme = url.substr(0, colon);
  const bool https = iequals(p.scheme, "https");
  if (!https && !iequals(p.scheme, "http")) return fail(bad, "URL scheme is not http or https");
  auto rest = url.substr(colon + 3);
  static constexpr char_set authority_end("/?#");  // find_first_of, without a memchr per byte
  std::size_t auth_end = 0;
  while (auth_end < rest.size() && !authority_end.contains(static_cast<unsigned char>(rest[auth_end])))
    ++auth_end;
  if (auth_end == rest.size()) auth_end = std::string_view::npos;
  const auto authority = rest.substr(0, auth_end);
  rest = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (authority.find('@') != std::string_view::npos) return fail(bad, "URL has userinfo");
  std::string_view hostport = authority;
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos || close < 3) return fail(bad, "URL IPv6 literal");
    if (!all_of(hostport.substr(1, close - 1), abnf::ipv6_literal)) return fail(bad, "URL IPv6 literal");
    p.host = hostport.substr(0, close + 1);
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport.front() != ':') return fail(bad, "URL authority");
  } else {
    const auto c = hostport.find(':');
    p.host = hostport.substr(0, c);
    hostport = c == std::string_view::npos ? std::string_view() : hostport.substr(c);
    if (!all_of(p.host, abnf::reg_name)) return fail(bad, "URL host");
  }
  if (p.host.empty()) return fail(bad, "URL has no host");
  if (!hostport.empty()) {
    p.port = hostport.substr(1);
    if (p.port.empty() || p.port.size() > 5 || !all_of(p.port, abnf::digit)) return fail(bad, "URL port");
    unsigned long v = 0;
    for (char ch : p.port) v = v * 10 + static_cast<unsigned long>(ch - '0');
    if (v == 0 || v > 65535) return fail(bad, "URL port");
    p.effective_port = static_cast<std::uint16_t>(v);
  } else {
    p.effective_port = https ? 443 : 80;
  }
  if (auto ok = split_path_query_fragment(rest, p, bad); !ok) return ok.error();
  return p;
}

/// RFC 8252 §7.3 loopback IP literal: 127.0.0.0/8 dotted quad, or [::1].
inline bool is_loopback_ip(std::string_view host) noexcept {
  if (host == "[::1]") return true;
  int parts = 0;
  std::size_t i = 0;
  unsigned first = 0;
  while (parts < 4) {
    if (i >= host.size() || !is_digit(static_cast<unsigned char>(host[i]))) return false;
    unsigned v = 0;
    std::size_t digits = 0;
    while (i < host.size() && is_digit(static_cast<unsigned char>(host[i])) && digits < 4) {
      v = v * 10 + static_cast<unsigned>(host[i] - '0');
      ++i;
      ++digits;
    }
    if (digits > 3 || v > 255 || (digits > 1 && host[i - digits] == '0')) return false;
    if (parts == 0) first = v;
    ++parts;
    if (parts < 4) {
      if (i >= host.size() || host[i] != '.') return false;
      ++i;
    }
  }
  return i == host.size() && first == 127;
}

/// Same scheme, host (both case-insensitive) and effective port.
inline bool same_origin(const url_parts& a, const url_parts& b) noexcept {
  return iequals(a.scheme, b.scheme) && iequals(a.host, b.host) && a.effective_port == b.effective_port;
}

/// Appends "name=value" to a URL's query or to a form body, with '&' unless
/// the query (what follows the first '?') or the body is empty or ends with
/// '&'. In a caller's form body (`body`) a '?' is data: "text=Really?" gets
/// "&name=value".
inline void append_pair(std::string& out, std::string_view name, std::string_view value, encoding mode,
                        bool body = false) {
  const std::size_t mark = body ? std::string::npos : out.find('?');
  // cppcheck-suppress containerOutOfBounds ; false positive: size() > 0 is checked first
  if (out.size() > (mark == std::string::npos ? 0 : mark + 1) && out.back() != '&') out += '&';
  out += name;
  out += '=';
  percent_encode(out, value, mode);
}

}  // namespace detail

// ============================================================================
// 3. JSON
// ============================================================================
//
// A strict RFC 8259 reader. It validates the whole document in one iterative
// pass (no recursion, depth bounded) and hands back views of the top-level
// members the caller asked for. Nested values are read from those views
// without validating again: the elements of an array, the members of an
// object, an array of strings. Nothing is allocated unless a string holding
// escapes must be decoded or strings are collected.

namespace detail {

enum class json_type : std::uint8_t { absent, null, boolean, number, string, object, array };

/// A top-level member value. For strings `raw` is the text between the quotes
/// (escapes not yet decoded); for other scalars the literal; for containers
/// the whole text.
struct json_value {
  json_type type = json_type::absent;
  std::string_view raw;
  bool escaped = false;
};

/// A member the caller wants: `name` in, value and occurrence count out.
struct json_slot {
  std::string_view name;
  json_value value;
  unsigned count = 0;
};

/// Reads a \u escape: `i` is just after the "\u", and a high surrogate must
/// be followed by "\u" and a low one (RFC 8259 §7). Sets the code point and
/// leaves `i` after the escape; malformed_json for a missing or bad hex digit,
/// invalid_surrogate for a surrogate without its partner.
inline errc read_u_escape(std::string_view s, std::size_t& i, std::uint32_t& cp) noexcept {
  auto hex4 = [&](std::uint32_t& v) {
    if (s.size() - i < 4) return false;
    v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const auto h = static_cast<unsigned char>(s[i + k]);
      if (!is_hexdig(h)) return false;
      v = v * 16 + hex_value(h);
    }
    i += 4;
    return true;
  };
  if (!hex4(cp)) return errc::malformed_json;
  if (cp >= 0xdc00 && cp <= 0xdfff) return errc::invalid_surrogate;
  if (cp >= 0xd800 && cp <= 0xdbff) {
    if (s.size() - i < 2 || s[i] != '\\' || s[i + 1] != 'u') return errc::invalid_surrogate;
    i += 2;
    std::uint32_t low = 0;
    if (!hex4(low)) return errc::malformed_json;
    if (low < 0xdc00 || low > 0xdfff) return errc::invalid_surrogate;
    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
  }
  return errc::ok;
}

/// Decodes the escapes of a string already validated by json_scan.
inline std::string json_unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t escape = std::min(raw.find('\\', i), raw.size());
    out.append(raw, i, escape - i);  // the text up to the next escape, in one append
    if (escape == raw.size()) break;
    i = escape + 1;
    const char e = raw[i++];
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        std::uint32_t cp = 0;
        read_u_escape(raw, i, cp);  // validated: cannot fail
        if (cp < 0x80) {
          out += static_cast<char>(cp);
        } else if (cp < 0x800) {
          out += static_cast<char>(0xc0 | (cp >> 6));
          out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
          out += static_cast<char>(0xe0 | (cp >> 12));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
          out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
          out += static_cast<char>(0xf0 | (cp >> 18));
          out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
          out += static_cast<char>(0x80 | (cp & 0x3f));
        }
        break;
      }
      default: out += e; break;  // '"', '\\', '/'
    }
  }
  return out;
}

/// Whether a member name as it appears in a validated document (`raw`, between
/// the quotes, with `esc` saying it holds escapes) is `want`.
inline bool json_name_equals(std::string_view raw, bool esc, std::string_view want) noexcept {
  if (!esc) return raw == want;
  if (raw.size() > 6 * want.size()) return false;  // an ASCII character takes at most 6 bytes
  // Decoded one character at a time and compared as it comes: no buffer, no length limit.
  std::size_t n = 0;
  for (std::size_t i = 0; i < raw.size(); ++n) {
    unsigned char c = static_cast<unsigned char>(raw[i++]);
    if (c == '\\') {
      const char e = raw[i++];
      if (e == 'u') {
        std::uint32_t cp = 0;
        read_u_escape(raw, i, cp);     // validated: cannot fail
        if (cp >= 0x80) return false;  // OAuth member names are ASCII
        c = static_cast<unsigned char>(cp);
      } else {
        c = static_cast<unsigned char>(e == 'b'   ? '\b'
                                       : e == 'f' ? '\f'
                                       : e == 'n' ? '\n'
                                       : e == 'r' ? '\r'
                                       : e == 't' ? '\t'
                                                  : e);
      }
    }
    if (n >= want.size() || static_cast<unsigned char>(want[n]) != c) return false;
  }
  return n == want.size();
}

/// The slot named `name` (as json_name_equals takes it), or null.
inline json_slot* json_find_slot(std::string_view name, bool esc, json_slot* slots,
                                 std::size_t nslots) noexcept {
  for (std::size_t k = 0; k < nslots; ++k)  // slot names are distinct: stop at the match
    if (json_name_equals(name, esc, slots[k].name)) return &slots[k];
  return nullptr;
}

/// Eight bytes as a little-endian word, assembled byte by byte so that it
/// means the same on any host (compilers turn it into one load).
inline std::uint64_t load_le64(const char* p) noexcept {
  const auto b = [p](int k) { return std::uint64_t{static_cast<unsigned char>(p[k])} << (8 * k); };
  return b(0) | b(1) | b(2) | b(3) | b(4) | b(5) | b(6) | b(7);
}

/// The first `n` (< 8) bytes at `p` as load_le64 reads them, the missing
/// high bytes filled with `fill`.
inline std::uint64_t load_le64_partial(const char* p, std::size_t n, unsigned char fill) noexcept {
  std::uint64_t x = 0;
  for (std::size_t k = 8; k-- > 0;) x = (x << 8) | (k < n ? static_cast<unsigned char>(p[k]) : fill);
  return x;
}

/// Whether the `n` bytes at `a` and at `b` are the same: eight at a time, the
/// last eight overlapping the ones before, as member names are compared often.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  if (n < 8) {
    for (std::size_t k = 0; k < n; ++k)
      if (a[k] != b[k]) return false;
    return true;
  }
  for (std::size_t k = 0; k + 8 < n; k += 8)
    if (load_le64(a + k) != load_le64(b + k)) return false;
  return load_le64(a + n - 8) == load_le64(b + n - 8);
}

/// The index (0-7) of the lowest byte flagged in `m`, a word whose flags are
/// bit 7 of each byte: isolate the lowest flag, then let a multiplication
/// carry that byte's index into the top byte.
inline std::size_t lowest_flagged_byte(std::uint64_t m) noexcept {
  return static_cast<std::size_t>((((m & (0 - m)) >> 7) * 0x0001020304050607u) >> 56);
}

/// The strict reader behind json_read: one pass, iterative, errors with the
/// offset of the offending byte.
class json_scanner {
 public:
  json_scanner(std::string_view doc, std::size_t max_depth) noexcept
      : begin_(doc.data()),
        end_(doc.data() + doc.size()),
        max_depth_(max_depth < kMaxDepth ? max_depth : kMaxDepth) {}

  /// Validates the whole document; fills `slots` with top-level object members.
  /// Returns the top-level type, or absent with error() set.
  json_type scan(json_slot* slots, std::size_t nslots) noexcept {
    json_type top = json_type::absent;
    // The slot of the top-level member whose value is being read; null
    // elsewhere, and once the value is recorded.
    json_slot* member_slot = nullptr;
    bool name_next = false;  // an object member starts here: its name first
    const char* p = skip_ws(begin_);
    if (p == end_) return fail(errc::empty_body, p);
    for (;;) {
      if (name_next && (p = member_name(p, slots, nslots, member_slot)) == nullptr) return json_type::absent;
      // A value starts here.
      p = skip_ws(p);
      if (p == end_) return fail(errc::malformed_json, p);
      const char* const value_start = p;
      bool escaped = false;
      json_type t;
      switch (*p) {
        case '{':
        case '[': {
          const bool object = *p == '{';
          t = object ? json_type::object : json_type::array;
          if (depth_ == max_depth_) return fail(errc::depth_exceeded, p);
          push(object, p, member_slot);
          if (depth_ == 1) top = t;
          p = skip_ws(p + 1);
          if (p != end_ && *p == (object ? '}' : ']')) {
            ++p;
            pop(member_slot);
            break;
          }
          name_next = object;
          continue;
        }
        case '"':
          t = json_type::string;
          p = string(p, escaped);
          break;
        case 't':
          t = json_type::boolean;
          p = literal(p, "true");
          break;
        case 'f':
          t = json_type::boolean;
          p = literal(p, "false");
          break;
        case 'n':
          t = json_type::null;
          p = literal(p, "null");
          break;
        default:
          if (*p != '-' && !is_digit(static_cast<unsigned char>(*p))) return fail(errc::malformed_json, p);
          t = json_type::number;
          p = number(p);
          break;
      }
      if (p == nullptr) return json_type::absent;
      if (member_slot != nullptr) {
        record(member_slot, t, value_start, p, escaped);
      } else if (depth_ == 0) {
        top = t;
      }
      // After a value: close containers, or expect the next element.
      for (;;) {
        p = skip_ws(p);
        if (depth_ == 0) {
          if (p != end_) return fail(errc::malformed_json, p);
          return top;
        }
        if (p == end_) return fail(errc::malformed_json, p);
        const char d = *p++;
        if (d == ',') {
          name_next = in_object_;
          break;
        }
        if (d != (in_object_ ? '}' : ']')) return fail(errc::malformed_json, p - 1);
        pop(member_slot);
        if (member_slot != nullptr) record(member_slot, container_type_closed_, container_start_, p, false);
      }
    }
  }

  errc error() const noexcept { return err_; }
  /// Where the scan stopped on error(): the offending byte, or the end.
  std::size_t error_offset() const noexcept { return error_offset_; }
  std::size_t max_depth() const noexcept { return max_depth_; }

  /// The first byte at or after `p` (before `end`) that a string body must
  /// look at: '"', '\\', a control character or a non-ASCII byte; `end` if
  /// none. Eight bytes at a time: plain ASCII needs no other check.
  static const char* skip_plain(const char* p, const char* end) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (;; p += 8) {
      const auto left = static_cast<std::size_t>(end - p);
      // Past the end the word is padded with spaces, which are plain.
      const std::uint64_t x = left >= 8 ? load_le64(p) : load_le64_partial(p, left, ' ');
      const std::uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
      // Bit 7 of a byte ends up set if the byte is non-ASCII (x), or, for an
      // ASCII byte, if subtracting wraps: below 0x20, or 0 after the XOR. A
      // borrow may flag a byte above a true match, never below it, so the
      // lowest flag is exact.
      const std::uint64_t special = ((x - ones * 0x20) | (quote - ones) | (backslash - ones) | x) & highs;
      if (special != 0) return p + lowest_flagged_byte(special);
      if (left <= 8) return end;
    }
  }

 private:
  static constexpr std::size_t kMaxDepth = 256;

  const char* skip_ws(const char* p) const noexcept {
    if (p != end_ && static_cast<unsigned char>(*p) > ' ') return p;  // the usual case
    while (p != end_ && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    return p;
  }
  json_type fail(errc e, const char* at) noexcept {
    err_ = e;
    error_offset_ = static_cast<std::size_t>(at - begin_);
    return json_type::absent;
  }
  const char* failp(errc e, const char* at) noexcept {
    fail(e, at);
    return nullptr;
  }
  // Opens a container at `at`. One opened by a top-level member's value
  // takes that member's slot along until it closes.
  void push(bool object, const char* at, json_slot*& member_slot) noexcept {
    if (depth_ == 1) {
      container_start_ = at;
      container_slot_ = member_slot;
      member_slot = nullptr;
    }
    const std::size_t d = depth_++;
    auto& word = stack_[d / 64];
    const auto bit = std::uint64_t{1} << (d % 64);
    word = object ? (word | bit) : (word & ~bit);
    in_object_ = object;
  }
  void pop(json_slot*& member_slot) noexcept {
    const bool closed_object = in_object_;
    if (--depth_ == 0) return;
    const std::size_t d = depth_ - 1;
    in_object_ = (stack_[d / 64] >> (d % 64)) & 1;
    if (depth_ == 1) {
      container_type_closed_ = closed_object ? json_type::object : json_type::array;
      member_slot = container_slot_;
    }
  }

  // The slot named `name` (between the quotes; `esc` if it holds escapes), or null.
  static json_slot* find_slot(std::string_view name, bool esc, json_slot* slots,
                              std::size_t nslots) noexcept {
    if (esc) return json_find_slot(name, esc, slots, nslots);
    // Without escapes the name is its bytes: the length rules out most slots at once.
    for (json_slot* slot = slots; slot != slots + nslots; ++slot)
      if (slot->name.size() == name.size() && same_bytes(slot->name.data(), name.data(), name.size()))
        return slot;  // slot names are distinct
    return nullptr;
  }

  // Reads `"name" :` at any level; at the top level it also picks the name's slot.
  const char* member_name(const char* p, json_slot* slots, std::size_t nslots, json_slot*& chosen) noexcept {
    p = skip_ws(p);
    if (p == end_ || *p != '"') return failp(errc::malformed_json, p);
    const char* const start = p + 1;
    bool esc = false;
    if ((p = string(p, esc)) == nullptr) return nullptr;
    if (depth_ == 1)
      chosen =
          find_slot(std::string_view(start, static_cast<std::size_t>(p - 1 - start)), esc, slots, nslots);
    p = skip_ws(p);
    if (p == end_ || *p != ':') return failp(errc::malformed_json, p);
    return p + 1;
  }

  void record(json_slot*& slot, json_type t, const char* start, const char* stop, bool escaped) noexcept {
    ++slot->count;
    slot->value.type = t;
    slot->value.escaped = escaped;
    if (t == json_type::string) ++start, --stop;  // between the quotes
    slot->value.raw = std::string_view(start, static_cast<std::size_t>(stop - start));
    slot = nullptr;
  }

  // At the opening quote; returns the byte after the closing quote.
  const char* string(const char* p, bool& escaped) noexcept {
    p = skip_plain(p + 1, end_);
    if (p != end_ && *p == '"') return p + 1;  // the usual string: plain ASCII
    return string_rest(p, escaped);
  }

  // At the first byte of a string body skip_plain stopped at.
  const char* string_rest(const char* p, bool& escaped) noexcept {
    for (;; p = skip_plain(p, end_)) {
      if (p == end_) return failp(errc::malformed_json, p);
      const char* const at = p;
      const auto c = static_cast<unsigned char>(*p++);
      if (c == '"') return p;
      if (c == '\\') {
        escaped = true;
        if (p == end_) return failp(errc::malformed_json, p);
        const char e = *p++;
        if (e == 'u') {
          const std::string_view doc(begin_, static_cast<std::size_t>(end_ - begin_));
          std::size_t i = static_cast<std::size_t>(p - begin_);
          std::uint32_t cp = 0;
          if (const errc bad = read_u_escape(doc, i, cp); bad != errc::ok) return failp(bad, at);
          p = begin_ + i;
        } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
                   e != 't') {
          return failp(errc::malformed_json, at);
        }
        continue;
      }
      if (c < 0x20) return failp(errc::malformed_json, at);
      // A non-ASCII byte: the whole UTF-8 sequence it starts, here.
      utf8_validator utf8;
      if (!utf8.feed(c)) return failp(errc::invalid_utf8, at);
      while (!utf8.complete()) {
        if (p == end_) return failp(errc::malformed_json, p);
        const auto next = static_cast<unsigned char>(*p);
        if (!utf8.feed(next)) return failp(next < 0x20 ? errc::malformed_json : errc::invalid_utf8, p);
        ++p;
      }
    }
  }

  const char* digits(const char* p) const noexcept {
    while (p != end_ && is_digit(static_cast<unsigned char>(*p))) ++p;
    return p;
  }

  const char* number(const char* p) noexcept {
    if (*p == '-') ++p;
    if (p == end_ || !is_digit(static_cast<unsigned char>(*p))) return failp(errc::malformed_json, p);
    if (*p++ != '0') p = digits(p);  // no leading zeros: a 0 stands alone
    if (p != end_ && *p == '.') {
      const char* const first = ++p;
      if ((p = digits(p)) == first) return failp(errc::malformed_json, p);
    }
    if (p != end_ && (*p == 'e' || *p == 'E')) {
      ++p;
      if (p != end_ && (*p == '+' || *p == '-')) ++p;
      const char* const first = p;
      if ((p = digits(p)) == first) return failp(errc::malformed_json, p);
    }
    return p;
  }

  const char* literal(const char* p, std::string_view word) noexcept {
    if (static_cast<std::size_t>(end_ - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0)
      return failp(errc::malformed_json, p);
    return p + word.size();
  }

  const char* begin_;
  const char* end_;
  std::size_t depth_ = 0;
  std::size_t max_depth_;
  bool in_object_ = false;  // whether the innermost open container is an object
  std::array<std::uint64_t, kMaxDepth / 64> stack_{};
  const char* container_start_ = nullptr;
  json_slot* container_slot_ = nullptr;
  json_type container_type_closed_ = json_type::absent;
  errc err_ = errc::ok;
  std::size_t error_offset_ = 0;
};

/// RFC 8259 §8.1 forbids a byte order mark; some servers send one anyway.
inline bool starts_with_byte_order_mark(std::string_view doc) noexcept {
  return doc.substr(0, 3) == "\xEF\xBB\xBF";
}

inline error byte_order_mark_error(errc code) {
  error e;
  e.code = code;
  e.message = "the body starts with a byte order mark (EF BB BF); JSON must not";
  return e;
}

/// The scanner's error with where it stopped: "the body is not valid JSON at
/// byte 17", counted from 0.
inline error json_syntax_error(std::string_view doc, const json_scanner& scanner) {
  const errc code = scanner.error();
  const std::size_t at = scanner.error_offset();
  if (code == errc::empty_body) return fail(code);
  if (code == errc::depth_exceeded)
    return over_limit("JSON nesting at byte " + std::to_string(at), scanner.max_depth() + 1, "levels",
                      scanner.max_depth(), code);
  if (at == 0 && starts_with_byte_order_mark(doc)) return byte_order_mark_error(code);
  error e;
  e.code = code;
  e.message.assign(message(code));
  if (at < doc.size())
    e.message += " at byte " + std::to_string(at);
  else
    e.message += ": it ends at byte " + std::to_string(at) + ", before the JSON does";
  return e;
}

/// Validates `doc` and fills the slots from its top-level object.
inline result<json_type> json_read(std::string_view doc, json_slot* slots, std::size_t nslots,
                                   const limits& lim) {
  if (doc.size() > lim.max_body) return over_limit("JSON body", doc.size(), "bytes", lim.max_body);
  json_scanner scanner(doc, lim.max_json_depth);
  const json_type t = scanner.scan(slots, nslots);
  if (t == json_type::absent) return json_syntax_error(doc, scanner);
  return t;
}

/// The member named `name`, or an error if it appears more than once.
inline result<json_value> json_member(const json_slot* slots, std::size_t nslots, std::string_view name) {
  for (std::size_t k = 0; k < nslots; ++k) {
    if (slots[k].name != name) continue;
    if (slots[k].count > 1) return fail(errc::duplicate_member, name);
    return slots[k].value;
  }
  return json_value{};
}

inline std::string json_string(const json_value& v) {
  return v.escaped ? json_unescape(v.raw) : std::string(v.raw);
}

/// json_string into `out`, reusing its buffer when the text has no escapes.
inline void assign_json_string(std::string& out, const json_value& v) {
  if (v.escaped)
    out = json_unescape(v.raw);
  else
    out.assign(v.raw);
}

/// Steps through the elements of an array value, or the members of an object
/// value, taken from a document json_read accepted. It trusts that validation
/// and only keeps within bounds: a value that is not such a container yields
/// nothing. Element values are described as json_value describes members.
class json_elements {
 public:
  explicit json_elements(const json_value& container) noexcept {
    const std::string_view raw = container.raw;
    const bool array = container.type == json_type::array, object = container.type == json_type::object;
    if ((array || object) && raw.size() >= 2 && raw.front() == (array ? '[' : '{') &&
        raw.back() == (array ? ']' : '}'))
      s_ = raw.substr(1, raw.size() - 2);  // between the brackets
  }

  /// The next array element; false after the last.
  bool next(json_value& element) noexcept {
    skip_ws();
    if (at_end()) return false;
    const char c = s_[i_];
    const std::size_t start = i_;
    element.escaped = false;
    if (c == '"') {
      element.type = json_type::string;
      element.raw = string(element.escaped);
    } else {
      element.type = c == '{'               ? json_type::object
                     : c == '['             ? json_type::array
                     : c == 't' || c == 'f' ? json_type::boolean
                     : c == 'n'             ? json_type::null
                                            : json_type::number;
      if (c == '{' || c == '[')
        skip_container();
      else
        while (!at_end() && !is_delimiter(s_[i_])) ++i_;
      element.raw = s_.substr(start, i_ - start);
    }
    skip_ws();
    if (!at_end() && s_[i_] == ',') ++i_;
    return true;
  }

  /// The next object member: its name as written (between the quotes) and
  /// whether that holds escapes, and its value; false after the last.
  bool next_member(std::string_view& name, bool& name_escaped, json_value& value) noexcept {
    skip_ws();
    if (at_end() || s_[i_] != '"') return false;
    name_escaped = false;
    name = string(name_escaped);
    skip_ws();
    if (at_end() || s_[i_] != ':') return false;
    ++i_;
    return next(value);
  }

 private:
  bool at_end() const noexcept { return i_ >= s_.size(); }
  void skip_ws() noexcept {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  static bool is_delimiter(char c) noexcept {
    return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  // At the opening quote; returns the text between the quotes.
  std::string_view string(bool& escaped) noexcept {
    const std::size_t start = ++i_;
    while (!at_end()) {
      const char c = s_[i_++];
      if (c == '"') return s_.substr(start, i_ - 1 - start);
      if (c == '\\') {
        escaped = true;
        if (!at_end()) ++i_;  // the escaped character cannot end the string
      }
    }
    return s_.substr(start);
  }

  // At '{' or '['; leaves i_ after the bracket that closes it. Brackets inside
  // strings do not count.
  void skip_container() noexcept {
    std::size_t depth = 0;
    while (!at_end()) {
      const char c = s_[i_];
      if (c == '"') {
        bool ignored = false;
        string(ignored);
        continue;
      }
      ++i_;
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return;
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

/// Fills `slots` from the members of an object value, as json_read does at the
/// top level: the last occurrence's value and the count, so json_member can
/// refuse a repeated name. The slots start empty; anything but an object
/// fills nothing.
inline void json_read_object(const json_value& object, json_slot* slots, std::size_t nslots) noexcept {
  json_elements members(object);
  std::string_view name;
  bool escaped = false;
  json_value value;
  while (members.next_member(name, escaped, value)) {
    for (std::size_t k = 0; k < nslots; ++k) {
      if (!json_name_equals(name, escaped, slots[k].name)) continue;
      ++slots[k].count;
      slots[k].value = value;
      break;
    }
  }
}

/// Calls `each` with every element of the array `member`, which must hold only
/// strings: invalid_member_type for anything else, too_large for more than
/// `max_count` elements.
template <class Each>
result<void> json_each_string(const json_value& array, std::size_t max_count, std::string_view member,
                              Each each) {
  if (array.type != json_type::array) return fail(errc::invalid_member_type, member);
  json_elements elements(array);
  json_value element;
  for (std::size_t n = 0; elements.next(element);) {
    if (element.type != json_type::string) return fail(errc::invalid_member_type, member);
    if (++n > max_count) {
      for (json_value rest; elements.next(rest);) ++n;
      return over_limit(member, n, "elements", max_count);
    }
    each(element);
  }
  return {};
}

/// The decoded strings of the array `member` (see json_each_string).
inline result<std::vector<std::string>> json_string_array(const json_value& array, std::size_t max_count,
                                                          std::string_view member) {
  std::vector<std::string> out;
  auto read =
      json_each_string(array, max_count, member, [&](const json_value& s) { out.push_back(json_string(s)); });
  if (!read) return read.error();
  return out;
}

/// Whether the array of strings `member` holds `wanted` (see json_each_string).
inline result<bool> json_string_array_contains(const json_value& array, std::size_t max_count,
                                               std::string_view member, std::string_view wanted) {
  bool found = false;
  auto read = json_each_string(array, max_count, member, [&](const json_value& s) {
    found = found || (s.escaped ? json_unescape(s.raw) == wanted : s.raw == wanted);
  });
  if (!read) return read.error();
  return found;
}

/// Appends `text`, the value of `what`, as a JSON string (RFC 8259 §7): '"'
/// and '\\' escaped, every control character as \u00XX, the rest (UTF-8
/// included) as it is. Text that is not valid UTF-8 is refused with
/// invalid_utf8 and nothing is appended.
inline result<void> append_json_string(std::string& out, std::string_view text, std::string_view what) {
  if (!is_valid_utf8(text)) return fail(errc::invalid_utf8, what);
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
  return {};
}

}  // namespace detail

// ============================================================================
// 4. PKCE and state
// ============================================================================

namespace detail {

/// SHA-256 (FIPS 180-4).
class sha256 {
 public:
  void update(const void* data, std::size_t n) noexcept {
    const auto* p = static_cast<const unsigned char*>(data);
    total_ += n;
    while (n > 0) {
      const std::size_t take = (64 - used_) < n ? (64 - used_) : n;
      std::memcpy(buf_.data() + used_, p, take);
      used_ += take;
      p += take;
      n -= take;
      if (used_ == 64) {
        compress(buf_.data());
        used_ = 0;
      }
    }
  }
  void update(std::string_view s) noexcept { update(s.data(), s.size()); }

  std::array<unsigned char, 32> finish() noexcept {
    const std::uint64_t bits = total_ * 8;
    buf_[used_++] = 0x80;
    if (used_ > 56) {
      std::memset(buf_.data() + used_, 0, 64 - used_);
      compress(buf_.data());
      used_ = 0;
    }
    std::memset(buf_.data() + used_, 0, 56 - used_);
    for (std::size_t k = 0; k < 8; ++k) buf_[56 + k] = static_cast<unsigned char>(bits >> (56 - 8 * k));
    compress(buf_.data());
    std::array<unsigned char, 32> out{};
    for (std::size_t k = 0; k < 8; ++k)
      for (std::size_t b = 0; b < 4; ++b) out[4 * k + b] = static_cast<unsigned char>(h_[k] >> (24 - 8 * b));
    return out;
  }

 private:
  static constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept { return (x >> n) | (x << (32 - n)); }

  // One FIPS 180-4 round that renames the working variables instead of
  // shifting them: eight calls with rotated arguments make the a..h shuffle.
  static void round(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t& d, std::uint32_t e,
                    std::uint32_t f, std::uint32_t g, std::uint32_t& h, std::uint32_t k_plus_w) noexcept {
    // Ch and Maj in their equivalent forms with one operation fewer each.
    const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + (g ^ (e & (f ^ g))) + k_plus_w;
    const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) | (c & (a | b)));
    d += t1;
    h = t1 + t2;
  }

  void compress(const unsigned char* block) noexcept {
    // clang-format off: FIPS 180-4's constants and round, laid out as the standard does
    static constexpr std::uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    std::uint32_t w[64];
    for (std::size_t t = 0; t < 16; ++t)
      w[t] = (std::uint32_t{block[4 * t]} << 24) | (std::uint32_t{block[4 * t + 1]} << 16) |
             (std::uint32_t{block[4 * t + 2]} << 8) | std::uint32_t{block[4 * t + 3]};
    for (std::size_t t = 16; t < 64; ++t) {
      const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (std::size_t t = 0; t < 64; t += 8) {
      round(a, b, c, d, e, f, g, h, k[t] + w[t]);
      round(h, a, b, c, d, e, f, g, k[t + 1] + w[t + 1]);
      round(g, h, a, b, c, d, e, f, k[t + 2] + w[t + 2]);
      round(f, g, h, a, b, c, d, e, k[t + 3] + w[t + 3]);
      round(e, f, g, h, a, b, c, d, k[t + 4] + w[t + 4]);
      round(d, e, f, g, h, a, b, c, k[t + 5] + w[t + 5]);
      round(c, d, e, f, g, h, a, b, k[t + 6] + w[t + 6]);
      round(b, c, d, e, f, g, h, a, k[t + 7] + w[t + 7]);
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
    h_[5] += f;
    h_[6] += g;
    h_[7] += h;
    // clang-format on
  }

  std::array<std::uint32_t, 8> h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> buf_{};
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace detail

using digest = std::array<unsigned char, 32>;

/// SHA-256 of `data`.
inline digest sha256(std::string_view data) noexcept {
  detail::sha256 h;
  h.update(data);
  return h.finish();
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
inline digest hmac_sha256(std::string_view key, std::string_view message) noexcept {
  std::array<unsigned char, 64> block{};
  if (key.size() > 64) {
    const digest k = sha256(key);
    std::memcpy(block.data(), k.data(), k.size());
  } else if (!key.empty()) {
    std::memcpy(block.data(), key.data(), key.size());
  }
  std::array<unsigned char, 64> pad{};
  for (std::size_t i = 0; i < 64; ++i) pad[i] = static_cast<unsigned char>(block[i] ^ 0x36);
  detail::sha256 inner;
  inner.update(pad.data(), pad.size());
  inner.update(message);
  const digest ih = inner.finish();
  for (std::size_t i = 0; i < 64; ++i) pad[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
  detail::sha256 outer;
  outer.update(pad.data(), pad.size());
  outer.update(ih.data(), ih.size());
  return outer.finish();
}

/// Compares without an early exit: time depends only on the length.
inline bool constant_time_equal(const unsigned char* a, const unsigned char* b, std::size_t n) noexcept {
  unsigned char diff = 0;
  for (std::size_t i = 0; i < n; ++i) diff = static_cast<unsigned char>(diff | (a[i] ^ b[i]));
  return diff == 0;
}

/// Whether `received` equals `expected`, in a time that depends only on
/// `expected`'s length (public: the caller made it), never on the received
/// bytes, on how many of them match or on the received length. Every
/// expected byte is compared once, with the received byte at its index or,
/// past the received end, with 0; a length difference is folded into the
/// same accumulator, so there is no early exit.
inline bool secure_equals(std::string_view received, std::string_view expected) noexcept {
  const std::size_t n = received.size();
  std::size_t diff = n ^ expected.size();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto r = static_cast<unsigned char>(i < n ? received[i] : 0);
    diff |= static_cast<unsigned char>(r ^ static_cast<unsigned char>(expected[i]));
  }
  return diff == 0;
}

namespace detail {
inline std::string base64_encode(const unsigned char* p, std::size_t n, bool url) {
  const char* alphabet = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (n - i == 1) {
    const std::uint32_t v = std::uint32_t{p[i]} << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (!url) out += "==";
  } else if (n - i == 2) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (!url) out += '=';
  }
  return out;
}
}  // namespace detail

/// RFC 4648 §4 base64 with padding.
inline std::string base64_encode(std::string_view bytes) {
  return detail::base64_encode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), false);
}

/// RFC 4648 §5 base64url without padding (RFC 7636 App. A).
inline std::string base64url_encode(std::string_view bytes) {
  return detail::base64_encode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), true);
}

/// Strict base64url decode: no padding, no whitespace, canonical final bits.
inline result<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return detail::fail(errc::invalid_character, "base64url length");
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return detail::fail(errc::invalid_character, "base64url");
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return detail::fail(errc::invalid_character, "base64url padding bits");
  return out;
}

/// RFC 7636 §4.1: 43-128 characters from the unreserved set.
inline bool is_valid_code_verifier(std::string_view v) noexcept {
  return v.size() >= 43 && v.size() <= 128 && detail::all_of(v, detail::is_unreserved);
}

/// RFC 7636 §4.2 S256: BASE64URL(SHA256(ASCII(verifier))).
inline result<std::string> code_challenge_s256(std::string_view verifier) {
  if (!is_valid_code_verifier(verifier)) return detail::fail(errc::invalid_code_verifier);
  const digest d = sha256(verifier);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

inline constexpr std::size_t min_state_entropy = 16;     ///< 128 bits (RFC 6749 §10.10)
inline constexpr std::size_t min_verifier_entropy = 32;  ///< RFC 7636 §7.1
inline constexpr std::size_t max_verifier_entropy = 96;  ///< encodes to 128 characters

/// A state value: base64url of at least 16 caller-supplied random bytes.
inline result<std::string> make_state(std::string_view random_bytes) {
  if (random_bytes.size() < min_state_entropy) return detail::fail(errc::insufficient_entropy, "state");
  if (random_bytes.size() > 256)
    return detail::over_limit("state entropy", random_bytes.size(), "bytes", 256);
  return base64url_encode(random_bytes);
}

/// A PKCE verifier: base64url of 32-96 caller-supplied random bytes (43-128 chars).
inline result<std::string> make_code_verifier(std::string_view random_bytes) {
  if (random_bytes.size() < min_verifier_entropy)
    return detail::fail(errc::insufficient_entropy, "code_verifier");
  if (random_bytes.size() > max_verifier_entropy)
    return detail::over_limit("code_verifier entropy", random_bytes.size(), "bytes", max_verifier_entropy);
  return base64url_encode(random_bytes);
}

/// Fills `out` from the operating system's CSPRNG (getrandom, arc4random_buf
/// or BCryptGenRandom). Optional: nothing in this library calls it.
inline result<void> system_random_bytes(unsigned char* out, std::size_t n) {
#if defined(__linux__)
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::getrandom(out + done, n - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return detail::fail(errc::random_unavailable, "getrandom");
    }
    done += static_cast<std::size_t>(got);
  }
  return {};
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
  ::arc4random_buf(out, n);
  return {};
#elif defined(_WIN32)
  if (n > 0xffffffffu) return detail::over_limit("random request", n, "bytes", 0xffffffffu);
  const NTSTATUS st = ::BCryptGenRandom(nullptr, out, static_cast<ULONG>(n), BCRYPT_USE_SYSTEM_PREFERRED_RNG);
  if (st != 0) return detail::fail(errc::random_unavailable, "BCryptGenRandom");
  return {};
#else
  (void)out;
  (void)n;
  return detail::fail(errc::random_unavailable, "no OS random source known on this platform");
#endif
}

// ============================================================================
// 5. HTTP values
// ============================================================================

struct http_header {
  std::string name{};
  std::string value{};
};

using http_headers = std::vector<http_header>;

/// A request for the caller to send. `url` is absolute.
struct http_request {
  std::string method{};
  std::string url{};
  http_headers headers{};
  std::string body{};
};

/// What the caller received.
struct http_response {
  int status = 0;
  http_headers headers{};
  std::string body{};
};

/// How the transport adapters beside this header (buffer_oauth_curl.hpp,
/// buffer_oauth_httplib.hpp, buffer_oauth_beast.hpp) send; the core reads none
/// of it. TLS verification is always on and has no option.
struct transport_options {
  /// Bounds reaching the server: name resolution, TCP connect, TLS handshake.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Bounds the whole exchange, to the response's last byte.
  std::chrono::milliseconds total_timeout{30'000};
  /// limits::max_body caps the response body (too_large).
  buffer_oauth::limits limits{};
  /// A PEM file of CAs trusted besides the adapter's own (the system's, or
  /// those of a TLS context you give it): a private CA, a test certificate.
  std::string ca_file{};
  /// A directory of hashed CA certificates (c_rehash), added the same way.
  std::string ca_path{};
  /// Sent unless the request has a User-Agent of its own; empty: none.
  std::string user_agent = "buffer-oauth/0.1";
};

/// First header named `name` (case-insensitive), or nullptr.
inline const std::string* find_header(const http_headers& headers, std::string_view name) noexcept {
  for (const auto& h : headers)
    if (detail::iequals(h.name, name)) return &h.value;
  return nullptr;
}

/// A header is a token name and a value without CR, LF, NUL or other controls
/// (TAB allowed). Never stripped: rejected.
inline result<void> check_header(std::string_view name, std::string_view value) {
  if (name.empty() || !detail::all_of(name, detail::is_tchar))
    return detail::fail(errc::invalid_header_value, "header name");
  if (detail::any_of(value, detail::abnf::field_ctl))
    return detail::fail(errc::invalid_header_value, "header value");
  return {};
}

inline result<void> check_headers(const http_headers& headers) {
  for (const auto& h : headers)
    if (auto ok = check_header(h.name, h.value); !ok) return ok;
  return {};
}

// What the transport adapters beside this header (buffer_oauth_curl.hpp,
// buffer_oauth_httplib.hpp, buffer_oauth_beast.hpp) report.
namespace detail {
/// scheme://host[:port] of `url`: all a transport's message says of where a
/// request went, as the path and query may carry a token.
inline std::string_view origin_of(std::string_view url) noexcept {
  const std::size_t authority = url.find("://");
  if (authority == std::string_view::npos) return {};
  const std::size_t end = url.find_first_of("/?#", authority + 3);
  return url.substr(0, end);
}

/// transport_error naming `req`'s method and origin, what failed and the
/// transport library's own words, never the path, query, headers or body.
inline error transport_failed(const http_request& req, std::string_view what, std::string_view details = {}) {
  error e;
  e.code = errc::transport_error;
  e.message.assign(req.method);
  e.message += ' ';
  e.message += origin_of(req.url);
  e.message += ": ";
  e.message += what;
  if (!details.empty()) {
    e.message += " (";
    e.message += details;
    e.message += ')';
  }
  return e;
}

/// too_large for a response body a transport stopped reading once `seen`
/// bytes of it, more than `max_body`, had arrived.
inline error body_over_limit(std::size_t seen, std::size_t max_body) {
  return over_limit("response body (limits::max_body)", seen, "bytes or more", max_body);
}
}  // namespace detail

/// What a transport adapter checks before it sends `req`: the method is an
/// HTTP token, and no header, nor the User-Agent `o` adds, holds CR, LF or NUL
/// (a request made by hand has not been through this header's builders).
inline result<void> check_sendable(const http_request& req, const transport_options& o) {
  if (req.method.empty() || !detail::all_of(req.method, detail::is_tchar))
    return detail::fail(errc::invalid_argument, "the request method is not an HTTP token");
  if (auto valid = check_headers(req.headers); !valid) return valid;
  if (!o.user_agent.empty()) return check_header("User-Agent", o.user_agent);
  return {};
}

namespace detail {
inline bool status_ok(int status) noexcept { return status >= 200 && status <= 299; }

inline constexpr std::string_view form_content_type = "application/x-www-form-urlencoded";

/// A parameter whose value is a secret. `version_prefixed`: Buffer issues
/// such values with a public version prefix ("1/"), which a redaction may show.
struct secret_parameter {
  std::string_view name;
  bool version_prefixed;
};

/// Every parameter name whose value a redaction hides: buffer_oauth_fmt.hpp's
/// redaction, which the CLI uses, reads this table (RFC 6749, 7009, 7521, 7523, 7591, 7636,
/// 8628, 8693, OIDC Core).
inline constexpr secret_parameter secret_parameters[] = {
    {"access_token", true},
    {"refresh_token", true},
    {"code", true},
    {"token", true},
    {"id_token", false},
    {"client_secret", false},
    {"client_assertion", false},
    {"assertion", false},
    {"code_verifier", false},
    {"device_code", false},
    {"state", false},
    {"password", false},
    {"subject_token", false},
    {"actor_token", false},
    {"registration_access_token", false},
};

/// The name a server reads for a decoded form name: ASCII lower case, and
/// PHP's renaming applied (leading spaces dropped; "name[...]" is "name";
/// ' ', '.' and an unclosed '[' read as '_').
inline std::string name_as_read(std::string_view name) {
  name.remove_prefix(std::min(name.find_first_not_of(' '), name.size()));
  const std::size_t open = name.find('[');
  if (open != std::string_view::npos && name.find(']', open) != std::string_view::npos)
    name = name.substr(0, open);
  std::string out(name);
  for (char& c : out) c = c == ' ' || c == '.' || c == '[' ? '_' : ascii_lower(c);
  return out;
}

/// The table's entry for a form-encoded parameter name, compared as a server
/// reads it (see name_as_read); a name that does not decode cleanly is
/// treated as a secret (the returned entry has an empty name).
inline const secret_parameter* find_secret_parameter(std::string_view raw_name) {
  static constexpr secret_parameter undecodable{{}, false};
  if (check_form_component(raw_name) == errc::bad_percent_encoding) return &undecodable;
  const std::string name = name_as_read(decode_form_component(raw_name));
  for (const auto& s : secret_parameters)
    if (name == s.name) return &s;
  return nullptr;
}

/// Media type of a Content-Type value, without parameters or spaces.
inline std::string_view media_type(std::string_view content_type) noexcept {
  const auto semi = content_type.find(';');
  auto t = content_type.substr(0, semi);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  return t;
}
}  // namespace detail

// ============================================================================
// 6. Provider and client
// ============================================================================

/// How a client with a secret authenticates at the token endpoint (RFC 6749
/// §2.3.1). A client without one (a public client, RFC 8252) sends only its
/// client_id, where the provider allows public clients.
enum class client_auth : std::uint8_t {
  request_body,  ///< client_id and client_secret in the form body (client_secret_post; Buffer)
  http_basic,    ///< Authorization: Basic, id and secret form-encoded first (client_secret_basic)
};

/// How the provider's API reports errors, for check_api_response.
enum class api_format : std::uint8_t {
  buffer_v1,  ///< Buffer's REST API v1: {"success":false,"code":N,"message":...}, HTTP status
  graphql,    ///< GraphQL: "errors" with extensions.code, often under HTTP 200 (Buffer's current API)
};

/// Where attach_token puts the access token (RFC 6750 §2).
enum class token_placement : std::uint8_t {
  header,     ///< Authorization: Bearer (§2.1, the default)
  form_body,  ///< access_token in a form-encoded body (§2.2)
  query,      ///< access_token in the query (§2.3; needs explicit opt-in)
};

/// A departure from RFC 6749 a provider profile may allow. Each one applied
/// to a response is recorded in token::leniencies.
enum class leniency : std::uint8_t {
  token_type_defaulted = 1,  ///< no token_type: Bearer assumed (Buffer)
  expires_in_string = 2,     ///< expires_in sent as a numeric string
  null_member = 4,           ///< an optional member sent as null
};

/// Every leniency with its stable name, for to_string and for listing the
/// ones a token records.
inline constexpr detail::field<leniency> all_leniencies[] = {
    {leniency::token_type_defaulted, "token_type_defaulted"},
    {leniency::expires_in_string, "expires_in_string"},
    {leniency::null_member, "null_member"},
};

inline constexpr std::string_view to_string(leniency l) noexcept {
  for (const auto& row : all_leniencies)
    if (row.id == l) return row.name;
  return "unknown";
}

/// Everything provider-specific. provider::buffer() holds the facts of
/// Buffer's current API, provider::buffer_legacy() those of its REST API v1.
struct provider {
  std::string name{};
  std::string authorize_endpoint{};
  std::string token_endpoint{};
  std::string deauthorize_endpoint{};                    ///< empty: the provider has none
  std::string revocation_endpoint{};                     ///< RFC 7009; empty: the provider has none
  std::string registration_endpoint{};                   ///< RFC 7591; empty: the provider has none
  std::string api_base{};                                ///< tokens are only ever sent to this origin
  std::string issuer{};                                  ///< RFC 9207 iss to require; empty: none
  std::chrono::milliseconds code_lifetime{0};            ///< 0: no client-side limit
  bool code_form_safe = false;                           ///< send code with '/' unescaped (Buffer)
  client_auth authentication = client_auth::http_basic;  ///< for a client with a secret
  bool public_clients = false;       ///< a client without a secret may log in (method none); always with PKCE
  bool confidential_clients = true;  ///< a client with a secret may log in (`authentication`)
  token_placement default_placement = token_placement::header;
  std::uint8_t leniencies = 0;           ///< bitwise-or of allowed `leniency` values
  bool allow_insecure_loopback = false;  ///< http:// to 127.0.0.0/8 or [::1] endpoints
  bool pkce = true;                      ///< send S256 code_challenge by default
  bool pkce_required = false;            ///< PKCE cannot be turned off
  /// Add prompt=consent when the scope asks for offline_access: OIDC Core
  /// §11 lets a server ignore offline_access without it.
  bool offline_access_consent = false;
  api_format api = api_format::buffer_v1;

  bool allows(leniency l) const noexcept { return (leniencies & static_cast<std::uint8_t>(l)) != 0; }

  /// Buffer's current API: OAuth at auth.buffer.com (oidc-provider's routes),
  /// GraphQL at api.buffer.com. PKCE S256 always, iss on every redirect,
  /// client_secret_post or a public client, one-hour access tokens.
  static provider buffer() {
    provider p;
    p.name = "buffer";
    p.issuer = "https://auth.buffer.com";
    p.authorize_endpoint = "https://auth.buffer.com/auth";
    p.token_endpoint = "https://auth.buffer.com/token";
    p.revocation_endpoint = "https://auth.buffer.com/token/revocation";
    p.registration_endpoint = "https://auth.buffer.com/reg";
    p.api_base = "https://api.buffer.com/";
    p.authentication = client_auth::request_body;
    p.public_clients = true;
    p.pkce_required = true;
    p.offline_access_consent = true;
    p.api = api_format::graphql;
    return p;
  }

  /// Buffer's REST API v1, as its authentication guide describes it. It takes
  /// no new apps and is retired on 1 February 2027.
  static provider buffer_legacy() {
    provider p;
    p.name = "buffer-legacy";
    p.authorize_endpoint = "https://bufferapp.com/oauth2/authorize";
    p.token_endpoint = "https://api.bufferapp.com/1/oauth2/token.json";
    p.deauthorize_endpoint = "https://api.bufferapp.com/1/user/deauthorize.json";
    p.api_base = "https://api.bufferapp.com/1/";
    p.code_lifetime = std::chrono::seconds(30);
    p.code_form_safe = true;
    p.authentication = client_auth::request_body;
    p.default_placement = token_placement::header;
    p.leniencies = static_cast<std::uint8_t>(leniency::token_type_defaulted) |
                   static_cast<std::uint8_t>(leniency::expires_in_string) |
                   static_cast<std::uint8_t>(leniency::null_member);
    p.pkce = false;  // Buffer's v1 API predates PKCE
    return p;
  }

  /// A strict RFC 6749 provider: Basic client auth, no leniencies, PKCE.
  static provider generic(std::string name, std::string authorize_endpoint, std::string token_endpoint,
                          std::string api_base) {
    provider p;
    p.name = std::move(name);
    p.authorize_endpoint = std::move(authorize_endpoint);
    p.token_endpoint = std::move(token_endpoint);
    p.api_base = std::move(api_base);
    return p;
  }
};

/// Buffer's scope names (RFC 6749 §3.3 scope tokens), joined with a space.
namespace scopes {
inline constexpr std::string_view posts_read = "posts:read";
inline constexpr std::string_view posts_write = "posts:write";
inline constexpr std::string_view ideas_read = "ideas:read";
inline constexpr std::string_view ideas_write = "ideas:write";
inline constexpr std::string_view account_read = "account:read";
inline constexpr std::string_view account_write = "account:write";
inline constexpr std::string_view offline_access = "offline_access";  ///< asks for a refresh token
}  // namespace scopes

/// A registered application.
struct client {
  std::string id{};
  std::string secret{};
  std::string redirect_uri{};  ///< exactly the registered callback URL
};

namespace detail {
/// A client without a secret is public (RFC 8252), one with a secret
/// confidential; the provider must take that kind of client.
inline result<void> check_client_accepted(const provider& p, const client& c) {
  if (!c.secret.empty() && !p.confidential_clients)
    return fail(errc::client_auth_unsupported, "provider \"" + p.name +
                                                   "\" takes only public clients: drop the client secret, or "
                                                   "set confidential_clients");
  if (c.secret.empty() && !p.public_clients)
    return fail(errc::client_secret_required,
                "client \"" + c.id + "\" has no secret, provider \"" + p.name + "\"");
  return {};
}

/// PKCE is what binds a public client's code to the app, so it cannot be
/// turned off there; a provider may also require it of every client. The
/// authorization URL needs no secret, so a client without one counts as
/// public only where the provider takes public clients.
inline result<void> check_pkce_sent(const provider& p, const client& c, bool sends_pkce) {
  if (sends_pkce) return {};
  if (c.secret.empty() && p.public_clients) return fail(errc::pkce_required, "public client");
  if (p.pkce_required) return fail(errc::pkce_required, "provider \"" + p.name + "\"");
  return {};
}

/// Whether `c` can log in to `p` at all, before anything is sent.
inline result<void> check_client_kind(const provider& p, const client& c, bool sends_pkce) {
  if (auto ok = check_client_accepted(p, c); !ok) return ok;
  return check_pkce_sent(p, c, sends_pkce);
}

/// Parameters this library puts on authorize, token and API requests. An
/// endpoint whose own query carries one would send it twice, and a server may
/// take either copy (e.g. grant_type=password instead of ours).
inline constexpr std::string_view oauth_request_parameters[] = {
    "client_id",
    "client_secret",
    "client_assertion",
    "redirect_uri",
    "response_type",
    "state",
    "scope",
    "prompt",
    "code",
    "code_challenge",
    "code_challenge_method",
    "code_verifier",
    "grant_type",
    "refresh_token",
    "access_token",
    "token",
    "token_type_hint",
};

/// An endpoint the provider owns: absolute, no fragment, HTTPS (or loopback
/// http with the opt-in), no OAuth parameter in its query.
inline result<url_parts> check_endpoint(std::string_view url, bool allow_insecure_loopback, const limits& lim,
                                        std::string_view what) {
  auto parts = split_url(url, errc::invalid_endpoint, lim.max_url);
  if (!parts) {
    auto e = parts.error();
    e.message.insert(0, std::string(what) + ": ");
    return e;
  }
  if (parts->has_fragment) return fail(errc::invalid_endpoint, what);
  if (!parts->https() && !(allow_insecure_loopback && is_loopback_ip(parts->host)))
    return fail(errc::insecure_url, what);
  form_reader reader(parts->query);
  form_pair pair;
  while (reader.next(pair))
    for (std::string_view name : oauth_request_parameters)
      if (form_component_equals(pair.name, name))
        return fail(errc::duplicate_parameter, std::string(what) + " has the OAuth parameter '" +
                                                   std::string(name) + "' in its query; remove it");
  return parts;
}

/// An endpoint of provider `p`, with its loopback opt-in (see above).
inline result<url_parts> check_endpoint(std::string_view url, const provider& p, const limits& lim,
                                        std::string_view what) {
  return check_endpoint(url, p.allow_insecure_loopback, lim, what);
}

/// The registered redirect URI, already split: no fragment; plain http only
/// for a loopback IP literal (RFC 8252 §7.3).
inline result<url_parts> check_redirect_uri(const url_parts& parts) {
  if (parts.has_fragment) return fail(errc::invalid_redirect_uri, "redirect_uri has a fragment");
  if (!parts.https() && !is_loopback_ip(parts.host))
    return fail(errc::insecure_url, "redirect_uri (plain http is only for 127.0.0.1 or [::1])");
  return parts;
}

/// The registered redirect URI: absolute, and as above.
inline result<url_parts> check_redirect_uri(std::string_view uri, const limits& lim) {
  if (uri.empty()) return fail(errc::invalid_redirect_uri, "redirect_uri is empty");
  auto parts = split_url(uri, errc::invalid_redirect_uri, lim.max_url);
  if (!parts) return parts;
  return check_redirect_uri(*parts);
}

inline result<void> check_client_id(std::string_view id) {
  if (id.empty()) return fail(errc::invalid_client_id, "client_id is empty");
  if (!all_of(id, is_vschar)) return fail(errc::invalid_client_id);
  return {};
}
}  // namespace detail

// ============================================================================
// 7. Responses
// ============================================================================

namespace detail {
/// How much of a response body an error keeps, and the shortest run of
/// token characters that is taken for a token, code or secret.
inline constexpr std::size_t error_body_cap = 2048;
inline constexpr std::size_t token_shaped_run = 16;

/// A response body as an error keeps it: its first error_body_cap bytes,
/// with every run of token_shaped_run or more b64token characters (a token,
/// a code, a secret, in JSON, a form or an HTML page) replaced by its length,
/// so that a body that carried a token can be logged. A run is never cut.
inline std::string error_body(std::string_view body) {
  std::string out;
  std::size_t i = 0;
  while (i < body.size() && out.size() < error_body_cap) {
    std::size_t run = i;
    while (run < body.size() && is_b64token_char(static_cast<unsigned char>(body[run]))) ++run;
    const bool token_shaped = run - i >= token_shaped_run;
    while (token_shaped && run < body.size() && body[run] == '=') ++run;  // b64token's padding goes too
    if (token_shaped) {
      out += "[redacted, " + std::to_string(run - i) + " bytes]";
    } else {
      out.append(body, i, run - i);
      if (run < body.size() && !is_b64token_char(static_cast<unsigned char>(body[run]))) out += body[run++];
    }
    i = run;
  }
  if (i < body.size()) out += "[... " + std::to_string(body.size() - i) + " more bytes]";
  return out;
}

/// `code` about an answer, its status first: "HTTP 500: unexpected HTTP status".
inline error fail_with_status(errc code, int status) { return fail(code, "HTTP " + std::to_string(status)); }

/// Keeps the status and (see error_body) the body on an error about a response.
inline error with_response(error e, const http_response& r) {
  e.http_status = r.status;
  e.body = error_body(r.body);
  return e;
}

/// Runs `read`, whose errors are plain, and keeps the response on its error,
/// whichever step failed: each public function that reads a response calls
/// this once. (`outcome` is built in place and returned as is, not moved.)
template <class Read>
auto read_response(const http_response& r, Read read) -> decltype(read()) {
  auto outcome = read();
  if (!outcome) outcome = with_response(outcome.error(), r);
  return outcome;
}

/// Top-level members a token, OAuth error or Buffer envelope may carry.
struct response_members {
  enum {
    access_token,
    token_type,
    expires_in,
    refresh_token,
    scope,
    error,
    error_description,
    error_uri,
    code,
    success,
    message,
    count
  };
  json_slot slots[count] = {{"access_token", {}, 0},      {"token_type", {}, 0}, {"expires_in", {}, 0},
                            {"refresh_token", {}, 0},     {"scope", {}, 0},      {"error", {}, 0},
                            {"error_description", {}, 0}, {"error_uri", {}, 0},  {"code", {}, 0},
                            {"success", {}, 0},           {"message", {}, 0}};
  json_value v[count];
};

/// Whether the first non-blank byte opens a JSON object.
inline bool opens_json_object(std::string_view body) noexcept {
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && body[first] == '{';
}

inline bool looks_like_json(std::string_view body) noexcept {
  for (char ch : body) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') continue;
    return ch == '{' || ch == '[' || ch == '"' || ch == '-' || is_digit(static_cast<unsigned char>(ch)) ||
           ch == 't' || ch == 'f' || ch == 'n';
  }
  return false;
}

/// A body this library reads into a result must fit lim.max_body.
inline result<void> check_body_size(std::string_view body, const limits& lim) {
  if (body.size() > lim.max_body) return over_limit("response body", body.size(), "bytes", lim.max_body);
  return {};
}

/// duplicate_member for the first slot whose name appeared more than once.
template <std::size_t N>
result<void> refuse_repeated(const json_slot (&slots)[N]) {
  for (const auto& slot : slots)
    if (slot.count > 1) return fail(errc::duplicate_member, slot.name);
  return {};
}

/// Reads a response body as a JSON object and fills `slots` from its
/// members (a repeated one is an error).
template <std::size_t N>
result<void> read_object_members(std::string_view body, json_slot (&slots)[N], const limits& lim) {
  if (auto ok = check_body_size(body, lim); !ok) return ok.error();
  auto top = json_read(body, slots, N, lim);
  if (!top) {
    if (top.code() == errc::malformed_json && !looks_like_json(body))
      return starts_with_byte_order_mark(body) ? byte_order_mark_error(errc::not_json) : fail(errc::not_json);
    return top.error();
  }
  if (*top != json_type::object) return fail(errc::not_an_object);
  return refuse_repeated(slots);
}

/// Reads a response body as a JSON object and looks up every OAuth member
/// (a duplicate is an error).
inline result<void> read_response_members(std::string_view body, const limits& lim, response_members& m) {
  if (auto ok = read_object_members(body, m.slots, lim); !ok) return ok;
  for (int k = 0; k < response_members::count; ++k) m.v[k] = m.slots[k].value;  // names are distinct
  return {};
}

/// read_response_members into a new response_members.
inline result<response_members> read_response_members(std::string_view body, const limits& lim) {
  response_members m;
  if (auto ok = read_response_members(body, lim, m); !ok) return ok.error();
  return m;
}

/// An integer literal of digits only, within int64 (RFC 6749 A.14: 1*DIGIT).
inline bool parse_seconds(std::string_view digits, std::int64_t& out) noexcept {
  if (digits.empty() || digits.size() > 18) return false;
  std::int64_t v = 0;
  for (char ch : digits) {
    if (!is_digit(static_cast<unsigned char>(ch))) return false;
    v = v * 10 + (ch - '0');
  }
  out = v;
  return true;
}

/// An RFC 6749 error code such as "invalid_grant": one word of NQCHAR. Buffer's
/// API envelope puts prose ("Access token required.") under the same name.
inline bool is_oauth_error_code(const json_value& v) noexcept {
  return v.type == json_type::string && !v.escaped && !v.raw.empty() && all_of(v.raw, is_nqchar);
}

/// Buffer's API envelope: {"success":false,"code":1001,"error"|"message":"..."}.
inline bool is_api_envelope(const response_members& m) noexcept {
  using rm = response_members;
  return m.v[rm::code].type == json_type::number ||
         (m.v[rm::success].type == json_type::boolean && m.v[rm::success].raw == "false");
}

/// Provider prose kept in an error (a description, Buffer's message): any
/// UTF-8 the JSON reader accepted except C0 and C1 control characters, so
/// that it cannot forge a log line or drive a terminal.
inline bool is_provider_text(std::string_view s) noexcept { return !has_control(s); }

/// The characters every byte of a decoded value must be; nullptr: any.
using charset = const char_set*;

/// A provider's error fields (RFC 6749 §4.1.2.1, §5.2), with the characters
/// Appendix A allows in each.
struct oauth_error_fields {
  enum id { error, error_description, error_uri, count };
  static constexpr field<id, charset> fields[count] = {
      {error, "error", &abnf::nqschar},                          // A.7
      {error_description, "error_description", &abnf::nqschar},  // A.8
      {error_uri, "error_uri", &abnf::nqchar},                   // A.9
  };
};
static_assert(in_enum_order(oauth_error_fields::fields), "oauth_error_fields::fields[k] is field k");

constexpr charset error_rule(oauth_error_fields::id k) noexcept { return oauth_error_fields::fields[k].rule; }

/// Checks a provider error against RFC 6749 App. A.7-A.9 and fills `out`.
inline result<void> provider_error_fields(std::string_view err, std::string_view description,
                                          std::string_view uri, oauth_error& out) {
  const std::string_view values[oauth_error_fields::count] = {err, description, uri};
  if (err.empty()) return fail(errc::malformed_error, "error");
  for (const auto& f : oauth_error_fields::fields)
    if (!all_of(values[f.id], *f.rule)) return fail(errc::malformed_error, f.name);
  out.error.assign(err);
  out.error_description.assign(description);
  out.error_uri.assign(uri);
  return {};
}

inline error api_envelope_error(const response_members& m, errc code, int status) {
  using rm = response_members;
  error e = fail_with_status(code, status);
  std::int64_t api_code = 0;
  if (m.v[rm::code].type == json_type::number && parse_seconds(m.v[rm::code].raw, api_code))
    e.api_code = api_code;
  for (int k : {static_cast<int>(rm::error), static_cast<int>(rm::message)})
    if (m.v[k].type == json_type::string) {
      std::string text = json_string(m.v[k]);
      if (!is_provider_text(text)) return fail(errc::malformed_error, m.slots[k].name);
      e.from_provider.error_description = std::move(text);
      break;
    }
  if (e.api_code != 0) e.message += " (code " + std::to_string(e.api_code) + ")";
  return e;
}

/// An RFC 6749 §5.2 error body as the error `refused`, or malformed_error.
inline error oauth_body_error(const response_members& m, errc refused) {
  using rm = response_members;
  const json_value& err = m.v[rm::error];
  auto text = [&](int k, std::string& out) {
    if (m.v[k].type == json_type::absent) return true;
    if (m.v[k].type != json_type::string) return false;
    out = json_string(m.v[k]);
    return true;
  };
  std::string description, uri;
  if (err.type != json_type::string || !text(rm::error_description, description) || !text(rm::error_uri, uri))
    return fail(errc::malformed_error, "error members must be strings");
  // error and error_uri keep RFC 6749 §5.2's charsets; the description is
  // provider text, because draft-20 servers such as Buffer's predate those
  // rules and put quotes in it.
  if (!is_provider_text(description)) return fail(errc::malformed_error, "error_description");
  error e;
  if (auto ok = provider_error_fields(json_string(err), {}, uri, e.from_provider); !ok) return ok.error();
  e.from_provider.error_description = std::move(description);
  e.code = refused;
  e.message.assign(message(refused));
  e.message += " (error=" + e.from_provider.error + ")";
  return e;
}

/// The error a token endpoint's answer reports, or nothing: an RFC 6749 §5.2
/// error (even with HTTP 200) as `refused`, Buffer's API envelope, or a
/// status outside 2xx. A body with both an access token and an error is
/// ambiguous.
inline std::optional<error> response_error(const response_members& m, const http_response& r,
                                           errc refused = errc::token_error) {
  using rm = response_members;
  if (m.v[rm::error].type != json_type::absent) {
    if (m.v[rm::access_token].type != json_type::absent)
      return fail(errc::ambiguous_response, "access_token and error");
    // An OAuth error code wins over a numeric "code" beside it (some servers add one).
    if (is_api_envelope(m) && !is_oauth_error_code(m.v[rm::error]))
      return api_envelope_error(m, errc::api_error, r.status);
    return oauth_body_error(m, refused);
  }
  if (is_api_envelope(m)) return api_envelope_error(m, errc::api_error, r.status);
  if (!status_ok(r.status)) return fail_with_status(errc::http_error, r.status);
  return std::nullopt;
}

/// Whether `s` has exactly the shape of an IMF-fixdate (RFC 9110 §5.6.7),
/// "Sun, 06 Nov 1994 08:49:37 GMT": in `shape`, '?' is a letter of a day or
/// month name and '#' a digit.
inline bool is_imf_fixdate(std::string_view s) noexcept {
  constexpr std::string_view shape = "???, ## ??? #### ##:##:## GMT";
  constexpr std::string_view days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != shape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto ch = static_cast<unsigned char>(s[i]);
    const bool fits = shape[i] == '#' ? is_digit(ch) : shape[i] == '?' ? is_alpha(ch) : s[i] == shape[i];
    if (!fits) return false;
  }
  auto one_of = [](const auto& names, std::string_view name) {
    for (std::string_view n : names)
      if (n == name) return true;
    return false;
  };
  return one_of(days, s.substr(0, 3)) && one_of(months, s.substr(8, 3));
}

/// Reads a Retry-After value (RFC 9110 §10.2.3) into `e`: delay-seconds,
/// which is 1*DIGIT, as `retry_after`, or an IMF-fixdate kept as text in
/// `retry_after_date`. Anything else ("-1", "1e3", "+5", "", more digits than
/// fit) sets neither: a malformed hint must not hide the refusal it came with.
inline void parse_retry_after(std::string_view value, error& e) {
  std::int64_t seconds = 0;
  if (parse_seconds(value, seconds)) {
    e.retry_after = std::chrono::seconds(seconds);
  } else if (is_imf_fixdate(value)) {
    e.retry_after_date.assign(value);
  }
}

/// rate_limited, with the delay asked for, when the answer is a rate limit:
/// 429 with or without a delay (RFC 6585 §4), a 503 only when it says how
/// long to wait.
inline std::optional<error> rate_limit_error(const http_response& r) {
  const std::string* retry_after = find_header(r.headers, "Retry-After");
  if (r.status != 429 && !(r.status == 503 && retry_after)) return std::nullopt;
  error e = fail(errc::rate_limited);
  if (retry_after) parse_retry_after(*retry_after, e);
  return e;
}
}  // namespace detail

// ============================================================================
// 8. Discovery
// ============================================================================

/// Which metadata document describes an issuer, and so where it lives.
enum class metadata_document : std::uint8_t {
  oauth_authorization_server,  ///< RFC 8414: well-known path inserted before the issuer's path (§3.1)
  openid_configuration,        ///< OpenID Connect Discovery 1.0 §4: well-known path appended to the issuer
};

namespace detail {
/// Where a document's well-known path goes relative to the issuer's path.
enum class well_known_placement : std::uint8_t { before_issuer_path, after_issuer_path };

/// Every metadata document with its well-known path (the row's name).
inline constexpr field<metadata_document, well_known_placement> metadata_documents[] = {
    {metadata_document::oauth_authorization_server, "/.well-known/oauth-authorization-server",
     well_known_placement::before_issuer_path},
    {metadata_document::openid_configuration, "/.well-known/openid-configuration",
     well_known_placement::after_issuer_path},
};
static_assert(in_enum_order(metadata_documents), "metadata_documents[k] is document k");

/// An issuer identifier (RFC 8414 §2): an endpoint URL without query or
/// fragment.
inline result<url_parts> check_issuer(std::string_view issuer, bool allow_insecure_loopback,
                                      const limits& lim) {
  // Before check_endpoint, which would call an OAuth parameter in the query a duplicate.
  if (issuer.find('?') != std::string_view::npos)
    return fail(errc::invalid_endpoint, "issuer has a query; an issuer identifier has none (RFC 8414 §2)");
  return check_endpoint(issuer, allow_insecure_loopback, lim, "issuer");
}

/// The members of a metadata document this library reads: the JSON type each
/// must have, whether it is required (RFC 8414 §2) and, for an endpoint, the
/// provider member it fills.
struct metadata_rule {
  json_type type = json_type::absent;
  bool required = false;
};
enum class metadata_member : std::uint8_t {
  issuer,
  authorization_endpoint,
  token_endpoint,
  revocation_endpoint,
  registration_endpoint,
  response_types_supported,
  code_challenge_methods_supported,
  token_endpoint_auth_methods_supported,
  authorization_response_iss_parameter_supported,
  count
};
inline constexpr field<metadata_member, metadata_rule, std::string provider::*> metadata_members[] = {
    {metadata_member::issuer, "issuer", {json_type::string, true}, nullptr},
    {metadata_member::authorization_endpoint,
     "authorization_endpoint",
     {json_type::string, true},
     &provider::authorize_endpoint},
    {metadata_member::token_endpoint, "token_endpoint", {json_type::string, true}, &provider::token_endpoint},
    {metadata_member::revocation_endpoint,
     "revocation_endpoint",
     {json_type::string, false},
     &provider::revocation_endpoint},
    {metadata_member::registration_endpoint,
     "registration_endpoint",
     {json_type::string, false},
     &provider::registration_endpoint},
    {metadata_member::response_types_supported,
     "response_types_supported",
     {json_type::array, true},
     nullptr},
    {metadata_member::code_challenge_methods_supported,
     "code_challenge_methods_supported",
     {json_type::array, false},
     nullptr},
    {metadata_member::token_endpoint_auth_methods_supported,
     "token_endpoint_auth_methods_supported",
     {json_type::array, false},
     nullptr},
    {metadata_member::authorization_response_iss_parameter_supported,
     "authorization_response_iss_parameter_supported",
     {json_type::boolean, false},
     nullptr},
};
static_assert(in_enum_order(metadata_members) && std::extent_v<decltype(metadata_members)> ==
                                                     static_cast<std::size_t>(metadata_member::count),
              "metadata_members[k] is member k");

/// A metadata document's members, read from a JSON object: each present at
/// most once, of its type, and there when required.
struct metadata_values {
  static constexpr std::size_t count = static_cast<std::size_t>(metadata_member::count);
  json_value v[count];
  const json_value& operator[](metadata_member m) const noexcept { return v[static_cast<std::size_t>(m)]; }
};

inline result<metadata_values> read_metadata_members(std::string_view body, const limits& lim) {
  json_slot slots[metadata_values::count];
  for (const auto& row : metadata_members) slots[static_cast<std::size_t>(row.id)].name = row.name;
  if (auto ok = read_object_members(body, slots, lim); !ok) return ok.error();
  metadata_values out;
  for (const auto& row : metadata_members) {
    const json_value& value = slots[static_cast<std::size_t>(row.id)].value;
    if (value.type == json_type::absent && row.rule.required) return fail(errc::missing_member, row.name);
    if (value.type != json_type::absent && value.type != row.rule.type)
      return fail(errc::invalid_member_type, row.name);
    out.v[static_cast<std::size_t>(row.id)] = value;
  }
  return out;
}

/// Whether the string array `m` lists `wanted`; an absent member lists what
/// `absent_lists` says.
inline result<bool> metadata_lists(const metadata_values& values, metadata_member m, std::string_view wanted,
                                   bool absent_lists, const limits& lim) {
  const json_value& list = values[m];
  if (list.type == json_type::absent) return absent_lists;
  return json_string_array_contains(list, lim.max_parameters,
                                    metadata_members[static_cast<std::size_t>(m)].name, wanted);
}

/// How a client authenticates at the token endpoint, from
/// token_endpoint_auth_methods_supported (absent: client_secret_basic, RFC
/// 8414 §2): base's secret method if listed, else the other one; "none"
/// allows public clients. A list with neither secret method takes no client
/// with a secret.
inline result<void> read_client_authentication(const metadata_values& values, provider& p,
                                               const limits& lim) {
  constexpr auto list = metadata_member::token_endpoint_auth_methods_supported;
  auto post = metadata_lists(values, list, "client_secret_post", false, lim);
  if (!post) return post.error();
  auto basic = metadata_lists(values, list, "client_secret_basic", true, lim);
  if (!basic) return basic.error();
  auto none = metadata_lists(values, list, "none", false, lim);
  if (!none) return none.error();
  if (!*post && !*basic && !*none)
    return fail(errc::client_auth_unsupported, "token_endpoint_auth_methods_supported lists none of them");
  const bool base_listed = p.authentication == client_auth::request_body ? *post : *basic;
  if (!base_listed && (*post || *basic))
    p.authentication = *post ? client_auth::request_body : client_auth::http_basic;
  p.confidential_clients = *post || *basic;
  p.public_clients = *none;
  return {};
}
}  // namespace detail

/// The GET of an issuer's metadata document: RFC 8414 §3.1 inserts
/// "/.well-known/oauth-authorization-server" between the host and the
/// issuer's path, OpenID Connect Discovery appends
/// "/.well-known/openid-configuration" to the issuer; a trailing '/' of the
/// issuer is dropped first. E.g. for https://as.example/tenant1:
///   GET https://as.example/.well-known/oauth-authorization-server/tenant1
/// The issuer is HTTPS (loopback http with the opt-in: insecure_url) without
/// query or fragment (invalid_endpoint).
inline result<http_request> build_metadata_request(
    std::string_view issuer, metadata_document which = metadata_document::oauth_authorization_server,
    bool allow_insecure_loopback = false, const limits& lim = {}) {
  const auto index = static_cast<std::size_t>(which);
  if (index >= std::extent_v<decltype(detail::metadata_documents)>)
    return detail::fail(errc::invalid_argument,
                        "metadata_document must be oauth_authorization_server or "
                        "openid_configuration");
  auto parts = detail::check_issuer(issuer, allow_insecure_loopback, lim);
  if (!parts) return parts.error();
  std::string_view path = parts->path;
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const std::string_view origin = issuer.substr(0, issuer.size() - parts->path.size());
  const auto& document = detail::metadata_documents[index];
  http_request req;
  req.method = "GET";
  req.url.assign(origin);
  if (document.rule == detail::well_known_placement::before_issuer_path) {
    req.url += document.name;
    req.url += path;
  } else {
    req.url += path;
    req.url += document.name;
  }
  req.headers.push_back({"Accept", "application/json"});
  return req;
}

/// Reads an issuer's metadata (RFC 8414 §3.2, or OpenID Connect Discovery)
/// into a provider: the document's endpoints, issuer, PKCE and client
/// authentication over `base`, which keeps everything else (name, api_base,
/// api, leniencies, loopback opt-in, code lifetime...). Only HTTP 200 with a
/// JSON object counts (http_error, not_json, too_large, depth_exceeded...).
/// The issuer must equal `expected_issuer` byte for byte (RFC 8414 §3.3:
/// metadata_issuer_mismatch); issuer, authorization_endpoint, token_endpoint
/// and response_types_supported are required (missing_member), the latter
/// listing "code"; every endpoint passes the checks of build_authorize_url
/// (insecure_url...); without "S256" in code_challenge_methods_supported a
/// base that requires PKCE gives pkce_not_supported. Endpoints the document
/// does not name are cleared (deauthorize, not a metadata member, stays);
/// provider::issuer is set only with
/// authorization_response_iss_parameter_supported: true (RFC 9207 §3).
inline result<provider> parse_provider_metadata(const http_response& r, std::string_view expected_issuer,
                                                const provider& base, const limits& lim = {}) {
  using namespace detail;
  return read_response(r, [&]() -> result<provider> {
    if (r.status != 200)
      return fail(errc::http_error, "the metadata endpoint answered HTTP " + std::to_string(r.status));
    auto values = read_metadata_members(r.body, lim);
    if (!values) return values.error();
    const std::string issuer = json_string((*values)[metadata_member::issuer]);
    if (issuer != expected_issuer)
      return fail(errc::metadata_issuer_mismatch,
                  "the document's issuer is not " + std::string(expected_issuer));
    if (auto ok = check_issuer(issuer, base.allow_insecure_loopback, lim); !ok) return ok.error();

    provider p = base;
    for (const auto& row : metadata_members) {
      if (row.member == nullptr) continue;
      const json_value& value = (*values)[row.id];
      (p.*row.member).clear();
      if (value.type == json_type::absent) continue;
      std::string url = json_string(value);
      if (auto ok = check_endpoint(url, base, lim, row.name); !ok) return ok.error();
      p.*row.member = std::move(url);
    }

    auto code = metadata_lists(*values, metadata_member::response_types_supported, "code", false, lim);
    if (!code) return code.error();
    if (!*code) return fail(errc::missing_member, "response_types_supported does not list \"code\"");

    auto s256 =
        metadata_lists(*values, metadata_member::code_challenge_methods_supported, "S256", false, lim);
    if (!s256) return s256.error();
    if (!*s256 && base.pkce_required)
      return fail(errc::pkce_not_supported, "code_challenge_methods_supported does not list \"S256\"");
    p.pkce = base.pkce || *s256;

    if (auto ok = read_client_authentication(*values, p, lim); !ok) return ok.error();

    const json_value& iss_supported =
        (*values)[metadata_member::authorization_response_iss_parameter_supported];
    p.issuer = iss_supported.raw == "true" ? issuer : std::string();
    return p;
  });
}

// ============================================================================
// 9. Authorize
// ============================================================================

/// What goes on the authorization URL besides the client's facts.
struct authorize_params {
  std::string_view state{};           ///< required unless without_state
  bool without_state = false;         ///< opt-out of state; needs a code_challenge (PKCE stops CSRF then)
  std::string_view code_challenge{};  ///< S256 challenge; empty: no PKCE
  std::string_view scope{};           ///< space-separated scope tokens; empty: omitted
};

namespace detail {
/// RFC 6749 §3.3: scope = scope-token *( SP scope-token ), scope-token = 1*NQCHAR
inline bool is_scope(std::string_view s) noexcept {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == ' ' ? s[i + 1] == ' ' : !is_nqchar(c)) return false;
  }
  return true;
}

inline bool is_code_challenge(std::string_view s) noexcept {
  return s.size() == 43 && all_of(s, abnf::base64url);
}

/// Whether the space-separated `scope` holds the token `wanted`.
inline bool has_scope_token(std::string_view scope, std::string_view wanted) noexcept {
  while (!scope.empty()) {
    const std::size_t space = scope.find(' ');
    if (scope.substr(0, space) == wanted) return true;
    if (space == std::string_view::npos) break;
    scope.remove_prefix(space + 1);
  }
  return false;
}

}  // namespace detail

/// The URL to send the user's browser to (RFC 6749 §4.1.1), e.g.
/// https://bufferapp.com/oauth2/authorize?client_id=ID&redirect_uri=...&response_type=code&state=S
/// Values are RFC 3986 percent-encoded with uppercase hex; the endpoint's own
/// query is kept.
inline result<std::string> build_authorize_url(const provider& p, const client& c, const authorize_params& a,
                                               const limits& lim = {}) {
  if (auto ok = detail::check_client_id(c.id); !ok) return ok.error();
  auto endpoint = detail::check_endpoint(p.authorize_endpoint, p, lim, "authorize_endpoint");
  if (!endpoint) return endpoint.error();
  if (auto ok = detail::check_redirect_uri(c.redirect_uri, lim); !ok) return ok.error();
  if (a.without_state && !a.state.empty())
    return detail::fail(errc::invalid_argument, "state given together with without_state");
  if (a.without_state && a.code_challenge.empty())
    return detail::fail(errc::csrf_protection_missing, "without_state and no code_challenge");
  if (!a.without_state) {
    if (a.state.empty())
      return detail::fail(errc::state_missing, "no state given (pass one, or opt out with without_state)");
    if (a.state.size() > lim.max_value)
      return detail::over_limit("state", a.state.size(), "bytes", lim.max_value);
    if (!detail::all_of(a.state, detail::is_vschar)) return detail::fail(errc::invalid_character, "state");
  }
  if (!a.code_challenge.empty() && !detail::is_code_challenge(a.code_challenge))
    return detail::fail(errc::invalid_code_verifier, "code_challenge");
  if (!a.scope.empty() && !detail::is_scope(a.scope)) return detail::fail(errc::invalid_character, "scope");
  if (auto ok = detail::check_pkce_sent(p, c, !a.code_challenge.empty()); !ok) return ok.error();

  std::string url(p.authorize_endpoint);
  if (!endpoint->has_query) url += '?';
  using detail::encoding;
  detail::append_pair(url, "client_id", c.id, encoding::uri);
  detail::append_pair(url, "redirect_uri", c.redirect_uri, encoding::uri);
  detail::append_pair(url, "response_type", "code", encoding::uri);
  if (!a.without_state) detail::append_pair(url, "state", a.state, encoding::uri);
  if (!a.scope.empty()) detail::append_pair(url, "scope", a.scope, encoding::uri);
  if (p.offline_access_consent && detail::has_scope_token(a.scope, scopes::offline_access))
    detail::append_pair(url, "prompt", "consent", encoding::uri);
  if (!a.code_challenge.empty()) {
    detail::append_pair(url, "code_challenge", a.code_challenge, encoding::uri);
    detail::append_pair(url, "code_challenge_method", "S256", encoding::uri);
  }
  return url;
}

// ============================================================================
// 10. Redirect
// ============================================================================

/// What the redirect must carry back.
struct expected_redirect {
  std::string_view state{};          ///< the state sent; required unless without_state
  bool without_state = false;        ///< no state was sent: any state that arrives is refused
  bool code_challenge_sent = false;  ///< PKCE was used; without_state is allowed only then
};

namespace detail {
/// The OAuth parameters of a redirect, still encoded, each seen at most once.
struct redirect_params {
  enum id { code, state, error, error_description, error_uri, iss, count };
  /// With the characters RFC 6749 App. A allows in each.
  static constexpr field<id, charset> fields[count] = {
      {code, "code", &abnf::vschar},  // A.11
      {state, "state", nullptr},      // compared with the state sent
      {error, "error", error_rule(oauth_error_fields::error)},
      {error_description, "error_description", error_rule(oauth_error_fields::error_description)},
      {error_uri, "error_uri", error_rule(oauth_error_fields::error_uri)},
      {iss, "iss", nullptr},  // compared with the provider's issuer
  };
  std::string_view raw[count];
  bool seen[count] = {};
  bool escaped[count] = {};   ///< raw[k] has '%' or '+': it decodes to other bytes
  bool verbatim[count] = {};  ///< raw[k] is printable ASCII without '%' and '+'

  /// Present with a non-empty value (RFC 6749 §3.1: empty counts as omitted).
  bool has(int k) const noexcept { return seen[k] && !raw[k].empty(); }
  /// Decoded; a value without escapes is its own decoding, copied at once.
  std::string get(int k) const { return escaped[k] ? decode_form_component(raw[k]) : std::string(raw[k]); }
};
static_assert(in_enum_order(redirect_params::fields), "redirect_params::fields[k] is parameter k");

/// Whether every byte of `value` is in parameter k's charset.
inline bool follows_rule(const redirect_params::id k, std::string_view value) noexcept {
  const charset allowed = redirect_params::fields[k].rule;
  return allowed == nullptr || all_of(value, *allowed);
}

/// Whether a raw form component can decode to other bytes than its own.
inline bool has_escapes(std::string_view raw) noexcept {
  for (char ch : raw)
    if (ch == '%' || ch == '+') return true;
  return false;
}

/// What one pass over a raw form component finds.
struct form_component_scan {
  errc status = errc::ok;  ///< as check_form_component gives it
  bool escaped = false;    ///< as has_escapes gives it
  bool verbatim = true;    ///< printable ASCII without '%' and '+': decodes to itself, all VSCHAR
};

/// The bytes of a verbatim form component.
inline constexpr char_set verbatim_form_chars = abnf::vschar - "%+";
static_assert(redirect_params::fields[redirect_params::code].rule->includes(verbatim_form_chars),
              "a verbatim code needs no check of its characters");

/// check_form_component and has_escapes of `raw`, read once when it is verbatim.
inline form_component_scan scan_form_component(std::string_view raw) noexcept {
  std::size_t i = 0;
  while (i < raw.size() && verbatim_form_chars.contains(static_cast<unsigned char>(raw[i]))) ++i;
  form_component_scan out;
  if (i == raw.size()) return out;
  // The bytes before i are ASCII, so no UTF-8 sequence or escape starts
  // before i: the rest alone decides both answers.
  const std::string_view rest = raw.substr(i);
  out.verbatim = false;
  out.escaped = has_escapes(rest);
  out.status = check_form_component(rest);
  return out;
}

inline result<redirect_params> read_redirect_params(std::string_view query, const limits& lim) {
  redirect_params out;
  form_reader reader(query);
  form_pair pair;
  std::size_t pairs = 0;
  while (reader.next(pair)) {
    if (++pairs > lim.max_parameters)
      return over_limit("the redirect's query", pairs + count_pairs(reader), "parameters",
                        lim.max_parameters);
    if (pair.value.size() > 3 * lim.max_value)
      return over_limit("a redirect parameter's value", pair.value.size(), "bytes (encoded)",
                        3 * lim.max_value);
    const form_component_scan name = scan_form_component(pair.name);
    if (name.status != errc::ok) return fail(name.status, "redirect parameter");
    const form_component_scan value = scan_form_component(pair.value);
    if (value.status != errc::ok) return fail(value.status, "redirect parameter");
    for (const auto& param : redirect_params::fields) {
      if (name.escaped ? !form_component_equals(pair.name, param.name) : pair.name != param.name) continue;
      const int k = param.id;
      if (out.seen[k]) return fail(errc::duplicate_parameter, param.name);
      out.seen[k] = true;
      out.raw[k] = pair.value;
      out.escaped[k] = value.escaped;
      out.verbatim[k] = value.verbatim;
      break;
    }
  }
  return out;
}

/// A split URL up to its query or fragment: scheme, authority and path.
inline std::string_view base_url(std::string_view url, const url_parts& parts) noexcept {
  std::size_t tail = parts.has_query ? parts.query.size() + 1 : 0;
  if (parts.has_fragment) tail += parts.fragment.size() + 1;
  return url.substr(0, url.size() - tail);
}

/// The parts split_url gives for base_url(url, parts).
inline url_parts without_query(url_parts parts) noexcept {
  parts.query = parts.fragment = {};
  parts.has_query = parts.has_fragment = false;
  return parts;
}

/// A pair of the registered URI's own query that did not come back once and unchanged.
struct query_change {
  std::string_view name;  ///< as registered, still encoded
  std::size_t times = 0;  ///< how often the name came back
};

/// The first pair of the registered URI's own query that does not come back
/// unchanged, once.
inline std::optional<query_change> changed_query_pair(std::string_view registered, std::string_view got) {
  form_reader reader(registered);
  form_pair want;
  while (reader.next(want)) {
    const std::string name = decode_form_component(want.name);
    const std::string value = decode_form_component(want.value);
    form_reader scan(got);
    form_pair have;
    std::size_t matches = 0;
    bool equal = false;
    while (scan.next(have)) {
      if (!form_component_equals(have.name, name)) continue;
      ++matches;
      equal = form_component_equals(have.value, value);
    }
    if (matches != 1 || !equal) return query_change{want.name, matches};
  }
  return std::nullopt;
}

inline bool registered_query_kept(std::string_view registered, std::string_view got) {
  return !changed_query_pair(registered, got);
}

inline std::string_view normalized_path(std::string_view path) noexcept {
  return path.empty() ? std::string_view("/") : path;
}

/// redirect_uri_mismatch naming the first part of `got` that differs from
/// `registered`, with both values. Of the query only a parameter's name is
/// told: the received query's values hold the code.
inline error redirect_mismatch(const url_parts& registered, const url_parts& got) {
  auto differs = [](std::string_view part, std::string_view how) {
    error e;
    e.code = errc::redirect_uri_mismatch;
    e.message = "the URL's " + std::string(part) + " is not the registered redirect URI's: ";
    e.message += how;
    return e;
  };
  auto both = [](std::string_view want, std::string_view have) {
    return "registered \"" + std::string(want) + "\", received \"" + std::string(have) + '"';
  };
  if (!iequals(registered.scheme, got.scheme)) return differs("scheme", both(registered.scheme, got.scheme));
  if (!iequals(registered.host, got.host)) return differs("host", both(registered.host, got.host));
  if (registered.effective_port != got.effective_port)
    return differs("port",
                   both(std::to_string(registered.effective_port), std::to_string(got.effective_port)));
  if (normalized_path(registered.path) != normalized_path(got.path))
    return differs("path", both(normalized_path(registered.path), normalized_path(got.path)));
  const std::optional<query_change> change = changed_query_pair(registered.query, got.query);
  if (!change) return fail(errc::redirect_uri_mismatch);
  const std::string name = "the registered parameter \"" + std::string(change->name) + '"';
  if (change->times == 0) return differs("query", name + " is missing");
  if (change->times > 1) return differs("query", name + " comes " + std::to_string(change->times) + " times");
  return differs("query", name + " has another value");
}
}  // namespace detail

/// The authorization code from the URL the browser came back to, e.g.
/// https://example.com/back?code=1/mWot20jTwojsd00jFlaaR45&state=S gives
/// "1/mWot20jTwojsd00jFlaaR45" (also from code=1%2FmWot...: decoded once).
/// First checks that the URL is the registered redirect URI (scheme and host
/// case-insensitive, default port normalised, path byte-exact, registered
/// query kept), that no OAuth parameter repeats, the state (constant time)
/// and, with an issuer configured, RFC 9207 iss. A provider error comes back
/// as errc::authorization_denied (access_denied) or authorization_error.
/// Spec: RFC 6749 §4.1.2, §10.12; RFC 9207 §2.4; RFC 9700 §4.
inline result<std::string> parse_redirect(std::string_view url, const provider& p, const client& c,
                                          const expected_redirect& expect, const limits& lim = {}) {
  if (expect.without_state && !expect.state.empty())
    return detail::fail(errc::invalid_argument, "expected state given together with without_state");
  if (expect.without_state && !expect.code_challenge_sent)
    return detail::fail(errc::csrf_protection_missing, "without_state and no code_challenge sent");
  // The registered URI's faults come first. The URL usually starts with it
  // byte for byte: then its parts are the URL's, and it needs no split of its own.
  auto got = detail::split_url(url, errc::invalid_url, lim.max_url);
  const bool starts_with_registered = got && detail::base_url(url, *got) == c.redirect_uri;
  if (starts_with_registered) {
    // Origin and path are the URL's own, and a registered URI equal to a
    // base_url has no query to keep: only its own rules are left to check.
    if (auto ok = detail::check_redirect_uri(detail::without_query(*got)); !ok) return ok.error();
  } else {
    auto registered = detail::check_redirect_uri(c.redirect_uri, lim);
    if (!registered) return registered.error();
    if (!got) return got.error();
    if (!detail::same_origin(*registered, *got) ||
        detail::normalized_path(registered->path) != detail::normalized_path(got->path) ||
        !detail::registered_query_kept(registered->query, got->query))
      return detail::redirect_mismatch(*registered, *got);
  }

  auto params = detail::read_redirect_params(got->query, lim);
  if (!params) return params.error();
  using rp = detail::redirect_params;
  const rp& q = *params;

  if (expect.without_state) {
    if (q.seen[rp::state]) return detail::fail(errc::state_mismatch, "state received but none was sent");
  } else {
    if (expect.state.empty()) return detail::fail(errc::state_missing, "no expected state to check against");
    if (!q.has(rp::state)) return detail::fail(errc::state_missing);
    std::string decoded;  // only a state with escapes is decoded (allocated)
    std::string_view state = q.raw[rp::state];
    if (q.escaped[rp::state]) state = decoded = q.get(rp::state);
    if (!secure_equals(state, expect.state)) return detail::fail(errc::state_mismatch);
  }

  if (!p.issuer.empty()) {
    if (!q.has(rp::iss)) return detail::fail(errc::iss_missing);
    if (!detail::form_component_equals(q.raw[rp::iss], p.issuer)) return detail::fail(errc::iss_mismatch);
  } else if (q.seen[rp::iss]) {
    return detail::fail(errc::iss_unexpected);
  }

  if (q.has(rp::code) && q.has(rp::error))
    return detail::fail(errc::ambiguous_response, "redirect has both code and error");
  if (q.has(rp::error)) {
    error e;
    if (auto ok = detail::provider_error_fields(q.get(rp::error), q.get(rp::error_description),
                                                q.get(rp::error_uri), e.from_provider);
        !ok)
      return ok.error();
    e.code =
        e.from_provider.error == "access_denied" ? errc::authorization_denied : errc::authorization_error;
    e.message.assign(message(e.code));
    e.message += " (error=" + e.from_provider.error + ")";
    return e;
  }
  if (!q.has(rp::code)) return detail::fail(errc::missing_code);
  std::string code = q.get(rp::code);
  if (code.size() > lim.max_value) return detail::over_limit("code", code.size(), "bytes", lim.max_value);
  // A verbatim code is VSCHAR, which its rule allows (asserted with verbatim_form_chars).
  if (!q.verbatim[rp::code] && !detail::follows_rule(rp::code, code))
    return detail::fail(errc::invalid_character, "code");
  return code;
}

// ============================================================================
// 11. Token
// ============================================================================

/// A successful token response (RFC 6749 §5.1).
struct token {
  std::string access_token{};
  std::string token_type{};  ///< as sent ("bearer" when defaulted)
  std::optional<std::int64_t> expires_in{};
  std::string refresh_token{};
  std::string scope{};
  std::uint8_t leniencies = 0;         ///< `leniency` values applied to accept it
  bool no_store = false;               ///< response had Cache-Control: no-store
  bool refresh_token_rotated = false;  ///< parse_refresh_response: a new refresh token came

  bool applied(leniency l) const noexcept { return (leniencies & static_cast<std::uint8_t>(l)) != 0; }
};

namespace detail {
/// POST of a form to `endpoint` (the provider's field `what`) with client
/// authentication done as at the token endpoint; fields follow. A client
/// without a secret (a public client) sends only its client_id.
inline result<http_request> client_authenticated_post(const provider& p, const client& c,
                                                      const std::string& endpoint, std::string_view what,
                                                      const limits& lim) {
  if (auto ok = check_client_id(c.id); !ok) return ok.error();
  if (auto ok = check_endpoint(endpoint, p, lim, what); !ok) return ok.error();
  if (c.secret.size() > lim.max_value)
    return over_limit("client_secret", c.secret.size(), "bytes", lim.max_value);
  if (auto ok = check_client_accepted(p, c); !ok) return ok.error();
  http_request req;
  req.method = "POST";
  req.url = endpoint;
  req.headers.push_back({"Content-Type", std::string(form_content_type)});
  req.headers.push_back({"Accept", "application/json"});
  if (p.authentication == client_auth::http_basic && !c.secret.empty()) {
    std::string credentials;  // RFC 6749 §2.3.1: form-encode each, then base64
    percent_encode(credentials, c.id, encoding::form);
    credentials += ':';
    percent_encode(credentials, c.secret, encoding::form);
    req.headers.push_back({"Authorization", "Basic " + buffer_oauth::base64_encode(credentials)});
  } else {
    append_pair(req.body, "client_id", c.id, encoding::form);
    if (!c.secret.empty()) append_pair(req.body, "client_secret", c.secret, encoding::form);
  }
  return req;
}

/// POST to the token endpoint with client authentication done; fields follow.
inline result<http_request> token_endpoint_request(const provider& p, const client& c, const limits& lim) {
  return client_authenticated_post(p, c, p.token_endpoint, "token_endpoint", lim);
}

/// A refresh token or a token to revoke: one or more VSCHAR (RFC 6749 A.17),
/// within lim.max_value.
inline result<void> check_vschar_token(std::string_view token, std::string_view what, const limits& lim) {
  if (token.empty() || !all_of(token, is_vschar)) return fail(errc::invalid_token_syntax, what);
  if (token.size() > lim.max_value) return over_limit(what, token.size(), "bytes", lim.max_value);
  return {};
}
}  // namespace detail

/// The token-swap POST (RFC 6749 §4.1.3). For Buffer:
///   POST https://api.bufferapp.com/1/oauth2/token.json
///   client_id=..&client_secret=..&redirect_uri=..&code=1/mWot20jTwojsd00jFlaaR45&grant_type=authorization_code
/// The code keeps '/' raw (as Buffer's guide demands) while '&', '=', '+',
/// '%', '#', space, controls and non-ASCII are escaped.
inline result<http_request> build_token_request(const provider& p, const client& c, std::string_view code,
                                                std::string_view code_verifier = {}, const limits& lim = {}) {
  auto req = detail::token_endpoint_request(p, c, lim);
  if (!req) return req;
  if (auto ok = detail::check_redirect_uri(c.redirect_uri, lim); !ok) return ok.error();
  if (code.empty()) return detail::fail(errc::missing_code, "code is empty");
  if (code.size() > lim.max_value) return detail::over_limit("code", code.size(), "bytes", lim.max_value);
  if (!detail::all_of(code, detail::is_vschar)) return detail::fail(errc::invalid_character, "code");
  if (!code_verifier.empty() && !is_valid_code_verifier(code_verifier))
    return detail::fail(errc::invalid_code_verifier);
  if (auto ok = detail::check_client_kind(p, c, !code_verifier.empty()); !ok) return ok.error();
  using detail::encoding;
  std::string& body = req->body;
  detail::append_pair(body, "redirect_uri", c.redirect_uri, encoding::form);
  detail::append_pair(body, "code", code, p.code_form_safe ? encoding::form_safe : encoding::form);
  detail::append_pair(body, "grant_type", "authorization_code", encoding::form);
  if (!code_verifier.empty()) detail::append_pair(body, "code_verifier", code_verifier, encoding::form);
  return req;
}

/// A refresh-token POST (RFC 6749 §6), for providers that issue refresh tokens.
inline result<http_request> build_refresh_request(const provider& p, const client& c,
                                                  std::string_view refresh_token, std::string_view scope = {},
                                                  const limits& lim = {}) {
  auto req = detail::token_endpoint_request(p, c, lim);
  if (!req) return req;
  if (auto ok = detail::check_vschar_token(refresh_token, "refresh_token", lim); !ok) return ok.error();
  if (!scope.empty() && !detail::is_scope(scope)) return detail::fail(errc::invalid_character, "scope");
  using detail::encoding;
  detail::append_pair(req->body, "grant_type", "refresh_token", encoding::form);
  detail::append_pair(req->body, "refresh_token", refresh_token, encoding::form);
  if (!scope.empty()) detail::append_pair(req->body, "scope", scope, encoding::form);
  return req;
}

namespace detail {
/// An optional string member; null only with the null_member leniency.
inline result<bool> optional_string(const provider& p, const json_value& v, std::string_view name,
                                    std::string& out, token& t) {
  if (v.type == json_type::absent) return false;
  if (v.type == json_type::null) {
    if (!p.allows(leniency::null_member)) return fail(errc::invalid_member_type, name);
    t.leniencies |= static_cast<std::uint8_t>(leniency::null_member);
    return false;
  }
  if (v.type != json_type::string) return fail(errc::invalid_member_type, name);
  assign_json_string(out, v);
  return true;
}

/// The token a successful answer carries (RFC 6749 §5.1), with the
/// leniencies the provider allows recorded when used.
inline result<token> read_token(const provider& p, const response_members& m, const http_response& r,
                                const limits& lim) {
  using rm = response_members;
  token t;
  const auto& at = m.v[rm::access_token];
  if (at.type == json_type::absent || at.type == json_type::null) return fail(errc::missing_access_token);
  if (at.type != json_type::string) return fail(errc::invalid_member_type, "access_token");
  assign_json_string(t.access_token, at);
  if (t.access_token.empty()) return fail(errc::missing_access_token);
  if (t.access_token.size() > lim.max_value)
    return over_limit("access_token", t.access_token.size(), "bytes", lim.max_value);
  if (!is_b64token(t.access_token)) return fail(errc::invalid_token_syntax, "access_token");

  auto has_type = optional_string(p, m.v[rm::token_type], "token_type", t.token_type, t);
  if (!has_type) return has_type.error();
  if (!*has_type) {
    if (!p.allows(leniency::token_type_defaulted)) return fail(errc::missing_token_type);
    t.token_type = "bearer";
    t.leniencies |= static_cast<std::uint8_t>(leniency::token_type_defaulted);
  } else if (!iequals(t.token_type, "bearer")) {
    return fail(errc::unsupported_token_type);
  }

  const auto& ex = m.v[rm::expires_in];
  std::int64_t seconds = 0;
  if (ex.type == json_type::number) {
    if (!parse_seconds(ex.raw, seconds)) return fail(errc::invalid_expires_in);
    t.expires_in = seconds;
  } else if (ex.type == json_type::string && p.allows(leniency::expires_in_string) && !ex.escaped &&
             parse_seconds(ex.raw, seconds)) {
    t.expires_in = seconds;
    t.leniencies |= static_cast<std::uint8_t>(leniency::expires_in_string);
  } else if (ex.type == json_type::null && p.allows(leniency::null_member)) {
    t.leniencies |= static_cast<std::uint8_t>(leniency::null_member);
  } else if (ex.type != json_type::absent) {
    return fail(errc::invalid_expires_in);
  }
  if (t.expires_in && *t.expires_in > lim.max_expires_in)
    return over_limit("expires_in", *t.expires_in, "seconds", lim.max_expires_in);

  auto has_refresh = optional_string(p, m.v[rm::refresh_token], "refresh_token", t.refresh_token, t);
  if (!has_refresh) return has_refresh.error();
  if (*has_refresh && t.refresh_token.size() > lim.max_value)
    return over_limit("refresh_token", t.refresh_token.size(), "bytes", lim.max_value);
  if (*has_refresh && (t.refresh_token.empty() || !all_of(t.refresh_token, abnf::vschar)))
    return fail(errc::invalid_token_syntax, "refresh_token");
  auto has_scope = optional_string(p, m.v[rm::scope], "scope", t.scope, t);
  if (!has_scope) return has_scope.error();
  if (*has_scope && !t.scope.empty() && !is_scope(t.scope)) return fail(errc::invalid_character, "scope");

  if (const std::string* cc = find_header(r.headers, "Cache-Control")) {
    std::string lower(*cc);
    for (char& ch : lower) ch = ascii_lower(ch);
    t.no_store = lower.find("no-store") != std::string::npos;
  }
  return t;
}
}  // namespace detail

/// Parses the token endpoint's answer into a token, or an error that says
/// which of: RFC 6749 §5.2 error (errc::token_error, with `from_provider`),
/// Buffer API envelope (api_error), non-JSON body (not_json), empty body,
/// malformed JSON, not an object, duplicate member, missing or ill-typed
/// access_token, token outside b64token, unsupported token_type, bad
/// expires_in, 429 or 503 with Retry-After (rate_limited, with retry_after
/// when given), or an unexpected status (http_error). `error` with HTTP 200
/// is still an error. Leniencies the provider allows are recorded when used.
inline result<token> parse_token_response(const provider& p, const http_response& r, const limits& lim = {}) {
  return detail::read_response(r, [&]() -> result<token> {
    if (auto e = detail::rate_limit_error(r)) return *std::move(e);
    detail::response_members members;  // read in place: it is large
    if (auto ok = detail::read_response_members(r.body, lim, members); !ok) return ok.error();
    if (auto e = detail::response_error(members, r)) return *std::move(e);
    return detail::read_token(p, members, r, lim);
  });
}

/// Like parse_token_response for a refresh (RFC 6749 §6): when no new refresh
/// token comes, the previous one is kept; refresh_token_rotated says which.
inline result<token> parse_refresh_response(const provider& p, const http_response& r,
                                            std::string_view previous_refresh_token, const limits& lim = {}) {
  auto t = parse_token_response(p, r, lim);
  if (!t) return t;
  if (t->refresh_token.empty()) {
    t->refresh_token.assign(previous_refresh_token);
  } else {
    t->refresh_token_rotated = t->refresh_token != previous_refresh_token;
  }
  return t;
}

// ---- Revocation (RFC 7009)

/// Which kind of token a revocation request names (RFC 7009 §2.1); the
/// server may search other kinds too. `none` sends no hint.
enum class token_type_hint : std::uint8_t { none, access_token, refresh_token };

/// Every hint with its name, which is also its value on the wire.
inline constexpr detail::field<token_type_hint> token_type_hints[] = {
    {token_type_hint::none, "none"},
    {token_type_hint::access_token, "access_token"},
    {token_type_hint::refresh_token, "refresh_token"},
};

static_assert(detail::in_enum_order(token_type_hints), "token_type_hints[k] is hint k");

namespace detail {
constexpr bool is_token_type_hint(token_type_hint h) noexcept {
  return static_cast<std::size_t>(h) < sizeof token_type_hints / sizeof token_type_hints[0];
}
}  // namespace detail

inline constexpr std::string_view to_string(token_type_hint h) noexcept {
  return detail::is_token_type_hint(h) ? token_type_hints[static_cast<std::size_t>(h)].name : "unknown";
}

/// The revocation POST (RFC 7009 §2.1): `token` and the hint, with the
/// client authenticated as at the token endpoint, e.g. for HTTP Basic:
///   POST https://server.example.com/revoke
///   Authorization: Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW
///   token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token
inline result<http_request> build_revocation_request(const provider& p, const client& c,
                                                     std::string_view token,
                                                     token_type_hint hint = token_type_hint::none,
                                                     const limits& lim = {}) {
  if (p.revocation_endpoint.empty())
    return detail::fail(errc::invalid_endpoint, "provider has no revocation endpoint");
  if (!detail::is_token_type_hint(hint))
    return detail::fail(errc::invalid_argument,
                        "token_type_hint must be none, access_token or refresh_token");
  auto req = detail::client_authenticated_post(p, c, p.revocation_endpoint, "revocation_endpoint", lim);
  if (!req) return req;
  if (auto ok = detail::check_vschar_token(token, "token", lim); !ok) return ok.error();
  using detail::encoding;
  detail::append_pair(req->body, "token", token, encoding::form);
  if (hint != token_type_hint::none)
    detail::append_pair(req->body, "token_type_hint", to_string(hint), encoding::form);
  return req;
}

/// Reads the revocation endpoint's answer (RFC 7009 §2.2). HTTP 200 means
/// revoked, whatever the body says (the RFC has the client ignore it). Else:
/// an RFC 6749 §5.2 error body such as unsupported_token_type (token_error,
/// with `from_provider`); 429, or 503 with Retry-After (rate_limited, with
/// `retry_after` or `retry_after_date` when given); a JSON object body that does not
/// read (malformed_json, duplicate_member, too_large...); else http_error.
inline result<void> parse_revocation_response(const http_response& r, const limits& lim = {}) {
  return detail::read_response(r, [&]() -> result<void> {
    if (r.status == 200) return {};
    if (auto e = detail::rate_limit_error(r)) return *std::move(e);
    if (detail::opens_json_object(r.body)) {
      auto members = detail::read_response_members(r.body, lim);
      if (!members) return members.error();
      if (auto e = detail::response_error(*members, r)) return *std::move(e);
    }
    return detail::fail(errc::http_error,
                        "the revocation endpoint answered HTTP " + std::to_string(r.status));
  });
}

// ---- Registration (RFC 7591) of a native app (RFC 8252)

/// The metadata a native app asks to be registered with (RFC 7591 §2). The
/// rest is fixed: a public client (token_endpoint_auth_method "none") using
/// the authorization code and refresh token grants, application_type native.
struct registration_params {
  /// Loopback redirect URIs (RFC 8252 §7.3), at least one: http, host exactly
  /// 127.0.0.1 or [::1], any port or none, an absolute path.
  std::vector<std::string> redirect_uris{};
  std::string client_name{};  ///< shown to the user at consent; any UTF-8; empty: omitted
  std::string scope{};        ///< space-separated scope tokens; empty: omitted
};

/// What the registration endpoint issued (RFC 7591 §3.2.1).
struct registered_client {
  client app{};  ///< id, secret when one was issued, redirect_uri the first one sent
  /// RFC 7592 management credentials; both empty when the server has none.
  std::string registration_access_token{};
  std::string registration_client_uri{};
  /// When the secret expires, in seconds since 1970 (0: never); set exactly
  /// when a secret was issued.
  std::optional<std::int64_t> client_secret_expires_at{};
};

namespace detail {
/// The only hosts a registered redirect URI may name: the loopback IP
/// literals of RFC 8252 §7.3; "localhost" is NOT RECOMMENDED (§8.3).
inline constexpr std::string_view loopback_redirect_hosts[] = {"127.0.0.1", "[::1]"};

/// The members every registration request carries besides the caller's, as
/// JSON text.
inline constexpr std::pair<std::string_view, std::string_view> native_client_metadata[] = {
    {"token_endpoint_auth_method", R"("none")"},
    {"grant_types", R"(["authorization_code","refresh_token"])"},
    {"response_types", R"(["code"])"},
    {"application_type", R"("native")"},
};

/// A redirect URI a native app registers: as check_redirect_uri wants it (so
/// http://localhost is insecure_url), http to a loopback_redirect_hosts
/// entry, with a path.
inline result<void> check_loopback_redirect_uri(std::string_view uri, const limits& lim) {
  auto parts = check_redirect_uri(uri, lim);
  if (!parts) return parts.error();
  const auto* host =
      std::find(std::begin(loopback_redirect_hosts), std::end(loopback_redirect_hosts), parts->host);
  if (parts->https() || host == std::end(loopback_redirect_hosts))
    return fail(errc::invalid_redirect_uri,
                "a native app registers loopback redirect URIs only: http://127.0.0.1[:port]/path or "
                "http://[::1][:port]/path (RFC 8252 §7.3)");
  if (parts->path.empty()) return fail(errc::invalid_redirect_uri, "redirect_uri needs a path, at least '/'");
  return {};
}

/// The caller's metadata, as build_registration_request and
/// parse_registration_response both require it.
inline result<void> check_registration_params(const registration_params& r, const limits& lim) {
  if (r.redirect_uris.empty()) return fail(errc::invalid_redirect_uri, "registration needs a redirect URI");
  if (r.redirect_uris.size() > lim.max_parameters)
    return over_limit("redirect_uris", r.redirect_uris.size(), "URIs", lim.max_parameters);
  for (auto uri = r.redirect_uris.begin(); uri != r.redirect_uris.end(); ++uri) {
    if (auto ok = check_loopback_redirect_uri(*uri, lim); !ok) return ok;
    if (std::find(r.redirect_uris.begin(), uri, *uri) != uri)
      return fail(errc::invalid_redirect_uri, "redirect_uris lists a URI twice");
  }
  if (r.client_name.size() > lim.max_value)
    return over_limit("client_name", r.client_name.size(), "bytes", lim.max_value);
  if (!r.scope.empty() && !is_scope(r.scope)) return fail(errc::invalid_character, "scope");
  return {};
}

/// The members of a registration response this library reads.
struct registration_fields {
  enum id {
    client_id,
    client_secret,
    client_secret_expires_at,
    registration_access_token,
    registration_client_uri,
    redirect_uris,
    token_endpoint_auth_method,
    count
  };
  static constexpr field<id> fields[count] = {
      {client_id, "client_id"},
      {client_secret, "client_secret"},
      {client_secret_expires_at, "client_secret_expires_at"},
      {registration_access_token, "registration_access_token"},
      {registration_client_uri, "registration_client_uri"},
      {redirect_uris, "redirect_uris"},
      {token_endpoint_auth_method, "token_endpoint_auth_method"},
  };
};
static_assert(in_enum_order(registration_fields::fields), "registration_fields::fields[k] is field k");

/// A registration answer's members: the OAuth ones an error body carries and
/// the registered client's.
struct registration_members {
  response_members oauth;
  std::array<json_value, registration_fields::count> client;
};

/// Reads a registration answer as a JSON object, once for both kinds of
/// member; a repeated one is an error.
inline result<registration_members> read_registration_members(std::string_view body, const limits& lim) {
  constexpr std::size_t first_client = response_members::count;
  registration_members out;
  json_slot slots[first_client + registration_fields::count];
  std::copy(std::begin(out.oauth.slots), std::end(out.oauth.slots), slots);
  for (const auto& f : registration_fields::fields) slots[first_client + f.id].name = f.name;
  if (auto ok = read_object_members(body, slots, lim); !ok) return ok.error();
  for (std::size_t k = 0; k < first_client; ++k) out.oauth.v[k] = slots[k].value;
  for (const auto& f : registration_fields::fields) out.client[f.id] = slots[first_client + f.id].value;
  return out;
}

/// A string member: false when absent, invalid_member_type unless a string.
inline result<bool> registration_string(const json_value& v, std::string_view name, std::string& out) {
  if (v.type == json_type::absent) return false;
  if (v.type != json_type::string) return fail(errc::invalid_member_type, name);
  assign_json_string(out, v);
  return true;
}

/// redirect_uri_mismatch naming a URI sent but not registered or, shown only
/// when it is plain URI characters, one registered but not sent.
inline error registered_uris_mismatch(const std::vector<std::string>& sent,
                                      const std::vector<std::string>& registered) {
  error e;
  e.code = errc::redirect_uri_mismatch;
  auto absent = [](const std::vector<std::string>& list, const std::string& uri) {
    return std::find(list.begin(), list.end(), uri) == list.end();
  };
  for (const auto& uri : sent)
    if (absent(registered, uri)) {
      e.message = "\"" + uri + "\" was sent but is not among the registered redirect_uris";
      return e;
    }
  for (const auto& uri : registered)
    if (absent(sent, uri)) {
      e.message = all_of(uri, abnf::uri) ? "\"" + uri + "\" is registered but was not sent"
                                         : "a redirect URI that was not sent is registered";
      return e;
    }
  e.message = "the registered redirect_uris repeat one that was sent";
  return e;
}

/// The client a 201 answer registered (RFC 7591 §3.2.1), checked against
/// what was sent.
inline result<registered_client> read_registered_client(
    const std::array<json_value, registration_fields::count>& m, const registration_params& sent,
    const limits& lim) {
  using rf = registration_fields;
  registered_client out;
  client& app = out.app;
  auto has_id = registration_string(m[rf::client_id], "client_id", app.id);
  if (!has_id) return has_id.error();
  if (!*has_id) return fail(errc::missing_member, "client_id");
  if (app.id.size() > lim.max_value) return over_limit("client_id", app.id.size(), "bytes", lim.max_value);
  if (!check_client_id(app.id)) return fail(errc::invalid_character, "client_id is empty or not VSCHAR");

  auto has_secret = registration_string(m[rf::client_secret], "client_secret", app.secret);
  if (!has_secret) return has_secret.error();
  if (app.secret.size() > lim.max_value)
    return over_limit("client_secret", app.secret.size(), "bytes", lim.max_value);
  if (!all_of(app.secret, is_vschar)) return fail(errc::invalid_character, "client_secret is not VSCHAR");
  const json_value& expires = m[rf::client_secret_expires_at];
  std::int64_t expires_at = 0;
  if (expires.type != json_type::absent &&
      !(expires.type == json_type::number && parse_seconds(expires.raw, expires_at)))
    return fail(errc::invalid_member_type, "client_secret_expires_at must be a non-negative integer");
  if (!app.secret.empty()) {
    if (expires.type == json_type::absent)
      return fail(errc::missing_member, "client_secret_expires_at (required with a client_secret)");
    out.client_secret_expires_at = expires_at;
  }

  auto has_token = registration_string(m[rf::registration_access_token], "registration_access_token",
                                       out.registration_access_token);
  if (!has_token) return has_token.error();
  if (*has_token) {
    if (out.registration_access_token.size() > lim.max_value)
      return over_limit("registration_access_token", out.registration_access_token.size(), "bytes",
                        lim.max_value);
    if (!is_b64token(out.registration_access_token))
      return fail(errc::invalid_token_syntax, "registration_access_token");
  }
  auto has_uri = registration_string(m[rf::registration_client_uri], "registration_client_uri",
                                     out.registration_client_uri);
  if (!has_uri) return has_uri.error();
  if (*has_token != *has_uri)
    return fail(errc::missing_member,
                "registration_access_token and registration_client_uri come together "
                "(RFC 7592 §3)");
  if (*has_uri) {
    auto uri = split_url(out.registration_client_uri, errc::invalid_url, lim.max_url);
    if (!uri) return uri.error();
    if (uri->has_fragment) return fail(errc::invalid_url, "registration_client_uri has a fragment");
    if (!uri->https()) return fail(errc::insecure_url, "registration_client_uri");
  }

  const json_value& uris = m[rf::redirect_uris];
  if (uris.type != json_type::absent) {
    auto registered = json_string_array(uris, lim.max_parameters, "redirect_uris");
    if (!registered) return registered.error();
    std::vector<std::string> asked = sent.redirect_uris;
    std::sort(asked.begin(), asked.end());
    std::sort(registered->begin(), registered->end());
    if (*registered != asked) return registered_uris_mismatch(asked, *registered);
  }
  std::string method;
  auto has_method =
      registration_string(m[rf::token_endpoint_auth_method], "token_endpoint_auth_method", method);
  if (!has_method) return has_method.error();
  if (*has_method && method != "none" && app.secret.empty())
    return fail(errc::client_auth_unsupported,
                "the client was registered for a token_endpoint_auth_method other than none, without a "
                "client_secret");
  app.redirect_uri = sent.redirect_uris.front();
  return out;
}
}  // namespace detail

/// The registration POST of a native app (RFC 7591 §3.1) to
/// `p.registration_endpoint`: a JSON object with the redirect URIs, the fixed
/// metadata of a public native client and, when given, client_name and scope:
///   POST https://auth.buffer.com/reg
///   Content-Type: application/json
///   {"redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none",
///    "grant_types":["authorization_code","refresh_token"],"response_types":["code"],
///    "application_type":"native","client_name":"My CLI","scope":"posts:read offline_access"}
inline result<http_request> build_registration_request(const provider& p, const registration_params& r,
                                                       const limits& lim = {}) {
  if (p.registration_endpoint.empty())
    return detail::fail(errc::invalid_endpoint, "provider has no registration endpoint (RFC 7591)");
  if (auto ok = detail::check_endpoint(p.registration_endpoint, p, lim, "registration_endpoint"); !ok)
    return ok.error();
  if (!p.public_clients)
    return detail::fail(errc::client_secret_required,
                        "registration asks for a public client (token_endpoint_auth_method none)");
  if (auto ok = detail::check_registration_params(r, lim); !ok) return ok.error();

  http_request req;
  req.method = "POST";
  req.url = p.registration_endpoint;
  req.headers.push_back({"Content-Type", "application/json"});
  req.headers.push_back({"Accept", "application/json"});
  std::string& body = req.body;
  body = R"({"redirect_uris":[)";
  for (const auto& uri : r.redirect_uris) {
    if (&uri != &r.redirect_uris.front()) body += ',';
    if (auto ok = detail::append_json_string(body, uri, "redirect_uri"); !ok) return ok.error();
  }
  body += ']';
  for (const auto& [name, json] : detail::native_client_metadata) {
    body += ",\"";
    body += name;
    body += "\":";
    body += json;
  }
  const std::pair<std::string_view, std::string_view> optional_members[] = {{"client_name", r.client_name},
                                                                            {"scope", r.scope}};
  for (const auto& [name, value] : optional_members) {
    if (value.empty()) continue;
    body += ",\"";
    body += name;
    body += "\":";
    if (auto ok = detail::append_json_string(body, value, name); !ok) return ok.error();
  }
  body += '}';
  return req;
}

/// Reads the registration endpoint's answer (RFC 7591 §3.2) to the request
/// built from `sent`. Only HTTP 201 registers: the client, its secret when
/// one was issued (with client_secret_expires_at, which is then required)
/// and the RFC 7592 management credentials when given. A §3.2.2 error body
/// (invalid_redirect_uri, invalid_client_metadata...) is registration_refused
/// with `from_provider`; 429, or 503 with Retry-After, rate_limited; any
/// other status, 200 included, http_error. In a 201 answer: no client_id is
/// missing_member; one outside VSCHAR invalid_character; redirect_uris other
/// than the ones sent redirect_uri_mismatch; a token_endpoint_auth_method
/// other than none without a secret client_auth_unsupported.
inline result<registered_client> parse_registration_response(const http_response& r,
                                                             const registration_params& sent,
                                                             const limits& lim = {}) {
  return detail::read_response(r, [&]() -> result<registered_client> {
    if (auto ok = detail::check_registration_params(sent, lim); !ok) return ok.error();
    if (auto e = detail::rate_limit_error(r)) return *std::move(e);
    if (r.status == 201) {
      auto members = detail::read_registration_members(r.body, lim);
      if (!members) return members.error();
      if (auto e = detail::response_error(members->oauth, r, errc::registration_refused))
        return *std::move(e);
      return detail::read_registered_client(members->client, sent, lim);
    }
    if (detail::opens_json_object(r.body)) {
      auto members = detail::read_response_members(r.body, lim);
      if (!members) return members.error();
      auto e = detail::response_error(*members, r, errc::registration_refused);
      if (e && e->code != errc::http_error) return *std::move(e);
    }
    return detail::fail(errc::http_error, "the registration endpoint answered HTTP " +
                                              std::to_string(r.status) +
                                              "; a registration is HTTP 201 Created (RFC 7591 §3.2.1)");
  });
}

// ============================================================================
// 12. Attach
// ============================================================================

namespace detail {
/// Whether a query or form body already carries an access token under any
/// name a server may read as access_token: pairs split on '&' and on ';',
/// names decoded and read as a server reads them (name_as_read).
inline bool form_carries_access_token(std::string_view form) {
  constexpr std::string_view target = "access_token";
  while (!form.empty()) {
    const std::size_t end = form.find_first_of("&;");
    const std::string_view piece = form.substr(0, end);
    form.remove_prefix(end == std::string_view::npos ? form.size() : end + 1);
    const std::string_view raw_name = piece.substr(0, piece.find('='));
    if (raw_name.size() < target.size()) continue;  // decoding never lengthens a name
    if (name_as_read(decode_form_component(raw_name)) == target) return true;
  }
  return false;
}

/// Whether a JSON object body has a top-level access_token member. One this
/// reader cannot read (too deep, or lax JSON) may still be read by the
/// server's: then any mention of "access", in any case, counts.
inline bool json_carries_access_token(std::string_view body, const limits& lim) {
  if (!opens_json_object(body)) return false;
  json_slot slot{"access_token", {}, 0};
  if (json_read(body, &slot, 1, lim)) return slot.count > 0;
  constexpr std::string_view word = "access";
  for (std::size_t i = 0; i + word.size() <= body.size(); ++i)
    if (iequals(body.substr(i, word.size()), word)) return true;
  return false;
}

/// A request's Content-Type headers: how many, and the media type of the
/// first. Repeated, or a comma list, it is ambiguous.
struct content_type_headers {
  std::size_t count = 0;
  bool list = false;
  std::string_view media;

  bool ambiguous() const noexcept { return count > 1 || list; }
  bool is_form() const noexcept { return count == 1 && !list && iequals(media, form_content_type); }
};

inline content_type_headers read_content_type(const http_headers& headers) noexcept {
  content_type_headers out;
  for (const auto& h : headers) {
    if (!iequals(h.name, "Content-Type")) continue;
    if (out.count++ == 0) out.media = media_type(h.value);
    out.list = out.list || h.value.find(',') != std::string::npos;
  }
  return out;
}
}  // namespace detail

struct attach_options {
  std::optional<token_placement> placement{};  ///< default: the provider's
  bool allow_query = false;                    ///< RFC 9700 §4.3.2 forbids query tokens unless opted in
};

/// A provider's API origin, checked once, for putting tokens on many
/// requests: attach_token with an api_target checks only the request.
class api_target {
 public:
  /// Checks `p.api_base` as every endpoint is checked (absolute, HTTPS or
  /// loopback http with the opt-in, no fragment, no OAuth parameter).
  static result<api_target> make(const provider& p, const limits& lim = {}) {
    auto api = detail::check_endpoint(p.api_base, p, lim, "api_base");
    if (!api) return api.error();
    const std::string_view base = p.api_base;
    const auto offset = [&](std::string_view part) {
      return static_cast<std::size_t>(part.data() - base.data());
    };
    api_target t;
    const std::size_t authority_end =
        offset(api->host) + api->host.size() + (api->port.empty() ? 0 : 1 + api->port.size());
    t.origin_.assign(base.substr(0, authority_end));
    t.scheme_size_ = api->scheme.size();
    t.host_offset_ = offset(api->host);
    t.host_size_ = api->host.size();
    t.port_offset_ = api->port.empty() ? t.origin_.size() : offset(api->port);
    t.effective_port_ = api->effective_port;
    t.default_placement_ = p.default_placement;
    t.allow_insecure_loopback_ = p.allow_insecure_loopback;
    return t;
  }

  /// Puts the token on `req` as attach_token does (below).
  result<void> attach(http_request& req, std::string_view access_token, const attach_options& o = {},
                      const limits& lim = {}) const;

  /// "scheme://authority" of the API, as api_base writes it.
  const std::string& origin() const noexcept { return origin_; }
  token_placement default_placement() const noexcept { return default_placement_; }

 private:
  api_target() = default;

  /// Splits a request URL as split_url does into `parts` and checks it is on
  /// this origin: insecure_url for plain http other than an opted-in
  /// loopback, token_origin_mismatch for another origin.
  result<void> check_request_url(std::string_view url, const limits& lim, detail::url_parts& parts) const {
    const std::size_t n = origin_.size();
    // The usual case: the URL starts with the origin byte for byte, so its
    // scheme, host and port are the ones make() checked; only the rest is read.
    if (url.size() <= lim.max_url && url.compare(0, n, origin_) == 0 &&
        (url.size() == n || url[n] == '/' || url[n] == '?' || url[n] == '#')) {
      const std::string_view rest = url.substr(n);
      if (auto ok = detail::check_url_characters(rest, errc::invalid_url); !ok) return ok;
      parts.scheme = url.substr(0, scheme_size_);
      parts.host = url.substr(host_offset_, host_size_);
      parts.port = url.substr(port_offset_, n - port_offset_);
      parts.effective_port = effective_port_;
      return detail::split_path_query_fragment(rest, parts, errc::invalid_url);
    }
    auto target = detail::split_url(url, errc::invalid_url, lim.max_url);
    if (!target) return target.error();
    if (!target->https() && !(allow_insecure_loopback_ && detail::is_loopback_ip(target->host)))
      return detail::fail(errc::insecure_url, "request URL");
    detail::url_parts own;
    own.scheme = std::string_view(origin_).substr(0, scheme_size_);
    own.host = std::string_view(origin_).substr(host_offset_, host_size_);
    own.effective_port = effective_port_;
    if (!detail::same_origin(own, *target)) return detail::fail(errc::token_origin_mismatch);
    parts = *target;
    return {};
  }

  std::string origin_;
  std::size_t scheme_size_ = 0, host_offset_ = 0, host_size_ = 0, port_offset_ = 0;
  std::uint16_t effective_port_ = 0;
  token_placement default_placement_ = token_placement::header;
  bool allow_insecure_loopback_ = false;
};

/// Puts an access token on a request to the API (RFC 6750 §2):
/// `Authorization: Bearer <token>` by default; `access_token` appended to a
/// form body (non-GET, ASCII application/x-www-form-urlencoded); or to the
/// query (opt-in; adds Cache-Control: no-store; query and fragment kept).
/// Refuses plain http (loopback only with the provider's opt-in), any URL
/// outside the API origin, a request that already carries a token, a token
/// outside b64token, and header values with CR, LF or NUL.
/// On failure `req` is left as it was.
inline result<void> api_target::attach(http_request& req, std::string_view access_token,
                                       const attach_options& o, const limits& lim) const {
  if (access_token.size() > lim.max_value)
    return detail::over_limit("access token", access_token.size(), "bytes", lim.max_value);
  if (!detail::is_b64token(access_token)) return detail::fail(errc::invalid_token_syntax, "access token");
  if (req.method.empty() || !detail::all_of(req.method, detail::is_tchar))
    return detail::fail(errc::invalid_argument, "request method");
  if (auto ok = check_headers(req.headers); !ok) return ok.error();
  detail::url_parts target;
  if (auto ok = check_request_url(req.url, lim, target); !ok) return ok;

  // RFC 6750 §2: one placement only. A body with no Content-Type, or with an
  // ambiguous one, is checked as a form too (curl sends one by default).
  const detail::content_type_headers content_type = detail::read_content_type(req.headers);
  const bool form_body = content_type.is_form();
  const bool maybe_form = content_type.count == 0 || content_type.ambiguous() || form_body;
  if (find_header(req.headers, "Authorization"))
    return detail::fail(errc::token_already_present, "Authorization header");
  if (detail::form_carries_access_token(target.query))
    return detail::fail(errc::token_already_present, "access_token in the query");
  if (!req.body.empty()) {  // most API calls are GETs: nothing to look through
    if (maybe_form && detail::form_carries_access_token(req.body))
      return detail::fail(errc::token_already_present, "access_token in the form body");
    if (detail::json_carries_access_token(req.body, lim))
      return detail::fail(errc::token_already_present, "access_token in the JSON body");
  }

  using detail::encoding;
  switch (o.placement.value_or(default_placement_)) {
    case token_placement::header: {
      http_header& authorization = req.headers.emplace_back();  // built in place: no string moved
      authorization.name.assign("Authorization", 13);
      authorization.value.reserve(7 + access_token.size());
      authorization.value.append("Bearer ", 7).append(access_token.data(), access_token.size());
      break;
    }
    case token_placement::form_body: {
      if (detail::iequals(req.method, "GET") || detail::iequals(req.method, "HEAD"))
        return detail::fail(errc::form_body_not_allowed, "GET and HEAD have no body");
      if (content_type.count == 0 && req.body.empty())
        req.headers.push_back({"Content-Type", std::string(detail::form_content_type)});
      else if (!form_body)
        return detail::fail(errc::form_body_not_allowed, "body is not application/x-www-form-urlencoded");
      for (char ch : req.body)
        if (static_cast<unsigned char>(ch) >= 0x80)
          return detail::fail(errc::form_body_not_allowed, "body is not ASCII");
      detail::append_pair(req.body, "access_token", access_token, encoding::form_safe, true);
      break;
    }
    case token_placement::query: {
      if (!o.allow_query) return detail::fail(errc::query_token_disallowed);
      const std::size_t before_fragment =
          req.url.size() - (target.has_fragment ? target.fragment.size() + 1 : 0);
      std::string url;  // one allocation: room for "?&access_token=" and an escaped token
      url.reserve(req.url.size() + 15 + 3 * access_token.size());
      url.append(req.url, 0, before_fragment);
      if (!target.has_query) url += '?';
      detail::append_pair(url, "access_token", access_token, encoding::form_safe);
      url.append(req.url, before_fragment, std::string::npos);
      req.url = std::move(url);
      auto cc = std::find_if(req.headers.begin(), req.headers.end(),
                             [](const http_header& h) { return detail::iequals(h.name, "Cache-Control"); });
      if (cc == req.headers.end()) {
        http_header& no_store = req.headers.emplace_back();
        no_store.name.assign("Cache-Control", 13);
        no_store.value.assign("no-store", 8);
      } else if (cc->value.find("no-store") == std::string::npos)
        cc->value += cc->value.empty() ? "no-store" : ", no-store";
      break;
    }
  }
  return {};
}

/// attach_token with the API origin checked once: the request, changed.
inline result<http_request> attach_token(const api_target& api, http_request req,
                                         std::string_view access_token, const attach_options& o = {},
                                         const limits& lim = {}) {
  if (auto ok = api.attach(req, access_token, o, lim); !ok) return ok.error();
  return req;
}

/// attach_token for one request: checks the provider's api_base, then as above.
inline result<http_request> attach_token(const provider& p, http_request req, std::string_view access_token,
                                         const attach_options& o = {}, const limits& lim = {}) {
  auto api = api_target::make(p, lim);
  if (!api) return api.error();
  return attach_token(*api, std::move(req), access_token, o, lim);
}

/// Parameters of an RFC 6750 §3 `WWW-Authenticate: Bearer ...` challenge.
struct bearer_challenge {
  std::string realm{};
  std::string scope{};
  std::string error{};
  std::string error_description{};
  std::string error_uri{};
};

namespace detail {
/// The parameters of a Bearer challenge (RFC 6750 §3), with the characters
/// each may hold and the member of bearer_challenge it fills.
enum class bearer_param : std::uint8_t { realm, scope, error, error_description, error_uri, count };
inline constexpr field<bearer_param, charset, std::string bearer_challenge::*> bearer_params[] = {
    {bearer_param::realm, "realm", nullptr, &bearer_challenge::realm},
    {bearer_param::scope, "scope", nullptr, &bearer_challenge::scope},
    {bearer_param::error, "error", error_rule(oauth_error_fields::error), &bearer_challenge::error},
    {bearer_param::error_description, "error_description", error_rule(oauth_error_fields::error_description),
     &bearer_challenge::error_description},
    {bearer_param::error_uri, "error_uri", error_rule(oauth_error_fields::error_uri),
     &bearer_challenge::error_uri},
};
static_assert(in_enum_order(bearer_params) &&
                  std::extent_v<decltype(bearer_params)> == static_cast<std::size_t>(bearer_param::count),
              "bearer_params[k] is parameter k");
}  // namespace detail

/// Parses `Bearer realm="example", error="invalid_token", ...`. The scheme is
/// case-insensitive; each parameter at most once; error and description
/// within %x20-21 / %x23-5B / %x5D-7E, error_uri within %x21 / %x23-5B / %x5D-7E.
inline result<bearer_challenge> parse_bearer_challenge(std::string_view header, const limits& lim = {}) {
  using namespace detail;
  if (header.size() > lim.max_url) return over_limit("WWW-Authenticate", header.size(), "bytes", lim.max_url);
  std::size_t i = 0;
  while (i < header.size() && is_tchar(static_cast<unsigned char>(header[i]))) ++i;
  if (!iequals(header.substr(0, i), "Bearer")) return fail(errc::malformed_challenge, "scheme is not Bearer");
  bearer_challenge out;
  bool seen[static_cast<std::size_t>(bearer_param::count)] = {};
  auto ows = [&] {
    while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
  };
  if (i < header.size() && header[i] != ' ') return fail(errc::malformed_challenge);
  ows();
  bool first = true;
  while (i < header.size()) {
    if (!first) {
      if (header[i] != ',') return fail(errc::malformed_challenge, "expected ','");
      ++i;
      ows();
    }
    first = false;
    const std::size_t name_start = i;
    while (i < header.size() && is_tchar(static_cast<unsigned char>(header[i]))) ++i;
    const std::string_view name = header.substr(name_start, i - name_start);
    ows();
    if (name.empty() || i >= header.size() || header[i] != '=') return fail(errc::malformed_challenge);
    ++i;
    ows();
    std::string value;
    if (i < header.size() && header[i] == '"') {
      ++i;
      bool closed = false;
      while (i < header.size()) {
        char ch = header[i++];
        if (ch == '"') {
          closed = true;
          break;
        }
        if (ch == '\\') {
          if (i >= header.size()) break;
          ch = header[i++];
        }
        const auto c = static_cast<unsigned char>(ch);
        if (abnf::field_ctl.contains(c)) return fail(errc::malformed_challenge, "control character");
        value += ch;
      }
      if (!closed) return fail(errc::malformed_challenge, "unterminated quoted string");
    } else {
      const std::size_t v = i;
      while (i < header.size() && is_tchar(static_cast<unsigned char>(header[i]))) ++i;
      value.assign(header.substr(v, i - v));
      if (value.empty()) return fail(errc::malformed_challenge);
    }
    ows();
    const auto* param = find_field(bearer_params, name);
    if (param == nullptr) continue;  // an extension parameter
    bool& seen_before = seen[static_cast<std::size_t>(param->id)];
    if (seen_before) return fail(errc::malformed_challenge, "parameter repeated");
    seen_before = true;
    if (param->rule != nullptr && !all_of(value, *param->rule))
      return fail(errc::malformed_challenge, param->name);
    out.*param->member = std::move(value);
  }
  return out;
}

namespace detail {
/// token_rejected for HTTP 401 or a Bearer challenge with
/// error="invalid_token" (RFC 6750 §3.1), with the challenge's fields.
inline std::optional<error> token_rejection(const http_response& r, const limits& lim) {
  if (const std::string* www = find_header(r.headers, "WWW-Authenticate")) {
    auto ch = parse_bearer_challenge(*www, lim);
    if (ch && ch->error == "invalid_token") {
      error e = fail(errc::token_rejected);
      e.from_provider = {ch->error, ch->error_description, ch->error_uri};
      return e;
    }
  }
  if (r.status == 401) return fail(errc::token_rejected);
  return std::nullopt;
}

/// What an API answer outside 2xx means: the token rejected (see
/// token_rejection, or 403 with Buffer's code 1001), another Buffer envelope
/// (api_error), or http_error.
inline error api_failure(const http_response& r, const limits& lim) {
  if (auto rejected = token_rejection(r, lim)) return *std::move(rejected);
  auto members = read_response_members(r.body, lim);
  if (!members || !is_api_envelope(*members)) return fail_with_status(errc::http_error, r.status);
  const bool token_required = members->v[response_members::code].raw == "1001";
  return api_envelope_error(
      *members, r.status == 403 && token_required ? errc::token_rejected : errc::api_error, r.status);
}

/// A 2xx API body that opens a JSON object, read whole: the caller has
/// already received it, and the size limit is for bodies this library keeps.
/// Buffer's error envelope can come with HTTP 200.
inline result<response_members> read_api_body(const http_response& r, const limits& lim) {
  limits whole = lim;
  whole.max_body = std::max(lim.max_body, r.body.size());
  auto members = read_response_members(r.body, whole);
  if (members && is_api_envelope(*members)) return api_envelope_error(*members, errc::api_error, r.status);
  return members;
}
}  // namespace detail

/// Tells "token rejected, log in again" (errc::token_rejected: HTTP 401,
/// 403 with Buffer code 1001, or WWW-Authenticate error="invalid_token")
/// from other API failures (api_error with Buffer's code, http_error).
inline result<void> check_api_response(const http_response& r, const limits& lim = {}) {
  return detail::read_response(r, [&]() -> result<void> {
    if (!detail::status_ok(r.status)) return detail::api_failure(r, lim);
    if (!detail::opens_json_object(r.body)) return {};  // only an object can be Buffer's envelope
    auto members = detail::read_api_body(r, lim);
    if (!members) return members.error();
    return {};
  });
}

namespace detail {
/// What a GraphQL error's extensions.code means. Any other code, or none (a
/// query-limit error such as too much depth or complexity), is api_error.
inline constexpr field<errc> graphql_codes[] = {
    {errc::token_rejected, "UNAUTHORIZED"},     // a missing or invalid key or token
    {errc::token_rejected, "UNAUTHENTICATED"},  // no Authorization at all
    {errc::rate_limited, "RATE_LIMIT_EXCEEDED"},
    {errc::api_error, "FORBIDDEN"},
    {errc::api_error, "NOT_FOUND"},
    {errc::api_error, "UNEXPECTED"},
};

inline errc graphql_errc(std::string_view code) noexcept {
  const auto* row = find_field(graphql_codes, code);
  return row != nullptr ? row->id : errc::api_error;
}

/// The most an extensions.window ("15m", "24h", "30d") may hold: short enough
/// that it is never taken for a token in a message.
inline constexpr std::size_t max_window = 15;
inline constexpr char_set window_chars = abnf::alpha | abnf::digit;

/// Fills `slots` from the members of a nested object (json_read_object); a
/// repeated one is duplicate_member.
template <std::size_t N>
result<void> read_nested_members(const json_value& object, json_slot (&slots)[N]) {
  json_read_object(object, slots, N);
  return refuse_repeated(slots);
}

/// One element of a GraphQL "errors" list, as views into the body.
struct graphql_error_view {
  json_value message, code, window;
};

/// An element of "errors" (GraphQL spec §7.1.2): an object with a string
/// message, and extensions, when present, an object whose code and window
/// are strings.
inline result<graphql_error_view> read_graphql_error(const json_value& element) {
  if (element.type != json_type::object) return fail(errc::invalid_member_type, "errors: an element");
  json_slot error_members[] = {{"message", {}, 0}, {"extensions", {}, 0}};
  if (auto ok = read_nested_members(element, error_members); !ok) return ok.error();
  const json_value& message = error_members[0].value;
  const json_value& extensions = error_members[1].value;
  if (message.type == json_type::absent) return fail(errc::missing_member, "errors: message");
  if (message.type != json_type::string) return fail(errc::invalid_member_type, "errors: message");
  json_slot extension_members[] = {{"code", {}, 0}, {"window", {}, 0}};
  if (extensions.type != json_type::absent && extensions.type != json_type::object)
    return fail(errc::invalid_member_type, "errors: extensions");
  if (auto ok = read_nested_members(extensions, extension_members); !ok) return ok.error();
  for (const auto& member : extension_members)
    if (member.value.type != json_type::absent && member.value.type != json_type::string)
      return fail(errc::invalid_member_type, member.name);
  return graphql_error_view{message, extension_members[0].value, extension_members[1].value};
}

/// Checks every element of "errors" and returns the first, which decides
/// the errc. GraphQL sends the list only non-empty.
inline result<graphql_error_view> first_graphql_error(const json_value& errors) {
  if (errors.type != json_type::array) return fail(errc::invalid_member_type, "errors");
  json_elements elements(errors);
  json_value element;
  std::optional<graphql_error_view> first;
  while (elements.next(element)) {
    auto read = read_graphql_error(element);
    if (!read) return read.error();
    if (!first) first = *read;
  }
  if (!first)
    return fail(errc::invalid_member_type, "errors: an empty list (GraphQL sends it only non-empty)");
  return *first;
}

/// Keeps a GraphQL error's code, window and message on `e`. The code and the
/// window are checked; the message is provider text, kept token-redacted
/// (see error_body) or, holding control characters, left out and said so.
inline result<void> keep_graphql_error(const graphql_error_view& first, const limits& lim, error& e) {
  std::string code = json_string(first.code), window = json_string(first.window);
  if (first.code.type == json_type::string &&
      (code.empty() || code.size() > lim.max_value || !all_of(code, is_nqchar)))
    return fail(errc::malformed_error, "errors: extensions: code");
  if (window.size() > max_window || !all_of(window, window_chars))
    return fail(errc::malformed_error, "errors: extensions: window");
  if (find_field(graphql_codes, code) != nullptr) e.message += " (" + code + ")";
  if (!window.empty()) e.message += " (window " + window + ")";
  e.api_error_code = std::move(code);
  e.rate_limit_window = std::move(window);
  std::string text = json_string(first.message);
  if (is_provider_text(text)) {
    e.from_provider.error_description = error_body(text);
  } else {
    e.message += "; the API's message held control characters and was left out";
  }
  return {};
}

/// check_api_response for api_format::graphql.
inline result<void> check_graphql_response(const http_response& r, const limits& lim) {
  // Read whole like Buffer's envelope (read_api_body): the caller already holds the body, and
  // what is kept of it is bounded.
  limits whole = lim;
  whole.max_body = std::max(lim.max_body, r.body.size());
  json_slot top[] = {{"data", {}, 0}, {"errors", {}, 0}};
  if (status_ok(r.status) || opens_json_object(r.body))
    if (auto ok = read_object_members(r.body, top, whole); !ok) return ok.error();
  const json_value& data = top[0].value;
  const json_value& errors = top[1].value;
  if (data.type != json_type::absent && data.type != json_type::null && data.type != json_type::object)
    return fail(errc::invalid_member_type, "data");
  std::optional<graphql_error_view> first;
  if (errors.type != json_type::absent) {
    auto read = first_graphql_error(errors);
    if (!read) return read.error();
    first = *read;
  }
  if (status_ok(r.status) && !first) {
    if (data.type == json_type::object) return {};
    return fail(errc::missing_member, "data (an object, or errors)");
  }
  std::optional<error> rejected = status_ok(r.status) ? std::nullopt : token_rejection(r, lim);
  error e = rejected          ? *std::move(rejected)
            : r.status == 429 ? fail(errc::rate_limited)
            : first           ? fail_with_status(graphql_errc(json_string(first->code)), r.status)
                              : fail(errc::http_error, "the API answered HTTP " + std::to_string(r.status));
  if (e.code == errc::rate_limited)
    if (const std::string* retry_after = find_header(r.headers, "Retry-After"))
      parse_retry_after(*retry_after, e);
  if (first)
    if (auto kept = keep_graphql_error(*first, lim, e); !kept) return kept.error();
  return e;
}
}  // namespace detail

/// check_api_response for the provider's API format (provider::api). For
/// buffer_v1, exactly check_api_response(r, lim). For graphql: HTTP 2xx
/// with an object "data" and no "errors" is success; else the first error's
/// extensions.code decides (UNAUTHORIZED, UNAUTHENTICATED: token_rejected;
/// RATE_LIMIT_EXCEEDED: rate_limited; any other or none: api_error, the code
/// in error::api_error_code), after HTTP 401 or a Bearer invalid_token
/// challenge (token_rejected) and HTTP 429 (rate_limited, with Retry-After
/// and extensions.window). Another status without errors is http_error.
inline result<void> check_api_response(const provider& p, const http_response& r, const limits& lim = {}) {
  if (p.api == api_format::buffer_v1) return check_api_response(r, lim);
  return detail::read_response(r, [&]() -> result<void> { return detail::check_graphql_response(r, lim); });
}

// ============================================================================
// 13. Deauthorize
// ============================================================================

/// POST https://api.bufferapp.com/1/user/deauthorize.json carrying the token
/// (placed as attach_token would).
inline result<http_request> build_deauthorize_request(const provider& p, std::string_view access_token,
                                                      const attach_options& o = {}, const limits& lim = {}) {
  if (p.deauthorize_endpoint.empty())
    return detail::fail(errc::invalid_endpoint, "provider has no deauthorize endpoint");
  if (auto ok = detail::check_endpoint(p.deauthorize_endpoint, p, lim, "deauthorize_endpoint"); !ok)
    return ok.error();
  http_request req;
  req.method = "POST";
  req.url = p.deauthorize_endpoint;
  req.headers.push_back({"Accept", "application/json"});
  return attach_token(p, std::move(req), access_token, o, lim);
}

/// Buffer answers {"success":true,"message":"Access successfully revoked!"}.
/// Anything else is an error: success false or not a boolean
/// (deauthorize_failed / invalid_member_type), a rejected token, non-JSON.
inline result<void> parse_deauthorize_response(const http_response& r, const limits& lim = {}) {
  return detail::read_response(r, [&]() -> result<void> {
    if (!detail::status_ok(r.status)) return detail::api_failure(r, lim);
    // An object is first read as check_api_response reads it; the body is
    // then held to the size limit like any other this library reads.
    auto members = detail::opens_json_object(r.body) ? detail::read_api_body(r, lim)
                                                     : detail::read_response_members(r.body, lim);
    if (!members) return members.error();
    if (auto ok = detail::check_body_size(r.body, lim); !ok) return ok;
    const auto& success = members->v[detail::response_members::success];
    if (success.type != detail::json_type::boolean && success.type != detail::json_type::absent)
      return detail::fail(errc::invalid_member_type, "success");
    if (success.raw != "true") return detail::fail(errc::deauthorize_failed);
    return {};
  });
}

// ============================================================================
// 14. Flow
// ============================================================================
//
//   idle --begin--> awaiting_redirect --redirect--> have_code
//   idle --restore--> awaiting_redirect
//   have_code --token_request--> awaiting_token --token_response--> authorized
//   any step --hostile or failed input--> failed (the first reason is kept)
//
// An event the table does not allow is refused and changes nothing. The flow
// never reads a clock or a random source and never does I/O.

enum class flow_state : std::uint8_t {
  idle,               ///< nothing sent yet
  awaiting_redirect,  ///< user sent to the authorize URL (RFC 6749 §4.1.1)
  have_code,          ///< code received, not yet swapped (§4.1.2)
  awaiting_token,     ///< token request handed out (§4.1.3)
  authorized,         ///< token received (§4.1.4)
  failed,             ///< hostile or failed input; see flow::failure()
};

enum class flow_event : std::uint8_t { begin, redirect, token_request, token_response, restore };

inline constexpr std::string_view to_string(flow_state s) noexcept {
  constexpr std::string_view names[] = {"idle",           "awaiting_redirect", "have_code",
                                        "awaiting_token", "authorized",        "failed"};
  return detail::name_of(names, s);
}

inline constexpr std::string_view to_string(flow_event e) noexcept {
  constexpr std::string_view names[] = {"begin", "redirect", "token_request", "token_response", "restore"};
  return detail::name_of(names, e);
}

namespace detail {
/// One row of a state machine's table: in `from`, `on` leads to `to`.
template <class State, class Event>
struct transition {
  State from;
  Event on;
  State to;
};

/// The row of `table` for `on` in `from`, or nullptr.
template <class State, class Event, std::size_t N>
constexpr const transition<State, Event>* find_transition(const transition<State, Event> (&table)[N],
                                                          State from, Event on) noexcept {
  for (const auto& row : table)
    if (row.from == from && row.on == on) return &row;
  return nullptr;
}
}  // namespace detail

using flow_transition = detail::transition<flow_state, flow_event>;

/// Every allowed step, and the only way the flow moves except to failed.
/// Anything absent is refused: see flow_refusals.
inline constexpr flow_transition flow_transitions[] = {
    {flow_state::idle, flow_event::begin, flow_state::awaiting_redirect},
    {flow_state::idle, flow_event::restore, flow_state::awaiting_redirect},
    {flow_state::awaiting_redirect, flow_event::redirect, flow_state::have_code},
    {flow_state::have_code, flow_event::token_request, flow_state::awaiting_token},
    {flow_state::awaiting_token, flow_event::token_response, flow_state::authorized},
};

struct flow_refusal {
  flow_state from{};
  flow_event on{};
  errc code{};
};

/// Steps absent from flow_transitions that have a more precise reason than
/// out_of_order: a redirect's state and a code work once.
inline constexpr flow_refusal flow_refusals[] = {
    {flow_state::have_code, flow_event::redirect, errc::state_already_used},
    {flow_state::awaiting_token, flow_event::redirect, errc::state_already_used},
    {flow_state::authorized, flow_event::redirect, errc::state_already_used},
    {flow_state::awaiting_token, flow_event::token_request, errc::code_already_used},
    {flow_state::authorized, flow_event::token_request, errc::code_already_used},
};

/// Caller-supplied randomness for begin(): at least 16 bytes for state, and
/// 32-96 bytes for the PKCE verifier when PKCE is on.
struct flow_entropy {
  std::string_view state_bytes{};
  std::string_view verifier_bytes{};
};

struct flow_options {
  std::optional<bool> pkce{};  ///< default: the provider's `pkce`
  bool without_state = false;  ///< opt-out of state; allowed only with PKCE
  std::string scope{};
  std::chrono::milliseconds max_age = std::chrono::minutes(10);  ///< from begin() to the redirect
};

/// How flow::restore treats a saved flow. A saved string is meant to be used
/// once: delete it from the session as you restore it. Where it lives in a
/// cookie, which the user can send again, `claim` makes restore single use:
/// it is called with an id unique to the saved string (22 characters, not a
/// secret) and returns false if that id was claimed before; keep ids for
/// `max_age`.
struct restore_options {
  std::chrono::milliseconds max_age = std::chrono::minutes(10);  ///< from begin() to restore
  std::function<bool(std::string_view id)> claim{};
};

/// Milliseconds since an epoch the caller chooses; only differences matter.
using timestamp = std::chrono::milliseconds;

namespace detail {
/// Whether two byte strings share memory, or one holds the other.
inline bool shares_bytes(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  const std::less<const char*> before;
  const bool overlap = before(a.data(), b.data() + b.size()) && before(b.data(), a.data() + a.size());
  return overlap || a.find(b) != std::string_view::npos || b.find(a) != std::string_view::npos;
}

/// `now - since` in unsigned arithmetic once now >= since, so that two
/// caller-chosen times can never overflow a signed difference.
inline std::uint64_t elapsed_ms(timestamp since, timestamp now) noexcept {
  return static_cast<std::uint64_t>(now.count()) - static_cast<std::uint64_t>(since.count());
}

/// `now + delay`, or the largest timestamp if that does not fit.
inline timestamp saturating_add(timestamp now, std::chrono::seconds delay) noexcept {
  constexpr std::int64_t max_ms = std::numeric_limits<std::int64_t>::max();
  if (delay.count() < 0) return now;
  if (delay.count() > max_ms / 1000 || now.count() > max_ms - delay.count() * 1000) return timestamp(max_ms);
  return now + delay;
}

/// flow_expired once `age >= max_age`; clock_regressed for a clock that went back.
inline result<void> check_age(timestamp issued, timestamp now, std::chrono::milliseconds max_age) {
  if (now < issued) return fail(errc::clock_regressed);
  if (max_age.count() < 0 || elapsed_ms(issued, now) >= static_cast<std::uint64_t>(max_age.count()))
    return fail(errc::flow_expired);
  return {};
}

/// Whether an event refused in `from` with `code` fails the flow, read from
/// the code's category: what came from outside (a redirect, the token
/// endpoint's answer, time passing) that is malformed, hostile, refused or
/// over a limit ends the login. The caller's misuse (a step out of order, a
/// clock that went back, an argument out of range) and a transport failure
/// change nothing, so that a corrected call or a retry can go on. In idle
/// nothing has come from outside yet, so nothing fails the flow.
constexpr bool fails_flow(flow_state from, errc code) noexcept {
  if (from == flow_state::idle) return false;
  const errc_category kind = category(code);
  return kind != errc_category::caller_misuse && kind != errc_category::transport;
}
}  // namespace detail

/// The authorization-code flow as a state machine: events in, requests out.
class flow {
 public:
  flow() = default;
  flow(provider p, client c, flow_options o = {}, const limits& lim = {})
      : provider_(std::move(p)), client_(std::move(c)), options_(std::move(o)), limits_(lim) {}

  flow_state state() const noexcept { return state_; }
  /// The first reason the flow failed, or nullptr.
  const error* failure() const noexcept { return state_ == flow_state::failed ? &failure_ : nullptr; }
  /// The token, once authorized.
  const token& access() const noexcept { return token_; }
  bool uses_pkce() const noexcept { return options_.pkce.value_or(provider_.pkce); }

  /// idle -> awaiting_redirect: makes state (and PKCE verifier) from the
  /// caller's bytes and returns the authorization URL. `now` starts the
  /// flow's maximum age.
  result<std::string> begin(const flow_entropy& entropy, timestamp now) {
    if (auto ok = allowed(flow_event::begin); !ok) return ok.error();
    if (auto ok = detail::check_client_kind(provider_, client_, uses_pkce()); !ok) return refuse(ok.error());
    if (!options_.without_state && uses_pkce() &&
        detail::shares_bytes(entropy.state_bytes, entropy.verifier_bytes))
      return refuse(detail::fail(errc::entropy_reused));
    std::string state, verifier, challenge;
    if (!options_.without_state) {
      auto s = make_state(entropy.state_bytes);
      if (!s) return refuse(s.error());
      state = std::move(*s);
    }
    if (uses_pkce()) {
      auto v = make_code_verifier(entropy.verifier_bytes);
      if (!v) return refuse(v.error());
      verifier = std::move(*v);
      challenge = code_challenge_s256(verifier).value();
    }
    authorize_params a;
    a.state = state;
    a.without_state = options_.without_state;
    a.code_challenge = challenge;
    a.scope = options_.scope;
    auto url = build_authorize_url(provider_, client_, a, limits_);
    if (!url) return refuse(url.error());
    state_value_ = std::move(state);
    verifier_ = std::move(verifier);
    issued_at_ = now;
    advance(flow_event::begin);
    return url;
  }

  /// awaiting_redirect -> have_code: checks the URL the browser came back to
  /// (see parse_redirect) and starts the code's lifetime at `now`.
  result<void> redirect(std::string_view url, timestamp now) {
    if (auto ok = allowed(flow_event::redirect); !ok) return ok;
    if (auto fresh = detail::check_age(issued_at_, now, options_.max_age); !fresh)
      return refuse(fresh.error());
    auto code =
        parse_redirect(url, provider_, client_, {state_value_, options_.without_state, uses_pkce()}, limits_);
    if (!code) return refuse(code.error());
    code_ = std::move(*code);
    received_at_ = now;
    advance(flow_event::redirect);
    return {};
  }

  /// have_code -> awaiting_token: the token request, refused with
  /// code_expired once now - received >= the provider's code lifetime (so
  /// 29.999 s is accepted and 30.000 s refused for Buffer).
  result<http_request> token_request(timestamp now) {
    if (auto ok = allowed(flow_event::token_request); !ok) return ok.error();
    if (now < received_at_) return refuse(detail::fail(errc::clock_regressed));
    if (provider_.code_lifetime.count() > 0 &&
        detail::elapsed_ms(received_at_, now) >= static_cast<std::uint64_t>(provider_.code_lifetime.count()))
      return refuse(detail::fail(errc::code_expired));
    auto req = build_token_request(provider_, client_, code_, verifier_, limits_);
    if (!req) return refuse(req.error());
    code_.clear();
    verifier_.clear();
    advance(flow_event::token_request);
    return req;
  }

  /// awaiting_token -> authorized: parses the token endpoint's answer.
  result<token> token_response(const http_response& response) {
    if (auto ok = allowed(flow_event::token_response); !ok) return ok.error();
    auto t = parse_token_response(provider_, response, limits_);
    if (!t) return refuse(t.error());
    token_ = *t;
    advance(flow_event::token_response);
    return t;
  }

  /// Saves a flow awaiting its redirect as "bo1.<payload>.<mac>": base64url
  /// of the provider, client id, redirect URI, scope, state, PKCE verifier
  /// and begin()'s time, with HMAC-SHA256 under `key` (at least 32 bytes).
  /// Integrity only, not confidentiality: keep the string where the user
  /// cannot read it or in an encrypted, HttpOnly cookie. It works once and
  /// for restore_options::max_age (see restore_options).
  result<std::string> save(std::string_view key) const {
    if (state_ != flow_state::awaiting_redirect)
      return detail::fail(errc::out_of_order, "only a flow awaiting its redirect can be saved");
    if (key.size() < 32)
      return detail::fail(errc::insufficient_entropy, "save key must be at least 32 bytes");
    std::string payload;
    for (const auto& field : saved_fields)
      detail::append_pair(payload, field.name, field.member(*this), detail::encoding::form);
    std::string out = std::string(save_prefix) + base64url_encode(payload);
    const digest mac = hmac_sha256(key, out);
    out += '.';
    out += base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
    return out;
  }

  /// Restores a saved flow for the same provider and client at `now`: a new
  /// flow takes the step idle -> awaiting_redirect (flow_event::restore).
  /// Distinct errors: too_large, unsupported_flow_version, corrupt_flow
  /// (truncated or malformed), tampered_flow (MAC fails: altered, or another
  /// key), provider_mismatch, clock_regressed, flow_expired (begun max_age or
  /// longer ago) and flow_replayed (`claim` refused it). The MAC is checked,
  /// in constant time, before the payload is parsed; `claim` is asked last.
  static result<flow> restore(std::string_view saved, std::string_view key, provider p, client c,
                              timestamp now, const restore_options& ro = {}, limits lim = {}) {
    if (saved.size() > 4 * lim.max_url)
      return detail::over_limit("saved flow", saved.size(), "bytes", 4 * lim.max_url);
    if (key.size() < 32)
      return detail::fail(errc::insufficient_entropy, "save key must be at least 32 bytes");
    if (saved.substr(0, 2) != "bo") return detail::fail(errc::corrupt_flow);
    if (saved.substr(0, save_prefix.size()) != save_prefix) {
      const std::size_t dot = saved.find('.');
      const auto version = saved.substr(2, dot == std::string_view::npos ? 0 : dot - 2);
      return detail::fail(!version.empty() && detail::all_of(version, detail::is_digit)
                              ? errc::unsupported_flow_version
                              : errc::corrupt_flow);
    }
    const std::size_t dot = saved.rfind('.');
    if (dot < save_prefix.size()) return detail::fail(errc::corrupt_flow);
    auto mac = base64url_decode(saved.substr(dot + 1));
    if (!mac || mac->size() != 32) return detail::fail(errc::corrupt_flow, "MAC");
    const digest want = hmac_sha256(key, saved.substr(0, dot));
    if (!constant_time_equal(want.data(), reinterpret_cast<const unsigned char*>(mac->data()), want.size()))
      return detail::fail(errc::tampered_flow);
    auto payload = base64url_decode(saved.substr(save_prefix.size(), dot - save_prefix.size()));
    if (!payload) return detail::fail(errc::corrupt_flow, "payload");

    std::string values[saved_count];
    bool seen[saved_count] = {};
    detail::form_reader reader(*payload);
    detail::form_pair pair;
    while (reader.next(pair)) {
      const auto* field = detail::find_field(saved_fields, pair.name);
      if (field == nullptr) return detail::fail(errc::corrupt_flow, "unknown field");
      if (seen[field->id]) return detail::fail(errc::corrupt_flow, "field repeated");
      seen[field->id] = true;
      values[field->id] = detail::decode_form_component(pair.value);
      if (!saved_value_follows(field->rule, pair.value, values[field->id]))
        return detail::fail(errc::corrupt_flow);
    }
    for (bool s : seen)
      if (!s) return detail::fail(errc::corrupt_flow, "field missing");
    flow f(std::move(p), std::move(c), {}, lim);
    for (const auto& field : saved_fields)
      if (field.rule == saved_rule::same && values[field.id] != field.member(f))
        return detail::fail(errc::provider_mismatch);
    const timestamp issued = *saved_time(values[saved_issued_at]);
    if (auto fresh = detail::check_age(issued, now, ro.max_age); !fresh) return fresh.error();
    f.options_.scope = std::move(values[saved_scope]);
    f.options_.without_state = values[saved_without_state] == "1";
    f.options_.pkce = values[saved_pkce] == "1";
    f.state_value_ = std::move(values[saved_state]);
    f.verifier_ = std::move(values[saved_verifier]);
    if ((!f.options_.without_state && f.state_value_.empty()) || (f.uses_pkce() != !f.verifier_.empty()))
      return detail::fail(errc::corrupt_flow);
    if (ro.claim && !ro.claim(base64url_encode(std::string_view(mac->data(), 16))))
      return detail::fail(errc::flow_replayed);
    f.options_.max_age = ro.max_age;
    f.issued_at_ = issued;
    f.advance(flow_event::restore);
    return f;
  }

 private:
  static constexpr std::string_view save_prefix = "bo1.";

  /// The fields of a saved flow.
  enum saved_field : std::uint8_t {
    saved_provider,
    saved_token_endpoint,
    saved_client_id,
    saved_redirect_uri,
    saved_scope,
    saved_without_state,
    saved_pkce,
    saved_state,
    saved_verifier,
    saved_issued_at,
    saved_count,
  };
  /// What restore() requires of a saved field's value.
  enum class saved_rule : std::uint8_t {
    same,  ///< equal to the caller's provider or client, which need not be UTF-8: escapes well formed
    text,  ///< restored: valid UTF-8 without control characters
    flag,  ///< restored: "0" or "1"
    time,  ///< restored: begin()'s time, a decimal integer of milliseconds
  };
  using saved_row = detail::field<saved_field, saved_rule, std::string (*)(const flow&)>;
  /// In the order save() writes them, each with its one-letter name and the
  /// flow's value it holds. Defined after the class, where flow is complete.
  static const saved_row saved_fields[saved_count];

  /// A saved time: the whole value one decimal integer that fits.
  static std::optional<timestamp> saved_time(std::string_view value) noexcept {
    std::int64_t ms = 0;
    if (!detail::parse_integer(value, ms)) return {};
    return timestamp(ms);
  }

  /// Whether a saved field's value, `raw` as saved and `value` decoded, follows `rule`.
  static bool saved_value_follows(saved_rule rule, std::string_view raw, std::string_view value) noexcept {
    if (rule == saved_rule::same) return detail::form_component_equals(raw, value);
    if (detail::check_form_component(raw) != errc::ok) return false;
    if (rule == saved_rule::flag) return value == "0" || value == "1";
    if (rule == saved_rule::time) return saved_time(value).has_value();
    return true;
  }

  /// The row of flow_transitions for `event` in the current state, or nullptr.
  const flow_transition* transition(flow_event event) const noexcept {
    return detail::find_transition(flow_transitions, state_, event);
  }

  /// Whether `event` may happen now; a refusal here changes nothing.
  result<void> allowed(flow_event event) const {
    if (state_ == flow_state::failed) {
      error e = failure_;
      e.message.insert(0, "flow already failed: ");
      return e;
    }
    if (transition(event)) return {};
    for (const auto& r : flow_refusals)
      if (r.from == state_ && r.on == event) return detail::fail(r.code);
    error e = detail::fail(errc::out_of_order);
    e.message += " (event ";
    e.message += to_string(event);
    e.message += " in state ";
    e.message += to_string(state_);
    e.message += ')';
    return e;
  }

  /// Takes the step that allowed(event) found in flow_transitions.
  void advance(flow_event event) {
    if (const flow_transition* t = transition(event)) state_ = t->to;
  }

  /// Refuses an allowed event, failing the flow if detail::fails_flow says so.
  error refuse(error e) {
    if (detail::fails_flow(state_, e.code)) {
      failure_ = e;
      state_ = flow_state::failed;
      code_.clear();
      verifier_.clear();
    }
    return e;
  }

  provider provider_;
  client client_;
  flow_options options_;
  limits limits_;
  flow_state state_ = flow_state::idle;
  std::string state_value_;
  std::string verifier_;
  std::string code_;
  timestamp issued_at_{0};
  timestamp received_at_{0};
  token token_;
  error failure_;
};

inline constexpr flow::saved_row flow::saved_fields[flow::saved_count] = {
    {saved_provider, "p", saved_rule::same, [](const flow& f) { return f.provider_.name; }},
    {saved_token_endpoint, "t", saved_rule::same, [](const flow& f) { return f.provider_.token_endpoint; }},
    {saved_client_id, "c", saved_rule::same, [](const flow& f) { return f.client_.id; }},
    {saved_redirect_uri, "r", saved_rule::same, [](const flow& f) { return f.client_.redirect_uri; }},
    {saved_scope, "x", saved_rule::text, [](const flow& f) { return f.options_.scope; }},
    {saved_without_state, "n", saved_rule::flag,
     [](const flow& f) { return std::string(f.options_.without_state ? "1" : "0"); }},
    {saved_pkce, "k", saved_rule::flag, [](const flow& f) { return std::string(f.uses_pkce() ? "1" : "0"); }},
    {saved_state, "s", saved_rule::text, [](const flow& f) { return f.state_value_; }},
    {saved_verifier, "v", saved_rule::text, [](const flow& f) { return f.verifier_; }},
    {saved_issued_at, "i", saved_rule::time,
     [](const flow& f) { return std::to_string(f.issued_at_.count()); }},
};

// ============================================================================
// 15. Credentials and session
// ============================================================================
//
// What a client keeps after login, and how it keeps a token fresh:
//
//   valid --use: near expiry--> refreshing --refresh_response--> valid
//   valid --invalidate--> rejected --use--> refreshing_rejected --refresh_response--> valid
//   refreshing(_rejected) --refresh_failed, or an answer that changes nothing--> valid (rejected)
//   any state --invalid_grant, or a just-refreshed token rejected--> ended
//
// One refresh is in flight at a time, named by a ticket. Buffer's refresh
// tokens work once and sending one again revokes the grant, so a refresh token
// is handed out again only after the caller reports that its request got no
// answer (refresh_failed): that request may never have reached the provider.
// If it did, and the provider rotated the token, the retry is refused and the
// session ends with rotation_lost: nothing recovers it but a new login.

/// An access token as the client holds it, with its expiry on the caller's
/// clock. Secret: store its text form (to_string) like a password. A stored
/// one is read by other processes too, so take `timestamp`s for it from a
/// clock they share (e.g. milliseconds of std::chrono::system_clock).
struct credentials {
  std::string access_token{};
  std::string token_type = "bearer";
  std::string refresh_token{};  ///< empty when the provider issued none
  std::string scope{};          ///< as granted, when the provider said
  timestamp obtained_at{0};     ///< when the token arrived
  /// obtained_at + expires_in. Empty when the provider sent no expires_in:
  /// the expiry is unknown, which is not "never" (see session_step).
  std::optional<timestamp> expires_at{};
  std::uint64_t generation = 0;  ///< one more after every successful refresh
};

namespace detail {
/// The fields of stored credentials, in the order to_string writes them.
enum class credential_field : std::uint8_t {
  generation,
  obtained_at,
  expires_at,
  token_type,
  scope,
  access_token,
  refresh_token,
  count,
};
/// What parse_credentials requires of a field's decoded value.
enum class credential_rule : std::uint8_t {
  count,          ///< a decimal integer from 0
  time,           ///< a decimal integer of milliseconds, possibly negative
  optional_time,  ///< empty, or a time
  bearer,         ///< "bearer" in any case: the only type this library uses
  scope,          ///< empty, or RFC 6749 §3.3 scope
  access_token,   ///< RFC 6750 b64token
  refresh_token,  ///< empty, or RFC 6749 VSCHAR
};
using credential_row = field<credential_field, credential_rule, std::string (*)(const credentials&)>;

inline std::string time_text(timestamp t) { return std::to_string(t.count()); }

inline constexpr credential_row credential_fields[] = {
    {credential_field::generation, "generation", credential_rule::count,
     [](const credentials& c) { return std::to_string(c.generation); }},
    {credential_field::obtained_at, "obtained_at", credential_rule::time,
     [](const credentials& c) { return time_text(c.obtained_at); }},
    {credential_field::expires_at, "expires_at", credential_rule::optional_time,
     [](const credentials& c) { return c.expires_at ? time_text(*c.expires_at) : std::string(); }},
    {credential_field::token_type, "token_type", credential_rule::bearer,
     [](const credentials& c) { return c.token_type; }},
    {credential_field::scope, "scope", credential_rule::scope, [](const credentials& c) { return c.scope; }},
    {credential_field::access_token, "access_token", credential_rule::access_token,
     [](const credentials& c) { return c.access_token; }},
    {credential_field::refresh_token, "refresh_token", credential_rule::refresh_token,
     [](const credentials& c) { return c.refresh_token; }},
};
static_assert(in_enum_order(credential_fields));
inline constexpr std::size_t credential_count = static_cast<std::size_t>(credential_field::count);

inline constexpr std::string_view credentials_prefix = "boc1.";

/// Whether a stored field's decoded value follows its rule.
inline bool credential_value_follows(credential_rule rule, std::string_view value) noexcept {
  std::int64_t time = 0;
  std::uint64_t count = 0;
  switch (rule) {
    case credential_rule::count: return parse_integer(value, count);
    case credential_rule::time: return parse_integer(value, time);
    case credential_rule::optional_time: return value.empty() || parse_integer(value, time);
    case credential_rule::bearer: return iequals(value, "bearer");
    case credential_rule::scope: return value.empty() || is_scope(value);
    case credential_rule::access_token: return is_b64token(value);
    case credential_rule::refresh_token: return all_of(value, is_vschar);
  }
  return false;
}
}  // namespace detail

/// The credentials a token response gives at `now`: invalid_expires_in if
/// now + expires_in does not fit a timestamp, invalid_argument naming the
/// field if a value breaks the rule parse_credentials reads it by.
inline result<credentials> make_credentials(const token& t, timestamp now, std::uint64_t generation = 0) {
  credentials c;
  if (t.expires_in) {
    constexpr std::int64_t max_ms = std::numeric_limits<std::int64_t>::max();
    if (*t.expires_in < 0 || *t.expires_in > max_ms / 1000 || now.count() > max_ms - *t.expires_in * 1000)
      return detail::fail(errc::invalid_expires_in, "now + expires_in is past the largest timestamp");
    c.expires_at = now + std::chrono::seconds(*t.expires_in);
  }
  c.access_token = t.access_token;
  c.token_type = t.token_type;
  c.refresh_token = t.refresh_token;
  c.scope = t.scope;
  c.obtained_at = now;
  c.generation = generation;
  for (const auto& f : detail::credential_fields)
    if (!detail::credential_value_follows(f.rule, f.member(c)))
      return detail::fail(errc::invalid_argument, std::string(f.name) + " breaks its rule");
  return c;
}

/// The text form of credentials, version 1: "boc1." then the fields of
/// detail::credential_fields form-encoded in that order, e.g.
///   boc1.generation=2&obtained_at=1700000000000&expires_at=1700003600000&token_type=Bearer&scope=account%3Aread&access_token=..&refresh_token=..
/// with times in milliseconds, expires_at empty when unknown and
/// refresh_token empty when none. Secret: it holds the tokens.
inline std::string to_string(const credentials& c) {
  std::string fields;
  for (const auto& f : detail::credential_fields)
    detail::append_pair(fields, f.name, f.member(c), detail::encoding::form);
  return std::string(detail::credentials_prefix) + fields;
}

/// Reads what to_string wrote. Distinct errors: too_large, unsupported_credentials
/// (another version), corrupt_credentials (a field unknown, repeated, missing
/// or breaking its rule, or an expiry before the token arrived). Messages
/// name the field, never its value.
inline result<credentials> parse_credentials(std::string_view text, const limits& lim = {}) {
  using detail::credential_field;
  // Three values of up to max_value bytes, each byte at most 3 once encoded.
  if (text.size() > 9 * lim.max_value + 256)
    return detail::over_limit("credentials", text.size(), "bytes", 9 * lim.max_value + 256);
  if (text.substr(0, detail::credentials_prefix.size()) != detail::credentials_prefix) {
    const std::size_t dot = text.find('.');
    const bool versioned = text.substr(0, 3) == "boc" && dot != std::string_view::npos && dot > 3 &&
                           detail::all_of(text.substr(3, dot - 3), detail::is_digit);
    return detail::fail(versioned ? errc::unsupported_credentials : errc::corrupt_credentials);
  }
  std::string values[detail::credential_count];
  bool seen[detail::credential_count] = {};
  detail::form_reader reader(text.substr(detail::credentials_prefix.size()));
  detail::form_pair pair;
  while (reader.next(pair)) {
    const auto* f = detail::find_field(detail::credential_fields, pair.name);
    if (f == nullptr) return detail::fail(errc::corrupt_credentials, "unknown field");
    const auto id = static_cast<std::size_t>(f->id);
    if (seen[id]) return detail::fail(errc::corrupt_credentials, f->name);
    seen[id] = true;
    if (detail::check_form_component(pair.value) != errc::ok)
      return detail::fail(errc::corrupt_credentials, f->name);
    values[id] = detail::decode_form_component(pair.value);
    if (values[id].size() > lim.max_value)
      return detail::over_limit(f->name, values[id].size(), "bytes", lim.max_value);
    if (!detail::credential_value_follows(f->rule, values[id]))
      return detail::fail(errc::corrupt_credentials, f->name);
  }
  for (const auto& f : detail::credential_fields)
    if (!seen[static_cast<std::size_t>(f.id)]) return detail::fail(errc::corrupt_credentials, f.name);

  const auto value = [&](credential_field f) -> std::string& { return values[static_cast<std::size_t>(f)]; };
  credentials c;
  std::int64_t ms = 0;
  detail::parse_integer(value(credential_field::generation), c.generation);
  detail::parse_integer(value(credential_field::obtained_at), ms);
  c.obtained_at = timestamp(ms);
  if (!value(credential_field::expires_at).empty()) {
    detail::parse_integer(value(credential_field::expires_at), ms);
    if (timestamp(ms) < c.obtained_at)
      return detail::fail(errc::corrupt_credentials, "expires_at is before obtained_at");
    c.expires_at = timestamp(ms);
  }
  c.token_type = std::move(value(credential_field::token_type));
  c.scope = std::move(value(credential_field::scope));
  c.access_token = std::move(value(credential_field::access_token));
  c.refresh_token = std::move(value(credential_field::refresh_token));
  return c;
}

enum class session_state : std::uint8_t {
  valid,                ///< the token is handed out; it is refreshed near its expiry
  refreshing,           ///< a refresh is in flight; the token is handed out until it expires
  rejected,             ///< the API refused the token: the next use() refreshes
  refreshing_rejected,  ///< a refresh is in flight and the token is refused: use() waits
  ended,                ///< the grant is gone; see session::failure()
};

enum class session_event : std::uint8_t {
  refresh,         ///< use() handed out a refresh request
  refreshed,       ///< refresh_response() took new credentials
  refresh_failed,  ///< no answer, one that changed nothing, or never sent: the refresh token is kept
  reject,          ///< invalidate(): the API refused the token
  adopt,           ///< adopt(): newer credentials from the store
};

inline constexpr std::string_view to_string(session_state s) noexcept {
  constexpr std::string_view names[] = {"valid", "refreshing", "rejected", "refreshing_rejected", "ended"};
  return detail::name_of(names, s);
}

inline constexpr std::string_view to_string(session_event e) noexcept {
  constexpr std::string_view names[] = {"refresh", "refreshed", "refresh_failed", "reject", "adopt"};
  return detail::name_of(names, e);
}

using session_transition = detail::transition<session_state, session_event>;

/// Every step the session takes, except ending; anything absent is refused.
inline constexpr session_transition session_transitions[] = {
    {session_state::valid, session_event::refresh, session_state::refreshing},
    {session_state::rejected, session_event::refresh, session_state::refreshing_rejected},
    {session_state::refreshing, session_event::refreshed, session_state::valid},
    {session_state::refreshing_rejected, session_event::refreshed, session_state::valid},
    {session_state::refreshing, session_event::refresh_failed, session_state::valid},
    {session_state::refreshing_rejected, session_event::refresh_failed, session_state::rejected},
    {session_state::valid, session_event::reject, session_state::rejected},
    {session_state::refreshing, session_event::reject, session_state::refreshing_rejected},
    {session_state::valid, session_event::adopt, session_state::valid},
    {session_state::refreshing, session_event::adopt, session_state::valid},
    {session_state::rejected, session_event::adopt, session_state::valid},
    {session_state::refreshing_rejected, session_event::adopt, session_state::valid},
    {session_state::ended, session_event::adopt, session_state::valid},
};

struct session_options {
  /// How long before expires_at to refresh, for clock skew and the time a
  /// request takes; a token that lives less than twice this is refreshed
  /// at half its life.
  std::chrono::milliseconds refresh_lead = std::chrono::seconds(60);
  std::string scope{};  ///< sent with each refresh (RFC 6749 §6); empty: the grant's scope
};

enum class session_action : std::uint8_t {
  attach,   ///< attach `token->access_token` to the API request
  refresh,  ///< send `request`, then answer `ticket` with refresh_response or refresh_failed
  wait,     ///< another caller's refresh, `ticket`, is in flight: wait for its answer
};

/// What use() tells the caller to do.
struct session_step {
  session_action action = session_action::attach;
  /// attach: the credentials, valid until the session next changes. A
  /// token with an unknown expiry (no expires_at) is handed out until the
  /// API rejects it.
  const credentials* token = nullptr;
  std::uint64_t ticket = 0;  ///< refresh, wait: the refresh in flight
  /// refresh: the request to send, held by the session until its ticket is
  /// answered (copy it before the session can change, e.g. before unlocking).
  const http_request* request = nullptr;
};

/// What a successful refresh gave.
struct refreshed {
  credentials current{};  ///< generation one more than before: store it (see session)
  bool refresh_token_rotated = false;
};

/// Keeps one login's token fresh: hands it out, asks for one refresh at a
/// time, and ends with reauthorization_required when the grant is gone.
/// Events in, requests out; no clock, no I/O, no threads (one session is
/// used by one thread at a time, or behind a lock).
///
/// Storing: after every successful refresh, replace the stored generation N
/// with the new N + 1 only if the store still holds N (compare and swap). If
/// it holds more, another process refreshed first: adopt() its credentials.
class session {
 public:
  session() = default;
  session(provider p, client c, credentials start, session_options o = {}, const limits& lim = {})
      : provider_(std::move(p)),
        client_(std::move(c)),
        options_(std::move(o)),
        limits_(lim),
        current_(std::move(start)),
        last_now_(current_.obtained_at),
        refresh_at_(refresh_time()) {}

  session_state state() const noexcept { return state_; }
  const credentials& current() const noexcept { return current_; }
  /// Why the session ended, or nullptr.
  const error* failure() const noexcept { return state_ == session_state::ended ? &failure_ : nullptr; }
  /// The ticket of the refresh in flight, or 0.
  std::uint64_t ticket_in_flight() const noexcept { return in_flight() ? ticket_ : 0; }

  /// What to do to make an API call at `now`: attach the token, send a
  /// refresh first, or wait for the one in flight. The token is refreshed
  /// once `now` reaches its expiry less the lead; until it expires, it is
  /// still handed out while its refresh is in flight.
  result<session_step> use(timestamp now) {
    // Most calls: a token that is not yet due, and time that went forward.
    if (state_ == session_state::valid && now < refresh_at_ && now >= last_now_) {
      last_now_ = now;
      return session_step{session_action::attach, &current_, ticket_, nullptr};
    }
    if (auto ok = take_time(now); !ok) return ok.error();
    if (options_.refresh_lead.count() < 0)
      return detail::fail(errc::invalid_argument, "refresh_lead is negative");
    session_step step;
    step.token = &current_;
    step.ticket = ticket_;
    const bool usable =
        state_ == session_state::valid || state_ == session_state::refreshing ? !expired(now) : false;
    if (in_flight()) {
      if (!usable) step.action = session_action::wait;
      return step;
    }
    if (usable && !due(now)) return step;
    if (current_.refresh_token.empty()) {
      if (usable) return step;
      return end(detail::fail(errc::reauthorization_required,
                              state_ == session_state::rejected
                                  ? "the token was rejected and there is no refresh token"
                                  : "the token expired and there is no refresh token"));
    }
    if (current_.generation == std::numeric_limits<std::uint64_t>::max()) {  // a refresh would wrap it to 0
      if (usable) return step;
      return end(detail::fail(errc::reauthorization_required, "the generation is at its largest"));
    }
    if (now < not_before_) {
      if (usable) return step;
      error e = detail::fail(errc::rate_limited, "the last refresh was rate limited");
      e.retry_after = std::chrono::duration_cast<std::chrono::seconds>(not_before_ - now +
                                                                       std::chrono::milliseconds(999));
      return e;
    }
    auto req = build_refresh_request(provider_, client_, current_.refresh_token, options_.scope, limits_);
    if (!req) return req.error();
    request_ = std::move(*req);
    step.action = session_action::refresh;
    step.ticket = ++ticket_;
    step.request = &request_;
    advance(session_event::refresh);
    return step;
  }

  /// The provider's answer to the refresh `ticket`, received at `now`. On
  /// success the credentials are replaced and their generation goes up by
  /// one. invalid_grant ends the session with reauthorization_required
  /// (rotation_lost if the request was a retry after refresh_failed), the
  /// provider's error kept in from_provider. Any other failure keeps the
  /// refresh token for another try; a 2xx answer that cannot be read counts
  /// as lost (it may have rotated the token), and rate_limited holds off the
  /// next refresh for Retry-After.
  result<refreshed> refresh_response(std::uint64_t ticket, const http_response& response, timestamp now) {
    if (auto ok = check_ticket(ticket); !ok) return ok.error();
    if (auto ok = take_time(now); !ok) return ok.error();
    auto t = parse_refresh_response(provider_, response, current_.refresh_token, limits_);
    if (!t) {
      error e = t.error();
      if (e.code == errc::token_error && e.from_provider.error == "invalid_grant") {
        e.code = answer_lost_ ? errc::rotation_lost : errc::reauthorization_required;
        e.message = detail::fail(e.code, "the provider refused the refresh token (invalid_grant)").message;
        return end(std::move(e));
      }
      if (response.status >= 200 && response.status < 300) answer_lost_ = true;
      if (e.retry_after) not_before_ = detail::saturating_add(now, *e.retry_after);
      advance(session_event::refresh_failed);
      return e;
    }
    auto next = make_credentials(*t, now, current_.generation + 1);
    if (!next) {
      answer_lost_ = true;
      advance(session_event::refresh_failed);
      return next.error();
    }
    forced_ = state_ == session_state::refreshing_rejected;
    answer_lost_ = false;
    not_before_ = timestamp(std::numeric_limits<std::int64_t>::min());
    replace_current(std::move(*next));
    advance(session_event::refreshed);
    return refreshed{current_, t->refresh_token_rotated};
  }

  /// The refresh `ticket` got no answer (a transport failure). Its refresh
  /// token is handed out again by the next use() that needs a refresh: the
  /// request may never have arrived. If it did, see rotation_lost.
  result<void> refresh_failed(std::uint64_t ticket, timestamp now) {
    if (auto ok = check_ticket(ticket); !ok) return ok.error();
    if (auto ok = take_time(now); !ok) return ok.error();
    answer_lost_ = true;
    advance(session_event::refresh_failed);
    return {};
  }

  /// The refresh `ticket` was never sent (the caller failed before sending,
  /// or adopted newer credentials instead). Its refresh token is handed out
  /// again like after refresh_failed, but no answer can have been lost, so a
  /// later invalid_grant is reauthorization_required, not rotation_lost.
  result<void> refresh_not_sent(std::uint64_t ticket, timestamp now) {
    if (auto ok = check_ticket(ticket); !ok) return ok.error();
    if (auto ok = take_time(now); !ok) return ok.error();
    advance(session_event::refresh_failed);
    return {};
  }

  /// The API refused the token of `generation` (errc::token_rejected): the
  /// next use() refreshes. A rejection of an older generation changes
  /// nothing, as it was replaced already; so many callers may report the
  /// same rejection and one refresh follows. If the token came from a
  /// refresh that a rejection forced and is rejected before it is due for
  /// refresh, refreshing again would loop: the session ends with
  /// reauthorization_required.
  result<void> invalidate(std::uint64_t generation, timestamp now) {
    if (auto ok = take_time(now); !ok) return ok;
    if (generation > current_.generation)
      return detail::fail(errc::invalid_argument, "no token of that generation was handed out");
    if (generation < current_.generation || state_ == session_state::rejected ||
        state_ == session_state::refreshing_rejected)
      return {};
    if (forced_ && !due(now))
      return end(
          detail::fail(errc::reauthorization_required, "the token a refresh just gave was rejected too"));
    if (current_.refresh_token.empty())
      return end(detail::fail(errc::reauthorization_required,
                              "the token was rejected and there is no refresh token"));
    advance(session_event::reject);
    return {};
  }

  /// Takes newer credentials from the store, where another process put them
  /// after its own refresh or login. A refresh in flight here is abandoned:
  /// its ticket goes stale. Only a higher generation is taken (invalid_argument
  /// otherwise).
  result<void> adopt(credentials newer, timestamp now) {
    if (newer.generation <= current_.generation)
      return detail::fail(errc::invalid_argument, "adopt takes only credentials of a higher generation");
    if (now < newer.obtained_at || now < last_now_) return detail::fail(errc::clock_regressed);
    last_now_ = now;
    replace_current(std::move(newer));
    forced_ = false;
    answer_lost_ = false;
    failure_ = {};
    advance(session_event::adopt);
    return {};
  }

 private:
  bool in_flight() const noexcept {
    return state_ == session_state::refreshing || state_ == session_state::refreshing_rejected;
  }
  bool expired(timestamp now) const noexcept { return current_.expires_at && now >= *current_.expires_at; }

  /// When the current token is due for refresh: its expiry less the lead,
  /// or less half its life if that is shorter, so that a short-lived token
  /// is not refreshed in a loop. A negative lead gives the earliest time,
  /// so that every use() takes the path that refuses it.
  timestamp refresh_time() const noexcept {
    if (options_.refresh_lead.count() < 0) return timestamp::min();
    if (!current_.expires_at) return timestamp::max();
    const timestamp expires = *current_.expires_at;
    if (expires <= current_.obtained_at) return expires;
    const std::uint64_t half_life = detail::elapsed_ms(current_.obtained_at, expires) / 2;
    const auto lead = std::min(static_cast<std::uint64_t>(options_.refresh_lead.count()), half_life);
    return expires - timestamp(static_cast<std::int64_t>(lead));
  }

  bool due(timestamp now) const noexcept { return current_.expires_at && now >= refresh_at_; }

  void replace_current(credentials next) {
    current_ = std::move(next);
    refresh_at_ = refresh_time();
  }

  result<void> take_time(timestamp now) {
    if (state_ == session_state::ended) {
      error e = failure_;
      e.message.insert(0, "session ended: ");
      return e;
    }
    if (now < last_now_) return detail::fail(errc::clock_regressed);
    last_now_ = now;
    return {};
  }

  result<void> check_ticket(std::uint64_t ticket) const {
    if (state_ != session_state::ended && (!in_flight() || ticket != ticket_))
      return detail::fail(errc::stale_ticket);
    return {};
  }

  void advance(session_event event) {
    if (const session_transition* t = detail::find_transition(session_transitions, state_, event))
      state_ = t->to;
  }

  error end(error e) {
    failure_ = e;
    state_ = session_state::ended;
    return e;
  }

  provider provider_;
  client client_;
  session_options options_;
  limits limits_;
  credentials current_;
  session_state state_ = session_state::valid;
  timestamp last_now_{0};
  timestamp refresh_at_ = timestamp::max();  ///< refresh_time() of current_
  timestamp not_before_{std::numeric_limits<std::int64_t>::min()};
  http_request request_;      ///< the refresh in flight
  std::uint64_t ticket_ = 0;  ///< the last ticket handed out
  bool forced_ = false;       ///< current_ came from a refresh that a rejection forced
  bool answer_lost_ = false;  ///< the last refresh of this token got no usable answer
  error failure_;
};

}  // namespace buffer_oauth

#endif  // C++17 or later
#endif  // BUFFER_OAUTH_HPP
