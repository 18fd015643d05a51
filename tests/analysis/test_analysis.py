"""Tests of the static analysis (`glintefy debug facts`):
- fixtures/<rule>/ is a small repository with positive and negative cases of a rule; its
  expected.json is the exact output of `debug facts --repo fixtures/<rule>` (minus itself).
  `python3 tests/analysis/test_analysis.py --regen` rewrites them: review the diff.
- stdlib: every functools cache in python3's standard library, counted here independently with
  CPython's ast, must be found with the same kind and maxsize, and nothing else.
Called by tests/check.py for each build (suite "analysis")."""
import ast
import json
import os
import sys
import sysconfig

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import testlib  # noqa: E402
from testlib import ROOT, run  # noqa: E402

FIXTURES = os.path.join(ROOT, "tests", "analysis", "fixtures")


def fixture_dirs():
    return sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))


def facts(binary, args, timeout=120):
    r = run(binary, ["debug", "facts"] + args, timeout=timeout)
    why = r.crash()
    if why:
        return None, why
    if r.rc != 0:
        return None, "exit status %d: %s" % (r.rc, r.err.decode("utf-8", "replace")[:300])
    try:
        return json.loads(r.out), None
    except ValueError as e:
        return None, "not JSON: %s" % e


def check_fixture(s, binary, name):
    got, why = facts(binary, ["--repo", os.path.join(FIXTURES, name)])
    if why:
        s.fail("analysis fixture %s" % name, why)
        return
    with open(os.path.join(FIXTURES, name, "expected.json")) as fp:
        want = json.load(fp)
    d = testlib.first_diff(got, want)
    if d:
        s.fail("analysis fixture %s" % name, d)
    else:
        s.ok()


# ---- the standard library, counted with CPython's ast ----------------------------------------

def stdlib_caches(root):
    """{(path, first_line): (kind, maxsize)} for every functools cache in root's .py files, by
    the same rules glintefy documents: decorators and `f = lru_cache(..)(g)` / `cache(g)`
    assignments, through `import functools [as x]` and `from functools import y [as z]`;
    maxsize 128 by default, 'unbounded' for None and cache, module-level int constants
    evaluated, anything else 'unknown'."""
    found = {}
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "dist-packages", "__pycache__")
                         and not os.path.exists(os.path.join(d, x, "pyvenv.cfg")))
        for f in sorted(files):
            if not f.endswith(".py"):
                continue
            path = os.path.join(d, f)
            try:
                with open(path, "rb") as fp:
                    tree = ast.parse(fp.read())
            except (SyntaxError, ValueError):
                continue
            rel = os.path.relpath(path, root)
            for key, val in module_caches(tree).items():
                found[(rel, key)] = val
    return found


def module_caches(tree):
    names = {}   # local name -> 'functools' or 'functools.x'
    consts = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "functools":
                    names[a.asname or "functools"] = "functools"
        elif isinstance(node, ast.ImportFrom) and node.module == "functools" and node.level == 0:
            for a in node.names:
                names[a.asname or a.name] = "functools." + a.name
    multi = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            n = node.targets[0].id
            if n in consts or n in multi:
                multi.add(n)
                consts.pop(n, None)
            elif isinstance(node.value, ast.Constant) and type(node.value.value) is int:
                consts[n] = node.value.value

    def qual(e):
        if isinstance(e, ast.Name):
            return names.get(e.id)
        if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and names.get(e.value.id) == "functools":
            return "functools." + e.attr
        return None

    def size(e):
        if isinstance(e, ast.Constant) and e.value is None:
            return "unbounded"
        if isinstance(e, ast.Constant) and type(e.value) is int:
            return max(e.value, 0)
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub) and isinstance(e.operand, ast.Constant):
            return 0
        if isinstance(e, ast.Name) and e.id in consts:
            return max(consts[e.id], 0)
        return "unknown"

    def lru(call):
        ms = call.args[0] if call.args else None
        for k in call.keywords:
            if k.arg == "maxsize":
                ms = k.value
        return 128 if ms is None else size(ms)

    out = {}
    defs = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            defs.setdefault(node.name, first)
            for d in node.decorator_list:
                q = qual(d.func if isinstance(d, ast.Call) else d)
                if q == "functools.lru_cache":
                    out[first] = ("lru_cache", lru(d) if isinstance(d, ast.Call) else 128)
                elif q == "functools.cache":
                    out[first] = ("cache", "unbounded")
                elif q == "functools.cached_property":
                    out[first] = ("cached_property", "unbounded")
                else:
                    continue
                break
    def module_level(body):
        """Statements run at import time, inside if/try/with blocks too."""
        for node in body:
            yield node
            for field in ("body", "orelse", "finalbody", "handlers"):
                sub = getattr(node, field, None)
                if isinstance(sub, list) and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    yield from module_level(sub)

    for node in module_level(tree.body):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Call) \
                and len(node.value.args) == 1 and isinstance(node.value.args[0], ast.Name):
            fn, g = node.value.func, node.value.args[0].id
            if g not in defs or defs[g] in out:
                continue
            if isinstance(fn, ast.Call) and qual(fn.func) == "functools.lru_cache":
                out[defs[g]] = ("lru_cache", lru(fn))
            elif qual(fn) == "functools.lru_cache":
                out[defs[g]] = ("lru_cache", 128)
            elif qual(fn) == "functools.cache":
                out[defs[g]] = ("cache", "unbounded")
    made_inside(tree, qual, lru, out)
    return out


