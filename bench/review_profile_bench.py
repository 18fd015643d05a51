"""`glintefy review profile` against plain `python3 -m cProfile -o`, in the same run, on two
workloads: examples/workload.py and bench/callheavy/run_heavy.py (about 1.1 M calls to candidate
functions: a recursive pure helper, a function taking objects with a Python __hash__, a method in
a hot loop, a small lru_cache). N runs of each command, alternating (drift hits all alike),
medians, and the ratio to cProfile (target: at most 1.15). Then:
- verdicts: `review cache`'s actions on the example after a bounded run (the defaults) and an
  unbounded one (no settling, no time budget) - they must be the same;
- the fast path: ns per call a settled function's wrapper adds when an old reference still
  reaches it (a pass-through), under cProfile, against calling the function itself.
Each workload runs in a temporary copy, so no output lands in the source tree.
Usage: python3 bench/review_profile_bench.py [--runs N] [--orders N] [--scale N]
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "glintefy")
PERF = os.path.join("LLM-CONTEXT", "glintefy", "review", "perf")


def timed(cmd, cwd, env=None):
    """(wall seconds, CPU seconds of the command and its children): on a shared machine the CPU
    time is the steadier figure (other load stretches the wall time of all three alike, but
    not evenly)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return t1 - t0, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def copy(src, tmp, name):
    dst = os.path.join(tmp, name)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("LLM-CONTEXT", "__pycache__"))
    return dst


def compare(label, repo, work, runs):
    py = sys.executable
    plain_cmd = [py] + work
    cprof_cmd = [py, "-m", "cProfile", "-o", os.path.join(repo, "..", os.path.basename(repo) + ".prof")] + work
    ours_cmd = [BIN, "review", "profile", "--", py] + work
    timed(plain_cmd, repo)  # warm the file cache and .pyc files
    plain, cprof, ours = [], [], []
    for _ in range(runs):
        plain.append(timed(plain_cmd, repo))
        cprof.append(timed(cprof_cmd, repo))
        ours.append(timed(ours_cmd, repo))
    med = lambda xs, k: statistics.median(x[k] for x in xs)  # noqa: E731
    mp, mc, mo = med(plain, 1), med(cprof, 1), med(ours, 1)
    wp, wc, wo = med(plain, 0), med(cprof, 0), med(ours, 0)
    r = subprocess.run([BIN, "review", "profile", "--", py] + work, cwd=repo, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, universal_newlines=True)
    traced = [line for line in r.stderr.splitlines() if "traced" in line or "traces:" in line or "budget" in line]
    print("%s, %d runs each, medians (CPU s; wall s):" % (label, runs))
    print("  plain python                      %.3f  %.3f" % (mp, wp))
    print("  python3 -m cProfile -o            %.3f  %.3f" % (mc, wc))
    print("  glintefy review profile -- python %.3f  %.3f" % (mo, wo))
    print("  ratio to cProfile %.2fx CPU, %.2fx wall (target <= 1.15x); cProfile to plain %.2fx CPU"
          % (mo / mc, wo / wc, mc / mp))
    for line in traced:
        print("    " + line.replace("glintefy: ", "").replace("glintefy probe: ", "probe: "))
    return mo / mc


def actions(repo, env, orders):
    subprocess.run([BIN, "review", "profile", "--", sys.executable, "workload.py", str(orders)], cwd=repo, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    subprocess.run([BIN, "review", "cache"], cwd=repo, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(os.path.join(repo, "LLM-CONTEXT", "glintefy", "review", "cache", "cache_recommendations.json")) as fp:
        recs = json.load(fp)
    items = recs.get("recommendations", recs) if isinstance(recs, dict) else recs
    out = []
    for x in items if isinstance(items, list) else []:
        out.append((x.get("file"), x.get("line"), x.get("qualname"), x.get("recommendation"),
                    x.get("suggested_maxsize")))
    return sorted(out, key=repr)


def fast_path_ns():
    """ns per call a pass-through wrapper adds under cProfile (the probe's own _make_wrapper)."""
    code = r"""
import cProfile, importlib.util, itertools, os, sys, time, _thread
spec = importlib.util.spec_from_file_location("probe_src", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
fake = type("T", (), {})()
fake.local = type("_L", (_thread._local,), {"seq": 0})()
fake.next_seq, fake.clock, fake.recs, fake.on = itertools.count(1).__next__, time.perf_counter_ns, [], [True]
fake.flush, fake.flush_mask, fake.mark, fake.busy = None, (1 << 62) - 1, (object(),), set()
fake.get_ident, fake.DEPTH_MAX = _thread.get_ident, 1 << 30
def f(x):
    return x
w = m._make_wrapper(fake, f, 0, False, [1, 0, 0, 0])  # st[0] = 1: settled, pass-through
rec = m._make_wrapper(fake, f, 0, False, [0, 0, 0, 0])  # still recording (for comparison)
p = cProfile.Profile(); p.enable()
best = {}
for name, fn in (("direct", f), ("pass", w), ("record", rec)):
    for _ in range(5):
        del fake.recs[:]
        t0 = time.perf_counter_ns()
        for i in range(20000):
            fn(i)
        ns = (time.perf_counter_ns() - t0) / 20000
        best[name] = min(best.get(name, ns), ns)
p.disable()
print(best["pass"] - best["direct"], best["record"] - best["direct"])
"""
    r = subprocess.run([sys.executable, "-c", code, os.path.join(ROOT, "python", "glintefy", "_probe",
                                                                  "sitecustomize.py")],
                       stdout=subprocess.PIPE, universal_newlines=True, check=True)
    return [float(x) for x in r.stdout.split()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--orders", type=int, default=10000)
    ap.add_argument("--scale", type=int, default=1)
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="glintefy-bench-") as tmp:
        ex = copy(os.path.join(ROOT, "examples"), tmp, "examples")
        heavy = copy(os.path.join(ROOT, "bench", "callheavy"), tmp, "callheavy")
        print("review profile against cProfile (%s, Python %d.%d)" % (os.uname().sysname, *sys.version_info[:2]))
        compare("examples/workload.py %d orders" % opts.orders, ex, ["workload.py", str(opts.orders)], opts.runs)
        compare("bench/callheavy/run_heavy.py (scale %d)" % opts.scale, heavy, ["run_heavy.py", str(opts.scale)],
                opts.runs)
        env = dict(os.environ)
        bounded = actions(ex, env, opts.orders)
        env.update(GLINTEFY_TRACE_SETTLE="0", GLINTEFY_TRACE_SHARE="1e9", GLINTEFY_TRACE_MAX_SECONDS="1e9")
        unbounded = actions(ex, env, opts.orders)
        same = [x[:4] for x in bounded] == [x[:4] for x in unbounded]
        print("verdicts on the example, bounded vs unbounded tracing: %s actions (%d); suggested sizes %s vs %s"
              " (they vary between any two runs: they weigh measured durations)"
              % ("same" if same else "DIFFERENT", len(bounded), [x[4] for x in bounded], [x[4] for x in unbounded]))
        if not same:
            print("  %r\n  %r" % (bounded, unbounded))
    passthrough, record = fast_path_ns()
    print("fast path under cProfile: a settled function's wrapper adds %.0f ns per call (reached through an old"
          " reference; rebound names call the function itself: 0); a recorded call adds %.0f ns"
          % (passthrough, record))


if __name__ == "__main__":
    main()
