"""End-to-end tests of `glintefy review cache --validate -- CMD` (docs/curves.md, "Validation"):
review profile, review cache, then the workload run as it is and with the recommended caches
applied in memory by the probe; validation_results.json. Part of suite "curves" of tests/check.py."""
import json
import os
import shutil
import sys
import tempfile

from testlib import run

OUT = os.path.join("LLM-CONTEXT", "glintefy", "review", "cache")

LIB = '''\
def slow(n):
    total = 0
    for i in range(20000):
        total += (i * n) % 7
    return total
'''

WORK = '''\
import lib
s = 0
for k in range(200):
    s += lib.slow(k % 5)
print(s)
'''

LIB_CACHED = '''\
import functools


@functools.lru_cache(maxsize=None)
def slow(n):
    total = 0
    for i in range(20000):
        total += (i * n) % 7
    return total
'''

WORK_CACHED = WORK.replace("range(200)", "range(400)")

# the program looks at the function itself: a cache changes what it prints
WORK_INTROSPECT = WORK + 'print(type(lib.slow).__name__)\n'


def make(tmp, name, work):
    repo = os.path.join(tmp, name)
    os.makedirs(repo)
    with open(os.path.join(repo, "lib.py"), "w") as f:
        f.write(LIB)
    with open(os.path.join(repo, "work.py"), "w") as f:
        f.write(work)
    return repo


def profile_and_validate(s, binary, repo, extra=()):
    py = sys.executable or "python3"
    r = run(binary, ["review", "--repo", repo, "profile", "--", py, "work.py"], timeout=120, cwd=repo)
    if r.crash() or r.rc != 0:
        s.fail("validate: review profile", r.crash() or "exit %d: %s" % (r.rc, r.err.decode()[:400]))
        return None, None
    r = run(binary, ["review", "--repo", repo] + list(extra) + ["cache", "-q", "--validate", "--", py, "work.py"],
            timeout=180, cwd=repo)
    if r.crash() or r.rc != 0:
        s.fail("validate: review cache --validate", r.crash() or "exit %d: %s" % (r.rc, r.err.decode()[:400]))
        return None, None
    try:
        return json.load(open(os.path.join(repo, OUT, "validation_results.json"))), r
    except (OSError, ValueError) as e:
        s.fail("validate: validation_results.json", str(e))
        return None, None


