"""Runs every test suite of glintefy on the normal and the ASan+UBSan build (`make check`).

Usage: python3 tests/check.py [--only SUITE[,SUITE]] [--no-asan]
Suites: unit, cli, golden, fuzz-regressions, profile, review, review-profile, conformance. Each prints one line, failures above
it; the last line is "N passed, N failed" over all of them. Exit status 1 if anything failed.
Environment: CONFORMANCE_ASAN=all (default) | 0 | N (every N-th file) for the ASan build.
"""
import argparse
import json
import os
import shlex
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cli"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "conformance"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "differential"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "review"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "review_profile"))
import testlib  # noqa: E402
from testlib import ROOT, Suite, run  # noqa: E402

UNIT_BINS = {"gcc": "build/unit-tests", "asan": "build/asan/unit-tests"}


def suite_unit(build):
    s = Suite("unit (%s)" % build)
    r = run(UNIT_BINS[build], [])
    for line in r.out.decode("utf-8", "replace").splitlines():
        if line.startswith("ok "):
            s.ok()
        elif line.startswith("FAIL "):
            s.fail(line[5:], "see the CHECK lines above")
        else:
            print(line)
    why = r.crash()
    if why or (r.rc != 0 and s.failed == 0):
        s.fail("unit-tests", why or "exit status %d" % r.rc)
    return s


def suite_review(build):
    import test_review
    s = Suite("review (%s)" % build)
    test_review.run_all(s, testlib.BUILDS[build])
    return s


def suite_cli(build):
    import test_cli
    s = Suite("cli (%s)" % build)
    test_cli.run_all(s, testlib.BUILDS[build])
    return s


def golden_cases():
    top = os.path.join(ROOT, "tests", "golden")
    for d, dirs, files in os.walk(top):
        dirs[:] = sorted(x for x in dirs if x != "node_modules")
        for f in sorted(files):
            if f.endswith(".py"):
                yield os.path.relpath(os.path.join(d, f), ROOT)


def read(path, mode="r"):
    with open(os.path.join(ROOT, path), mode) as fp:
        return fp.read()


def suite_golden(build):
    """tests/golden/**/NAME.py with NAME.json (expected tree) or NAME.err (expected stderr,
    exit 1; NAME.loose relaxes it, see tests/golden/LOOSE.md), and optional NAME.args; run
    from the repository root with the path relative to it (tests/golden/README.md)."""
    s = Suite("golden (%s)" % build)
    binary = testlib.BUILDS[build]
    for case in golden_cases():
        base = case[:-3]
        args = shlex.split(read(base + ".args")) if os.path.exists(os.path.join(ROOT, base + ".args")) else []
        has_json = os.path.exists(os.path.join(ROOT, base + ".json"))
        has_err = os.path.exists(os.path.join(ROOT, base + ".err"))
        if not (has_json or has_err):
            s.fail(case, "has neither %s.json nor %s.err" % (os.path.basename(base), os.path.basename(base)))
            continue
        r = run(binary, ["debug", "ast"] + args + [case], timeout=60)
        why = r.crash()
        if why:
            s.fail(case, why)
        elif has_json:
            if r.rc != 0:
                s.fail(case, "exit %d, expected a tree: %s" % (r.rc, r.err.decode("utf-8", "replace").strip()[:300]))
                continue
            try:
                ours = json.loads(r.out)
            except ValueError as e:
                s.fail(case, "output is not JSON: %s" % e)
                continue
            d = testlib.first_diff(ours, json.loads(read(base + ".json", "rb")))
            s.check(d is None, case, d)
        else:
            want = read(base + ".err", "rb")
            if r.rc != 1:
                s.fail(case, "exit %d, expected 1 with stderr %r" % (r.rc, want.decode("utf-8", "replace")))
            elif r.out:
                s.fail(case, "rejected but wrote %d bytes to stdout" % len(r.out))
            elif os.path.exists(os.path.join(ROOT, base + ".loose")):
                # tests/golden/LOOSE.md: one line, same file and LINE; COL and message may differ
                prefix = want.split(b":")[:2]
                got = r.err.split(b":")[:2]
                s.check(r.err.count(b"\n") == 1 and r.err.endswith(b"\n") and got == prefix, case,
                        "stderr %r, expected one line starting %r (loose)" % (
                            r.err.decode("utf-8", "replace"), b":".join(prefix).decode("utf-8", "replace")))
            else:
                s.check(r.err == want, case, "stderr %r, expected %r" % (
                    r.err.decode("utf-8", "replace"), want.decode("utf-8", "replace")))
    return s


