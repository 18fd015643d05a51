"""End-to-end tests of the pytest plugin (python/glintefy/pytest_plugin.py) and of what `review
cache` makes of its traces, on tests/pytest_plugin/project: a cache that an autouse fixture empties
before every test. As measured it hits nothing; in production (the tests' and fixtures' clears
left out) 90%+; the verdict must follow production and say why. Also: pytest-xdist `-n 2`,
`-p no:cacheprovider`, a failing session (profile written, pytest's status kept), the session
without the plugin (clears of unknown origin: the verdict follows the measured rate), no binary,
and `review merge` of two CI shards. Needs pytest and pytest-xdist (Debian: python3-pytest,
python3-pytest-xdist, installed by tools/deps.sh)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import testlib  # noqa: E402
from testlib import ROOT  # noqa: E402

PROJECT = os.path.join(HERE, "project")
PERF = os.path.join("LLM-CONTEXT", "glintefy", "review", "perf")
CACHE = os.path.join("LLM-CONTEXT", "glintefy", "review", "cache")
NTESTS = 34  # 30 parametrized + test_fails_when_asked + 3 in test_origins


def find_python():
    """An interpreter with pytest and pytest-xdist: Debian's first (what tools/deps.sh installs)."""
    for py in ("/usr/bin/python3", sys.executable, shutil.which("python3")):
        if py and os.path.exists(py):
            r = subprocess.run([py, "-c", "import pytest, xdist"], capture_output=True)
            if r.returncode == 0:
                return py
    return None


class Project:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="glintefy-pytest-")
        self.repo = os.path.join(self.dir, "repo")
        shutil.copytree(PROJECT, self.repo)

    def env(self, binary, extra=None):
        e = testlib.env()
        e["PYTHONPATH"] = os.path.join(ROOT, "python")
        e["GLINTEFY_BIN"] = os.path.join(ROOT, binary)
        e["TMPDIR"] = self.dir
        e["PYTHONDONTWRITEBYTECODE"] = "1"
        e.pop("SHOP_FAIL", None)
        e.update(extra or {})
        return e

    def run(self, argv, binary, extra=None, cwd=None):
        return subprocess.run(argv, cwd=cwd or self.repo, env=self.env(binary, extra), capture_output=True,
                              timeout=300)

    def pytest(self, py, binary, args, extra=None):
        return self.run([py, "-m", "pytest", "-q", "-p", "glintefy.pytest_plugin"] + args, binary, extra)

    def traces(self, binary, perf=None):
        d = os.path.join(perf or os.path.join(self.repo, PERF), "traces")
        out = []
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            r = subprocess.run([os.path.join(ROOT, binary), "debug", "trace", os.path.join(d, name)],
                               capture_output=True)
            out.append(json.loads(r.stdout) if r.returncode == 0 else {"error": r.stderr.decode()})
        return out

    def verdict(self, binary, name="price"):
        """review cache's evaluation of shop.prices.NAME, and the run."""
        r = self.run([os.path.join(ROOT, binary), "review", "cache"], binary)
        try:
            with open(os.path.join(self.repo, CACHE, "existing_cache_evaluations.json")) as fp:
                doc = json.load(fp)
        except (OSError, ValueError):
            return None, r
        rows = doc.get("evaluations", doc.get("caches", doc)) if isinstance(doc, dict) else doc
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and row.get("qualname", row.get("function")) == name:
                return row, r
        return None, r

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def evidence(row):
    ev = row.get("trace_evidence") or row.get("evidence") or {}
    return ev if isinstance(ev, dict) else {}


def clears_by_origin(traces):
    n = {}
    for t in traces:
        for c in t.get("cache_clears", []):
            n[c["origin"]] = n.get(c["origin"], 0) + 1
    return n


