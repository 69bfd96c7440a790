#!/usr/bin/env bash
# Quick start: install, build, then run a local qbot-server with 8 demo bots
# until Ctrl-C. Uses the Redis at $QBOT_REDIS if reachable, otherwise starts a
# private redis-server under run/. The server logs a scoreboard every 5 s.
#   QBOT_PORT (7777)  QBOT_METRICS_PORT (9100: /metrics and the spectator pages)  QBOT_DEMO_BOTS (8)  QBOT_REDIS
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
RUN_DIR="$ROOT/run"
PORT="${QBOT_PORT:-7777}"
METRICS_PORT="${QBOT_METRICS_PORT:-9100}"
DEMO_BOTS="${QBOT_DEMO_BOTS:-8}"
REDIS_URL="${QBOT_REDIS:-redis://127.0.0.1:6379}"

"$ROOT/ops/deps.sh"
"$ROOT/ops/build.sh"
mkdir -p "$RUN_DIR"

pids=()        # server and bots, stopped first
redis_pid=""   # our private redis-server, stopped last so the server can deregister
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$redis_pid" ]; then kill -TERM "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  echo "ops/run.sh: stopped"
}
trap cleanup INT TERM EXIT

redis_hostport="${REDIS_URL#redis://}"; redis_hostport="${redis_hostport%%/*}"
redis_host="${redis_hostport%%:*}"; redis_port="${redis_hostport##*:}"
if redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then
  echo "ops/run.sh: using Redis at $REDIS_URL"
else
  echo "ops/run.sh: no Redis at $REDIS_URL, starting one on 127.0.0.1:$redis_port (data in run/)"
  # setsid: Ctrl-C reaches the terminal's process group; Redis must outlive the server.
  setsid redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$RUN_DIR" --save "" \
    --appendonly no --logfile "$RUN_DIR/redis.log" &
  redis_pid=$!
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1  # waiting for an external process to listen; not a test
  done
  REDIS_URL="redis://127.0.0.1:$redis_port"
fi

"$BUILD_DIR/server/qbot-server" --port "$PORT" --metrics-port "$METRICS_PORT" --max-spectators 32 \
  --redis "$REDIS_URL" --region local --journal-dir "$BUILD_DIR/results-journal" &
pids+=($!)
sleep 0.5  # let the server bind before the bots knock

echo "ops/run.sh: $DEMO_BOTS demo bots -> 127.0.0.1:$PORT, metrics at http://127.0.0.1:$METRICS_PORT/metrics," \
  "watch the battles at http://127.0.0.1:$METRICS_PORT/ (the same port; Ctrl-C to stop)"
# QBOT_DEMO_QUEUE=ffa|tdm: the bots go through the lobby and the matchmaker instead.
queue_args=()
[[ -n "${QBOT_DEMO_QUEUE:-}" ]] && queue_args=(--queue "$QBOT_DEMO_QUEUE" --matches 1000000)
"$BUILD_DIR/client_headless/qbot-headless" --server "127.0.0.1:$PORT" --bots "$DEMO_BOTS" \
  --duration 0 --name-prefix demo --log-level warn "${queue_args[@]}" &
pids+=($!)
wait -n "${pids[@]}" || true
