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


# ---- 3: the MCP path check cannot be raced; refusals do not reveal what is outside ------

def make_prof(where, fn):
    """where/x.prof: a cProfile file of a function called fn."""
    os.makedirs(where, exist_ok=True)
    script = os.path.join(where, "w.py")
    with open(script, "w") as fp:
        fp.write("def %s(n):\n    return n\n\nfor i in range(50):\n    %s(i)\n" % (fn, fn))
    subprocess.run([PY, "-m", "cProfile", "-o", os.path.join(where, "x.prof"), script], check=True,
                   stdout=subprocess.DEVNULL)


class Mcp:
    def __init__(self, binary, repo):
        self.p = subprocess.Popen([os.path.join(ROOT, binary), "mcp", "--repo", repo], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=testlib.env())
        self.n = 0
        self.call("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                 "clientInfo": {"name": "hostile", "version": "1"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, m):
        self.p.stdin.write((json.dumps(m) + "\n").encode())
        self.p.stdin.flush()

    def call(self, method, params):
        self.n += 1
        self.send({"jsonrpc": "2.0", "id": self.n, "method": method, "params": params})
        while True:
            line = self.p.stdout.readline()
            if not line:
                return None
            m = json.loads(line)
            if m.get("id") == self.n:
                return m

    def tool(self, name, args):
        r = self.call("tools/call", {"name": name, "arguments": args})
        return json.dumps(r["result"]) if r and "result" in r else json.dumps(r)

    def close(self):
        self.p.stdin.close()
        try:
            self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def test_mcp_swap_race(s, binary, requests=150):
    """A thread swaps repo/d between a directory and a symlink to outside/d for the whole test
    while profile_hotspots reads d/x.prof: not one answer may come from the file outside."""
    with Scratch() as x:
        make_prof(os.path.join(x.repo, "d"), "inside_function")
        make_prof(os.path.join(x.outside, "d"), "outside_function")
        os.symlink(os.path.join(x.outside, "d"), os.path.join(x.repo, "d.lnk"))
        d, ddir, dlnk = (os.path.join(x.repo, n) for n in ("d", "d.dir", "d.lnk"))
        stop = threading.Event()

        def swap():
            while not stop.is_set():
                os.rename(d, ddir)
                os.rename(dlnk, d)  # d is the symlink
                time.sleep(0.001)
                os.rename(d, dlnk)
                os.rename(ddir, d)  # d is the directory
                time.sleep(0.001)

        srv = Mcp(binary, x.repo)
        t = threading.Thread(target=swap)
        t.start()
        inside = outside = 0
        try:
            for _ in range(requests):
                r = srv.tool("profile_hotspots", {"profile": "d/x.prof", "min_calls": 1, "min_cumtime": 0})
                inside += "inside_function" in r
                outside += "outside_function" in r
        finally:
            stop.set()
            t.join()
            srv.close()
        s.check(outside == 0 and inside > 0, "mcp: profile_hotspots during a directory/symlink swap reads nothing outside",
                "%d of %d answers came from outside, %d from inside" % (outside, requests, inside))


def test_mcp_refusals(s, binary):
    """A refused path outside the repository gets the same answer whether it exists or not."""
    with Scratch() as x:
        make_prof(os.path.join(x.repo, "d"), "inside_function")
        srv = Mcp(binary, x.repo)
        try:
            got = {}
            for what, p in (("existing", os.path.join(x.outside, "precious.txt")),
                            ("missing", os.path.join(x.outside, "missing.txt"))):
                got[what] = srv.tool("profile_hotspots", {"profile": p}).replace(p, "PATH")
            rel = {}
            for what, p in (("existing", "../outside/precious.txt"), ("missing", "../outside/missing.txt")):
                rel[what] = srv.tool("profile_hotspots", {"profile": p}).replace(p, "PATH")
            ok = srv.tool("profile_hotspots", {"profile": os.path.join(x.repo, "d", "x.prof"), "min_calls": 1,
                                               "min_cumtime": 0})
        finally:
            srv.close()
        s.check(got["existing"] == got["missing"] and "outside the repository" in got["missing"],
                "mcp: absolute paths outside: one refusal whether they exist or not", repr(got))
        s.check(rel["existing"] == rel["missing"] and "refused" in rel["missing"],
                "mcp: '..' paths outside: one refusal whether they exist or not", repr(rel))
        s.check("inside_function" in ok, "mcp: an absolute path inside the repository is read", ok[:300])


# ---- 11: two concurrent review profile runs ----------------------------------------------

def test_concurrent_profiles(s, binary, pairs=16):
    """Two unnamed runs that end at the same moment: perf/traces/ ends with one run's traces
    (each run removes the old test-trace-* files, then copies its own; perf/ is locked)."""
    mixed = 0
    with Scratch() as x:
        testlib.write_file(x.repo, "gate.py", textwrap.dedent("""\
            import os, sys, time
            from pkg.work import total
            open("ready-" + sys.argv[1], "w").close()
            while not os.path.exists("go"):
                time.sleep(0.002)
            total(500)
            """))
        for k in range(pairs):
            for f in os.listdir(x.repo):
                if f.startswith("ready-") or f == "go":
                    os.unlink(os.path.join(x.repo, f))
            procs = [subprocess.Popen([os.path.join(ROOT, binary), "review", "profile", "--", PY, "gate.py", str(i)],
                                      cwd=x.repo, env=x.env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE) for i in (0, 1)]
            deadline = time.time() + 60
            while time.time() < deadline and not all(os.path.exists(os.path.join(x.repo, "ready-%d" % i)) for i in (0, 1)):
                time.sleep(0.01)
            open(os.path.join(x.repo, "go"), "w").close()
            rcs = [p.wait(120) for p in procs]
            errs = [p.stderr.read() for p in procs]
            traces = sorted(os.listdir(os.path.join(x.repo, OUT, "perf", "traces")))
            if rcs != [0, 0] or len(traces) != 1:
                mixed += 1
                last = "exit %s, traces %s; %r" % (rcs, traces, errs[0][-200:])
    s.check(mixed == 0, "review profile: two concurrent unnamed runs never mix traces",
            "%d of %d pairs mixed (last: %s)" % (mixed, pairs, last if mixed else ""))


# ---- 12: a full disk, a read-only repository ---------------------------------------------

class Tmpfs:
    """A 1 MB tmpfs at dir/fs, or None when this machine does not allow mounting one."""

    def __init__(self, x):
        self.path = os.path.join(x.dir, "fs")
        os.mkdir(self.path)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", self.path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.ok = r.returncode == 0
        self.why = r.stderr.decode("utf-8", "replace").strip() or "mount exit %d" % r.returncode

    def remount_ro(self):
        return subprocess.run(["mount", "-o", "remount,ro", self.path], stderr=subprocess.DEVNULL).returncode == 0

    def fill(self, leave):
        """Fills the file system but for about `leave` bytes."""
        free = os.statvfs(self.path)
        n = free.f_bavail * free.f_frsize - leave
        self.fills = getattr(self, "fills", 0) + 1
        with open(os.path.join(self.path, "filler-%d" % self.fills), "wb") as fp:
            try:
                fp.write(b"x" * max(n, 0))
            except OSError:
                pass

    def close(self):
        subprocess.run(["umount", "-l", self.path], stderr=subprocess.DEVNULL)


def many_functions(n):
    return "import functools\n\n" + "".join(
        "@functools.lru_cache(maxsize=%d)\ndef f%d(x):\n    return x * %d\n\n\ndef g%d(a, b):\n    return [a + b for _ in range(3)]\n\n\n"
        % (8 + i, i, i, i) for i in range(n))


def test_full_disk(s, binary):
    with Scratch() as x:
        fs = Tmpfs(x)
        if not fs.ok:
            s.notes.append("full disk and read-only tests skipped: cannot mount a tmpfs here (%s)" % fs.why)
            return
        try:
            repo = os.path.join(fs.path, "repo")
            shutil.copytree(x.repo, repo)
            testlib.write_file(repo, "pkg/many.py", many_functions(40))
            cache = os.path.join(repo, OUT, "cache")
            r = x.glintefy(binary, ["review", "cache"], cwd=repo)
            before = {f: open(os.path.join(cache, f), "rb").read() for f in os.listdir(cache)}
            s.check(r.rc == 0 and len(before) == 8, "full disk: first review cache writes six files + source_hashes.json + report.html", err(r)[-300:])
            testlib.write_file(repo, "pkg/many.py", many_functions(60))  # different output
            # room for the first new file (about 36 KB) and not for the rest: a writer that
            # replaces files one by one leaves a mix of old and new
            fs.fill(40 * 1024)
            r = x.glintefy(binary, ["review", "cache"], cwd=repo)
            after = {f: open(os.path.join(cache, f), "rb").read() for f in os.listdir(cache)}
            s.check(r.rc != 0 and b"No space left" in r.err, "full disk: review cache fails and says why", err(r)[-300:])
            s.check(after == before, "full disk: review cache leaves the previous set whole (no mix, no temporary file)",
                    "changed: %s" % sorted(f for f in set(before) | set(after) if before.get(f) != after.get(f)))
            fs.fill(0)
            r = x.glintefy(binary, ["review", "profile", "--", PY, "main.py"], cwd=repo)
            wrote = [l for l in err(r).splitlines() if l.startswith("glintefy: wrote ")]
            bad = [l for l in wrote if not os.path.exists(os.path.join(repo, l.split()[2]))]
            s.check(r.rc != 0 and b"No space left" in r.err and not bad,
                    "full disk: review profile reports only files it wrote", "exit %d %r" % (r.rc, err(r)[-400:]))
        finally:
            fs.close()


def test_read_only_repository(s, binary):
    with Scratch() as x:
        fs = Tmpfs(x)
        if not fs.ok:
            return  # said by test_full_disk
        try:
            repo = os.path.join(fs.path, "repo")
            shutil.copytree(x.repo, repo)
            if not fs.remount_ro():
                s.notes.append("read-only repository test skipped: cannot remount the tmpfs read-only")
                return
            r = x.glintefy(binary, ["review", "profile", "--", PY, "main.py"], cwd=repo)
            s.check(r.rc != 0 and b"Read-only file system" in r.err and b"57000" not in r.out and
                    b"not run" in r.err, "read-only repository: review profile says so before running the command",
                    "exit %d out %r err %r" % (r.rc, r.out[-100:], err(r)[-300:]))
        finally:
            fs.close()


# ---- 14: clean stays on one file system ---------------------------------------------------

def test_clean_mount(s, binary):
    """A file system mounted inside the output root (a bind mount of the user's home, say):
    review clean deletes around it and leaves it and its files alone."""
    with Scratch() as x:
        mnt = os.path.join(x.repo, OUT, "perf", "mnt")
        os.makedirs(mnt)
        testlib.write_file(x.repo, OUT + "/perf/old.prof", "x")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt], stderr=subprocess.PIPE)
        if r.returncode != 0:
            s.notes.append("clean across a mount skipped: cannot mount a tmpfs here")
            return
        try:
            testlib.write_file(mnt, "precious.txt", "keep me")
            r = x.glintefy(binary, ["review", "clean"])
            s.check(os.path.exists(os.path.join(mnt, "precious.txt")) and r.rc == 1 and b"another file system" in r.err
                    and not os.path.exists(os.path.join(x.repo, OUT, "perf", "old.prof")),
                    "review clean: does not cross a mount point inside the output root",
                    "exit %d %r" % (r.rc, r.err[-300:]))
        finally:
            subprocess.run(["umount", "-l", mnt], stderr=subprocess.DEVNULL)


def test_no_quoted_bytes(s, binary):
    """A broken cache_stats.json: the warning names the place, not the file's bytes."""
    with Scratch() as x:
        testlib.write_file(x.repo, OUT + "/perf/cache_stats.json", "SECRET-BYTES and more")
        r = x.glintefy(binary, ["review", "cache"])
        said = r.out + r.err
        s.check(b"cache_stats.json:1:" in said and b"SECRET" not in said,
                "review cache: a broken cache_stats.json is reported without its bytes", repr(said[-300:]))


TESTS = [test_symlinked_output_root, test_no_quoted_bytes, test_merge_output_special, test_special_inputs, test_mcp_swap_race,
         test_mcp_refusals, test_concurrent_profiles, test_full_disk, test_read_only_repository,
         test_clean_mount]


def run_all(s, binary):
    for t in TESTS:
        t(s, binary)
