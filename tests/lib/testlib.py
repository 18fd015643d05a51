"""Shared pieces of glintefy's test runners: running the binary, spotting crashes and
sanitizer reports, comparing JSON trees, counting results. Standard library only."""
import os
import subprocess
import sys
import sysconfig

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Exit codes of sanitizer reports, chosen so they cannot be mistaken for "rejected" (1).
SANITIZER_ENV = {
    "ASAN_OPTIONS": "exitcode=86:detect_leaks=1:abort_on_error=0:allocator_may_return_null=0",
    "UBSAN_OPTIONS": "exitcode=87:print_stacktrace=1:halt_on_error=1",
}
SANITIZER_MARKS = ("Sanitizer", "runtime error:", "AddressSanitizer", "LeakSanitizer")

# name -> path of the binaries under test, relative to ROOT
BUILDS = {"gcc": "build/glintefy", "asan": "build/asan/glintefy"}


def env():
    e = dict(os.environ)
    e.update(SANITIZER_ENV)
    e.setdefault("LC_ALL", "C.UTF-8")
    return e


class Run:
    """The outcome of one run of the binary: rc, stdout/stderr bytes, and whether it crashed."""

    def __init__(self, rc, out, err, timed_out=False):
        self.rc, self.out, self.err, self.timed_out = rc, out, err, timed_out

    def crash(self):
        """Returns a one-line reason if the run crashed, hung or reported a sanitizer error."""
        if self.timed_out:
            return "timed out"
        if self.rc < 0:
            return "killed by signal %d" % -self.rc
        text = self.err.decode("utf-8", "replace")
        for m in SANITIZER_MARKS:
            if m in text:
                line = next((l for l in text.splitlines() if m in l), m)
                return "sanitizer: " + line.strip()[:200]
        if self.rc not in (0, 1, 2):
            return "exit status %d" % self.rc
        return None


def run_review(binary, args, cwd, extra_env=None, timeout=60):
    """Runs the binary as `run` does, with no GLINTEFY_REVIEW_CACHE_* settings inherited (tests of
    review commands must not depend on the caller's environment) and no stdin."""
    e = env()
    for k in list(e):
        if k.startswith("GLINTEFY_REVIEW_CACHE_"):
            del e[k]
    e.update(extra_env or {})
    try:
        p = subprocess.run([os.path.join(ROOT, binary)] + list(args), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=e, timeout=timeout)
        return Run(p.returncode, p.stdout, p.stderr)
    except subprocess.TimeoutExpired as x:
        return Run(-9, x.stdout or b"", x.stderr or b"", timed_out=True)


def write_file(root, rel, text=""):
    """Writes text (str as UTF-8, or bytes as they are) to root/rel, creating directories."""
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fp:
        fp.write(text if isinstance(text, bytes) else text.encode("utf-8"))


def run(binary, args, stdin=b"", timeout=60, cwd=ROOT):
    """Runs ROOT/binary with args; never raises on failure of the program."""
    cmd = [os.path.join(ROOT, binary)] + list(args)
    try:
        p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, cwd=cwd, env=env())
        return Run(p.returncode, p.stdout, p.stderr)
    except subprocess.TimeoutExpired as e:
        return Run(-9, e.stdout or b"", e.stderr or b"", timed_out=True)


def first_diff(a, b, path="$"):
    """Returns None if a == b, else 'path: ours != expected' for the first difference."""
    if a == b:
        return None
    if isinstance(a, dict) and isinstance(b, dict):
        if a.get("_type") != b.get("_type"):
            return "%s._type: %r != %r" % (path, a.get("_type"), b.get("_type"))
        for k in b:
            if k not in a:
                return "%s: missing field %r" % (path, k)
        for k in a:
            if k not in b:
                return "%s: unexpected field %r" % (path, k)
        for k in b:
            d = first_diff(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        if list(a) != list(b):
            return "%s: field order %s != %s" % (path, list(a), list(b))
    elif isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return "%s: %d items != %d" % (path, len(a), len(b))
    return "%s: %s != %s" % (path, short(a), short(b))


def short(v, n=80):
    r = repr(v)
    return r if len(r) <= n else r[:n] + "..."


def stdlib_dir():
    return sysconfig.get_paths()["stdlib"]


def stdlib_files():
    """Every .py file of python3's standard library (no site-packages, lib-dynload), as
    paths relative to stdlib_dir(), sorted."""
    top = stdlib_dir()
    out = []
    for d, dirs, files in os.walk(top):
        rel = os.path.relpath(d, top)
        if rel == ".":
            dirs[:] = [x for x in dirs if x not in ("site-packages", "lib-dynload", "__pycache__")]
        dirs[:] = [x for x in dirs if x != "__pycache__"]
        for f in files:
            if f.endswith(".py"):
                out.append(os.path.normpath(os.path.join(rel, f)))
    out.sort()
    return out


class Suite:
    """Counts the tests of one suite and prints failures as they come."""

    def __init__(self, name):
        self.name, self.passed, self.failed, self.notes = name, 0, 0, []

    def ok(self):
        self.passed += 1

    def fail(self, what, why):
        self.failed += 1
        print("FAIL %s: %s: %s" % (self.name, what, why))
        sys.stdout.flush()

    def check(self, cond, what, why):
        if cond:
            self.ok()
        else:
            self.fail(what, why)
        return cond


# A command that ignores SIGTERM and leaves processes behind: a child in its process group and
# a setsid grandchild, each with `tag` on its command line (the MCP and review-profile kill tests).
STUBBORN = """import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
tag = sys.argv[1]
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", tag])  # a child in the command's group
if os.fork() == 0:                               # a setsid grandchild, orphaned at once
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(301)", tag])
    os._exit(0)
time.sleep(0.5)
open(tag + ".ready", "w").close()
while True:
    time.sleep(0.1)
"""


def tagged(tag):
    """pids of processes whose command line holds tag"""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/cmdline" % d, "rb") as fp:
                    args = fp.read().split(b"\0")
                with open("/proc/%s/stat" % d) as fp:
                    state = fp.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if tag.encode() in args and state != "Z":
                out.append(int(d))
    return out
