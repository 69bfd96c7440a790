#!/usr/bin/env bash
# Checks every #include of every .h/.cpp under shared/, server/ and client_headless/
# against the layering rules in tests/lint/layers.txt (the format is described there).
#
#   tests/lint/check_layers.sh [--rules FILE] [ROOT]
#
# ROOT defaults to the repository holding this script. In a git work tree the files are
# the tracked ones plus new, not ignored ones; elsewhere every file found.
# Prints one line per violation:
#   file:line: includes "x" — <folder> may include only: ...
# Exit status: 0 all includes allowed, 1 violations (or a folder without a rule),
# 2 unusable input (bad rules table, no sources, bad arguments).
# Plain bash + POSIX awk (mawk on a minimal Debian): no python.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
rules="$here/layers.txt"
root="$here/../.."
while [ $# -gt 0 ]; do
  case "$1" in
    --rules) rules="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "check_layers: unknown option $1" >&2; exit 2 ;;
    *) root="$1"; shift ;;
  esac
done
[ -f "$rules" ] || { echo "check_layers: no rules table at $rules" >&2; exit 2; }
cd "$root" || exit 2

# Only ask git when ROOT itself is the top of a work tree (a temporary tree made inside
# the build directory would otherwise list the repository's files).
files=()
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" ]; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
    'shared/*.h' 'shared/*.cpp' 'server/*.h' 'server/*.cpp' 'client_headless/*.h' 'client_headless/*.cpp' |
    sort -u | while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done)
else
  mapfile -t files < <(find shared server client_headless -type f \( -name '*.h' -o -name '*.cpp' \) \
    2>/dev/null | sort)
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "check_layers: no .h/.cpp files under $(pwd -P)/{shared,server,client_headless}" >&2
  exit 2
fi

shown_rules="tests/lint/layers.txt"
[ "$rules" -ef "$here/layers.txt" ] || shown_rules="$rules"

exec awk -v RULES="$rules" -v SHOWN="$shown_rules" '
# A glob (* = any run of characters) as an anchored regular expression.
function glob_re(g,    i, c, r) {
  r = "^"
  for (i = 1; i <= length(g); i++) {
    c = substr(g, i, 1)
    if (c == "*") r = r ".*"
    else if (index("\\^$.[]|()+?{}", c) > 0) r = r "\\" c
    else r = r c
  }
  return r "$"
}

function table_error(line, msg) {
  print SHOWN ":" line ": " msg
  table_errors++
}

