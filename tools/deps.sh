#!/bin/sh
# deps.sh - makes sure the build and test tools are present (`make deps`, run by check and demo).
# As root on Debian it installs missing packages itself; otherwise it says what to run.
# Then it installs the npm packages of tests/ref and tests/mcp (pinned in their package-lock.json) if missing.
set -u
# python3-pytest, -pytest-xdist: the pytest-plugin suite; python3-venv, -setuptools, -wheel, -pip:
# the packaging suite (pip install . offline, no build isolation); chromium: the html suite
PKGS="gcc make clang libjansson-dev libxxhash-dev python3-pytest python3-pytest-xdist python3-venv python3-setuptools python3-wheel python3-pip chromium"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    for p in $PKGS; do
        dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing="$missing $p"
    done
fi
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
need_npm=no
for d in tests/ref tests/mcp; do
    if [ -f $d/package.json ] && [ ! -d $d/node_modules ]; then need_npm=yes; fi
done
if [ "$need_npm" = yes ]; then
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi

if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "  DEPS    apt-get install$missing"
        log=$(mktemp)
        if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
               DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; } >"$log" 2>&1; then
            cat "$log"; rm -f "$log"
            echo "deps: apt-get failed" >&2; exit 1
        fi
        rm -f "$log"
    else
        echo "deps: missing packages:$missing" >&2
        echo "deps: install them with: sudo apt-get update && sudo apt-get install -y$missing" >&2
        exit 1
    fi
fi

# tests/ref: the Pyodide reference; tests/mcp: the MCP SDK client that drives `glintefy mcp`.
for d in tests/ref tests/mcp; do
    if [ -f $d/package.json ] && [ ! -d $d/node_modules ]; then
        echo "  DEPS    npm ci ($d)"
        (cd $d && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || {
            echo "deps: npm ci in $d failed" >&2; exit 1; }
    fi
done
exit 0
