#!/usr/bin/env bash
# What spectators cost the game: the capacity recipe of ops/bench.sh (1,000
# clients, 60 Hz, 8-bot arenas, --workers 2) run twice in the same session,
# without spectators and with 32 WebSocket spectators (tests/bench/spectator_load,
# acknowledging like the page, on 32 different arenas), then tick p99 and
# overruns of both. Ends with 2 spectators that never acknowledge, watching
# while bots still play (a server of its own, after the measured runs), and
# the server's count of the spectators it dropped, by reason.
#   ops/spectator-cost.sh
#   QBOT_COST_CLIENTS=500 QBOT_COST_SECONDS=20 ops/spectator-cost.sh
# (tick p99 and overruns come from the server's /metrics through qbot-headless's report)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
CLIENTS="${QBOT_COST_CLIENTS:-1000}"
SECONDS_PER_RUN="${QBOT_COST_SECONDS:-30}"
SPECTATORS="${QBOT_COST_SPECTATORS:-32}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"; kill $(jobs -p) 2>/dev/null || true' EXIT
json() { grep -o "\"$2\":[0-9.e+-]*" "$1" | head -1 | cut -d: -f2; }
port() { echo $((20000 + RANDOM % 20000)); }

start_server() {  # log, metrics port, game port; sets srv
  # Spectating on in every run (the HTTP port serves it): the runs differ only by who watches.
  "$BUILD_DIR/server/qbot-server" --port "$3" --metrics-port "$2" --max-spectators "$((SPECTATORS + 2))" --tick-rate 60 \
    --log-level warn --connections-per-ip 4095 --max-unwelcomed 4095 --max-unwelcomed-per-ip 4095 --max-clients 4000 \
    --workers 2 --realtime-priority 10 \
    --matchmaker false --journal-dir "$OUT/journal" >"$1" 2>&1 &
  srv=$!
  sleep 0.5  # let it bind (an external process, not a test)
}

start_bots() {  # game port, metrics port, clients, seconds, report; sets bots
  nice -n 10 "$BUILD_DIR/client_headless/qbot-headless" --server "127.0.0.1:$1" --bots "$3" --threads 2 \
    --ramp 500 --duration "$4" --report "$5" --metrics-url "http://127.0.0.1:$2/metrics" >"$5.log" 2>&1 &
  bots=$!
}

run() {  # label spectators
  local label="$1" watchers="$2" p m srv bots
  p=$(port); m=$(port)
  start_server "$OUT/$label.server.log" "$m" "$p"
  start_bots "$p" "$m" "$CLIENTS" "$SECONDS_PER_RUN" "$OUT/$label.json"
  if [ "$watchers" -gt 0 ]; then
    sleep 4  # the ramp: arenas exist before the spectators pick theirs
    nice -n 10 "$BUILD_DIR/tests/spectator_load" --port "$m" --spectators "$watchers" --arenas "$watchers" \
      --seconds $((SECONDS_PER_RUN - 6)) >"$OUT/$label.spectators" 2>&1
  fi
  wait "$bots" || true
  kill "$srv"; wait "$srv" 2>/dev/null || true
  printf "%-12s %8s %10s %10s %s\n" "$label" "$(json "$OUT/$label.json" bots_connected)" \
    "$(json "$OUT/$label.json" server_tick_ms_p99)" "$(json "$OUT/$label.json" server_tick_overruns)" \
    "$(cat "$OUT/$label.spectators" 2>/dev/null || echo -)"
}

stall() {  # 2 spectators that never acknowledge while 64 bots play: the server must drop and close them
  local p m srv bots
  p=$(port); m=$(port)
  start_server "$OUT/stall.server.log" "$m" "$p"
  start_bots "$p" "$m" 64 20 "$OUT/stall.json"
  sleep 4  # the ramp: the arenas play before the spectators arrive
  nice -n 10 "$BUILD_DIR/tests/spectator_load" --port "$m" --spectators 2 --arenas 2 --seconds 8 --stall \
    >"$OUT/stall" 2>&1 || true
  curl -s "http://127.0.0.1:$m/metrics" | grep '^qbot_spectators_dropped_total' >"$OUT/dropped" || true
  kill "$bots" 2>/dev/null || true; wait "$bots" 2>/dev/null || true
  kill "$srv"; wait "$srv" 2>/dev/null || true
}

printf "%-12s %8s %10s %10s %s\n" run clients tick_p99 overruns spectators
# Interleaved, twice: the spread between the two runs of one kind is the noise.
for round in 1 2; do
  run "none$round" 0
  run "spectators$round" "$SPECTATORS"
done
stall
echo "stalled spectators (2, never acknowledging, 8 s; open=0: the server closed both): $(cat "$OUT/stall")"
echo "server's drops:"; cat "$OUT/dropped"
