"""The probe's validation mode (GLINTEFY_PROBE_APPLY, docs/curves.md "Validation") on every kind of
function: each action (add, resize, remove) on plain, decorated, method, nested, main-module
functions and on caches made by assignment or by a cache factory. The apply file names functions
as the traces do (co_firstlineno: a decorated function's first decorator line); the probe
reports each change it made ("A <id>") and the calls of each cache it made ("C <id> <calls>").
Runs the probe's source directly (python/glintefy/_probe). Part of suite "curves"."""
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile

from testlib import ROOT

PROBE = os.path.join(ROOT, "python", "glintefy", "_probe")

LIB = '''\
import functools
from functools import lru_cache


def plain(n):
    return n * 2


@lru_cache(maxsize=None)
def decorated(n):
    return n + 1


def deco_other(f):
    return f


@deco_other
@functools.lru_cache(maxsize=4)
def stacked(n):
    return n - 1


@deco_other
def decorated_plain(n):
    return n * 5


class C:
    def __init__(self):
        self.inst = lru_cache()(self.inst)

    @lru_cache(maxsize=4)
    def meth(self, n):
        return n

    def plain_meth(self, n):
        return n

    def inst(self, n):
        return n * 3

    @staticmethod
    @lru_cache(maxsize=8)
    def smeth(n):
        return n


def outer(n):
    @lru_cache(maxsize=8)
    def inner(k):
        return k
    inner(n)
    return inner


def _g(n):
    return n


assigned = lru_cache(maxsize=16)(_g)


def memo(func):
    return lru_cache(32, typed=True)(func)


@memo
def via_factory(n):
    return n


def _h(n):
    return n


def local(n):
    f = lru_cache(5)(_h)
    f(n)
    return f


cached = functools.cache(plain)
'''

WORK = '''\
import json
import functools
import lib


@functools.lru_cache(maxsize=2)
def main_cached(n):
    return n


def main_plain(n):
    return n


def state(f):
    p = getattr(f, "cache_parameters", None)
    return ("cache", p()["maxsize"], p()["typed"]) if p else ("plain",)


c = lib.C()
for k in range(3):
    for f in (lib.plain, lib.decorated_plain, lib.decorated, lib.stacked, c.meth, c.plain_meth, c.inst, lib.C.smeth, lib.assigned,
              lib.via_factory, main_cached, main_plain):
        f(k)
out = {"plain": state(lib.plain), "decorated_plain": state(lib.decorated_plain), "decorated": state(lib.decorated), "stacked": state(lib.stacked),
       "C.meth": state(lib.C.meth), "C.plain_meth": state(lib.C.plain_meth), "C.inst": state(c.inst),
       "C.smeth": state(lib.C.smeth), "outer.<locals>.inner": state(lib.outer(1)), "_g": state(lib.assigned),
       "via_factory": state(lib.via_factory), "_h": state(lib.local(1)), "main_cached": state(main_cached),
       "main_plain": state(main_plain)}
print(json.dumps(out, sort_keys=True))
'''


def first_lines(path):
    """qualname -> co_firstlineno of every function in the file."""
    out = {}

    def walk(node, prefix):
        for n in ast.iter_child_nodes(node):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                q = prefix + n.name
                out[q] = n.decorator_list[0].lineno if n.decorator_list else n.lineno
                walk(n, q + ".<locals>.")
            elif isinstance(n, ast.ClassDef):
                walk(n, prefix + n.name + ".")
            else:
                walk(n, prefix)
    walk(ast.parse(open(path).read()), "")
    return out


