#!/usr/bin/env bash
# Regenerate the expected outputs of the golden tests from real CPython.
#
# Usage (from anywhere): tests/ref/regen.sh [CASE.py...]
#   Without arguments, every tests/golden/**/*.py is regenerated.
#
# For each CASE.py (paths are taken relative to the repository root, exactly as the test
# runner passes them to `build/glintefy debug ast`):
#   - CASE.args containing `--python 3.11`  -> reference is the local python3 (must be 3.11)
#   - otherwise (3.14, the default)          -> reference is Pyodide's CPython 3.14.2
# The reference is tests/tools/ast_to_json.py in both cases. A tree becomes CASE.json (the
# JSON line + "\n", i.e. exactly the CLI's stdout); a rejection "ERROR L:C: msg" becomes
# CASE.err = "CASE.py:L:C: msg\n" (exactly the CLI's stderr). The other file is removed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

if [ $# -gt 0 ]; then
  cases=()
  for f in "$@"; do
    f=$(realpath --relative-to="$root" "$f")
    cases+=("$f")
  done
else
  mapfile -t cases < <(find tests/golden -name '*.py' -type f | LC_ALL=C sort)
fi

new=() old=()
for f in "${cases[@]}"; do
  args="${f%.py}.args"
  if [ -f "$args" ] && grep -Eq -- '--python[ =]3\.11([^0-9]|$)' "$args"; then
    old+=("$f")
  elif [ -f "$args" ] && grep -q -- '--python' "$args" && ! grep -Eq -- '--python[ =]3\.14([^0-9]|$)' "$args"; then
    echo "regen: $f: unsupported --python in $args (only 3.11 and 3.14 have references)" >&2
    exit 1
  else
    new+=("$f")
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# write_results LISTFILE OUTFILE: pair the i-th case with the i-th output line.
write_results() {
  local n_cases n_lines
  n_cases=$(wc -l < "$1"); n_lines=$(wc -l < "$2")
  if [ "$n_cases" != "$n_lines" ]; then
    echo "regen: expected $n_cases output lines, got $n_lines" >&2
    exit 1
  fi
  while IFS= read -r f <&3 && IFS= read -r out <&4; do
    base="${f%.py}"
    if [[ "$out" == "ERROR "* ]]; then
      rest="${out#ERROR }"            # "L:C: msg"
      printf '%s:%s\n' "$f" "$rest" > "$base.err"
      rm -f "$base.json"
    else
      printf '%s\n' "$out" > "$base.json"
      rm -f "$base.err"
    fi
  done 3< "$1" 4< "$2"
}

if [ ${#new[@]} -gt 0 ]; then
  if [ ! -d tests/ref/node_modules/pyodide ]; then
    (cd tests/ref && npm ci --no-audit --no-fund)
  fi
  printf '%s\n' "${new[@]}" > "$tmp/new.list"
  node tests/ref/pyref.mjs "${new[@]}" > "$tmp/new.out"
  write_results "$tmp/new.list" "$tmp/new.out"
  echo "regen: ${#new[@]} case(s) from CPython 3.14 (pyodide)"
fi

if [ ${#old[@]} -gt 0 ]; then
  ver=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  if [ "$ver" != "3.11" ]; then
    echo "regen: local python3 is $ver, not 3.11; skipping ${#old[@]} --python 3.11 case(s)" >&2
  else
    printf '%s\n' "${old[@]}" > "$tmp/old.list"
    python3 tests/tools/ast_to_json.py "${old[@]}" > "$tmp/old.out"
    write_results "$tmp/old.list" "$tmp/old.out"
    echo "regen: ${#old[@]} case(s) from CPython 3.11 (local python3)"
  fi
fi
