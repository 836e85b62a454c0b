#!/usr/bin/env bash
# Proves that nothing vanishes silently in CI: each guard takes a test, a test
# dependency, a tool or a stage script away and checks that the run fails and
# says why (and, where that costs little, that it passes without the fault).
# A stage of tools/test.sh; it configures but builds nothing (under a minute).
#
#   tests/ci_guards.sh           (KEEP_TMP=1 keeps the temporary directory)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/buffer_oauth_ci_guards.XXXXXX")
if [ "${KEEP_TMP:-0}" = 1 ]; then
  echo "keeping $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi

check_logs=$tmp
# shellcheck source=tools/checklist.sh
. "$root/tools/checklist.sh"

# expect passes|fails PATTERN... -- COMMAND...: COMMAND must exit that way and
# print every PATTERN (extended regular expressions).
expect() {
  local want=$1 patterns=() out rc=0 p
  shift
  while [ "$1" != -- ]; do
    patterns+=("$1")
    shift
  done
  shift
  out=$("$@" 2>&1) || rc=$?
  echo "$out"
  if [ "$want" = passes ] && [ "$rc" -ne 0 ]; then
    echo "ci_guards: expected exit 0, got $rc"
    return 1
  fi
  if [ "$want" = fails ] && [ "$rc" -eq 0 ]; then
    echo "ci_guards: expected a failure, got exit 0"
    return 1
  fi
  for p in "${patterns[@]}"; do
    grep -Eq -- "$p" <<<"$out" || { echo "ci_guards: the output does not say: $p"; return 1; }
  done
}

every_test_ran=$root/tools/every-test-ran.sh

# --- the skip detector, on real ctest and meson runs --------------------------
mkdir -p "$tmp/ctest-probe" "$tmp/meson-probe"
cat >"$tmp/ctest-probe/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.14)
project(ci_guards_probe NONE)
enable_testing()
add_test(NAME passes COMMAND sh -c "exit 0")
add_test(NAME skipped COMMAND sh -c "exit 77")
set_tests_properties(skipped PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME disabled COMMAND sh -c "exit 0")
set_tests_properties(disabled PROPERTIES DISABLED ON)
add_test(NAME never_built COMMAND ${CMAKE_CURRENT_BINARY_DIR}/never_built)
EOF
cat >"$tmp/meson-probe/meson.build" <<'EOF'
project('ci_guards_probe', meson_version : '>=0.54')
sh = find_program('sh')
test('passes', sh, args : ['-c', 'exit 0'], suite : 'passes')
test('skipped', sh, args : ['-c', 'exit 77'], suite : 'skipped')
EOF
ctest_probe=$tmp/ctest-probe/build
meson_probe=$tmp/meson-probe/build
configure_probes() {
  cmake -S "$tmp/ctest-probe" -B "$ctest_probe" && meson setup "$meson_probe" "$tmp/meson-probe"
}
if check "the ctest and meson probe projects configure" configure_probes; then
  check "ctest: all passed -> ok" \
    expect passes -- "$every_test_ran" ctest --test-dir "$ctest_probe" -R '^passes$'
  check "ctest: a test skipped (exit 77) -> fails" \
    expect fails 'skipped or not run' -- "$every_test_ran" ctest --test-dir "$ctest_probe" -R '^(passes|skipped)$'
  check "ctest: a test DISABLED -> fails" \
    expect fails 'skipped or not run' -- "$every_test_ran" ctest --test-dir "$ctest_probe" -R '^(passes|disabled)$'
  check "ctest: a test's program missing (Not Run) -> fails" \
    expect fails 'Not Run' -- "$every_test_ran" ctest --test-dir "$ctest_probe" -R '^never_built$'
  check "ctest: no test -> fails" \
    expect fails 'no test ran' -- "$every_test_ran" ctest --test-dir "$ctest_probe" -R '^nothing$'
  check "meson test: all passed -> ok" \
    expect passes -- "$every_test_ran" meson test -C "$meson_probe" --suite passes
  check "meson test: a test skipped (exit 77) -> fails" \
    expect fails 'skipped or not run' -- "$every_test_ran" meson test -C "$meson_probe"
  check "meson test: no test -> fails" \
    expect fails 'no test ran' -- "$every_test_ran" meson test -C "$meson_probe" --suite nothing
fi

# --- CMake and Meson: a missing test dependency under CI=true ------------------
# One build tree for all four (a fresh configure costs the compiler checks);
# each configure first resets what another one changed.
configure=(cmake -S "$root" -B "$tmp/cmake" -G Ninja -DBUFFER_OAUTH_INSTALL=OFF -UBUFFER_OAUTH_REQUIRE_ALL
  -DCMAKE_DISABLE_FIND_PACKAGE_{fmt,nlohmann_json,OpenSSL,Python3,Boost}"=OFF")
