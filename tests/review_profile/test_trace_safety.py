"""Tracing never changes the program and stays cheap (issue 14; items 8 and 10 of issue 18):
a class with a Python __hash__/__eq__ as a traced function's argument and a traced function
used inside that __hash__ (no re-entry: the run finishes, the program's counts are those of an
untraced run), a cache first called after the trace budget is spent (cut short, nothing
concluded), recursion 30,000 deep (tracing stops, no crash, the profile is kept), and a program
that installs its own profiler (sys.setprofile, cProfile): detected and reported, and on 3.12+
its cProfile works as without glintefy. Part of the review-profile suite."""
import json
import os
import subprocess
import time

from test_review_profile import PERF, PY, Case, other_pythons, profiled
from test_traces import traces

LIB = """
import functools

def mix(i):
    h = i
    for k in range(3):
        h = (h * 31 + k) % 1000003
    return h

class Node:
    def __init__(self, i):
        self.i = i
    def __hash__(self):
        return mix(self.i)
    def __eq__(self, other):
        return isinstance(other, Node) and self.i == other.i

def weight(node):
    s = 0
    for k in range(3):
        s += node.i * k
    return s

def depth(n):
    if n == 0:
        return 0
    return depth(n - 1) + 1

def spread(x):
    t = 0
    for i in range(3):
        t += x * i
    return t

@functools.lru_cache(maxsize=64)
def late(x):
    t = 0
    for i in range(3):
        t += x * i
    return t
"""

HASHY = """
import sys
from lib.work import Node, weight, mix
nodes = [Node(i % 500) for i in range(200000)]
d = {}
for n in nodes:
    d[n] = d.get(n, 0) + 1
tot = sum(weight(n) for n in nodes[:20000])
print(len(d), tot, sum(mix(i) for i in range(1000)))
"""

DEEP = """
import sys
sys.setrecursionlimit(100000)
from lib.work import depth
print(depth(30000), sys.getrecursionlimit())
"""

LATE = """
from lib.work import spread, late
print(sum(spread(i) for i in range(30000)))
print(sum(late(i % 80) for i in range(3000)), late.cache_info())
"""

SETPROF = """
import sys
from lib.work import mix
def hook(frame, event, arg):
    pass
if sys.argv[1] == "setprofile":
    sys.setprofile(hook)
    for i in range(4000): mix(i)
    sys.setprofile(None)
else:
    import cProfile
    p = cProfile.Profile()
    p.enable()
    for i in range(4000): mix(i)
    p.disable()
print("done")
"""

INTRO = """
import inspect, pickle
from lib.work import weight, spread, late
# what pluggy, click, attrs and friends do with a function: argument specs, names, pickling, errors
for f in (weight, spread):
    print(f.__name__, f.__qualname__, inspect.getfullargspec(f), inspect.signature(f))
    print(pickle.loads(pickle.dumps(f)) is f)
# an lru_cache object: getfullargspec raises TypeError on it (documented difference while traced)
print(late.__name__, late.__qualname__, inspect.signature(late), pickle.loads(pickle.dumps(late)) is late)
for i in range(300):
    spread(i); late(i % 7)
try:
    spread(None)
except TypeError as e:
    print(type(e).__name__, e)
print(late.cache_info())
"""


def funcs(c, binary):
    """qualname -> the P summary of the run's (single process) trace."""
    ts = traces(c, binary)
    return {f["qualname"]: f for t in ts for f in t["functions"]}, ts


