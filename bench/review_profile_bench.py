"""`glintefy review profile` against plain `python3 -m cProfile -o` on the example workload, in
the same run: N runs each (alternating, so drift hits both alike), medians, and the ratio
(target: at most 1.25). The workload runs in a temporary copy of examples/, so no output lands
in the source tree. Usage: python3 bench/review_profile_bench.py [--runs N] [--orders N]
"""
import argparse
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "glintefy")


def timed(cmd, cwd):
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--orders", type=int, default=10000)
    opts = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="glintefy-bench-") as tmp:
        repo = os.path.join(tmp, "examples")
        shutil.copytree(os.path.join(ROOT, "examples"), repo,
                        ignore=shutil.ignore_patterns("LLM-CONTEXT", "__pycache__"))
        plain_out = os.path.join(tmp, "plain.prof")
        work = ["workload.py", str(opts.orders)]
        plain_cmd = [py, "-m", "cProfile", "-o", plain_out] + work
        ours_cmd = [BIN, "review", "profile", "--", py] + work
        timed([py] + work, repo)  # warm the file cache and .pyc files
        plain, ours = [], []
        for _ in range(opts.runs):
            plain.append(timed(plain_cmd, repo))
            ours.append(timed(ours_cmd, repo))
        bare = statistics.median(timed([py] + work, repo) for _ in range(max(1, opts.runs // 2)))
        ours_prof = os.path.join(repo, "LLM-CONTEXT", "glintefy", "review", "perf", "test_profile.prof")
        a, b = pstats.Stats(plain_out), pstats.Stats(ours_prof)
    mp, mo = statistics.median(plain), statistics.median(ours)
    print("review profile: examples/workload.py %d orders, %d runs each, medians (no profiler: %.3f s)"
          % (opts.orders, opts.runs, bare))
    print("  python3 -m cProfile -o            %.3f s  (%d calls)" % (mp, a.total_calls))
    print("  glintefy review profile -- python %.3f s  (%d calls, cache_stats.json too)" % (mo, b.total_calls))
    print("  ratio %.2fx (target <= 1.25x)" % (mo / mp))


if __name__ == "__main__":
    main()
