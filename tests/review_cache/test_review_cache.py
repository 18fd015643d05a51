"""End-to-end tests of `glintefy review cache`: fixture repositories built in temporary
directories; every output file's shape and key values, the text/json/sarif formats, exit codes,
atomic writes, cache_stats.json verdicts, profiles (join, hot candidates, stale warnings) and
files with syntax errors. Called by tests/check.py for each build (suite "review-cache")."""
import json
import marshal
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import testlib

OUT = os.path.join("LLM-CONTEXT", "glintefy", "review", "cache")
PERF = os.path.join("LLM-CONTEXT", "glintefy", "review", "perf")
FILES = ["existing_cache_evaluations.json", "pure_functions.json", "cache_candidates.json",
         "cache_analysis.json", "summary.md", "cache_recommendations.json", "source_hashes.json", "report.html"]

CALC = '''\
from functools import lru_cache, cache
import functools as ft


@lru_cache(maxsize=32)
def square(n):
    return n * n


@cache
def cube(n):
    return n * n * n


@ft.lru_cache
def halve(n):
    return n // 2


def total(xs):
    s = 0
    for x in xs:
        for y in xs:
            s += square(x) * y
    return s


def noisy(x):
    print(x)
    return x


class Shape:
    @lru_cache(maxsize=None)
    def area(self, k):
        return k * 2


def use_a():
    return square(1) + cube(2)


def use_b():
    return square(2) + total([1, 2])


def use_c():
    return square(3) + total([3]) + noisy(1)
'''

WORKLOAD = '''\
import cProfile, sys
sys.path.insert(0, sys.argv[1])
from pkg import calc
p = cProfile.Profile()
p.enable()
for i in range(400):
    calc.total(list(range(30)))
from pkg import shapes  # class bodies run under the profiler: rows that are not functions
p.disable()
p.dump_stats(sys.argv[2])
'''


SHAPES = '''\
def tag(cls):
    return cls


@tag
class Box:
    size = 1


class Plain:
    class Inner:
        pass
'''


def glintefy(binary, args, cwd, timeout=120):
    return testlib.run_review(binary, args, cwd, timeout=timeout)


write = testlib.write_file


def make_repo():
    d = tempfile.mkdtemp(prefix="glintefy-cache-")
    write(d, "pkg/__init__.py")
    write(d, "pkg/calc.py", CALC)
    write(d, "pkg/bad.py", "def broken(:\n    pass\n")
    return d


def load(repo, name, out=None):
    with open(os.path.join(out or os.path.join(repo, OUT), name), "rb") as fp:
        return json.loads(fp.read().decode("utf-8"))


def by_qualname(entries):
    return {e["qualname"]: e for e in entries}


class Checker:
    """Collects failures of one test under a name; a crash of the binary is one failure."""

    def __init__(self, s, name):
        self.s, self.name, self.bad = s, name, []

    def __call__(self, cond, what):
        if not cond:
            self.bad.append(what)
        return cond

    def run_ok(self, r, rc=0):
        why = r.crash()
        if why:
            self.bad.append(why)
            return False
        return self(r.rc == rc, "exit %d (expected %d); stderr %r" % (r.rc, rc, r.err.decode("utf-8", "replace")[:300]))

    def done(self):
        self.s.check(not self.bad, self.name, "; ".join(self.bad)[:1500])


EXISTING_KEYS = ["file", "function", "line", "module", "qualname", "current_maxsize", "recommendation", "reason",
                 "suggested_maxsize", "evidence", "hazards"]
HAZARD_KEYS = ["code", "name", "message", "line", "col"]
CANDIDATE_KEYS = ["file", "function", "line", "module", "qualname", "verdict", "rank", "score", "purity",
                  "call_sites", "expense", "profile", "rejected_because"]


