#!/usr/bin/env bash
# README.md's configuration table is printed by qbot-server itself
# (--print-config-markdown, from server/config_options.cpp). This script puts
# it between README.md's config-table markers; with --check it changes nothing
# and fails when README.md's table differs from the binary's (a ctest runs it).
# Usage: ops/config-doc.sh [--check] [path/to/qbot-server]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
check=0
if [[ "${1:-}" == "--check" ]]; then
  check=1
  shift
fi
BIN="${1:-${QBOT_BUILD_DIR:-$ROOT/build}/server/qbot-server}"
README="${QBOT_README:-$ROOT/README.md}"
BEGIN='<!-- config-table:begin -->'
END='<!-- config-table:end -->'

if [[ ! -x "$BIN" ]]; then
  echo "config-doc: no qbot-server at $BIN (build first, or pass its path)" >&2
  exit 2
fi
for marker in "$BEGIN" "$END"; do
  if [[ "$(grep -cxF -- "$marker" "$README")" != 1 ]]; then
    echo "config-doc: $README must hold the line '$marker' exactly once" >&2
    exit 2
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# An empty environment: QBOT_* variables of this shell must not change the table.
env -i "$BIN" --print-config-markdown >"$work/table.md"
awk -v begin="$BEGIN" -v end="$END" -v table="$work/table.md" '
  $0 == begin { print; print ""; while ((getline line < table) > 0) print line; print ""; skipping = 1; next }
  $0 == end { skipping = 0 }
  !skipping { print }
' "$README" >"$work/README.md"

if ((check)); then
  if ! diff -u "$README" "$work/README.md"; then
    echo "config-doc: README.md's configuration table differs from qbot-server's; run ops/config-doc.sh" >&2
    exit 1
  fi
  echo "config-doc: README.md's configuration table matches qbot-server's"
  exit 0
fi
cp "$work/README.md" "$README"
echo "config-doc: wrote the configuration table into $README"