def suite_fuzz(build):
    """Replays tests/fuzz-regressions/*: exit 0 or 1, no crash, no stdout on exit 1."""
    s = Suite("fuzz-regressions (%s)" % build)
    top = os.path.join(ROOT, "tests", "fuzz-regressions")
    names = sorted(f for f in os.listdir(top) if not f.startswith(".") and f != "README.md") \
        if os.path.isdir(top) else []
    for f in names:
        path = os.path.relpath(os.path.join(top, f), ROOT)
        for py in ("3.11", "3.14"):
            r = run(testlib.BUILDS[build], ["debug", "ast", "--python", py, path], timeout=60)
            what = "%s (--python %s)" % (path, py)
            why = r.crash()
            if why:
                s.fail(what, why)
            elif r.rc not in (0, 1):
                s.fail(what, "exit status %d" % r.rc)
            elif r.rc == 1 and r.out:
                s.fail(what, "rejected but wrote %d bytes to stdout" % len(r.out))
            elif r.rc == 1 and not r.err:
                s.fail(what, "rejected without a message")
            elif r.rc == 0 and not valid_json_line(r.out):
                s.fail(what, "stdout is not one line of JSON")
            else:
                s.ok()
    return s


def valid_json_line(out):
    if not out.endswith(b"\n") or out.count(b"\n") != 1:
        return False
    try:
        json.loads(out)
        return True
    except ValueError:
        return False


def suite_profile(build):
    import test_profile
    s = Suite("profile (%s)" % build)
    test_profile.run_all(s, testlib.BUILDS[build])
    return s


def suite_review_profile(build):
    import test_review_profile
    s = Suite("review-profile (%s)" % build)
    test_review_profile.run_all(s, testlib.BUILDS[build])
    return s


def suite_review_cache(build):
    sys.path.insert(0, os.path.join(ROOT, "tests", "review_cache"))
    import test_review_cache
    s = Suite("review-cache (%s)" % build)
    test_review_cache.run_all(s, testlib.BUILDS[build])
    return s


def suite_python(build):
    sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
    import suite as python_suite
    s = Suite("python (%s)" % build)
    python_suite.run_all(s, testlib.BUILDS[build], testlib.env(), all_interpreters=(build == "gcc"))
    return s


def suite_mcp(build):
    sys.path.insert(0, os.path.join(ROOT, "tests", "mcp"))
    import test_mcp
    s = Suite("mcp (%s)" % build)
    test_mcp.run_all(s, testlib.BUILDS[build])
    return s


def suite_analysis(build):
    sys.path.insert(0, os.path.join(ROOT, "tests", "analysis"))
    import test_analysis
    s = Suite("analysis (%s)" % build)
    test_analysis.run_all(s, testlib.BUILDS[build])
    return s


def suite_curves(build):
    sys.path.insert(0, os.path.join(ROOT, "tests", "curves"))
    import test_curves
    s = Suite("curves (%s)" % build)
    test_curves.run_all(s, testlib.BUILDS[build])
    import test_validate  # review cache --validate
    test_validate.run_all(s, testlib.BUILDS[build])
    return s


def suite_conformance(builds):
    import conformance
    return conformance.run_suite(builds)


def suite_differential(builds):
    import differential
    return differential.run_suite(builds)


SUITES = ["unit", "cli", "golden", "fuzz-regressions", "profile", "review", "review-profile", "conformance",
          "differential"]
SUITES.insert(SUITES.index("conformance"), "python")  # tests/python: the Python package
SUITES.insert(SUITES.index("conformance"), "analysis")  # tests/analysis: debug facts fixtures, stdlib caches
SUITES.insert(SUITES.index("conformance"), "mcp")  # tests/mcp: glintefy mcp, driven by the MCP SDK client
SUITES.insert(SUITES.index("conformance"), "review-cache")  # tests/review_cache: glintefy review cache
SUITES.insert(SUITES.index("conformance"), "curves")  # tests/curves: trace verdicts in review cache


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(SUITES))
    ap.add_argument("--no-asan", action="store_true")
    opts = ap.parse_args()
    only = opts.only.split(",")
    builds = ["gcc"] if opts.no_asan else ["gcc", "asan"]
    for b in builds:
        for p in (testlib.BUILDS[b], UNIT_BINS[b]):
            if not os.path.exists(os.path.join(ROOT, p)):
                print("check: %s is missing; run `make check`" % p)
                print("0 passed, 1 failed")
                return 1
    results = []
    for name in SUITES:
        if name not in only:
            continue
        t0 = time.time()
        if name == "conformance":
            done = suite_conformance(builds)
        elif name == "differential":
            done = suite_differential(builds)
        elif name == "python":
            done = []
            for b in builds:
                t0 = time.time()
                done.append(suite_python(b))
                done[-1].seconds = time.time() - t0
        else:
            fn = {"unit": suite_unit, "cli": suite_cli, "golden": suite_golden,
                  "fuzz-regressions": suite_fuzz, "profile": suite_profile, "review": suite_review,
                  "review-profile": suite_review_profile, "mcp": suite_mcp,
                  "review-cache": suite_review_cache, "analysis": suite_analysis, "curves": suite_curves}[name]
            done = []
            for b in builds:
                t0 = time.time()
                done.append(fn(b))
                done[-1].seconds = time.time() - t0
        for s in done:
            if not hasattr(s, "seconds"):
                s.seconds = time.time() - t0
            extra = "".join("; " + n for n in s.notes)
            print("%-26s %5d passed, %d failed  (%.1f s)%s" % (s.name + ":", s.passed, s.failed, s.seconds, extra))
        sys.stdout.flush()
        results += done
    passed = sum(s.passed for s in results)
    failed = sum(s.failed for s in results)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