def test_static(s, binary):
    c = Checker(s, "static: outputs, shapes, verdicts, syntax errors skipped")
    repo = make_repo()
    try:
        r = glintefy(binary, ["review", "--repo", repo, "cache"], cwd=repo)
        if c.run_ok(r):
            err = r.err.decode()
            c(re.search(r"^pkg/bad\.py:1:\d+: ", err, re.M), "syntax error not reported as path:line:col: %r" % err)
            out = r.out.decode()
            c("No profiling data found" in out, "no 'No profiling data found' explanation")
            c("glintefy review profile -- " in out and "cProfile" in out, "no way to get a profile shown")
            c("Existing caches: 4" in out, "text summary lacks 'Existing caches: 4': %r" % out[:400])
            for f in FILES:
                c(os.path.isfile(os.path.join(repo, OUT, f)), "%s missing" % f)
            left = [f for f in os.listdir(os.path.join(repo, OUT)) if f not in FILES]
            c(not left, "other files left in the output directory: %r" % left)
            ev = load(repo, FILES[0])
            c(ev.get("version") == 1 and ev.get("kind") == "existing_cache_evaluations", "evaluations header")
            e = by_qualname(ev["evaluations"])
            c(sorted(e) == ["Shape.area", "cube", "halve", "square"], "existing caches %r" % sorted(e))
            for q, x in e.items():
                missing = [k for k in EXISTING_KEYS if k not in x]
                c(not missing, "%s lacks %r" % (q, missing))
                c(x["file"] == "pkg/calc.py" and x["module"] == "pkg.calc", "%s file/module %r %r" % (q, x["file"], x["module"]))
                c(set(x["evidence"]) >= {"hits", "misses", "hit_rate_percent"}, "%s evidence %r" % (q, x["evidence"]))
                for h in x["hazards"]:
                    c(all(k in h for k in HAZARD_KEYS), "%s hazard lacks keys: %r" % (q, h))
            if "square" in e:
                sq = e["square"]
                c(sq["current_maxsize"] == 32 and sq["line"] == 6, "square maxsize/line %r %r" % (sq["current_maxsize"], sq["line"]))
                c(sq["recommendation"] == "KEEP", "square: %r" % sq["recommendation"])
                c(sq["reason"] == "Static analysis: Function called 4 times in codebase - likely benefits from caching",
                  "square reason %r" % sq["reason"])
                c(sq["evidence"] == {"hits": 0, "misses": 0, "hit_rate_percent": 0.0, "calls": 0, "call_sites": 4},
                  "square evidence %r" % sq["evidence"])
            if "cube" in e:
                c(e["cube"]["current_maxsize"] == "unbounded", "cube maxsize %r" % e["cube"]["current_maxsize"])
            if "halve" in e:
                c(e["halve"]["current_maxsize"] == 128, "halve (bare ft.lru_cache) maxsize %r" % e["halve"]["current_maxsize"])
            if "Shape.area" in e:
                codes = [h["code"] for h in e["Shape.area"]["hazards"]]
                c("C202" in codes, "Shape.area hazards %r" % codes)
                c(e["Shape.area"]["current_maxsize"] == "unbounded", "Shape.area maxsize")
            cand = load(repo, FILES[2])
            c(cand.get("version") == 1, "candidates version")
            cq = by_qualname(cand["candidates"])
            for q in ["square", "cube", "halve", "total", "noisy", "Shape.area", "use_a", "use_b", "use_c"]:
                c(q in cq, "candidate %s missing" % q)
            for q, x in cq.items():
                missing = [k for k in CANDIDATE_KEYS if k not in x]
                c(not missing, "candidate %s lacks %r" % (q, missing))
                c((x["verdict"] == "ADD_CACHE") == (x["rank"] is not None), "%s rank/verdict %r %r" % (q, x["rank"], x["verdict"]))
                c(x["verdict"] == "ADD_CACHE" or x["rejected_because"], "%s rejected without a reason" % q)
            if "noisy" in cq:
                c(cq["noisy"]["verdict"] == "REJECTED" and cq["noisy"]["purity"] != "pure", "noisy accepted / pure")
            if "square" in cq:
                c([x["code"] for x in cq["square"]["rejected_because"]] == ["R301"], "square not 'already-cached'")
            ranks = [x["rank"] for x in cand["candidates"] if x["rank"] is not None]
            c(ranks == list(range(1, len(ranks) + 1)), "ranks not 1..n in order: %r" % ranks)
            pure = load(repo, FILES[1])
            c(pure.get("version") == 1 and all(f["qualname"] in cq and cq[f["qualname"]]["purity"] == "pure"
                                               for f in pure["functions"]), "pure_functions.json")
            an = load(repo, FILES[3])
            c(an.get("version") == 1 and an["counts"]["files"] == 3 and an["counts"]["files_skipped"] == 1,
              "analysis counts %r" % an.get("counts"))
            c(an["counts"]["existing_caches"] == 4, "analysis existing_caches")
            c(an["runtime_data"]["mode"] == "static", "mode %r" % an["runtime_data"]["mode"])
            c([x["file"] for x in an["skipped_files"]] == ["pkg/bad.py"], "skipped_files %r" % an["skipped_files"])
            c(set(an["timings"]) >= {"total_seconds", "parse_and_facts_seconds"}, "timings")
            md = open(os.path.join(repo, OUT, "summary.md")).read()
            c(md.startswith("<!-- glintefy review cache summary, format version 1 -->"), "summary.md header")
            c("`pkg/calc.py:6`" in md, "summary.md lacks square's row")
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    c.done()


