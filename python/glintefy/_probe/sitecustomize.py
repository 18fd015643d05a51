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
        self.tracer = None  # a _Tracer when targets.json names functions to trace
        self.start()

    def mark_started(self):
        """A marker: "a Python process started" (glintefy waits for such a process, while it lives,
        to save); the .json says "and saved its data"."""
        try:
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
        self.lost = ""  # how the program replaced this process's profiler, once seen
        self.enable_here()
        self.mark_started()

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
        if self.tracer is not None:
            self.tracer.restart()
        self.baseline = {id(c): c.cache_info()[:2] for c, _ in self.repo_caches()}

    # -- saving --
    def save(self, how):
        """Writes this process's data once; later calls do nothing."""
        if self.saved or os.getpid() != self.pid:
            return
        self.saved = self.saving = True
        try:
            lost = self.profiler_lost()
            seconds = self.time.perf_counter() - self.t0
            me = self.current.get(self.thread.get_ident())
            if me is not None:
                me.disable()
            entries = [p.getstats() for p in list(self.profilers)]
            if self.tracer is not None:
                self.tracer.finish(entries)
            import marshal
            nprof = 0
            for e in entries:
                stats = _pstats_dict(e)
                if stats:
                    self.write(self.id + "-%d.prof" % nprof, marshal.dumps(stats))
                    nprof += 1
            facts = {"version": 1, "pid": self.pid, "argv": list(sys.argv), "executable": sys.executable,
                     "python": "%d.%d.%d" % sys.version_info[:3], "seconds": seconds, "ended_by": how,
                     "profiles": nprof, "caches": self.cache_rows()}
            if lost or self.lost:
                facts["profiler_replaced"] = self.lost or lost
            self.write(self.id + ".json", _dump_json(facts).encode("ascii"))
        except Exception as err:  # never break the user's program
            try:
                sys.stderr.write("glintefy probe: could not save the data of process %d: %s\n" % (self.pid, err))
            except Exception:
                pass
        self.saving = False
        if self.term_pending:  # a SIGTERM came while saving: now die of it
            self.die(self.term_pending)

    def profiler_lost(self):
        """Before 3.12 a profiler is the thread's profile function: the program's own
        sys.setprofile() or cProfile's enable() replaces it and its counts stop. Seen from the
        calling thread (at the tracer's flushes and when saving); "" while it is in place."""
        if sys.version_info >= (3, 12) or self.lost:
            return self.lost
        me = self.current.get(self.thread.get_ident())
        if me is None:
            return ""
        now = sys.getprofile()
        if now is me:
            return ""
        if now is None:
            self.lost = "the program turned the profile function off (sys.setprofile(None) or a profiler's disable())"
        else:
            what = getattr(now, "__qualname__", None) or type(now).__qualname__
            self.lost = "the program replaced glintefy's profile function with its own (%s: sys.setprofile or cProfile)" % what
        return self.lost

    def release_profiler(self):
        """Stops this process's profilers because the program starts its own (3.12+)."""
        if os.getpid() != self.pid or self.saved:
            return False
        for p in self.profilers:
            p.disable()
        self.lost = "the program started its own cProfile profiler, which stopped glintefy's"
        return True

    def on_term(self, signum, frame):
        if self.saving:
            self.term_pending = signum
            return
        import _signal
        self.save("SIGHUP" if signum == getattr(_signal, "SIGHUP", None) else "SIGTERM")
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


def _dump_json(v):
    """json.dumps (ensure_ascii) for what a process's facts hold - dicts, lists, strings, numbers,
    booleans, None - without importing json when the process ends: on CPython 3.12.1 importing a
    source module from an atexit handler after an uncaught KeyboardInterrupt turns the exit
    status -SIGINT into 1."""
    if v is None or v is True or v is False:
        return "null" if v is None else "true" if v else "false"
    t = type(v)
    if t is str:
        return _json_str(v)
    if t is int:
        return str(v)
    if t is float:
        return repr(v) if v == v and v not in (float("inf"), float("-inf")) else "null"
    if t is dict:
        return "{" + ", ".join(_json_str(str(k)) + ": " + _dump_json(x) for k, x in v.items()) + "}"
    if t is list or t is tuple:
        return "[" + ", ".join(_dump_json(x) for x in v) + "]"
    return _json_str(str(v))


_JSON_ESC = {i: "\\u%04x" % i for i in list(range(0x20)) + [0x7f]}
_JSON_ESC.update({ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
                  ord("\b"): "\\b", ord("\f"): "\\f"})


def _json_str(s):
    s = s.translate(_JSON_ESC)
    if not s.isascii():
        out = []
        for c in s:
            o = ord(c)
            if o < 0x80:
                out.append(c)
            elif o < 0x10000:
                out.append("\\u%04x" % o)
            else:
                o -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 | (o >> 10), 0xDC00 | (o & 0x3FF)))
        s = "".join(out)
    return '"' + s + '"'


# -- argument-key traces (docs/trace-format.md) ---------------------------------------------------

def _mini_json(s):
    """Objects, arrays, strings, integers, true/false/null: what targets.json holds, without
    importing json (which imports re)."""
    try:
        from _json import scanstring
    except ImportError:
        import json
        return json.loads(s)
    ws = " \t\r\n"
    consts = {"true": True, "false": False, "null": None}

    def value(i):
        while s[i] in ws:
            i += 1
        c = s[i]
        if c == '"':
            return scanstring(s, i + 1)
        if c == "{" or c == "[":
            obj, close = ({}, "}") if c == "{" else ([], "]")
            i += 1
            while True:
                while s[i] in ws or s[i] == ",":
                    i += 1
                if s[i] == close:
                    return obj, i + 1
                v, i = value(i)
                if close == "}":
                    while s[i] in ws:
                        i += 1
                    if s[i] != ":":
                        raise ValueError("':' expected at %d" % i)
                    obj[v], i = value(i + 1)
                else:
                    obj.append(v)
        j = i
        while j < len(s) and s[j] not in ws and s[j] not in ",]}":
            j += 1
        tok = s[i:j]
        return (consts[tok] if tok in consts else int(tok)), j
    return value(0)[0]


_GEN_FLAGS = 0x20 | 0x80 | 0x100 | 0x200  # CO_GENERATOR, CO_COROUTINE, CO_ITERABLE_COROUTINE, CO_ASYNC_GENERATOR


def _fingerprint_mutable(r):
    """A hash of the type, the length and a bounded sample of the hashable items."""
    parts = [type(r).__name__, len(r)]
    if isinstance(r, bytearray):
        parts.append(bytes(r[:64]))
    else:
        seqs = (r, r.values()) if isinstance(r, dict) else (r,)
        for seq in seqs:
            n = 0
            for x in seq:
                if n == 8:
                    break
                n += 1
                try:
                    hash(x)
                    parts.append(x)
                except Exception:
                    parts.append(type(x).__name__)
    try:
        return hash(tuple(parts))
    except Exception:
        return len(r)


