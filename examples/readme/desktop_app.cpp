// SPDX-License-Identifier: MIT
// A desktop or command-line app that logs in to Buffer as a public client
// (no secret: PKCE and iss protect the login). The browser comes back to a
// listener on 127.0.0.1 at a port the OS picks (RFC 8252 §7.3); the app
// then makes one API call. cpp-httplib listens; the libcurl adapter sends.
//   BUFFER_CLIENT_ID=... desktop_app   (register http://127.0.0.1/callback for it)
#include "local_provider.hpp"  // tests only: a real app calls bo::provider::buffer()
#include "login_common.hpp"

#include <httplib.h>

#include <future>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace {

int fail(const bo::error& e) {
  std::cerr << "Login failed: " << bo::to_string(e.code) << ": " << e.message << "\n";
  return 1;
}

}  // namespace

int main() {
  const bo::curl::global curl;
  bo::curl::options https;
  const bo::provider buffer = buffer_or_local(https);
  const std::string client_id = setting("BUFFER_CLIENT_ID");
  if (!curl.ok() || client_id.empty()) {
    std::cerr << "usage: BUFFER_CLIENT_ID=... desktop_app\n";
    return 2;
  }
  httplib::Server listener;
  const int port = listener.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::cerr << "Login failed: cannot listen on 127.0.0.1\n";
    return 1;
  }
  const bo::client app{client_id, "", "http://127.0.0.1:" + std::to_string(port) + "/callback"};

  bo::flow_options options;
  options.scope = "account:read offline_access";
  bo::flow flow(buffer, app, options);
  auto entropy = random_bytes(48);  // 16 bytes for state, 32 for the PKCE verifier
  if (!entropy) return fail(entropy.error());
  const std::string_view bytes = *entropy;
  auto url = flow.begin({bytes.substr(0, 16), bytes.substr(16)}, now());
  if (!url) return fail(url.error());

  std::once_flag first_redirect;
  std::promise<bo::result<std::string>> account;
  listener.Get("/callback", [&](const httplib::Request& req, httplib::Response& res) {
    std::call_once(first_redirect, [&] {
      auto answer = finish_login(flow, buffer, callback_url(app, req.target), https);
      res.set_content(answer ? "Logged in. You can close this tab.\n" : "Login failed: see the app.\n",
                      "text/plain");
      account.set_value(std::move(answer));
    });
  });
  std::thread serving([&] { listener.listen_after_bind(); });

  // Open *url in the user's browser; this prints it, as a terminal app does.
  std::cerr << "Callback URL: " << app.redirect_uri << "\nOpen this URL to log in:\n" << *url << std::endl;
  auto answered = account.get_future();
  const bool arrived = answered.wait_for(std::chrono::minutes(5)) == std::future_status::ready;
  listener.stop();
  serving.join();
  if (!arrived) {
    std::cerr << "Login failed: the browser did not come back within 5 minutes\n";
    return 1;
  }
  auto result = answered.get();
  if (!result) return fail(result.error());
  std::cout << *result << "\n";
  return 0;
}
