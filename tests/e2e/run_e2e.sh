#!/usr/bin/env bash
# Runs one end-to-end suite: makes TLS certificates, starts the server the
# suite needs on 127.0.0.1 (a free port), runs the C++ test binary against it
# and always stops the server again, also when a test fails or the run is
# interrupted.
#
#   run_e2e.sh buffer_peer   TEST_BINARY   oauthlib Buffer peer (/usr/bin/python3)
#   run_e2e.sh oidc_provider TEST_BINARY   oidc-provider 8.8.1 from npm (node)
#   run_e2e.sh buffer_current TEST_BINARY  the same, configured like auth.buffer.com,
#                                          with a GraphQL endpoint like api.buffer.com
#   run_e2e.sh token_lifecycle TEST_BINARY the Buffer stand-in with access tokens of 2 s
#   run_e2e.sh readme_examples TEST_BINARY the Buffer stand-in, for README.md's programs
#   run_e2e.sh tls_refusals  TEST_BINARY   no external server
#
# Exit status: the test binary's, or 1 when its filters selected no test
# case; 77 when the suite cannot run here (npm registry unreachable, node or
# oauthlib missing), with the reason printed.
# Environment: E2E_NODE_DIR caches the oidc-provider install (default: a
# temporary folder, removed afterwards); E2E_BUFFER_CODE_TTL (seconds, 2) and
# E2E_OIDC_CODE_TTL (whole seconds, 3: oidc-provider rounds down, so a code
# may expire up to 1 s early) shorten code lifetimes; E2E_STAND_IN_ACCESS_TTL
# (seconds, 3) is the access token lifetime of the Buffer stand-in; extra
# arguments after TEST_BINARY go to doctest.
set -euo pipefail

suite=${1:?usage: run_e2e.sh buffer_peer|oidc_provider|buffer_current|token_lifecycle|readme_examples|tls_refusals TEST_BINARY [doctest args]}
binary=${2:?usage: run_e2e.sh SUITE TEST_BINARY [doctest args]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
oidc_version=8.8.1
skip=77

work=$(mktemp -d "${TMPDIR:-/tmp}/buffer-oauth-e2e.XXXXXX")
server_pid=""
child_pid=""
launch_dir=""
server_log="$work/server.log"

# Every background job gets a process group of its own (job control), so
# that stopping it stops everything it started (npm, timeout, subshells).
set -m

# Long steps run in the background and are waited for, so that an interrupt
# is handled at once (bash runs traps only between foreground commands).
run_child() {
  "$@" &
  child_pid=$!
  local rc=0
  wait "$child_pid" || rc=$?
  child_pid=""
  return "$rc"
}

# Stops the process group led by $1 (a job started by this script).
stop_group() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_server() {
  stop_group "$server_pid"
  server_pid=""
}
cleanup() {
  local rc=$?
  stop_group "$child_pid"
  stop_server
  rm -rf "$work"
  [ -z "$launch_dir" ] || rm -rf "$launch_dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

skip_suite() {
  echo "SKIPPED: e2e suite $suite: $*"
  exit "$skip"
}

# --- certificates: one the clients trust, one they must refuse -------------
make_cert() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$1-key.pem" -out "$1.pem" 2>"$work/openssl.log" || {
    cat "$work/openssl.log" >&2
    echo "run_e2e.sh: openssl could not make a certificate" >&2
    exit 1
  }
}
command -v openssl >/dev/null || skip_suite "the openssl command is not installed"
make_cert "$work/trusted"
make_cert "$work/untrusted"

