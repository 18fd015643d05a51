"""`glintefy check [PATHS...]`: the hazards of existing caches linter-style on fixture repositories
- exact output lines and exit statuses, --select/--ignore (codes, prefixes, names, errors),
`# glintefy: ignore[CODE]`, [tool.glintefy.check] in pyproject.toml, PATHS (files, directories,
outside the repository, a hazard whose cause is in a file not given), syntax errors in and out
of PATHS, json, SARIF (schema, rule help for every code, fingerprints that survive inserted
lines), --explain ALL == docs/rules.md, and the pre-commit hook's entry run on fixture files
as pre-commit runs it. Suite "check" of tests/check.py."""
import json
import os
import re
import shutil
import tempfile

import testlib

ROOT = testlib.ROOT

STORE = '''\
from functools import lru_cache, cache


class Repo:
    @lru_cache(maxsize=None)
    def lookup(self, key):
        return key * 2


@lru_cache(maxsize=64)
def square(n):
    return n * n


@cache
def items(n):
    return [1] * n


@cache
def gen(n):
    yield n
'''

USE = '''\
from pkg.store import items


def use():
    x = items(3)
    x.append(1)
    return x
'''

CLEAN = '''\
from functools import lru_cache


@lru_cache(maxsize=64)
def square(n):
    return n * n


def twice():
    return square(2) + square(3)
'''

EXPECTED = [
    "pkg/store.py:5:6: C202 Repo.lookup: unbounded cache on a method: instances are never freed",
    "pkg/store.py:15:2: C206 items: a caller mutates the cached result: every later hit returns the corrupted "
    "object (pkg.use.use mutates the result at pkg/use.py:6)",
    "pkg/store.py:17:5: C205 items: returns a new mutable object: a caller that mutates it corrupts the cache",
    "pkg/store.py:20:2: C203 gen: cache on a generator or coroutine: caches a one-shot object (caches the "
    "generator object, which is exhausted after one use)",
]


class Checker:
    def __init__(self, s, name):
        self.s, self.name, self.bad = s, name, []

    def __call__(self, cond, what):
        if not cond:
            self.bad.append(what)
        return cond

    def run(self, r, rc):
        why = r.crash()
        if why:
            self.bad.append("crash: %s; stderr: %s" % (why, r.err.decode("utf-8", "replace")[-300:]))
            return False
        return self(r.rc == rc, "exit %d, expected %d; stdout %r; stderr %r" % (r.rc, rc, r.out[-400:], r.err[-400:]))

    def done(self):
        if self.bad:
            self.s.fail(self.name, "; ".join(self.bad[:4]))
        else:
            self.s.ok()


def make_repo(files):
    d = tempfile.mkdtemp(prefix="glintefy-check-")
    for rel, text in files.items():
        testlib.write_file(d, rel, text)
    return d


def lines(r):
    return r.out.decode("utf-8").splitlines()


def test_basic(s, binary):
    c = Checker(s, "check: output, exit status, summary, clean repository")
    repo = make_repo({"pkg/__init__.py": "", "pkg/store.py": STORE, "pkg/use.py": USE})
    clean = make_repo({"m.py": CLEAN})
    try:
        r = testlib.run_review(binary, ["check"], repo)
        if c.run(r, 1):
            c(lines(r)[:-1] == EXPECTED, "lines %r" % lines(r))
            c(lines(r)[-1].startswith("Found 4 hazards in 1 file (3 files checked;"), lines(r)[-1])
        r = testlib.run_review(binary, ["check", "-q"], repo)
        if c.run(r, 1):
            c(lines(r) == EXPECTED, "-q %r" % lines(r))
        r = testlib.run_review(binary, ["check", "--exit-zero", "-q"], repo)
        c.run(r, 0)
        r = testlib.run_review(binary, ["check", "--repo", repo, "-q"], ROOT)
        if c.run(r, 1):
            c(lines(r)[0] == repo + "/" + EXPECTED[0], "--repo path shown %r" % lines(r)[:1])
        # from a subdirectory: the repository is the nearest directory up with pyproject.toml (or
        # .git), and paths print relative to the current directory
        testlib.write_file(repo, "pyproject.toml", "[project]\nname = 'x'\n")
        r = testlib.run_review(binary, ["check", "-q"], os.path.join(repo, "pkg"))
        if c.run(r, 1):
            c(lines(r) == ["../" + l for l in EXPECTED], "from pkg/: %r" % lines(r)[:1])
        r = testlib.run_review(binary, ["check", "-q", "store.py"], os.path.join(repo, "pkg"))
        if c.run(r, 1):
            c(lines(r) == ["../" + l for l in EXPECTED], "from pkg/ with a path: %r" % lines(r)[:1])
        r = testlib.run_review(binary, ["check"], clean)
        if c.run(r, 0):
            c(lines(r) == ["No hazards (1 file checked)."], "clean %r" % lines(r))
        r = testlib.run_review(binary, ["help", "check"], clean)
        if c.run(r, 0):
            c(b"--select" in r.out and b"ignore[CODE]" in r.out, "help")
        r = testlib.run_review(binary, ["check", "--bogus"], clean)
        c.run(r, 2)
        r = testlib.run_review(binary, ["check", "--repo", os.path.join(clean, "nodir")], clean)
        c.run(r, 2)
    finally:
        shutil.rmtree(repo, ignore_errors=True)
        shutil.rmtree(clean, ignore_errors=True)
    c.done()


