"""glintefy's probe: started in every Python process of `glintefy review profile -- CMD`.

The C side writes this file into a fresh directory, puts that directory first on PYTHONPATH and
sets GLINTEFY_PROBE_DIR, so `site` imports it as `sitecustomize` in each interpreter (children
inherit the environment). It then: runs the next `sitecustomize` on sys.path (usercustomize is
untouched and runs as usual), starts `_lsprof` (cProfile's engine) for the process and its
threads, and when the process ends (exit, os._exit, os.exec*, SIGTERM) writes into
GLINTEFY_PROBE_DIR one `.prof` per profiler (pstats' marshal format) and one `.json` with the
process's facts and the `cache_info()` of every functools cache whose function lives in the
repository (GLINTEFY_PROBE_REPO). Files are written under a temporary name and renamed.
Imports at start-up only what the interpreter already has (os, sys, marshal, _lsprof, _thread,
_signal, atexit); json and gc only when saving. See docs/review-profile.md.
"""
import os
import sys

_DIR = os.environ.get("GLINTEFY_PROBE_DIR")
_HERE = os.path.dirname(os.path.abspath(__file__))


def _chain_sitecustomize():
    """Runs the sitecustomize this module shadows (the next one on sys.path), as site would."""
    try:
        from importlib.machinery import PathFinder
        spec = PathFinder.find_spec("sitecustomize", sys.path)
        if spec is None or spec.loader is None:
            return
        mod = type(sys)("sitecustomize")
        mod.__spec__, mod.__loader__, mod.__file__ = spec, spec.loader, spec.origin
        sys.modules["sitecustomize"] = mod  # `import sitecustomize` finds theirs afterwards
        spec.loader.exec_module(mod)
    except Exception as err:  # as site.execsitecustomize reports it
        if sys.flags.verbose:
            sys.excepthook(*sys.exc_info())
        else:
            sys.stderr.write("Error in sitecustomize; set PYTHONVERBOSE for traceback:\n"
                             "%s: %s\n" % (err.__class__.__name__, err))


# Our directory leaves sys.path (the user's code sees the path it would see without us);
# PYTHONPATH keeps it for child processes.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
_chain_sitecustomize()


