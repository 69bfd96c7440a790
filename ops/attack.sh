#!/usr/bin/env bash
# The attacks of tests/attack/README.md at full size, each against a fresh
# qbot-server (--production, otherwise default flags) with 32 legitimate
# qbot-headless bots, and a same-run baseline (the same 32 bots, no attack).
# Loopback only: the server on 127.0.0.1, the attackers on other 127.x
# addresses. Long (several minutes for `all`): not part of the default suite.
#   ops/attack.sh                 # every attack
#   ops/attack.sh half-open       # one: half-open half-open-sustained no-hello park-guests fragment-huge
#                                 #      fragment-guest fragment-descending transport-flood amplification
#                                 #      blind-handshake stop-reading
#   QBOT_ATTACK_COMPARE=/path/to/other/build ops/attack.sh all   # also measure another build's
#                                 # qbot-server + qbot-headless (e.g. main's) in the same run
# Columns: cost = what the attacker sent (datagrams/bytes); connected = legit
# bots welcomed (of 32); snap% = snapshots per bot per second against the
# same build's baseline; rss_MB = server VmRSS peak minus its RSS at start;
# tick max/p99 (ms) while the bots ran; ratio = bytes the attacker's sockets
# received / bytes they sent (on the wire).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
COMPARE="${QBOT_ATTACK_COMPARE:-}"
WHICH="${1:-all}"
ALL="half-open half-open-sustained no-hello park-guests fragment-huge fragment-guest fragment-descending
     transport-flood amplification blind-handshake stop-reading"
[ "$WHICH" = all ] && WHICH="$ALL"
for a in $WHICH; do
  case " $(echo $ALL) " in *" $a "*) ;; *) echo "unknown attack '$a' (one of: $(echo $ALL))" >&2; exit 2 ;; esac
done
if [ -z "${QBOT_ATTACK_NO_BUILD:-}" ]; then
  "$ROOT/ops/deps.sh"
  "$ROOT/ops/build.sh" >/dev/null
fi
ATTACK="$BUILD_DIR/tests/qbot-attack"
OUT="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$OUT"' EXIT
export QBOT_TOKEN_SECRET="attack-sh-token-secret-0123456789"

json() { grep -o "\"$2\":[0-9.e+-]*" "$1" 2>/dev/null | head -1 | cut -d: -f2; }
port() { echo $((20000 + RANDOM % 20000)); }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
metric() { curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v m="$1" '$1 == m { print $2; exit }'; }

# start_server bin: a fresh server on new ports (SRV, PORT, MPORT, RSS0), ready when /metrics answers.
start_server() {
  PORT=$(port); MPORT=$(port)
  "$1" --bind 127.0.0.1 --port "$PORT" --metrics-bind 127.0.0.1 --metrics-port "$MPORT" --production \
    --log-level warn --matchmaker false >"$OUT/server.log" 2>&1 &
  SRV=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$MPORT/metrics" >/dev/null && break; sleep 0.1; done
  RSS0=$(rss_kb "$SRV")
  # RSS peak sampler: its last line is the peak (kB).
  ( peak=0; while kill -0 "$SRV" 2>/dev/null; do r=$(rss_kb "$SRV"); [ "${r:-0}" -gt "$peak" ] && peak=$r && echo "$peak"; sleep 0.05; done ) \
    >"$OUT/rss" 2>/dev/null &
  RSSPID=$!
}
stop_server() {
  kill "$SRV" 2>/dev/null || true; wait "$SRV" 2>/dev/null || true
  kill "$RSSPID" 2>/dev/null || true; wait "$RSSPID" 2>/dev/null || true
}
# bots headless seconds report: 32 bots in the foreground.
bots() {
  "$1" --server "127.0.0.1:$PORT" --bots 32 --duration "$2" --tick-rate 60 --report "$3" --log-level error \
    --metrics-url "http://127.0.0.1:$MPORT/metrics" >"$3.log" 2>&1 || true
}
bots_bg() { bots "$@" & BOTS=$!; }
wait_players() {  # n: until the server has n players (at most 15 s)
  for _ in $(seq 150); do [ "$(metric qbot_players | cut -d. -f1)" -ge "$1" ] 2>/dev/null && return 0; sleep 0.1; done
}
attack() {  # args...: one attack, its JSON line in $OUT/attack.json
  "$ATTACK" --target "127.0.0.1:$PORT" --max-seconds 120 --metrics-url "http://127.0.0.1:$MPORT/metrics" "$@" \
    >"$OUT/attack.json" 2>"$OUT/attack.err" || true
}
attack_bg() { attack "$@" & ATK=$!; }

