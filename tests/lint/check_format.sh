#!/usr/bin/env bash
# Checks that every .h/.cpp of the repository is laid out as .clang-format says,
# with clang-format 14 (--dry-run --Werror: nothing is rewritten).
#
#   tests/lint/check_format.sh [ROOT]
#
# ROOT defaults to the repository holding this script. In a git work tree the files
# are the tracked ones plus new, not ignored ones; elsewhere every .h/.cpp under
# shared/, server/, client_headless/ and tests/. CLANG_FORMAT overrides the binary.
# Prints one line per place that needs reformatting ("file:line:col: error: code
# should be clang-formatted"), then a summary with the command that fixes them.
# Exit status: 0 formatted, 1 not formatted, 2 no clang-format or no files.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="${1:-$here/../..}"
clang_format="${CLANG_FORMAT:-clang-format-14}"
if ! command -v "$clang_format" >/dev/null 2>&1; then
  echo "check_format: $clang_format not found (Debian: apt-get install clang-format; ops/deps.sh does)" >&2
  exit 2
fi
cd "$root" || exit 2
[ -f .clang-format ] || { echo "check_format: no .clang-format in $(pwd -P)" >&2; exit 2; }

files=()
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" ]; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.h' '*.cpp' |
    sort -u | while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done)
else
  mapfile -t files < <(find shared server client_headless tests -type f \( -name '*.h' -o -name '*.cpp' \) \
    2>/dev/null | sort)
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "check_format: no .h/.cpp files under $(pwd -P)" >&2
  exit 2
fi

# Fast path: one clang-format over all files; a formatted tree ends here.
if printf '%s\0' "${files[@]}" | xargs -0 "$clang_format" --style=file --dry-run --Werror >/dev/null 2>&1; then
  echo "check_format: ${#files[@]} files formatted as .clang-format says"
  exit 0
fi
# Otherwise one clang-format per file (two at a time): a file it cannot read or parse is told
# apart from a file that is merely not formatted. Of each violation clang-format
# prints the location, the source line and a caret; only the location is kept.
check_one='for f; do
  out="$("$0" --style=file --dry-run --Werror "$f" 2>&1)" && continue
  if grep -q "code should be clang-formatted" <<<"$out"; then
    awk -v f="$f:" "index(\$0, f) == 1 && /: error: code should be clang-formatted/" <<<"$out" |
      sed -E "s/ \[-Wclang-format-violations\]\$//"
  else
    echo "!$f: $0 failed: $(head -n 1 <<<"$out")"
  fi
done'
report="$(printf '%s\0' "${files[@]}" | xargs -0 -n 16 -P "${QBOT_LINT_JOBS:-2}" bash -c "$check_one" "$clang_format" |
  sort -t: -k1,1 -k2,2n -k3,3n)"
failed="$(grep '^!' <<<"$report" | cut -c2- || true)"
violations="$(grep -v '^!' <<<"$report" || true)"

if [ -n "$failed" ]; then
  printf '%s\n' "$failed"
  echo "check_format: $clang_format could not check $(printf '%s\n' "$failed" | wc -l) file(s)"
  exit 2
fi
if [ -n "$violations" ]; then
  printf '%s\n' "$violations"
  nfiles="$(printf '%s\n' "$violations" | cut -d: -f1 | sort -u | wc -l)"
  echo "check_format: $(printf '%s\n' "$violations" | wc -l) place(s) in $nfiles of ${#files[@]} files need reformatting;"
  echo "  fix: git ls-files '*.h' '*.cpp' | xargs $clang_format -i"
  exit 1
fi
echo "check_format: ${#files[@]} files formatted as .clang-format says"
