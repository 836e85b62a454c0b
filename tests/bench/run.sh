#!/usr/bin/env bash
# Builds the benchmarks (Release, -O2) in their own build directory, runs
# Google Benchmark (time, allocations), the self-check, and the callgrind
# driver (instructions), then prints one table with ratios.
#
# usage: tests/bench/run.sh [--smoke] [--build-dir DIR]
#   --smoke   quick CI run: each benchmark briefly, callgrind at small N
#   default   full run: 5 repetitions (medians), callgrind at N=5000
# Environment: CXX picks the compiler (default c++). No test asserts a time.
# Exit status: 0 only when everything above ran; a missing tool or library is
# an error, never a skip.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in cmake ninja valgrind python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (tools/install-deps.sh installs it)" >&2; exit 1; }
done

smoke=0
build=build/bench
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) smoke=1 ;;
    --build-dir) build=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--build-dir DIR]" >&2; exit 2 ;;
  esac
  shift
done

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
  -DBUFFER_OAUTH_BUILD_BENCH=ON -DBUFFER_OAUTH_BUILD_TESTS=OFF -DBUFFER_OAUTH_BUILD_EXAMPLES=OFF \
  -DBUFFER_OAUTH_BUILD_FUZZERS=OFF -DBUFFER_OAUTH_INSTALL=OFF -DBUFFER_OAUTH_REQUIRE_ALL=ON >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
rm -f "$build.configure.log"
bench=$build/tests/bench/buffer_oauth_bench
driver=$build/tests/bench/buffer_oauth_bench_driver
cmake --build "$build" --target buffer_oauth_bench buffer_oauth_bench_driver >"$build.build.log" 2>&1 ||
  { cat "$build.build.log"; exit 1; }
rm -f "$build.build.log"
for program in "$bench" "$driver"; do
  [ -x "$program" ] || { echo "run.sh: $program was not built" >&2; exit 1; }
done

out=$build/results
rm -rf "$out"
mkdir -p "$out/callgrind"

if [ $smoke = 1 ]; then
  n=200
  bench_args=(--benchmark_min_time=0.01)
else
  n=5000
  bench_args=(--benchmark_min_time=0.2 --benchmark_repetitions=5 --benchmark_report_aggregates_only=true)
fi

echo "== self-check: every implementation extracts the same values"
"$driver" check >"$out/check.txt" || { cat "$out/check.txt"; exit 1; }
tail -n 1 "$out/check.txt"

echo "== Google Benchmark ($bench ${bench_args[*]})"
"$bench" "${bench_args[@]}" --benchmark_out="$out/bench.json" --benchmark_out_format=json \
  >"$out/bench.txt" 2>&1 || { cat "$out/bench.txt"; exit 1; }

echo "== callgrind: $driver run $n"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind/callgrind.out" \
  "$driver" run "$n" >"$out/callgrind.txt" 2>&1 || { cat "$out/callgrind.txt"; exit 1; }
rm -f "$out/callgrind/callgrind.out"  # the dump at exit: nothing measured

echo
python3 tests/bench/table.py "$out/bench.json" "$out/callgrind" "$n"
