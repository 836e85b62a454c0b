// The subcommands that keep a login: login saves it to a credentials file,
// and call, refresh and logout read it back, keep its token fresh with a
// buffer_oauth::session and store every refresh with compare and swap under
// the file's lock, so that processes sharing the file never send one refresh
// token twice (Buffer revokes the grant when one comes back).
#include "commands.hpp"
#include "file_credential_store.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace buffer_oauth_cli {

namespace {

/// Times shared with the other processes that read the file.
buffer_oauth::timestamp system_now() {
  return std::chrono::duration_cast<buffer_oauth::timestamp>(
      std::chrono::system_clock::now().time_since_epoch());
}

/// The file's second line: what a refresh needs besides the tokens. No secret.
json client_line(const buffer_oauth::provider& p, const buffer_oauth::client& c) {
  json provider = provider_json(p);
  provider["allow_insecure_loopback"] = p.allow_insecure_loopback;
  return {{"provider", std::move(provider)}, {"client_id", c.id}, {"confidential", !c.secret.empty()}};
}

template <typename Enum, std::size_t N>
Enum value_named(const std::pair<Enum, std::string_view> (&names)[N], const std::string& name) {
  for (const auto& [id, known] : names)
    if (known == name) return id;
  throw std::out_of_range("unknown name " + name);
}

/// The provider client_line wrote, over the built-in profile of its name.
buffer_oauth::provider provider_from(const json& j) {
  const std::string name = j.at("name").get<std::string>();
  buffer_oauth::provider p = name == "buffer-legacy" ? buffer_oauth::provider::buffer_legacy()
                             : name == "buffer"      ? buffer_oauth::provider::buffer()
                                                     : buffer_oauth::provider::generic(name, "", "", "");
  const auto text = [&](const char* key) { return j.at(key).is_null() ? "" : j.at(key).get<std::string>(); };
  for (const auto& [key, member] : provider_endpoints) p.*member = text(std::string(key).c_str());
  p.issuer = text("issuer");
  p.authentication = value_named(client_auth_names, j.at("authentication").get<std::string>());
  p.public_clients = j.at("public_clients").get<bool>();
  p.confidential_clients = j.at("confidential_clients").get<bool>();
  p.pkce = j.at("pkce").get<bool>();
  p.pkce_required = j.at("pkce_required").get<bool>();
  p.api = value_named(api_format_names, j.at("api").get<std::string>());
  p.allow_insecure_loopback = j.at("allow_insecure_loopback").get<bool>();
  return p;
}

/// A login as its file holds it.
struct saved_login {
  buffer_oauth::provider provider;
  buffer_oauth::client client;
  buffer_oauth::credentials credentials;
};

saved_login read_login(const file_credential_store& store, const std::string& client_secret) {
  const auto file = store.read();
  if (!file)
    throw credential_file_error("not_logged_in",
                                "no credentials in " + store.path() + ": run buffer-oauth login first");
  saved_login login;
  login.credentials = buffer_oauth::parse_credentials(file->credentials.text).value();  // read() checked it
  bool confidential = false;
  try {
    const json client = json::parse(file->client);
    login.provider = provider_from(client.at("provider"));
    login.client.id = client.at("client_id").get<std::string>();
    confidential = client.at("confidential").get<bool>();
  } catch (const std::exception&) {  // json's, or value_named's out_of_range
    throw credential_file_error("corrupt_credentials",
                                store.path() + ": the second line is not the client login wrote");
  }
  if (confidential && client_secret.empty())
    throw credential_file_error("client_secret_required",
                                "the login used a client secret: give it with --client-secret");
  login.client.secret = client_secret;
  return login;
}

/// The test hook of examples/README.md: die between receiving a rotated
/// refresh token and storing it, as a crash or a kill would.
bool crash_after_refresh() {
  const char* hook = std::getenv("BUFFER_OAUTH_TEST_CRASH_AFTER_REFRESH");
  return hook != nullptr && std::string_view(hook) == "1";
}

struct refresh_outcome {
  bool refreshed = false;  ///< false: another process had refreshed, its credentials adopted
  bool rotated = false;
};

/// The refresh `step` asks for, under the file's lock: if the file holds a
/// newer generation another process refreshed first, and its credentials are
/// adopted instead of sending a refresh token that was already used.
buffer_oauth::result<refresh_outcome> refresh_once(buffer_oauth::session& s,
                                                   const buffer_oauth::session_step& step,
                                                   file_credential_store& store,
                                                   const buffer_oauth::curl::options& transport) {
  const auto held = store.lock();
  const auto latest = store.read();
  if (!latest) throw credential_file_error("not_logged_in", store.path() + " was deleted (a logout?)");
  if (latest->credentials.generation > s.current().generation) {
    auto adopted = s.adopt(buffer_oauth::parse_credentials(latest->credentials.text).value(), system_now());
    if (!adopted) return adopted.error();
    return refresh_outcome{};
  }
  const auto answer = buffer_oauth::curl::send(*step.request, transport);
  if (!answer) {  // the refresh token may not have arrived: it is kept for the next refresh
    (void)s.refresh_failed(step.ticket, system_now());
    return answer.error();
  }
  auto r = s.refresh_response(step.ticket, *answer, system_now());
  if (!r) return r.error();
  if (r->refresh_token_rotated && crash_after_refresh()) ::_exit(99);
  if (!store.compare_and_swap(latest->credentials.generation,
                              {r->current.generation, buffer_oauth::to_string(r->current)}))
    throw credential_file_error("credentials_io", store.path() + " changed while it was locked");
  return refresh_outcome{true, r->refresh_token_rotated};
}

/// The body as JSON when it is JSON, else as a string.
json body_json(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  return parsed.is_discarded() ? json(body) : parsed;
}

/// Runs a subcommand on the credentials file: a file that cannot be used
/// ends it with its errc.
template <typename Command>
command_result on_file(const session_args& a, Command command) {
  try {
    file_credential_store store(a.credentials_path);
    return command(store);
  } catch (const credential_file_error& e) {
    return failure(e.errc(), e.what());
  }
}

}  // namespace