class _Probe:
    """The profilers of this process and what is needed to save them once."""

    def __init__(self, directory, repo):
        import _lsprof
        import _thread
        import time
        self.dir, self.repo = directory, repo
        self.lsprof, self.thread, self.time = _lsprof, _thread, time
        self.saved = False
        self.how = "exit"
        self.baseline = {}  # id(cache) -> (hits, misses) inherited through fork
        self.seq = 0
        self.start()
        try:  # a marker: "a Python process started"; the .json says "and saved its data"
            os.close(os.open(os.path.join(self.dir, self.id + ".start"), os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError:
            pass

    def start(self):
        self.pid = os.getpid()
        self.id = "%d-%d" % (self.pid, self.time.time_ns())
        self.t0 = self.time.perf_counter()
        self.profilers = []  # every profiler of this process (one per thread before 3.12)
        self.current = {}  # thread id -> its profiler (ids are reused: the list keeps them all)
        self.saving = False
        self.term_pending = 0
        self.enable_here()

    def enable_here(self):
        p = self.lsprof.Profiler()
        self.profilers.append(p)
        self.current[self.thread.get_ident()] = p
        p.enable()

    # -- threads (Python < 3.12: a profile function is per thread; 3.12+: sys.monitoring
    #    sees every thread through the one profiler) --
    def thread_hook(self, frame, event, arg):
        sys.setprofile(None)
        if os.getpid() == self.pid and not self.saved:
            self.enable_here()

    def after_fork(self):
        """In a fork child: forget the parent's data and profile this process afresh."""
        me = self.current.get(self.thread.get_ident())
        if me is not None:
            me.disable()
        self.saved = False
        self.how = "exit"
        self.start()
        self.baseline = {id(c): c.cache_info()[:2] for c, _ in self.repo_caches()}

    # -- saving --
    def save(self, how):
        """Writes this process's data once; later calls do nothing."""
        if self.saved or os.getpid() != self.pid:
            return
        self.saved = self.saving = True
        try:
            seconds = self.time.perf_counter() - self.t0
            me = self.current.get(self.thread.get_ident())
            if me is not None:
                me.disable()
            import marshal
            nprof = 0
            for p in list(self.profilers):
                stats = _pstats_dict(p.getstats())
                if stats:
                    self.write(self.id + "-%d.prof" % nprof, marshal.dumps(stats))
                    nprof += 1
            import json
            facts = {"version": 1, "pid": self.pid, "argv": list(sys.argv), "executable": sys.executable,
                     "python": "%d.%d.%d" % sys.version_info[:3], "seconds": seconds, "ended_by": how,
                     "profiles": nprof, "caches": self.cache_rows()}
            self.write(self.id + ".json", json.dumps(facts).encode("utf-8"))
        except Exception as err:  # never break the user's program
            try:
                sys.stderr.write("glintefy probe: could not save the data of process %d: %s\n" % (self.pid, err))
            except Exception:
                pass
        self.saving = False
        if self.term_pending:  # a SIGTERM came while saving: now die of it
            self.die(self.term_pending)

    def on_term(self, signum, frame):
        if self.saving:
            self.term_pending = signum
            return
        self.save("SIGTERM")
        self.die(signum)

    def die(self, signum):
        import _signal
        _signal.signal(signum, _signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    def write(self, name, data):
        tmp = os.path.join(self.dir, ".%s.tmp" % name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, os.path.join(self.dir, name))

    def repo_caches(self):
        """(cache, code) for every living functools cache whose function is in the repository."""
        if not self.repo:
            return []
        functools = sys.modules.get("functools")
        kind = getattr(functools, "_lru_cache_wrapper", None)
        if not isinstance(kind, type):
            return []
        import gc
        inside = {}
        out = []
        for obj in gc.get_objects():
            if type(obj) is not kind:
                continue
            code = getattr(getattr(obj, "__wrapped__", None), "__code__", None)
            if code is None:
                continue
            f = code.co_filename
            if f not in inside:
                inside[f] = self.in_repo(f)
            if inside[f]:
                out.append((obj, code))
        return out

    def in_repo(self, filename):
        if filename.startswith("<"):
            return None
        path = os.path.realpath(filename)
        if not path.startswith(self.repo + os.sep) or "/site-packages/" in path or "/dist-packages/" in path:
            return None
        return path

    def cache_rows(self):
        rows = []
        for cache, code in self.repo_caches():
            hits, misses, maxsize, currsize = cache.cache_info()
            base = self.baseline.get(id(cache))
            if base:
                hits, misses = max(0, hits - base[0]), max(0, misses - base[1])
            fn = cache.__wrapped__
            path = self.in_repo(code.co_filename)
            rel = os.path.relpath(path, self.repo).replace(os.sep, "/")
            module = getattr(fn, "__module__", None) or ""
            if module == "__main__" or not module:
                module = rel[:-3].replace("/", ".") if rel.endswith(".py") else rel
            rows.append({"file": rel, "line": code.co_firstlineno,
                         "qualname": getattr(code, "co_qualname", None) or getattr(fn, "__qualname__", code.co_name),
                         "module": module, "function": code.co_name, "hits": hits, "misses": misses,
                         "maxsize": maxsize, "currsize": currsize})
        return rows


def _label(code):
    if isinstance(code, str):
        return ("~", 0, code)
    return (code.co_filename, code.co_firstlineno, code.co_name)


def _pstats_dict(entries):
    """cProfile.Profile.snapshot_stats: getstats() entries -> {func: (cc, nc, tt, ct, callers)}."""
    stats, callersdicts = {}, {}
    for e in entries:
        callers = {}
        callersdicts[id(e.code)] = callers
        stats[_label(e.code)] = (e.callcount - e.reccallcount, e.callcount, e.inlinetime, e.totaltime, callers)
    for e in entries:
        if e.calls:
            func = _label(e.code)
            for sub in e.calls:
                callers = callersdicts.get(id(sub.code))
                if callers is None:
                    continue
                nc, cc, tt, ct = sub.callcount, sub.callcount - sub.reccallcount, sub.inlinetime, sub.totaltime
                if func in callers:
                    prev = callers[func]
                    nc, cc, tt, ct = nc + prev[0], cc + prev[1], tt + prev[2], ct + prev[3]
                callers[func] = nc, cc, tt, ct
    return stats


def _install(probe):
    import atexit
    import _signal
    atexit.register(probe.save, "exit")

    real_exit = os._exit

    def _exit(status):
        probe.save("os._exit")
        real_exit(status)
    _exit.__doc__ = real_exit.__doc__
    os._exit = _exit

    def wrap_exec(real):
        def exec_(*args):
            probe.save("exec")
            try:
                return real(*args)
            except BaseException:  # exec failed: this process goes on, profiled afresh
                probe.saved = False
                probe.start()
                raise
        exec_.__name__, exec_.__doc__ = real.__name__, real.__doc__
        return exec_
    for name in ("execv", "execve"):  # os.execl/execlp/execvp/... all call these
        if hasattr(os, name):
            setattr(os, name, wrap_exec(getattr(os, name)))

    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=probe.after_fork)

    # SIGTERM (what multiprocessing's terminate() and `glintefy` forwarding send): save, then die
    # of the signal as before. Only when nobody handles it already.
    try:
        if _signal.getsignal(_signal.SIGTERM) == _signal.SIG_DFL:
            _signal.signal(_signal.SIGTERM, probe.on_term)
    except (ValueError, OSError, AttributeError):
        pass

    if sys.version_info < (3, 12):
        _hook_threads(probe)


def _hook_threads(probe):
    """threading.setprofile(probe.thread_hook), without importing threading before the user does."""
    th = sys.modules.get("threading")
    if th is not None:
        th.setprofile(probe.thread_hook)
        return

    class ThreadingFinder:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name != "threading":
                return None
            try:
                sys.meta_path.remove(ThreadingFinder)
            except ValueError:
                pass
            for finder in sys.meta_path:
                find = getattr(finder, "find_spec", None)
                spec = find(name, path, target) if find else None
                if spec is not None:
                    break
            else:
                return None
            loader = spec.loader
            real = loader.exec_module

            def exec_module(module):
                try:
                    real(module)
                finally:
                    try:
                        del loader.exec_module
                    except AttributeError:
                        pass
                module.setprofile(probe.thread_hook)
            try:
                loader.exec_module = exec_module
            except AttributeError:
                return None
            return spec
    sys.meta_path.insert(0, ThreadingFinder)


if _DIR and os.path.isdir(_DIR) and "glintefy_probe" not in sys.modules:
    _repo = os.environ.get("GLINTEFY_PROBE_REPO")
    _probe = _Probe(_DIR, os.path.realpath(_repo) if _repo else None)
    sys.modules["glintefy_probe"] = type(sys)("glintefy_probe")  # once per interpreter
    sys.modules["glintefy_probe"].probe = _probe
    _install(_probe)
