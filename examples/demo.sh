#!/bin/sh
# demo.sh - what glintefy does so far, on the example project (run by `make demo`).
# Today that is the front end: the syntax tree of a file, and parsing speed. The cache
# review (profile -> verdicts) comes in later issues and will be shown here when it exists.
set -e
cd "$(dirname "$0")/.."
# The Python package from this tree (python/glintefy) runs the binary it finds in build/,
# as an installed one runs PREFIX/bin/glintefy: the demo types what users type.
PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}"; export PYTHONPATH
GLINTEFY_BIN="$PWD/build/glintefy"; export GLINTEFY_BIN
G="python3 -m glintefy"
if [ -t 1 ]; then B=$(printf '\033[1m'); N=$(printf '\033[0m'); else B=; N=; fi
step() { printf '\n%s$ %s%s\n' "$B" "$*" "$N"; }

step "$G --version"
$G --version

step "$G debug ast examples/shop/pricing.py | python3 -m json.tool > build/demo-ast.json; head -40 build/demo-ast.json"
$G debug ast examples/shop/pricing.py | python3 -m json.tool > build/demo-ast.json
head -40 build/demo-ast.json
echo "... ($(wc -l < build/demo-ast.json) lines in build/demo-ast.json)"

step "printf 'print(f\"{x!r:>{w}}\")\\n' | $G debug ast --python 3.11 - | head -c 300"
printf 'print(f"{x!r:>{w}}")\n' | $G debug ast --python 3.11 - | head -c 300; echo

step "printf 'def f(:\\n' | $G debug ast -    # a syntax error: message, exit status 1"
printf 'def f(:\n' | $G debug ast - || echo "(exit status $?)"

step "$G debug parse --time examples/workload.py examples/shop/*.py"
$G debug parse --time examples/workload.py examples/shop/*.py

step "python3 examples/workload.py    # the workload that later issues will profile"
(cd examples && python3 workload.py)