def made_inside(tree, qual, lru, out):
    """Caches made by a call in a function: `x = lru_cache(n)(f)` of a def in an enclosing scope,
    `lru_cache()(self.NAME)` of a method of the class (one cache per instance), and cache
    decorators - `lru_cache(..)(param)` of the function's first parameter - whose uses
    `@deco`, `@factory(...)` (factory returns such a nested decorator) and `@name` with a
    module-level `name = factory(...)` are caches of the decorated function (same file)."""
    def made(call):
        if not isinstance(call, ast.Call) or len(call.args) != 1 or call.keywords:
            return None
        fn = call.func
        if isinstance(fn, ast.Call) and qual(fn.func) == "functools.lru_cache":
            return ("lru_cache", lru(fn)), call.args[0]
        if qual(fn) == "functools.lru_cache":
            return ("lru_cache", 128), call.args[0]
        if qual(fn) == "functools.cache":
            return ("cache", "unbounded"), call.args[0]
        return None

    def first(node):
        return node.decorator_list[0].lineno if node.decorator_list else node.lineno

    level = {}    # id(def node) -> (1 or 2, cache)
    mod_defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    pending = []  # caches of defs, set once decorators are known: (def node, cache)

    def own_nodes(body):
        """Nodes of a function body, not those of nested functions, classes or lambdas."""
        stack = list(body)
        while stack:
            n = stack.pop()
            yield n
            for c in ast.iter_child_nodes(n):
                if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    stack.append(c)

    def visit(body, scopes, cls):
        """scopes: the enclosing functions' {name: def node}, innermost last; cls: the class
        (name -> def node of its methods) the body is directly in, or None."""
        for node in body:
            if isinstance(node, ast.ClassDef):
                methods = {n.name: n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
                visit(node.body, scopes, methods)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                params = [x.arg for x in a.posonlyargs + a.args]
                self_name = params[0] if cls is not None and params and not any(
                    qual(d) is None and isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list) else None
                local = {n.name: n for n in own_nodes(node.body) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
                visit(node.body, scopes + [local], None)
                for n in own_nodes(node.body):
                    m = made(n)
                    if m:
                        cache, x = m
                        if isinstance(x, ast.Name) and params and x.id == params[0] and x.id != self_name:
                            level.setdefault(id(node), (1, cache))
                        elif isinstance(x, ast.Name):
                            for sc in reversed([mod_defs] + scopes + [local]):
                                if x.id in sc:
                                    pending.append((sc[x.id], cache))
                                    break
                        elif (isinstance(x, ast.Attribute) and isinstance(x.value, ast.Name) and
                              x.value.id == self_name and x.attr in cls):
                            pending.append((cls[x.attr], cache))
                    if (isinstance(n, ast.Return) and isinstance(n.value, ast.Name) and n.value.id in local and
                            level.get(id(local[n.value.id]), (0,))[0] == 1):
                        level.setdefault(id(node), (2, level[id(local[n.value.id])][1]))
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    sub = getattr(node, field, None)
                    if isinstance(sub, list):
                        visit(sub, scopes, cls)
    visit(tree.body, [], None)
    for node, cache in pending:
        out.setdefault(first(node), cache)
    # uses of the file's cache decorators
    made_by = {}  # module-level name = factory(...) -> the factory's cache
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and
                isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) and
                node.value.func.id in mod_defs and level.get(id(mod_defs[node.value.func.id]), (0,))[0] == 2):
            made_by[node.targets[0].id] = level[id(mod_defs[node.value.func.id])][1]
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for d in node.decorator_list:
            e, called = (d.func, 1) if isinstance(d, ast.Call) else (d, 0)
            if not isinstance(e, ast.Name):
                continue
            if e.id in mod_defs and level.get(id(mod_defs[e.id]), (0,))[0] == called + 1:
                out.setdefault(first(node), level[id(mod_defs[e.id])][1])
            elif e.id in made_by and not called:
                out.setdefault(first(node), made_by[e.id])


def check_stdlib(s, binary):
    root = sysconfig.get_paths()["stdlib"]
    got, why = facts(binary, ["--only-cached", "--repo", root], timeout=600)
    if why:
        s.fail("analysis stdlib caches", why)
        return
    ours = {}
    for f in got["files"]:
        for fn in f["functions"]:
            ours[(f["path"], fn["first_line"])] = (fn["cache"]["kind"], fn["cache"]["maxsize"])
    want = stdlib_caches(root)
    if ours == want:
        s.ok()
        s.notes.append("%d stdlib caches" % len(want))
        return
    missing = sorted(set(want) - set(ours))
    extra = sorted(set(ours) - set(want))
    differ = sorted(k for k in set(want) & set(ours) if want[k] != ours[k])
    s.fail("analysis stdlib caches", "missing %s; extra %s; differ %s" % (
        missing[:5], extra[:5], [(k, ours[k], want[k]) for k in differ[:5]]))


def run_all(s, binary):
    for name in fixture_dirs():
        check_fixture(s, binary, name)
    check_stdlib(s, binary)


def regen():
    binary = testlib.BUILDS["gcc"]
    for name in fixture_dirs():
        got, why = facts(binary, ["--repo", os.path.join(FIXTURES, name)])
        if why:
            print("%s: %s" % (name, why))
            continue
        with open(os.path.join(FIXTURES, name, "expected.json"), "w") as fp:
            json.dump(got, fp, indent=1)
            fp.write("\n")
        print("wrote fixtures/%s/expected.json" % name)


if __name__ == "__main__":
    if sys.argv[1:] == ["--regen"]:
        regen()
    else:
        print(__doc__)