def plain(c, script, py=PY):
    r = subprocess.run([py] + script, cwd=c.repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return r.returncode, r.stdout


def t_hash_reentry(s, binary):
    c = Case({"lib/__init__.py": "", "lib/work.py": LIB, "hashy.py": HASHY})
    try:
        rc, out = plain(c, ["hashy.py"])
        t0 = time.time()
        c.run(binary, ["profile", "--", PY, "hashy.py"], timeout=300)
        took = time.time() - t0
        why = profiled(c)
        s.check(not why and c.out == out and rc == 0, "trace safety: a Python __hash__ calling a traced function: "
                "the run finishes (%.1f s) with the program's output" % took, why or repr((c.out, out)))
        if why:
            return
        f, _ = funcs(c, binary)
        w, m = f.get("weight", {}), f.get("mix", {})
        s.check(w.get("calls") == 20000 and w.get("key_ns", 0) > 0 and w.get("state") in ("complete", "settled"),
                "trace safety: weight(Node) counted as without glintefy, its key's Python __hash__ cost measured "
                "(key_ns)", repr(w))
        # mix runs 401,000 times in the program; the probe's own key hashing for weight calls it
        # too (at most once per recorded weight call), but those calls are not the program's
        s.check(m.get("calls", 0) >= 401000 and m.get("calls", 0) <= 401000 + w.get("recorded", 0),
                "trace safety: mix, called from Node.__hash__, counted as the program calls it", repr(m))
    finally:
        c.close()


def t_cut_short(s, binary):
    """A cache first called after the byte budget is spent: cut short, with its calls counted
    (cache_info) and none recorded, and review cache concludes nothing from the missing calls."""
    c = Case({"lib/__init__.py": "", "lib/work.py": LIB, "late.py": LATE})
    try:
        rc, out = plain(c, ["late.py"])
        c.run(binary, ["profile", "--", PY, "late.py"], env_extra={"GLINTEFY_TRACE_MAX_BYTES": "20000"})
        why = profiled(c)
        s.check(not why and c.out == out and "trace budget spent" in c.err and "cut short" in c.err,
                "trace budget: the run says once that the budget is spent", why or c.err)
        if why:
            return
        f, _ = funcs(c, binary)
        late = f.get("late", {})
        s.check(late.get("state") == "cut_short" and late.get("recorded") == 0 and late.get("calls") == 3000,
                "trace budget: a cache called only afterwards is cut short, its calls counted", repr(late))
        c.run(binary, ["cache"])
        with open(c.path("LLM-CONTEXT", "glintefy", "review", "cache", "cache_recommendations.json")) as fp:
            recs = json.load(fp).get("recommendations", [])
        acts = [r for r in recs if r.get("qualname") == "late" and r.get("source") != "cache_stats"]
        s.check(c.rc == 0 and not acts, "trace budget: no trace verdict on the cut-short cache", repr(acts))
    finally:
        c.close()


def t_deep_recursion(s, binary):
    c = Case({"lib/__init__.py": "", "lib/work.py": LIB, "deep.py": DEEP})
    try:
        rc, out = plain(c, ["deep.py"])
        c.run(binary, ["profile", "--", PY, "deep.py"])
        why = profiled(c)
        s.check(not why and rc == 0 and c.out == out == b"30000 100000\n",
                "trace safety: recursion 30,000 deep finishes as without glintefy, profile kept", why or repr(c.out))
        if why:
            return
        d, _ = funcs(c, binary)
        d = d.get("depth", {})
        s.check(d.get("state") == "stopped" and d.get("calls") == 30001 and 0 < d.get("recorded", 0) <= 64
                and c.calls("depth") == 30001, "trace safety: deep recursion stops tracing, calls counted", repr(d))
    finally:
        c.close()


def t_introspection(s, binary):
    """A traced function and a traced cache look to the program as without glintefy: their
    argument spec (inspect.getfullargspec does not follow __wrapped__: pluggy read the wrapper's
    (*args, **kwds) and rejected a pytest hook), signature, names, pickling and exceptions."""
    c = Case({"lib/__init__.py": "", "lib/work.py": LIB, "intro.py": INTRO})
    try:
        rc, out = plain(c, ["intro.py"])
        c.run(binary, ["profile", "--", PY, "intro.py"])
        why = profiled(c)
        f, _ = funcs(c, binary) if not why else ({}, None)
        s.check(not why and rc == 0 and c.out == out and f.get("spread", {}).get("calls", 0) >= 300,
                "trace safety: traced functions keep their argument spec, signature, names, pickling, exceptions",
                why or repr((c.out, out, sorted(f))))
    finally:
        c.close()


def t_setprofile(s, binary):
    c = Case({"lib/__init__.py": "", "lib/work.py": LIB, "setprof.py": SETPROF})
    try:
        pys = [(PY, "")] + [(p, " (python %s)" % v) for p, v in other_pythons() if v in ("3.8", "3.12", "3.13")]
        for py, label in pys:
            for how in ("setprofile", "cprofile"):
                rc, out = plain(c, ["setprof.py", how], py)
                c.run(binary, ["profile", "--", py, "setprof.py", how])
                why = profiled(c)
                replaced = "the profile misses its calls after that moment" in c.err
                # 3.12+: sys.setprofile does not touch cProfile's sys.monitoring tool: nothing to report
                v312 = label and tuple(int(x) for x in label.split()[-1].rstrip(")").split(".")) >= (3, 12)
                want = not (how == "setprofile" and v312)
                s.check(not why and rc == 0 and c.out == out == b"done\n" and replaced == want,
                        "profiler replaced by the program (%s)%s: %s" % (how, label, "reported" if want else "not lost"),
                        why or c.err)
    finally:
        c.close()


SAFETY_TESTS = [t_hash_reentry, t_cut_short, t_deep_recursion, t_introspection, t_setprofile]
