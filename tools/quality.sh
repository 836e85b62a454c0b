#!/usr/bin/env bash
# Quality gates for the headers and the unit tests. Each gate prints one
# verdict line (PASS/FAIL, what was checked, seconds); the findings of a
# failing gate are printed under it. Exit status 0 only if every gate passes.
#
#   tools/quality.sh                    all gates
#   tools/quality.sh compile tidy       only some: compile, tidy, cppcheck, valgrind, mutation
#   QUALITY_JOBS=4 tools/quality.sh     parallel jobs (default 2)
#
# Gates:
#   compile   each header alone in a translation unit: g++ and clang++ x
#             C++17/20/23 x default and -fno-exceptions -fno-rtti, with
#             -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror
#   tidy      clang-tidy (.clang-tidy, tests/.clang-tidy) over a TU that
#             includes both headers and over the unit tests; findings are errors
#   cppcheck  warning,performance,portability over the headers (every
#             platform branch) and the unit tests (doctest modelled by
#             tools/cppcheck/doctest-model.h); no suppressions list is needed
#   valgrind  memcheck over every unit test binary built at -O1 -g in
#             build/quality-valgrind: 0 errors, 0 bytes definitely or
#             indirectly lost
#   mutation  tools/mutate.sh: each security check named in tools/mutations.txt
#             is removed or flipped in turn and the unit suite must fail
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${QUALITY_JOBS:-2}
work="$root/build/quality"
mkdir -p "$work"

gates=("$@")
[ ${#gates[@]} -eq 0 ] && gates=(compile tidy cppcheck valgrind mutation)
for g in "${gates[@]}"; do
  case $g in compile | tidy | cppcheck | valgrind | mutation) ;; *) echo "unknown gate '$g'" >&2; exit 2 ;; esac
done

have_fmt=0
printf '#include <fmt/format.h>\n' | c++ -std=c++17 -fsyntax-only -x c++ - 2>/dev/null && have_fmt=1
if [ $have_fmt = 0 ] && [ "${CI:-}" = true ]; then
  echo "quality.sh: {fmt} not found (libfmt-dev); with CI=true buffer_oauth_fmt.hpp may not go unchecked" >&2
  exit 1
fi
headers=(buffer_oauth.hpp)
[ $have_fmt = 1 ] && headers+=(buffer_oauth_fmt.hpp)
warnings=(-Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror)

passed=0
failed=0
verdict=""
# gate NAME FUNCTION: the function sets $verdict (one line) and returns the
# gate's status; its detailed output goes to build/quality/NAME.log and is
# shown only when it fails.
gate() {
  local name=$1 fn=$2
  local log="$work/$name.log" start=$SECONDS
  verdict=""
  if "$fn" >"$log" 2>&1; then
    passed=$((passed + 1))
    printf 'PASS  %-9s %4d s  %s\n' "$name" $((SECONDS - start)) "$verdict"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-9s %4d s  %s\n' "$name" $((SECONDS - start)) "$verdict"
    grep -v '^ *#[0-9]' "$log" | tail -n 60 | sed 's/^/      | /'
    echo "      (full log: ${log#"$root"/})"
  fi
}
# Gate functions run in this shell (a redirection does not fork), so they
# can set the verdict directly.
say() { verdict="$*"; }

# ---------------------------------------------------------------------------
# compile: one TU per header (included twice: the guard must hold).
compile_one() {  # compiler std mode header
  local cxx=$1 std=$2 mode=$3 header=$4
  local tu="$work/tu_${header%.hpp}.cpp"
  local flags=()
  [ "$mode" = noexcept ] && flags=(-fno-exceptions -fno-rtti)
  if "$cxx" "-std=$std" "${flags[@]}" "${warnings[@]}" -I"$root/include" -fsyntax-only "$tu" \
    >"$work/compile.$cxx.$std.$mode.$header.log" 2>&1; then
    echo "ok   $cxx -std=$std $mode $header"
  else
    echo "FAIL $cxx -std=$std $mode $header"
    cat "$work/compile.$cxx.$std.$mode.$header.log"
    return 1
  fi
}
export -f compile_one
export work root
export warnings_list="${warnings[*]}"

