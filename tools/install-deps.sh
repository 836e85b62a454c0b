#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the CLI need.
# Idempotent; skips apt when everything is already there.
set -euo pipefail
packages=(
  build-essential cmake ninja-build meson pkg-config git ca-certificates openssl
  doctest-dev libfmt-dev libcurl4-openssl-dev libcpp-httplib-dev libcli11-dev libssl-dev
  nlohmann-json3-dev libsimdjson-dev libboost-url1.81-dev libbenchmark-dev rapidjson-dev
  clang-14 libclang-rt-14-dev clang-tidy clang-format cppcheck valgrind
  python3 python3-oauthlib
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm (for the oidc-provider end-to-end test) may come from
# elsewhere on the machine; only ask Debian for them when absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