def check_production_verdict(s, what, row, r, measured_max=10.0):
    if not s.check(row is not None, what, "no evaluation of price: %s" % r.stderr.decode()[-600:]):
        return
    ev = evidence(row)
    reason = row.get("reason", "")
    s.check(row.get("recommendation") == "KEEP", what + ": KEEP", "%s: %s" % (row.get("recommendation"), reason))
    s.check(ev.get("hit_rate_basis") == "production", what + ": basis", json.dumps(ev)[:400])
    s.check((ev.get("hit_rate_percent_production") or 0) >= 90, what + ": production >= 90%", json.dumps(ev)[:400])
    s.check(ev.get("hit_rate_percent_measured", 100) <= measured_max, what + ": measured looks useless", json.dumps(ev)[:400])
    s.check("as in production" in reason and "left out" in reason, what + ": the reason says why", reason)


def test_session(s, binary, py):
    p = Project()
    try:
        r = p.pytest(py, binary, ["--glintefy"])
        out = r.stdout.decode() + r.stderr.decode()
        s.check(r.returncode == 0, "plain session: exit 0", out[-800:])
        s.check("%d passed" % NTESTS in out, "plain session: the tests ran", out[-800:])
        s.check("glintefy: profiled" in out, "plain session: profiled by review profile", out[-800:])
        s.check(os.path.isfile(os.path.join(p.repo, PERF, "test_profile.prof")), "plain session: profile written", out[-400:])
        traces = p.traces(binary)
        s.check(len(traces) == 1 and traces[0].get("version") == 2, "plain session: one v2 trace", str(traces)[:300])
        tests = [b for t in traces for b in t.get("tests", [])]
        starts = [b["nodeid"] for b in tests if b["phase"] == "start"]
        ends = [b["nodeid"] for b in tests if b["phase"] == "end"]
        s.check(len(starts) == NTESTS and starts == ends, "plain session: a start and an end per test",
                "%d starts, %d ends" % (len(starts), len(ends)))
        s.check("tests/test_prices.py::test_basket[0]" in starts, "plain session: node ids", str(starts[:3]))
        # who cleared: the autouse fixture before each of the 33 tests, the test body once, the code once
        n = clears_by_origin(traces)
        s.check(n == {"fixture": NTESTS + 1, "test": 1, "code": 1}, "plain session: clears by origin", str(n))
        clears = [c for t in traces for c in t.get("cache_clears", [])]
        body = [c for c in clears if c["origin"] == "test"]
        s.check(body and body[0]["nodeid"] == "tests/test_origins.py::test_clears_in_the_test_body",
                "plain session: the clear's test", str(body))
        row, rr = p.verdict(binary)
        check_production_verdict(s, "plain session", row, rr)
        if row:
            clears = evidence(row).get("cache_clears", {})
            s.check(clears == {"code": 1, "test": 1, "fixture": NTESTS + 1, "unknown": 0}, "plain session: clears in the evidence",
                    str(clears))
            s.check("code's kept" in row.get("reason", ""), "plain session: the code's clear is kept", row.get("reason", ""))
        # a cache the tests never call: traced (its module was imported), 0 calls: not exercised,
        # never judged from the curve (docs/evidence-rules.md, rule 3)
        row, rr = p.verdict(binary, "tax_rate")
        s.check(row is not None and row.get("recommendation") == "KEEP" and row.get("note") == "not-exercised"
                and row.get("calls") == 0,
                "plain session: a cache never called is not judged from the trace", str(row)[:400])
        # maxsize=LABEL_SLOTS (another module's constant): the running cache's maxsize, not a guess
        row, rr = p.verdict(binary, "label")
        s.check(row is not None and evidence(row).get("current_maxsize") == 1000 and "1000" in row.get("reason", ""),
                "plain session: an unspelled maxsize is the running cache's", str(row)[:600])
    finally:
        p.cleanup()


