"""The `profile` suite: real .prof files from cProfile and profile (made here, in a temporary
directory), read, added and written by glintefy and checked against pstats number for number;
the print_stats table against pstats' own; golden error messages for broken files; hotspots;
a few hundred mutated files that must be rejected or read, never crash. Called by tests/check.py."""
import glob
import io
import json
import marshal
import os
import pstats
import random
import subprocess
import sys
import tempfile

from testlib import ROOT, run

HERE = os.path.dirname(os.path.abspath(__file__))

# A workload whose profile has recursion, builtins, methods and several files' worth of names.
WORKLOAD = r'''
import cProfile, profile, sys
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
class Shape:
    def area(self, k):
        return sum(i * k for i in range(30))
def work(rounds):
    s, shape, acc = 0, Shape(), []
    for i in range(rounds):
        s += len(str(i)) + shape.area(i % 7)
        acc.append(sorted([i % 5, i % 3]))
    return fib(14) + s
def other():
    return [x ** 2 for x in range(500)]
kind, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
mod = cProfile if kind == "c" else profile
def main():
    work(rounds)
    if rounds % 2:
        other()
p = mod.Profile()
p.runcall(main)
p.dump_stats(out)
'''


def make_profiles(tmp):
    script = os.path.join(tmp, "workload.py")
    with open(script, "w") as fp:
        fp.write(WORKLOAD)
    made = {}
    for name, kind, rounds in [("a", "c", 200), ("b", "c", 301), ("c", "c", 57), ("p", "p", 40), ("q", "p", 33)]:
        path = os.path.join(tmp, name + ".prof")
        subprocess.run([sys.executable, script, kind, path, str(rounds)], check=True)
        made[name] = path
    return made


def pstats_sum(paths):
    """pstats.Stats(first) then .add(each other) in order, as the guide's recipe does."""
    st = pstats.Stats(paths[0])
    for p in paths[1:]:
        st.add(p)
    return st


def same_stats(ours, ref):
    """None if the dicts are equal item for item and in the same order, else the first difference."""
    if list(ours) != list(ref):
        return "keys or their order differ: %r" % (sorted(set(ours) ^ set(ref))[:3] or "order")
    for k in ref:
        a, b = ours[k], ref[k]
        if a[:4] != b[:4]:
            return "%r: %r != %r" % (k, a[:4], b[:4])
        if list(a[4].items()) != list(b[4].items()):
            return "%r callers: %r != %r" % (k, a[4], b[4])
    return None


def load_prof(path):
    with open(path, "rb") as fp:
        return marshal.load(fp)


def pstats_table(paths, sort, top):
    out = io.StringIO()
    st = pstats_sum(paths)
    st.stream = out
    st.files = []
    if sort != "none":
        st.sort_stats(sort)
    if top is None:
        st.print_stats()
    else:
        st.print_stats(top)
    return out.getvalue()


def synthetic(stats):
    return marshal.dumps(stats, 4)


def entry(cc, nc, tt, ct, callers=None):
    return (cc, nc, tt, ct, callers or {})