class _Tracer:
    """Wraps the functions of targets.json when their module finishes executing and writes one
    C record per call into trace-PID-N.gtr (buffered; flushed at a threshold and when the probe
    saves). The per-call cost is one Python-level wrapper while a function is traced; once its
    curve has settled, the process's budget is spent or tracing it is unsafe (recursion depth),
    the original function is put back where the wrapper was bound (the profiler counts its
    calls from then on) and a wrapper still reached through an old reference only passes the
    call on. A P record per function says which (docs/trace-format.md)."""

    SETTLE_FIRST = 512  # recorded calls at the first settle check (then at each doubling)
    FLOOR = 2048  # calls every function may record, budget or not (a settle check at 512, 1024, 2048)
    DEPTH_MAX = 64  # nested calls of one traced function: deeper, it is untraced (C stack, frames)
    ALLOWANCE_NS = 50 * 1000 * 1000  # tracing may always cost this much ...
    SHARE = 0.08  # ... or this share of the process's time so far, whichever is more

    def __init__(self, directory, targets, probe):
        import itertools
        import _thread
        try:
            import _struct as struct
        except ImportError:
            import struct
        self.dir = directory
        self.probe = probe
        self.targets = targets  # realpath -> {(line, qualname): kind}
        self.basenames = {os.path.basename(f) for f in targets}
        self.pack_call = struct.Struct("<BIQQqQqB").pack
        self.starmap = itertools.starmap
        self.struct = struct
        import time
        self.clock = time.perf_counter_ns
        self.local = type("_Current", (_thread._local,), {"seq": 0})()  # this thread's innermost traced call
        self.get_ident = _thread.get_ident
        self.busy = set()  # threads computing a key or fingerprint: their traced calls pass through
        self.recs = []  # (fid, seq, parent, key_hash, duration, fp, flags) not yet written
        self.on = [True]  # False once saved: later calls are not recorded
        self.lock = _thread.RLock()  # re-entrant: a profile function the program set may be traced
        self.next_seq = itertools.count(1).__next__
        self.funcs = []  # F records (bytes), in fid order
        self.fstate = []  # per fid: [mode (0 traced, else the P state), active calls, key_ns, re-entrant calls]
        self.fwrap = []  # per fid: (wrapper, original, the original's code, kind)
        self.fid_of = {}  # id(wrapping object) -> fid (a wrapper, or the staticmethod/classmethod around one)
        self.sites = []  # (container, name, original object, wrapping object, fid): where wrappers were bound
        self.fasttypes = {int, str}
        self.mark = (object(),)  # functools' kwd_mark: any constant object does for the hash
        self.max_bytes = _env_number("GLINTEFY_TRACE_MAX_BYTES", 64 << 20)
        self.max_ns = int(_env_number("GLINTEFY_TRACE_MAX_SECONDS", 60.0) * 1e9)  # absolute cap
        self.share = _env_number("GLINTEFY_TRACE_SHARE", self.SHARE)
        self.settle_first = _env_number("GLINTEFY_TRACE_SETTLE", self.SETTLE_FIRST)  # 0: never settle
        self.ns_per_record = None  # measured at the first flush (calibrate)
        self.t_start = self.clock()
        self.overhead = None
        self.flush_mask = 511  # the wrappers flush every 512 calls (by seq): settle checks at 512, 1024, 2048
        self.nfile = 0
        self.flushing = False
        self.noted = False  # the budget note went to stderr (once per process)
        self.pid = os.getpid()
        # the test running now (B and X records), set by the pytest plugin (glintefy.pytest_plugin)
        self.test = b""       # its node id, UTF-8
        self.phase = None     # "setup", "call", "teardown"; None outside a test
        self.test_files = set()     # files of the collected test modules
        self.fixture_codes = set()  # code objects of the fixtures in use
        self.plugin = False   # True once the plugin says who is who
        self.open_new()

    # -- the file --
    def open_new(self):
        """A new file for this process (start, fork child, failed exec): header and every F record."""
        self.pid = os.getpid()
        self.name = "trace-%d-%d.gtr" % (self.pid, self.nfile)
        self.nfile += 1
        self.fd = None
        self.written = 0
        self.dropping = False
        self.dropped = 0
        self.header_pending = True
        self.nrecorded = 0  # C records of this file (the time budget)
        self.cost_ns = 0  # estimated cost of tracing in this process: records x ns_per_record + flushes
        self.t_start = self.clock()
        del self.recs[:]  # a fork child drops the parent's pending calls
        self.fbuf = bytearray()
        n = len(self.funcs)
        self.seen = [0] * n  # per fid: calls appended (P record)
        self.kept = [0] * n  # per fid: C records written
        self.keys = [set() for _ in range(n)]  # per fid: key hashes seen (the settle check)
        self.hits = [0] * n  # per fid: calls whose key was seen before
        self.check = [self.settle_first] * n  # per fid: recorded calls at the next settle check
        self.rate = [None] * n  # per fid: hit rate at the last settle check
        for st in self.fstate:  # st[1], the calls running now, goes on
            st[2] = st[3] = 0
        for rec in self.funcs:
            self.fbuf += rec
        self.on[0] = True
        self.noted = False

    def header(self):
        if self.overhead is None:  # measured with this thread's profiler paused
            p = self.probe.current.get(self.probe.thread.get_ident())
            if self.probe.lost or (sys.version_info < (3, 12) and sys.getprofile() is not p):
                p = None  # the program's own profile function is in place: leave it alone
            if p is not None:
                p.disable()
            self.overhead = self.measure_overhead()
            if p is not None and not self.probe.saved:
                p.enable()
        return b"GTR1" + self.struct.pack("<HHII", 2, 0, self.pid & 0xFFFFFFFF, min(self.overhead, 0xFFFFFFFF))

    def measure_overhead(self):
        """ns of one lru_cache hit on this interpreter (a tiny timing loop, best of 3)."""
        try:
            # the C wrapper functools.lru_cache uses, from the builtin _functools: importing
            # functools (a source module) when the process ends would cost the exit status of
            # an uncaught KeyboardInterrupt on CPython 3.12.1 (see _dump_json)
            try:
                from _functools import _lru_cache_wrapper
                f = _lru_cache_wrapper(abs, None, False, tuple)
            except ImportError:
                import functools
                f = functools.lru_cache(maxsize=None)(abs)
            f(1)
            # the best of 3 of each loop apart: a preemption during the empty loop made the
            # difference of one pair 0 (a hit "costing" nothing) on a loaded machine
            clock, rng, hit, empty = self.clock, range(1000), None, None
            for _ in range(3):
                t0 = clock()
                for _ in rng:
                    f(1)
                t1 = clock()
                for _ in rng:
                    pass
                t2 = clock()
                hit = t1 - t0 if hit is None else min(hit, t1 - t0)
                empty = t2 - t1 if empty is None else min(empty, t2 - t1)
            return max(1, (hit - empty) // 1000)
        except Exception:
            return 0

    def flush(self, last=False):
        """Packs the pending calls (tuples appended by the wrappers) after the pending F records
        and appends them to the file; past the size bound calls are only counted. Checks which
        functions have settled and the process's budget. The thread is `busy` meanwhile: a traced
        function the probe's work reaches (a profile function the program set, a __hash__) is
        not traced, and a flush never runs inside a flush."""
        with self.lock:
            if not self.on[0] or os.getpid() != self.pid or self.flushing:
                return
            me = self.get_ident()
            self.busy.add(me)
            self.flushing = True
            t0 = self.clock()
            try:
                self.flush_locked(last)
            finally:
                self.cost_ns += self.clock() - t0
                self.flushing = False
                self.busy.discard(me)

    def flush_locked(self, last):
        """flush's work. The wrappers' tuples are (67 'C', fid, seq, parent, key_hash, duration,
        fingerprint, flags): packed and counted with C-level iteration (starmap, set.update),
        because the profiler times every call the probe's Python code makes."""
        recs = self.recs
        n = len(recs)
        batch = recs[:n]
        del recs[:n]  # calls appended meanwhile by other threads stay for the next flush
        if self.header_pending:  # the timing loop of the header is not the records' cost
            th = self.clock()
            out = bytearray(self.header())
            self.cost_ns -= self.clock() - th
        else:
            out = bytearray()
        self.header_pending = False
        out += self.fbuf
        del self.fbuf[:]
        extra = [r for r in batch if r.__class__ is bytes]  # B and X records (pytest plugin), in order
        if extra:
            calls = [r for r in batch if r.__class__ is not bytes]
        else:
            calls = batch
        nc = len(calls)
        keep = 0 if self.dropping else max(0, min(n, (self.max_bytes - self.written - len(out)) // 46 + 1))
        if keep < n:
            self.dropping = True
            # T counts calls: the B and X records left out are not calls
            self.dropped += sum([1 for r in batch[keep:] if r.__class__ is not bytes])
        if keep:
            if extra:
                pack = self.pack_call
                out += b"".join([r if r.__class__ is bytes else pack(*r) for r in batch[:keep]])
                keep = sum([1 for r in batch[:keep] if r.__class__ is not bytes])
            else:
                out += b"".join(self.starmap(self.pack_call, batch[:keep] if keep < n else batch))
            self.nrecorded += keep
        batch, n = calls, nc
        if self.ns_per_record is None and not last:
            tc = self.clock()
            self.ns_per_record = self.calibrate()
            self.cost_ns -= self.clock() - tc  # once per process: not the cost of the records
            if os.environ.get("GLINTEFY_TRACE_DEBUG"):
                sys.stderr.write("glintefy probe: one recorded call costs about %d ns\n" % self.ns_per_record)
        # x2: on the bench's call-heavy workload a recorded call's whole cost (the wrapper's frame,
        # its builtins, the profiler's entries for them) measured about twice the calibration
        self.cost_ns += 2 * n * (self.ns_per_record or 0)
        seen, kept, keys, hits = self.seen, self.kept, self.keys, self.hits
        for fid in {r[1] for r in batch}:
            ks = [r[4] for r in batch if r[1] == fid and not r[7] & 2]
            calls = len(ks) if len(ks) == n else sum([1 for r in batch if r[1] == fid])
            seen[fid] += calls
            kept[fid] += calls if keep == n else sum([1 for r in batch[:keep] if r[1] == fid])
            k = keys[fid]
            before = len(k)
            k.update(ks)
            hits[fid] += len(ks) - (len(k) - before)  # a key already seen (or twice here) is a hit
        if last:
            out += self.summaries()
            if self.dropped:
                out += b"T" + self.struct.pack("<Q", self.dropped)
        try:
            if self.fd is None:
                self.fd = os.open(os.path.join(self.dir, ".%s.tmp" % self.name),
                                  os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            view = memoryview(out)
            while view:
                view = view[os.write(self.fd, view):]
            self.written += len(out)
        except OSError:
            self.on[0] = False  # no trace rather than a broken program
        if not last:
            self.settle(batch)
            self.budget()
            self.probe.profiler_lost()

    def settle(self, batch):
        """A function has settled when the hit rate of its latest window of recorded calls (the
        calls since the last check; checks at each doubling from GLINTEFY_TRACE_SETTLE calls,
        default 512) is within a point of the window before, and at most a tenth of the window's
        calls brought a new key (or nothing is reused): its key stream is steady, so more calls
        would not change the hit rate or the suggested size (the working set). Windows, not the
        running rate: the cold start (every key's first miss) would dominate that for long."""
        done = []
        for fid in {r[1] for r in batch}:
            n = self.seen[fid]
            if n < self.check[fid] or self.fstate[fid][0] or not self.settle_first:
                continue
            hits, distinct = self.hits[fid], len(self.keys[fid])
            prev = self.rate[fid]  # (calls, hits, distinct, window hit rate) at the last check
            if prev is not None:
                rate = (hits - prev[1]) / max(1, n - prev[0])
                # steady hit rate, and no more than a tenth new keys in the window (else the
                # working set - the suggested size - is still growing), or no reuse at all
                if prev[3] is not None and abs(rate - prev[3]) < 0.01 and (
                        distinct - prev[2] <= 0.1 * (n - prev[0]) or rate < 0.01):
                    done.append(fid)
            else:
                rate = None
            self.rate[fid] = (n, hits, distinct, rate)
            self.check[fid] = 2 * n
        if done:
            self.unwrap(done, 1)

    def calibrate(self):
        """ns one recorded call adds, measured here (under the profiler, as the wrappers run):
        a wrapper around a trivial function against the function itself, 256 calls each, best
        of 3."""
        try:
            import itertools
            fake = type("_Calibrate", (), {})()
            fake.local, fake.next_seq, fake.clock = self.local, itertools.count(1).__next__, self.clock
            fake.recs, fake.on, fake.flush, fake.flush_mask = [], [True], None, (1 << 62) - 1
            fake.mark, fake.busy, fake.get_ident, fake.DEPTH_MAX = self.mark, set(), self.get_ident, 1 << 30

            def plain(x):
                return x
            w = _make_wrapper(fake, plain, 0, False, [0, 0, 0, 0])
            rng, clock, best = range(256), self.clock, None
            for _ in range(3):  # best of 3: a busy machine preempts some rounds
                t0 = clock()
                for i in rng:
                    w(i)
                t1 = clock()
                for i in rng:
                    plain(i)
                t2 = clock()
                ns = max(0, (t1 - t0) - (t2 - t1)) // 256
                best = ns if best is None else min(best, ns)
                del fake.recs[:]
            return best
        except Exception:
            return 0

    def budget(self):
        """The process's byte and time budget: once spent, every function still traced is cut
        short (only counted from now on) and stderr says so once. Time: the estimated cost of
        tracing (calls recorded x their measured cost, plus the flushes) may reach ALLOWANCE_NS
        or SHARE of the process's time so far, whichever is more, and never
        GLINTEFY_TRACE_MAX_SECONDS."""
        est = self.cost_ns
        limit = min(self.max_ns, max(self.ALLOWANCE_NS, self.share * (self.clock() - self.t_start)))
        if self.written >= self.max_bytes:
            live = [fid for fid, st in enumerate(self.fstate) if not st[0]]
        elif est >= limit:  # the time budget: a function that has not had FLOOR calls yet goes on
            live = [fid for fid, st in enumerate(self.fstate) if not st[0] and self.seen[fid] >= self.FLOOR]
        else:
            return
        if live:
            self.unwrap(live, 2)
            self.ncut = getattr(self, "ncut", 0) + len(live)
        if not self.noted and live:
            self.noted = True
            why = ("%d bytes written (GLINTEFY_TRACE_MAX_BYTES)" % self.written if self.written >= self.max_bytes
                   else "tracing had cost about %.2f s, %.0f%% of the run so far" % (
                       est / 1e9, 100.0 * est / max(1, self.clock() - self.t_start)))
            try:
                sys.stderr.write("glintefy probe: process %d: trace budget spent after %d recorded calls (%s); "
                                 "functions cut short from now on (each after at least %d calls): their later "
                                 "calls are only counted\n" % (self.pid, self.nrecorded, why, self.FLOOR))
            except Exception:
                pass

    def unwrap(self, fids, mode):
        """Stops tracing functions fids (mode: the P state): the original goes back wherever its
        wrapper was bound (module globals - also other modules' `from m import f` copies - and
        class attributes); a wrapper reached later only passes calls on."""
        fids = set(fids)
        back = {}
        for fid in fids:
            if not self.fstate[fid][0]:
                self.fstate[fid][0] = mode
        for container, name, orig, new, fid in self.sites:
            if fid not in fids:
                continue
            back[id(new)] = orig
            try:
                if type(container) is dict:
                    if container.get(name) is new:
                        container[name] = orig
                elif container.__dict__.get(name) is new:
                    type.__setattr__(container, name, orig)  # not a metaclass's __setattr__
            except Exception:  # a read-only namespace: its calls pass through the wrapper
                pass
        wrappers = {id(self.fwrap[fid][0]): self.fwrap[fid][1] for fid in fids}
        for module in list(sys.modules.values()):  # `from m import f` copies elsewhere
            d = getattr(module, "__dict__", None)
            if type(d) is not dict:
                continue
            try:
                for k, v in d.items():
                    if id(v) in wrappers and type(v) is _FunctionType:
                        d[k] = wrappers[id(v)]
            except RuntimeError:  # changed size: another thread imports
                pass

    def summaries(self):
        """One P record per function of this file (format version 2): calls, C records written,
        state, key-building ns. calls of a function no longer traced come from the profiler
        (a candidate) or cache_info() (a cache)."""
        pack = self.struct.Struct("<BIQQBQ").pack
        counted = self.counted
        out = bytearray()
        for fid in range(len(self.funcs)):
            st = self.fstate[fid]
            seen, kept = self.seen[fid], self.kept[fid]
            calls = seen  # st[3], the calls the probe's own key hashing made, are not the program's
            if st[0] > 0:
                calls = max(calls, counted.get(fid, 0) - st[3])
                state = st[0]
            else:
                state = 0 if calls == kept else 2
            out += pack(80, fid, calls, kept, state, st[2])
        return out

    def count_calls(self, entries):
        """fid -> calls in this process, for functions no longer traced: the profilers' call
        counts of the original code (candidates), cache_info() (caches)."""
        codes = {}
        out = {}
        for fid, (w, orig, code, kind) in enumerate(self.fwrap):
            if self.fstate[fid][0] <= 0:
                continue
            if kind:
                try:
                    info = orig.cache_info()
                    out[fid] = info[0] + info[1]
                except Exception:
                    pass
            else:
                codes[code] = fid
        for es in entries or ():
            for e in es:
                fid = codes.get(e.code)
                if fid is not None:
                    out[fid] = out.get(fid, 0) + e.callcount
        return out

    def finish(self, entries=None):
        """At the probe's save points: the last records, the P and T records, rename."""
        if not self.on[0] or os.getpid() != self.pid:
            return
        if not self.funcs:  # no target was wrapped in this process: no file (and no timing loop)
            self.on[0] = False
            return
        self.counted = self.count_calls(entries)
        self.flush(last=True)
        with self.lock:
            self.on[0] = False
            for st in self.fstate:  # later calls (other atexit handlers) pass through
                if not st[0]:
                    st[0] = -1
            if self.fd is not None:
                try:
                    os.close(self.fd)
                    os.replace(os.path.join(self.dir, ".%s.tmp" % self.name), os.path.join(self.dir, self.name))
                except OSError:
                    pass
                self.fd = None

    def restart(self):
        """After a fork (in the child) or a failed exec: a new file; seq numbering goes on."""
        if self.fd is not None and os.getpid() == self.pid:
            try:
                os.close(self.fd)
            except OSError:
                pass
        if os.getpid() != self.pid:
            self.nfile = 0
        for st in self.fstate:
            if st[0] == -1:
                st[0] = 0
        self.open_new()

    def stop(self, fid):
        """Called by a wrapper nested DEPTH_MAX deep in itself: tracing it is unsafe (every level
        adds a frame and C stack the program would not use)."""
        with self.lock:
            me = self.get_ident()
            self.busy.add(me)
            try:
                self.unwrap([fid], 3)
            finally:
                self.busy.discard(me)

    # -- wrapping --
    def wrap(self, fn, kind, typed):
        inner = fn.__wrapped__ if kind else fn
        code = inner.__code__
        fid = len(self.funcs)
        path = code.co_filename if os.path.isabs(code.co_filename) else os.path.abspath(code.co_filename)
        pb = path.encode("utf-8", "surrogateescape")[:65535]
        qb = inner.__qualname__.encode("utf-8", "surrogateescape")[:65535]
        rec = (b"F" + self.struct.pack("<IIBH", fid, code.co_firstlineno, kind, len(pb)) + pb +
               self.struct.pack("<H", len(qb)) + qb)
        self.funcs.append(rec)
        self.fbuf += rec
        self.seen.append(0)
        self.kept.append(0)
        self.keys.append(set())
        self.hits.append(0)
        self.check.append(self.settle_first)
        self.rate.append(None)
        st = [0, 0, 0, 0]
        self.fstate.append(st)
        w = _make_wrapper(self, fn, fid, typed, st)
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            try:
                setattr(w, attr, getattr(fn, attr))
            except (AttributeError, TypeError):
                pass
        try:
            w.__dict__.update(getattr(fn, "__dict__", {}))
        except (AttributeError, TypeError):
            pass
        w.__wrapped__ = inner
        if not kind:
            # inspect.getfullargspec (pluggy, older click and attrs use it) does not follow
            # __wrapped__: without this the wrapper's (*args, **kwds) is the function's spec, and
            # pluggy rejected a traced pytest hook. inspect is imported here, while wrapping,
            # never when the process ends.
            try:
                import inspect
                w.__signature__ = inspect.signature(fn)
            except Exception:
                pass
        if kind:
            for attr in ("cache_info", "cache_clear", "cache_parameters"):
                if hasattr(fn, attr):
                    setattr(w, attr, getattr(fn, attr))
            if hasattr(fn, "cache_clear"):
                w.cache_clear = _make_clear(self, fn.cache_clear, fid)
        w.__glintefy_traced__ = fn
        self.fwrap.append((w, fn, code, kind))
        self.fid_of[id(w)] = fid
        return w

    def note_site(self, container, name, orig, new):
        """new (a wrapping object) was bound to container's name in place of orig."""
        fid = self.fid_of.get(id(new))
        if fid is not None:
            self.sites.append((container, name, orig, new, fid))

    # -- test boundaries and cache_clear() calls (B and X records, docs/trace-format.md) --
    def boundary(self, phase, nodeid):
        """A test starts (phase 0) or ends (1): the pytest plugin calls this. The record takes a
        seq of its own, so every call is clearly before or after it."""
        nb = nodeid.encode("utf-8", "surrogateescape")[:65535]
        self.test = nb if phase == 0 else b""
        if self.on[0]:
            self.recs.append(b"B" + self.struct.pack("<BQH", phase, self.next_seq(), len(nb)) + nb)

    def clear_origin(self, code):
        """Who called cache_clear(): 2 a fixture - during a test's setup or teardown, whatever
        function made the call (a fixture calling the project's reset() is still the test
        harness), or a fixture function itself; 1 the test - its module or a conftest.py during
        the call; 0 the code (the project clearing its own cache while a test exercises it);
        3 unknown: a test-like file without the plugin telling which phase it is in."""
        fname = code.co_filename
        base = os.path.basename(fname)
        if self.plugin:
            if code in self.fixture_codes or self.phase in ("setup", "teardown"):
                return 2
            return 1 if base == "conftest.py" or fname in self.test_files else 0
        if base.endswith(".py") and (base == "conftest.py" or base.startswith("test_") or base.endswith("_test.py")):
            return 3
        return 0

    def clear_record(self, fid, frame):
        if not self.on[0]:
            return
        origin = self.clear_origin(frame.f_code) if frame is not None else 3
        nb = self.test
        self.recs.append(b"X" + self.struct.pack("<IQBH", fid, self.next_seq(), origin, len(nb)) + nb)

    def wrap_module(self, module, origin, want):
        functools = sys.modules.get("functools")
        self.lru = getattr(functools, "_lru_cache_wrapper", None)
        done = {}
        d = getattr(module, "__dict__", None)
        if d is not None:
            self.wrap_ns(d, d, origin, want, done, getattr(module, "__name__", None), 0)

    def wrap_ns(self, ns, container, origin, want, done, modname, depth):
        for name, obj in list(ns.items()):
            if name[:2] == "__" and name[-2:] == "__":  # dunders: the probe itself calls __hash__, __eq__ ...
                continue
            new = self.wrap_obj(obj, origin, want, done, modname, depth)
            if new is not None:
                try:
                    if type(container) is dict:
                        container[name] = new
                    else:
                        setattr(container, name, new)
                    self.note_site(container, name, obj, new)
                except (AttributeError, TypeError):
                    pass

    def wrap_obj(self, obj, origin, want, done, modname, depth):
        i = id(obj)
        if i in done:
            return done[i]
        done[i] = None
        t = type(obj)
        new = None
        if t is _FunctionType:
            code = obj.__code__
            if (code.co_filename == origin and not code.co_flags & _GEN_FLAGS and
                    want.get((code.co_firstlineno, obj.__qualname__)) == "candidate"):
                new = self.wrap(obj, 0, False)
        elif t is self.lru and self.lru is not None:
            inner = getattr(obj, "__wrapped__", None)
            code = getattr(inner, "__code__", None)
            if (code is not None and code.co_filename == origin and
                    want.get((code.co_firstlineno, getattr(inner, "__qualname__", None))) == "cache"):
                try:
                    typed = bool(obj.cache_parameters().get("typed"))
                except Exception:
                    typed = False
                new = self.wrap(obj, 1, typed)
        elif t is staticmethod or t is classmethod:
            inner = self.wrap_obj(obj.__func__, origin, want, done, modname, depth)
            if inner is not None:
                new = t(inner)
                self.fid_of[id(new)] = self.fid_of[id(inner)]
        elif isinstance(obj, type) and depth < 8 and getattr(obj, "__module__", None) == modname:
            self.wrap_ns(dict(obj.__dict__), obj, origin, want, done, modname, depth + 1)
        done[i] = new
        return new


def _env_number(name, default):
    try:
        v = float(os.environ.get(name) or default)
        return int(v) if isinstance(default, int) else v
    except ValueError:
        return default


_FunctionType = type(_mini_json)
_MUTABLE = (list, dict, set, bytearray)
_PLAIN = {int, str, float, bool, bytes, type(None), frozenset, complex}


def _make_wrapper(tr, fn, fid, typed, st):
    """The traced function: seq and parent_seq (the thread's innermost traced call), lru_cache's key
    hash, the duration, a fingerprint of the result, flags; a tuple for the next flush. Written to
    make few calls: the profiler times every builtin call it makes (next_seq, clock, hash), so
    each costs several times its own price; a list grows by `+=`, which is not a call. A key
    or result of plain builtin values is hashed directly. Any other may run the program's
    Python code (__hash__): the thread is `busy` meanwhile, so a traced function it calls is
    not traced again (no re-entry), and that time is the key's cost (st[2], key_ns).
    st[0] nonzero: no longer traced, the call only passes through."""
    local, next_seq, clock, recs, on = tr.local, tr.next_seq, tr.clock, tr.recs, tr.on
    flush, mask = tr.flush, tr.flush_mask
    mark = tr.mark
    busy, get_ident, depth_max = tr.busy, tr.get_ident, tr.DEPTH_MAX
    plain = _PLAIN

    def traced(*args, **kwds):
        nonlocal recs
        if st[0]:
            return fn(*args, **kwds)
        if busy and get_ident() in busy:  # called from a key's __hash__ or __eq__: not traced
            st[3] += 1
            return fn(*args, **kwds)
        if st[1] >= depth_max:  # deep recursion: stop tracing it
            tr.stop(fid)
            return fn(*args, **kwds)
        seq = next_seq()
        parent = local.seq
        flags = 0
        simple = not kwds and not typed
        if simple:
            for a in args:
                if a.__class__ not in plain:
                    simple = False
                    break
        if simple:  # builtin values: hash() runs no Python code
            kh = hash(args[0] if len(args) == 1 and args[0].__class__ in _FAST else args)
            t0 = clock()
        else:
            key = args
            if kwds:
                key += mark
                for item in kwds.items():
                    key += item
            if typed:
                key += tuple([v.__class__ for v in args])
                if kwds:
                    key += tuple([v.__class__ for v in kwds.values()])
            elif args and not args[1:] and not kwds and args[0].__class__ in _FAST:
                key = args[0]
            me = get_ident()
            busy.add(me)
            tk = clock()
            try:
                kh = hash(key)
            except Exception:
                kh, flags = 0, 2
            finally:
                busy.discard(me)
            t0 = clock()
            st[2] += t0 - tk
        local.seq = seq
        st[1] += 1
        try:
            r = fn(*args, **kwds)
        except BaseException:
            t1 = clock()
            st[1] -= 1
            local.seq = parent
            if on[0]:
                recs += ((67, fid, seq, parent, kh, t1 - t0, 0, flags | 1),)
            raise
        t1 = clock()
        st[1] -= 1
        local.seq = parent
        t = r.__class__
        if t in plain:
            fp = hash(r)
        else:
            me = get_ident()
            busy.add(me)
            try:
                if isinstance(r, _MUTABLE):
                    fp = _fingerprint_mutable(r)
                    flags |= 4
                elif t is tuple and len(r) > 64:
                    fp = _fingerprint_mutable(r)
                else:
                    try:
                        fp = hash(r)
                    except Exception:
                        fp = hash(t.__name__)
            finally:
                busy.discard(me)
        if on[0]:
            recs += ((67, fid, seq, parent, kh, t1 - t0, fp, flags),)
            if not seq & mask:
                flush()
        return r
    return traced


_FAST = {int, str}  # functools._make_key's fasttypes: a lone argument of these is its own key


def _make_clear(tr, clear, fid):
    """cache_clear() of a traced cache: an X record (who called it), then the real clear."""
    getframe = sys._getframe

    def cache_clear():
        try:
            tr.clear_record(fid, getframe(1))
        except Exception:
            pass
        return clear()
    cache_clear.__doc__ = getattr(clear, "__doc__", None)
    return cache_clear


class _TraceFinder:
    """A sys.meta_path entry: finds the spec with the other finders and, for a module with
    targets, wraps its loader's exec_module so that the targets are wrapped as soon as the module
    has executed (before the importer, `from m import f`, sees them)."""

    def __init__(self, tracer):
        self.tr = tracer

    def find_spec(self, name, path=None, target=None):
        spec = _find_spec_elsewhere(self, name, path, target)
        tr = self.tr
        origin = spec.origin if spec is not None else None
        if not origin or not isinstance(origin, str) or os.path.basename(origin) not in tr.basenames:
            return spec
        want = tr.targets.get(os.path.realpath(origin))
        if not want:
            return spec

        def after(module):
            try:
                tr.wrap_module(module, getattr(module, "__file__", None) or origin, want)
            except Exception as err:  # never break the user's import
                sys.stderr.write("glintefy probe: cannot trace %s: %s\n" % (name, err))
        _after_exec(spec, after)
        return spec


def _find_spec_elsewhere(skip, name, path, target):
    """The spec the other sys.meta_path finders give for module `name` (None: not found)."""
    for finder in sys.meta_path:
        if finder is skip:
            continue
        find = getattr(finder, "find_spec", None)
        spec = find(name, path, target) if find else None
        if spec is not None:
            return spec
    return None


def _after_exec(spec, after):
    """Makes spec's loader call after(module) once, right after it has executed the module
    (before the importer, `from m import f`, sees it)."""
    loader = spec.loader
    real = getattr(loader, "exec_module", None)
    if real is None:
        return

    def exec_module(module):
        try:
            real(module)
        finally:
            try:
                del loader.exec_module
            except AttributeError:
                pass
        after(module)
    try:
        loader.exec_module = exec_module
    except AttributeError:
        pass


def _code_lines(code):
    """The lines of code's instructions (co_lines from 3.10; co_lnotab before)."""
    lines = getattr(code, "co_lines", None)
    if lines is not None:
        return [line for _, _, line in lines() if line is not None]
    out, line, tab = [code.co_firstlineno], code.co_firstlineno, code.co_lnotab
    for i in range(1, len(tab), 2):
        d = tab[i]
        line += d - 256 if d >= 128 else d
        out.append(line)
    return out


def _last_line(module_code, want):
    """The last line of the top-level statements that define the targets (a def or class with its
    body): once the module's frame is past it, every target has been bound. A decorated def binds
    its name only after the decorator's call, on the def line, so the targets' own lines do not
    do."""
    lines = {line for line, _ in want}
    last = max(lines)
    for c in module_code.co_consts:
        if hasattr(c, "co_firstlineno"):
            span = _code_lines(c) + [c.co_firstlineno]
            stack = [k for k in c.co_consts if hasattr(k, "co_firstlineno")]
            while stack:  # a class body's methods, a function's nested code
                k = stack.pop()
                span += _code_lines(k)
                stack.extend(x for x in k.co_consts if hasattr(x, "co_firstlineno"))
            lo, hi = min(span), max(span)
            if any(lo <= line <= hi for line in lines) and hi > last:
                last = hi
    return last


def _watch_main(hooks):
    """Reaches the targets of the main module - `python3 app.py`, `python -m pkg.mod`, and a
    spawn child's `__mp_main__` - which runpy executes rather than imports, so the import hook
    never sees them, and whose top level calls them before it ends. A trace function (sys.settrace;
    cProfile uses setprofile) follows that module's top-level frame only: at each of its lines, names
    bound since the last look go through hooks.wrap_module, so a function is wrapped after its
    `def` and before the next statement can call it. It stops once the frame is past the last
    target's line (or ends): only the definitions are traced, not the run. Functions called
    while it watches run with tracing on (slower), so this costs start-up time, not run time."""
    done = [False]
    # a multiprocessing spawn child runs the parent's main module as __mp_main__, after its own
    # `-c` start-up code and before the process's target (BaseProcess._bootstrap)
    mp_child = "--multiprocessing-fork" in sys.argv[1:]

    def stop(frame=None):
        if not done[0]:
            done[0] = True
            if sys.gettrace() is watch:
                sys.settrace(None)
        if frame is not None:
            frame.f_trace = None

    def watch(frame, event, arg):
        if done[0]:
            return None
        code = frame.f_code
        if event != "call":
            return None
        if code.co_name != "<module>":
            if mp_child and code.co_name == "_bootstrap" and code.co_filename.endswith("process.py"):
                stop()  # the parent had no main module to run again
            return None
        g = frame.f_globals
        name = g.get("__name__")
        if name != ("__mp_main__" if mp_child else "__main__"):
            return None
        origin = code.co_filename
        want = hooks.targets.get(os.path.realpath(origin))
        if not want:
            stop()
            return None
        last = _last_line(code, want)
        seen = {}
        size = [-1]

        def look():
            """Hands the names bound or rebound since the last look to hooks.wrap_module."""
            size[0] = len(g)
            fresh = {k: v for k, v in list(g.items()) if seen.get(k, seen) is not v}
            if not fresh:
                return
            ns = type(sys)(name)
            ns.__dict__.update(fresh)
            try:
                hooks.wrap_module(ns, origin, want)
            except Exception as err:  # never break the user's program
                sys.stderr.write("glintefy probe: cannot trace %s: %s\n" % (origin, err))
            for k, v in fresh.items():
                new = ns.__dict__.get(k, v)
                if new is not v and g.get(k) is v:
                    g[k] = new
                    note = getattr(hooks, "note_site", None)
                    if note is not None:
                        note(g, k, v, new)
                seen[k] = g.get(k)

        def lines(frame, event, arg):
            if event == "line":
                past = frame.f_lineno > last
                if past or len(g) != size[0]:
                    look()
                if past:  # before the statement after the last target (often `main()`)
                    stop(frame)
                    return None
            elif event == "return":
                look()
                stop(frame)
                return None
            return lines
        return lines
    sys.settrace(watch)


def _start_tracing(probe, directory):
    """Reads targets.json (when the C side wrote one) and installs the import hook."""
    path = os.path.join(directory, "targets.json")
    try:
        with open(path, "rb") as fp:
            text = fp.read().decode("utf-8")
    except OSError:
        return
    try:
        targets = {}
        for t in _mini_json(text).get("targets", ()):
            kind = t.get("kind")
            if kind in ("cache", "candidate"):
                targets.setdefault(os.path.realpath(t["file"]), {})[(int(t["line"]), t["qualname"])] = kind
    except Exception as err:
        sys.stderr.write("glintefy probe: %s: %s (no traces)\n" % (path, err))
        return
    if targets:
        probe.tracer = _Tracer(directory, targets, probe)
        sys.meta_path.insert(0, _TraceFinder(probe.tracer))
        _watch_main(probe.tracer)


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
                if probe.tracer is not None:
                    probe.tracer.restart()
                raise
        exec_.__name__, exec_.__doc__ = real.__name__, real.__doc__
        return exec_
    for name in ("execv", "execve"):  # os.execl/execlp/execvp/... all call these
        if hasattr(os, name):
            setattr(os, name, wrap_exec(getattr(os, name)))

    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=probe.after_fork)
        _guard_fork(_signal)

    # SIGTERM (what multiprocessing's terminate() and `glintefy` forwarding send) and SIGHUP (a
    # closed terminal or ssh session): save, then die of the signal as before. Only when nobody
    # handles it already.
    try:
        hup = getattr(_signal, "SIGHUP", None)
        if hup is not None and _signal.getsignal(hup) == _signal.SIG_DFL:
            _signal.signal(hup, probe.on_term)
        if _signal.getsignal(_signal.SIGTERM) == _signal.SIG_DFL:
            _signal.signal(_signal.SIGTERM, probe.on_term)
            if _signal.getsignal(_signal.SIGURG) == _signal.SIG_DFL:
                _signal.signal(_signal.SIGURG, _poke)
                _on_import("multiprocessing.popen_fork", _patch_popen)
    except (ValueError, OSError, AttributeError):
        pass

    if sys.version_info < (3, 12):
        _hook_threads(probe)
    else:
        _on_import("cProfile", lambda module: _patch_cprofile(module, probe))


def _patch_cprofile(module, probe):
    """From 3.12 a cProfile profiler holds sys.monitoring's one profiler tool: the program's own
    cProfile.Profile().enable() (or `-m cProfile`) would raise "Another profiling tool is
    already active" because glintefy's holds it. The program's profiler wins: glintefy's stops,
    and the process's facts say so (its profile then misses the calls after that moment)."""
    cls = getattr(module, "Profile", None)
    real = getattr(cls, "enable", None)
    if real is None:
        return

    def enable(self, *args, **kwds):
        try:
            return real(self, *args, **kwds)
        except ValueError:
            if not probe.release_profiler():
                raise
        return real(self, *args, **kwds)
    enable.__doc__ = getattr(real, "__doc__", None)
    cls.enable = enable


def _guard_fork(_signal):
    """Keeps a SIGTERM that comes while a fork child is starting. The probe handles SIGTERM in
    Python; CPython's fork child clears the signals it has received but not yet handled, so a
    SIGTERM that arrives between fork() and that reset is lost (with the default action it would
    have killed the child): multiprocessing's terminate() of a Pool worker still starting then
    leaves the worker waiting for work forever and the parent's join() with it. SIGTERM is
    blocked in the forking thread across fork() and let in again in both processes once CPython
    is ready (the registered hooks run after its reset), so the kernel delivers it then."""
    mask = getattr(_signal, "pthread_sigmask", None)
    if mask is None:
        return
    import _thread
    saved = {}

    def before():
        try:
            saved[_thread.get_ident()] = mask(_signal.SIG_BLOCK, {_signal.SIGTERM})
        except (OSError, ValueError):
            pass

    def after():
        old = saved.pop(_thread.get_ident(), None)
        if old is not None:
            try:
                mask(_signal.SIG_SETMASK, old)
            except (OSError, ValueError):
                pass
    # the child's hook is registered after probe.after_fork, so it runs once the probe is ready
    os.register_at_fork(before=before, after_in_parent=after, after_in_child=after)


def _hook_threads(probe):
    """threading.setprofile(probe.thread_hook), without importing threading before the user does."""
    _on_import("threading", lambda module: module.setprofile(probe.thread_hook))


def _on_import(name, fn):
    """Calls fn(module) once module `name` has run: now if it is imported, else right after the
    user's import of it (a one-shot sys.meta_path entry), so the probe imports nothing early."""
    module = sys.modules.get(name)
    if module is not None:
        fn(module)
        return

    class OnImport:
        @staticmethod
        def find_spec(fullname, path=None, target=None):
            if fullname != name:
                return None
            try:
                sys.meta_path.remove(OnImport)
            except ValueError:
                pass
            spec = _find_spec_elsewhere(OnImport, fullname, path, target)
            if spec is not None:
                _after_exec(spec, after)
            return spec

    def after(module):
        try:
            fn(module)
        except Exception:  # never break the user's import
            pass
    sys.meta_path.insert(0, OnImport)


def _poke(signum, frame):
    """SIGURG's handler in every profiled process: does nothing. Its arrival interrupts a blocking
    call, which then runs the Python handlers of the signals that came before it."""


def _patch_popen(module):
    """A SIGTERM that arrives just before a process blocks (a Pool worker about to wait on its
    queue's lock) can wait forever: CPython's C handler notes it, but the Python handler - the
    probe's, which saves the data and then dies - runs only when the blocking call returns, and
    nothing interrupts the call (seen with gdb: the signal tripped, the worker asleep, the
    parent's join() waiting for it). Without the probe SIGTERM's default action would have killed
    the worker. So multiprocessing's join() after terminate() waits in steps of 0.5 s and pokes
    the child with SIGURG in between: a signal ignored by default, so harmless to any process
    that does not handle it, which makes the call return and the pending SIGTERM handler run."""
    import _signal
    cls = getattr(module, "Popen", None)
    real_send = getattr(cls, "_send_signal", None)
    real_wait = getattr(cls, "wait", None)
    if real_send is None or real_wait is None or not hasattr(_signal, "SIGURG"):
        return

    def _send_signal(self, sig):
        real_send(self, sig)
        if sig == _signal.SIGTERM:
            self._glintefy_terminated = True

    def wait(self, timeout=None):
        if timeout is not None or not getattr(self, "_glintefy_terminated", False):
            return real_wait(self, timeout)
        while True:
            code = real_wait(self, 0.5)
            if code is not None:
                return code
            try:
                os.kill(self.pid, _signal.SIGURG)
            except OSError:
                pass
    _send_signal.__doc__, wait.__doc__ = real_send.__doc__, real_wait.__doc__
    cls._send_signal, cls.wait = _send_signal, wait


if _DIR and os.path.isdir(_DIR) and "glintefy_probe" not in sys.modules:
    _repo = os.environ.get("GLINTEFY_PROBE_REPO")
    _probe = _Probe(_DIR, os.path.realpath(_repo) if _repo else None)
    sys.modules["glintefy_probe"] = type(sys)("glintefy_probe")  # once per interpreter
    sys.modules["glintefy_probe"].probe = _probe
    _install(_probe)
    _start_tracing(_probe, _DIR)


# ---- validation mode (`review cache --validate`): GLINTEFY_PROBE_APPLY names a JSON file
# {"report": PATH, "apply": [{id, file, line, qualname, action: add|resize|remove, maxsize: int|null,
# keep_api: true for a removal inside a cache factory's code (the cache becomes lru_cache(maxsize=0))}]}
# naming each function as the traces do: its file, co_firstlineno (a decorated function's first
# decorator line) and __qualname__. Nothing is profiled or traced.
# - remove / resize: functools.lru_cache (and so functools.cache, which calls it) is replaced by a
#   function that builds every cache as before except a target's: removed, it stays the plain
#   function; resized, it gets the new maxsize (same typed). Caches are so changed where they are
#   made - decorators, `f = lru_cache(n)(g)`, `self.f = lru_cache()(self.f)`, a factory's
#   `lru_cache(n, typed=True)(func)`, nested functions - in any module, the main one included.
# - add: a target is wrapped with functools.lru_cache(maxsize) (null: unbounded) as its module
#   finishes executing (the import hook tracing uses; the main module as traces reach it).
# Every change made appends "A <id>" to the report file; at exit each cache the probe made appends
# "C <id> <calls>", so `--validate` knows which actions took effect in each run.
class _Applier:
    def __init__(self, targets, report):
        import functools
        self.targets = targets  # realpath -> {(line, qualname): (action, maxsize, id, keep_api)}
        self.basenames = {os.path.basename(f) for f in targets}
        self.report = report
        self.functools = functools
        self.real_lru = functools.lru_cache
        self.made = []  # (id, cache) the probe made, for their calls at exit
        self.realpaths = {}
        self.reported = set()

    def note(self, line):
        if not self.report:
            return
        try:
            fd = os.open(self.report, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode("ascii"))
            finally:
                os.close(fd)
        except OSError:
            pass

    def applied(self, act, cache=None):
        key = (os.getpid(), act[2])
        if key not in self.reported:
            self.reported.add(key)
            self.note("A %d" % act[2])
        if cache is not None:
            self.made.append((act[2], cache))

    def at_exit(self):
        calls = {}
        for i, cache in self.made:
            try:
                h, m = cache.cache_info()[:2]
            except Exception:
                continue
            calls[i] = calls.get(i, 0) + h + m
        for i, n in sorted(calls.items()):
            self.note("C %d %d" % (i, n))

    def action_of(self, fn):
        """The action for function fn (a function or a bound method), or None."""
        fn = getattr(fn, "__func__", fn)
        code = getattr(fn, "__code__", None)
        if code is None:
            return None
        path = self.realpaths.get(code.co_filename)
        if path is None:
            path = self.realpaths[code.co_filename] = os.path.realpath(code.co_filename)
        want = self.targets.get(path)
        if not want:
            return None
        return want.get((code.co_firstlineno, getattr(fn, "__qualname__", None)))

    def make(self, fn, maxsize, typed):
        """What lru_cache(maxsize, typed)(fn) becomes."""
        act = self.action_of(fn)
        if act and act[0] == "remove":
            self.applied(act)
            if act[3]:  # made by a cache factory whose code uses the cache object: one that keeps nothing
                return self.real_lru(maxsize=0, typed=typed)(fn)
            return fn
        if act and act[0] == "resize":
            w = self.real_lru(maxsize=act[1], typed=typed)(fn)
            self.applied(act, w)
            return w
        return self.real_lru(maxsize, typed)(fn)

    def patch_functools(self):
        real, make = self.real_lru, self.make

        def lru_cache(maxsize=128, typed=False):
            if callable(maxsize) and isinstance(typed, bool):  # @lru_cache without arguments
                return make(maxsize, 128, typed)
            real(maxsize, typed)  # its TypeError for a bad maxsize, as before

            def decorating_function(user_function):
                return make(user_function, maxsize, typed)
            return decorating_function
        for attr in ("__doc__", "__module__", "__name__", "__qualname__"):
            setattr(lru_cache, attr, getattr(real, attr, None))
        self.functools.lru_cache = lru_cache

    def wrap_module(self, module, origin, want):
        lru = getattr(self.functools, "_lru_cache_wrapper", None)
        d = module.__dict__

        def change(obj, depth):
            t = type(obj)
            if t is _FunctionType:
                c = obj.__code__
                act = want.get((c.co_firstlineno, obj.__qualname__)) if c.co_filename == origin else None
                if act and act[0] == "add":
                    w = self.real_lru(maxsize=act[1])(obj)
                    self.applied(act, w)
                    return w
            elif t is staticmethod or t is classmethod:
                new = change(obj.__func__, depth)
                return t(new) if new is not None else None
            elif isinstance(obj, type) and depth < 8 and obj.__module__ == module.__name__:
                for n, v in list(obj.__dict__.items()):
                    new = change(v, depth + 1)
                    if new is not None:
                        setattr(obj, n, new)
            elif lru is not None and t is lru:
                # a cache made before functools.lru_cache was replaced (a .pth importing the code)
                inner = getattr(obj, "__wrapped__", None)
                act = self.action_of(inner)
                if act and act[0] in ("remove", "resize") and (os.getpid(), act[2]) not in self.reported:
                    try:
                        typed = bool(obj.cache_parameters().get("typed"))
                    except Exception:
                        typed = False
                    return self.make(inner, 128, typed)
            return None
        for name, obj in list(d.items()):
            new = change(obj, 0)
            if new is not None:
                d[name] = new


def _start_apply(path):
    try:
        with open(path, "rb") as fp:
            doc = _mini_json(fp.read().decode("utf-8"))
        targets = {}
        for n, t in enumerate(doc.get("apply", ())):
            ms = t.get("maxsize")
            targets.setdefault(os.path.realpath(t["file"]), {})[(int(t["line"]), t["qualname"])] = (
                t["action"], None if ms is None else int(ms), int(t.get("id", n)), bool(t.get("keep_api")))
    except Exception as err:
        sys.stderr.write("glintefy probe: %s: %s (nothing applied)\n" % (path, err))
        return
    if targets:
        import atexit
        applier = _Applier(targets, doc.get("report"))
        applier.patch_functools()
        atexit.register(applier.at_exit)
        sys.meta_path.insert(0, _TraceFinder(applier))
        _watch_main(applier)


_APPLY = os.environ.get("GLINTEFY_PROBE_APPLY")
if _APPLY and not _DIR and "glintefy_probe" not in sys.modules:
    sys.modules["glintefy_probe"] = type(sys)("glintefy_probe")  # once per interpreter
    _start_apply(_APPLY)
