"""Profile merging: glintefy against pstats on large profiles, in the same run.

Builds a Python module of many small functions (each calling two others, so every row has
callers), profiles several workloads over it with cProfile (each a .prof of tens of thousands of
functions), then times the same job both ways, best of N runs each:
  glintefy profile merge -o OUT P1 ... Pk      (the whole process: read, add, write)
  pstats.Stats(P1).add(P2)...; dump_stats(OUT) (in this process)
and checks the two results are equal. Usage: python3 bench/profile_bench.py [--functions N]
[--profiles K] [--runs N]
"""
import argparse
import cProfile
import importlib.util
import marshal
import os
import pstats
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "glintefy")


def write_module(path, n):
    with open(path, "w") as fp:
        fp.write("import sys\nsys.setrecursionlimit(10000)\n")
        for i in range(n):
            a, b = (i * 7 + 1) % n, (i * 13 + 5) % n
            fp.write("def f%d(d):\n    if d:\n        f%d(d - 1)\n        f%d(d - 1)\n    return d\n" % (i, a, b))
        fp.write("FUNCS = [%s]\n" % ", ".join("f%d" % i for i in range(n)))


def make_profiles(tmp, n, k):
    mod_path = os.path.join(tmp, "bigmod.py")
    write_module(mod_path, n)
    spec = importlib.util.spec_from_file_location("bigmod", mod_path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    paths = []
    for j in range(k):
        funcs = mod.FUNCS[j % 3::1 + j % 2]  # overlapping subsets: some rows new, most added
        p = cProfile.Profile()
        p.enable()
        for f in funcs:
            f(1 + j % 2)
        p.disable()
        path = os.path.join(tmp, "p%d.prof" % j)
        p.dump_stats(path)
        paths.append(path)
    return paths


def best(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--functions", type=int, default=30000)
    ap.add_argument("--profiles", type=int, default=8)
    ap.add_argument("--runs", type=int, default=3)
    opts = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("bench: %s is missing; run make" % BIN)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = make_profiles(tmp, opts.functions, opts.profiles)
        rows = [len(marshal.load(open(p, "rb"))) for p in paths]
        size = sum(os.path.getsize(p) for p in paths)
        print("profiles: %d files, %d-%d functions each, %.1f MB (made in %.1f s)" % (
            len(paths), min(rows), max(rows), size / 1e6, time.perf_counter() - t0))
        ours_out = os.path.join(tmp, "ours.prof")
        ref_out = os.path.join(tmp, "pstats.prof")

        def ours():
            p = subprocess.run([BIN, "profile", "merge", "-o", ours_out] + paths, stderr=subprocess.PIPE)
            if p.returncode:
                sys.exit("bench: glintefy failed: %s" % p.stderr.decode()[:300])

        def reference():
            st = pstats.Stats(paths[0])
            for p in paths[1:]:
                st.add(p)
            st.dump_stats(ref_out)

        t_ours = best(ours, opts.runs)
        t_ref = best(reference, opts.runs)
        same = marshal.load(open(ours_out, "rb")) == marshal.load(open(ref_out, "rb"))
        merged = len(marshal.load(open(ref_out, "rb")))
        print("merged: %d functions; results equal: %s" % (merged, "yes" if same else "NO"))
        print("glintefy profile merge: %.3f s (whole process, best of %d)" % (t_ours, opts.runs))
        print("pstats Stats+add+dump:  %.3f s (in-process, best of %d)" % (t_ref, opts.runs))
        print("ratio: %.1fx faster than pstats" % (t_ref / t_ours))
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
