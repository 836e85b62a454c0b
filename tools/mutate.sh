#!/usr/bin/env bash
# Mutation check of the security checks: each entry of tools/mutations.txt
# removes or flips one check in a copy of include/, and the unit suite
# (BUFFER_OAUTH_UNIT_TESTS in tests/CMakeLists.txt) must then fail. Prints
# one line per mutant: killed (with the first failing check) or survived, and
# seconds. Exit status 0 only if every mutant is killed; 1 if one survives or
# does not compile, or if an entry's original text is not found exactly once.
#
#   tools/mutate.sh                  every mutant
#   tools/mutate.sh NAME...          only these
#   MUTATE_JOBS=4 tools/mutate.sh    mutants built and run at once (default 2)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
list=$root/tools/mutations.txt
jobs=${MUTATE_JOBS:-2}
work=$root/build/mutation
cxx=(g++ -std=c++17 -O0)
test_timeout=120

now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
seconds_since() {  # start (from now_us)
  local us=$(($(now_us) - $1))
  printf '%d.%d' $((us / 1000000)) $((us / 100000 % 10))
}
# Waits until fewer than $jobs background jobs of this shell are running.
wait_for_slot() {
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
}

# ---------------------------------------------------------------------------
# The list: entry i is names[i], files[i], froms[i], tos[i].
names=() files=() froms=() tos=() has_from=() has_to=()
parse_list() {
  local line key value n=-1 lineno=0
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    case $line in
      '' | '#'*) continue ;;
      '['*']')
        n=$((n + 1))
        names[n]=${line:1:${#line}-2}
        files[n]="" froms[n]="" tos[n]="" has_from[n]=0 has_to[n]=0
        continue
        ;;
    esac
    if [ $n -lt 0 ] || [[ $line != *:* ]]; then
      echo "${list#"$root"/}:$lineno: expected '[name]' or 'key: text'" >&2
      return 1
    fi
    key=${line%%:*}
    value=${line#*:}
    value=${value# }
    case $key in
      file) files[n]=$value ;;
      from)
        [ "${has_from[n]}" = 1 ] && froms[n]+=$'\n'
        froms[n]+=$value
        has_from[n]=1
        ;;
      to)
        [ "${has_to[n]}" = 1 ] && tos[n]+=$'\n'
        tos[n]+=$value
        has_to[n]=1
        ;;
      *)
        echo "${list#"$root"/}:$lineno: unknown key '$key'" >&2
        return 1
        ;;
    esac
  done <"$list"
}