export E2E_WORK_DIR="$work"
# `buffer-oauth login` saves its token in the default credentials file
# unless told another: here, never in the user's own.
export XDG_CONFIG_HOME="$work/config"
export E2E_CA_CERT="$work/trusted.pem"
export E2E_CERT_KEY="$work/trusted-key.pem"
export E2E_UNTRUSTED_CERT="$work/untrusted.pem"
export E2E_UNTRUSTED_KEY="$work/untrusted-key.pem"
export E2E_CLIENT_ID="buffer-oauth-e2e"
E2E_CLIENT_SECRET="$(openssl rand -hex 24)"
export E2E_CLIENT_SECRET
# Registered but never served: the tests read the Location header instead.
# The path is buffer-oauth login's, whose port the native public client may
# change (RFC 8252 §7.3).
export E2E_REDIRECT_URI="http://127.0.0.1:$((20000 + RANDOM % 30000))/callback"
export E2E_BUFFER_CODE_TTL="${E2E_BUFFER_CODE_TTL:-2}"
export E2E_OIDC_CODE_TTL="${E2E_OIDC_CODE_TTL:-3}"
export E2E_STAND_IN_ACCESS_TTL="${E2E_STAND_IN_ACCESS_TTL:-3}"

# Waits for the server to write its port; fails if it dies first.
wait_for_port() {
  local file=$1
  for _ in $(seq 300); do
    if [ -s "$file" ]; then
      cat "$file"
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "run_e2e.sh: the $suite server exited before listening:" >&2
      cat "$server_log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "run_e2e.sh: the $suite server did not listen within 30 s:" >&2
  cat "$server_log" >&2
  return 1
}

# --- oidc-provider from npm ----------------------------------------------
install_oidc_provider() {
  local dir=$1
  mkdir -p "$dir"
  (
    # One install at a time per folder (ctest -j, parallel build trees).
    flock 9
    installed=$(node -p "require('$dir/node_modules/oidc-provider/package.json').version" 2>/dev/null || true)
    if [ "$installed" = "$oidc_version" ]; then
      exit 0
    fi
    if ! timeout 60 npm ping --fetch-retries=1 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=5000 \
      --fetch-timeout=20000 >"$work/npm-ping.log" 2>&1; then
      why=$(grep -m 1 -i 'error.*\(reason\|code\)' "$work/npm-ping.log" || echo "no answer within 60 s")
      echo "npm registry unreachable ($(npm config get registry)): $why" >"$work/skip-reason"
      exit "$skip"
    fi
    # A package.json of its own so npm never walks up into another project;
    # no lockfile is written or kept.
    [ -f "$dir/package.json" ] || echo '{"name":"buffer-oauth-e2e-node","private":true}' >"$dir/package.json"
    cd "$dir"
    timeout 300 npm install --no-save --no-package-lock --no-audit --no-fund \
      "oidc-provider@$oidc_version" >"$work/npm-install.log" 2>&1 || {
      cat "$work/npm-install.log" >&2
      echo "run_e2e.sh: npm install oidc-provider@$oidc_version failed although the registry answers" >&2
      exit 1
    }
  ) 9>"$dir/.install.lock"
}

