"""`make bench`: `glintefy review cache` over a copy of the local standard library, next to
CPython merely parsing the same files with ast.parse, in the same run. Prints wall time (best of
N) and peak RSS of each, and the ratio. Targets: < 0.5 s wall on 2 cores, < 300 MB.

Usage: python3 bench/cache_bench.py [--binary build/glintefy] [--runs 5] [--stdlib DIR]"""
import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CPYTHON_PARSE = r'''
import ast, sys, time, warnings
warnings.simplefilter("ignore")
paths = [l for l in sys.stdin.read().split("\n") if l]
t0 = time.perf_counter()
n = 0
for p in paths:
    with open(p, "rb") as fp:
        src = fp.read()
    try:
        ast.parse(src, p)
        n += 1
    except (SyntaxError, ValueError):
        pass
print("%.6f %d" % (time.perf_counter() - t0, n))
'''


def copy_stdlib(src, dst):
    """Copies every .py of src (not site-packages) to dst, keeping the tree."""
    n = size = 0
    for d, dirs, files in os.walk(src):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "dist-packages", "__pycache__"))
        rel = os.path.relpath(d, src)
        for f in files:
            if f.endswith(".py"):
                os.makedirs(os.path.join(dst, rel), exist_ok=True)
                shutil.copyfile(os.path.join(d, f), os.path.join(dst, rel, f))
                n += 1
                size += os.path.getsize(os.path.join(d, f))
    return n, size


def measure(cmd, stdin=None):
    """Runs cmd; returns (wall seconds, peak RSS in MB, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if stdin is not None:
        p.stdin.write(stdin)
        p.stdin.close()
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        sys.exit("cache_bench: %s failed (status %r)" % (cmd[0], status))
    return wall, ru.ru_maxrss / 1024.0, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "glintefy"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--stdlib", default=sysconfig.get_paths()["stdlib"])
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="glintefy-cache-bench-")
    try:
        repo = os.path.join(tmp, "stdlib")
        nfiles, nbytes = copy_stdlib(a.stdlib, repo)
        # the files a review reads, for CPython too
        r = subprocess.run([a.binary, "debug", "sources", "--repo", repo], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, check=True)
        paths = [os.path.join(repo, l.split("\t")[0]) for l in r.stdout.decode().splitlines() if l.count("\t") == 2]
        ours = [measure([a.binary, "review", "--repo", repo, "cache", "-q"]) for _ in range(a.runs)]
        wall, rss = min(x[0] for x in ours), max(x[1] for x in ours)
        median = sorted(x[0] for x in ours)[len(ours) // 2]
        r = subprocess.run([a.binary, "review", "--repo", repo, "cache", "--format", "json"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, check=True)
        import json
        doc = json.loads(r.stdout)
        cp = [measure([sys.executable, "-c", CPYTHON_PARSE], "\n".join(paths).encode()) for _ in range(a.runs)]
        cp_wall, cp_rss = min(x[0] for x in cp), max(x[1] for x in cp)
        cp_parse = min(float(x[2].split()[0]) for x in cp)
        cnt = doc["counts"]
        print("review cache bench: %d files, %.1f MB (copy of %s), %d cores online" % (
            len(paths), nbytes / 1e6, a.stdlib, os.cpu_count() or 0))
        print("  glintefy review cache: %.3f s wall (best of %d; median %.3f s), peak RSS %.0f MB; %d functions, "
              "%d existing caches, %d candidates, %d files skipped" % (wall, a.runs, median, rss, cnt["functions"],
                                                                      cnt["existing_caches"],
                                                 cnt["candidates_accepted"], cnt["files_skipped"]))
        print("  CPython ast.parse only: %.3f s wall (parse loop %.3f s), peak RSS %.0f MB" % (cp_wall, cp_parse, cp_rss))
        print("  ratio (CPython parse loop / glintefy whole review): %.1fx; targets: < 0.5 s %s, < 300 MB %s" % (
            cp_parse / wall if wall else 0, "met" if wall < 0.5 else "NOT met", "met" if rss < 300 else "NOT met"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