def test_select_ignore(s, binary):
    c = Checker(s, "check: --select/--ignore, ignore comments, pyproject settings")
    repo = make_repo({"pkg/__init__.py": "", "pkg/store.py": STORE, "pkg/use.py": USE})
    try:
        def codes(args, rc=None):
            r = testlib.run_review(binary, ["check", "-q"] + args, repo)
            if not c.run(r, rc if rc is not None else (1 if r.out else 0)):
                return None
            return [l.split()[1] for l in lines(r)]
        c(codes(["--select", "C203,C202"]) == ["C202", "C203"], "--select C203,C202")
        c(codes(["--select=cache-on-generator"]) == ["C203"], "--select by name")
        c(codes(["--select", "c20", "--ignore", "C205,C206"]) == ["C202", "C203"], "--select prefix, --ignore")
        c(codes(["--ignore", "ALL"], 0) == [], "--ignore ALL")
        for bad in (["--select", "X999"], ["--select", "P101"], ["--ignore", "C9"], ["--select"]):
            r = testlib.run_review(binary, ["check"] + bad, repo)
            if c.run(r, 2):
                c(b"try 'glintefy check --help'" in r.err, "usage message for %r: %r" % (bad, r.err))
        # suppression comments on a decorator line and on the def line; a bare ignore
        text = STORE.replace("    @lru_cache(maxsize=None)\n", "    @lru_cache(maxsize=None)  # glintefy: ignore[C202]\n")
        text = text.replace("def gen(n):", "def gen(n):  # glintefy: ignore")
        testlib.write_file(repo, "pkg/store.py", text)
        c(codes([]) == ["C206", "C205"], "ignore comments: %r" % codes([]))
        testlib.write_file(repo, "pkg/store.py", STORE)
        # pyproject.toml: settings, the command line replacing them, errors with their place
        testlib.write_file(repo, "pyproject.toml", '[tool.glintefy.check]\nignore = ["C205", "C206"]\n')
        c(codes([]) == ["C202", "C203"], "pyproject ignore")
        c(codes(["--ignore", "C203"]) == ["C202", "C206", "C205"], "--ignore replaces the pyproject setting")
        testlib.write_file(repo, "pyproject.toml", '[tool.glintefy.check]\nselect = "C203"\nwhat = 1\n')
        r = testlib.run_review(binary, ["check", "-q"], repo)
        if c.run(r, 1):
            c([l.split()[1] for l in lines(r)] == ["C203"], "pyproject select as a string")
            c(b"pyproject.toml:3:8: warning: unknown key 'what' in [tool.glintefy.check]" in r.err, "unknown key %r" % r.err)
        testlib.write_file(repo, "pyproject.toml", '[tool.glintefy.check]\nselect = ["C2", 3]\n')
        r = testlib.run_review(binary, ["check"], repo)
        if c.run(r, 2):
            c(b"pyproject.toml:2:10: select: expected strings, got integer" in r.err, "bad type %r" % r.err)
        testlib.write_file(repo, "pyproject.toml", '[tool.glintefy.check]\nignore = ["C999"]\n')
        r = testlib.run_review(binary, ["check"], repo)
        if c.run(r, 2):
            c(b"pyproject.toml:2:10: ignore: unknown code 'C999'" in r.err, "bad code %r" % r.err)
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    c.done()


