"""End-to-end tests of trace verdicts in `glintefy review cache` (docs/curves.md): a fixture
repository, .gtr traces written here by a small writer that follows docs/trace-format.md, and
the verdicts: ADD_CACHE, every reason not to, KEEP / REMOVE / ADJUST_SIZE (grow and shrink),
nested calls avoided, cache_recommendations.json. Suite "curves" of tests/check.py."""
import json
import os
import random
import shutil
import struct
import tempfile

from testlib import ROOT, run  # noqa: F401

PERF = os.path.join("LLM-CONTEXT", "glintefy", "review", "perf")
OUT = os.path.join("LLM-CONTEXT", "glintefy", "review", "cache")

SRC = '''\
from functools import lru_cache


def slow(n):
    s = 0
    for i in range(n):
        for j in range(n):
            s += i * j
    return s


def cheap(n):
    total = 0
    for i in range(3):
        total += n
    return total


def unique(n):
    s = 0
    for i in range(n):
        for j in range(n):
            s += i ^ j
    return s


def clock(n):
    s = 0
    for i in range(n):
        for j in range(n):
            s += i - j
    return s


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@lru_cache(maxsize=8)
def small(n):
    return sum(i for i in range(n))


@lru_cache(maxsize=None)
def useless(n):
    return sum(i for i in range(n))


@lru_cache(maxsize=4096)
def big(n):
    return sum(i for i in range(n))


def main():
    for i in range(100):
        slow(i)
        cheap(i)
        unique(i)
        clock(i)
        fib(i)
        small(i)
        useless(i)
        big(i)
'''


class Gtr:
    """Writes a .gtr file (docs/trace-format.md, version 1)."""

    def __init__(self, pid=100, overhead_ns=50):
        self.b = bytearray(b"GTR1" + struct.pack("<HHII", 1, 0, pid, overhead_ns))
        self.fids = {}
        self.seq = 0
        self.calls = []

    def func(self, path, line, qualname, kind=0):
        fid = len(self.fids)
        f, q = path.encode(), qualname.encode()
        self.b += b"F" + struct.pack("<IIB", fid, line, kind) + struct.pack("<H", len(f)) + f + struct.pack("<H", len(q)) + q
        self.fids[qualname] = fid
        return fid

    def call(self, qualname, key, dur, result=None, parent=0, flags=0):
        """Records a call starting now; returns its seq (children name it as parent)."""
        self.seq += 1
        fp = (hash(("r", key)) if result is None else result) & 0xFFFFFFFFFFFFFFFF
        if flags & 1:
            fp = 0
        self.calls.append((self.fids[qualname], self.seq, parent, hash(key) & 0xFFFFFFFFFFFFFFFF, dur, fp, flags))
        return self.seq

    def data(self):
        out = bytearray(self.b)
        # records in end order: children before parents; reverse seq order is one valid order
        for c in sorted(self.calls, key=lambda c: -c[1]):
            out += b"C" + struct.pack("<IQQQQQB", *c)
        return bytes(out)


def make(tmp, only=None):
    """A repository with pkg/work.py and one trace of its functions (only: of these alone)."""
    repo = os.path.join(tmp, "repo")
    os.makedirs(os.path.join(repo, "pkg"))
    with open(os.path.join(repo, "pkg", "__init__.py"), "w") as fp:
        fp.write("")
    with open(os.path.join(repo, "pkg", "work.py"), "w") as fp:
        fp.write(SRC)
    path = os.path.join(repo, "pkg", "work.py")
    lines = SRC.splitlines()

    def line_of(name):
        for i, l in enumerate(lines):
            if l.startswith("def %s(" % name):
                j = i
                while j > 0 and lines[j - 1].startswith("@"):
                    j -= 1
                return j + 1
        raise KeyError(name)

    rnd = random.Random(5)
    g = Gtr()
    for name in ("slow", "cheap", "unique", "clock", "fib"):
        if only is None or name in only:
            g.func(path, line_of(name), name)
    for name in ("small", "useless", "big"):
        if only is None or name in only:
            g.func(path, line_of(name), name, kind=1)

    def call(name, *args, **kw):
        if only is None or name in only:
            g.call(name, *args, **kw)
    for i in range(4000):
        k = rnd.randrange(40)
        call("slow", k, 200_000)              # 40 keys, 200 us: ADD_CACHE
        call("cheap", k, 60)                  # 60 ns: below the cache's cost
        call("unique", i, 200_000)            # never repeats
        call("clock", k, 200_000, result=rnd.randrange(1 << 30))  # time-dependent result
        call("small", rnd.randrange(30), 10_000)   # working set 30 > maxsize 8: grow
        call("useless", i, 10_000)            # no repeats: remove
        call("big", rnd.randrange(20), 10_000)     # 20 keys in a 4096 cache: fine, maybe shrink
    if only is not None:
        os.makedirs(os.path.join(repo, PERF, "traces"))
        with open(os.path.join(repo, PERF, "traces", "trace-100.gtr"), "wb") as fp:
            fp.write(g.data())
        return repo

    def fib(n, parent):
        s = g.call("fib", n, 1000 * (2 ** min(n, 10)), result=n, parent=parent)
        if n >= 2:
            fib(n - 1, s)
            fib(n - 2, s)
    for _ in range(3):
        fib(12, 0)
    os.makedirs(os.path.join(repo, PERF, "traces"))
    with open(os.path.join(repo, PERF, "traces", "trace-100.gtr"), "wb") as fp:
        fp.write(g.data())
    return repo


def by(entries, q):
    for e in entries:
        if e.get("qualname") == q:
            return e
    return None