def run_all(s, binary):
    tmp = tempfile.mkdtemp(prefix="glintefy-validate-")
    try:
        repo = make(tmp, "good", WORK)
        res, r = profile_and_validate(s, binary, repo)
        if res:
            s.check(res["version"] == 2 and res["runs"] == 3 and len(res["baseline_seconds"]) == 3 and
                    len(res["changed_seconds"]) == 3, "validate: runs", json.dumps(res)[:500])
            s.check(res["verdict"] == "validated" and res["speedup_percent"] > 0 and res["outputs_identical"] and
                    res["exit_status_identical"], "validate: a cache that pays off is validated", json.dumps(res)[:500])
            recs = res["recommendations"]
            s.check(len(recs) == 1 and recs[0]["qualname"] == "slow" and recs[0]["recommendation"] == "ADD_CACHE" and
                    recs[0]["verdict"] == "validated" and recs[0]["applied"] and recs[0]["applied_runs"] == 3 and
                    recs[0]["calls"] == 600 and res["actions_applied"] == 1,
                    "validate: per recommendation, applied in every run", json.dumps(recs)[:400])
            s.check(res["baseline_range_seconds"][0] <= res["baseline_median_seconds"] <= res["baseline_range_seconds"][1],
                    "validate: spread of the runs", json.dumps(res)[:400])
            summary = open(os.path.join(repo, OUT, "summary.md")).read()
            s.check("Validation: validated" in summary and b"Validation: validated" in r.err,
                    "validate: summary and terminal line", summary[-300:] + r.err.decode()[-300:])

            # the command review profile recorded is run again when none is given
            cmdfile = os.path.join(repo, "LLM-CONTEXT", "glintefy", "review", "perf", "command.json")
            rec = json.load(open(cmdfile)) if os.path.exists(cmdfile) else {}
            s.check(rec.get("argv", [None])[-1] == "work.py" and rec.get("cwd"), "validate: command recorded", str(rec)[:300])
            os.remove(os.path.join(repo, OUT, "validation_results.json"))
            r = run(binary, ["review", "--repo", repo, "cache", "-q", "--validate", "--num-runs", "1"], timeout=180, cwd=repo)
            path = os.path.join(repo, OUT, "validation_results.json")
            s.check(r.rc == 0 and b"perf/command.json" in r.err and os.path.exists(path) and
                    json.load(open(path))["runs"] == 1, "validate: the recorded command reused", r.err.decode()[-400:])
            # traces read, no action in the file given: the message says so (not "profile first")
            empty = os.path.join(tmp, "no-actions.json")
            with open(empty, "w") as f:
                json.dump({"recommendations": []}, f)
            r = run(binary, ["review", "--repo", repo, "cache", "-q", "--validate", "--actions", empty, "--", "python3",
                             "work.py"], timeout=180, cwd=repo)
            s.check(r.rc == 0 and b"nothing to validate" in r.err and b"argument-key trace" in r.err and
                    b"profile -- CMD' first" not in r.err, "validate: no action although traces exist", r.err.decode()[-400:])
            # from another directory: said as such, with the command whole
            r = run(binary, ["review", "--repo", repo, "cache", "-q", "--validate", "--num-runs", "1"], timeout=180, cwd=tmp)
            s.check(r.rc == 0 and b"run from " + repo.encode() in r.err and b"work.py" in r.err and
                    b"give the command after --" in r.err, "validate: a different working directory", r.err.decode()[-400:])

        repo = make(tmp, "introspect", WORK_INTROSPECT)
        res, r = profile_and_validate(s, binary, repo, ["--num-runs", "1"])
        if res:
            s.check(res["verdict"] == "output changed" and not res["outputs_identical"] and res["runs"] == 1,
                    "validate: changed output", json.dumps(res)[:500])

        # a decorated cache removed: 10x slower with the same output reads "slower", the change applied
        repo = make(tmp, "removal", WORK_CACHED)
        with open(os.path.join(repo, "lib.py"), "w") as f:
            f.write(LIB_CACHED)
        acts = os.path.join(tmp, "removal-actions.json")
        with open(acts, "w") as f:
            json.dump({"recommendations": [{"file": "lib.py", "line": 5, "qualname": "slow", "recommendation": "REMOVE",
                                            "suggested_maxsize": None}]}, f)
        r = run(binary, ["review", "--repo", repo, "cache", "-q", "--validate", "--actions", acts, "--",
                         sys.executable or "python3", "work.py"], timeout=180, cwd=repo)
        path = os.path.join(repo, OUT, "validation_results.json")
        res = json.load(open(path)) if os.path.exists(path) else {}
        rec = (res.get("recommendations") or [{}])[0]
        s.check(r.rc == 0 and res.get("verdict") == "slower" and res.get("outputs_identical") and
                res["changed_median_seconds"] > 3 * res["baseline_median_seconds"] and rec.get("applied") and
                rec.get("first_line") == 4 and rec.get("line") == 5 and res.get("actions_applied") == 1 and b"Validation: slower - 1 of 1" in r.err,
                "validate: a decorated removal that slows the run reads slower, applied", r.err.decode()[-600:] + json.dumps(res)[:600])

        # an action the program never meets: incomplete, never validated
        with open(acts, "w") as f:
            json.dump({"recommendations": [
                {"file": "lib.py", "line": 5, "qualname": "slow", "recommendation": "ADJUST_SIZE", "suggested_maxsize": 64},
                {"file": "unused.py", "line": 1, "qualname": "never", "recommendation": "ADD_CACHE", "suggested_maxsize": None}]}, f)
        with open(os.path.join(repo, "unused.py"), "w") as f:
            f.write("def never(n):\n    return n\n")
        r = run(binary, ["review", "--repo", repo, "--num-runs", "1", "cache", "-q", "--validate", "--actions", acts, "--",
                         sys.executable or "python3", "work.py"], timeout=180, cwd=repo)
        res = json.load(open(path)) if os.path.exists(path) else {}
        recs = res.get("recommendations") or [{}, {}]
        s.check(r.rc == 0 and res.get("verdict") == "incomplete" and res.get("actions_applied") == 1 and
                recs[0].get("applied") and not recs[1].get("applied") and
                "never met" in recs[1].get("not_applied_reason", "") and b"Validation: incomplete - 1 of 2" in r.err,
                "validate: an action not applied makes it incomplete", r.err.decode()[-600:] + json.dumps(res)[:800])

        # no command; no actions (no traces)
        repo = make(tmp, "plain", WORK)
        r = run(binary, ["review", "--repo", repo, "cache", "-q", "--validate"], timeout=60, cwd=repo)
        s.check(r.rc == 0 and b"no command to run" in r.err, "validate: no command", r.err.decode()[:300])
        r = run(binary, ["review", "--repo", repo, "cache", "-q", "--validate", "--", "python3", "work.py"],
                timeout=60, cwd=repo)
        s.check(r.rc == 0 and b"nothing to validate" in r.err and
                b"no measurements: run 'glintefy review profile -- CMD' first" in r.err and
                not os.path.exists(os.path.join(repo, OUT, "validation_results.json")),
                "validate: no actions", r.err.decode()[:300])
        r = run(binary, ["review", "--repo", repo, "cache", "-q", "--", "python3", "work.py"], timeout=60, cwd=repo)
        s.check(r.rc != 0 and b"needs --validate" in r.err, "validate: a command without --validate", r.err.decode()[:300])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
