// A downstream program on one transport adapter (CONSUMER_WITH_CURL or
// CONSUMER_WITH_HTTPLIB): sends to a port of 127.0.0.1 where nothing listens
// and expects transport_error, so the header compiled and its library linked
// and ran. Exit status 0 = pass.
#if defined(CONSUMER_WITH_CURL)
#include <buffer_oauth_curl.hpp>
#elif defined(CONSUMER_WITH_HTTPLIB)
#include <buffer_oauth_httplib.hpp>
#else
#error "define CONSUMER_WITH_CURL or CONSUMER_WITH_HTTPLIB"
#endif

#include <cstdio>

int main() {
  buffer_oauth::http_request req;
  req.method = "GET";
  req.url = "https://127.0.0.1:1/";
#if defined(CONSUMER_WITH_CURL)
  const buffer_oauth::curl::global curl;
  if (!curl.ok()) {
    std::fprintf(stderr, "curl_global_init failed\n");
    return 1;
  }
  const auto got = buffer_oauth::curl::send(req);
#else
  const auto got = buffer_oauth::httplib_adapter::send(req);
#endif
  if (got || got.error().code != buffer_oauth::errc::transport_error) {
    std::fprintf(stderr, "expected transport_error, got %s\n",
                 got ? "a response" : got.error().message.c_str());
    return 1;
  }
  std::puts("ok");
  return 0;
}
