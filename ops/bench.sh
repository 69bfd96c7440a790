#!/usr/bin/env bash
# Capacity benchmark: a sweep of client counts against qbot-server (8-bot
# arenas) and, in the same run, against tests/bench/enet_baseline (bare ENet,
# same number and size of packets, no game logic). Server and load generator
# share this machine, as in the README table.
#   ops/bench.sh                         # 250 500 1000 2000 clients, 60 Hz, 30 s each (--workers 2 --realtime-priority 10)
#   QBOT_BENCH_POINTS="1000" QBOT_BENCH_TICK_RATE=30 QBOT_BENCH_SECONDS=60 ops/bench.sh
#   QBOT_BENCH_POINTS="1000" QBOT_BENCH_WORKERS=1 QBOT_BENCH_REALTIME=0 ops/bench.sh  # one lane, ordinary scheduling
#   QBOT_BENCH_COMPARE=/path/to/old/qbot-server ops/bench.sh  # each point also measured on another build of the server
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
POINTS="${QBOT_BENCH_POINTS:-250 500 1000 2000}"
TICK="${QBOT_BENCH_TICK_RATE:-60}"
SECONDS_PER_POINT="${QBOT_BENCH_SECONDS:-30}"
THREADS="${QBOT_BENCH_CLIENT_THREADS:-2}"
WORKERS="${QBOT_BENCH_WORKERS:-2}"    # qbot-server --workers: arenas stepped in parallel
REALTIME="${QBOT_BENCH_REALTIME:-10}"  # qbot-server --realtime-priority (0 = ordinary; needs root, else a warning)
COMPARE="${QBOT_BENCH_COMPARE:-}"      # another qbot-server binary, measured beside ours in the same run
"$ROOT/ops/deps.sh"
"$ROOT/ops/build.sh" >/dev/null
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"; kill $(jobs -p) 2>/dev/null || true' EXIT

# The first "key":number of a one-line JSON report (the run totals come before `series`).
json() { grep -o "\"$2\":[0-9.e+-]*" "$1" | head -1 | cut -d: -f2; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
port() { echo $((20000 + RANDOM % 20000)); }
# All bots come from 127.0.0.1: lift the per-address admission caps meant for
# the internet, on builds that have them (a compared older build may not).
one_address_flags() { "$1" --help 2>/dev/null | grep -q -- --max-unwelcomed-per-ip &&
  echo --max-unwelcomed 4095 --max-unwelcomed-per-ip 4095 || true; }

headless() {  # endpoint clients report [extra...]
  local endpoint="$1" clients="$2" report="$3"; shift 3
  # The load generator runs at lower CPU priority: on a real host the server
  # has the machine to itself; here it must not lose its core to the bots.
  nice -n 10 "$BUILD_DIR/client_headless/qbot-headless" --server "$endpoint" --bots "$clients" --threads "$THREADS" \
    --ramp 500 --duration "$SECONDS_PER_POINT" --tick-rate "$TICK" --report "$report" "$@" >"$report.log" 2>&1 || true
}

# One point against one server binary: its report in $OUT/<label><n>.json.
measure_server() {  # label server_bin clients
  local label="$1" bin="$2" n="$3" p m srv
  p=$(port); m=$(port)
  "$bin" --port "$p" --metrics-port "$m" --tick-rate "$TICK" --log-level warn \
    --connections-per-ip 4095 --max-clients 4000 --workers "$WORKERS" \
    --realtime-priority "$REALTIME" --matchmaker false $(one_address_flags "$bin") &
  srv=$!
  sleep 0.5  # let it bind
  headless "127.0.0.1:$p" "$n" "$OUT/$label$n.json" --metrics-url "http://127.0.0.1:$m/metrics"
  kill "$srv"; wait "$srv" 2>/dev/null || true
}

# The floor: same clients, same packet count and size, no game. Prints "cpu_us connected".
measure_enet_floor() {  # clients down_bytes_per_client_per_s
  local n="$1" down="$2" bytes b base c0 c1 t0 t1
  bytes=$(awk -v d="$down" -v t="$TICK" 'BEGIN { b = int(d / t) - 10; print (b < 40 ? 40 : b) }')
  b=$(port)
  "$BUILD_DIR/tests/enet_baseline" --port "$b" --tick-rate "$TICK" --packet-bytes "$bytes" >"$OUT/b$n.log" &
  base=$!
  sleep 0.3
  c0=$(cpu_s "$base"); t0=$(date +%s.%N)
  headless "127.0.0.1:$b" "$n" "$OUT/b$n.json"
  c1=$(cpu_s "$base"); t1=$(date +%s.%N)
  kill "$base"; wait "$base" 2>/dev/null || true
  awk -v bc0="$c0" -v bc1="$c1" -v bt0="$t0" -v bt1="$t1" -v tick="$TICK" -v bconn="$(json "$OUT/b$n.json" bots_connected)" \
    'BEGIN { printf "%.4f\n", (bc1 - bc0) * 1e6 / ((bt1 - bt0) * tick * bconn) }'
}

row() {  # label clients report base_us
  local r="$3"
  awk -v label="$1" -v n="$2" -v conn="$(json "$r" bots_connected)" -v cpu="$(json "$r" server_cpu_s)" \
      -v ticks="$(json "$r" server_ticks)" -v dur="$SECONDS_PER_POINT" -v p99="$(json "$r" server_tick_ms_p99)" \
      -v over="$(json "$r" server_tick_overruns)" -v down="$(json "$r" server_bytes_out_per_client_per_s)" \
      -v rtt="$(json "$r" rtt_ms_p99)" -v base="$4" 'BEGIN {
    ours = cpu * 1e6 / (ticks * conn)
    printf "%-9s %-8d %8d %9.0f %9.2f %9d %10.0f %9.0f %10.2f %10.2f %7.2f\n", label, n, conn, 100 * cpu / dur, p99, over, down, rtt, ours, base, ours / base
  }'
}

printf "%-9s %-8s %8s %9s %9s %9s %10s %9s %10s %10s %7s\n" server clients connected cpu_% tick_p99 overruns down_B/s \
  rtt_p99 us/cl-tick base_us ratio
for n in $POINTS; do
  measure_server ours "$BUILD_DIR/server/qbot-server" "$n"
  [ -n "$COMPARE" ] && measure_server compare "$COMPARE" "$n"
  base_us=$(measure_enet_floor "$n" "$(json "$OUT/ours$n.json" server_bytes_out_per_client_per_s)")
  row ours "$n" "$OUT/ours$n.json" "$base_us"
  [ -n "$COMPARE" ] && row compare "$n" "$OUT/compare$n.json" "$base_us"
done
echo "cpu_% = server CPU over the run (100 = one core); us/cl-tick = server CPU per connected client per tick;"
echo "base_us = the same for enet_baseline; ratio = us/cl-tick / base_us (target <= 2, goal 1.5);"
echo "server 'compare' = QBOT_BENCH_COMPARE, measured in the same run with the same load generator."
