#!/bin/sh
# demo.sh - glintefy's workflow on the example project (run by `make demo`): profile the
# workload, review the caches with that evidence, validate the actions by running the workload
# again with them applied in memory, then a look at the front end underneath.
# Works on a copy in build/demo-repo, so examples/ stays as it is.
set -e
cd "$(dirname "$0")/.."
# The Python package from this tree (python/glintefy) runs the binary it finds in build/,
# as an installed one runs PREFIX/bin/glintefy: the demo types what users type.
PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}"; export PYTHONPATH
GLINTEFY_BIN="$PWD/build/glintefy"; export GLINTEFY_BIN
G="python3 -m glintefy"
if [ -t 1 ]; then B=$(printf '\033[1m'); N=$(printf '\033[0m'); else B=; N=; fi
step() { printf '\n%s$ %s%s\n' "$B" "$*" "$N"; }

rm -rf build/demo-repo
mkdir -p build/demo-repo
cp -R examples/shop examples/workload.py build/demo-repo/
cd build/demo-repo

step "$G --version"
$G --version

step "$G review profile -- python3 workload.py 2000    # every Python process of the command is profiled"
$G review profile -- python3 workload.py 2000

step "$G review cache    # static analysis + the profile and cache statistics just recorded"
$G review cache

step "head -c 900 LLM-CONTEXT/glintefy/review/cache/existing_cache_evaluations.json"
head -c 900 LLM-CONTEXT/glintefy/review/cache/existing_cache_evaluations.json; echo; echo "..."

step "$G review cache -q --validate    # runs the profiled command again, as it is and with the actions applied in memory"
$G review cache -q --validate

step "$G review cache --diff    # the actions as a patch of the sources (git apply accepts it)"
$G review cache --diff > cache.diff
cat cache.diff

step "$G review cache --fix    # applied to the files; then a new review finds them done"
$G review cache --fix
$G review cache -q --no-html
python3 -c 'import json; r = json.load(open("LLM-CONTEXT/glintefy/review/cache/cache_recommendations.json"))["recommendations"]; print("actions left after --fix:", len(r))'

step "$G review clean --dry-run    # what 'review clean' would delete"
$G review clean --dry-run

cd ../..
printf '\n%sThe report: %s\n' "$B$N" "$PWD/build/demo-repo/LLM-CONTEXT/glintefy/review/cache/report.html (open it in a browser; written before --fix)"
printf 'The diff:   %s\n' "$PWD/build/demo-repo/cache.diff"
step "printf 'print(f\"{x!r:>{w}}\")\\n' | $G debug ast - | head -c 300    # the parser underneath: CPython's tree"
printf 'print(f"{x!r:>{w}}")\n' | $G debug ast - | head -c 300; echo; echo "..."

step "printf 'def f(:\\n' | $G debug ast -    # a syntax error: CPython's message, exit status 1"
printf 'def f(:\n' | $G debug ast - || echo "(exit status $?)"
