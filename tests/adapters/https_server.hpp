// https_server.hpp: the servers the adapter tests send to, on loopback.
//
//   test_certificates()  two self-signed certificates made once per process by
//                        the command `openssl req -x509` in a temporary directory
//                        (removed at exit), CN localhost, subjectAltName
//                        IP:127.0.0.1 and DNS:localhost. The client is given
//                        trusted.cert as its CA file; untrusted.cert is never
//                        given to a client.
//   https_server         a cpp-httplib SSLServer on 127.0.0.1 (or another
//                        loopback address) and an ephemeral port with the
//                        caller's routes, run on its own thread; the constructor
//                        waits until it accepts, the destructor stops and joins.
//   http_server          the same in plain http on 127.0.0.1.
//   silent_listener      accepts TCP connections (the kernel's backlog) and never
//                        answers: a client can only time out.
//   closed_port          a port bound and not listening: connection refused.
#ifndef BUFFER_OAUTH_TESTS_ADAPTERS_HTTPS_SERVER_HPP
#define BUFFER_OAUTH_TESTS_ADAPTERS_HTTPS_SERVER_HPP

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace adapter_test {

struct key_pair {
  std::string cert;  // PEM certificate
  std::string key;   // PEM private key
};

struct certificates {
  std::filesystem::path dir;
  key_pair trusted;
  key_pair untrusted;
  bool ok = false;

  certificates() {
    std::string pattern = (std::filesystem::temp_directory_path() / "buffer_oauth_adapters.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return;
    dir = pattern;
    trusted = make("trusted");
    untrusted = make("untrusted");
    ok = std::filesystem::exists(trusted.cert) && std::filesystem::exists(untrusted.cert);
  }
  ~certificates() {
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }
  certificates(const certificates&) = delete;
  certificates& operator=(const certificates&) = delete;

 private:
  // posix_spawnp, not a shell: the paths are arguments, never parsed.
  key_pair make(const std::string& name) const {
    key_pair made{(dir / (name + ".pem")).string(), (dir / (name + "-key.pem")).string()};
    std::vector<std::string> args{"openssl",
                                  "req",
                                  "-x509",
                                  "-newkey",
                                  "ec",
                                  "-pkeyopt",
                                  "ec_paramgen_curve:prime256v1",
                                  "-nodes",
                                  "-days",
                                  "1",
                                  "-subj",
                                  "/CN=localhost",
                                  "-addext",
                                  "subjectAltName=IP:127.0.0.1,DNS:localhost",
                                  "-keyout",
                                  made.key,
                                  "-out",
                                  made.cert};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string log = (dir / "openssl.log").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    pid_t child = -1;
    const int spawned = posix_spawnp(&child, "openssl", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    if (spawned != 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
      return {};
    return made;
  }
};

/// Made on first use; check ok() (false: the openssl command failed).
inline const certificates& test_certificates() {
  static const certificates made;
  return made;
}

/// `Server` (httplib::Server or SSLServer) with the caller's routes on `host`
/// and an ephemeral port, run on its own thread.
template <class Server>
class running_server {
 public:
  using routes = std::function<void(httplib::Server&)>;

  ~running_server() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  running_server(const running_server&) = delete;
  running_server& operator=(const running_server&) = delete;

  bool ok() const { return server_.is_running(); }
  int port() const { return port_; }
  /// scheme://host:port<path>; `path` starts with '/' or is empty.
  std::string url(std::string_view path) const {
    return scheme_ + "://" + host_ + ':' + std::to_string(port_) + std::string(path);
  }

 protected:
  template <class... ServerArgs>
  running_server(const routes& add_routes, std::string scheme, std::string host,
                 const ServerArgs&... server_args)
      : server_(server_args...), scheme_(std::move(scheme)), host_(std::move(host)) {
    if (!server_.is_valid()) return;
    add_routes(server_);
    port_ = server_.bind_to_any_port(host_);
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

 private:
  Server server_;
  std::string scheme_;
  std::string host_;
  int port_ = -1;
  std::thread thread_;
};

class https_server : public running_server<httplib::SSLServer> {
 public:
  explicit https_server(const routes& add_routes, const key_pair& identity = test_certificates().trusted,
                        std::string host = "127.0.0.1")
      : running_server(add_routes, "https", std::move(host), identity.cert.c_str(), identity.key.c_str()) {}
};

/// Plain http, which the core allows to loopback only.
class http_server : public running_server<httplib::Server> {
 public:
  explicit http_server(const routes& add_routes) : running_server(add_routes, "http", "127.0.0.1") {}
};

/// A TCP socket on 127.0.0.1 and an ephemeral port, closed on destruction.
class bound_socket {
 public:
  bound_socket() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      return;
    port_ = ntohs(address.sin_port);
  }
  ~bound_socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  bound_socket(const bound_socket&) = delete;
  bound_socket& operator=(const bound_socket&) = delete;

  int port() const { return port_; }
  std::string url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 protected:
  int fd_;
  int port_ = -1;
};

class silent_listener : public bound_socket {
 public:
  silent_listener() {
    if (port_ > 0 && ::listen(fd_, 16) != 0) port_ = -1;
  }
};

/// Held while the test runs, so no other process can take the port.
class closed_port : public bound_socket {};

}  // namespace adapter_test

#endif  // BUFFER_OAUTH_TESTS_ADAPTERS_HTTPS_SERVER_HPP
