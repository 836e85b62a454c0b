#!/usr/bin/env bash
# Package consumer tests: builds tests/package/consumer/main.cpp every way a
# downstream project can take buffer-oauth, runs each program, and prints one
# line per consumer. Exit status 0 only if every consumer passes.
#
#   tests/package/run.sh           (KEEP_TMP=1 keeps the temporary directory)
#
# Ways: cmake --install to a temporary prefix (configured for another prefix,
# so relocation is tested too), find_package from that prefix and from the
# build tree's export, pkg-config from the CMake and the Meson install, a
# plain c++ command, -fno-exceptions -fno-rtti, add_subdirectory,
# FetchContent (source dir, and a file:// git clone of HEAD), and a Meson
# subproject. No network is used.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/buffer_oauth_package.XXXXXX")
if [ "${KEEP_TMP:-0}" = 1 ]; then
  echo "keeping $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi

cxx=${CXX:-c++}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
warnings=(-Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror)
have_fmt=0
pkg-config --exists fmt 2>/dev/null && have_fmt=1
if [ $have_fmt = 0 ] && [ "${CI:-}" = true ]; then
  echo "run.sh: {fmt} not found by pkg-config (libfmt-dev); with CI=true its consumers may not be skipped" >&2
  exit 1
fi
# The adapters' consumers need their libraries, found the same way.
have_curl=0
pkg-config --exists libcurl 2>/dev/null && have_curl=1
have_httplib=0
pkg-config --exists cpp-httplib openssl 2>/dev/null && have_httplib=1
if { [ $have_curl = 0 ] || [ $have_httplib = 0 ]; } && [ "${CI:-}" = true ]; then
  echo "run.sh: libcurl or cpp-httplib and OpenSSL not found by pkg-config; with CI=true their consumers may not be skipped" >&2
  exit 1
fi
on_off() { [ "$1" = 1 ] && echo ON || echo OFF; }
cmake_fmt=(-DBUFFER_OAUTH_CONSUMER_FMT="$(on_off $have_fmt)" -DBUFFER_OAUTH_CONSUMER_CURL="$(on_off $have_curl)"
  -DBUFFER_OAUTH_CONSUMER_HTTPLIB="$(on_off $have_httplib)")

# check NAME COMMAND...: one PASS/FAIL line per consumer.
check_logs=$tmp
# shellcheck source=tools/checklist.sh
. "$root/tools/checklist.sh"

# Runs the programs a consumer build produced (consumer, and consumer_fmt,
# consumer_curl, consumer_httplib when their libraries are available); each
# must print "ok".
run_programs() {
  local dir=$1
  local out program
  local programs=(consumer)
  [ $have_fmt = 1 ] && programs+=(consumer_fmt)
  [ $have_curl = 1 ] && programs+=(consumer_curl)
  [ $have_httplib = 1 ] && programs+=(consumer_httplib)
  for program in "${programs[@]}"; do
    out=$("$dir/$program") && [ "$out" = ok ] || { echo "$program said: $out"; return 1; }
  done
}

cmake_consumer() {
  local dir=$1
  shift
  cmake -S "$here/consumer" -B "$dir" "${generator[@]}" "${cmake_fmt[@]}" "$@" &&
    cmake --build "$dir" -j 2 &&
    run_programs "$dir"
}