def test_paths(s, binary):
    c = Checker(s, "check: PATHS (files, directories, cross-file hazards, outside, syntax errors)")
    repo = make_repo({"pkg/__init__.py": "", "pkg/store.py": STORE, "pkg/use.py": USE, "other/m.py": STORE,
                      "broken.py": "def f(:\n    pass\n", "pkg/stub.pyi": "def f() -> int: ...\n"})
    outside = tempfile.mkdtemp(prefix="glintefy-check-out-")
    try:
        r = testlib.run_review(binary, ["check", "-q", "pkg/use.py"], repo)
        c.run(r, 0)
        c(lines(r) == [], "use.py has no cache: %r" % lines(r))
        # the C206 in store.py comes from use.py, which is not given: the repository is still read
        r = testlib.run_review(binary, ["check", "-q", "pkg/store.py", "pkg/stub.pyi"], repo)
        if c.run(r, 1):
            c(lines(r) == EXPECTED, "store.py alone %r" % lines(r))
            c(r.err == b"", "stderr %r" % r.err)
        r = testlib.run_review(binary, ["check", "-q", "other"], repo)
        if c.run(r, 1):
            c(all(l.startswith("other/m.py:") for l in lines(r)) and len(lines(r)) == 3, "directory %r" % lines(r))
        r = testlib.run_review(binary, ["check", "-q", os.path.join(repo, "pkg", "store.py")], outside)
        c.run(r, 2)  # a path outside the repository (cwd is not the repository)
        r = testlib.run_review(binary, ["check", "-q", "missing.py"], repo)
        c.run(r, 2)
        # syntax errors: in PATHS they fail the check; elsewhere they do not concern it
        r = testlib.run_review(binary, ["check", "-q", "broken.py"], repo)
        if c.run(r, 1):
            c(r.err.startswith(b"broken.py:1:7: syntax error, not checked: "), "syntax error %r" % r.err)
        r = testlib.run_review(binary, ["check", "-q", "pkg/use.py"], repo)
        c.run(r, 0)
        c(r.err == b"", "syntax error outside PATHS reported: %r" % r.err)
    finally:
        shutil.rmtree(repo, ignore_errors=True)
        shutil.rmtree(outside, ignore_errors=True)
    c.done()


def sarif_of(c, binary, repo):
    r = testlib.run_review(binary, ["check", "--format", "sarif"], repo)
    if not c.run(r, 1):
        return None
    try:
        return json.loads(r.out)
    except ValueError as e:
        c(False, "sarif is not JSON: %s" % e)
        return None


