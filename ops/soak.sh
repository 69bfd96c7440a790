#!/usr/bin/env bash
# Soak: one qbot-server with its own redis-server, 200 bots joining directly
# (half of them churning: they leave and rejoin), and 32 bots playing
# matchmade matches through the lobby (garages, tickets, results in Redis),
# for QBOT_SOAK_SECONDS (default one hour). Samples the server's resident
# memory every QBOT_SOAK_SAMPLE_S seconds and prints:
#   - RSS at the end of the warm-up (QBOT_SOAK_WARMUP_S, default 600 s) and
#     at the end, and the growth between them in percent;
#   - disconnects the bots did not ask for (churn leaves are not counted),
#     bots that failed to connect, matches played through the lobby;
#   - the server's tick p50/p99/max and overruns over the whole run.
# Exits 1 if RSS grew 5 % or more after the warm-up, a bot was disconnected
# or failed, or the server died. Not part of the default suite.
#   ops/soak.sh                                   # one hour
#   QBOT_SOAK_SECONDS=900 QBOT_SOAK_WARMUP_S=300 ops/soak.sh
# The samples stay in QBOT_SOAK_DIR (default a new temp dir) as rss.csv, with
# both JSON reports and the logs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
SECONDS_TOTAL="${QBOT_SOAK_SECONDS:-3600}"
WARMUP="${QBOT_SOAK_WARMUP_S:-600}"
SAMPLE="${QBOT_SOAK_SAMPLE_S:-30}"
OUT="${QBOT_SOAK_DIR:-$(mktemp -d /tmp/qbot-soak.XXXXXX)}"
mkdir -p "$OUT"
[ "$WARMUP" -lt "$SECONDS_TOTAL" ] || { echo "ops/soak.sh: the warm-up must be shorter than the run" >&2; exit 2; }
if [ -z "${QBOT_SOAK_NO_BUILD:-}" ]; then
  "$ROOT/ops/deps.sh"
  "$ROOT/ops/build.sh" >/dev/null
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

port() { echo $((20000 + RANDOM % 20000)); }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
REDIS_PORT=$(port)
GAME_PORT=$(port)
METRICS_PORT=$(port)

redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$OUT" --save "" --appendonly no \
  --logfile "$OUT/redis.log" &
pids+=($!)
for _ in $(seq 100); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.1  # waiting for an external process to listen
done

"$BUILD_DIR/server/qbot-server" --port "$GAME_PORT" --metrics-port "$METRICS_PORT" --redis "redis://127.0.0.1:$REDIS_PORT" \
  --region local --journal-dir "$OUT/journal" --connections-per-ip 1024 --max-unwelcomed-per-ip 1024 \
  --log-level warn >"$OUT/server.log" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 100); do
  curl -sf --max-time 1 "http://127.0.0.1:$METRICS_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1  # waiting for the server to listen
done

"$BUILD_DIR/client_headless/qbot-headless" --server "127.0.0.1:$GAME_PORT" --bots 200 --ramp 50 \
  --mix fight:50,churn:50 --threads 2 --duration "$SECONDS_TOTAL" --name-prefix soak \
  --metrics-url "http://127.0.0.1:$METRICS_PORT/metrics" --report "$OUT/direct.json" >"$OUT/direct.log" 2>&1 &
direct=$!
pids+=("$direct")
"$BUILD_DIR/client_headless/qbot-headless" --server "127.0.0.1:$GAME_PORT" --bots 32 --queue ffa \
  --matches 100000 --duration "$SECONDS_TOTAL" --name-prefix queued --seed 7 \
  --report "$OUT/queued.json" >"$OUT/queued.log" 2>&1 &
queued=$!
pids+=("$queued")

echo "ops/soak.sh: ${SECONDS_TOTAL} s, warm-up ${WARMUP} s, samples in $OUT/rss.csv"
echo "t_s,rss_kib" >"$OUT/rss.csv"
start=$SECONDS
rss_warm=""
while kill -0 "$direct" 2>/dev/null; do
  kill -0 "$server" 2>/dev/null || { echo "ops/soak.sh: the server died (see $OUT/server.log)" >&2; exit 1; }
  t=$((SECONDS - start))
  rss="$(rss_kib "$server")"
  echo "$t,$rss" >>"$OUT/rss.csv"
  [ -z "$rss_warm" ] && [ "$t" -ge "$WARMUP" ] && rss_warm="$rss"
  sleep "$SAMPLE"  # the sampling period
done
rss_end="$(rss_kib "$server")"
wait "$direct" || true
wait "$queued" || true

num() {  # file key: the JSON report's number, floats to 2 decimals (-1 if absent)
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2], -1); print(round(v, 2) if isinstance(v, float) else v)' "$1" "$2"
}
growth=$(awk -v a="$rss_warm" -v b="$rss_end" 'BEGIN { printf "%.2f", 100 * (b - a) / a }')
disconnects=$(( $(num "$OUT/direct.json" disconnects) + $(num "$OUT/queued.json" disconnects) ))
failed=$(( $(num "$OUT/direct.json" bots_failed) + $(num "$OUT/queued.json" bots_failed) ))
echo "rss: $((rss_warm / 1024)) MiB after the warm-up, $((rss_end / 1024)) MiB at the end: ${growth} %"
echo "bots: direct $(num "$OUT/direct.json" bots_connected)/200 connected, churn rejoins $(num "$OUT/direct.json" churn_rejoins);" \
  "queued $(num "$OUT/queued.json" bots_connected)/32, matches played $(num "$OUT/queued.json" matches_played);" \
  "disconnects not asked for ${disconnects}, failed ${failed}"
echo "server tick: p50 $(num "$OUT/direct.json" server_tick_ms_p50) ms, p99 $(num "$OUT/direct.json" server_tick_ms_p99) ms," \
  "max $(num "$OUT/direct.json" server_tick_ms_max) ms, overruns $(num "$OUT/direct.json" server_tick_overruns | cut -d. -f1)" \
  "of $(num "$OUT/direct.json" server_ticks) ticks; load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v g="$growth" 'BEGIN { exit !(g < 5) }' || { echo "ops/soak.sh: FAIL: RSS grew ${growth} % after the warm-up" >&2; exit 1; }
[ "$disconnects" -eq 0 ] && [ "$failed" -eq 0 ] || { echo "ops/soak.sh: FAIL: bots lost" >&2; exit 1; }
echo "ops/soak.sh: PASS"
