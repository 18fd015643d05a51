"""review profile's argument-key traces (docs/trace-format.md): a workload with known call
sequences under `glintefy review profile`, its perf/traces/*.gtr read back with
`glintefy debug trace` and compared: key equality patterns, seq/parent_seq nesting, flags,
threads, a fork child, the size bound. Part of the review-profile suite."""
import json
import os
import subprocess

from test_review_profile import PERF, PY, Case, profiled
from testlib import ROOT

LIB = """
import functools

def f(x):
    total = 0
    for i in range(x * 10):
        total += i
    return total

def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def check(x):
    if x < 0:
        raise ValueError(x)
    s = 0
    for i in range(x):
        s += i
    return s

class Shape:
    @staticmethod
    def area(w, h):
        s = 0
        for i in range(w):
            s += h
        return s

class Calc:
    def m(self, x):
        s = 0
        for i in range(x):
            s += i * x
        return s

@functools.lru_cache(maxsize=8)
def sq(x):
    s = 0
    for i in range(3):
        s += i
    return s

@functools.lru_cache(maxsize=None)
def lst(x):
    return [x] * 3
"""

MAIN = """
import sys, threading
from lib.work import f, fib, check, Shape, Calc, sq, lst
import lib.work as w
for x in (1, 2, 1, 3):
    f(x)
f(x=1)
fib(3)
Shape.area(2, 3); Shape.area(2, 3)
c = Calc(); c.m(4); c.m(4)
sq(2); sq(3); sq(2)
try:
    sq([1])
except TypeError:
    pass
try:
    check(-1)
except ValueError:
    pass
lst(1)
assert sq.cache_info().hits == 1 and sq.cache_info().misses == 2, sq.cache_info()
assert sq.__wrapped__.__name__ == "sq" and w.f is f and hasattr(sq, "cache_clear")
ts = [threading.Thread(target=fib, args=(3,)) for _ in range(2)]
for t in ts: t.start()
for t in ts: t.join()
if sys.argv[1:] == ["fork"]:
    import multiprocessing as mp
    p = mp.get_context("fork").Process(target=f, args=(7,))
    p.start(); p.join()
"""