# The folder an include written "name" lives in, or "" when it names none.
function project_folder(name,    dir) {
  if (name !~ /\//) return ""
  if (name ~ /(^|\/)\.\.?\//) return ""
  if (name ~ /^qbot\/schemas\/[^\/]+$/) return "schemas"
  if (name == "qbot/version.h") return "shared/core"
  if (name ~ /^qbot\/store\/[^\/]+$/) return "server/store"  # the embedded Lua scripts of the store
  if (name ~ /^qbot\/spectator\/[^\/]+$/) return "server/spectator"  # the embedded spectator pages
  if (name ~ /^qbot\//) return ""
  dir = name
  sub(/\/[^\/]*$/, "", dir)
  if (dir ~ /^server(\/|$)/ || dir ~ /^client_headless(\/|$)/) return dir
  return "shared/" dir
}

# Why the architecture (never/only lines) forbids folder to include target, or "".
function forbidden(folder, target,    k, j) {
  for (k = 1; k <= n_never; k++) {
    if (folder !~ never_re[k]) continue
    for (j = 1; j <= never_n[k]; j++)
      if (target ~ never_item_re[k, j])
        return folder " must never include " never_item[k, j] " (" SHOWN ":" never_line[k] ")"
  }
  if (substr(target, 1, 1) == "<")
    for (k = 1; k <= n_only; k++)
      if (target ~ only_re[k] && index(only_folders[k], " " folder " ") == 0)
        return only_glob[k] " only in: " only_list[k] " (" SHOWN ":" only_line[k] ")"
  return ""
}

# A may line must not contradict never/only lines, and must name real rules.
function check_table(    g, parts, folder, item, msg, k, j, n, f) {
  for (g = 1; g <= n_grants; g++) {
    split(grant_at[g], parts, SUBSEP)
    folder = parts[1]; item = parts[2]
    msg = forbidden(folder, item)
    if (msg != "") table_error(may_line[folder], "may " folder " grants " item ", but " msg)
    if (substr(item, 1, 1) != "<" && item != "schemas" && !(item in may_line))
      table_error(may_line[folder], "may " folder " grants " item ", which has no may line")
  }
  for (k = 1; k <= n_only; k++) {
    n = split(only_folders[k], parts, " ")
    for (j = 1; j <= n; j++)
      if (!(parts[j] in may_line))
        table_error(only_line[k], "only " only_glob[k] " names " parts[j] ", which has no may line")
  }
  if (table_errors > 0) {
    print "check_layers: " table_errors " error(s) in " SHOWN
    exit_code = 2
    exit
  }
  checked = 1
}

{ sub(/\r$/, "") }

FILENAME == RULES {
  sub(/#.*/, "")
  if (NF == 0) next
  if (NF < 2) { table_error(FNR, "\"" $0 "\": expected <kind> <name> <items...>"); next }
  if ($1 == "may") {
    if ($2 in may_line) { table_error(FNR, "second may line for " $2 " (first on line " may_line[$2] ")"); next }
    may_line[$2] = FNR
    may_list[$2] = ""
    for (i = 3; i <= NF; i++) {
      grant[$2, $i] = 1
      grant_at[++n_grants] = $2 SUBSEP $i
      may_list[$2] = may_list[$2] (i > 3 ? ", " : "") $i
    }
  } else if ($1 == "never") {
    if (NF < 3) { table_error(FNR, "never " $2 ": nothing listed"); next }
    n_never++
    never_line[n_never] = FNR
    never_re[n_never] = glob_re($2)
    never_n[n_never] = NF - 2
    for (i = 3; i <= NF; i++) {
      never_item[n_never, i - 2] = $i
      never_item_re[n_never, i - 2] = glob_re($i)
    }
  } else if ($1 == "only") {
    if (NF < 3) { table_error(FNR, "only " $2 ": no folder listed"); next }
    if (substr($2, 1, 1) != "<") { table_error(FNR, "only " $2 ": only <header> globs can have an only line"); next }
    n_only++
    only_line[n_only] = FNR
    only_glob[n_only] = $2
    only_re[n_only] = glob_re($2)
    only_folders[n_only] = " "
    only_list[n_only] = ""
    for (i = 3; i <= NF; i++) {
      only_folders[n_only] = only_folders[n_only] $i " "
      only_list[n_only] = only_list[n_only] (i > 3 ? ", " : "") $i
    }
  } else {
    table_error(FNR, "unknown kind \"" $1 "\" (may, never or only)")
  }
  next
}

!checked { check_table() }

FNR == 1 {
  files++
  folder = FILENAME
  if (folder ~ /\//) sub(/\/[^\/]*$/, "", folder)
  else folder = "."
  if (!(folder in may_line) && !(folder in no_rule)) {
    no_rule[folder] = 1
    print FILENAME ": no rule for " folder ": add one to " SHOWN
    problems++
  }
}

!(folder in may_line) { next }
$0 !~ /^[ \t]*#[ \t]*include[ \t]*[<"]/ { next }

{
  text = $0
  sub(/^[ \t]*#[ \t]*include[ \t]*/, "", text)
  open = substr(text, 1, 1)
  closer = (open == "<") ? ">" : "\""
  end = index(substr(text, 2), closer)
  if (end == 0) { print FILENAME ":" FNR ": unterminated #include"; problems++; next }
  name = substr(text, 2, end - 1)
  written = open name closer
  includes++

  target = (open == "<") ? written : project_folder(name)
  if (target == "") {
    print FILENAME ":" FNR ": includes " written " — project includes name their folder (\"core/x.h\", \"server/<folder>/x.h\", \"client_headless/x.h\")"
    problems++
    next
  }
  if (target == folder) next
  why = forbidden(folder, target)
  if (why != "") { print FILENAME ":" FNR ": includes " written " — " why; problems++; next }
  if (target ~ /^<[a-z_0-9]+>$/) next  # the C++ standard library
  if (!((folder, target) in grant)) {
    print FILENAME ":" FNR ": includes " written " — " folder " may include only: " \
          (may_list[folder] == "" ? "its own folder" : may_list[folder])
    problems++
  }
}

END {
  if (exit_code) exit exit_code
  if (!checked) check_table()
  if (exit_code) exit exit_code
  if (problems > 0) {
    print "check_layers: " problems " problem(s) in " files " files (rules: " SHOWN ")"
    exit 1
  }
  print "check_layers: " includes " includes in " files " files follow " SHOWN
}
' "$rules" "${files[@]}"