def validate_sarif(c, doc):
    c(doc.get("version") == "2.1.0" and "sarif-2.1.0" in doc.get("$schema", ""), "sarif version/schema")
    runs = doc.get("runs")
    if not c(isinstance(runs, list) and len(runs) == 1, "sarif runs"):
        return []
    run = runs[0]
    drv = run["tool"]["driver"]
    c(drv["name"] == "glintefy", "driver name")
    rules = drv["rules"]
    ids = [x["id"] for x in rules]
    c(len(ids) == len(set(ids)) and "C201" in ids and "P101" in ids, "rule ids %r" % ids[:5])
    for x in rules:
        c(x["shortDescription"]["text"] and x["defaultConfiguration"]["level"] in ("note", "warning", "error"), "rule %r" % x)
    for res in run["results"]:
        c(res["ruleId"] in ids and ids[res["ruleIndex"]] == res["ruleId"], "result rule %r" % res["ruleId"])
        c(res["level"] in ("note", "warning", "error") and res["message"]["text"], "result level/message")
        for loc in res["locations"]:
            pl = loc["physicalLocation"]
            c(pl["artifactLocation"]["uri"] and pl["region"]["startLine"] >= 1 and pl["region"]["startColumn"] >= 1,
              "result location %r" % pl)
    c(run["invocations"][0]["executionSuccessful"] is True, "invocation")
    return run["results"]


