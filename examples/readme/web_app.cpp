// SPDX-License-Identifier: MIT
// A web app that logs its users in to Buffer: /login begins a flow and keeps
// it, saved, in a server-side session named by a random cookie; /callback
// takes it out (a saved flow works once), restores it and finishes the
// login. cpp-httplib serves; the libcurl adapter sends.
//   BUFFER_CLIENT_ID=... BUFFER_CLIENT_SECRET=... BUFFER_REDIRECT_URI=https://your.app/callback
//   web_app PORT    serves 127.0.0.1:PORT, behind your HTTPS proxy
#include "local_provider.hpp"  // tests only: a real app calls bo::provider::buffer()
#include "login_common.hpp"

#include <httplib.h>

#include <charconv>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace {

/// The value of the cookie "session", or "".
std::string session_id(const httplib::Request& req) {
  const std::string cookies = "; " + req.get_header_value("Cookie");
  const std::size_t at = cookies.find("; session=");
  if (at == std::string::npos) return "";
  const std::size_t start = at + 10;
  return cookies.substr(start, cookies.find(';', start) - start);
}

/// The port to serve, or 0 when `text` is not a number from 1 to 65535.
int port_number(std::string_view text) {
  int port = 0;
  const char* end = text.data() + text.size();
  const auto [stop, failure] = std::from_chars(text.data(), end, port);
  return failure == std::errc() && stop == end && port > 0 && port < 65536 ? port : 0;
}

/// The login ends here: the page names the errc and what went wrong, never a secret.
void refuse(httplib::Response& res, const bo::error& e) {
  res.status = 400;
  res.set_content("Login failed: " + std::string(bo::to_string(e.code)) + ": " + e.message + "\n",
                  "text/plain");
}

}  // namespace

int main(int argc, char** argv) {
  const bo::curl::global curl;
  bo::curl::options https;
  const bo::provider buffer = buffer_or_local(https);
  const bo::client app{setting("BUFFER_CLIENT_ID"), setting("BUFFER_CLIENT_SECRET"),
                       setting("BUFFER_REDIRECT_URI")};
  const auto key = random_bytes(32);  // signs the saved flows; never leaves the server
  const int port = argc == 2 ? port_number(argv[1]) : 0;
  if (!curl.ok() || !key || app.id.empty() || app.redirect_uri.empty() || port <= 0) {
    std::cerr << "usage: BUFFER_CLIENT_ID=.. BUFFER_CLIENT_SECRET=.. BUFFER_REDIRECT_URI=.. web_app PORT\n";
    return 2;
  }

  std::mutex mutex;
  std::map<std::string, std::string> saved_flows;  // by session id; drop those older than 10 minutes
  httplib::Server server;

  server.Get("/login", [&](const httplib::Request&, httplib::Response& res) {
    bo::flow_options options;
    options.scope = "account:read offline_access";
    bo::flow flow(buffer, app, options);
    auto entropy = random_bytes(48);  // 16 bytes for state, 32 for the PKCE verifier
    auto id = random_bytes(16);
    if (!entropy) return refuse(res, entropy.error());
    if (!id) return refuse(res, id.error());
    const std::string_view bytes = *entropy;
    auto url = flow.begin({bytes.substr(0, 16), bytes.substr(16)}, now());
    if (!url) return refuse(res, url.error());
    auto saved = flow.save(*key);
    if (!saved) return refuse(res, saved.error());
    const std::string session = bo::base64url_encode(*id);
    {
      const std::lock_guard<std::mutex> lock(mutex);
      saved_flows[session] = *std::move(saved);
    }
    res.set_header("Set-Cookie", "session=" + session + "; Path=/; HttpOnly; SameSite=Lax");  // and Secure
    res.set_redirect(*url);
  });

  server.Get("/callback", [&](const httplib::Request& req, httplib::Response& res) {
    std::string saved;
    {
      const std::lock_guard<std::mutex> lock(mutex);
      if (auto found = saved_flows.find(session_id(req)); found != saved_flows.end()) {
        saved = std::move(found->second);
        saved_flows.erase(found);
      }
    }
    if (saved.empty()) {
      res.status = 400;
      res.set_content("No login is waiting for this browser: start again at /login\n", "text/plain");
      return;
    }
    auto flow = bo::flow::restore(saved, *key, buffer, app, now());
    if (!flow) return refuse(res, flow.error());
    auto account = finish_login(*flow, buffer, callback_url(app, req.target), https);
    if (!account) return refuse(res, account.error());
    res.set_content("Logged in. Buffer says: " + *account + "\n", "text/plain");
  });

  std::cout << "Log in at http://127.0.0.1:" << port << "/login" << std::endl;
  return server.listen("127.0.0.1", port) ? 0 : 1;
}