# --- install ----------------------------------------------------------------
prefix="$tmp/prefix"
install_tree() {
  cmake -S "$root" -B "$tmp/build-install" "${generator[@]}" -DCMAKE_INSTALL_PREFIX=/nonexistent/prefix \
    -DBUFFER_OAUTH_INSTALL=ON -DBUFFER_OAUTH_BUILD_TESTS=OFF -DBUFFER_OAUTH_BUILD_EXAMPLES=OFF \
    -DBUFFER_OAUTH_BUILD_FUZZERS=OFF -DBUFFER_OAUTH_BUILD_BENCH=OFF &&
    cmake --build "$tmp/build-install" &&
    cmake --install "$tmp/build-install" --prefix "$prefix" || return 1
  local f
  for f in "$root"/include/*.hpp; do
    [ -f "$prefix/include/${f##*/}" ] || { echo "missing $prefix/include/${f##*/}"; return 1; }
  done
  for f in share/cmake/buffer_oauth/buffer_oauthConfig.cmake share/cmake/buffer_oauth/buffer_oauthConfigVersion.cmake \
    share/cmake/buffer_oauth/buffer_oauthTargets.cmake share/pkgconfig/buffer_oauth.pc; do
    [ -f "$prefix/$f" ] || { echo "missing $prefix/$f"; return 1; }
  done
  # Nothing architecture-specific: no lib/ directory at all.
  [ ! -e "$prefix/lib" ] && [ ! -e "$prefix/lib64" ] || { echo "unexpected lib directory"; return 1; }
  ! grep -rq /nonexistent "$prefix" || { echo "the install hard-codes the configured prefix"; return 1; }
}
check "cmake --install (relocated prefix)" install_tree

# --- CMake consumers ----------------------------------------------------------
find_package_installed() {
  cmake_consumer "$tmp/fp" -DCMAKE_PREFIX_PATH="$prefix" -DBUFFER_OAUTH_CONSUMER_MODE=find_package &&
    grep -q "^buffer_oauth_DIR:PATH=$prefix/share/cmake/buffer_oauth$" "$tmp/fp/CMakeCache.txt" ||
    { echo "buffer_oauth was not found in the installed prefix"; return 1; }
}
check "find_package (installed prefix)" find_package_installed

check "find_package (build tree export)" \
  cmake_consumer "$tmp/fp-build" -Dbuffer_oauth_DIR="$tmp/build-install" -DBUFFER_OAUTH_CONSUMER_MODE=find_package

check "add_subdirectory" \
  cmake_consumer "$tmp/sub" -DBUFFER_OAUTH_CONSUMER_MODE=add_subdirectory -DBUFFER_OAUTH_SOURCE_DIR="$root"

check "FetchContent (FETCHCONTENT_SOURCE_DIR)" \
  cmake_consumer "$tmp/fc-src" -DBUFFER_OAUTH_CONSUMER_MODE=fetchcontent -DBUFFER_OAUTH_GIT_URL=unused \
  -DFETCHCONTENT_SOURCE_DIR_BUFFER_OAUTH="$root"

if git -C "$root" rev-parse --verify -q HEAD >/dev/null 2>&1; then
  head=$(git -C "$root" rev-parse HEAD)
  check "FetchContent (git file://, HEAD ${head:0:7})" \
    cmake_consumer "$tmp/fc-git" -DBUFFER_OAUTH_CONSUMER_MODE=fetchcontent \
    -DBUFFER_OAUTH_GIT_URL="file://$root" -DBUFFER_OAUTH_GIT_TAG="$head"
fi

# --- plain compiler commands ---------------------------------------------------
pkgconfig_build() {
  local pcdir=$1 out=$2
  local cflags
  cflags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags buffer_oauth) || return 1
  echo "cflags: $cflags"
  # shellcheck disable=SC2086 # word splitting of pkg-config output is intended
  "$cxx" -std=c++17 "${warnings[@]}" $cflags "$here/consumer/main.cpp" -o "$out" &&
    [ "$("$out")" = ok ] || return 1
  if [ $have_fmt = 1 ]; then
    # shellcheck disable=SC2086
    "$cxx" -std=c++17 "${warnings[@]}" -DCONSUMER_WITH_FMT $cflags $(pkg-config --cflags fmt) \
      "$here/consumer/main.cpp" -o "$out-fmt" $(pkg-config --libs fmt) &&
      [ "$("$out-fmt")" = ok ] || return 1
  fi
  if [ $have_curl = 1 ]; then
    # shellcheck disable=SC2086
    "$cxx" -std=c++17 "${warnings[@]}" -DCONSUMER_WITH_CURL $cflags $(pkg-config --cflags libcurl) \
      "$here/consumer/adapter.cpp" -o "$out-curl" $(pkg-config --libs libcurl) &&
      [ "$("$out-curl")" = ok ] || return 1
  fi
}
check "pkg-config (CMake install, plain c++)" pkgconfig_build "$prefix/share/pkgconfig" "$tmp/pc-cmake"