# Golden errors: (name, bytes, expected stderr with FILE for the path). Offsets point at the
# object that is wrong; see docs/profile.md.
KEY = ("m.py", 3, "f")
GOLDEN_ERRORS = [
    ("empty", b"", "FILE: offset 0: empty file\n"),
    ("text", b"hello, world\n", "FILE: offset 0: unknown object type 'h'\n"),
    ("list", marshal.dumps([1, 2]), "FILE: offset 0: not a profile: expected a dict of functions, found list\n"),
    ("code", marshal.dumps(compile("x = 1", "f", "exec")),
     "FILE: offset 0: not a profile: expected a dict of functions, found str\n"),
    ("truncated", synthetic({KEY: entry(1, 1, 0.5, 0.5)})[:-12],
     "FILE: offset 30: truncated: float needs 8 bytes, 4 left\n"),
    ("no-end", synthetic({KEY: entry(1, 1, 0.5, 0.5)})[:-1],
     "FILE: offset 45: truncated: dict entry (or its end '0') needs 1 bytes, 0 left\n"),
    ("key-not-tuple", synthetic({"f": entry(1, 1, 0.5, 0.5)}),
     "FILE: offset 1: function key (file, line, name): expected a tuple, found str\n"),
    ("key-short", synthetic({("m.py", 3): entry(1, 1, 0.5, 0.5)}),
     "FILE: offset 1: function key (file, line, name): expected 3 items, found 2\n"),
    ("line-not-int", synthetic({("m.py", "3", "f"): entry(1, 1, 0.5, 0.5)}),
     "FILE: offset 9: line number: expected an int, found str\n"),
    ("stats-short", synthetic({KEY: (1, 1, 0.5, 0.5)}),
     "FILE: offset 17: stats (cc, nc, tt, ct, callers): expected 5 items, found 4\n"),
    ("nc-float", synthetic({KEY: entry(1, 1.0, 0.5, 0.5)}),
     "FILE: offset 24: nc: expected an int, found float\n"),
    ("tt-str", synthetic({KEY: entry(1, 1, "0.5", 0.5)}),
     "FILE: offset 29: tt: expected a number, found str\n"),
    ("callers-list", synthetic({KEY: (1, 1, 0.5, 0.5, [])}),
     "FILE: offset 43: callers: expected a dict, found list\n"),
    ("caller-value", synthetic({KEY: entry(1, 1, 0.5, 0.5, {KEY: "x"})}),
     "FILE: offset 49: caller value: expected a tuple (nc, cc, tt, ct) or a call count, found str\n"),
    ("caller-short", synthetic({KEY: entry(1, 1, 0.5, 0.5, {KEY: (1, 1, 0.5)})}),
     "FILE: offset 49: caller value (nc, cc, tt, ct): expected 4 items, found 3\n"),
    ("count-too-big", synthetic({KEY: entry(1, 2 ** 70, 0.5, 0.5)}),
     "FILE: offset 24: nc: count does not fit in 64 bits\n"),
    ("bad-ref", b"{)\x03r\x05\x00\x00\x00", "FILE: offset 3: reference 5 out of range (0 objects so far)\n"),
    ("deep", b"[\x01\x00\x00\x00" * 200 + b"N", "FILE: offset 500: nested deeper than 100 levels\n"),
    ("huge-tuple", b"{(\xff\xff\xff\x7f", "FILE: offset 2: tuple of size 2147483647 does not fit in the 0 bytes left\n"),
]


