#!/usr/bin/env bash
# Configures and builds qbot-arena in build/ (Release with debug info).
# Extra arguments go to cmake's configure step, e.g. ops/build.sh -DQBOT_SANITIZE=ON
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${QBOT_BUILD_TYPE:-RelWithDebInfo}" -DQBOT_WERROR=ON -DQBOT_LINT_FORMAT=ON "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
