# Sourced by scripts that run a list of checks and print one verdict line per
# check (tests/package/run.sh, tests/ci_guards.sh). Set check_logs to a
# directory first.
#
#   check NAME COMMAND...   runs COMMAND with its output in a log under
#                           $check_logs; prints PASS or FAIL, NAME and the
#                           seconds taken, on failure also the end of the log;
#                           counts in checks_passed and checks_failed
checks_passed=0
checks_failed=0
check() {
  local name=$1
  shift
  local log start=$SECONDS
  log="$check_logs/log.$(echo "$name" | tr -c 'A-Za-z0-9\n' '_')"
  if "$@" >"$log" 2>&1; then
    checks_passed=$((checks_passed + 1))
    printf 'PASS  %-64s %3d s\n' "$name" $((SECONDS - start))
  else
    checks_failed=$((checks_failed + 1))
    printf 'FAIL  %-64s %3d s\n' "$name" $((SECONDS - start))
    tail -n 30 "$log" | sed 's/^/      | /'
    return 1
  fi
}
