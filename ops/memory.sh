#!/usr/bin/env bash
# Memory per client (docs/OPERATIONS.md, "Sizing"): one qbot-server, its
# resident memory (VmRSS) with no client, then with each count of
# QBOT_MEMORY_POINTS headless clients connected (fighting in 8-bot arenas),
# all in one run of one process. Bots are added, never removed, between
# points; each point is read after the clients have played 10 s (their
# snapshot histories full). Prints one row per point and the memory per
# client against the empty server.
#   ops/memory.sh                                        # 0, 500, 1000 clients at 60 Hz
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

P=$(port)
M=$(port)
"$BUILD_DIR/server/qbot-server" --port "$P" --metrics-port "$M" --tick-rate "$TICK" --log-level warn \
  --connections-per-ip 4095 --max-clients 4000 --matchmaker false >"$OUT/server.log" 2>&1 &
server=$!
pids+=("$server")
wait_until 30 "the server's /metrics did not answer" at_least 1 metric qbot_ticks_total
play_10s
base="$(rss_kib "$server")"
printf "%-8s %10s %14s\n" clients rss_MiB KiB/client
printf "%-8d %10.1f %14s\n" 0 "$(echo "$base" | awk '{ print $1 / 1024 }')" "-"

connected=0
for n in $POINTS; do
  more=$((n - connected))
  nice -n 10 "$BUILD_DIR/client_headless/qbot-headless" --server "127.0.0.1:$P" --bots "$more" --threads 2 \
    --ramp 500 --duration 0 --tick-rate "$TICK" --name-prefix "m$n-" >"$OUT/bots$n.log" 2>&1 &
  pids+=("$!")
  wait_until 120 "$n clients did not connect" at_least "$n" metric qbot_players
  connected=$n
  play_10s
  rss="$(rss_kib "$server")"
  awk -v n="$n" -v rss="$rss" -v base="$base" \
    'BEGIN { printf "%-8d %10.1f %14.1f\n", n, rss / 1024, (rss - base) / n }'
done
