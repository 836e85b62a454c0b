#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++ (ASan + UBSan,
# -fno-sanitize-recover=all) in build/fuzz-libfuzzer and fuzzes every target
# for SECONDS each, one target at a time, on a temporary copy of its corpus.
#
# Usage: fuzz/run.sh [--merge] [--runs N] SECONDS [TARGET...]
#   SECONDS   time budget per target (-max_total_time)
#   TARGET    form redirect attach json token_response api_response metadata registration flow credentials (default: all)
#   --merge   afterwards, add the inputs that reached new coverage to
#             fuzz/corpus/<target>/ (libFuzzer -merge=1); without it the
#             committed corpus is never touched
#   --runs N  also stop a target after N executions (-runs=N)
# Environment: FUZZ_CXX (default clang++-14, else clang++), FUZZ_BUILD_JOBS
# (default 2).
#
# Prints, per target: executions, exec/s, cov and ft (libFuzzer's final
# figures), corpus size and crashes. Exit status: 0 when no target crashed,
# 1 when one did (the artifact paths are printed), 2 on a usage or build error.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
root=$PWD
all_targets=(form redirect attach json token_response api_response metadata registration flow credentials)

merge=0
runs=""
args=()
while (($#)); do
  case $1 in
    --merge) merge=1 ;;
    --runs) runs=${2:-}; shift ;;
    --runs=*) runs=${1#--runs=} ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) args+=("$1") ;;
  esac
  shift
done
if ((${#args[@]} < 1)) || ! [[ ${args[0]} =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh [--merge] [--runs N] SECONDS [TARGET...]" >&2
  exit 2
fi
if [[ -n $runs && ! $runs =~ ^[0-9]+$ ]]; then
  echo "run.sh: --runs needs a number" >&2
  exit 2
fi
seconds=${args[0]}
targets=("${args[@]:1}")
((${#targets[@]})) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "run.sh: unknown target $t" >&2; exit 2; }
done

cxx=${FUZZ_CXX:-}
if [[ -z $cxx ]]; then
  if command -v clang++-14 >/dev/null; then cxx=clang++-14; else cxx=clang++; fi
fi
command -v "$cxx" >/dev/null || { echo "run.sh: $cxx not found (install clang-14 and libclang-rt-14-dev)" >&2; exit 2; }

build=build/fuzz-libfuzzer
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
echo "== building libFuzzer targets in $build with $cxx"
if ! cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS=$sanitize" -DBUFFER_OAUTH_LIBFUZZER=ON -DBUFFER_OAUTH_BUILD_FUZZERS=ON \
    -DBUFFER_OAUTH_BUILD_TESTS=OFF -DBUFFER_OAUTH_BUILD_EXAMPLES=OFF -DBUFFER_OAUTH_BUILD_BENCH=OFF \
    -DBUFFER_OAUTH_INSTALL=OFF >"$build.configure.log" 2>&1; then
  cat "$build.configure.log" >&2
  echo "run.sh: cmake configure failed" >&2
  exit 2
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
if ! cmake --build "$build" -j "${FUZZ_BUILD_JOBS:-2}" --target "${build_targets[@]}"; then
  echo "run.sh: build failed" >&2
  exit 2
fi

option() {  # option FILE KEY: a value from a libFuzzer .options file
  sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*\\(.*[^[:space:]]\\)[[:space:]]*\$/\\1/p" "$1" | head -n 1
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$build/logs"
rows=()
crashed=0
crash_files=()
for t in "${targets[@]}"; do
  bin=$build/fuzz/fuzz_$t
  [[ -x $bin ]] || { echo "run.sh: $bin was not built (missing Boost.URL or nlohmann_json?)" >&2; exit 2; }
  opts=fuzz/$t.options
  dict=$(option "$opts" dict)
  max_len=$(option "$opts" max_len)
  work=$(mktemp -d "${TMPDIR:-/tmp}/buffer-oauth-fuzz-$t.XXXXXX")
  mkdir -p "$work/corpus"
  cp fuzz/corpus/"$t"/* "$work/corpus/" 2>/dev/null
  artifacts=$root/$build/artifacts/$t
  rm -rf "$artifacts"
  mkdir -p "$artifacts"
  log=$build/logs/$t.log
  flags=(-max_total_time="$seconds" -print_final_stats=1 -timeout=25 -rss_limit_mb=2560
         -artifact_prefix="$artifacts/")
  [[ -n $dict ]] && flags+=(-dict="fuzz/$dict")
  [[ -n $max_len ]] && flags+=(-max_len="$max_len")
  [[ -n $runs ]] && flags+=(-runs="$runs")
  echo "== fuzzing $t for ${seconds}s${runs:+ (at most $runs runs)}: $bin ${flags[*]} <corpus> fuzz/regressions/$t"
  "$bin" "${flags[@]}" "$work/corpus" "fuzz/regressions/$t" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(find "$work/corpus" -type f | wc -l)
  found=()
  while IFS= read -r f; do found+=("$f"); done < <(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  crashes=${#found[@]}
  if ((rc != 0 && crashes == 0)); then crashes=1; found+=("(no artifact; exit status $rc, see $log)"); fi
  if ((crashes)); then
    crashed=1
    crash_files+=("${found[@]/#/$t: }")
    echo "   $t CRASHED, log: $log"
    grep -E 'ERROR: |property violated|runtime error|Test unit written' "$log" | head -n 5 | sed 's/^/   /'
  fi
  rows+=("$(printf '%-15s %12s %8s %6s %7s %7s %7s' "$t" "${execs:--}" "${speed:--}" "${cov:--}" "${ft:--}" \
    "$corpus" "$crashes")")
  if ((merge)); then
    echo "== merging new coverage of $t into fuzz/corpus/$t"
    if ! "$bin" -merge=1 ${max_len:+-max_len="$max_len"} "fuzz/corpus/$t" "$work/corpus" >>"$log" 2>&1; then
      echo "   merge of $t failed, see $log" >&2
      crashed=1
    fi
  fi
  rm -rf "$work"
done

echo
printf '%-15s %12s %8s %6s %7s %7s %7s\n' target execs exec/s cov ft corpus crashes
for r in "${rows[@]}"; do echo "$r"; done
if ((crashed)); then
  echo
  echo "crash artifacts (reproduce: build/fuzz-libfuzzer/fuzz/fuzz_<target> <file>; keep it in fuzz/regressions/<target>/):"
  for f in "${crash_files[@]}"; do echo "  $f"; done
  exit 1
fi
exit 0
