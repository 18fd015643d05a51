"""Fills DIR (default build/fuzz-corpus-mcp) with a seed corpus for `make fuzz FUZZ_TARGET=mcp`:
sessions a client could write on the server's stdin (one JSON-RPC message a line), odd ids and
names, tool calls with good and bad arguments, and the saved regressions (tests/mcp/fuzz-regressions).
Files already in DIR are kept."""
import json
import os
import sys

import seedlib  # noqa: E402  (beside this script)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "f", "version": "1"}}}


def line(m):
    return (json.dumps(m) + "\n").encode()


def call(i, name, args):
    return line({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": name, "arguments": args}})


def samples():
    init = line(INIT) + line({"jsonrpc": "2.0", "method": "notifications/initialized"})
    yield init + line({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    yield init + line({"jsonrpc": "2.0", "id": "p", "method": "ping"}) + b"\n  \r\n"
    yield init + call(2, "review_cache", {"cache_size": 64, "validate": False})
    yield init + call(3, "review_profile", {"command": ["python3", "w.py"], "name": "x", "time_limit_seconds": 5})
    yield init + call(4, "profile_hotspots", {"profile": "w.prof", "min_calls": 5, "limit": 3})
    yield init + call(5, "review_clean", {"dry_run": True, "scope": "perf"})
    yield init + call(6, "profile_hotspots", {"profile": "../x\u0000y"})
    yield line({"jsonrpc": "2.0", "id": 7, "method": "logging/setLevel", "params": {"level": "debug"}})
    yield line({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3, "reason": "x"}})
    yield b'{"jsonrpc":"2.0","id":18446744073709551616,"method":"ping"}\n'
    yield b'{"jsonrpc":"2.0","id":-1e999,"method":"ping"}\n[{"jsonrpc":"2.0"}]\n42\n'
    yield b'{"jsonrpc":"2.0","id":1,"method":"ping\\u0000x"}\n{"jsonrpc": "2.0", "id": 1, "method": \n'
    yield b'{"jsonrpc":"2.0","id":"r","result":{}}\n{"jsonrpc":"2.0","id":1.5,"method":"ping"}'


def main(dst):
    seedlib.write(dst, list(samples()) + seedlib.regressions("tests", "mcp", "fuzz-regressions"), "mcp")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz-corpus-mcp"))
