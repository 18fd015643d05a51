"""Conformance: every .py file of python3's standard library must give exactly CPython's tree
(tests/tools/ast_to_json.py, run in-process) from `glintefy debug ast --python 3.11`, and the
files CPython rejects must be rejected (exit 1, nothing on stdout).

tests/conformance/known-failures.txt lists (relative to the stdlib directory) the files that do
not match yet. It may only shrink: a failure not on it fails the suite; a listed file that now
matches gets a note. `make conformance-update` (this file with --update) rewrites it.
Crashes, hangs and sanitizer reports always fail, listed or not.
Two worker processes; each runs our binary and computes CPython's tree for one file at a time.
"""
import ast
import concurrent.futures
import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
import testlib  # noqa: E402
import ast_to_json  # noqa: E402

KNOWN = os.path.join(HERE, "known-failures.txt")
PYTHON = "3.11"  # the local python3: conformance follows its grammar and tree shapes
WORKERS = 2
SHOW = 15  # failures printed in full per build


def reference(data, path):
    """CPython's tree as plain data, or None if CPython rejects the source."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data, path)
        return ast_to_json.conv(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def verdict(r, ref):
    """None if the run r agrees with the reference tree ref (None = rejected), else why not."""
    why = r.crash()
    if why:
        return "CRASH " + why
    err = r.err.decode("utf-8", "replace").strip()
    if ref is None:
        if r.rc == 0:
            return "accepted a file CPython rejects"
        if r.out:
            return "rejected but wrote %d bytes to stdout" % len(r.out)
        return None if r.rc == 1 and err else "rejected without a message (exit %d)" % r.rc
    if r.rc != 0:
        return "rejected: " + (err.splitlines() or ["exit %d" % r.rc])[0][:200]
    try:
        ours = json.loads(r.out)
    except ValueError as e:
        return "output is not JSON: %s" % e
    if ours == ref:
        return None
    # The spec is the JSON text (ast_to_json.dump_source), in which two lone surrogates
    # "\\ud834\\udd1e" read back as one character: compare as that text reads back.
    return testlib.first_diff(ours, json.loads(json.dumps(ref, ensure_ascii=True)))


def check_file(rel, builds):
    """Worker: returns {build: None or reason} for stdlib file rel."""
    sys.setrecursionlimit(20000)
    path = os.path.join(testlib.stdlib_dir(), rel)
    runs = {b: testlib.run(testlib.BUILDS[b], ["debug", "ast", "--python", PYTHON, path],
                           timeout=300 if b == "asan" else 60) for b in builds}
    with open(path, "rb") as fp:
        data = fp.read()
    ref = reference(data, path)
    return rel, {b: verdict(r, ref) for b, r in runs.items()}


def asan_selection(files):
    mode = os.environ.get("CONFORMANCE_ASAN", "all").strip().lower()
    if mode in ("0", "off", "no", "none"):
        return set()
    if mode in ("", "all", "1"):
        return set(files)
    step = max(1, int(mode))
    return set(files[::step])


def read_known():
    if not os.path.exists(KNOWN):
        return set()
    with open(KNOWN) as fp:
        return {l.strip() for l in fp if l.strip() and not l.startswith("#")}


def run_files(files, builds):
    """Returns {build: {rel: reason}} of the files that failed, over all files."""
    asan_files = asan_selection(files) if "asan" in builds else set()
    failures = {b: {} for b in builds}
    counts = {b: 0 for b in builds}
    with concurrent.futures.ProcessPoolExecutor(WORKERS) as pool:
        jobs = [pool.submit(check_file, rel, [b for b in builds if b != "asan" or rel in asan_files])
                for rel in files]
        for job in concurrent.futures.as_completed(jobs):
            rel, res = job.result()
            for b, why in res.items():
                counts[b] += 1
                if why:
                    failures[b][rel] = why
    return failures, counts


def run_suite(builds):
    files = testlib.stdlib_files()
    known = read_known()
    failures, counts = run_files(files, builds)
    suites = []
    for b in builds:
        s = testlib.Suite("conformance (%s)" % b)
        fails = failures[b]
        unexpected = sorted(r for r, why in fails.items() if r not in known or why.startswith("CRASH"))
        for i, rel in enumerate(unexpected):
            if i < SHOW:
                s.fail(rel, fails[rel])
            else:
                s.failed += 1
        if len(unexpected) > SHOW:
            print("FAIL %s: ... and %d more" % (s.name, len(unexpected) - SHOW))
        matched = counts[b] - len(fails)
        s.passed = matched
        expected = len(fails) - len(unexpected)
        print("conformance: %d of %d files match (%s%s)" % (
            matched, counts[b], b, "" if counts[b] == len(files) else ", every file would be %d" % len(files)))
        if expected:
            s.notes.append("%d known failures" % expected)
        if b == "gcc":
            fixed = sorted(r for r in known if r in set(files) and r not in fails)
            if fixed:
                s.notes.append("%d listed files now match" % len(fixed))
                print("note: %d files on tests/conformance/known-failures.txt now match; remove them "
                      "(make conformance-update): %s%s" % (len(fixed), " ".join(fixed[:5]),
                                                            " ..." if len(fixed) > 5 else ""))
        suites.append(s)
    return suites


def update():
    files = testlib.stdlib_files()
    failures, counts = run_files(files, ["gcc"])
    fails = sorted(failures["gcc"])
    with open(KNOWN + ".tmp", "w") as fp:
        fp.write("# Standard-library files (relative to python3's stdlib directory) whose tree from\n"
                 "# `glintefy debug ast --python 3.11` does not match CPython's yet. This list only\n"
                 "# shrinks; regenerate it with `make conformance-update`.\n")
        for rel in fails:
            fp.write(rel + "\n")
    os.replace(KNOWN + ".tmp", KNOWN)
    print("conformance: %d of %d files match; wrote %d entries to %s" % (
        counts["gcc"] - len(fails), counts["gcc"], len(fails), os.path.relpath(KNOWN, testlib.ROOT)))
    for rel in fails[:SHOW]:
        print("  %s: %s" % (rel, failures["gcc"][rel]))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        sys.exit(update())
    print(__doc__)
    sys.exit(2)