check "CMake, CI=true, no fmt or nlohmann_json -> configure error naming each group" \
  expect fails 'fmt_tests cannot be built' 'buffer-oauth CLI and its tests cannot be built' \
  'fuzz_json cannot be built' 'fuzz_token_response cannot be built' 'fuzz_api_response cannot be built' \
  'fuzz_metadata cannot be built' 'fuzz_registration cannot be built' 'benchmarks and bench_check cannot be built' -- \
  env CI=true "${configure[@]}" -DCMAKE_DISABLE_FIND_PACKAGE_{fmt,nlohmann_json}=ON
check "CMake, CI=true, no OpenSSL, Python 3 or Boost -> configure error naming each group" \
  expect fails 'crypto_vs_openssl cannot be built' 'readme_is_true cannot be built' \
  'cli_subcommands cannot be built' 'end-to-end tests cannot be built' 'fuzz_form cannot be built' \
  'fuzz_redirect cannot be built' 'fuzz_attach cannot be built' -- \
  env CI=true "${configure[@]}" -DCMAKE_DISABLE_FIND_PACKAGE_{OpenSSL,Python3,Boost}=ON
check "CMake, CI unset, no fmt -> configures, warns fmt_tests skipped" \
  expect passes 'CMake Warning' 'fmt_tests skipped' -- \
  env -u CI "${configure[@]}" -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON
check "CMake, CI=true, no fmt, -DBUFFER_OAUTH_REQUIRE_ALL=OFF -> configures, warns" \
  expect passes 'fmt_tests skipped' -- \
  env CI=true "${configure[@]}" -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON -DBUFFER_OAUTH_REQUIRE_ALL=OFF
check "Meson, CI=true, -Dfmt=disabled -> setup error naming fmt_tests" \
  expect fails 'fmt_tests cannot be built' -- env CI=true meson setup "$tmp/meson-no-fmt" "$root" -Dfmt=disabled
check "Meson, CI unset, -Dfmt=disabled -> sets up, warns fmt_tests skipped" \
  expect passes 'WARNING: fmt_tests skipped' -- env -u CI meson setup "$tmp/meson-no-fmt-local" "$root" -Dfmt=disabled

# --- tests/bench/run.sh without a tool it needs --------------------------------
mkdir -p "$tmp/no-python3"
for tool in dirname cmake ninja valgrind; do
  tool_path=$(command -v "$tool") && ln -s "$tool_path" "$tmp/no-python3/$tool"
done
check "tests/bench/run.sh without python3 -> fails" \
  expect fails 'python3 not found' -- \
  env PATH="$tmp/no-python3" "$BASH" "$root/tests/bench/run.sh" --smoke --build-dir "$tmp/bench"

# --- quality gates and package consumers without {fmt}, under CI=true ---------
# A c++ that compiles nothing and a pkg-config search path with no .pc file.
mkdir -p "$tmp/no-fmt"
printf '#!/bin/sh\nexit 1\n' >"$tmp/no-fmt/c++"
chmod +x "$tmp/no-fmt/c++"
check "tools/quality.sh, CI=true, {fmt} not found -> fails" \
  expect fails 'fmt. not found' -- env CI=true PATH="$tmp/no-fmt:$PATH" "$BASH" "$root/tools/quality.sh" compile
check "tests/package/run.sh, CI=true, {fmt} not found by pkg-config -> fails" \
  expect fails 'fmt. not found' -- env CI=true PKG_CONFIG_LIBDIR="$tmp/no-fmt" "$BASH" "$root/tests/package/run.sh"

# --- tools/test.sh with its stage scripts missing ------------------------------
# A copy of tools/test.sh alone, with cmake, ctest, meson and the dependency
# installer stubbed to succeed: only the stage scripts are missing.
mkdir -p "$tmp/stage-probe/tools" "$tmp/stage-probe/stubs"
cp "$root/tools/test.sh" "$root/tools/every-test-ran.sh" "$tmp/stage-probe/tools/"
for stub in tools/install-deps.sh stubs/cmake stubs/ctest stubs/meson; do
  printf '#!/bin/sh\nexit 0\n' >"$tmp/stage-probe/$stub"
  chmod +x "$tmp/stage-probe/$stub"
done
check "tools/test.sh with stage scripts missing -> fails, naming them" \
  expect fails '==== g\+\+ build and ctest: ok' 'failed: CI guards' 'failed: package consumers' \
  'failed: quality gates' 'failed: benchmark smoke run' -- \
  env PATH="$tmp/stage-probe/stubs:$PATH" "$BASH" "$tmp/stage-probe/tools/test.sh"

echo "CI guards: $checks_passed passed, $checks_failed failed"
[ "$checks_failed" -eq 0 ]
