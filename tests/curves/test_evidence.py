"""Golden tests of the evidence rules (docs/evidence-rules.md): one case per rule, each a small
repository with one cache or candidate and the evidence review profile would leave (.gtr traces
of format version 2 with their P records, cache_stats.json, a .prof), and the verdict as golden
JSON in tests/curves/evidence/CASE.json. GLINTEFY_UPDATE_GOLDEN=1 rewrites the golden files
(then read the diff). Part of suite "curves" of tests/check.py."""
import json
import marshal
import os
import shutil
import struct
import tempfile

from testlib import ROOT, run

PERF = os.path.join("LLM-CONTEXT", "glintefy", "review", "perf")
OUT = os.path.join("LLM-CONTEXT", "glintefy", "review", "cache")
GOLDEN = os.path.join(ROOT, "tests", "curves", "evidence")
COMPLETE, SETTLED, CUT_SHORT, STOPPED = 0, 1, 2, 3


def src(maxsize):
    """pkg/m.py: the cache `c` (line 4, decorator on line 4, def on 5) and the plain function `f`."""
    deco = "@lru_cache(maxsize=%s)" % maxsize
    return ("from functools import lru_cache\n\n\n%s\ndef c(n):\n    return sum(i for i in range(n))\n\n\n"
            "def f(n):\n    return n + 1\n\n\ndef main():\n    for i in range(10):\n        c(i)\n        f(i)\n" % deco)


C_LINE, F_LINE = 4, 9


class Gtr:
    """A .gtr file, format version 2 (docs/trace-format.md)."""

    def __init__(self, pid, overhead_ns=50):
        self.b = bytearray(b"GTR1" + struct.pack("<HHII", 2, 0, pid, overhead_ns))
        self.seq = 0
        self.calls = []
        self.summary = {}

    def func(self, fid, path, line, qualname, kind):
        f, q = path.encode(), qualname.encode()
        self.b += b"F" + struct.pack("<IIB", fid, line, kind) + struct.pack("<H", len(f)) + f + struct.pack("<H", len(q)) + q

    def call(self, fid, key, dur):
        self.seq += 1
        self.calls.append((fid, self.seq, 0, hash(key) & 0xFFFFFFFFFFFFFFFF, dur, hash(("r", key)) & 0xFFFFFFFFFFFFFFFF, 0))

    def data(self, summaries):
        out = bytearray(self.b)
        for c in sorted(self.calls, key=lambda c: -c[1]):
            out += b"C" + struct.pack("<IQQQQQB", *c)
        for fid, (calls, state) in summaries.items():
            recorded = sum(1 for c in self.calls if c[0] == fid)
            out += b"P" + struct.pack("<IQQBQ", fid, max(calls, recorded), recorded, state, 0)
        return bytes(out)


def trace(repo, pid, keys, dur, state=COMPLETE, seen=None, fkeys=None, fdur=0):
    """One process: the cache called with `keys` (each `dur` ns), optionally f with fkeys."""
    path = os.path.join(repo, "pkg", "m.py")
    g = Gtr(pid)
    g.func(0, path, C_LINE, "c", 1)
    g.func(1, path, F_LINE, "f", 0)
    for k in keys:
        g.call(0, k, dur)
    for k in fkeys or []:
        g.call(1, k, fdur)
    d = os.path.join(repo, PERF, "traces")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "trace-%d.gtr" % pid), "wb") as fp:
        fp.write(g.data({0: (len(keys) if seen is None else seen, state), 1: (len(fkeys or []), COMPLETE)}))


def stats(repo, entries):
    os.makedirs(os.path.join(repo, PERF), exist_ok=True)
    with open(os.path.join(repo, PERF, "cache_stats.json"), "w") as fp:
        json.dump([dict(module="pkg.m", function="c", **e) for e in entries], fp)


def profile(repo, rows):
    """A pstats file: {(file, line, name): (cc, nc, tt, ct, callers)}."""
    os.makedirs(os.path.join(repo, PERF), exist_ok=True)
    path = os.path.join(repo, "pkg", "m.py")
    d = {(path, line, name): (n, n, ct, ct, {}) for (name, line, n, ct) in rows}
    d[("~", 0, "<built-in method builtins.exec>")] = (1, 1, 0.0, 1.0, {})
    with open(os.path.join(repo, PERF, "test_profile.prof"), "wb") as fp:
        marshal.dump(d, fp)


def cyc(n, k):
    return [i % k for i in range(n)]


