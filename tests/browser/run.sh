#!/usr/bin/env bash
# The browser test (ctest: browser_spectator): installs the pinned
# playwright-core into the build directory (never at product build time),
# then runs spectator.test.mjs against Debian's chromium.
#   run.sh BUILD_DIR
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BUILD_DIR="$(cd "$1" && pwd)"
WORK="$BUILD_DIR/browser-test"
CHROMIUM="${QBOT_CHROMIUM:-/usr/bin/chromium}"
mkdir -p "$WORK"
[ -x "$CHROMIUM" ] || { echo "run.sh: $CHROMIUM missing: ops/deps.sh installs chromium" >&2; exit 1; }
command -v node >/dev/null || { echo "run.sh: node missing: ops/deps.sh installs nodejs and npm" >&2; exit 1; }
if ! cmp -s "$HERE/package.json" "$WORK/package.json" || [ ! -d "$WORK/node_modules/playwright-core" ]; then
  cp "$HERE/package.json" "$WORK/package.json"
  (cd "$WORK" && npm install --no-audit --no-fund --ignore-scripts --loglevel error)
fi
exec node "$HERE/spectator.test.mjs" --build "$BUILD_DIR" --work "$WORK" --chromium "$CHROMIUM"
