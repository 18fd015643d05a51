"""End-to-end tests of `glintefy review profile -- CMD` with real Python processes: scripts, -m,
shell wrappers, subprocess/multiprocessing (fork, spawn, pool) children, threads, os._exit,
exec, failures, signals, an existing sitecustomize, usage errors. Each case runs in its own
temporary repository; the merged profile is read back with pstats and the cache statistics are
compared with the cache_info() values the program itself saw. Standard library only."""
import json
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import testlib  # noqa: E402
from testlib import ROOT  # noqa: E402

PY = sys.executable
PERF = os.path.join("LLM-CONTEXT", "glintefy", "review", "perf")


class Case:
    """A temporary repository with files, and the outcome of one run in it."""

    def __init__(self, files):
        self.dir = tempfile.mkdtemp(prefix="glintefy-rp-")
        self.tmp = os.path.join(self.dir, ".tmp")  # TMPDIR: the probe's directory must vanish
        os.mkdir(self.tmp)
        self.repo = os.path.join(self.dir, "repo")
        os.mkdir(self.repo)
        for name, text in files.items():
            path = os.path.join(self.repo, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fp:
                fp.write(textwrap.dedent(text))
            if name.endswith(".sh"):
                os.chmod(path, 0o755)

    def run(self, binary, args, timeout=120, env_extra=None, signal_after=None):
        env = testlib.env()
        env["TMPDIR"] = self.tmp
        env.update(env_extra or {})
        p = subprocess.Popen([os.path.join(ROOT, binary), "review"] + args, cwd=self.repo, env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if signal_after:
            sig, wait_for = signal_after
            deadline = time.time() + 30
            while not os.path.exists(os.path.join(self.repo, wait_for)) and time.time() < deadline:
                time.sleep(0.02)
            time.sleep(0.1)
            p.send_signal(sig)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            self.rc, self.out, self.err = None, out, err + b"\n[timed out]"
            return self
        self.rc, self.out, self.err = p.returncode, out, err.decode("utf-8", "replace")
        return self

    def path(self, *parts):
        return os.path.join(self.repo, *parts)

    def stats(self, name="test_profile.prof"):
        return pstats.Stats(self.path(PERF, name)).stats

    def calls(self, func, name="test_profile.prof", file=None):
        """Total calls (nc) of rows named func (in file, if given)."""
        return sum(v[1] for k, v in self.stats(name).items()
                   if k[2] == func and (file is None or k[0].endswith(file)))

    def caches(self, name="cache_stats.json"):
        with open(self.path(PERF, name)) as fp:
            return json.load(fp)

    def leftovers(self):
        return os.listdir(self.tmp)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def problem(c, rc=0):
    """None if the run ended with rc, left no temporary files and no sanitizer report."""
    if c.rc != rc:
        return "exit status %r, expected %r; stderr: %s" % (c.rc, rc, c.err[-800:])
    for m in testlib.SANITIZER_MARKS:
        if m in c.err:
            return "sanitizer: " + c.err[-800:]
    if c.leftovers():
        return "temporary files left: %r" % c.leftovers()
    return None


def profiled(c, rc=0):
    why = problem(c, rc)
    if why:
        return why
    if not os.path.exists(c.path(PERF, "test_profile.prof")):
        return "no test_profile.prof; stderr: " + c.err[-500:]
    return None


WORK = """
def leaf(x):
    return x + 1

def work(n):
    return sum(leaf(i) for i in range(n))
"""


def t_script(s, binary):
    c = Case({"app.py": WORK + "print(work(37))\n"})
    try:
        c.run(binary, ["profile", "--", PY, "app.py"])
        why = profiled(c)
        s.check(not why, "script", why)
        if not why:
            s.check(c.out == b"703\n", "script: stdout passed through", repr(c.out))
            s.check(c.calls("leaf", file="app.py") == 37 and c.calls("work") == 1, "script: call counts",
                    "leaf %d work %d" % (c.calls("leaf"), c.calls("work")))
            s.check("profiled 1 Python process" in c.err and "glintefy review cache" in c.err, "script: report", c.err)
            s.check(sorted(os.listdir(c.repo)) == ["LLM-CONTEXT", "app.py"], "script: nothing else written",
                    repr(os.listdir(c.repo)))
    finally:
        c.close()


def t_module_and_wrapper(s, binary):
    c = Case({"pkg/__init__.py": "", "pkg/mod.py": WORK + "if __name__ == '__main__':\n    work(11)\n",
              "run.sh": "#!/bin/sh\nexec %s -m pkg.mod \"$@\"\n" % PY})
    try:
        c.run(binary, ["profile", "--", PY, "-m", "pkg.mod"])
        why = profiled(c)
        s.check(not why and c.calls("leaf", file="pkg/mod.py") == 11, "-m module", why or "leaf %d" % c.calls("leaf"))
        c.run(binary, ["profile", "--", "sh", "-c", "./run.sh; ./run.sh"])
        why = profiled(c)
        s.check(not why and c.calls("leaf") == 22 and "profiled 2 Python processes" in c.err, "shell wrapper",
                why or "leaf %d; %s" % (c.calls("leaf"), c.err))
    finally:
        c.close()


def t_children(s, binary):
    c = Case({"child.py": WORK + "import sys\nwork(int(sys.argv[1]))\n",
              "parent.py": WORK + textwrap.dedent("""
                import os, subprocess, sys
                subprocess.run([sys.executable, "child.py", "5"], check=True)
                work(2)
                sys.stdout.flush()
                os.execv(sys.executable, [sys.executable, "child.py", "7"])
              """)})
    try:
        c.run(binary, ["profile", "--", PY, "parent.py"])
        why = profiled(c)
        s.check(not why and c.calls("leaf") == 14 and "profiled 3 Python processes" in c.err,
                "subprocess child and os.execv", why or "leaf %d; %s" % (c.calls("leaf"), c.err))
    finally:
        c.close()


MP = WORK + """
import multiprocessing as mp, sys

def job(n):
    return work(n)

if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    ps = [ctx.Process(target=job, args=(k,)) for k in (3, 4)]
    for p in ps: p.start()
    for p in ps: p.join()
    with ctx.Pool(2) as pool:
        print(sum(pool.map(job, [1, 2, 3, 4, 5])))
"""


def t_multiprocessing(s, binary):
    c = Case({"mp.py": MP})
    try:
        for method in ("fork", "spawn"):
            c.run(binary, ["profile", "--", PY, "mp.py", method])
            why = profiled(c)
            # Process children 3+4 calls, pool 1+..+5 = 15: 22 leaf calls, none in the parent
            s.check(not why and c.calls("leaf") == 22 and c.calls("job") == 7, "multiprocessing " + method,
                    why or "leaf %d job %d; %s" % (c.calls("leaf"), c.calls("job"), c.err))
    finally:
        c.close()


TERM_MISSED = WORK + """
import multiprocessing as mp, signal, sys, threading, time

def child(ready):
    # SIGTERM reaches the helper thread only: CPython notes it there, but runs the Python
    # handler (the probe's) only in the main thread, asleep on a lock nothing releases
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    up = threading.Event()
    def helper():
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        up.set()
        time.sleep(120)
    threading.Thread(target=helper, daemon=True).start()
    up.wait()
    work(3)
    ready.set()
    lock = threading.Lock()
    lock.acquire()
    lock.acquire()

if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    ready = ctx.Event()
    p = ctx.Process(target=child, args=(ready,))
    p.start()
    ready.wait()
    time.sleep(0.3)
    p.terminate()
    p.join()
    print(p.exitcode)
"""


def t_terminate_missed(s, binary):
    """terminate() of a child whose SIGTERM was noted but not handled (the race a Pool worker
    about to wait for work can lose): join() pokes it, the probe saves its data, it dies."""
    c = Case({"tm.py": TERM_MISSED})
    try:
        for method in ("fork", "spawn"):
            c.run(binary, ["profile", "--", PY, "tm.py", method], timeout=60)
            why = profiled(c)
            s.check(not why and c.out == b"-15\n" and c.calls("leaf") == 3, "terminate() of a child that missed SIGTERM: " + method,
                    why or "stdout %r, leaf %d" % (c.out, c.calls("leaf")))
    finally:
        c.close()


def t_threads_exit(s, binary):
    c = Case({"th.py": WORK + textwrap.dedent("""
                import os, threading
                ts = [threading.Thread(target=work, args=(10,)) for _ in range(3)]
                for t in ts: t.start()
                for t in ts: t.join()
                work(1)
                os._exit(5)
              """),
              "fail.py": WORK + "work(4)\nraise SystemExit('boom')\n",
              "crash.py": WORK + "work(6)\n1/0\n"})
    try:
        c.run(binary, ["profile", "--", PY, "th.py"])
        why = profiled(c, 5)
        s.check(not why and c.calls("leaf") == 31 and c.calls("work") == 4, "threads and os._exit (status 5)",
                why or "leaf %d work %d" % (c.calls("leaf"), c.calls("work")))
        c.run(binary, ["profile", "--", PY, "fail.py"])
        why = profiled(c, 1)
        s.check(not why and c.calls("leaf") == 4, "failing command: status 1, data saved", why)
        c.run(binary, ["profile", "--", PY, "crash.py"])
        why = profiled(c, 1)
        s.check(not why and c.calls("leaf") == 6, "uncaught exception: status 1, data saved", why)
    finally:
        c.close()


def t_signals(s, binary, py=PY, label=""):
    c = Case({"self.py": WORK + "import os, signal\nwork(3)\nos.kill(os.getpid(), signal.SIGTERM)\n",
              "kill.py": WORK + "import os, signal\nwork(2)\nos.kill(os.getpid(), signal.SIGKILL)\n",
              "sleep.py": WORK + "import time\nwork(8)\nopen('ready', 'w').close()\ntime.sleep(60)\n"})
    try:
        c.run(binary, ["profile", "--", py, "self.py"])
        why = profiled(c, 128 + signal.SIGTERM)
        s.check(not why and c.calls("leaf") == 3, "SIGTERM: 143, data saved" + label, why)
        c.run(binary, ["profile", "--", py, "kill.py"])
        why = problem(c, 128 + signal.SIGKILL)
        s.check(not why and "started but were killed" in c.err, "SIGKILL: 137, said so" + label, why or c.err)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):  # SIGHUP: a closed terminal, as SIGTERM
            if os.path.exists(c.path("ready")):
                os.unlink(c.path("ready"))
            shutil.rmtree(c.path("LLM-CONTEXT"), ignore_errors=True)  # each signal's own profile
            c.run(binary, ["profile", "--", py, "sleep.py"], signal_after=(sig, "ready"))
            why = profiled(c, 128 + sig)
            s.check(not why and c.calls("leaf") == 8, "%s to glintefy reaches the command%s" % (sig.name, label), why)
    finally:
        c.close()


def other_pythons():
    """Other CPython versions on this machine (pyenv 3.8, 3.12, 3.13...; Debian's python3), one per
    minor version, for the checks whose behaviour differs between versions."""
    import glob
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found, minors = [], {sys.version_info[:2]}
    for p in ["/usr/bin/python3"] + sorted(glob.glob(os.path.join(pyenv, "versions", "3.*", "bin", "python3"))):
        if not (os.path.isfile(p) and os.access(p, os.X_OK)):
            continue
        r = subprocess.run([p, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        try:
            minor = tuple(int(x) for x in r.stdout.split(b"."))
        except ValueError:
            continue
        if minor >= (3, 8) and minor not in minors:
            minors.add(minor)
            found.append((p, "%d.%d" % minor))
    return found


def t_signals_other_pythons(s, binary):
    """Exit statuses and saved data under signals on the other interpreters (3.12.1 lost the
    KeyboardInterrupt status when the probe imported a module at exit)."""
    for py, version in other_pythons():
        t_signals(s, binary, py, " (python %s)" % version)


def t_terminal_ctrl_c(s, binary):
    """In a terminal's foreground, Ctrl-C reaches the command once, from the terminal."""
    import pty
    c = Case({"sleep.py": WORK + "import time\nwork(5)\nopen('ready', 'w').close()\ntime.sleep(60)\n"})
    try:
        env = testlib.env()
        env["TMPDIR"] = c.tmp
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.chdir(c.repo)
                os.execve(os.path.join(ROOT, binary), ["glintefy", "review", "profile", "--", PY, "sleep.py"], env)
            finally:
                os._exit(99)
        deadline = time.time() + 30
        while not os.path.exists(c.path("ready")) and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)
        os.write(fd, b"\x03")
        out = b""
        while True:
            try:
                d = os.read(fd, 4096)
            except OSError:
                break
            if not d:
                break
            out += d
        os.close(fd)
        _, st = os.waitpid(pid, 0)
        c.rc, c.err = os.waitstatus_to_exitcode(st), out.decode("utf-8", "replace")
        why = profiled(c, 130)
        s.check(not why and c.err.count("KeyboardInterrupt") == 1 and c.calls("leaf") == 5,
                "Ctrl-C in a terminal: one KeyboardInterrupt, 130, data saved", why or c.err[-400:])
    finally:
        c.close()


def t_sitecustomize(s, binary):
    c = Case({"app.py": WORK + "import sitecustomize\nprint(sitecustomize.MARK)\nwork(2)\n",
              "site/sitecustomize.py": "MARK = 'theirs'\n"})
    try:
        c.run(binary, ["profile", "--", PY, "app.py"], env_extra={"PYTHONPATH": c.path("site")})
        why = profiled(c)
        s.check(not why and c.out == b"theirs\n" and c.calls("leaf") == 2, "an existing sitecustomize still runs",
                why or repr(c.out))
    finally:
        c.close()


CACHES = """
import functools, json, os, sys

@functools.lru_cache(maxsize=3)
def small(x):
    return x * 2

@functools.cache
def unbounded(x):
    return x * 3

class Shop:
    @functools.lru_cache(maxsize=None)
    def price(self, sku):
        return len(sku)

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def tax(region):
        return region.upper()

def make_nested():
    @functools.lru_cache(maxsize=2)
    def inner(y):
        return -y
    return inner

KEEP = make_nested()
shop = Shop()
n = int(sys.argv[1])
for i in range(n):
    small(i % 5); unbounded(i % 4); shop.price("sku%d" % (i % 3)); Shop.tax("eu"); KEEP(i % 2)
truth = {f: list(g.cache_info()) for f, g in
         [("small", small), ("unbounded", unbounded), ("Shop.price", Shop.price), ("Shop.tax", Shop.tax),
          ("make_nested.<locals>.inner", KEEP)]}
with open("truth-%d.json" % os.getpid(), "w") as fp:
    json.dump(truth, fp)
"""


def t_caches(s, binary):
    c = Case({"lib/caches.py": CACHES, "run.sh": "#!/bin/sh\n%s lib/caches.py 20 && %s lib/caches.py 7\n" % (PY, PY)})
    try:
        c.run(binary, ["profile", "--", "./run.sh"])
        why = profiled(c)
        if why:
            s.fail("cache statistics", why)
            return
        truth = {}
        for f in os.listdir(c.repo):
            if f.startswith("truth-"):
                with open(c.path(f)) as fp:
                    for k, (h, m, mx, cur) in json.load(fp).items():
                        t = truth.setdefault(k, [0, 0, mx, 0])
                        t[0] += h
                        t[1] += m
                        t[3] = max(t[3], cur)
        data = c.caches()
        got = {r["qualname"]: [r["hits"], r["misses"], r["maxsize"], r["currsize"]] for r in data["caches"]}
        s.check(data["version"] == 1 and data["processes"] == 2, "cache_stats.json: version, processes", repr(data)[:300])
        s.check(got == truth, "cache statistics equal cache_info() summed over processes",
                "got %r, true %r" % (got, truth))
        row = next((r for r in data["caches"] if r["qualname"] == "small"), {})
        s.check(row.get("file") == "lib/caches.py" and row.get("line") == 4 and row.get("module") == "lib.caches"
                and row.get("function") == "small", "cache row: file, line (decorator), module, function", repr(row))
        # the C reader of cache_stats.json accepts what review profile writes
        r = testlib.run(binary, ["profile", "show", c.path(PERF, "test_profile.prof")])
        s.check(r.rc == 0, "glintefy profile show reads the merged profile", r.err.decode()[:200])
    finally:
        c.close()


def t_scenarios(s, binary):
    c = Case({"app.py": WORK + "import sys\nwork(int(sys.argv[1]))\n"})
    try:
        c.run(binary, ["profile", "--name", "light", "--", PY, "app.py", "3"])
        why = profiled(c)
        c.run(binary, ["profile", "--name=heavy", "--", PY, "app.py", "40"])
        why = why or profiled(c)
        s.check(not why and c.calls("leaf", "light_profile.prof") == 3 and c.calls("leaf", "heavy_profile.prof") == 40
                and c.calls("leaf") == 43 and os.path.exists(c.path(PERF, "heavy_cache_stats.json")),
                "--name: scenario files, test_profile.prof is their merge", why)
        c.run(binary, ["profile", "--name", "test", "--", PY, "app.py", "1"])
        s.check(c.rc == 2, "--name test is a usage error", c.err)
    finally:
        c.close()


def t_errors(s, binary):
    c = Case({})
    try:
        for args in (["profile"], ["profile", "--"], ["profile", "--name"]):
            c.run(binary, args)
            s.check(c.rc == 2 and "try 'glintefy help review profile'" in c.err and not c.out,
                    "usage error: %s" % " ".join(args), "%r %s" % (c.rc, c.err))
        c.run(binary, ["profile", "--", "no-such-command-glintefy"])
        s.check(problem(c, 127) is None and "no-such-command-glintefy: command not found" in c.err,
                "command not found: 127", "%r %s" % (c.rc, c.err))
        c.run(binary, ["profile", "--", "sh", "-c", "exit 4"])
        s.check(problem(c, 4) is None and "no Python process ran" in c.err and not os.path.exists(c.path("LLM-CONTEXT")),
                "no Python process: said so, nothing written, status passed through", "%r %s" % (c.rc, c.err))
        c.run(binary, ["profile", "--", PY, "-I", "-c", "pass"])
        s.check(problem(c, 0) is None and "no Python process" in c.err, "python -I cannot be reached: said so", c.err)
    finally:
        c.close()


def t_probe_json(s, binary):
    """The probe writes a process's facts with its own encoder (no json import at exit): it
    must give json.dumps' bytes (ensure_ascii) for what facts hold."""
    import importlib.util
    import random
    spec = importlib.util.spec_from_file_location("glintefy_probe_under_test",
                                                  os.path.join(ROOT, "python", "glintefy", "_probe", "sitecustomize.py"))
    probe = importlib.util.module_from_spec(spec)
    saved = os.environ.pop("GLINTEFY_PROBE_DIR", None), os.environ.pop("GLINTEFY_PROBE_APPLY", None)
    try:
        spec.loader.exec_module(probe)
    finally:
        for k, v in zip(("GLINTEFY_PROBE_DIR", "GLINTEFY_PROBE_APPLY"), saved):
            if v is not None:
                os.environ[k] = v
    rnd = random.Random(7)
    values = [{"argv": ["app.py", 'q"b\\s', "\n\t\r\b\f\x00\x1f\x7f", "\u00e9\u4e2d\U0001f600\udcff"],
               "pid": 123, "seconds": 0.1, "big": 10 ** 20, "neg": -0.0, "none": None, "t": True, "f": False,
               "caches": [{"file": "a.py", "hits": 0, "hit_rate_percent": 12.5}], "empty": {}, "list": []}]
    for _ in range(3000):
        text = "".join(chr(rnd.choice((rnd.randint(0, 0x7f), rnd.randint(0x80, 0xffff), rnd.randint(0x10000, 0x10ffff))))
                       for _ in range(rnd.randint(0, 12)))
        values.append({text: [text, rnd.randint(-2 ** 70, 2 ** 70), rnd.random() * 10 ** rnd.randint(-30, 30)]})
    bad = [v for v in values if probe._dump_json(v) != json.dumps(v)]
    s.check(not bad, "probe's JSON encoder gives json.dumps' text", repr(bad[:1])[:300])


def t_generated(s, binary):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_probe.py"), "--check"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    s.check(r.returncode == 0, "src/runtime/probe_py.h matches the probe", r.stdout.decode())


STUBBORN, tagged = testlib.STUBBORN, testlib.tagged


def t_stubborn_command(s, binary):
    """SIGTERM to glintefy while its command ignores SIGTERM and has a child and a setsid
    grandchild: 2 s later all are killed, the profile is still written, no temp dir is left."""
    top = tempfile.mkdtemp(prefix="glintefy-stubborn-")
    try:
        repo, tmp = os.path.join(top, "repo"), os.path.join(top, "tmp")
        os.makedirs(repo)
        os.makedirs(tmp)
        with open(os.path.join(repo, "stubborn.py"), "w") as fp:
            fp.write(STUBBORN)
        tag = "glintefy-stubborn-cli-%d" % os.getpid()
        env = testlib.env()
        env["TMPDIR"] = tmp
        p = subprocess.Popen([os.path.join(ROOT, binary), "review", "profile", "--", PY, "stubborn.py", tag], cwd=repo,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        for _ in range(300):
            if os.path.exists(os.path.join(repo, tag + ".ready")):
                break
            time.sleep(0.05)
        started = len(tagged(tag))
        t0 = time.time()
        p.send_signal(signal.SIGTERM)
        try:
            out, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        dt = time.time() - t0
        time.sleep(0.3)
        left = tagged(tag)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        s.check(started >= 3 and not left and dt < 15,
                "SIGTERM, command ignoring it: it, its child and its setsid child killed",
                "%d started, %.1f s, still running %r; %r" % (started, dt, left, err[-300:]))
        s.check(not os.listdir(tmp), "SIGTERM, command ignoring it: no temporary directory left", os.listdir(tmp))
        s.check(p.returncode == 128 + signal.SIGKILL and b"test_profile.prof" in err,
                "SIGTERM, command ignoring it: exit 137, the profile still written", (p.returncode, err[-300:]))
    finally:
        shutil.rmtree(top, ignore_errors=True)


TESTS = [t_generated, t_probe_json, t_script, t_module_and_wrapper, t_children, t_multiprocessing, t_terminate_missed, t_threads_exit, t_signals, t_signals_other_pythons,
         t_terminal_ctrl_c, t_sitecustomize, t_caches, t_scenarios, t_errors, t_stubborn_command]


def _trace_tests():
    import test_traces  # tests/review_profile/test_traces.py: argument-key traces
    import test_trace_safety  # tests/review_profile/test_trace_safety.py: tracing never changes the program
    return test_traces.TRACE_TESTS + test_trace_safety.SAFETY_TESTS


def run_all(s, binary):
    for t in TESTS + _trace_tests():
        try:
            t(s, binary)
        except Exception as e:  # a broken test is a failure, not a crash of the driver
            s.fail(t.__name__, "%s: %s" % (type(e).__name__, e))


if __name__ == "__main__":
    suite = testlib.Suite("review-profile")
    run_all(suite, sys.argv[1] if len(sys.argv) > 1 else testlib.BUILDS["gcc"])
    print("%d passed, %d failed" % (suite.passed, suite.failed))
    sys.exit(1 if suite.failed else 0)
