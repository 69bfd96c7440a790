#!/usr/bin/env bash
# Memory per client (docs/OPERATIONS.md, "Sizing"): for each count of
# QBOT_MEMORY_POINTS, a fresh qbot-server's resident memory (VmRSS) idle,
# then with that many headless clients connected and fighting in 8-bot
# arenas, read after they have played 10 s (snapshot histories full). Prints
# one row per point: idle and loaded RSS, and the difference per client.
#   ops/memory.sh                                        # 500 and 1000 clients at 60 Hz
#   QBOT_MEMORY_POINTS="250 500" QBOT_MEMORY_TICK_RATE=30 ops/memory.sh
# Fails if the server exits or a count of clients is not reached in time.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
POINTS="${QBOT_MEMORY_POINTS:-500 1000}"
TICK="${QBOT_MEMORY_TICK_RATE:-60}"
"$ROOT/ops/deps.sh"
"$ROOT/ops/build.sh" >/dev/null
OUT="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$OUT"
}
trap cleanup EXIT

port() { echo $((20000 + RANDOM % 20000)); }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
metric() { curl -s --max-time 2 "http://127.0.0.1:$M/metrics" | awk -v m="$1" '$1 == m { printf "%d\n", $2 }'; }
wait_until() {  # seconds what command...
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@"; do
    kill -0 "$server" 2>/dev/null || { echo "ops/memory.sh: the server exited" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "ops/memory.sh: $what" >&2; exit 1; }
    sleep 0.5 # polling interval
  done
}
at_least() { local v; v="$("${@:2}")"; [ -n "$v" ] && [ "$v" -ge "$1" ]; }
play_10s() {  # waits until the server has ticked 10 s more
  local from
  from="$(metric qbot_ticks_total)"
  wait_until 60 "the server stopped ticking" at_least $((from + 10 * TICK)) metric qbot_ticks_total
}

# One point: a fresh server, its RSS idle, then with `n` clients connected.
measure() {  # n
  local n="$1" idle rss bots=""
  P=$(port)
  M=$(port)
  "$BUILD_DIR/server/qbot-server" --port "$P" --metrics-port "$M" --tick-rate "$TICK" --log-level warn \
    --connections-per-ip 4095 --max-clients 4000 --matchmaker false >"$OUT/server$n.log" 2>&1 &
  server=$!
  pids+=("$server")
  wait_until 30 "the server's /metrics did not answer" at_least 1 metric qbot_ticks_total
  play_10s
  idle="$(rss_kib "$server")"
  nice -n 10 "$BUILD_DIR/client_headless/qbot-headless" --server "127.0.0.1:$P" --bots "$n" --threads 2 \
    --ramp 500 --duration 0 --tick-rate "$TICK" >"$OUT/bots$n.log" 2>&1 &
  bots=$!
  pids+=("$bots")
  wait_until 120 "$n clients did not connect" at_least "$n" metric qbot_players
  play_10s
  rss="$(rss_kib "$server")"
  awk -v n="$n" -v rss="$rss" -v idle="$idle" \
    'BEGIN { printf "%-8d %10.1f %10.1f %14.1f\n", n, idle / 1024, rss / 1024, (rss - idle) / n }'
  kill "$bots" "$server" 2>/dev/null || true
  wait "$bots" "$server" 2>/dev/null || true
}

printf "%-8s %10s %10s %14s\n" clients idle_MiB rss_MiB KiB/client
for n in $POINTS; do measure "$n"; done
