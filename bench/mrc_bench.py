"""`make bench`: the exact LRU miss-ratio curve (every size at once) of 10 M calls over 100 k keys
(Zipf 0.9, docs/curves.md's generator), against one single size simulated in Python with
collections.OrderedDict on the very same trace, in the same run. Targets: the whole curve < 1 s
and faster than Python's one size. Also checks that Python's hits equal the curve's at that size,
and shows NOTES.md's reference points (a different trace generator: close, not equal).

Usage: python3 bench/mrc_bench.py [--bench build/mrc-bench] [--n 10000000] [--keys 100000]"""
import argparse
import array
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = {1000: 0.6581172, 10000: 0.395070, 100000: 0.010000}  # NOTES.md, libCacheSim's trace


def lru_hits(keys, size):
    od = collections.OrderedDict()
    hits = 0
    move, pop = od.move_to_end, od.popitem
    for k in keys:
        if k in od:
            move(k)
            hits += 1
        else:
            od[k] = None
            if len(od) > size:
                pop(last=False)
    return hits


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "mrc-bench"))
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--keys", type=int, default=100_000)
    ap.add_argument("--size", type=int, default=10_000, help="the size Python simulates")
    o = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kf = os.path.join(tmp, "keys.bin")
        sizes = sorted(set(REFERENCE) | {o.size})
        out = subprocess.run([o.bench, str(o.n), str(o.keys), "0.9", "1", kf] + [str(s) for s in sizes],
                             check=True, stdout=subprocess.PIPE).stdout
        res = json.loads(out)
        keys = array.array("Q")
        with open(kf, "rb") as fp:
            keys.frombytes(fp.read())
    keys = keys.tolist()
    t0 = time.perf_counter()
    py_hits = lru_hits(keys, o.size)
    t_py = time.perf_counter() - t0
    ours = res["curve_s"]
    print("mrc: %d calls, %d distinct keys (Zipf 0.9)" % (res["requests"], res["distinct"]))
    print("  exact curve, every size 1..%d: %.3f s (best of 3)   target < 1 s: %s" % (
        res["distinct"], ours, "met" if ours < 1 else "MISSED"))
    print("  Python OrderedDict, size %d only: %.3f s   -> curve %.1fx faster than one Python size" % (
        o.size, t_py, t_py / ours if ours else 0))
    same = py_hits == res["points"][str(o.size)]["hits"]
    print("  hits at size %d: curve %d, OrderedDict %d (%s)" % (
        o.size, res["points"][str(o.size)]["hits"], py_hits, "equal" if same else "DIFFERENT"))
    print("  SHARDS 1%%: %.3f s, miss-ratio error max %.4f, mean %.4f" % (
        res["shards_s"], res["shards_max_error"], res["shards_mean_error"]))
    if o.n == 10_000_000 and o.keys == 100_000:
        for s in sorted(REFERENCE):
            print("  miss ratio at %6d: %.7f (NOTES.md reference %.7f, libCacheSim's trace; diff %+.5f)" % (
                s, res["points"][str(s)]["miss_ratio"], REFERENCE[s], res["points"][str(s)]["miss_ratio"] - REFERENCE[s]))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
