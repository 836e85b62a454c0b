#!/usr/bin/env bash
# Runs a test runner (ctest or meson test), shows its output, and fails unless
# every test it knows of ran and passed: a run that found no test, skipped one
# (exit code 77, SKIP_RETURN_CODE) or did not run one (DISABLED, executable
# missing) fails, although both runners exit 0 for most of these.
#
#   tools/every-test-ran.sh ctest --test-dir build/gcc -j 2
#   tools/every-test-ran.sh meson test -C build/meson
set -uo pipefail
if [ $# -eq 0 ]; then
  echo "usage: tools/every-test-ran.sh TEST_RUNNER [ARGS...]" >&2
  exit 2
fi
log=$(mktemp "${TMPDIR:-/tmp}/every-test-ran.XXXXXX")
trap 'rm -f "$log"' EXIT

"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# ctest lists skipped and disabled tests under "The following tests did not
# run:" and failed "Not Run" ones under "FAILED"; meson counts "Skipped:".
if grep -Eq '^No tests were found|^No (suitable )?tests defined' "$log"; then
  echo "every-test-ran.sh: no test ran" >&2
  exit 1
fi
if grep -Eq '^The following tests did not run:|\*\*\*Not Run|\*\*\*Skipped|^Skipped: *[1-9]' "$log"; then
  echo "every-test-ran.sh: a test was skipped or not run (listed above)" >&2
  exit 1
fi
exit "$rc"
