// SPDX-License-Identifier: MIT
//
// Replay driver: runs a fuzz target on files, without libFuzzer, so every
// compiler builds the targets and every corpus file and past crash runs as
// an ordinary test.
//
// Usage: fuzz_<target> PATH...   (a PATH is a file or a directory of files;
// files whose names start with '.' are skipped). Each input is copied into an
// exact-size heap buffer. Exit status: 0 when every input ran, 1 when a path
// cannot be read or no input was found. A violated property traps.

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::string current;  // the input being replayed, named when a property traps

extern "C" void name_the_input(int sig) {
  std::fputs("\nwhile replaying: ", stderr);
  std::fputs(current.c_str(), stderr);
  std::fputs("\n", stderr);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

bool run_file(const std::filesystem::path& path) {
  current = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.string().c_str());
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::unique_ptr<std::uint8_t[]> exact(new std::uint8_t[bytes.size()]);
  if (!bytes.empty()) std::memcpy(exact.get(), bytes.data(), bytes.size());
  LLVMFuzzerTestOneInput(exact.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  for (int sig : {SIGILL, SIGABRT, SIGFPE}) std::signal(sig, name_the_input);
#ifdef SIGTRAP
  std::signal(SIGTRAP, name_the_input);
#endif
  std::size_t ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(arg, ec))
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.') files.push_back(entry.path());
      if (ec) {
        std::fprintf(stderr, "cannot list %s: %s\n", argv[i], ec.message().c_str());
        ok = false;
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (!run_file(f)) ok = false;
        ++ran;
      }
    } else if (fs::is_regular_file(arg, ec)) {
      if (!run_file(arg)) ok = false;
      ++ran;
    } else {
      std::fprintf(stderr, "no such file or directory: %s\n", argv[i]);
      ok = false;
    }
  }
  std::printf("replayed %zu inputs\n", ran);
  if (ran == 0) std::fprintf(stderr, "no inputs given\n");
  return ok && ran > 0 ? 0 : 1;
}