def test_xdist_failing(s, binary, py):
    """-n 2 workers (processes: one trace each), no cacheprovider, a failing test."""
    p = Project()
    try:
        r = p.pytest(py, binary, ["--glintefy", "-n", "2", "-p", "no:cacheprovider"], {"SHOP_FAIL": "1"})
        out = r.stdout.decode() + r.stderr.decode()
        s.check(r.returncode == 1, "xdist failing: pytest's exit status 1 kept", "rc %d: %s" % (r.returncode, out[-800:]))
        s.check("1 failed" in out and "%d passed" % (NTESTS - 1) in out, "xdist failing: the tests ran", out[-800:])
        s.check(not os.path.exists(os.path.join(p.repo, ".pytest_cache")), "xdist failing: -p no:cacheprovider honoured",
                str(os.listdir(p.repo)))
        traces = p.traces(binary)
        workers = [t for t in traces if t.get("calls")]
        s.check(len(workers) == 2, "xdist failing: a trace per worker", "%d traces with calls" % len(workers))
        starts = sorted(b["nodeid"] for t in traces for b in t.get("tests", []) if b["phase"] == "start")
        s.check(len(starts) == NTESTS and len(set(starts)) == NTESTS, "xdist failing: each test marked once",
                "%d starts" % len(starts))
        s.check(clears_by_origin(traces).get("fixture") == NTESTS + 1, "xdist failing: fixture clears", str(clears_by_origin(traces)))
        row, rr = p.verdict(binary)
        check_production_verdict(s, "xdist failing", row, rr)
    finally:
        p.cleanup()


def test_without_plugin(s, binary, py):
    """`review profile -- python -m pytest` alone: the probe sees clears from conftest.py and a
    test file but cannot tell fixture from test: unknown origin, the verdict follows the measured
    hit rate and says how to do better."""
    p = Project()
    try:
        r = p.run([os.path.join(ROOT, binary), "review", "profile", "--", py, "-m", "pytest", "-q", "-p", "no:glintefy"], binary)
        s.check(r.returncode == 0, "without plugin: exit 0", r.stderr.decode()[-600:])
        traces = p.traces(binary)
        n = clears_by_origin(traces)
        s.check(n.get("unknown") == NTESTS + 1 and n.get("code") == 2, "without plugin: clears of unknown origin", str(n))
        s.check(not any(t.get("tests") for t in traces), "without plugin: no test boundaries", "")
        row, rr = p.verdict(binary)
        if s.check(row is not None, "without plugin: evaluated", rr.stderr.decode()[-400:]):
            ev = evidence(row)
            s.check(ev.get("hit_rate_basis") == "measured", "without plugin: basis measured", json.dumps(ev)[:300])
            s.check("pytest --glintefy" in row.get("reason", ""), "without plugin: the reason says what to do",
                    row.get("reason", ""))
    finally:
        p.cleanup()


def test_no_binary(s, binary, py):
    p = Project()
    try:
        r = p.pytest(py, binary, ["--glintefy"], {"GLINTEFY_BIN": os.path.join(p.dir, "missing")})
        err = r.stderr.decode()
        s.check(r.returncode == 4 and "the tests were not run" in err, "no binary: usage error, says so",
                "rc %d: %s" % (r.returncode, err[-400:]))
    finally:
        p.cleanup()


def prof_calls(path, name):
    """Primitive calls of functions called `name` in a pstats file (read with pstats itself)."""
    import pstats
    st = pstats.Stats(path)
    return sum(v[0] for k, v in st.stats.items() if k[2] == name)


def cache_rows(path):
    with open(path) as fp:
        return {(c["file"], c["qualname"]): c for c in json.load(fp)["caches"]}


