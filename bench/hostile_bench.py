"""`make bench`: hostile inputs that once took seconds to minutes, each timed end to end through
the CLI with a bound (issue 18): include/exclude globs that make a backtracking matcher take
exponential time, a pyproject.toml table of 80,000 keys, a 1 M-digit hex literal (with CPython's
own time on the same literal), and `review cache` over a trace of 100,000 functions (on the
release build and, when built, the ASan one). Exits 1 if any case exceeds its bound.

Usage: python3 bench/hostile_bench.py [--binary build/glintefy]"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, cwd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return time.perf_counter() - t0, p


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "glintefy"))
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    tmp = tempfile.mkdtemp(prefix="glintefy-hostile-")
    failed = 0
    try:
        # a 120-character name and a 60-deep path, with globs that backtrack exponentially
        deep = os.path.join(tmp, "globs", *(["d"] * 60))
        os.makedirs(deep)
        open(os.path.join(deep, "x.py"), "w").close()
        open(os.path.join(tmp, "globs", "a" * 117 + ".py"), "w").close()
        with open(os.path.join(tmp, "globs", "pyproject.toml"), "w") as fp:
            fp.write("[tool.glintefy.review.cache]\ninclude = ['*a*a*a*a*a*b', '*a*a*a*a*a*a*b', %r]\n"
                     % ("**/" * 8 + "y.py"))
        # 80,000 keys in one table, the last a duplicate
        os.makedirs(os.path.join(tmp, "keys"))
        with open(os.path.join(tmp, "keys", "pyproject.toml"), "w") as fp:
            fp.write("[tool.other]\n" + "".join("k%d = %d\n" % (i, i) for i in range(80000)) + "k0 = 1\n")
        # a 1 M-digit hex literal
        os.makedirs(os.path.join(tmp, "hex"))
        with open(os.path.join(tmp, "hex", "big.py"), "w") as fp:
            fp.write("x = 0x" + "f" * 1000000 + "\n")

        # a trace of 100,000 traced functions, one call each (9 MB)
        trace_repo = os.path.join(tmp, "trace")
        perf = os.path.join(trace_repo, "LLM-CONTEXT", "glintefy", "review", "perf", "traces")
        os.makedirs(perf)
        with open(os.path.join(trace_repo, "m.py"), "w") as fp:
            fp.write("".join("def f%d(x):\n    return x + 1\n\n" % i for i in range(2000)))
        real = os.path.realpath(trace_repo)
        body = [b"GTR1" + struct.pack("<HHII", 1, 0, 1, 50)]
        for i in range(100000):
            f, q = (real + "/m.py").encode(), ("f%d" % i).encode()
            body.append(b"F" + struct.pack("<IIBH", i, 1 + 3 * (i % 2000), 0, len(f)) + f + struct.pack("<H", len(q)) + q)
        body += [b"C" + struct.pack("<IQQqQqB", i, i + 1, 0, i, 1000, 1, 0) for i in range(100000)]
        with open(os.path.join(perf, "wide.gtr"), "wb") as fp:
            fp.write(b"".join(body))

        asan = os.path.join(ROOT, "build", "asan", "glintefy")
        cases = [
            ("globs: *a*a*a*a*a*b, six stars, **/ x8 (was 31 s, >300 s, 88 s)", "globs",
             [binary, "debug", "sources"], 0, 2.0),
            ("pyproject.toml with 80,000 keys and a duplicate (was 10.8 s)", "keys",
             [binary, "debug", "config"], 1, 2.0),
            ("1 M-digit hex literal, debug ast (was 21 s)", "hex",
             [binary, "debug", "ast", "big.py"], 0, 2.0),
            ("review cache, trace of 100,000 functions (was 70 s)", "trace",
             [binary, "review", "cache"], 0, 5.0),
        ]
        if os.path.exists(asan):
            cases.append(("  the same, ASan build (was over 300 s)", "trace", [asan, "review", "cache"], 0, 30.0))
        for title, d, cmd, want_rc, bound in cases:
            dt, p = timed(cmd, os.path.join(tmp, d))
            ok = p.returncode == want_rc and dt < bound
            failed += not ok
            print("hostile: %-68s %6.3f s (bound %.0f s)%s" % (title, dt, bound,
                  "" if ok else "  FAILED: exit %d %r" % (p.returncode, p.stderr[-200:])))
        dt, p = timed([sys.executable, "-c", "import ast; ast.parse(open('big.py').read())"], os.path.join(tmp, "hex"))
        print("hostile: %-68s %6.3f s" % ("  CPython %d.%d ast.parse of the same literal" % sys.version_info[:2], dt))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
