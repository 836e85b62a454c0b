// doctest main for the end-to-end tests: libcurl is initialised once, before
// any test thread exists, and cleaned up after the last test.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <curl/curl.h>

int main(int argc, char** argv) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  doctest::Context context(argc, argv);
  const int rc = context.run();
  curl_global_cleanup();
  return rc;
}
