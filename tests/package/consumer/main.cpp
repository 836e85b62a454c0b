// A downstream program: builds Buffer's token request for the code in
// Buffer's guide and checks the code went out raw (not 1%2F...).
// With CONSUMER_WITH_FMT it also formats the request and checks that the
// code and the client secret are redacted. Exit status 0 = pass.

#include <buffer_oauth.hpp>
#ifdef CONSUMER_WITH_FMT
#include <buffer_oauth_fmt.hpp>
#endif

#include <cstdio>
#include <string>

int main() {
  const buffer_oauth::client app{"consumer-client", "consumer-secret-123", "https://client.example/back"};
  const auto request =
      buffer_oauth::build_token_request(buffer_oauth::provider::buffer_legacy(), app, "1/mWot20jTwojsd00jFlaaR45");
  if (!request) {
    std::fprintf(stderr, "build_token_request failed: %s\n", request.error().message.c_str());
    return 1;
  }
  if (request->body.find("code=1/mWot20jTwojsd00jFlaaR45") == std::string::npos) {
    std::fprintf(stderr, "unexpected body: %s\n", request->body.c_str());
    return 1;
  }
#ifdef CONSUMER_WITH_FMT
  const std::string shown = fmt::format("{}", *request);
  if (shown.find("mWot20jTwojsd00jFlaaR45") != std::string::npos ||
      shown.find("consumer-secret-123") != std::string::npos ||
      shown.find("POST https://api.bufferapp.com/1/oauth2/token.json") == std::string::npos) {
    std::fprintf(stderr, "formatter leaked a secret or lost the URL: %s\n", shown.c_str());
    return 1;
  }
#endif
  std::puts("ok");
  return 0;
}