# run_one name headless cookie: the attack's shape (who starts when), the bots' report in $OUT/bots.json.
run_one() {
  local name="$1" hl="$2" ck="$3" r="$OUT/bots.json"
  rm -f "$r" "$OUT/attack.json"
  case "$name" in
    half-open) attack_bg half-open --sources 4000 --over-s 10; wait "$ATK"; bots "$hl" 20 "$r" ;;
    half-open-sustained) attack_bg half-open --sources 4000 --over-s 10 --sustain-rate 400 --sustain-s 30
      sleep 10; bots "$hl" 20 "$r"; wait "$ATK" ;;
    no-hello) attack_bg $ck no-hello --addresses 20 --peers 1100 --rate 210 --duration-s 35
      sleep 8; bots "$hl" 20 "$r"; wait "$ATK" ;;
    park-guests) attack $ck park-guests --logins 1100 --duration-s 90; bots "$hl" 15 "$r" ;;
    fragment-huge) bots_bg "$hl" 20 "$r"; wait_players 32
      attack $ck fragment-bitmap --pattern huge --sets 6000 --hold-s 8; wait "$BOTS" ;;
    fragment-guest) bots_bg "$hl" 20 "$r"; wait_players 32
      attack $ck fragment-bitmap --pattern huge --sets 3000 --after-welcome --hold-s 8; wait "$BOTS" ;;
    fragment-descending) bots_bg "$hl" 20 "$r"; wait_players 32
      attack $ck fragment-bitmap --pattern descending --hold-s 5; wait "$BOTS" ;;
    transport-flood) bots_bg "$hl" 20 "$r"; wait_players 32
      attack $ck transport-flood --commands 272000 --over-s 10 --kind mixed; wait "$BOTS" ;;
    amplification) bots_bg "$hl" 15 "$r"; attack amplification --variant all --listen-s 8; wait "$BOTS" ;;
    blind-handshake) bots_bg "$hl" 15 "$r"; attack blind-handshake; wait "$BOTS" ;;
    stop-reading) bots_bg "$hl" 30 "$r"; wait_players 32
      attack $ck stop-reading --clients 20 --observe-s 70; wait "$BOTS" ;;
  esac
}

# The attacker's figures: its cost, the reply/request ratio, and the one thing that says whether it worked.
attack_summary() {
  local a="$OUT/attack.json" sent recv
  sent=$(json "$a" sent_bytes); recv=$(json "$a" received_bytes)
  awk -v d="$(json "$a" sent_datagrams)" -v s="${sent:-0}" -v r="${recv:-0}" -v w="$(json "$a" worst_ratio)" 'BEGIN {
    ratio = (w != "") ? w : (s > 0 ? r / s : 0)
    printf "%8s %10s %6.2f", (d == "" ? "-" : d), s, ratio }'
}
detail() {
  local a="$OUT/attack.json"
  grep -q '"error"' "$a" 2>/dev/null && { grep -o '"error":"[^"]*"' "$a" | cut -c1-80; return; }
  for k in handshakes_completed peak_established welcomed_and_dropped kicked kicked_after_s session_owned \
           disconnected_by_server silent_after_s_max bytes_after_stop_max players_freed_after_s cookie_ratio; do
    v=$(grep -o "\"$k\":[^,}]*" "$a" 2>/dev/null | head -1) && [ -n "$v" ] && printf "%s " "$v"
  done
  echo
}

row() {  # build attack base_snap
  local r="$OUT/bots.json" peak
  peak=$(tail -1 "$OUT/rss" 2>/dev/null || echo "$RSS0")
  printf "%-8s %-20s %s %6s %6.0f%% %7.1f %6.1f %6.1f  %s\n" "$1" "$2" "$(attack_summary)" "$(json "$r" bots_connected)" \
    "$(awk -v s="$(json "$r" snapshots_per_bot_per_s)" -v b="$3" 'BEGIN { print (b > 0 ? 100 * s / b : 0) }')" \
    "$(awk -v p="${peak:-0}" -v z="$RSS0" 'BEGIN { print (p - z) / 1024 }')" \
    "$(json "$r" server_tick_ms_max)" "$(json "$r" server_tick_ms_p99)" "$(detail)"
}

measure_build() {  # label server headless
  local label="$1" server="$2" hl="$3" ck="" base
  "$server" --help 2>/dev/null | grep -q -- --require-cookie && ck="--cookie-exchange"
  start_server "$server"; bots "$hl" 15 "$OUT/bots.json"; stop_server
  base=$(json "$OUT/bots.json" snapshots_per_bot_per_s)
  printf "%-8s %-20s %8s %10s %6s %6s %6.0f%% %7.1f %6.1f %6.1f  baseline: %s snapshots/bot/s\n" "$label" baseline - - - \
    "$(json "$OUT/bots.json" bots_connected)" 100 0 "$(json "$OUT/bots.json" server_tick_ms_max)" \
    "$(json "$OUT/bots.json" server_tick_ms_p99)" "$base"
  for a in $WHICH; do
    start_server "$server"; run_one "$a" "$hl" "$ck"; stop_server
    row "$label" "$a" "$base"
  done
}

printf "%-8s %-20s %8s %10s %6s %6s %7s %7s %6s %6s  %s\n" build attack cost_dgr cost_bytes ratio conn snap% rss_MB \
  tick_mx t_p99 detail
measure_build ours "$BUILD_DIR/server/qbot-server" "$BUILD_DIR/client_headless/qbot-headless"
[ -n "$COMPARE" ] && measure_build compare "$COMPARE/server/qbot-server" "$COMPARE/client_headless/qbot-headless"
echo "conn = legit bots welcomed of 32; snap% = their snapshots/s per bot against the same build's baseline;"
echo "rss_MB = server RSS peak minus at start; tick ms while the bots ran; ratio = attacker received/sent bytes"
echo "(amplification: the worst of its variants, towards a source that proved nothing)."
