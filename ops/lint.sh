#!/usr/bin/env bash
# Static checks of the whole tree, in three steps; all run, and the script fails if any
# step fails:
#   1. layers  tests/lint/check_layers.sh: every #include against tests/lint/layers.txt
#   2. format  tests/lint/check_format.sh: clang-format-14 --dry-run --Werror on every
#              tracked .h/.cpp (.clang-format)
#   3. tidy    clang-tidy 14 (.clang-tidy) on the product sources: shared/, server/,
#              client_headless/ (tests are not checked)
#
#   ops/lint.sh [--no-format] [--no-tidy] [--analyze]
#     --analyze   add the clang static analyzer (clang-analyzer-*) to step 3 (5x slower)
#   QBOT_BUILD_DIR  build directory with compile_commands.json (default build/); when
#                   it has none, it is configured and the generated headers are built
#   QBOT_LINT_JOBS  parallel clang-format / clang-tidy processes (default 2)
# Needs clang-format-14 and clang-tidy-14 (Debian: apt-get install clang-format clang-tidy).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${QBOT_BUILD_DIR:-$ROOT/build}"
JOBS="${QBOT_LINT_JOBS:-2}"
export QBOT_LINT_JOBS="$JOBS"
run_format=1 run_tidy=1 analyze=0
for arg in "$@"; do
  case "$arg" in
    --no-format) run_format=0 ;;
    --no-tidy) run_tidy=0 ;;
    --analyze) analyze=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "ops/lint.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

failed=()
step() { echo; echo "== ops/lint.sh: $1"; }

step "layers (tests/lint/layers.txt)"
"$ROOT/tests/lint/check_layers.sh" || failed+=(layers)

if [ "$run_format" -eq 1 ]; then
  step "format (.clang-format, clang-format-14)"
  "$ROOT/tests/lint/check_format.sh" "$ROOT" || failed+=(format)
fi

# Runs clang-tidy on the product translation units of compile_commands.json and prints
# each finding once (a header's findings repeat in every unit that includes it).
# Fails on any finding, or when clang-tidy itself cannot run.
run_tidy() {
  local tidy=clang-tidy-14
  command -v "$tidy" >/dev/null 2>&1 || { echo "clang-tidy-14 not found (apt-get install clang-tidy)"; return 1; }
  if [ ! -f "$BUILD_DIR/compile_commands.json" ]; then
    echo "no $BUILD_DIR/compile_commands.json: configuring (and generating the FlatBuffers headers)"
    cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${QBOT_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  fi
  # Sources include the flatc output; make sure it exists and is current.
  cmake --build "$BUILD_DIR" --target qbot_schemas_gen -j"$JOBS" >/dev/null

  local units=()
  mapfile -t units < <(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$BUILD_DIR/compile_commands.json" |
    grep -E "^$ROOT/(shared|server|client_headless)/" | sort -u)
  [ "${#units[@]}" -gt 0 ] || { echo "no product sources in $BUILD_DIR/compile_commands.json"; return 1; }
  local extra=()
  [ "$analyze" -eq 1 ] && extra=('--checks=clang-analyzer-*')

  local log started=$SECONDS status=0
  log="$(mktemp)"
  echo "clang-tidy on ${#units[@]} translation units, $JOBS at a time..."
  printf '%s\0' "${units[@]}" |
    xargs -0 -n 1 -P "$JOBS" "$tidy" -p "$BUILD_DIR" --quiet --use-color=false "${extra[@]}" >"$log" 2>&1 || status=$?
  local findings
  findings="$(grep -E '^/.*:[0-9]+:[0-9]+: (warning|error): ' "$log" | sed "s|^$ROOT/||" | sort -u || true)"
  # "N lines including whitespace and comments" notes say by how much a function is too long.
  local sizes
  sizes="$(awk -v root="$ROOT/" '
    /warning: function .* exceeds recommended size/ { loc = $1; sub(root, "", loc); fn = $0
      sub(/^[^\x27]*\x27/, "", fn); sub(/\x27.*$/, "", fn); next }
    fn != "" && /note: [0-9]+ lines including/ { n = $0; sub(/^.*note: /, "", n); sub(/ lines.*$/, "", n)
      print "  " loc " " fn ": " n " lines"; fn = "" }' "$log" | sort -u)"
  if [ -n "$findings" ]; then
    printf '%s\n' "$findings"
    echo "findings per check:"
    sed -E 's/.*\[([^]]+)\]$/\1/' <<<"$findings" | sort | uniq -c | sort -rn
    [ -n "$sizes" ] && { echo "functions over the 80-line limit:"; printf '%s\n' "$sizes"; }
  fi
  if [ "$status" -ne 0 ] && [ -z "$findings" ]; then
    cat "$log"
    echo "clang-tidy failed (exit $status) without findings: see above"
  fi
  echo "clang-tidy: $(grep -c . <<<"$findings" || true) finding(s), $((SECONDS - started)) s"
  rm -f "$log"
  [ -z "$findings" ] && [ "$status" -eq 0 ]
}

if [ "$run_tidy" -eq 1 ]; then
  step "tidy (.clang-tidy, clang-tidy-14)"
  run_tidy || failed+=(tidy)
fi

echo
if [ "${#failed[@]}" -gt 0 ]; then
  echo "ops/lint.sh: FAILED: ${failed[*]}"
  exit 1
fi
echo "ops/lint.sh: all checks passed"