run_compile() {
  local h
  for h in "${headers[@]}"; do
    printf '#include <%s>\n#include <%s>\n' "$h" "$h" >"$work/tu_${h%.hpp}.cpp"
  done
  local combos=() cxx std mode
  for cxx in g++ clang++; do
    command -v "$cxx" >/dev/null || { say "$cxx not found"; return 1; }
    local stds=(c++17 c++20 c++23)
    [ "$cxx" = clang++ ] && ! "$cxx" -std=c++23 -x c++ -fsyntax-only /dev/null 2>/dev/null && stds=(c++17 c++20 c++2b)
    for std in "${stds[@]}"; do
      for mode in default noexcept; do
        for h in "${headers[@]}"; do combos+=("$cxx $std $mode $h"); done
      done
    done
  done
  local out status
  out=$(printf '%s\n' "${combos[@]}" |
    xargs -P "$jobs" -L1 bash -c 'warnings=($warnings_list); compile_one "$@"' _)
  status=$?
  echo "$out"
  local ok
  ok=$(grep -c '^ok' <<<"$out")
  local note=""
  [ $have_fmt = 0 ] && note=" (fmt not installed: buffer_oauth_fmt.hpp skipped)"
  say "$ok/${#combos[@]} clean: g++, clang++ x C++17/20/23 x default, -fno-exceptions -fno-rtti x ${headers[*]}$note"
  [ $status -eq 0 ] && [ "$ok" -eq ${#combos[@]} ]
}

# ---------------------------------------------------------------------------
# Unit-test sources: what the unit-test targets compile (tests/*.cpp and
# tests/fmt/*.cpp), as listed in a compile database.
unit_test_files() {  # build dir
  grep -o '"file": *"[^"]*"' "$1/compile_commands.json" | sed 's/.*"\([^"]*\)"$/\1/' |
    grep -E "^$root/tests/([^/]+|fmt/[^/]+)\.cpp$" | sort -u
}

configure_tests() {  # build dir, extra cmake args...
  local dir=$1
  shift
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DBUFFER_OAUTH_BUILD_TESTS=ON \
    -DBUFFER_OAUTH_BUILD_EXAMPLES=OFF -DBUFFER_OAUTH_BUILD_FUZZERS=OFF -DBUFFER_OAUTH_BUILD_BENCH=OFF "$@"
}

# clang-tidy may crash (SIGSEGV) when a file changes under it; retry those.
tidy_one() {  # file [-- compiler args]
  local file=$1 attempt rc
  shift
  local log="$work/tidy.$(basename "$file").log"
  for attempt in 1 2 3; do
    clang-tidy --quiet -p "$root/build/quality-tidy" "$file" "$@" >"$log" 2>&1
    rc=$?
    [ $rc -lt 128 ] && break
    echo "clang-tidy crashed on $file (attempt $attempt)" >>"$work/tidy.crashes"
  done
  if [ $rc -eq 0 ] && ! grep -qE '(warning|error):' "$log"; then
    echo "ok   ${file#"$root"/}"
  else
    echo "FAIL ${file#"$root"/}"
    grep -v '^ *#[0-9]' "$log" | grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$'
    return 1
  fi
}
export -f tidy_one

run_tidy() {
  command -v clang-tidy >/dev/null || { say "clang-tidy not found"; return 1; }
  configure_tests "$root/build/quality-tidy" -DCMAKE_CXX_COMPILER=clang++ >/dev/null || {
    say "cmake configure failed"
    return 1
  }
  local tu="$work/tidy_headers.cpp"
  printf '#include <buffer_oauth.hpp>\n' >"$tu"
  [ $have_fmt = 1 ] && printf '#include <buffer_oauth_fmt.hpp>\n' >>"$tu"
  rm -f "$work/tidy.crashes"
  local files
  mapfile -t files < <(unit_test_files "$root/build/quality-tidy")
  local out status=0
  out=$(tidy_one "$tu" -- -std=c++17 "-I$root/include" -Wall -Wextra -Wpedantic -Wconversion -Wshadow) || status=1
  echo "$out"
  out=$(printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} bash -c 'tidy_one "$1"' _ {}) || status=1
  echo "$out"
  local checks
  checks=$(clang-tidy --list-checks "$tu" -- -std=c++17 "-I$root/include" 2>/dev/null | grep -c '^    ')
  local crashes=""
  [ -f "$work/tidy.crashes" ] && crashes=", $(wc -l <"$work/tidy.crashes") crash(es) retried"
  if [ $status -eq 0 ]; then
    say "0 findings, $checks checks: headers TU + ${#files[@]} unit-test files$crashes"
  else
    say "findings (errors) in: $(grep '^FAIL' <<<"$out" | cut -c6- | tr '\n' ' ')$crashes"
  fi
  return $status
}

# ---------------------------------------------------------------------------
run_cppcheck() {
  command -v cppcheck >/dev/null || { say "cppcheck not found"; return 1; }
  local cc=(cppcheck --enable=warning,performance,portability --error-exitcode=1 --inline-suppr
    --std=c++17 --language=c++ --quiet -j "$jobs" -I"$root/include"
    "--template={file}:{line}:{column}: {severity}: {message} [{id}]")
  mkdir -p "$work/cppcheck-headers" "$work/cppcheck-tests"
  local tu="$work/cppcheck_headers.cpp"
  printf '#include <buffer_oauth.hpp>\n#include <buffer_oauth_fmt.hpp>\n' >"$tu"
  local status=0
  # The headers: every platform branch (Linux, BSD/macOS, Windows).
  "${cc[@]}" --cppcheck-build-dir="$work/cppcheck-headers" "$tu" || status=1
  # The tests: as they are built here.
  local files=("$root"/tests/*.cpp "$root"/tests/fmt/*.cpp)
  "${cc[@]}" --cppcheck-build-dir="$work/cppcheck-tests" -D__linux__ -D__GNUC__ \
    --include="$root/tools/cppcheck/doctest-model.h" "${files[@]}" || status=1
  if [ $status -eq 0 ]; then
    say "0 findings (warning,performance,portability): both headers, every platform branch + ${#files[@]} test files"
  else
    say "findings: $(grep -cE '^[^ ]+:[0-9]+:[0-9]+: ' "$work/cppcheck.log" 2>/dev/null || echo some)"
  fi
  return $status
}

# ---------------------------------------------------------------------------
valgrind_one() {  # binary
  local bin=$1 log
  log="$work/valgrind.$(basename "$bin").log"
  if valgrind --tool=memcheck --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect "$bin" >"$log" 2>&1; then
    echo "ok   $(basename "$bin"): $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$log")"
  else
    echo "FAIL $(basename "$bin")"
    grep -E '^==[0-9]+== ' "$log" | head -n 80
    return 1
  fi
}
export -f valgrind_one

run_valgrind() {
  command -v valgrind >/dev/null || { say "valgrind not found"; return 1; }
  local dir="$root/build/quality-valgrind"
  configure_tests "$dir" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=None "-DCMAKE_CXX_FLAGS=-O1 -g" >/dev/null || {
    say "cmake configure failed"
    return 1
  }
  local wanted=(unit_tests unit_tests_noexcept crypto_vs_openssl fmt_tests) targets=() t
  local known
  known=$(ninja -C "$dir" -t targets all 2>/dev/null)
  for t in "${wanted[@]}"; do
    grep -qE "(^|/)$t: " <<<"$known" && targets+=("$t")
  done
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}" || { say "build failed"; return 1; }
  local bins=()
  for t in "${targets[@]}"; do bins+=("$(find "$dir/tests" -type f -name "$t" -perm -u+x | head -n 1)"); done
  local out status=0
  out=$(printf '%s\n' "${bins[@]}" | xargs -P "$jobs" -I{} bash -c 'valgrind_one "$1"' _ {}) || status=1
  echo "$out"
  if [ $status -eq 0 ]; then
    say "${#bins[@]} binaries (${targets[*]}): 0 errors, 0 bytes definitely/indirectly lost"
  else
    say "errors or leaks in: $(grep '^FAIL' <<<"$out" | cut -c6- | tr '\n' ' ')"
  fi
  return $status
}

# ---------------------------------------------------------------------------
run_mutation() {
  local out status
  out=$(MUTATE_JOBS=$jobs "$root/tools/mutate.sh" 2>&1)
  status=$?
  echo "$out"
  say "$(grep -E '^(mutants:|survived:|errors:|FAIL:)' <<<"$out" | tr '\n' ' ')"
  return $status
}

# ---------------------------------------------------------------------------
for g in "${gates[@]}"; do
  case $g in
    compile) gate compile run_compile ;;
    tidy) gate tidy run_tidy ;;
    cppcheck) gate cppcheck run_cppcheck ;;
    valgrind) gate valgrind run_valgrind ;;
    mutation) gate mutation run_mutation ;;
  esac
done
echo "quality gates: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