def test_formats(s, binary):
    c = Checker(s, "formats: json, sarif, --quiet, --output-dir, usage errors")
    repo = make_repo()
    try:
        r = glintefy(binary, ["review", "cache", "--repo", repo, "--format", "json"], cwd=repo)
        if c.run_ok(r):
            doc = json.loads(r.out)
            c(doc["kind"] == "cache_analysis" and doc["version"] == 1, "json kind/version")
            on_disk = load(repo, FILES[3])
            for k in ("counts", "existing_caches", "candidates", "skipped_files"):
                c(doc[k] == on_disk[k], "stdout json and cache_analysis.json differ at %s" % k)
        r = glintefy(binary, ["review", "--repo", repo, "cache", "--format=sarif"], cwd=repo)
        if c.run_ok(r):
            results = validate_sarif(c, json.loads(r.out))
            codes = sorted(x["ruleId"] for x in results)
            c("C202" in codes, "sarif results %r" % codes)
            notes = json.loads(r.out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            c(any(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pkg/bad.py" for n in notes),
              "syntax error not in toolExecutionNotifications")
        r = glintefy(binary, ["review", "--repo", repo, "cache", "--quiet"], cwd=repo)
        if c.run_ok(r):
            c(r.out == b"", "--quiet printed %r" % r.out[:100])
        other = tempfile.mkdtemp(prefix="glintefy-out-")
        try:
            r = glintefy(binary, ["review", "--repo", repo, "cache", "-q", "--output-dir", other], cwd=repo)
            if c.run_ok(r):
                c(sorted(os.listdir(other)) == sorted(FILES), "--output-dir holds %r" % os.listdir(other))
        finally:
            shutil.rmtree(other, ignore_errors=True)
        r = glintefy(binary, ["review", "--repo", repo, "cache", "--format", "xml"], cwd=repo)
        c.run_ok(r, 2)
        r = glintefy(binary, ["review", "--repo", repo, "cache", "--profile", os.path.join(repo, "nope.prof")], cwd=repo)
        if c.run_ok(r, 1):
            c(b"nope.prof" in r.err, "missing --profile not named: %r" % r.err)
        r = glintefy(binary, ["review", "--repo", os.path.join(repo, "nodir"), "cache"], cwd=repo)
        c.run_ok(r, 1)
        r = glintefy(binary, ["help", "review", "cache"], cwd=repo)
        if c.run_ok(r):
            c(b"--format" in r.out and b"--profile" in r.out, "help lacks options")
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    c.done()


def test_cache_stats(s, binary):
    c = Checker(s, "cache_stats.json: production verdicts")
    repo = make_repo()
    try:
        write(repo, os.path.join(PERF, "cache_stats.json"), json.dumps([
            {"module": "pkg.calc", "function": "square", "hits": 90, "misses": 10, "maxsize": 32, "currsize": 10},
            {"module": "pkg.calc", "function": "cube", "hits": 1, "misses": 99, "maxsize": None, "currsize": 99},
            {"module": "calc", "function": "halve", "hits": 0, "misses": 0, "maxsize": 128, "currsize": 0},
            {"module": "pkg.other", "function": "gone", "hits": 5, "misses": 5, "maxsize": 8, "currsize": 5},
        ]))
        r = glintefy(binary, ["review", "--repo", repo, "cache"], cwd=repo)
        if c.run_ok(r):
            ev = load(repo, FILES[0])
            e = by_qualname(ev["evaluations"])
            sq = e.get("square", {})
            # 10 entries in a maxsize=32 cache: a smaller maxsize frees nothing it holds (no gain, no action)
            c(sq.get("recommendation") == "KEEP" and sq.get("suggested_maxsize") is None, "square %r" % sq.get("recommendation"))
            c(sq.get("reason", "").startswith("Production data: Excellent hit rate (90.0% over 100 calls)")
              and "free nothing" in sq["reason"], "square reason %r" % sq.get("reason"))
            c(sq.get("evidence", {}).get("hits") == 90 and sq["evidence"]["misses"] == 10
              and sq["evidence"]["hit_rate_percent"] == 90.0, "square evidence %r" % sq.get("evidence"))
            cu = e.get("cube", {})
            c(cu.get("recommendation") == "REMOVE" and cu.get("reason", "").startswith("Production data: Poor hit rate (1.0% over 100 calls)")
              and cu.get("gain") == {"time_s": None, "entries_freed": 99},
              "cube %r %r" % (cu.get("recommendation"), cu.get("reason")))
            ha = e.get("halve", {})
            c(ha.get("recommendation") == "KEEP" and ha.get("note") == "not-exercised", "halve %r %r" % (ha.get("recommendation"), ha.get("note")))
            c(e.get("Shape.area", {}).get("reason", "").startswith("Static analysis:"), "Shape.area keeps the static verdict")
            rd = ev["runtime_data"]
            c(rd["mode"] == "production" and rd["cache_stats_entries"] == 4 and rd["cache_stats_matched"] == 3,
              "runtime_data %r" % rd)
            c(any("gone" in w for w in rd["warnings"]), "unmatched stats entry not warned: %r" % rd["warnings"])
            c(b"No profiling data found" not in r.out, "static explanation shown despite cache statistics")
            recs = {x["qualname"]: x for x in load(repo, "cache_recommendations.json")["recommendations"]}
            c("square" not in recs
              and recs.get("cube", {}).get("recommendation") == "REMOVE" and "halve" not in recs
              and recs["cube"]["source"] == "cache_stats",
              "cache_recommendations.json lists the cache_stats actions: %r" % recs)
        write(repo, os.path.join(PERF, "cache_stats.json"), "{not json")
        r = glintefy(binary, ["review", "--repo", repo, "cache", "--format", "json"], cwd=repo)
        if c.run_ok(r):
            doc = json.loads(r.out)
            c(doc["runtime_data"]["mode"] == "static" and any("cache_stats.json:1:" in w for w in doc["runtime_data"]["warnings"]),
              "malformed cache_stats.json: %r" % doc["runtime_data"])
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    c.done()


def test_profile(s, binary):
    c = Checker(s, "profile: join, hot candidates, stale warnings")
    repo = make_repo()
    try:
        os.remove(os.path.join(repo, "pkg", "bad.py"))
        prof = os.path.join(repo, PERF, "test_profile.prof")
        os.makedirs(os.path.dirname(prof))
        write(repo, "work.py", WORKLOAD)
        write(repo, "pkg/shapes.py", SHAPES)
        subprocess.run([sys.executable, os.path.join(repo, "work.py"), repo, prof], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        past = time.time() - 60
        for d, _, fs in os.walk(os.path.join(repo, "pkg")):
            for f in fs:
                os.utime(os.path.join(d, f), (past, past))
        r = glintefy(binary, ["review", "--repo", repo, "--min-calls", "10", "--min-cumtime", "0", "cache", "--format", "json"], cwd=repo)
        if c.run_ok(r):
            doc = json.loads(r.out)
            rd = doc["runtime_data"]
            c(rd["mode"] == "production" and rd["profiles"] and rd["profile_rows_joined"] >= 2, "runtime_data %r" % rd)
            c(not rd["warnings"], "warnings on a fresh profile: %r" % rd["warnings"])
            cq = by_qualname(doc["candidates"])
            t = cq.get("total", {})
            p = t.get("profile") or {}
            c(p.get("calls") == 400 and p.get("hot") is True and p.get("cumtime", 0) > 0 and p.get("percall", 0) > 0,
              "total's profile %r" % p)
            if t.get("verdict") == "ADD_CACHE":
                c(t.get("rank") == 1, "profile-backed candidate not ranked first: %r" % t.get("rank"))
                c(doc["counts"]["candidates_profile_backed"] >= 1, "profile_backed count")
        # the code moves on: 'total' renamed, files newer than the profile, profile old
        with open(os.path.join(repo, "pkg", "calc.py")) as fp:
            text = fp.read()
        write(repo, "pkg/calc.py", text.replace("def total(", "def grand_total(").replace("total([", "grand_total(["))
        old = time.time() - 48 * 3600
        os.utime(prof, (old, old))
        r = glintefy(binary, ["review", "--repo", repo, "cache", "--format", "json"], cwd=repo)
        if c.run_ok(r):
            w = " | ".join(json.loads(r.out)["runtime_data"]["warnings"])
            c("no longer exist" in w and "pkg/calc.py" in w, "no warning about vanished functions: %r" % w)
            c("hours old" in w, "no warning about the profile's age: %r" % w)
            c("changed after the profile" in w, "no warning about changed files: %r" % w)
            c(b"warning:" in r.err, "warnings not on stderr with --format json")
        with open(prof, "wb") as fp:
            fp.write(b"not a profile")
        r = glintefy(binary, ["review", "--repo", repo, "cache", "--profile", prof], cwd=repo)
        if c.run_ok(r, 1):
            c(b"offset 0:" in r.err, "broken --profile message %r" % r.err)
        r = glintefy(binary, ["review", "--repo", repo, "cache", "--format", "json"], cwd=repo)
        if c.run_ok(r):
            c(any("profile not used" in w for w in json.loads(r.out)["runtime_data"]["warnings"]),
              "broken default profile not warned")
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    c.done()


def test_atomic(s, binary):
    c = Checker(s, "atomic writes: old files replaced whole, no temporary files")
    repo = make_repo()
    try:
        out = os.path.join(repo, OUT)
        os.makedirs(out)
        for f in FILES:
            write(out, f, "stale")
        r = glintefy(binary, ["review", "--repo", repo, "cache", "-q"], cwd=repo)
        if c.run_ok(r):
            c(sorted(os.listdir(out)) == sorted(FILES), "files %r" % os.listdir(out))
            for f in FILES[:4] + FILES[5:7]:
                c(load(repo, f)["version"] == 1, "%s not replaced" % f)
            c(open(os.path.join(out, "report.html")).read().startswith("<!DOCTYPE html>"), "report.html not replaced")
        # an output directory that cannot be created: exit 1, a message, nothing half-written
        write(repo, "blocker", "x")
        r = glintefy(binary, ["review", "--repo", repo, "cache", "-q", "--output-dir", os.path.join(repo, "blocker", "out")], cwd=repo)
        if c.run_ok(r, 1):
            c(b"blocker" in r.err, "no message naming the path: %r" % r.err)
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    c.done()


def test_empty(s, binary):
    c = Checker(s, "empty repository")
    repo = tempfile.mkdtemp(prefix="glintefy-cache-")
    try:
        r = glintefy(binary, ["review", "--repo", repo, "cache", "--format", "json"], cwd=repo)
        if c.run_ok(r):
            doc = json.loads(r.out)
            c(doc["counts"]["files"] == 0 and doc["existing_caches"] == [] and doc["candidates"] == [], "counts %r" % doc["counts"])
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    c.done()


def test_unplaced_error(s, binary):
    c = Checker(s, "a file rejected without a position (unknown encoding) shows as 1:1")
    repo = tempfile.mkdtemp(prefix="glintefy-cache-")
    try:
        with open(os.path.join(repo, "enc.py"), "w") as fp:
            fp.write("# -*- coding: uft-8 -*-\nx = 1\n")
        r = glintefy(binary, ["review", "--repo", repo, "cache", "--format", "json"], cwd=repo)
        if c.run_ok(r):
            err = r.err.decode()
            c("enc.py:1:1: unknown encoding: uft-8" in err, "stderr %r" % err)
            sk = json.loads(r.out)["skipped_files"]
            c([(x["file"], x["line"], x["col"]) for x in sk] == [("enc.py", 1, 1)], "skipped_files %r" % sk)
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    c.done()


MADE_WORK = '''\
import assigned, users, factory
keep = []
for i in range(3):
    r = assigned.Resolver()
    keep.append(r)
    for k in range(200):
        r.resolve("a%d" % (k % 10))
        r.lookup("B%d" % (k % 50))
for k in range(300):
    assigned.h(k % 7)
    assigned.g(k % 3)
    users.cube(k % 11)
    users.double(k % 5)
    users.Shape().area(k % 4)
    users.Shape.unit(k % 2)
    factory.square(k % 9)
print("ok")
'''


def test_caches_made(s, binary):
    """Caches made by assignment and by cache factories (tests/analysis/fixtures/caches_made) are
    matched to their cache_info() from `review profile` and evaluated like decorator caches."""
    c = Checker(s, "caches by assignment and factories: matched to cache_stats.json")
    tmp = tempfile.mkdtemp(prefix="glintefy-made-")
    try:
        repo = os.path.join(tmp, "repo")
        shutil.copytree(os.path.join(testlib.ROOT, "tests", "analysis", "fixtures", "caches_made"), repo)
        os.remove(os.path.join(repo, "expected.json"))
        write(repo, "work.py", MADE_WORK)
        r = glintefy(binary, ["review", "profile", "--", sys.executable, "work.py"], repo, timeout=180)
        if c.run_ok(r):
            r = glintefy(binary, ["review", "cache", "-q"], repo)
        if c.run_ok(r):
            ev = by_qualname(load(repo, "existing_cache_evaluations.json")["evaluations"])
            rt = load(repo, "existing_cache_evaluations.json")["runtime_data"]
            c(rt["cache_stats_entries"] == 11 and rt["cache_stats_matched"] == 11, "all 11 run-time caches matched: %s" % rt)
            c(ev.get("Matrix.is_diagonal", {}).get("made_by") == "factory" and ev.get("_triple", {}).get("made_by") == "factory",
              "x = deco(x) spellings: %s %s" % (ev.get("Matrix.is_diagonal"), ev.get("_triple")))
            want = {"Resolver.resolve": ("instance assignment", 128, 600), "Resolver.lookup": ("instance assignment", 32, 600),
                    "_h": ("assignment", "unbounded", 300), "_g": ("assignment", 10, 300),
                    "square": ("factory", 64, 300), "cube": ("factory", 1000, 300), "double": ("factory", 8, 300),
                    "Shape.area": ("factory", 1000, 300), "Shape.unit": ("factory", 64, 300)}
            for q, (made, size, calls) in want.items():
                e = ev.get(q, {})
                got = (e.get("made_by"), e.get("current_maxsize"), e.get("source") in ("cache_stats", "trace"),
                       e.get("evidence", {}).get("hits", 0) + e.get("evidence", {}).get("misses", 0))
                c(got == (made, size, True, calls), "%s: %s" % (q, got))
            c(ev.get("cube", {}).get("factory") == "factory.make_cache" and ev.get("cube", {}).get("typed") is True,
              "cube's factory and typed: %s" % ev.get("cube"))
            c(ev.get("_join", {}).get("made_by") == "local assignment", "_join: %s" % ev.get("_join"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    c.done()


def gtr_header(pid):
    return b"GTR1" + struct.pack("<HHII", 1, 0, pid, 50)


def gtr_func(fid, line, file, qual):
    f, q = file.encode(), qual.encode()
    return b"F" + struct.pack("<IIBH", fid, line, 0, len(f)) + f + struct.pack("<H", len(q)) + q


def gtr_call(fid, seq, key):
    return b"C" + struct.pack("<IQQqQqB", fid, seq, 0, key, 1000, 1, 0)


def test_many_traced_functions(s, binary):
    """A trace of 100,000 functions (9 MB) took 70 s (over 300 s under ASan): one hash lookup per
    function, one key stack at a time. And 1,000 one-call traces of a function with 200,000 keys
    took time in the longest curve per trace. Both must take a few seconds at most."""
    c = Checker(s, "review cache: 100,000 traced functions, 1,000 short traces, in bounded time")
    d = tempfile.mkdtemp(prefix="glintefy-cache-")
    try:
        write(d, "m.py", "".join("def f%d(x):\n    return x + 1\n\n" % i for i in range(2000)))
        real = os.path.realpath(d)
        n = 100000
        body = [gtr_header(1)]
        body += [gtr_func(i, 1 + 3 * (i % 2000), real + "/m.py", "f%d" % i) for i in range(n)]
        body += [gtr_call(i, i + 1, i) for i in range(n)]
        write(d, PERF + "/traces/wide.gtr", b"".join(body))
        long_f = gtr_func(0, 1, real + "/m.py", "f0")
        write(d, PERF + "/traces/long.gtr", gtr_header(2) + long_f +
              b"".join(gtr_call(0, i + 1, i % 200000) for i in range(400000)))
        for t in range(1000):
            write(d, PERF + "/traces/short%d.gtr" % t, gtr_header(3 + t) + long_f + gtr_call(0, 1, 7))
        t0 = time.time()
        r = glintefy(binary, ["review", "cache"], d, timeout=300)
        dt = time.time() - t0
        if c.run_ok(r):
            c(dt < 30, "took %.1f s" % dt)
            c(b"traced" in r.err or b"trace" in r.out + r.err, "no word of the traces: %r" % r.err[-300:])
    finally:
        shutil.rmtree(d, ignore_errors=True)


HINTS = '''\
import typing
from typing import Dict, overload


@overload
def conv(x: int) -> int: ...
@typing.overload
def conv(x: str) -> str: ...
def conv(x):
    s = 0
    for i in range(10):
        for j in range(10):
            s += i * j
    return s


def by_dict(table: Dict[str, int], n):
    s = 0
    for i in range(n):
        for j in range(n):
            s += i * j
    return s


def by_list(items: "list", n: list | None = None):
    s = 0
    for i in range(10):
        for j in range(10):
            s += i * j
    return s


def by_kwargs(n, **options):
    s = 0
    for i in range(n):
        for j in range(n):
            s += i * j
    return s


def hashable(n: int, name: str = "x"):
    s = 0
    for i in range(n):
        for j in range(n):
            s += i * j
    return s


def dynamic(n):
    s = 0
    for i in range(n):
        for j in range(n):
            s += i * j
    return s


def use():
    return conv(1) + by_dict({}, 3) + by_kwargs(3, a=1) + hashable(3)
'''


def test_static_hints(s, binary):
    """typing.overload stubs are no functions; unhashable-looking parameters reject a static-only
    candidate (R308); a function with profiled calls is not R305 "never called"."""
    c = Checker(s, "overload stubs, unhashable-looking parameters, R305 with profiled calls")
    repo = tempfile.mkdtemp(prefix="glintefy-cache-")
    try:
        write(repo, "hints.py", HINTS)
        path = os.path.join(repo, "hints.py")
        prof = os.path.join(repo, PERF, "test_profile.prof")
        os.makedirs(os.path.dirname(prof))
        dyn = HINTS.splitlines().index("def dynamic(n):") + 1
        with open(prof, "wb") as fp:
            marshal.dump({(path, dyn, "dynamic"): (1248, 1248, 0.001, 0.001, {}),
                          ("~", 0, "<built-in method builtins.exec>"): (1, 1, 0.0, 1.0, {})}, fp)
        r = glintefy(binary, ["review", "--repo", repo, "cache"], cwd=repo)
        if c.run_ok(r):
            doc = load(repo, "cache_candidates.json")
            convs = [x for x in doc["candidates"] if x["qualname"] == "conv"]
            c(len(convs) == 1 and convs[0]["line"] == 9 and convs[0]["call_sites"] == 1,
              "conv listed once, the implementation, with its call site: %r" % convs)
            c(not [x for x in load(repo, "pure_functions.json")["functions"] if x["qualname"] == "conv" and x["line"] != 9],
              "overload stubs in pure_functions.json")
            cq = by_qualname(doc["candidates"])
            for q in ("by_dict", "by_list", "by_kwargs"):
                codes = [x["code"] for x in cq.get(q, {}).get("rejected_because", [])]
                c(cq.get(q, {}).get("verdict") == "REJECTED" and "R308" in codes, "%s: R308 %r" % (q, cq.get(q)))
            codes = [x["code"] for x in cq.get("hashable", {}).get("rejected_because", [])]
            c("R308" not in codes, "hashable: no R308 %r" % codes)
            codes = [x["code"] for x in cq.get("dynamic", {}).get("rejected_because", [])]
            c(cq.get("dynamic", {}).get("profile", {}).get("calls") == 1248 and "R305" not in codes,
              "dynamic: 1248 profiled calls, not R305: %r" % cq.get("dynamic"))
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    c.done()


def run_all(s, binary):
    for t in (test_static, test_formats, test_cache_stats, test_profile, test_atomic, test_empty, test_unplaced_error,
              test_caches_made, test_many_traced_functions, test_static_hints):
        t(s, binary)
