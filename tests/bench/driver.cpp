// Driver for instruction counts under callgrind, and a self-check.
//
//   bench_driver list                 operation names, one a line
//   bench_driver check                run each operation once; implementations
//                                     of the same input must extract the same
//                                     values (exit 1 otherwise)
//   bench_driver run N [SUBSTR...]    run each operation whose name contains a
//                                     SUBSTR (all without one) N times
//
// Under `valgrind --tool=callgrind --instr-atstart=no`, `run` zeroes the
// counters before each operation's loop and dumps them after it, with the
// operation's name as the dump's reason. Instructions per operation =
// (dump total - dump total of "empty/loop/empty") / N. Outside valgrind the
// callgrind requests do nothing.
#include "ops.hpp"

#include <valgrind/callgrind.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace {

__attribute__((noinline)) std::size_t loop(std::size_t (*fn)(bench::capture*), std::size_t n) {
  std::size_t sink = 0;
  for (std::size_t i = 0; i < n; ++i) sink += fn(nullptr);
  return sink;
}

volatile std::size_t g_sink;

bool selected(const std::string& name, int argc, char** argv, int first) {
  if (name == "empty/loop/empty" || argc <= first) return true;
  for (int i = first; i < argc; ++i)
    if (name.find(argv[i]) != std::string::npos) return true;
  return false;
}

std::string group_of(const std::string& name) { return name.substr(0, name.rfind('/')); }
std::string impl_of(const std::string& name) { return name.substr(name.rfind('/') + 1); }

int check() {
  struct ref {
    std::string impl;
    bench::capture cap;
  };
  std::map<std::string, ref> refs;
  int bad = 0;
  for (const auto& o : bench::all_ops()) {
    const std::string impl = impl_of(o.name);
    if (impl.rfind("floor_", 0) == 0 || impl == "empty") continue;
    bench::capture cap;
    const std::size_t r = o.fn(&cap);
    std::printf("%-44s -> %zu  a=%s  b=%s  n=%lld\n", o.name.c_str(), r, cap.a.c_str(), cap.b.c_str(),
                static_cast<long long>(cap.n));
    if (r == 0) {
      std::printf("  FAILED: the operation reported failure\n");
      ++bad;
      continue;
    }
    const std::string group = group_of(o.name);
    const auto it = refs.find(group);
    if (it == refs.end()) {
      refs[group] = {impl, cap};
      continue;
    }
    const bench::capture& want = it->second.cap;
    // token_type is left out: parse_token_response reports "bearer" when it
    // defaulted it, the others report it absent.
    const bool same =
        cap.a == want.a && cap.n == want.n && (o.name.rfind("token/", 0) == 0 || cap.b == want.b);
    if (!same) {
      std::printf("  MISMATCH with %s\n", it->second.impl.c_str());
      ++bad;
    }
  }
  std::printf("%s\n", bad == 0 ? "check: all implementations agree" : "check: FAILED");
  return bad == 0 ? 0 : 1;
}

int run(std::size_t n, int argc, char** argv) {
  g_sink = static_cast<std::size_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  for (const auto& o : bench::all_ops()) {
    if (!selected(o.name, argc, argv, 3)) continue;
    g_sink = o.fn(nullptr);  // warm up: lazy binding, statics, first-use buffers
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
    const auto t0 = std::chrono::steady_clock::now();
    g_sink = loop(o.fn, n);
    const auto t1 = std::chrono::steady_clock::now();
    CALLGRIND_STOP_INSTRUMENTATION;
    CALLGRIND_DUMP_STATS_AT(o.name.c_str());
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n);
    std::printf("%-48s %10zu runs %12.1f ns/op (wall clock, rough)\n", o.name.c_str(), n, ns);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "list") == 0) {
    for (const auto& o : bench::all_ops()) std::printf("%s\n", o.name.c_str());
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "check") == 0) return check();
  if (argc >= 3 && std::strcmp(argv[1], "run") == 0) {
    const long n = std::strtol(argv[2], nullptr, 10);
    if (n > 0) return run(static_cast<std::size_t>(n), argc, argv);
  }
  std::fprintf(stderr, "usage: %s list | check | run N [SUBSTR...]\n", argv[0]);
  return 2;
}