def test_merge(s, binary, py):
    """Two CI shards (one test file each), merged in a third checkout: profiles added, cache
    statistics summed, traces kept per process; review cache judges them as one run."""
    shards = [Project(), Project()]
    main = Project()
    try:
        for p, part in zip(shards, ("tests/test_prices.py", "tests/test_origins.py")):
            r = p.pytest(py, binary, ["--glintefy", part])
            s.check(r.returncode == 0, "merge: shard %s ran" % part, r.stderr.decode()[-400:])
        perfs = [os.path.join(p.repo, PERF) for p in shards]
        # one shard given as its perf/ folder, the other as its repository
        r = main.run([os.path.join(ROOT, binary), "review", "merge", perfs[0], shards[1].repo], binary)
        err = r.stderr.decode()
        s.check(r.returncode == 0, "merge: exit 0", err[-600:])
        out = os.path.join(main.repo, PERF)
        want = sum(prof_calls(os.path.join(d, "test_profile.prof"), "price") for d in perfs)
        got = prof_calls(os.path.join(out, "test_profile.prof"), "price") if os.path.exists(os.path.join(out, "test_profile.prof")) else -1
        s.check(want > 0 and got == want, "merge: profiles added", "price calls %d, shards %d" % (got, want))
        a, b = (cache_rows(os.path.join(d, "cache_stats.json")) for d in perfs)
        m = cache_rows(os.path.join(out, "cache_stats.json")) if os.path.exists(os.path.join(out, "cache_stats.json")) else {}
        key = ("shop/prices.py", "price")
        ok = key in m and all(m[key][f] == a.get(key, {}).get(f, 0) + b.get(key, {}).get(f, 0) for f in ("hits", "misses"))
        s.check(ok, "merge: cache statistics summed", "%s / %s / %s" % (m.get(key), a.get(key), b.get(key)))
        names = sorted(os.listdir(os.path.join(out, "traces"))) if os.path.isdir(os.path.join(out, "traces")) else []
        s.check(len(names) == 2 and names[0].startswith("shard1-") and names[1].startswith("shard2-"),
                "merge: traces kept per process", str(names))
        n = clears_by_origin(main.traces(binary))
        s.check(n == {"fixture": NTESTS + 1, "test": 1, "code": 1}, "merge: every shard's clears", str(n))
        row, rr = main.verdict(binary)
        check_production_verdict(s, "merge", row, rr)
        # merging again replaces, never doubles
        r = main.run([os.path.join(ROOT, binary), "review", "merge", perfs[0], perfs[1]], binary)
        names2 = sorted(os.listdir(os.path.join(out, "traces")))
        got2 = prof_calls(os.path.join(out, "test_profile.prof"), "price")
        s.check(r.returncode == 0 and names2 == names and got2 == want, "merge: a second merge replaces", "%s %d" % (names2, got2))
        # usage errors and nothing to merge
        r = main.run([os.path.join(ROOT, binary), "review", "merge"], binary)
        s.check(r.returncode == 2 and b"needs the perf/ folders" in r.stderr, "merge: no folder", r.stderr.decode())
        r = main.run([os.path.join(ROOT, binary), "review", "merge", os.path.join(main.dir, "nope")], binary)
        s.check(r.returncode == 2 and b"not a directory" in r.stderr, "merge: missing folder", r.stderr.decode())
        r = main.run([os.path.join(ROOT, binary), "review", "merge", out], binary)
        s.check(r.returncode == 2 and b"output folder itself" in r.stderr, "merge: into itself", r.stderr.decode())
        empty = os.path.join(main.dir, "empty")
        os.mkdir(empty)
        r = main.run([os.path.join(ROOT, binary), "review", "merge", empty], binary)
        s.check(r.returncode == 1 and b"no profile, cache statistics or traces" in r.stderr, "merge: nothing to merge",
                r.stderr.decode())
        bad = os.path.join(main.dir, "bad")
        os.makedirs(os.path.join(bad, "traces"))
        with open(os.path.join(bad, "traces", "x.gtr"), "wb") as fp:
            fp.write(b"GTR1junk")
        r = main.run([os.path.join(ROOT, binary), "review", "merge", bad, perfs[1]], binary)
        s.check(r.returncode == 0 and b"x.gtr: offset" in r.stderr and b"(skipped)" in r.stderr, "merge: a bad trace skipped",
                r.stderr.decode()[-400:])
    finally:
        for p in shards + [main]:
            p.cleanup()


def run_all(s, binary):
    py = find_python()
    if py is None:
        s.fail("pytest plugin", "no interpreter with pytest and pytest-xdist (run `make deps`: python3-pytest, "
               "python3-pytest-xdist)")
        return
    for t in (test_session, test_xdist_failing, test_without_plugin, test_no_binary, test_merge):
        t(s, binary, py)
