"""Fills DIR (default build/fuzz-corpus-trace) with a seed corpus for `make fuzz
FUZZ_TARGET=trace`: small hand-made .gtr traces (docs/trace-format.md) and the saved
regressions (tests/runtime/fuzz-regressions). Files already in DIR are kept."""
import os
import struct
import sys

import seedlib  # noqa: E402  (beside this script)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def header(pid=1, overhead=50, version=1):
    return b"GTR1" + struct.pack("<HHII", version, 0, pid, overhead)


def func(fid, line, kind, file, qual):
    f, q = file.encode(), qual.encode()
    return b"F" + struct.pack("<IIBH", fid, line, kind, len(f)) + f + struct.pack("<H", len(q)) + q


def call(fid, seq, parent, key, dur, fp, flags):
    return b"C" + struct.pack("<IQQqQqB", fid, seq, parent, key, dur, fp, flags)


def summary(fid, calls, recorded, state, key_ns):
    return b"P" + struct.pack("<IQQBQ", fid, calls, recorded, state, key_ns)


def clear(fid, seq, origin, nodeid):
    n = nodeid.encode()
    return b"X" + struct.pack("<IQBH", fid, seq, origin, len(n)) + n


def bound(phase, seq, nodeid):
    n = nodeid.encode()
    return b"B" + struct.pack("<BQH", phase, seq, len(n)) + n


def samples():
    yield header()
    f = func(0, 3, 0, "/r/m.py", "fib") + func(1, 9, 1, "/r/m.py", "C.g")
    yield header() + f + call(0, 2, 1, 1, 100, 1, 0) + call(0, 1, 0, 2, 400, 2, 4)
    yield header() + f + call(1, 1, 0, 0, 5, 0, 3) + b"T" + struct.pack("<Q", 9)
    yield header() + f + b"".join(call(i % 2, i + 1, i, -i, i, i, 0) for i in range(20))
    # version 2: P summaries (one settled, one without a P record)
    yield (header(version=2) + f + call(0, 1, 0, 2, 400, 2, 0) + call(1, 2, 1, 3, 40, 5, 0) +
           summary(0, 900, 1, 1, 12345))
    yield header(version=2) + f + call(1, 1, 0, 0, 5, 0, 3) + summary(1, 3, 1, 2, 0) + b"T" + struct.pack("<Q", 2)
    # version 2: test boundaries and cache_clear() calls (docs/trace-format.md)
    yield (header(version=2) + f + bound(0, 1, "t.py::a") + clear(1, 2, 2, "t.py::a") + call(1, 3, 0, 5, 9, 1, 0) +
           clear(1, 5, 0, "t.py::a") + clear(1, 4, 1, "t.py::a") + bound(1, 6, "t.py::a") + clear(0, 7, 3, ""))


def main(dst):
    seedlib.write(dst, list(samples()) + seedlib.regressions("tests", "runtime", "fuzz-regressions"), "trace")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz-corpus-trace"))
