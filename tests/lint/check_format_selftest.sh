#!/usr/bin/env bash
# Proves tests/lint/check_format.sh can fail: with the repository's .clang-format, a
# temporary tree holding one badly laid out file must fail (exit 1) naming that file,
# and the same tree laid out by clang-format itself must pass (exit 0).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
checker="$here/check_format.sh"
clang_format="${CLANG_FORMAT:-clang-format-14}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/shared/core"
cp "$here/../../.clang-format" "$work/"
printf '#pragma once\nnamespace qbot::core {\nint  twice( int x ){return 2*x;}\n}\n' > "$work/shared/core/messy.h"
printf '#pragma once\nnamespace qbot::core {\ninline int one() { return 1; }\n}  // namespace qbot::core\n' \
  > "$work/shared/core/tidy.h"

status=0
out="$("$checker" "$work" 2>&1)" || status=$?
if [ "$status" -ne 1 ] || ! grep -q '^shared/core/messy.h:3:[0-9]*: error: code should be clang-formatted$' <<<"$out" ||
   grep -q '^shared/core/tidy.h:' <<<"$out"; then
  echo "FAIL messy tree: exit $status (expected 1, messy.h:3 named, tidy.h not). Output:"; printf '%s\n' "$out"
  exit 1
fi
echo "ok   messy tree (exit 1): $(grep -c '^shared/core/messy.h:3:' <<<"$out") place(s) named on messy.h:3, tidy.h clean"

"$clang_format" --style=file -i "$work/shared/core/messy.h"
status=0
out="$("$checker" "$work" 2>&1)" || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL reformatted tree: exit $status (expected 0). Output:"; printf '%s\n' "$out"
  exit 1
fi
echo "ok   reformatted tree (exit 0)"
echo "check_format_selftest: both cases behaved"
