#!/bin/sh
# deps.sh - makes sure the build and test tools are present (`make deps`, run by check and demo).
# As root on Debian it installs missing packages itself; otherwise it says what to run.
# Then it installs tests/ref's npm packages (pinned in its package-lock.json) if missing.
set -u
PKGS="gcc make clang libjansson-dev libxxhash-dev"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    for p in $PKGS; do
        dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing="$missing $p"
    done
fi
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
need_npm=no
if [ -f tests/ref/package.json ] && [ ! -d tests/ref/node_modules ]; then
    need_npm=yes
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

if [ "$need_npm" = yes ]; then
    echo "  DEPS    npm ci (tests/ref)"
    (cd tests/ref && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || {
        echo "deps: npm ci in tests/ref failed" >&2; exit 1; }
fi
exit 0