command_result save_login(const std::string& path, const buffer_oauth::provider& p,
                          const buffer_oauth::client& c, const buffer_oauth::token& t) {
  return on_file({path, {}, {}}, [&](file_credential_store& store) {
    const auto held = store.lock();
    std::uint64_t generation = 0;
    try {
      if (const auto previous = store.read()) generation = previous->credentials.generation + 1;
    } catch (const credential_file_error&) {
      // An unreadable old file is replaced, starting again from 0.
    }
    auto saved = buffer_oauth::make_credentials(t, system_now(), generation);
    if (!saved) return failure(saved.error());
    store.write({generation, buffer_oauth::to_string(*saved)}, dump(client_line(p, c)));
    return success({{"credentials", path}, {"generation", generation}});
  });
}

command_result call(const session_args& a, const call_args& c) {
  return on_file(a, [&](file_credential_store& store) {
    saved_login login = read_login(store, a.client_secret);
    buffer_oauth::session s(login.provider, login.client, std::move(login.credentials));
    bool refreshed = false, retried = false;
    for (;;) {
      auto step = s.use(system_now());
      if (!step) return failure(step.error());
      if (step->action == buffer_oauth::session_action::refresh) {
        auto outcome = refresh_once(s, *step, store, a.transport);
        if (!outcome) return failure(outcome.error());
        refreshed = refreshed || outcome->refreshed;
        continue;
      }
      if (step->action == buffer_oauth::session_action::wait)  // one thread: no other refresh is in flight
        return failure("internal_error", "the session waits for a refresh this process did not send");
      const std::uint64_t generation = step->token->generation;
      buffer_oauth::http_request req{c.method, c.url, {}, c.body};
      if (!c.content_type.empty()) req.headers.push_back({"Content-Type", c.content_type});
      auto with_token = buffer_oauth::attach_token(login.provider, std::move(req), step->token->access_token);
      if (!with_token) return failure(with_token.error());
      const auto answer = buffer_oauth::curl::send(*with_token, a.transport);
      if (!answer) return failure(answer.error());
      auto ok = buffer_oauth::check_api_response(login.provider, *answer);
      if (ok)
        return success({{"status", answer->status},
                        {"body", body_json(answer->body)},
                        {"refreshed", refreshed},
                        {"generation", generation}});
      if (ok.error().code != buffer_oauth::errc::token_rejected || retried) return failure(ok.error());
      retried = true;  // once: a token refreshed for a rejection and rejected again ends the session
      if (auto invalidated = s.invalidate(generation, system_now()); !invalidated)
        return failure(invalidated.error());
    }
  });
}

command_result refresh(const session_args& a) {
  return on_file(a, [&](file_credential_store& store) {
    const auto held = store.lock();  // the file's generation is the session's until the refresh is stored
    saved_login login = read_login(store, a.client_secret);
    buffer_oauth::session s(login.provider, login.client, std::move(login.credentials));
    if (auto invalidated = s.invalidate(s.current().generation, system_now()); !invalidated)
      return failure(invalidated.error());
    auto step = s.use(system_now());
    if (!step) return failure(step.error());
    auto outcome = refresh_once(s, *step, store, a.transport);
    if (!outcome) return failure(outcome.error());
    return success(
        {{"generation", s.current().generation}, {"refreshed", true}, {"rotated", outcome->rotated}});
  });
}

command_result logout(const session_args& a) {
  return on_file(a, [&](file_credential_store& store) {
    const auto held = store.lock();
    const saved_login login = read_login(store, a.client_secret);
    const auto& p = login.provider;
    const auto& held_token = login.credentials;
    // Revoking the refresh token revokes the grant, and with it every access token (RFC 7009 §2.1).
    const bool by_refresh_token = !held_token.refresh_token.empty();
    auto req =
        !p.revocation_endpoint.empty()
            ? buffer_oauth::build_revocation_request(
                  p, login.client, by_refresh_token ? held_token.refresh_token : held_token.access_token,
                  by_refresh_token ? buffer_oauth::token_type_hint::refresh_token
                                   : buffer_oauth::token_type_hint::access_token)
            : buffer_oauth::build_deauthorize_request(p, held_token.access_token);
    if (!req) return failure(req.error());
    const auto answer = buffer_oauth::curl::send(*req, a.transport);
    if (!answer) return failure(answer.error());
    auto revoked = !p.revocation_endpoint.empty() ? buffer_oauth::parse_revocation_response(*answer)
                                                  : buffer_oauth::parse_deauthorize_response(*answer);
    if (!revoked) return failure(revoked.error());
    store.remove();
    return success({{"revoked", true}});
  });
}

}  // namespace buffer_oauth_cli
