#!/usr/bin/env bash
# The Redis outage scenarios of tests/integration/test_outage.cpp (2 servers,
# one Redis with AOF, 32 queueing bots, 4 matches each): STOP 30 s, kill + AOF
# restart, kill + EMPTY restart, SIGKILL of a server while Redis is stopped.
# About 1.5 min per scenario, so not part of the default suite. Each prints
# its figures: results counted vs matches finished, duplicates, dropped, and
# how long after Redis returned matchmaking formed its next match.
#   ops/outage.sh                 # all four
#   ops/outage.sh 'Outage.RedisStopped*'   # a gtest filter
# QBOT_OUTAGE_NO_BUILD=1 skips the build (an up-to-date build/ is used as is).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
FILTER="${1:-Outage.*}"
if [ -z "${QBOT_OUTAGE_NO_BUILD:-}" ]; then
  "$ROOT/ops/deps.sh"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${QBOT_BUILD_TYPE:-RelWithDebInfo}" -DQBOT_WERROR=ON >/dev/null
  # -j2: the machines we test on are shared (2 cores).
  nice cmake --build "$BUILD_DIR" -j2 --target outage_tests
fi
# One scenario at a time: each starts its own redis-server and two servers.
exec "$BUILD_DIR/tests/outage_tests" --gtest_filter="$FILTER" --gtest_color=no
