#!/usr/bin/env bash
# Checks ops/systemd/qbot-server.service with `systemd-analyze verify`, which
# only warns (exit 0) on unknown keys and bad values: any output is a failure.
# ExecStart must exist, so the unit is verified with its path pointed at the
# qbot-server given (a build tree's), in a temporary copy.
#   ops/systemd/verify.sh [path/to/qbot-server]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-/usr/local/bin/qbot-server}"
[ -x "$bin" ] || { echo "verify.sh: no executable qbot-server at $bin" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
sed "s#^ExecStart=/usr/local/bin/qbot-server#ExecStart=$(realpath "$bin")#" "$here/qbot-server.service" \
  > "$tmp/qbot-server.service"
grep -q "^ExecStart=$(realpath "$bin")" "$tmp/qbot-server.service" || { echo "verify.sh: ExecStart not found" >&2; exit 2; }
out="$(SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$tmp/qbot-server.service" 2>&1)" || {
  echo "$out"; echo "verify.sh: systemd-analyze verify failed" >&2; exit 1; }
if [ -n "$out" ]; then
  echo "$out"
  echo "verify.sh: systemd-analyze verify printed the above: fix the unit" >&2
  exit 1
fi
echo "verify.sh: qbot-server.service verifies cleanly"
