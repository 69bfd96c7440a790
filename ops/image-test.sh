#!/usr/bin/env bash
# Checks the container image end to end (not in the default ctest suite: the
# image build takes minutes). Builds it with ops/image.sh, runs it with podman
# (game UDP port and HTTP port published on 127.0.0.1), then from outside the
# container:
#   - /healthz and /readyz answer 200, /metrics is Prometheus text
#   - QBOT_IMAGE_TEST_BOTS (16) qbot-headless bots of the host build connect,
#     all of them are counted in qbot_players, and they receive snapshots
#   - `podman stop` while they play: the server drains (its log says so) and
#     the container exits 0 (podman inspect), within the stop timeout
# Every wait has a deadline; the container and the test image are removed on
# exit. Exits non-zero naming the check that failed.
#   QBOT_BUILD_DIR (build/)  the host build that provides qbot-headless
#   QBOT_IMAGE_TEST_IMAGE    test this image instead of building one (it is
#                            not removed afterwards)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
BOTS="${QBOT_IMAGE_TEST_BOTS:-16}"
IMAGE="${QBOT_IMAGE_TEST_IMAGE:-localhost/qbot-arena:image-test-$$}"
NAME="qbot-image-test-$$"
DRAIN_TIMEOUT=40  # the server's --drain-timeout; podman stop waits longer
STOP_TIMEOUT=60
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/ops/containers.conf}"
WORK="$(mktemp -d)"
bots_pid=""

say() { echo "ops/image-test.sh: $*" >&2; }
fail() {
  say "FAIL: $*"
  exit 1
}
cleanup() {
  local rc=$?
  if [ -n "$bots_pid" ]; then kill "$bots_pid" 2>/dev/null || true; fi
  if podman container exists "$NAME" 2>/dev/null; then
    if [ "$rc" -ne 0 ]; then
      say "server log (last lines):"
      podman logs "$NAME" 2>&1 | tail -n 15 >&2 || true
    fi
    podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
  fi
  if [ -z "${QBOT_IMAGE_TEST_IMAGE:-}" ]; then podman rmi -f "$IMAGE" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {  # a free port of protocol $1 (tcp|udp) on 127.0.0.1
  python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1]=='tcp' else socket.SOCK_DGRAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}
http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$HTTP_PORT$1" || true; }
metric() {  # the value of an unlabelled metric in /metrics, or empty
  curl -s --max-time 2 "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'
}
# Predicates for wait_for (evaluated on every poll).
status_is() { [ "$(http_status "$1")" = "$2" ]; }
metric_is() { [ "$(metric "$1")" = "$2" ]; }
metric_at_least() {
  local v
  v="$(metric "$1" | cut -d. -f1)"
  [ -n "$v" ] && [ "$v" -ge "$2" ]
}
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
wait_for() {  # seconds what predicate args...: polls the predicate until it holds
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what"
    podman container exists "$NAME" && [ "$(podman inspect -f '{{.State.Running}}' "$NAME")" = true ] ||
      fail "$what: the container is not running"
    sleep 0.2 # polling interval, not a wait for an event
  done
}

[ -x "$BUILD_DIR/client_headless/qbot-headless" ] || "$ROOT/ops/build.sh"
started=$SECONDS
if [ -z "${QBOT_IMAGE_TEST_IMAGE:-}" ]; then QBOT_IMAGE="$IMAGE" timeout 3600 "$ROOT/ops/image.sh"; fi
build_s=$((SECONDS - started))

UDP_PORT="$(free_port udp)"
HTTP_PORT="$(free_port tcp)"
podman run -d --name "$NAME" -p "127.0.0.1:$UDP_PORT:7777/udp" -p "127.0.0.1:$HTTP_PORT:9100/tcp" "$IMAGE" \
  --port 7777 --metrics-port 9100 --drain-timeout "$DRAIN_TIMEOUT" --match-duration 20 --countdown 1 \
  --connections-per-ip 4095 >/dev/null
uid="$(timeout 30 podman exec "$NAME" id -u)" || fail "cannot run id in the container"
[ "$uid" != 0 ] || fail "the server runs as root in the container"

wait_for 60 "/healthz did not answer 200" status_is /healthz 200
wait_for 30 "/readyz did not answer 200" status_is /readyz 200
metric_at_least qbot_ticks_total 1 || fail "/metrics has no qbot_ticks_total"

"$BUILD_DIR/client_headless/qbot-headless" --server "127.0.0.1:$UDP_PORT" --bots "$BOTS" --duration 30 \
  --report "$WORK/bots.json" >"$WORK/bots.log" 2>&1 &
bots_pid=$!
wait_for 30 "qbot_players did not reach $BOTS" metric_is qbot_players "$BOTS"
# Let them play 5 s (300 ticks at 60 Hz), so the stop comes in the middle of a battle.
ticks_at_join="$(metric qbot_ticks_total | cut -d. -f1)"
wait_for 30 "the server stopped ticking" metric_at_least qbot_ticks_total $((ticks_at_join + 300))

stop_started=$SECONDS
timeout $((STOP_TIMEOUT + 10)) podman stop -t "$STOP_TIMEOUT" "$NAME" >/dev/null
stop_s=$((SECONDS - stop_started))
exit_code="$(podman inspect -f '{{.State.ExitCode}}' "$NAME")"
[ "$exit_code" = 0 ] || fail "the container exited $exit_code after podman stop (want 0: drained)"
podman logs "$NAME" 2>&1 | grep -q "drain over" || fail "the server's log does not show a drain"
[ "$stop_s" -lt "$STOP_TIMEOUT" ] || fail "podman stop took $stop_s s: the server did not exit by itself"

wait "$bots_pid" || true
bots_pid=""
connected="$(json "$WORK/bots.json" bots_connected)"
snapshots="$(json "$WORK/bots.json" snapshots_received)"
errors="$(json "$WORK/bots.json" snapshot_decode_errors)"
[ "$connected" = "$BOTS" ] || fail "$connected of $BOTS bots connected"
[ "$errors" = 0 ] || fail "$errors snapshot decode errors"
[ "$snapshots" -ge $((BOTS * 100)) ] || fail "only $snapshots snapshots for $BOTS bots"

size="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
built="built in $build_s s"
if [ -n "${QBOT_IMAGE_TEST_IMAGE:-}" ]; then built="given"; fi
say "OK: image $IMAGE $built ($((size / 1000000)) MB); $connected bots connected from outside and got" \
  "$snapshots snapshots; podman stop drained and exited 0 after $stop_s s; total $((SECONDS - started)) s"