# case -> (maxsize, evidence builder, extra review cache args)
CASES = {
    # a cache the workload never called: KEEP, not exercised (not "REMOVE, 0.0% over 0 calls")
    "not-called": ("None", lambda r: trace(r, 1, [], 0), []),
    # called only after the trace budget was spent: the whole run's cache_info() decides
    "after-trace-budget": ("128", lambda r: (trace(r, 1, [], 0, CUT_SHORT, seen=2000),
                                             stats(r, [{"hits": 1990, "misses": 10, "maxsize": 128, "currsize": 10}])), []),
    # the same without cache_info(): nothing to judge, said so
    "after-trace-budget-no-stats": ("128", lambda r: trace(r, 1, [], 0, CUT_SHORT, seen=2000), []),
    # two workloads, only one calls the cache: the evidence is summed, the cache is kept
    "two-workloads": ("128", lambda r: (trace(r, 1, cyc(5000, 10), 20000), trace(r, 2, [], 0),
                                        stats(r, [{"hits": 4990, "misses": 10, "maxsize": 128, "currsize": 10},
                                                  {"hits": 0, "misses": 0, "maxsize": 128, "currsize": 0}])), []),
    # fewer calls than min_calls: no REMOVE on 10 unique calls
    "below-min-calls": ("None", lambda r: trace(r, 1, list(range(10)), 1000), []),
    # no repeats over 5000 calls: REMOVE, with its gain
    "poor-remove": ("None", lambda r: trace(r, 1, list(range(5000)), 1000), []),
    # the same recorded prefix of a trace cut short: no REMOVE from a partial trace
    "cut-short-no-remove": ("None", lambda r: trace(r, 1, list(range(5000)), 1000, CUT_SHORT, seen=90000), []),
    # full, 0 hits, and each call cheaper than a hit (profile): REMOVE
    "full-poor-cheap": ("128", lambda r: (stats(r, [{"hits": 0, "misses": 5000, "maxsize": 128, "currsize": 128}]),
                                          profile(r, [("c", C_LINE, 5000, 0.0002)])), []),
    # full, 0 hits, each call costly: KEEP, and what would settle it
    "full-poor-costly": ("128", lambda r: (stats(r, [{"hits": 0, "misses": 5000, "maxsize": 128, "currsize": 128}]),
                                           profile(r, [("c", C_LINE, 5000, 0.5)])), []),
    # maxsize 8 for 30 keys: grow to a bounded size with headroom, not "unbounded"
    "grow-bounded": ("8", lambda r: trace(r, 1, cyc(4000, 30), 10000), []),
    # 12 keys in a maxsize=1024 cache at 99.9%: trace and cache_info() agree (KEEP: shrinking frees nothing)
    "oversized-trace": ("1024", lambda r: trace(r, 1, cyc(12000, 12), 10000), []),
    "oversized-stats": ("1024", lambda r: stats(r, [{"hits": 11988, "misses": 12, "maxsize": 1024, "currsize": 12}]), []),
    # an unbounded cache holding 4000 keys where 100 give 95% of the saving: shrink, entries freed
    "shrink-frees": ("None", lambda r: trace(r, 1, [i % 100 if i % 20 else 1000 + i for i in range(40000)], 10000), []),
    # a candidate the static rules call too cheap (C210), measured worth it at --speedup 0.1:
    # ADD_CACHE everywhere, its saving capped at the profile's time
    "speedup-candidate": ("None", lambda r: (trace(r, 1, [], 0, fkeys=cyc(3000, 5), fdur=200000),
                                             profile(r, [("f", F_LINE, 3000, 0.1)])), ["--speedup", "0.1"]),
}


def verdict(repo):
    out = os.path.join(repo, OUT)
    ev = json.load(open(os.path.join(out, "existing_cache_evaluations.json")))["evaluations"]
    cands = json.load(open(os.path.join(out, "cache_candidates.json")))["candidates"]
    recs = json.load(open(os.path.join(out, "cache_recommendations.json")))["recommendations"]
    md = open(os.path.join(out, "summary.md")).read()
    x = [e for e in ev if e["qualname"] == "c"][0]
    keep = ("recommendation", "source", "reach", "note", "calls", "suggested_maxsize", "gain", "reason")
    got = {"cache": {k: x.get(k) for k in keep if k in x}}
    cf = [c for c in cands if c["qualname"] == "f"][0]
    got["candidate_f"] = {"verdict": cf["verdict"], "trace": (cf.get("trace") or {}).get("recommendation"),
                          "capped": (cf.get("trace") or {}).get("evidence", {}).get("capped_by_profile", False)}
    got["actions"] = sorted("%s %s" % (r["recommendation"], r["qualname"]) for r in recs)
    # after its title, summary.md opens with the actions, as the terminal does
    got["summary_opens_with_actions"] = [l for l in md.split("\n") if l.startswith("#")][1] == "## Actions"
    return got


def run_all(s, binary):
    update = os.environ.get("GLINTEFY_UPDATE_GOLDEN") == "1"
    for name, (maxsize, build, args) in CASES.items():
        tmp = tempfile.mkdtemp(prefix="glintefy-evidence-")
        try:
            repo = os.path.join(tmp, "repo")
            os.makedirs(os.path.join(repo, "pkg"))
            open(os.path.join(repo, "pkg", "__init__.py"), "w").close()
            with open(os.path.join(repo, "pkg", "m.py"), "w") as fp:
                fp.write(src(maxsize))
            build(repo)
            r = run(binary, ["review", "--repo", repo, "cache"] + args, timeout=120)
            why = r.crash()
            if why or r.rc != 0:
                s.fail("evidence %s" % name, why or "exit %d: %s" % (r.rc, r.err.decode()[:400]))
                continue
            got = verdict(repo)
            text = r.out.decode("utf-8", "replace")
            # the terminal's actions are the file's actions
            block = text.split("\nActions (", 1)[1].split("\n\n", 1)[0] if "\nActions (" in text else ""
            term = sorted(l.split()[0] + " " + l.split()[2] for l in block.splitlines()
                          if l.startswith("  ") and l.split()[0] in ("ADD_CACHE", "REMOVE", "ADJUST_SIZE"))
            s.check(term == got["actions"], "evidence %s: terminal actions = cache_recommendations.json" % name,
                    "%r vs %r" % (term, got["actions"]))
            path = os.path.join(GOLDEN, name + ".json")
            if update:
                os.makedirs(GOLDEN, exist_ok=True)
                with open(path, "w") as fp:
                    json.dump(got, fp, indent=2, sort_keys=True)
                    fp.write("\n")
            want = json.load(open(path)) if os.path.exists(path) else None
            s.check(want == got, "evidence %s: golden" % name,
                    "got %s" % json.dumps(got, indent=1, sort_keys=True)[:1500])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