def test_formats(s, binary):
    c = Checker(s, "check: json, gitlab and SARIF (schema, rule help, fingerprints stable under inserted lines)")
    repo = make_repo({"pkg/__init__.py": "", "pkg/store.py": STORE, "pkg/use.py": USE})
    try:
        r = testlib.run_review(binary, ["check", "--format", "json"], repo)
        if c.run(r, 1):
            doc = json.loads(r.out)
            c(doc["kind"] == "check" and doc["files_checked"] == 3, "json head %r" % {k: doc[k] for k in doc if k != "hazards"})
            got = ["%s:%d:%d: %s %s" % (h["file"], h["line"], h["col"], h["code"], h["message"]) for h in doc["hazards"]]
            c(got == EXPECTED, "json hazards %r" % got)
            c(doc["hazards"][1]["related"] == {"file": "pkg/use.py", "line": 6, "col": 5}, "json related")
            fps = [h["fingerprint"] for h in doc["hazards"]]
        r = testlib.run_review(binary, ["check", "--format", "gitlab"], repo)
        if c.run(r, 1):
            gl = json.loads(r.out)
            got = [(x["check_name"], x["location"]["path"], x["location"]["lines"]["begin"], x["severity"]) for x in gl]
            c(got == [("C202", "pkg/store.py", 5, "major"), ("C206", "pkg/store.py", 15, "critical"),
                      ("C205", "pkg/store.py", 17, "major"), ("C203", "pkg/store.py", 20, "critical")], "gitlab %r" % got)
            c([x["fingerprint"] for x in gl] == fps, "gitlab fingerprints")
            c(gl[0]["description"] == EXPECTED[0].split(": ", 1)[1], "gitlab description %r" % gl[0]["description"])
        doc = sarif_of(c, binary, repo)
        if doc:
            c(doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and doc["version"] == "2.1.0", "schema")
            run = doc["runs"][0]
            rules = run["tool"]["driver"]["rules"]
            ids = [x["id"] for x in rules]
            c(len(ids) == 27 and ids[0] == "P101" and ids[-1] == "C210", "rules %r" % ids)
            for x in rules:
                ok = (len(x["help"]["text"]) > 60 and x["help"]["markdown"] and x["fullDescription"]["text"]
                      and x["helpUri"] == "https://github.com/bitranox/glintefy/blob/main/docs/rules.md#" + x["id"].lower()
                      and x["defaultConfiguration"]["level"] in ("note", "warning", "error"))
                c(ok, "rule %s lacks help/helpUri" % x["id"])
            res = run["results"]
            c([x["ruleId"] for x in res] == ["C202", "C206", "C205", "C203"], "results %r" % [x["ruleId"] for x in res])
            for x in res:
                c(ids[x["ruleIndex"]] == x["ruleId"] and re.match(r"^[0-9a-f]{16}$", x["partialFingerprints"]["glintefyHazard/v1"]),
                  "result %r" % x)
            c(res[1]["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pkg/use.py", "related")
            before = {(x["ruleId"], x["locations"][0]["physicalLocation"]["region"]["startLine"]):
                      x["partialFingerprints"]["glintefyHazard/v1"] for x in res}
            c(len(set(before.values())) == 4, "fingerprints not distinct")
            # lines inserted above everything (and in the caller): same fingerprints, new lines
            testlib.write_file(repo, "pkg/store.py", '"""Docs."""\nimport os\n\n' + STORE)
            testlib.write_file(repo, "pkg/use.py", "# a comment\n\n" + USE)
            doc2 = sarif_of(c, binary, repo)
            if doc2:
                after = {(x["ruleId"], x["locations"][0]["physicalLocation"]["region"]["startLine"] - 3):
                         x["partialFingerprints"]["glintefyHazard/v1"] for x in doc2["runs"][0]["results"]}
                c(after == before, "fingerprints moved with the lines: %r != %r" % (after, before))
        # review cache --format sarif: the same rules and fingerprints
        r = testlib.run_review(binary, ["review", "cache", "--format", "sarif", "-q"], repo)
        if c.run(r, 0):
            d3 = json.loads(r.out)
            c(d3["runs"][0]["tool"]["driver"]["rules"] == doc2["runs"][0]["tool"]["driver"]["rules"], "review cache rules")
            c(sorted(x["partialFingerprints"]["glintefyHazard/v1"] for x in d3["runs"][0]["results"])
              == sorted(before.values()), "review cache fingerprints")
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    c.done()


def test_explain(s, binary):
    c = Checker(s, "check: --explain, docs/rules.md")
    r = testlib.run(binary, ["check", "--explain", "C206"])
    if c.run(r, 0):
        c(r.out.startswith(b"## C206\n\n**C206** (`cached-result-mutated`, level error)"), "explain %r" % r.out[:80])
    r = testlib.run(binary, ["check", "--explain", "Z1"])
    c.run(r, 2)
    r = testlib.run(binary, ["check", "--explain", "ALL"])
    if c.run(r, 0):
        with open(os.path.join(ROOT, "docs", "rules.md"), "rb") as fp:
            c(fp.read() == r.out, "docs/rules.md differs from `glintefy check --explain ALL` (regenerate it: "
                                  "build/glintefy check --explain ALL > docs/rules.md)")
        c(r.out.count(b"\n## ") == 27, "27 sections")
    c.done()


def hook():
    """The hook of .pre-commit-hooks.yaml as a dict (flat `key: value` lines; no YAML library)."""
    out = {}
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml")) as fp:
        for line in fp:
            m = re.match(r"^-? +(\w+): (.*)$", line.rstrip("\n")) or re.match(r"^- (\w+): (.*)$", line.rstrip("\n"))
            if m:
                out[m.group(1)] = m.group(2).strip().strip('"')
    return out


def test_pre_commit(s, binary):
    """pre-commit runs `entry` + the staged files of the types given, from the repository root,
    with the hook's environment's bin/ first on PATH: the same here, with a bin/glintefy that is
    the binary under test."""
    c = Checker(s, "check: the pre-commit hook's entry on fixture files")
    h = hook()
    c(h.get("id") == "glintefy-check" and h.get("language") == "python" and h.get("types_or") == "[python, pyi]"
      and h.get("entry") == "glintefy check" and h.get("require_serial") == "true", "hook %r" % h)
    repo = make_repo({"pkg/__init__.py": "", "pkg/store.py": STORE, "pkg/use.py": USE, "pkg/clean.py": CLEAN})
    bindir = tempfile.mkdtemp(prefix="glintefy-hook-")
    try:
        os.symlink(os.path.join(ROOT, binary), os.path.join(bindir, "glintefy"))
        entry = h.get("entry", "glintefy check").split()
        path = bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin")
        r = run_in(entry + ["pkg/store.py", "pkg/use.py"], repo, path)
        if c.run(r, 1):
            c(lines(r)[:-1] == EXPECTED, "hook output %r" % lines(r))
        r = run_in(entry + ["pkg/clean.py", "pkg/__init__.py"], repo, path)
        c.run(r, 0)
    finally:
        shutil.rmtree(repo, ignore_errors=True)
        shutil.rmtree(bindir, ignore_errors=True)
    c.done()


def run_in(argv, cwd, path):
    import subprocess
    e = testlib.env()
    e["PATH"] = path
    p = subprocess.run(argv, cwd=cwd, env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    return testlib.Run(p.returncode, p.stdout, p.stderr)


def run_all(s, binary):
    for t in (test_basic, test_select_ignore, test_paths, test_formats, test_explain, test_pre_commit):
        t(s, binary)