bare() {
  "$cxx" -std=c++17 "${warnings[@]}" "$@" -I"$root/include" "$here/consumer/main.cpp" -o "$tmp/bare" &&
    [ "$("$tmp/bare")" = ok ]
}
check "c++ -std=c++17 -Iinclude" bare
check "c++ -std=c++17 -fno-exceptions -fno-rtti" bare -fno-exceptions -fno-rtti

# --- Meson ---------------------------------------------------------------------
enabled_disabled() { [ "$1" = 1 ] && echo enabled || echo disabled; }
meson_with=(-Dwith_fmt="$(enabled_disabled $have_fmt)" -Dwith_curl="$(enabled_disabled $have_curl)"
  -Dwith_httplib="$(enabled_disabled $have_httplib)")
meson_subproject() {
  local proj="$tmp/meson-consumer"
  mkdir -p "$proj/subprojects" &&
    cp "$here/meson/meson.build" "$here/meson/meson_options.txt" "$here/consumer/main.cpp" \
      "$here/consumer/adapter.cpp" "$proj/" &&
    ln -s "$root" "$proj/subprojects/buffer_oauth" &&
    meson setup "$proj/build" "$proj" \
      --force-fallback-for=buffer_oauth,buffer_oauth_fmt,buffer_oauth_curl,buffer_oauth_httplib "${meson_with[@]}" &&
    meson compile -C "$proj/build" -j 2 &&
    run_programs "$proj/build"
}
check "Meson subproject" meson_subproject

meson_pkgconfig() {
  local dest="$tmp/meson-prefix"
  meson setup "$tmp/meson-install" "$root" --prefix="$dest" -Dtests=false -Dexamples=false -Dfuzzers=false &&
    meson install -C "$tmp/meson-install" --quiet || return 1
  local f
  for f in "$root"/include/*.hpp; do
    [ -f "$dest/include/${f##*/}" ] || { echo "meson install left out include/${f##*/}"; return 1; }
  done
  pkgconfig_build "$dest/share/pkgconfig" "$tmp/pc-meson"
}
check "pkg-config (Meson install, plain c++)" meson_pkgconfig

# --- one version everywhere ------------------------------------------------------
versions_agree() {
  local h cm ms pc_cmake pc_meson
  h=$(awk '/#define BUFFER_OAUTH_VERSION_(MAJOR|MINOR|PATCH)/ { v = v (v == "" ? "" : ".") $3 } END { print v }' \
    "$root/include/buffer_oauth.hpp")
  cm=$(sed -n 's/^project(buffer_oauth VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
  ms=$(sed -n "s/^ *version : '\([0-9.]*\)'.*/\1/p" "$root/meson.build" | head -n 1)
  pc_cmake=$(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --modversion buffer_oauth)
  pc_meson=$(PKG_CONFIG_PATH="$tmp/meson-prefix/share/pkgconfig" pkg-config --modversion buffer_oauth)
  echo "header $h, CMake $cm, Meson $ms, .pc (CMake) $pc_cmake, .pc (Meson) $pc_meson"
  [ -n "$h" ] && [ "$h" = "$cm" ] && [ "$h" = "$ms" ] && [ "$h" = "$pc_cmake" ] && [ "$h" = "$pc_meson" ]
}
check "one version: header = CMake = Meson = .pc" versions_agree

echo "package consumers: $checks_passed passed, $checks_failed failed"
[ "$checks_failed" -eq 0 ]
