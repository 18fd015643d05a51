"""A repository is untrusted input (issue 18): symlinks committed in the output root, special
files where glintefy reads or writes, races with the MCP server's path checks, signals, a full
disk, a read-only repository. Each test builds its repository in a fresh temporary directory,
keeps a folder "outside" next to it that glintefy must never touch, and removes both.
Called by tests/check.py for each build (suite "hostile")."""
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import testlib
from testlib import ROOT

PY = sys.executable
OUT = os.path.join("LLM-CONTEXT", "glintefy", "review")
LEVELS = ["LLM-CONTEXT", "LLM-CONTEXT/glintefy", OUT, OUT + "/cache", OUT + "/perf", OUT + "/perf/traces"]

APP = {
    "pkg/__init__.py": "",
    "pkg/work.py": """\
        import functools

        @functools.lru_cache(maxsize=32)
        def square(x):
            return x * x

        def total(n):
            return sum(square(i % 10) for i in range(n))
        """,
    "main.py": """\
        from pkg.work import total
        print(total(2000))
        """,
}


class Scratch:
    """dir/repo (the repository, with APP) and dir/outside (with a few files to watch)."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="glintefy-hostile-")
        self.repo = os.path.join(self.dir, "repo")
        self.outside = os.path.join(self.dir, "outside")
        self.tmp = os.path.join(self.dir, ".tmp")
        for d in (self.repo, self.outside, self.tmp):
            os.mkdir(d)
        for name, text in APP.items():
            testlib.write_file(self.repo, name, textwrap.dedent(text))
        for name in ("precious.txt", "test-trace-1-1.gtr", "test_profile.prof", "cache_stats.json", "summary.md"):
            testlib.write_file(self.outside, name, "outside " + name + "\n")
        return self

    def __exit__(self, *exc):
        subprocess.run(["chmod", "-R", "u+w", self.dir], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def snapshot(self):
        """{relative path: (mode, content)} of everything in outside."""
        snap = {}
        for top, dirs, files in os.walk(self.outside):
            for f in dirs + files:
                p = os.path.join(top, f)
                st = os.lstat(p)
                data = open(p, "rb").read() if stat.S_ISREG(st.st_mode) else None
                snap[os.path.relpath(p, self.outside)] = (st.st_mode, data)
        return snap

    def env(self, extra=None):
        e = testlib.env()
        e["TMPDIR"] = self.tmp
        e.update(extra or {})
        return e

    def glintefy(self, binary, args, timeout=120, extra=None, cwd=None):
        try:
            p = subprocess.run([os.path.join(ROOT, binary)] + args, cwd=cwd or self.repo, env=self.env(extra),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout)
            return testlib.Run(p.returncode, p.stdout, p.stderr)
        except subprocess.TimeoutExpired as x:
            return testlib.Run(-9, x.stdout or b"", x.stderr or b"", timed_out=True)

    def link(self, level, target=None):
        """Makes repo/level a symlink to outside (its parents real directories)."""
        path = os.path.join(self.repo, level)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target or self.outside, path)


def err(r):
    return r.err.decode("utf-8", "replace")


# ---- 1: symlinked output directories ----------------------------------------------------

def test_symlinked_output_root(s, binary):
    """At every level of the output root, a symlink to a folder outside: review profile and
    review cache neither write, delete nor read there, and say which component is a symlink."""
    for level in LEVELS:
        with Scratch() as x:
            x.link(level)
            before = x.snapshot()
            r = x.glintefy(binary, ["review", "profile", "--", PY, "main.py"])
            name = level.rsplit("/", 1)[-1]
            s.check(not r.crash() and x.snapshot() == before, "review profile: %s a symlink: outside untouched" % level,
                    "exit %d, outside now %s; %s" % (r.rc, sorted(x.snapshot()), err(r)[-300:]))
            if not level.endswith("/cache"):  # review profile writes nothing in cache/
                s.check(("%s is a symlink" % name) in err(r) and r.rc != 0 and b"57000" not in r.out,
                    "review profile: %s a symlink: refused by name, before the command ran" % level,
                    "exit %d %r" % (r.rc, err(r)[-300:]))
            r = x.glintefy(binary, ["review", "cache"])
            s.check(not r.crash() and x.snapshot() == before, "review cache: %s a symlink: outside untouched" % level,
                    "exit %d %s" % (r.rc, err(r)[-300:]))
            s.check(b"outside " not in r.out + r.err, "review cache: %s a symlink: nothing read from outside" % level,
                    repr((r.out + r.err)[-300:]))
            if level in LEVELS[:4]:
                s.check(r.rc != 0 and ("%s is a symlink" % name) in err(r),
                        "review cache: %s a symlink: refused by name" % level, "exit %d %r" % (r.rc, err(r)[-300:]))


# ---- 2: profile merge -o over special files ---------------------------------------------

def test_merge_output_special(s, binary):
    prof = os.path.join(ROOT, "tests", "profile", "data", "cpython314-fib.prof")
    with Scratch() as x:
        fifo = os.path.join(x.dir, "fifo")
        os.mkfifo(fifo)
        link = os.path.join(x.dir, "link")
        os.symlink(os.path.join(x.outside, "precious.txt"), link)
        for target, what in ((fifo, "a FIFO"), (link, "a symlink"), ("/dev/null", "a device")):
            before = os.lstat(target)
            r = x.glintefy(binary, ["profile", "merge", "-o", target, prof], timeout=30)
            after = os.lstat(target)
            s.check(r.rc == 1 and not r.crash() and stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
                    and after.st_ino == before.st_ino and r.err.strip(),
                    "profile merge -o %s: refused, left as it was" % what, "exit %d %r" % (r.rc, r.err))
        s.check(open(os.path.join(x.outside, "precious.txt")).read() == "outside precious.txt\n",
                "profile merge -o symlink: its target unchanged", "changed")
        own = os.path.join(x.dir, "own.prof")
        with open(own, "w") as fp:
            fp.write("old")
        os.chmod(own, 0o640)
        if os.geteuid() == 0:
            os.chown(own, 65534, 65534)
        r = x.glintefy(binary, ["profile", "merge", "-o", own, prof], timeout=30)
        st = os.stat(own)
        s.check(r.rc == 0 and stat.S_IMODE(st.st_mode) == 0o640 and
                (os.geteuid() != 0 or (st.st_uid, st.st_gid) == (65534, 65534)) and os.path.getsize(own) > 3,
                "profile merge -o an existing file: replaced, mode and owner kept",
                "exit %d mode %o owner %d:%d %r" % (r.rc, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, r.err))
        new = os.path.join(x.dir, "new.prof")
        r = x.glintefy(binary, ["profile", "merge", "-o", new, prof], timeout=30)
        s.check(r.rc == 0 and os.path.isfile(new), "profile merge -o a new name", "exit %d %r" % (r.rc, r.err))


# ---- 4: special files as inputs in perf/ --------------------------------------------------

def test_special_inputs(s, binary):
    """perf/ files that are symlinks to /dev/zero or outside, FIFOs, or a traces/*.gtr FIFO:
    review cache neither hangs, grows, nor quotes their bytes."""
    perf = os.path.join(OUT, "perf")
    for name in ("test_profile.prof", "cache_stats.json", "traces/test-trace-1-1.gtr"):
        for kind in ("zero", "fifo", "outside"):
            with Scratch() as x:
                path = os.path.join(x.repo, perf, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                if kind == "zero":
                    os.symlink("/dev/zero", path)
                elif kind == "fifo":
                    os.mkfifo(path)
                else:
                    os.symlink(os.path.join(x.outside, os.path.basename(name)), path)
                t0 = time.time()
                r = x.glintefy(binary, ["review", "cache"], timeout=60)
                what = "review cache: perf/%s %s" % (name, {"zero": "-> /dev/zero", "fifo": "a FIFO",
                                                             "outside": "-> outside"}[kind])
                s.check(not r.crash() and time.time() - t0 < 30, what + ": no hang or crash",
                        "%s after %.1f s" % (r.crash(), time.time() - t0))
                s.check(b"outside " not in r.out + r.err and b"\x00" not in r.err,
                        what + ": no foreign bytes in messages", repr(r.err[-300:]))
                said = r.out + r.err
                s.check(name.split("/")[-1].encode() in said and (b"symlink" in said or b"regular" in said),
                        what + ": says why it is not used", repr(said[-300:]))


TESTS = [test_symlinked_output_root, test_merge_output_special, test_special_inputs]


def run_all(s, binary):
    for t in TESTS:
        t(s, binary)
