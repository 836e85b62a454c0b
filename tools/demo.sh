#!/usr/bin/env bash
# Builds the buffer-oauth CLI and runs its offline demo: the whole Buffer
# flow against a built-in local provider on 127.0.0.1 (the current API;
# pass --provider buffer-legacy for the REST API v1).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUFFER_OAUTH_BUILD_TESTS=OFF \
  -DBUFFER_OAUTH_BUILD_FUZZERS=OFF -DBUFFER_OAUTH_BUILD_BENCH=OFF >/dev/null
cmake --build build/demo --target buffer-oauth -j "$(nproc)"
exec build/demo/examples/buffer-oauth demo "$@"
