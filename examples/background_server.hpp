// background_server.hpp: a cpp-httplib server on 127.0.0.1 served from its
// own thread, stopped and joined by stop() or the destructor.
#ifndef BUFFER_OAUTH_EXAMPLES_BACKGROUND_SERVER_HPP
#define BUFFER_OAUTH_EXAMPLES_BACKGROUND_SERVER_HPP

#include <fmt/core.h>
#include <httplib.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace buffer_oauth_cli {

class background_server {
 public:
  background_server() = default;
  ~background_server() { stop(); }
  background_server(const background_server&) = delete;
  background_server& operator=(const background_server&) = delete;

  /// Register handlers here before start().
  httplib::Server& routes() { return server_; }

  /// Listens on 127.0.0.1:`port` (0: a free port chosen by the OS) and
  /// serves from a new thread. Returns the port; throws if it cannot bind.
  int start(int port = 0) {
    if (thread_.joinable()) return port_;
    if (port == 0) {
      port_ = server_.bind_to_any_port("127.0.0.1");
    } else {
      port_ = server_.bind_to_port("127.0.0.1", port) ? port : -1;
    }
    if (port_ <= 0) throw std::runtime_error(fmt::format("cannot listen on 127.0.0.1:{}", port));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // httplib's stop() does nothing before the accept loop runs: wait for it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!server_.is_running()) {
      if (std::chrono::steady_clock::now() > deadline) {
        thread_.join();
        throw std::runtime_error("the local HTTP server did not start");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return port_;
  }

  /// Closes the socket and waits for the handlers that are running.
  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace buffer_oauth_cli

#endif