def run_all(s, binary):
    def glintefy(args, timeout=60):
        return run(binary, args, timeout=timeout)

    def ok_run(what, r, want_rc=0):
        why = r.crash()
        if why:
            s.fail(what, why)
            return False
        if r.rc != want_rc:
            s.fail(what, "exit %d, expected %d: %s" % (r.rc, want_rc, r.err.decode("utf-8", "replace").strip()[:300]))
            return False
        return True

    with tempfile.TemporaryDirectory() as tmp:
        prof = make_profiles(tmp)
        out = os.path.join(tmp, "out.prof")

        # `python -m profile -o` (profile.Profile, not cProfile) keys its top frame by a code object;
        # pstats reads such files, so do we: as the str of its repr without the address
        work = os.path.join(tmp, "pw.py")
        with open(work, "w") as fp:
            fp.write("def f(n):\n    return n if n < 2 else f(n - 1) + f(n - 2)\nf(12)\n")
        pyprof = os.path.join(tmp, "pyprofile.prof")
        subprocess.run([sys.executable, "-m", "profile", "-o", pyprof, work], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        r = glintefy(["profile", "merge", "-o", out, pyprof])
        if ok_run("python -m profile file", r):
            def named(stats):
                def fix(k):
                    if isinstance(k[2], str):
                        return k
                    return (k[0], k[1], '<code object %s, file "%s", line %d>' % (k[2].co_name, k[2].co_filename,
                                                                                 k[2].co_firstlineno))
                return {fix(k): v[:4] + ({fix(c): t for c, t in v[4].items()},) for k, v in stats.items()}
            d = same_stats(pstats.Stats(out).stats, named(pstats.Stats(pyprof).stats))
            s.check(d is None, "python -m profile file: the rows pstats reads", d)
        # every CPython whose code objects differ in layout (3.8-3.10 and 3.11+)
        for v in ("3.8", "3.9", "3.10", "3.12", "3.13"):
            found = glob.glob(os.path.expanduser("~/.pyenv/versions/%s.*/bin/python" % v)) + \
                [p for p in ("/usr/bin/python" + v,) if os.path.exists(p)]
            if not found or subprocess.run([found[0], "-m", "profile", "-o", pyprof, work], cwd=tmp,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
                continue
            r = glintefy(["profile", "show", pyprof])
            if ok_run("python%s -m profile file" % v, r):
                s.check(b'profile:0(<code object <module>, file "' in r.out and b"pw.py:1(f)" in r.out,
                        "python%s -m profile file: shown" % v, r.out[:300])

        # Round trip: one file read and written again is the same dict for pstats.
        for name in "abcpq":
            r = glintefy(["profile", "merge", "-o", out, prof[name]])
            if ok_run("round trip " + name, r):
                d = same_stats(pstats.Stats(out).stats, pstats.Stats(prof[name]).stats)
                s.check(d is None, "round trip " + name, d)

        # Merges, number for number and in pstats' order.
        for names in ["ab", "abc", "cba", "aab", "pq", "qpq"]:
            paths = [prof[n] for n in names]
            r = glintefy(["profile", "merge", "-o", out] + paths)
            if ok_run("merge " + names, r):
                d = same_stats(pstats.Stats(out).stats, pstats_sum(paths).stats)
                s.check(d is None, "merge " + names, d)

        # Every marshal version CPython can write (0 and 1 use text floats, 2 binary; 3+ refs).
        stats = load_prof(prof["a"])
        for version in range(0, 5):
            path = os.path.join(tmp, "v%d.prof" % version)
            with open(path, "wb") as fp:
                marshal.dump(stats, fp, version)
            r = glintefy(["profile", "merge", "-o", out, path])
            if ok_run("marshal version %d" % version, r):
                d = same_stats(load_prof(out), stats)
                s.check(d is None, "marshal version %d" % version, d)

        # A profile written by CPython 3.14 (marshal version 5), made with Pyodide by
        # tests/profile/data/make_cpython314.mjs: read, and merged as pstats (3.11 here) merges it.
        p314 = os.path.join(ROOT, "tests", "profile", "data", "cpython314-fib.prof")
        r = glintefy(["profile", "merge", "-o", out, p314, p314])
        if ok_run("CPython 3.14 profile", r):
            d = same_stats(pstats.Stats(out).stats, pstats_sum([p314, p314]).stats)
            s.check(d is None, "CPython 3.14 profile", d)
            fibs = [v for k, v in load_prof(out).items() if k[2] == "fib"]
            s.check(len(fibs) == 1 and fibs[0][1] == 2 * 8361 and fibs[0][0] == 2,
                    "CPython 3.14 profile: fib's counts", repr(fibs)[:200])

        # Counts beyond 32 bits survive, and sums of them too.
        big = {KEY: entry(2 ** 40 + 1, 2 ** 62 - 1, 1.25, 2.5, {("~", 0, "<x>"): (2 ** 33, 7, 0.5, 0.25)})}
        path = os.path.join(tmp, "big.prof")
        with open(path, "wb") as fp:
            fp.write(synthetic(big))
        r = glintefy(["profile", "merge", "-o", out, path])
        if ok_run("64-bit counts", r):
            s.check(load_prof(out) == big, "64-bit counts", repr(load_prof(out))[:200])
        r = glintefy(["profile", "merge", "-o", out, path, path])
        if ok_run("64-bit sums", r):
            want = pstats_sum([path, path]).stats
            s.check(load_prof(out) == want, "64-bit sums", repr(load_prof(out))[:200])
        r = glintefy(["profile", "merge", "-o", out, path, path, path])
        if ok_run("count overflow", r, 1):
            s.check(r.err == ("%s: call count of m.py:3(f) overflows 64 bits\n" % path).encode(), "count overflow",
                    r.err.decode())

        # A cProfile profile and a profile-module profile do not add up (pstats raises TypeError).
        before = b"untouched"
        with open(out, "wb") as fp:
            fp.write(before)
        r = glintefy(["profile", "merge", "-o", out, prof["a"], prof["p"]])
        if ok_run("mixed kinds", r, 1):
            err = r.err.decode()
            s.check(err.startswith(prof["p"] + ": cannot add a caller count of ") and "'profile' module" in err,
                    "mixed kinds", err)
            with open(out, "rb") as fp:
                s.check(fp.read() == before, "mixed kinds leaves OUT untouched", "OUT was rewritten")

        # The table, line for line as pstats' print_stats prints it.
        cases = [("cumtime", None), ("cumulative", 10), ("tottime", 5), ("ncalls", None), ("pcalls", 3),
                 ("name", None), ("file", None), ("line", None), ("nfl", None), ("stdname", None), ("none", 4)]
        for sort, top in cases:
            for names in ["a", "abc", "pq"]:
                paths = [prof[n] for n in names]
                args = ["profile", "show", "--sort", sort] + (["--top", str(top)] if top is not None else []) + paths
                r = glintefy(args)
                what = "show --sort %s --top %s %s" % (sort, top, names)
                if ok_run(what, r):
                    want = pstats_table(paths, sort, top)
                    got = r.out.decode()
                    if got != want:
                        diff = next((i for i, (x, y) in enumerate(zip(got.splitlines(), want.splitlines())) if x != y), None)
                        s.fail(what, "line %s: %r != %r" % (diff, got.splitlines()[diff] if diff is not None else got[-80:],
                                                             want.splitlines()[diff] if diff is not None else want[-80:]))
                    else:
                        s.ok()

        # Hotspots on numbers chosen to hit each rule.
        hot = {
            ("/app/calc.py", 10, "high"): entry(600, 600, 0.2, 1.5),
            ("/app/calc.py", 20, "medium_calls"): entry(250, 250, 0.1, 0.2),
            ("/app/calc.py", 30, "medium_time"): entry(120, 150, 0.1, 0.6),
            ("/app/calc.py", 40, "low"): entry(100, 100, 0.01, 0.1),
            ("/app/calc.py", 50, "few_calls"): entry(99, 99, 1.0, 5.0),
            ("/app/calc.py", 60, "fast"): entry(9000, 9000, 0.01, 0.09),
            ("~", 0, "<built-in method builtins.len>"): entry(9000, 9000, 2.0, 2.0),
            ("/usr/lib/python3.11/json/decoder.py", 332, "decode"): entry(900, 900, 2.0, 2.0),
            ("/venv/lib/python3.11/site-packages/x.py", 1, "g"): entry(900, 900, 2.0, 2.0),
            ("<frozen importlib._bootstrap>", 1, "h"): entry(900, 900, 2.0, 2.0),
        }
        path = os.path.join(tmp, "hot.prof")
        with open(path, "wb") as fp:
            fp.write(synthetic(hot))
        r = glintefy(["profile", "hotspots", path])
        if ok_run("hotspots", r):
            want = ("priority    ncalls  cumtime  percall filename:lineno(function)\n"
                    "HIGH           600    1.500    0.003 /app/calc.py:10(high)\n"
                    "MEDIUM         150    0.600    0.004 /app/calc.py:30(medium_time)\n"
                    "MEDIUM         250    0.200    0.001 /app/calc.py:20(medium_calls)\n"
                    "LOW            100    0.100    0.001 /app/calc.py:40(low)\n")
            s.check(r.out.decode() == want, "hotspots", r.out.decode())
        r = glintefy(["profile", "hotspots", "--json", "--min-calls", "600", "--min-cumtime=1", path])
        if ok_run("hotspots --json", r):
            try:
                got = json.loads(r.out)
                s.check([(h["function"], h["priority"], h["calls"], h["cumtime"]) for h in got] == [("high", "HIGH", 600, 1.5)],
                        "hotspots --json", r.out.decode())
            except ValueError as e:
                s.fail("hotspots --json", "not JSON: %s" % e)

        # Golden error messages: exit 1, nothing on stdout, the exact line on stderr.
        for name, data, want in GOLDEN_ERRORS:
            path = os.path.join(tmp, name + ".prof")
            with open(path, "wb") as fp:
                fp.write(data)
            r = glintefy(["profile", "show", path])
            if ok_run("error " + name, r, 1):
                got = r.err.decode("utf-8", "replace")
                s.check(got == want.replace("FILE", path) and not r.out, "error " + name,
                        "stderr %r, expected %r" % (got, want.replace("FILE", path)))
        r = glintefy(["profile", "show", os.path.join(tmp, "missing.prof")])
        if ok_run("missing file", r, 1):
            s.check(r.err.decode().endswith("missing.prof: No such file or directory\n"), "missing file", r.err.decode())

        # Usage errors: exit 2 and one line.
        for args in (["profile"], ["profile", "bogus"], ["profile", "merge", prof["a"]], ["profile", "merge", "-o"],
                     ["profile", "show"], ["profile", "show", "--sort", "bogus", prof["a"]],
                     ["profile", "show", "--top", "-1", prof["a"]], ["profile", "hotspots", "--min-cumtime", "x", prof["a"]]):
            r = glintefy(args)
            if ok_run(" ".join(args[:3]), r, 2):
                s.check(r.err.count(b"\n") == 1 and not r.out, " ".join(args), r.err.decode())

        # Mutations of a real profile: each is read or rejected with a message, never a crash.
        rng = random.Random(5)
        base = open(prof["a"], "rb").read()
        failures = 0
        for k in range(120):
            data = bytearray(base)
            for _ in range(rng.randint(1, 4)):
                op = rng.random()
                i = rng.randrange(len(data))
                if op < 0.5:
                    data[i] = rng.randrange(256)
                elif op < 0.75:
                    del data[i:i + rng.randint(1, 16)]
                else:
                    data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            if rng.random() < 0.2:
                data = data[:rng.randrange(len(data))]
            path = os.path.join(tmp, "mut.prof")
            with open(path, "wb") as fp:
                fp.write(data)
            r = glintefy(["profile", "show", path])
            why = r.crash() or (None if r.rc in (0, 1) else "exit %d" % r.rc)
            if not why and r.rc == 1 and (r.out or not r.err.startswith(path.encode() + b": ")):
                why = "rejected without FILE: message, or with stdout"
            if why:
                failures += 1
                keep = os.path.join(tmp, "crash-%d.prof" % k)
                os.rename(path, keep)
                s.fail("mutation %d" % k, why)
        if not failures:
            s.ok()

        # Saved fuzz finds replay here too.
        top = os.path.join(HERE, "fuzz-regressions")
        for f in sorted(os.listdir(top)) if os.path.isdir(top) else []:
            r = glintefy(["profile", "show", os.path.join(top, f)])
            why = r.crash() or (None if r.rc in (0, 1) else "exit %d" % r.rc)
            s.check(why is None, "fuzz regression " + f, why)