case "$suite" in
  buffer_peer)
    /usr/bin/python3 -c 'import oauthlib' 2>/dev/null ||
      skip_suite "/usr/bin/python3 cannot import oauthlib (Debian package python3-oauthlib)"
    /usr/bin/python3 "$here/buffer_peer.py" --cert "$E2E_CA_CERT" --key "$E2E_CERT_KEY" \
      --port-file "$work/buffer.port" --client-id "$E2E_CLIENT_ID" --client-secret "$E2E_CLIENT_SECRET" \
      --redirect-uri "$E2E_REDIRECT_URI" --code-ttl "$E2E_BUFFER_CODE_TTL" --max-life 300 \
      >"$server_log" 2>&1 &
    server_pid=$!
    E2E_BUFFER_PORT=$(wait_for_port "$work/buffer.port")
    export E2E_BUFFER_PORT
    echo "buffer peer (oauthlib) on https://127.0.0.1:$E2E_BUFFER_PORT, code TTL ${E2E_BUFFER_CODE_TTL} s"
    ;;
  oidc_provider | buffer_current | token_lifecycle | readme_examples)
    command -v node >/dev/null || skip_suite "node is not installed"
    command -v npm >/dev/null || skip_suite "npm is not installed"
    node_dir=${E2E_NODE_DIR:-$work/node}
    rc=0
    run_child install_oidc_provider "$node_dir" || rc=$?
    if [ "$rc" -eq "$skip" ]; then skip_suite "$(cat "$work/skip-reason")"; fi
    [ "$rc" -eq 0 ] || exit "$rc"
    # A folder of this run's own below the install, where node finds
    # oidc-provider, so that parallel runs never read a file another copies.
    launch_dir=$(mktemp -d "$node_dir/launch.XXXXXX")
    cp "$here/launcher_common.mjs" "$here/oidc_launcher.mjs" "$here/buffer_stand_in.mjs" "$launch_dir/"
    ;;&
  oidc_provider)
    OIDC_CERT="$E2E_CA_CERT" OIDC_KEY="$E2E_CERT_KEY" OIDC_PORT_FILE="$work/oidc.port" \
      OIDC_CLIENT_ID="$E2E_CLIENT_ID" OIDC_CLIENT_SECRET="$E2E_CLIENT_SECRET" \
      OIDC_REDIRECT_URI="$E2E_REDIRECT_URI" OIDC_CODE_TTL="$E2E_OIDC_CODE_TTL" OIDC_MAX_LIFE=300 \
      node "$launch_dir/oidc_launcher.mjs" >"$server_log" 2>&1 &
    server_pid=$!
    E2E_OIDC_PORT=$(wait_for_port "$work/oidc.port")
    export E2E_OIDC_PORT
    echo "oidc-provider $oidc_version on https://127.0.0.1:$E2E_OIDC_PORT, code TTL ${E2E_OIDC_CODE_TTL} s"
    ;;
  token_lifecycle)
    E2E_STAND_IN_ACCESS_TTL=2
    ;;&
  buffer_current | token_lifecycle | readme_examples)
    export E2E_PUBLIC_CLIENT_ID="buffer-oauth-e2e-public"
    STAND_IN_CERT="$E2E_CA_CERT" STAND_IN_KEY="$E2E_CERT_KEY" STAND_IN_PORT_FILE="$work/stand-in.port" \
      STAND_IN_CLIENT_ID="$E2E_CLIENT_ID" STAND_IN_CLIENT_SECRET="$E2E_CLIENT_SECRET" \
      STAND_IN_PUBLIC_CLIENT_ID="$E2E_PUBLIC_CLIENT_ID" STAND_IN_REDIRECT_URI="$E2E_REDIRECT_URI" \
      STAND_IN_ACCESS_TTL="$E2E_STAND_IN_ACCESS_TTL" STAND_IN_MAX_LIFE=300 \
      node "$launch_dir/buffer_stand_in.mjs" >"$server_log" 2>&1 &
    server_pid=$!
    E2E_STAND_IN_PORT=$(wait_for_port "$work/stand-in.port")
    export E2E_STAND_IN_PORT
    echo "Buffer stand-in (oidc-provider $oidc_version) on https://127.0.0.1:$E2E_STAND_IN_PORT," \
      "access token TTL ${E2E_STAND_IN_ACCESS_TTL} s"
    ;;
  tls_refusals) ;;
  *)
    echo "run_e2e.sh: unknown suite '$suite'" >&2
    exit 2
    ;;
esac

# doctest passes a run whose filters select no test case; its summary line
# ("[doctest] test cases: N | ...") tells.
run_suite() {
  "$binary" --test-suite="$suite" "$@" 2>&1 | tee "$work/doctest.out"
  return "${PIPESTATUS[0]}"
}
rc=0
run_child run_suite "$@" || rc=$?
if [ "$rc" -eq 0 ] && ! grep -Eq '^\[doctest\] test cases: *[1-9]' "$work/doctest.out"; then
  echo "run_e2e.sh: no test case ran (doctest filters: --test-suite=$suite $*)" >&2
  rc=1
fi
if [ "$rc" -ne 0 ]; then
  [ "$rc" -ne "$skip" ] || rc=1  # a failing binary must never read as skipped
  if [ -s "$server_log" ]; then
    echo "---- $suite server log (last 40 lines)"
    tail -n 40 "$server_log"
  fi
fi
exit "$rc"