def traces(c, binary):
    d = c.path(PERF, "traces")
    out = []
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        r = subprocess.run([os.path.join(ROOT, binary), "debug", "trace", os.path.join(d, name)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise AssertionError("debug trace %s: %s" % (name, r.stderr.decode()))
        out.append(json.loads(r.stdout))
    return out


def by_name(t):
    names = {fn["fid"]: fn["qualname"] for fn in t["functions"]}
    calls = {}
    for call in t["calls"]:
        calls.setdefault(names[call["fid"]], []).append(call)
    return calls


def pattern(calls):
    """Key equality pattern: [0, 1, 0, 2] for keys A B A C."""
    seen = {}
    return [seen.setdefault(x["key_hash"] if "unhashable" not in x["flags"] else ("u", i), len(seen))
            for i, x in enumerate(calls)]


def fib_trees_ok(calls):
    """Every fib(3) tree: root, then fib(2) -> fib(1), fib(0), then fib(1), parents right."""
    by_seq = {x["seq"]: x for x in calls}
    roots = [x for x in calls if x["parent_seq"] not in by_seq]
    for r in roots:
        kids = [x for x in calls if x["parent_seq"] == r["seq"]]
        grand = [x for k in kids for x in calls if x["parent_seq"] == k["seq"]]
        if [x["key_hash"] for x in kids] != [2, 1] or sorted(x["key_hash"] for x in grand) != [0, 1]:
            return False
    return len(roots) == 3 and len(calls) == 15


def t_traces(s, binary):
    c = Case({"lib/__init__.py": "", "lib/work.py": LIB, "main.py": MAIN})
    try:
        c.run(binary, ["profile", "--", PY, "main.py", "fork"])
        why = profiled(c)
        ts = [] if why else traces(c, binary)
        s.check(not why and len(ts) == 2, "traces: one file per process (parent, fork child)", why or repr(ts)[:500])
        if why or len(ts) != 2:
            return
        parent = max(ts, key=lambda t: len(t["calls"]))
        child = min(ts, key=lambda t: len(t["calls"]))
        calls = by_name(parent)
        kinds = {fn["qualname"]: fn["kind"] for fn in parent["functions"]}
        s.check(kinds.get("sq") == "cache" and kinds.get("lst") == "cache" and kinds.get("f") == "candidate"
                and kinds.get("Shape.area") == "candidate" and "Calc.m" not in kinds,
                "traces: caches and candidates wrapped (function, staticmethod), not a method (C201: a "
                "measurement cannot make it a candidate)", repr(kinds))
        fk = [x["key_hash"] for x in calls.get("f", [])]
        s.check(fk[:4] == [1, 2, 1, 3] and len(fk) == 5 and fk[4] not in (1, 2, 3),
                "traces: f(1) f(2) f(1) f(3) f(x=1) keys as lru_cache would hash them", repr(fk))
        s.check(fib_trees_ok(calls.get("fib", [])), "traces: recursion nesting (parent_seq), 2 threads",
                json.dumps(calls.get("fib"))[:600])
        s.check(pattern(calls.get("Shape.area", [])) == [0, 0], "traces: staticmethod keys",
                repr(calls.get("Shape.area")))
        sq = calls.get("sq", [])
        s.check(pattern(sq) == [0, 1, 0, 2] and sq[3]["flags"] == ["raised", "unhashable"] and sq[3]["key_hash"] == 0,
                "traces: existing cache key stream, unhashable argument", repr(sq))
        ck = calls.get("check", [])
        s.check(len(ck) == 1 and ck[0]["flags"] == ["raised"] and ck[0]["result_fp"] == 0, "traces: raising call",
                repr(ck))
        ls = calls.get("lst", [])
        s.check(len(ls) == 1 and ls[0]["flags"] == ["mutable_result"] and ls[0]["result_fp"] != 0,
                "traces: mutable result flagged", repr(ls))
        seqs = [x["seq"] for x in parent["calls"]]
        s.check(seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and parent["overhead_ns"] > 0
                and parent["truncated"] == 0, "traces: seqs unique and sorted, lru hit cost measured",
                repr(parent["overhead_ns"]))
        ck = by_name(child).get("f", [])
        s.check(len(ck) == 1 and ck[0]["key_hash"] == 7 and child["pid"] != parent["pid"],
                "traces: fork child has its own file", repr(child)[:400])
        s.check("traced 6 functions (6 called, 29 calls)" in c.err, "traces: report counts functions and calls", c.err)

        c.run(binary, ["profile", "--", PY, "main.py"], env_extra={"GLINTEFY_TRACE_MAX_BYTES": "400"})
        why = profiled(c)
        ts = [] if why else traces(c, binary)
        s.check(not why and len(ts) == 1 and ts[0]["truncated"] > 0 and len(ts[0]["calls"]) < 10
                and "calls not traced: size bound" in c.err,
                "traces: size bound leaves a T record, old files replaced", why or repr(ts)[:300] + c.err)
    finally:
        c.close()


MAINDEF = """
import sys
from functools import lru_cache

def poly(x):
    t = 0
    for i in range(x):
        t += i * x
    return t

@lru_cache(maxsize=2)
def memo(x):
    return poly(x) + 1

for x in (3, 4, 3):
    poly(x)

def job(x):
    return memo(x)

if __name__ == "__main__":
    for x in (1, 2, 1):
        memo(x)
    print(sys.gettrace())
    if sys.argv[1:] == ["spawn"]:
        import multiprocessing as mp
        with mp.get_context("spawn").Pool(1) as pool:
            print(pool.map(job, [6, 6]))
"""


def t_traces_main(s, binary):
    """Functions of the main module (script, -m, a spawn child's __mp_main__) are traced from the
    top-level calls on, and the watching stops before the program's main part runs."""
    c = Case({"app/__init__.py": "", "app/run.py": MAINDEF})
    try:
        for how, cmd in (("script", [PY, "app/run.py", "spawn"]), ("-m", [PY, "-m", "app.run"])):
            c.run(binary, ["profile", "--"] + cmd)
            why = profiled(c)
            ts = [] if why else traces(c, binary)
            want = 2 if how == "script" else 1
            s.check(not why and len(ts) == want, "traces of the main module (%s): one file per process" % how,
                    why or repr(ts)[:500] + c.err)
            if why or len(ts) != want:
                continue
            main = max(ts, key=lambda t: t["pid"] == min(x["pid"] for x in ts))
            calls = by_name(main)
            poly = [x["key_hash"] for x in calls.get("poly", [])]
            memo = [x["key_hash"] for x in calls.get("memo", [])]
            s.check(poly[:3] == [3, 4, 3] and memo == [1, 2, 1], "traces of the main module (%s): top-level and "
                    "__main__ calls" % how, "poly %r memo %r; %s" % (poly, memo, c.err))
            s.check(c.out.startswith(b"None\n"), "traces of the main module (%s): tracing off before main runs" % how,
                    repr(c.out))
            if how == "script":
                child = [t for t in ts if t is not main][0]
                cm = [x["key_hash"] for x in by_name(child).get("memo", [])]
                s.check(cm == [6, 6] and c.out.endswith(b"[91, 91]\n"), "traces of the main module: spawn child's "
                        "__mp_main__", "memo %r stdout %r" % (cm, c.out))
    finally:
        c.close()


TRACE_TESTS = [t_traces, t_traces_main]
