#!/usr/bin/env bash
# Snapshot bandwidth, measured in one run: delta snapshots (the default)
# against --full-snapshots, each with and without ENet compression, with
# fighting headless bots in 8-bot arenas at 60 Hz.
#   ops/bandwidth.sh [BOTS=16] [SECONDS=15]
#   QBOT_BENCH_COMPARE=/path/to/old/qbot-server ops/bandwidth.sh   # every mode also on another build, same run
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
BOTS="${1:-16}"
SECONDS_PER_RUN="${2:-15}"
"$ROOT/ops/deps.sh"
"$ROOT/ops/build.sh" >/dev/null
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# The first "key":number of a one-line JSON report (the run totals come before `series`).
json() { grep -o "\"$2\":[0-9.e+-]*" "$1" | head -1 | cut -d: -f2; }

run() {  # name, server flags..., -- headless flags...
  local name="$1"; shift
  local server_flags=() headless_flags=()
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do server_flags+=("$1"); shift; done
  [ "$#" -gt 0 ] && shift
  headless_flags=("$@")
  local port=$((20000 + RANDOM % 20000))
  "$SERVER" --port "$port" --metrics-port 0 --log-level warn "${server_flags[@]}" &
  local pid=$!
  sleep 0.5  # let it bind
  "$BUILD_DIR/client_headless/qbot-headless" --server "127.0.0.1:$port" --bots "$BOTS" \
    --duration "$SECONDS_PER_RUN" --report "$OUT/$name.json" "${headless_flags[@]}" >/dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf "%-22s %10.0f %10.0f %8s %10s\n" "$name" "$(json "$OUT/$name.json" bytes_down_per_bot_per_s)" \
    "$(json "$OUT/$name.json" bytes_up_per_bot_per_s)" "$(json "$OUT/$name.json" kills)" \
    "$(json "$OUT/$name.json" prediction_error_p99)"
}

echo "$BOTS bots, 8-bot arenas, 60 Hz, ${SECONDS_PER_RUN} s per run (UDP payload bytes per client per second, as ENet counts them)"
printf "%-22s %10s %10s %8s %10s\n" mode down_B/s up_B/s kills pred_p99_m
modes() {  # prefix
  run "$1delta"
  run "$1full" --full-snapshots
  run "$1delta+compress" --compress -- --compress
  run "$1full+compress" --full-snapshots --compress -- --compress
}
SERVER="$BUILD_DIR/server/qbot-server"
modes ""
if [ -n "${QBOT_BENCH_COMPARE:-}" ]; then
  SERVER="$QBOT_BENCH_COMPARE"
  modes "compare:"
  SERVER="$BUILD_DIR/server/qbot-server"
fi
d=$(json "$OUT/delta.json" bytes_down_per_bot_per_s); f=$(json "$OUT/full.json" bytes_down_per_bot_per_s)
awk -v d="$d" -v f="$f" 'BEGIN { printf "full / delta = %.2fx\n", f / d }'
