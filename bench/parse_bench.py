"""Parser throughput: glintefy against CPython's ast.parse over the whole local standard library.

Both parse the same files (those CPython accepts) in one process each, best of 3 runs; only
parsing is timed (files are read beforehand). MB is 10^6 bytes. Also prints the peak memory
for the largest file: our arena bytes, and CPython's tracemalloc peak during ast.parse.
Usage: python3 bench/parse_bench.py [--runs N] [--python 3.11]
"""
import argparse
import ast
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "lib"))
import testlib  # noqa: E402

BIN = os.path.join(testlib.ROOT, "build", "glintefy")


def accepted_files():
    top = testlib.stdlib_dir()
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rel in testlib.stdlib_files():
            path = os.path.join(top, rel)
            with open(path, "rb") as fp:
                data = fp.read()
            try:
                ast.parse(data, path)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            out.append((path, data))
    return out


def ours(listfile, python):
    p = subprocess.run([BIN, "debug", "parse", "--time", "--quiet", "--python", python, "@" + listfile],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1) or "MB/s:" not in p.stdout:
        sys.exit("bench: glintefy debug parse failed (exit %d): %s" % (p.returncode, p.stderr.strip()[:500]))
    kv = dict(l.split(": ", 1) for l in p.stdout.splitlines() if ": " in l)
    return {
        "seconds": float(kv["seconds"]),
        "bytes": int(kv["bytes"]),
        "rejected": int(re.search(r"\((\d+) rejected\)", kv["files"]).group(1)),
        "largest": kv.get("largest file", "?"),
        "arena": int(kv.get("largest file arena bytes", "0")),
    }


def cpython(files):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        for path, data in files:
            ast.parse(data, path)
        return time.perf_counter() - t0


def cpython_peak(path, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tracemalloc.start()
        tree = ast.parse(data, path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del tree
    return peak


def mb(n):
    return "%.1f MB" % (n / 1e6)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--python", default="3.11")
    opts = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("bench: %s is missing; run make" % BIN)
    files = accepted_files()
    total = sum(len(d) for _, d in files)
    print("bench: %d files of %s, %s (the files CPython %s accepts)" % (
        len(files), testlib.stdlib_dir(), mb(total), sys.version.split()[0]))
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as fp:
        fp.write("".join(p + "\n" for p, _ in files))
        listfile = fp.name
    try:
        runs = [ours(listfile, opts.python) for _ in range(opts.runs)]
    finally:
        os.unlink(listfile)
    best = min(runs, key=lambda r: r["seconds"])
    cp = min(cpython(files) for _ in range(opts.runs))
    our_rate = best["bytes"] / 1e6 / best["seconds"]
    cp_rate = total / 1e6 / cp
    largest_path, largest_data = max(files, key=lambda f: len(f[1]))
    print("glintefy debug parse:  %7.1f MB/s  (%.3f s, best of %d, one process, one core)" % (
        our_rate, best["seconds"], opts.runs))
    print("CPython ast.parse:     %7.1f MB/s  (%.3f s, best of %d)" % (cp_rate, cp, opts.runs))
    print("ratio:                 %7.1fx" % (our_rate / cp_rate))
    print("largest file:          %s" % best["largest"])
    print("peak memory for it:    glintefy arena %s; CPython ast.parse %s (tracemalloc)" % (
        mb(best["arena"]), mb(cpython_peak(largest_path, largest_data))))
    if best["rejected"]:
        print("note: glintefy rejected %d of these files (see make check's conformance)" % best["rejected"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
