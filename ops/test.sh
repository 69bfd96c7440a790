#!/usr/bin/env bash
# The whole default test suite: install packages, build, run every ctest test.
# Tests start their own redis-server and qbot-server processes on free ports.
# Long soaks and benchmarks are separate (see README "Benchmarks").
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/ops/deps.sh"
"$ROOT/ops/build.sh"
cd "${QBOT_BUILD_DIR:-$ROOT/build}"
ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@"
