"""Differential test against the local CPython: random small edits of standard-library source
(a character deleted or inserted, a keyword inserted, two lines swapped) must be accepted or
rejected exactly as CPython's ast.parse does, and accepted ones must give CPython's tree. Error
messages are compared too (line and text); they must agree in at least MIN_MESSAGE_AGREEMENT of
the rejected cases, since a few of CPython's hints are not reproduced (docs/parser.md).

The edits are drawn from a fixed seed, so a run is repeatable; DIFFERENTIAL_CASES and
DIFFERENTIAL_SEED change them. A failing case is printed in full, ready for a golden test.
"""
import concurrent.futures
import json
import os
import random
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
import testlib  # noqa: E402
import ast_to_json  # noqa: E402

CASES = {"gcc": 3000, "asan": 400}
MIN_MESSAGE_AGREEMENT = 0.98
CHARS = list("()[]{}:,;.=+-*/'\"#\\\n \tfrbuj0123_xXeE!@%&|^~<>")
WORDS = [" if ", " else ", " for ", " in ", " lambda ", " await ", " yield ", " not ", " is ", " and ",
         "async ", " match ", " case ", "*", "**", ":=", "->", "...", " del ", " as ", 'f"{', '}"',
         "'''", '"""', "print ", " = "]


def stdlib_files():
    root = testlib.stdlib_dir() if hasattr(testlib, "stdlib_dir") else None
    if root is None:
        import sysconfig
        root = sysconfig.get_paths()["stdlib"]
    out = []
    for d, ds, fs in os.walk(root):
        ds[:] = sorted(x for x in ds if x not in ("site-packages", "lib-dynload", "__pycache__"))
        out += [os.path.join(d, f) for f in sorted(fs) if f.endswith(".py")]
    return out


def make_case(rng, files):
    """Returns mutated source text (a window of a few lines around the edit)."""
    while True:
        try:
            with open(rng.choice(files), encoding="utf-8") as fp:
                lines = fp.read().split("\n")
            break
        except (UnicodeDecodeError, OSError):
            continue
    i = rng.randrange(len(lines))
    r = rng.random()
    ln = lines[i]
    pos = rng.randint(0, len(ln))
    if r < 0.3 and ln:
        lines[i] = ln[:pos] + ln[pos + 1:]
    elif r < 0.6:
        lines[i] = ln[:pos] + rng.choice(CHARS) + ln[pos:]
    elif r < 0.85:
        lines[i] = ln[:pos] + rng.choice(WORDS) + ln[pos:]
    else:
        j = max(0, min(len(lines) - 1, i + rng.randint(-3, 3)))
        lines[i], lines[j] = lines[j], lines[i]
    lo, hi = max(0, i - 3), min(len(lines), i + 4)
    return "\n".join(lines[lo:hi]) + "\n"


def reference(data):
    try:
        return json.loads(ast_to_json.dump_source(data)), None
    except (SyntaxError, ValueError) as e:
        return None, (getattr(e, "lineno", 0) or 0, getattr(e, "msg", str(e)))
    except (RecursionError, MemoryError):
        return "skip", None


def check_one(binary, text):
    data = text.encode("utf-8", "surrogatepass")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, referr = reference(data)
    if ref == "skip":
        return "skip", ""
    r = testlib.run(binary, ["debug", "ast", "--python", "3.11", "-"], stdin=data, timeout=30)
    why = r.crash()
    if why:
        return "fail", why
    if ref is not None:
        if r.rc != 0:
            return "fail", "CPython accepts it, we reject it: " + r.err.decode("utf-8", "replace").strip()
        if json.loads(r.out) != ref:
            return "fail", "trees differ"
        return "ok", ""
    if r.rc != 1 or r.out:
        return "fail", "CPython rejects it (%s: %s), we accept it" % referr
    parts = r.err.decode("utf-8", "replace").strip().split(":", 3)
    same = len(parts) == 4 and parts[1] == str(referr[0]) and parts[3].strip() == referr[1]
    return ("ok" if same else "msg"), "CPython %s: %s | ours %s" % (referr[0], referr[1], ":".join(parts[1:]))


def run_suite(builds):
    seed = int(os.environ.get("DIFFERENTIAL_SEED", "20261125"))
    files = stdlib_files()
    suites = []
    for b in builds:
        n = int(os.environ.get("DIFFERENTIAL_CASES", CASES[b]))
        rng = random.Random(seed)
        cases = [make_case(rng, files) for _ in range(n)]
        s = testlib.Suite("differential (%s)" % b)
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            results = list(ex.map(lambda t: check_one(testlib.BUILDS[b], t), cases))
        msgs = rejected = 0
        for text, (kind, why) in zip(cases, results):
            if kind == "fail":
                s.fail("case", "%s\n----\n%s----" % (why, text))
            elif kind != "skip":
                s.ok()
            if kind == "msg":
                msgs += 1
            if kind in ("msg", "ok") and "CPython" in why:
                rejected += 1
        rejected = max(rejected, msgs)
        agree = 1.0 - (msgs / rejected if rejected else 0.0)
        s.check(agree >= MIN_MESSAGE_AGREEMENT, "error messages",
                "only %.1f%% agree with CPython's (line and text)" % (100 * agree))
        s.notes.append("%d cases, error messages agree in %.1f%% of %d rejected" % (n, 100 * agree, rejected))
        suites.append(s)
    return suites
