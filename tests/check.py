"""Runs every test suite of glintefy on the normal and the ASan+UBSan build (`make check`).

Usage: python3 tests/check.py [--only SUITE[,SUITE]] [--no-asan]
Suites: see SUITES below (in the order they run). Each prints one line per build, failures above
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


def module(directory, name):
    """tests/DIRECTORY/NAME.py, imported."""
    path = os.path.join(ROOT, "tests", directory)
    if path not in sys.path:
        sys.path.insert(0, path)
    return __import__(name)


def simple_suite(title, directory, *names):
    """A suite whose modules (tests/DIRECTORY/NAME.py) each have run_all(suite, binary)."""
    def run_build(build):
        s = Suite("%s (%s)" % (title, build))
        for name in names:
            module(directory, name).run_all(s, testlib.BUILDS[build])
        return s
    return run_build


def suite_python(build):
    s = Suite("python (%s)" % build)
    module("python", "suite").run_all(s, testlib.BUILDS[build], testlib.env(), all_interpreters=(build == "gcc"))
    return s


def suite_conformance(builds):
    return module("conformance", "conformance").run_suite(builds)


def suite_differential(builds):
    return module("differential", "differential").run_suite(builds)


# name -> function of one build (or, for the last two, of the list of builds), in running order
SUITES = {
    "unit": suite_unit,  # tests/unit: C unit tests (build/unit-tests)
    "cli": simple_suite("cli", "cli", "test_cli"),  # commands, options, help, errors
    "golden": suite_golden,  # tests/golden: one tree or error per parser behaviour
    "fuzz-regressions": suite_fuzz,  # inputs the fuzzers found
    "profile": simple_suite("profile", "profile", "test_profile"),  # glintefy profile show/merge/hotspots
    "review": simple_suite("review", "review", "test_review"),  # sources, config, review clean
    "review-profile": simple_suite("review-profile", "review_profile", "test_review_profile"),  # review profile -- CMD
    "python": suite_python,  # tests/python: the Python package, on every interpreter found
    "analysis": simple_suite("analysis", "analysis", "test_analysis"),  # debug facts fixtures, stdlib caches
    "mcp": simple_suite("mcp", "mcp", "test_mcp"),  # glintefy mcp, driven by the MCP SDK client
    "review-cache": simple_suite("review-cache", "review_cache", "test_review_cache"),  # review cache
    "check": simple_suite("check", "check", "test_check"),  # glintefy check, SARIF, pre-commit hook
    "packaging": simple_suite("packaging", "packaging", "test_packaging"),  # pip install ., pip wheel .
    "html": simple_suite("html", "html", "test_html"),  # cache/report.html, in headless Chromium
    "patch": simple_suite("patch", "patch", "test_patch"),  # review cache --diff/--fix
    "curves": simple_suite("curves", "curves", "test_curves", "test_validate", "test_evidence", "test_apply"),  # trace verdicts, --validate
    "pytest-plugin": simple_suite("pytest-plugin", "pytest_plugin", "test_pytest_plugin"),  # pytest --glintefy, review merge
    "hostile": simple_suite("hostile", "hostile", "test_hostile"),  # symlinks, special files, races, faults
    "conformance": suite_conformance,  # every stdlib file against CPython's ast
    "differential": suite_differential,  # seeded edits of stdlib files against CPython
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(SUITES))
    ap.add_argument("--no-asan", action="store_true")
    opts = ap.parse_args()
    only = opts.only.split(",")
    unknown = [x for x in only if x not in SUITES]
    if unknown:
        print("check: no suite %s (suites: %s)" % (", ".join(unknown), ", ".join(SUITES)))
        print("0 passed, 1 failed")
        return 1
    builds = ["gcc"] if opts.no_asan else ["gcc", "asan"]
    for b in builds:
        for p in (testlib.BUILDS[b], UNIT_BINS[b]):
            if not os.path.exists(os.path.join(ROOT, p)):
                print("check: %s is missing; run `make check`" % p)
                print("0 passed, 1 failed")
                return 1
    results = []
    for name, fn in SUITES.items():
        if name not in only:
            continue
        t0 = time.time()
        if name in ("conformance", "differential"):
            done = fn(builds)
        else:
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