def run_apply(repo, actions):
    """Runs work.py with actions [(file, qualname, action, maxsize)]; (state, applied ids, calls)."""
    apply_path = os.path.join(repo, "apply.json")
    report = os.path.join(repo, "report.txt")
    if os.path.exists(report):
        os.remove(report)
    items = []
    for i, (file, qual, action, maxsize, *keep) in enumerate(actions):
        path = os.path.join(repo, file)
        items.append({"id": i, "file": path, "line": first_lines(path)[qual], "qualname": qual, "action": action,
                      "maxsize": maxsize, "keep_api": bool(keep)})
    with open(apply_path, "w") as f:
        json.dump({"report": report, "apply": items}, f)
    env = dict(os.environ, PYTHONPATH=PROBE, GLINTEFY_PROBE_APPLY=apply_path)
    env.pop("GLINTEFY_PROBE_DIR", None)
    r = subprocess.run([sys.executable, "work.py"], cwd=repo, env=env, capture_output=True, timeout=60)
    applied, calls = set(), {}
    if os.path.exists(report):
        for line in open(report):
            p = line.split()
            if p[0] == "A":
                applied.add(int(p[1]))
            elif p[0] == "C":
                calls[int(p[1])] = calls.get(int(p[1]), 0) + int(p[2])
    try:
        state = {k: tuple(v) for k, v in json.loads(r.stdout).items()}
    except ValueError:
        state = {"error": r.stderr.decode()[-800:]}
    return state, applied, calls


CACHES = [("lib.py", "decorated"), ("lib.py", "stacked"), ("lib.py", "C.meth"), ("lib.py", "C.inst"),
          ("lib.py", "C.smeth"), ("lib.py", "outer.<locals>.inner"), ("lib.py", "_g"), ("lib.py", "via_factory"),
          ("lib.py", "_h"), ("work.py", "main_cached")]
PLAINS = [("lib.py", "plain"), ("lib.py", "decorated_plain"), ("lib.py", "C.plain_meth"), ("work.py", "main_plain")]


def run_all(s, binary):
    tmp = tempfile.mkdtemp(prefix="glintefy-apply-")
    try:
        repo = os.path.join(tmp, "repo")
        os.makedirs(repo)
        for name, text in (("lib.py", LIB), ("work.py", WORK)):
            with open(os.path.join(repo, name), "w") as f:
                f.write(text)
        base, applied, _ = run_apply(repo, [])
        s.check(base.get("decorated") == ("cache", None, False) and base.get("C.inst") == ("cache", 128, False) and
                base.get("via_factory") == ("cache", 32, True) and base.get("plain") == ("plain",) and not applied,
                "apply: the program as it is", str(base))

        state, applied, _ = run_apply(repo, [(f, q, "remove", None) for f, q in CACHES])
        for i, (f, q) in enumerate(CACHES):
            s.check(state.get(q) == ("plain",) and i in applied, "apply: remove %s" % q,
                    "state %s, applied %s" % (state.get(q, state), sorted(applied)))
        s.check(state.get("plain") == ("plain",) and state.get("C.plain_meth") == ("plain",),
                "apply: remove leaves the rest", str(state))

        state, applied, calls = run_apply(repo, [(f, q, "resize", 3) for f, q in CACHES])
        for i, (f, q) in enumerate(CACHES):
            typed = q == "via_factory"
            s.check(state.get(q) == ("cache", 3, typed) and i in applied, "apply: resize %s (typed kept)" % q,
                    "state %s, applied %s" % (state.get(q, state), sorted(applied)))
        s.check(calls.get(CACHES.index(("lib.py", "decorated")), 0) == 3, "apply: calls of a resized cache reported",
                str(calls))

        # a removal inside a cache factory's code keeps a cache object that stores nothing
        state, applied, _ = run_apply(repo, [("lib.py", "via_factory", "remove", None, True)])
        s.check(state.get("via_factory") == ("cache", 0, True) and 0 in applied, "apply: remove a factory's cache (keep_api)",
                str(state.get("via_factory", state)))

        acts = [(f, q, "add", None) for f, q in PLAINS] + [("lib.py", "outer.<locals>.inner", "add", 7)]
        state, applied, calls = run_apply(repo, acts)
        for i, (f, q) in enumerate(PLAINS):
            s.check(state.get(q) == ("cache", None, False) and i in applied and calls.get(i, 0) >= 3,
                    "apply: add %s" % q, "state %s, applied %s, calls %s" % (state.get(q, state), sorted(applied), calls))
        # a nested function is made at each call of its outer function: not reachable, and said so
        s.check(len(PLAINS) not in applied, "apply: add on a nested function is not claimed", str(sorted(applied)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
