#!/usr/bin/env bash
# The Sentinel failover test (tests/integration/test_sentinel_failover.cpp,
# label sentinel): a Redis primary, a replica and 3 sentinels on loopback,
# two qbot-servers that find the primary through the sentinels, 32 bots
# queueing for 4 matches each, SIGKILL of the primary once a match has
# finished. About 75 s, so not in the default suite. Prints the promotion
# time, the time until matchmaking resumed and results vs matches finished
# (docs/REDIS.md "High availability").
#   ops/sentinel.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
jobs="${QBOT_JOBS:-2}"
# Runs the binary itself: configuring QBOT_SENTINEL_TESTS=ON (which registers
# it in ctest, label sentinel) would add it to the build's default suite.
cmake -S "$ROOT" -B "$BUILD_DIR" >/dev/null
cmake --build "$BUILD_DIR" -j"$jobs" --target sentinel_tests >/dev/null
log="$BUILD_DIR/sentinel-test.log"
set +e
"$BUILD_DIR/tests/sentinel_tests" >"$log" 2>&1
rc=$?
set -e
grep -E "sentinel failover:|Failure|OK \]|FAILED" "$log" || true
[ "$rc" -eq 0 ] || echo "sentinel.sh: the failover test failed; its whole output is in $log" >&2
exit "$rc"