# Prints how often the original text of entry i occurs in `content`.
count_original() {  # i, content
  local rest=${2//"${froms[$1]}"/}
  echo $(((${#2} - ${#rest}) / ${#froms[$1]}))
}

# Every entry complete, its name unique, its original text found exactly once.
check_list() {
  local i j bad=0 content count
  for i in "${!names[@]}"; do
    local what="mutant '${names[i]}'"
    [[ ${names[i]} =~ ^[a-z0-9_]+$ ]] || { echo "$what: a name is lowercase letters, digits and '_'"; bad=1; }
    for ((j = 0; j < i; j++)); do
      [ "${names[j]}" = "${names[i]}" ] && { echo "$what: listed twice"; bad=1; }
    done
    if [[ ${files[i]} != include/* ]] || [ ! -f "$root/${files[i]}" ]; then
      echo "$what: '${files[i]}' is not a file under include/"
      bad=1
      continue
    fi
    if [ "${has_from[i]}" != 1 ] || [ -z "${froms[i]}" ] || [ "${has_to[i]}" != 1 ] ||
      [ "${froms[i]}" = "${tos[i]}" ]; then
      echo "$what: needs a non-empty from: and a different to:"
      bad=1
      continue
    fi
    content=$(cat "$root/${files[i]}" && printf x)
    count=$(count_original "$i" "$content")
    if [ "$count" -ne 1 ]; then
      echo "$what: its original text occurs $count times in ${files[i]}, not once:"
      printf '%s\n' "${froms[i]}" | sed 's/^/    /'
      bad=1
    fi
  done
  return $bad
}

# Writes the mutated copy of entry i's file under `dir` (a copy of the tree's include/).
apply_mutation() {  # i, dir
  local path=$2/${files[$1]} content
  content=$(cat "$path" && printf x)
  content=${content%x}
  printf '%s' "${content/"${froms[$1]}"/"${tos[$1]}"}" >"$path"
}

parse_list || exit 1
selected=()
if [ $# -eq 0 ]; then
  selected=("${!names[@]}")
else
  for want in "$@"; do
    found=""
    for i in "${!names[@]}"; do [ "${names[i]}" = "$want" ] && found=$i; done
    [ -n "$found" ] || { echo "no mutant named '$want' in ${list#"$root"/}" >&2; exit 2; }
    selected+=("$found")
  done
fi
check_list || { echo "FAIL: ${list#"$root"/} does not match the tree; nothing was run"; exit 1; }

# ---------------------------------------------------------------------------
# Building and running the suite.
mapfile -t sources < <(sed -n '/^set(BUFFER_OAUTH_UNIT_TESTS/,/)/p' "$root/tests/CMakeLists.txt" |
  grep -oE '[A-Za-z0-9_]+\.cpp' | sed "s|^|$root/tests/|")
[ ${#sources[@]} -gt 0 ] || { echo "no unit-test sources in tests/CMakeLists.txt" >&2; exit 1; }

# Sets killed_by to the first failing check, or to why the suite stopped.
run_suite() {  # binary, log
  timeout "$test_timeout" "$1" --abort-after=1 >"$2" 2>&1
  local rc=$?
  killed_by=""
  [ $rc -eq 0 ] && return 0
  if [ $rc -eq 124 ]; then
    killed_by="timed out after $test_timeout s"
  else
    killed_by=$(grep -m1 -oE '^[^ ]+:[0-9]+: (ERROR|FATAL)' "$2" | sed -e 's/: [A-Z]*$//' -e "s|^$root/||")
    [ -n "$killed_by" ] || killed_by=$(grep -m1 -oE 'CRASHED: [A-Z]+' "$2")
    [ -n "$killed_by" ] || killed_by="exit status $rc"
  fi
  return 1
}

# The unit-test objects built in `object dir`, one per source.
test_objects() {  # object dir
  local src
  for src in "${sources[@]}"; do echo "$1/$(basename "${src%.cpp}").o"; done
}

# Compiles the unit-test sources against `include dir`, $jobs at a time.
compile_tests() {  # include dir, object dir
  local src obj
  mkdir -p "$2"
  for src in "${sources[@]}"; do
    wait_for_slot
    "${cxx[@]}" -I"$1" -c "$src" -o "$2/$(basename "${src%.cpp}").o" &
  done
  wait
  while read -r obj; do [ -f "$obj" ] || return 1; done < <(test_objects "$2")
}

# At -O0 each object that uses an inline function of the header carries a
# weak copy of it, and the linker keeps the first copy it meets. So a mutant
# is one object, all of the header's inline functions built from the mutated
# copy (-fkeep-inline-functions), linked ahead of the unchanged test objects.
# A mutant that survives is built again from the test sources to be sure.
header_tu=$work/header.cpp
build_header_object() {  # include dir, object
  "${cxx[@]}" -fkeep-inline-functions -I"$1" -c "$header_tu" -o "$2"
}

link_suite() {  # output, objects...
  local out=$1
  shift
  "${cxx[@]}" "$@" -o "$out"
}

# ---------------------------------------------------------------------------
# The unmutated suite, linked the way the mutants are, must pass.
base=$work/base
rm -rf "$work"
mkdir -p "$base" "$work/mutants"
printf '#include <buffer_oauth.hpp>\n' >"$header_tu"
start=$(now_us)
"${cxx[@]}" -c "$root/tests/main.cpp" -o "$base/main.o" 2>"$base/main.log" &
if ! compile_tests "$root/include" "$base/objects" 2>"$base/build.log" || [ ! -f "$base/main.o" ] ||
  ! build_header_object "$root/include" "$base/header.o" 2>>"$base/build.log"; then
  echo "FAIL: the unmutated suite does not build:"
  cat "$base/main.log" "$base/build.log"
  exit 1
fi
mapfile -t base_objects < <(test_objects "$base/objects")
link_suite "$base/unit_tests" "$base/header.o" "$base/main.o" "${base_objects[@]}" || exit 1
run_suite "$base/unit_tests" "$base/run.log" ||
  { echo "FAIL: the unmutated suite fails ($killed_by); see ${base#"$root"/}/run.log"; exit 1; }
echo "unmutated suite: ${#sources[@]} test sources built and passing ($(seconds_since "$start") s)"

# ---------------------------------------------------------------------------
# One mutant: writes its verdict (killed, survived or error) and prints its line.
run_mutant() {  # i
  local i=$1 name=${names[$1]} dir=$work/mutants/${names[$1]} t0 verdict detail
  t0=$(now_us)
  mkdir -p "$dir"
  cp -r "$root/include" "$dir/include"
  apply_mutation "$i" "$dir"
  if ! build_header_object "$dir/include" "$dir/header.o" >"$dir/build.log" 2>&1 ||
    ! link_suite "$dir/unit_tests" "$dir/header.o" "$base/main.o" "${base_objects[@]}" >>"$dir/build.log" 2>&1; then
    verdict=error detail="does not build: ${dir#"$root"/}/build.log"
  elif ! run_suite "$dir/unit_tests" "$dir/run.log"; then
    verdict=killed detail=$killed_by
  else
    local objects
    if ! compile_tests "$dir/include" "$dir/objects" >>"$dir/build.log" 2>&1 ||
      ! mapfile -t objects < <(test_objects "$dir/objects") ||
      ! link_suite "$dir/unit_tests" "$base/main.o" "${objects[@]}" >>"$dir/build.log" 2>&1; then
      verdict=error detail="test sources do not build: ${dir#"$root"/}/build.log"
    elif ! run_suite "$dir/unit_tests" "$dir/run.log"; then
      verdict=killed detail="$killed_by (test sources rebuilt)"
    else
      verdict=survived detail="no unit test fails"
    fi
  fi
  rm -rf "$dir/unit_tests" "$dir/header.o" "$dir/objects"
  echo "$verdict" >"$dir/verdict"
  printf '%-8s  %-38s %5s s  %s\n' "$verdict" "$name" "$(seconds_since "$t0")" "$detail"
}

for i in "${selected[@]}"; do
  wait_for_slot
  run_mutant "$i" &
done
wait

killed=0 survived=() errors=()
for i in "${selected[@]}"; do
  case $(cat "$work/mutants/${names[i]}/verdict" 2>/dev/null) in
    killed) killed=$((killed + 1)) ;;
    survived) survived+=("${names[i]}") ;;
    *) errors+=("${names[i]}") ;;
  esac
done
echo "mutants: ${#selected[@]}, killed ${killed}, survived ${#survived[@]}, errors ${#errors[@]}" \
  "($(seconds_since "$start") s)"
[ ${#survived[@]} -eq 0 ] || echo "survived: ${survived[*]}"
[ ${#errors[@]} -eq 0 ] || echo "errors: ${errors[*]}"
[ ${#survived[@]} -eq 0 ] && [ ${#errors[@]} -eq 0 ]
