#!/usr/bin/env bash
# The dashboard and the alerts against the real thing: a real qbot-server with
# headless bots (direct joins and a matchmade queue), scraped by a real
# prometheus that loads our rules. Fails unless every dashboard expression and
# every recording rule returns data, and every alert expression evaluates
# without error and every metric it reads has data.
#   ops/prometheus/live-test.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$(cd "${1:?usage: live-test.sh BUILD_DIR}" && pwd)"
server="$build/server/qbot-server"
headless="$build/client_headless/qbot-headless"
for b in "$server" "$headless" "$(command -v prometheus)"; do [ -x "$b" ] || { echo "live-test.sh: missing $b" >&2; exit 2; }; done

tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, getattr(socket, sys.argv[1])); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"; }
game=$(free_port SOCK_DGRAM); http=$(free_port SOCK_STREAM); prom=$(free_port SOCK_STREAM)

"$server" --bind 127.0.0.1 --port "$game" --metrics-bind 127.0.0.1 --metrics-port "$http" \
  --journal-dir "$tmp/journal" --match-duration 10 --countdown 1 --results-time 1 --match-join-timeout 3 \
  >"$tmp/server.log" 2>&1 &
pids+=($!)
sed -e "s#127.0.0.1:9100#127.0.0.1:$http#" -e "s#scrape_interval: 5s#scrape_interval: 1s#" \
    -e "s#evaluation_interval: 5s#evaluation_interval: 1s#" -e "s#scrape_timeout: 4s#scrape_timeout: 900ms#" \
    -e "s#- rules/#- $here/rules/#" "$here/prometheus.yml" >"$tmp/prometheus.yml"
prometheus --config.file "$tmp/prometheus.yml" --web.listen-address "127.0.0.1:$prom" \
  --storage.tsdb.path "$tmp/tsdb" >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
"$headless" --server "127.0.0.1:$game" --bots 8 --duration 120 >"$tmp/direct.log" 2>&1 &
pids+=($!)
"$headless" --server "127.0.0.1:$game" --bots 8 --queue ffa --matches 3 --duration 120 >"$tmp/queue.log" 2>&1 &
pids+=($!)

if ! python3 "$here/live_check.py" "http://127.0.0.1:$prom" "$repo/ops/grafana/qbot-arena.json" \
     "$here/rules/qbot-recording.yml" "$here/rules/qbot-alerts.yml" 90; then
  echo "--- qbot-server log (tail) ---"; tail -20 "$tmp/server.log"
  echo "--- prometheus log (tail) ---"; tail -20 "$tmp/prometheus.log"
  exit 1
fi
