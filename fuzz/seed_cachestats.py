"""Fills DIR (default build/fuzz-corpus-cachestats) with a seed corpus for `make fuzz
FUZZ_TARGET=cachestats`: cache_stats.json in each shape docs/profile.md accepts, edge counters,
and the saved regressions (tests/profile/cachestats-fuzz-regressions). Files already in DIR
are kept."""
import json
import os
import sys

import seedlib  # noqa: E402  (beside this script)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def samples():
    entry = {"hits": 90, "misses": 10, "maxsize": 128, "currsize": 10}
    yield [dict(entry, module="m", function="f"), {"module": "m", "function": "g", "error": "not a cache"}]
    yield {"m.f": entry, "pkg.mod.C.g": dict(entry, maxsize=None)}
    yield {"version": 1, "caches": [dict(entry, file="m.py", line=3, qualname="f", module="m", function="f")]}
    yield [{"module": "m", "function": "f", "hits": 0, "misses": 0, "maxsize": 0, "currsize": 0}]
    yield [{"module": "m", "function": "f", "hits": 9223372036854775807, "misses": 9223372036854775807,
            "maxsize": 9223372036854775807, "currsize": 9223372036854775807, "hit_rate": 50.0}]
    yield [{"module": "m", "function": "f", "hits": 1, "misses": 1, "maxsize": 2, "currsize": 3}]


def main(dst):
    items = [json.dumps(s).encode() for s in samples()] + [b"{", b"[1,", b'{"version": 2}']
    seedlib.write(dst, items + seedlib.regressions("tests", "profile", "cachestats-fuzz-regressions"), "cachestats")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz-corpus-cachestats"))
