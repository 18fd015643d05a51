"""`review cache --diff/--fix` (src/report/patch.c): the edits of each action on fixture sources
(`glintefy debug patch`, byte for byte: import styles, stacked decorators, CRLF, tabs, a BOM),
then end to end on the example project: review profile -> review cache -> --diff (git apply
--check) -> --fix -> a new review finds no action; a file changed since the analysis is refused.
Called by tests/check.py (suite "patch")."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import testlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def ck(s, cond, what):
    return s.check(cond, what.split("\n")[0], what)


def add(fn, line, size="unbounded"):
    return {"file": "m.py", "function": fn, "line": line, "recommendation": "ADD_CACHE", "suggested_maxsize": size,
            "decorator": "@functools.cache" if size == "unbounded" else "@functools.lru_cache(maxsize=%d)" % size}


def adjust(fn, line, size):
    return {"file": "m.py", "function": fn, "line": line, "recommendation": "ADJUST_SIZE", "suggested_maxsize": size}


def remove(fn, line):
    return {"file": "m.py", "function": fn, "line": line, "recommendation": "REMOVE", "suggested_maxsize": None}


# (name, source bytes, actions, expected bytes or None for "refused")
CASES = [
    ("add, no import yet: import functools after the imports",
     b'"""doc"""\nimport os\n\n\ndef f(x):\n    return x\n', [add("f", 5)],
     b'"""doc"""\nimport os\nimport functools\n\n\ndef f(x):\n    @\n'),
    ("add, import functools as ft", b"import functools as ft\n\ndef f(x):\n    return x\n", [add("f", 3, 64)],
     b"import functools as ft\n\n@ft.lru_cache(maxsize=64)\ndef f(x):\n    return x\n"),
    ("add, from-import gets the name", b"from functools import wraps\n\ndef f(x):\n    return x\n", [add("f", 3)],
     b"from functools import wraps, cache\n\n@cache\ndef f(x):\n    return x\n"),
    ("add, from-import (parenthesised, trailing comma)",
     b"from functools import (\n    wraps,\n)\n\ndef f(x):\n    return x\n", [add("f", 5, 10)],
     b"from functools import (\n    wraps, lru_cache,\n)\n\n@lru_cache(maxsize=10)\ndef f(x):\n    return x\n"),
    ("add above other decorators, below staticmethod",
     b"import functools\nclass A:\n    @staticmethod\n    @deco\n    def f(x):\n        return x\n", [add("f", 5)],
     b"import functools\nclass A:\n    @staticmethod\n    @functools.cache\n    @deco\n    def f(x):\n        return x\n"),
    ("add below classmethod", b"import functools\nclass A:\n    @classmethod\n    def f(cls, x):\n        return x\n",
     [add("f", 4)], b"import functools\nclass A:\n    @classmethod\n    @functools.cache\n    def f(cls, x):\n        return x\n"),
    ("add below property", b"import functools\nclass A:\n    @property\n    def f(self):\n        return 1\n",
     [add("f", 4, 1)], b"import functools\nclass A:\n    @property\n    @functools.lru_cache(maxsize=1)\n    def f(self):\n        return 1\n"),
    ("adjust keyword, spelling kept", b"import functools\n@functools.lru_cache(maxsize=4)  # note\ndef f(x):\n    return x\n",
     [adjust("f", 3, 128)], b"import functools\n@functools.lru_cache(maxsize=128)  # note\ndef f(x):\n    return x\n"),
    ("adjust positional to unbounded", b"from functools import lru_cache\n@lru_cache(32, typed=True)\ndef f(x):\n    return x\n",
     [adjust("f", 3, "unbounded")], b"from functools import lru_cache\n@lru_cache(None, typed=True)\ndef f(x):\n    return x\n"),
    ("adjust bare lru_cache", b"import functools\n@functools.lru_cache\ndef f(x):\n    return x\n", [adjust("f", 3, 7)],
     b"import functools\n@functools.lru_cache(maxsize=7)\ndef f(x):\n    return x\n"),
    ("adjust lru_cache(typed=True)", b"import functools\n@functools.lru_cache(typed=True)\ndef f(x):\n    return x\n",
     [adjust("f", 3, 7)], b"import functools\n@functools.lru_cache(maxsize=7, typed=True)\ndef f(x):\n    return x\n"),
    ("adjust functools.cache to a bound", b"import functools\n@functools.cache\ndef f(x):\n    return x\n", [adjust("f", 3, 9)],
     b"import functools\n@functools.lru_cache(maxsize=9)\ndef f(x):\n    return x\n"),
    ("adjust from-import cache: the name is replaced", b"from functools import cache\n@cache\ndef f(x):\n    return x\n",
     [adjust("f", 3, 9)], b"from functools import lru_cache\n@lru_cache(maxsize=9)\ndef f(x):\n    return x\n"),
    ("adjust a multi-line decorator", b"import functools\n@functools.lru_cache(\n    maxsize=4,\n)\ndef f(x):\n    return x\n",
     [adjust("f", 5, 40)], b"import functools\n@functools.lru_cache(\n    maxsize=40,\n)\ndef f(x):\n    return x\n"),
    ("remove: the unused import goes", b"import os\nimport functools\n\n@functools.lru_cache(maxsize=2)\ndef f(x):\n    return x\n",
     [remove("f", 5)], b"import os\n\ndef f(x):\n    return x\n"),
    ("remove: a used import stays",
     b"import functools\n\n@functools.lru_cache(maxsize=2)\ndef f(x):\n    return x\n\n@functools.wraps(f)\ndef g(x):\n    return x\n",
     [remove("f", 4)], b"import functools\n\ndef f(x):\n    return x\n\n@functools.wraps(f)\ndef g(x):\n    return x\n"),
    ("remove from a from-import of two names", b"from functools import lru_cache, wraps\n@lru_cache\ndef f(x):\n    return x\n",
     [remove("f", 3)], b"from functools import wraps\ndef f(x):\n    return x\n"),
    ("remove under staticmethod", b"from functools import cache\nclass A:\n    @staticmethod\n    @cache\n    def f(x):\n        return x\n",
     [remove("f", 5)], b"class A:\n    @staticmethod\n    def f(x):\n        return x\n"),
    ("CRLF kept, import added with CRLF", b"import os\r\n\r\ndef f(x):\r\n    return x\r\n", [add("f", 3)],
     b"import os\r\nimport functools\r\n\r\n@functools.cache\r\ndef f(x):\r\n    return x\r\n"),
    ("tabs kept", b"import functools\nclass A:\n\t@staticmethod\n\tdef f(x):\n\t\treturn x\n", [add("f", 4, 3)],
     b"import functools\nclass A:\n\t@staticmethod\n\t@functools.lru_cache(maxsize=3)\n\tdef f(x):\n\t\treturn x\n"),
    ("BOM kept", b"\xef\xbb\xbfimport functools\n@functools.lru_cache(maxsize=1)\ndef f(x):\n    return x\n", [adjust("f", 3, 5)],
     b"\xef\xbb\xbfimport functools\n@functools.lru_cache(maxsize=5)\ndef f(x):\n    return x\n"),
    ("BOM, decorator on line 1", b"\xef\xbb\xbf@functools.cache\ndef f(x):\n    return x\nimport functools\n", [remove("f", 2)],
     b"\xef\xbb\xbfdef f(x):\n    return x\n"),
    ("no newline at the end", b"import functools\ndef f(x):\n    return x", [add("f", 2)],
     b"import functools\n@functools.cache\ndef f(x):\n    return x"),
    ("a local name `cache` is not clobbered", b"from functools import wraps\ncache = {}\ndef f(x):\n    return x\n", [add("f", 3)],
     b"from functools import wraps\nimport functools\ncache = {}\n@functools.cache\ndef f(x):\n    return x\n"),
    ("remove one lru_cache, resize a cache to lru_cache: the import of lru_cache stays",
     b"from functools import lru_cache, cache\n@lru_cache\ndef f(x):\n    return x\n@cache\ndef g(x):\n    return x\n",
     [remove("f", 3), adjust("g", 6, 5)],
     b"from functools import lru_cache\ndef f(x):\n    return x\n@lru_cache(maxsize=5)\ndef g(x):\n    return x\n"),
    ("add where the import goes too: the import first (found by the fuzzer)",
     b'"""doc"""\nimport os\ndef f(x):\n    return x\n', [add("f", 3)],
     b'"""doc"""\nimport os\nimport functools\n@functools.cache\ndef f(x):\n    return x\n'),
    ("refused: no function at that line", b"def f(x):\n    return x\n", [add("f", 9)], None),
    ("refused: a cache is there already", b"import functools\n@functools.cache\ndef f(x):\n    return x\n", [add("f", 3)], None),
]
# the first case's expectation is written out in full here (the table above keeps lines short)
CASES[0] = (CASES[0][0], CASES[0][1], CASES[0][2],
            b'"""doc"""\nimport os\nimport functools\n\n\n@functools.cache\ndef f(x):\n    return x\n')


def test_edits(s, binary, tmp):
    for name, src, acts, want in CASES:
        p, a = os.path.join(tmp, "m.py"), os.path.join(tmp, "acts.json")
        with open(p, "wb") as f:
            f.write(src)
        with open(a, "w") as f:
            json.dump(acts, f)
        r = subprocess.run([binary, "debug", "patch", p, a], capture_output=True, timeout=30)
        if want is None:
            ck(s, r.returncode == 1 and bool(r.stderr), "%s: exit 1 with a message (got %d %r)" % (name, r.returncode, r.stderr))
            continue
        ck(s, r.returncode == 0 and r.stdout == want, "%s:\n got %r\nwant %r\n%s" % (name, r.stdout, want, r.stderr))
        # and the result parses as Python
        ck(s, subprocess.run([sys.executable, "-c", "import ast,sys; ast.parse(open(sys.argv[1],'rb').read())", p]).returncode == 0,
                "%s: source parses" % name)


def run(args, cwd, **kw):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"), GLINTEFY_BIN=kw.pop("binary"))
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env, **kw)


def test_end_to_end(s, binary, tmp):
    repo = os.path.join(tmp, "shop-repo")
    shutil.copytree(os.path.join(ROOT, "examples", "shop"), os.path.join(repo, "shop"))
    shutil.copy(os.path.join(ROOT, "examples", "workload.py"), repo)
    r = run([binary, "review", "profile", "--", sys.executable, "workload.py", "300"], repo, binary=binary)
    ck(s, r.returncode == 0, "review profile: %s" % r.stderr[-500:])
    r = run([binary, "review", "cache", "-q"], repo, binary=binary)
    ck(s, r.returncode == 0, "review cache: %s" % r.stderr[-500:])
    out = os.path.join(repo, "LLM-CONTEXT", "glintefy", "review", "cache")
    recs = json.load(open(os.path.join(out, "cache_recommendations.json")))["recommendations"]
    kinds = sorted(set(x["recommendation"] for x in recs))
    ck(s, kinds == ["ADD_CACHE", "ADJUST_SIZE", "REMOVE"], "every kind of action on the example (%s)" % kinds)
    r = run([binary, "review", "cache", "--diff"], repo, binary=binary)
    ck(s, r.returncode == 0 and r.stdout.startswith("diff --git a/"), "--diff prints a diff: %s" % r.stderr)
    diff = r.stdout
    ck(s, diff.count("\n+") + diff.count("\n-") >= len(recs), "a changed line per action")
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", "."], cwd=repo, check=True)
        dp = os.path.join(tmp, "x.diff")
        with open(dp, "w") as f:
            f.write(diff)
        g = subprocess.run(["git", "apply", "--check", dp], cwd=repo, capture_output=True, text=True)
        ck(s, g.returncode == 0, "git apply --check accepts the diff: %s" % g.stderr)
    else:
        ck(s, False, "git is needed for git apply --check")
    before = open(os.path.join(repo, "shop", "pricing.py"), "rb").read()
    r = run([binary, "review", "cache", "--fix"], repo, binary=binary)
    ck(s, r.returncode == 0 and "applied %d action" % len(recs) in r.stderr, "--fix applies every action: %s" % r.stderr)
    ck(s, open(os.path.join(repo, "shop", "pricing.py"), "rb").read() != before, "--fix changed the file")
    r = run([binary, "review", "cache", "--diff"], repo, binary=binary)
    ck(s, r.returncode == 1 and "changed since the analysis" in r.stderr and not r.stdout,
            "files changed since the analysis are refused: %s" % r.stderr)
    r = run([binary, "review", "cache", "-q"], repo, binary=binary)
    recs2 = json.load(open(os.path.join(out, "cache_recommendations.json")))["recommendations"]
    ck(s, recs2 == [], "a new review finds the actions done (left: %s)" % [(x["qualname"], x["recommendation"]) for x in recs2])
    r = run([binary, "review", "cache", "--diff"], repo, binary=binary)
    ck(s, r.returncode == 0 and r.stdout == "", "nothing left to diff")
    os.remove(os.path.join(out, "cache_recommendations.json"))
    r = run([binary, "review", "cache", "--fix"], repo, binary=binary)
    ck(s, r.returncode == 1 and "review cache' first" in r.stderr, "--fix without an analysis says what to do")


def test_regressions(s, binary, tmp):
    """Inputs the fuzzer found (tests/patch/fuzz-regressions): every action kind on f at lines 1..12."""
    d = os.path.join(HERE, "fuzz-regressions")
    for name in sorted(os.listdir(d)):
        if name.endswith(".md"):
            continue
        a = os.path.join(tmp, "acts.json")
        worst = None
        for line in range(1, 13):
            for act in (add("f", line), add("f", line, 64), adjust("f", line, 7), adjust("f", line, "unbounded"),
                        remove("f", line)):
                with open(a, "w") as f:
                    json.dump([act], f)
                r = subprocess.run([binary, "debug", "patch", os.path.join(d, name), a], capture_output=True, timeout=30)
                if r.returncode not in (0, 1) or b"Sanitizer" in r.stderr or b"runtime error" in r.stderr:
                    worst = (line, act["recommendation"], r.returncode, r.stderr[-300:])
                elif r.returncode == 0:
                    try:
                        compile(r.stdout, name, "exec", dont_inherit=True)
                    except SyntaxError as e:
                        worst = (line, act["recommendation"], "the edited file does not parse: %s" % e)
        ck(s, worst is None, "fuzz regression %s: exit 0 or 1, no sanitizer report, edits parse (%s)" % (name, worst))


def test_fix_validate(s, binary, tmp):
    """--fix --validate applies only what the validation runs confirmed."""
    repo = os.path.join(tmp, "shop-validate")
    shutil.copytree(os.path.join(ROOT, "examples", "shop"), os.path.join(repo, "shop"))
    shutil.copy(os.path.join(ROOT, "examples", "workload.py"), repo)
    run([binary, "review", "profile", "--", sys.executable, "workload.py", "300"], repo, binary=binary)
    run([binary, "review", "cache", "-q"], repo, binary=binary)
    pricing = os.path.join(repo, "shop", "pricing.py")
    before = open(pricing, "rb").read()
    r = run([binary, "review", "cache", "--fix", "--validate", "--", sys.executable, "workload.py", "300"], repo, binary=binary)
    ck(s, r.returncode == 0 and "validated" in r.stderr and "applied 4 actions" in r.stderr and open(pricing, "rb").read() != before,
       "--fix --validate applies the validated actions: %s" % r.stderr[-600:])


def run_all(s, binary):
    binary = os.path.join(ROOT, binary)
    tmp = tempfile.mkdtemp(prefix="glintefy-patch-")
    try:
        test_edits(s, binary, tmp)
        test_regressions(s, binary, tmp)
        test_end_to_end(s, binary, tmp)
        test_fix_validate(s, binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