def run_all(s, binary):
    tmp = tempfile.mkdtemp(prefix="glintefy-curves-")
    try:
        repo = make(tmp)
        r = run(binary, ["review", "--repo", repo, "cache", "-q"], timeout=120)
        why = r.crash()
        if why or r.rc != 0:
            s.fail("review cache with traces", why or "exit %d: %s" % (r.rc, r.err.decode()[:400]))
            return
        s.ok()
        out = os.path.join(repo, OUT)
        recs = json.load(open(os.path.join(out, "cache_recommendations.json")))
        cands = json.load(open(os.path.join(out, "cache_candidates.json")))["candidates"]
        ex = json.load(open(os.path.join(out, "existing_cache_evaluations.json")))["evaluations"]
        s.check(recs["kind"] == "cache_recommendations" and recs["traces"] == 1, "recommendations header", str(recs)[:300])
        rq = {e["qualname"]: e for e in recs["recommendations"]}
        slow = rq.get("slow")
        s.check(slow is not None and slow["recommendation"] == "ADD_CACHE", "slow: ADD_CACHE", json.dumps(recs)[:600])
        if slow:
            s.check(slow["suggested_maxsize"] == "unbounded" and slow["decorator"] == "@functools.cache",
                    "slow: 40 keys, closed: unbounded", json.dumps(slow)[:400])
            ev = slow["evidence"]
            s.check(ev["calls"] == 4000 and ev["distinct_keys"] == 40 and ev["hit_rate_percent_at_suggested"] == 99.0,
                    "slow: evidence", json.dumps(ev)[:400])
            s.check(ev["expected_saving_s"] > 0.7 and ev["expected_saving_percent_of_run"] > 5,
                    "slow: saving", json.dumps(ev)[:400])
            s.check(slow["reason"].startswith("Production data: "), "slow: reason", slow["reason"])
        for q, want in (("cheap", "cache costs"), ("unique", "below hit_rate_threshold"),
                        ("clock", "different results")):
            c = by(cands, q)
            t = c and c.get("trace")
            s.check(t is not None and t["recommendation"] == "NOT_RECOMMENDED" and want in t["reason"] and q not in rq,
                    "%s: not recommended (%s)" % (q, want), json.dumps(c)[:500])
        for q in ("cheap", "unique", "clock"):
            c = by(cands, q)
            codes = [x["code"] for x in (c or {}).get("rejected_because", [])]
            s.check(c is not None and c["verdict"] == "REJECTED" and "R307" in codes,
                    "%s: measured, so rejected as a candidate (R307)" % q, json.dumps(c)[:500])
        c = by(cands, "slow")
        s.check(c is not None and c["verdict"] == "ADD_CACHE" and c["rank"] == 1, "slow: the first candidate",
                json.dumps(c)[:300])
        r = run(binary, ["review", "--repo", repo, "cache"], timeout=120)
        text = r.out.decode("utf-8", "replace")
        s.check(r.rc == 0 and "Actions (3; cache_recommendations.json" in text and
                text.index("Actions") < text.index("Existing caches") and "ADD_CACHE   " in text,
                "text summary leads with the actions", text[:600])
        f = by(cands, "fib")
        t = f and f.get("trace")
        s.check(t is not None and t["evidence"]["avoided_calls"] > 0, "fib: nested calls avoided", json.dumps(f)[:600])
        if t:
            ev = t["evidence"]
            # 3 x fib(12): 13 keys; unbounded: the 2nd and 3rd roots hit, everything under them avoided
            s.check(ev["distinct_keys"] == 13 and ev["hits"] + ev["misses"] + ev["avoided_calls"] == ev["calls"],
                    "fib: hits + misses + avoided = calls", json.dumps(ev)[:400])
        e = by(ex, "small")
        s.check(e is not None and e["recommendation"] == "ADJUST_SIZE" and e["source"] == "trace" and
                e["suggested_maxsize"] and e["suggested_maxsize"] != 8 and "grow" in e["reason"],
                "small: grow", json.dumps(e)[:600])
        if e:
            ev = e["evidence"]
            s.check(ev["hit_rate_percent_at_suggested"] > ev["hit_rate_percent_at_current"] and len(ev["curve"]) >= 3,
                    "small: evidence at current and suggested, curve", json.dumps(ev)[:600])
        e = by(ex, "useless")
        s.check(e is not None and e["recommendation"] == "REMOVE" and "useless" in rq, "useless: REMOVE",
                json.dumps(e)[:400])
        e = by(ex, "big")
        s.check(e is not None and e["recommendation"] == "KEEP" and e["evidence"]["hit_rate_percent"] > 90,
                "big: 20 keys in a 4096 cache: kept (it holds them all)", json.dumps(e)[:400])
        # a broken trace is a warning, the rest goes on
        with open(os.path.join(repo, PERF, "traces", "trace-bad.gtr"), "wb") as fp:
            fp.write(b"GTR1junk")
        r = run(binary, ["review", "--repo", repo, "cache", "--format", "json"], timeout=120)
        s.check(r.rc == 0 and b"trace-bad.gtr" in r.err and b"trace not used" in r.err, "broken trace: warning",
                r.err.decode()[:300])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    nothing_to_do(s, binary)


def nothing_to_do(s, binary):
    """Traces that support no action: the summary says so instead of staying silent."""
    tmp = tempfile.mkdtemp(prefix="glintefy-curves-")
    try:
        repo = make(tmp, only=("cheap", "unique", "big"))
        r = run(binary, ["review", "--repo", repo, "cache"], timeout=120)
        text = r.out.decode("utf-8", "replace")
        s.check(r.rc == 0 and "Actions: none. The measured calls of 3 traced functions" in text
                and "Actions (" not in text, "traces without an action: the summary says so", text[:600])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
