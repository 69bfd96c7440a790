#!/usr/bin/env bash
# Proves tests/lint/check_layers.sh can fail: runs it with the real rules table on small
# temporary trees, each holding one kind of violation, and requires exit status 1 and
# the exact violation line naming the file. A clean tree must pass (exit 0), so a
# checker that always fails does not pass this test either.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
checker="$here/check_layers.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0

# make_tree <name> <file> <content>...: a fresh tree with the given files.
make_tree() {
  local tree="$work/$1"; shift
  mkdir -p "$tree"
  while [ $# -gt 0 ]; do
    mkdir -p "$tree/$(dirname "$1")"
    printf '%b' "$2" > "$tree/$1"
    shift 2
  done
}

# expect <tree> <status> <line that must appear in the output, or "" for none> [checker options]
expect() {
  local name="$1" tree="$work/$1" want_status="$2" want_line="$3" status=0 out
  shift 3
  out="$("$checker" "$@" "$tree" 2>&1)" || status=$?
  if [ "$status" -ne "$want_status" ]; then
    echo "FAIL $name: exit $status, expected $want_status. Output:"; printf '%s\n' "$out"
    failures=$((failures + 1)); return
  fi
  # The line itself, or the line followed by " (<rules file>:<line>)".
  if [ -n "$want_line" ] && ! awk -v w="$want_line" '$0 == w || index($0, w " (") == 1 { f = 1 } END { exit !f }' <<<"$out"; then
    echo "FAIL $name: missing line: $want_line"; echo "Output:"; printf '%s\n' "$out"
    failures=$((failures + 1)); return
  fi
  echo "ok   $name (exit $status)${want_line:+: $want_line}"
}

make_tree clean \
  shared/core/a.h '#pragma once\n#include <cstdint>\n#include "qbot/version.h"\n' \
  shared/sim/b.h '#pragma once\n#include <vector>\n#include "core/a.h"\n#include "sim/c.h"\n' \
  shared/sim/c.h '#pragma once\n'
expect clean 0 ""

make_tree sim_includes_net \
  shared/sim/bad.h '#pragma once\n#include <vector>\n#include "net/net_host.h"\n'
expect sim_includes_net 1 \
  'shared/sim/bad.h:3: includes "net/net_host.h" — shared/sim may include only: shared/core'

make_tree sim_reads_clock \
  shared/sim/clock.cpp '#include <chrono>\n'
expect sim_reads_clock 1 \
  'shared/sim/clock.cpp:1: includes <chrono> — shared/sim must never include <chrono>'

make_tree shared_includes_server \
  shared/core/up.h '#include "server/store/store.h"\n'
expect shared_includes_server 1 \
  'shared/core/up.h:1: includes "server/store/store.h" — shared/core must never include server/*'

make_tree enet_outside_net \
  server/arena/arena.cpp '#include "sim/world.h"\n#include <enet/enet.h>\n'
expect enet_outside_net 1 \
  'server/arena/arena.cpp:2: includes <enet/enet.h> — <enet/*> only in: shared/net'

make_tree unknown_folder \
  server/gizmos/gizmo.cpp '#include "core/result.h"\n'
expect unknown_folder 1 \
  'server/gizmos/gizmo.cpp: no rule for server/gizmos: add one to tests/lint/layers.txt'

make_tree bare_quoted_include \
  client_headless/fleet.cpp '#include "fleet.h"\n'
expect bare_quoted_include 1 \
  'client_headless/fleet.cpp:1: includes "fleet.h" — project includes name their folder ("core/x.h", "server/<folder>/x.h", "client_headless/x.h")'

# A table that grants what the architecture forbids is refused before any file is read.
sed 's|^may shared/sim .*|may shared/sim shared/core <chrono>|' "$here/layers.txt" > "$work/contradicting_layers.txt"
cp -r "$work/clean" "$work/contradicting_table"
expect contradicting_table 2 \
  "$work/contradicting_layers.txt:$(grep -n '^may shared/sim ' "$here/layers.txt" | cut -d: -f1): may shared/sim grants <chrono>, but shared/sim must never include <chrono>" \
  --rules "$work/contradicting_layers.txt"

if [ "$failures" -ne 0 ]; then
  echo "check_layers_selftest: $failures case(s) failed"
  exit 1
fi
echo "check_layers_selftest: every case behaved"
