#!/usr/bin/env bash
# Builds and runs every test: the doctest suite (g++, clang++, ASan+UBSan,
# Meson), the CLI tests, fuzz corpus replay and a short fuzzing run, the
# package consumers, the quality gates and the end-to-end tests.
# Usage: tools/test.sh            (FUZZ_SECONDS=60 by default)
# Nothing is skipped quietly: with CI=true a missing test dependency fails
# the configure (BUFFER_OAUTH_REQUIRE_ALL), and a skipped or not run test, a
# run without tests or a missing stage script always fails its stage.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
tools/install-deps.sh || exit 1
jobs=$(nproc)
passed=0
failed=0
failures=()

stage() {
  local name=$1
  shift
  echo
  echo "==== $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "==== $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "==== $name: FAILED ($((SECONDS - start)) s)"
  fi
}

# cmake_suite DIR [--exclude-label LABEL] CMAKE_ARGS...
cmake_suite() {
  local dir=$1
  shift
  local ctest_args=()
  if [ "${1:-}" = "--exclude-label" ]; then
    ctest_args=(--label-exclude "$2")
    shift 2
  fi
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null &&
    cmake --build "$dir" -j "$jobs" &&
    tools/every-test-ran.sh ctest --test-dir "$dir" --output-on-failure -j "$jobs" "${ctest_args[@]}"
}

stage "CI guards" tests/ci_guards.sh
stage "g++ build and ctest" cmake_suite build/gcc -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
# The end-to-end servers run in the g++ and sanitizer trees; once more adds nothing.
stage "clang++ build and ctest" cmake_suite build/clang --exclude-label e2e -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DBUFFER_OAUTH_BUILD_BENCH=OFF
stage "ASan+UBSan build and ctest" cmake_suite build/asan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DBUFFER_OAUTH_BUILD_BENCH=OFF \
  "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
meson_suite() {
  local setup_log
  rm -rf build/meson
  setup_log=$(meson setup build/meson 2>&1) || { echo "$setup_log"; return 1; }
  tools/every-test-ran.sh meson test -C build/meson --print-errorlogs
}
stage "meson build and test" meson_suite
stage "libFuzzer run (${FUZZ_SECONDS:-60} s per target)" fuzz/run.sh "${FUZZ_SECONDS:-60}"
stage "package consumers" tests/package/run.sh
stage "quality gates" tools/quality.sh
stage "benchmark smoke run" tests/bench/run.sh --smoke

echo
echo "stages: $passed passed, $failed failed"
for f in "${failures[@]}"; do echo "  failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
