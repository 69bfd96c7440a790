#!/usr/bin/env bash
# Installs the Debian bookworm packages qbot-arena builds and tests with.
# Only packages that are missing are installed, so a second run is a no-op.
set -euo pipefail

# lua5.1: only its luac5.1, which checks the store's Lua scripts (ctest -L lint).
PACKAGES=(
  build-essential cmake pkg-config
  libenet-dev libflatbuffers-dev flatbuffers-compiler libhiredis-dev
  prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev libsodium-dev
  libcli11-dev libspdlog-dev redis-server prometheus lua5.1
  libcurl4-openssl-dev nlohmann-json3-dev libcivetweb-dev clang-format
  chromium systemd python3 python3-yaml
)
# chromium: the browser test of the spectator pages (tests/browser, label browser),
# which also needs node and npm (for playwright-core, installed into the build dir
# by tests/browser/run.sh). A node from elsewhere (e.g. nodesource, which bundles
# npm) is kept: Debian's npm package would conflict with it.
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi
# kubectl (for `kubectl kustomize`, tests/ops): Debian's kubernetes-client,
# unless a kubectl is already installed.
command -v kubectl >/dev/null 2>&1 || PACKAGES+=(kubernetes-client)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "ops/deps.sh: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# prometheus would start a system service on install; it is only here for promtool.
# clang-format (14 on bookworm) is for the lint_format test (QBOT_LINT_FORMAT) and
# ops/lint.sh; ops/lint.sh also needs clang-tidy, which no ctest test uses.
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
