"""Cache helpers for applications: the ones the Cache Profiling Guide writes by hand, ready to
import, thread-safe, and able to feed real hit rates to `glintefy review cache`.

    from glintefy.runtime import monitored_cache, start_cache_monitor, write_cache_stats

    @monitored_cache(maxsize=256)
    def expensive_operation(key): ...

    monitor = start_cache_monitor(interval_seconds=60)   # logs every minute; monitor.stop()
    ...
    write_cache_stats()   # -> LLM-CONTEXT/glintefy/review/perf/cache_stats.json

Decorated functions keep lru_cache's cache_info(), cache_clear() and __wrapped__. The
registry holds one entry per (module, qualified name): a function decorated again (module
reload, a nested function defined anew) replaces its older entry, so it never grows without
bound. See docs/python.md.
"""
import functools
import importlib
import inspect
import json
import logging
import os
import sys
import tempfile
import threading

__all__ = [
    "tracked_cache", "monitored_cache", "register_cache", "unregister_cache", "registered_caches",
    "log_cache_stats", "start_cache_monitor", "CacheMonitor", "get_cache_stats", "cache_record",
    "find_caches", "collect_cache_stats", "write_cache_stats", "DEFAULT_STATS_PATH",
]

DEFAULT_STATS_PATH = os.path.join("LLM-CONTEXT", "glintefy", "review", "perf", "cache_stats.json")
STATS_VERSION = 1

logger = logging.getLogger(__name__)

_lock = threading.RLock()
_registry = {}       # (module, qualname) -> (name, cached function); insertion ordered (3.7+)
_call_counts = {}    # (module, qualname) -> calls through tracked_cache wrappers, across reloads


def _key(func):
    orig = _unwrap(func)
    return (getattr(orig, "__module__", None), getattr(orig, "__qualname__", getattr(orig, "__name__", repr(orig))))


def _unwrap(func):
    try:
        return inspect.unwrap(func)
    except ValueError:  # a cycle of __wrapped__
        return func


def register_cache(func, name=None):
    """Adds a function with cache_info() (any functools cache) to the registry that
    log_cache_stats, start_cache_monitor and write_cache_stats report on. Returns func."""
    if not callable(getattr(func, "cache_info", None)):
        raise TypeError("%r has no cache_info(): not a functools cache" % (func,))
    key = _key(func)
    with _lock:
        _registry.pop(key, None)
        _registry[key] = (name or key[1], func)
    return func


def unregister_cache(func):
    """Removes func (or the function registered under its module and qualified name)."""
    with _lock:
        _registry.pop(_key(func), None)


def registered_caches():
    """[(name, function)] of the registry, in registration order (a snapshot)."""
    with _lock:
        return list(_registry.values())


def _bare(maxsize):
    return callable(maxsize) and not isinstance(maxsize, (bool, int))


def monitored_cache(maxsize=128, typed=False):
    """lru_cache(maxsize, typed) that also registers the function for monitoring (the guide's
    Method 3). Returns the lru_cache wrapper itself. Also usable bare: @monitored_cache."""
    if _bare(maxsize):
        return monitored_cache()(maxsize)

    def decorator(func):
        cached = functools.lru_cache(maxsize=maxsize, typed=typed)(func)
        register_cache(cached)
        return cached
    return decorator


def tracked_cache(maxsize=128, typed=False):
    """LRU cache that also counts calls (the guide's "Custom Cache Statistics"):
    wrapper._call_count is the number of calls made through it, and keeps counting when the
    module is reloaded (a new wrapper for the same module and qualified name starts from the
    old count). cache_info(), cache_clear(), cache_parameters() (3.9+) and __wrapped__ work
    as with lru_cache; cache_clear() resets hits and misses, not _call_count. The function is
    registered for monitoring. Also usable bare: @tracked_cache."""
    if _bare(maxsize):
        return tracked_cache()(maxsize)

    def decorator(func):
        cached = functools.lru_cache(maxsize=maxsize, typed=typed)(func)
        key = _key(func)
        count_lock = threading.Lock()

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with count_lock:
                wrapper._call_count += 1
                _call_counts[key] = wrapper._call_count
            return cached(*args, **kwargs)

        with _lock:
            wrapper._call_count = _call_counts.get(key, 0)
        wrapper.cache_info = cached.cache_info
        wrapper.cache_clear = cached.cache_clear
        if hasattr(cached, "cache_parameters"):
            wrapper.cache_parameters = cached.cache_parameters
        wrapper.__wrapped__ = func
        register_cache(wrapper)
        return wrapper
    return decorator


# ---- statistics -------------------------------------------------------------------------

def _rates(info):
    total = info.hits + info.misses
    hit_rate = (info.hits / total * 100) if total > 0 else 0.0
    util = (info.currsize / info.maxsize * 100) if info.maxsize else 0
    return round(hit_rate, 2), round(util, 2)


def _resolve(module_path, function_name):
    obj = importlib.import_module(module_path)
    for part in function_name.split("."):
        obj = getattr(obj, part)
    return getattr(obj, "__func__", obj)  # a staticmethod/classmethod reached through a class


def get_cache_stats(module_path, function_name):
    """The guide's get_cache_stats (Method 1): cache statistics of module_path.function_name
    ("Class.method" works too) as {module, function, hits, misses, hit_rate_percent, maxsize,
    currsize, utilization_percent}, or {"error": ...} when it is not an lru_cache decorated
    function. Import errors and missing names raise, as in the guide."""
    func = _resolve(module_path, function_name)
    try:
        info = func.cache_info()
    except AttributeError:
        return {"error": "%s is not an lru_cache decorated function" % function_name}
    hit_rate, util = _rates(info)
    return {
        "module": module_path,
        "function": function_name,
        "hits": info.hits,
        "misses": info.misses,
        "hit_rate_percent": hit_rate,
        "maxsize": info.maxsize,
        "currsize": info.currsize,
        "utilization_percent": util,
    }


def _relpath(path, repo):
    path = os.path.abspath(path)
    try:
        rel = os.path.relpath(path, repo)
    except ValueError:  # another drive
        return path.replace(os.sep, "/")
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return path.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


def cache_record(func, repo_path=None):
    """One cache as review cache reads it (docs/profile.md, the richer shape): file
    (relative to repo_path, default the current directory, with '/'; absolute when outside),
    line (the code object's first line, as in a .prof: a decorated function's first
    decorator), module, qualname, function, hits, misses, maxsize (None: unbounded), currsize,
    hit_rate_percent, utilization_percent, and calls for tracked_cache functions."""
    repo = os.path.abspath(repo_path or os.getcwd())
    info = func.cache_info()
    orig = _unwrap(func)
    code = getattr(orig, "__code__", None)
    rec = {}
    if code is not None and not code.co_filename.startswith("<"):
        rec["file"] = _relpath(code.co_filename, repo)
        rec["line"] = code.co_firstlineno
    module = getattr(orig, "__module__", None)
    if module == "__main__" and "file" in rec and not rec["file"].startswith("/") and rec["file"].endswith(".py"):
        module = rec["file"][:-3].replace("/", ".")  # a script: name it by its path
    if module:
        rec["module"] = module
    rec["qualname"] = getattr(orig, "__qualname__", getattr(orig, "__name__", "?"))
    rec["function"] = getattr(orig, "__name__", rec["qualname"].rsplit(".", 1)[-1])
    hit_rate, util = _rates(info)
    rec.update(hits=info.hits, misses=info.misses, maxsize=info.maxsize, currsize=info.currsize,
               hit_rate_percent=hit_rate, utilization_percent=util)
    if hasattr(func, "_call_count"):
        rec["calls"] = func._call_count
    return rec


def _is_cache(obj):
    return callable(obj) and callable(getattr(obj, "cache_info", None)) and \
        callable(getattr(obj, "cache_clear", None))


def find_caches(repo_path=None):
    """Every functools cache (lru_cache, cache, and the helpers here) reachable as a module
    attribute or a class attribute (methods, staticmethods, classmethods) of the modules
    already imported from files under repo_path (default: the current directory), outside
    virtual environments and site-packages."""
    repo = os.path.abspath(repo_path or os.getcwd()) + os.sep
    found, seen = [], set()

    def add(obj):
        obj = getattr(obj, "__func__", obj)
        if _is_cache(obj) and id(obj) not in seen:
            seen.add(id(obj))
            found.append(obj)

    for mod in list(sys.modules.values()):
        path = getattr(mod, "__file__", None)
        if not path:
            continue
        path = os.path.abspath(path)
        if not path.startswith(repo) or "site-packages" in path or "dist-packages" in path:
            continue
        try:
            items = list(vars(mod).items())
        except TypeError:
            continue
        for _, obj in items:
            add(obj)
            if inspect.isclass(obj) and getattr(obj, "__module__", None) == mod.__name__:
                for attr in list(vars(obj).values()):
                    add(attr)
    return found


def collect_cache_stats(functions=None, repo_path=None, discover=False):
    """{"version": 1, "caches": [cache_record...]} for the registered caches, plus
    functions (callables, or (module_path, function_name) pairs), plus with discover=True
    every cache find_caches sees. Each cache once."""
    funcs = [f for _, f in registered_caches()]
    for f in functions or ():
        funcs.append(_resolve(*f) if isinstance(f, tuple) else f)
    if discover:
        funcs += find_caches(repo_path)
    caches, seen = [], set()
    for f in funcs:
        if id(f) in seen or not _is_cache(f):
            continue
        seen.add(id(f))
        caches.append(cache_record(f, repo_path))
    return {"version": STATS_VERSION, "caches": caches}


def write_cache_stats(path=None, functions=None, repo_path=None, discover=False):
    """Writes collect_cache_stats(...) as JSON to path (default
    REPO/LLM-CONTEXT/glintefy/review/perf/cache_stats.json, REPO = repo_path or the current
    directory), where `glintefy review cache` reads it. The file is written to a temporary
    name beside it and renamed, so a reader never sees half a file. Returns the path."""
    repo = os.path.abspath(repo_path or os.getcwd())
    path = os.path.join(repo, DEFAULT_STATS_PATH) if path is None else os.fspath(path)
    data = collect_cache_stats(functions, repo, discover)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cache_stats.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w") as fp:
            json.dump(data, fp, indent=2)
            fp.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


# ---- logging and monitoring ----------------------------------------------------------------

def log_cache_stats(log=None, level=logging.INFO):
    """Logs one line per registered cache, as the guide's Method 3:
    "Cache NAME: hit_rate=85.3% hits=… misses=… size=…/…", to log (a logging.Logger;
    default the "glintefy.runtime" logger). Returns the statistics as a list of dicts."""
    log = log or logger
    out = []
    for name, func in registered_caches():
        info = func.cache_info()
        total = info.hits + info.misses
        hit_rate = (info.hits / total * 100) if total > 0 else 0
        log.log(level, "Cache %s: hit_rate=%.1f%% hits=%d misses=%d size=%d/%s",
                name, hit_rate, info.hits, info.misses, info.currsize, info.maxsize)
        out.append({"name": name, "hits": info.hits, "misses": info.misses,
                    "hit_rate_percent": round(hit_rate, 2), "maxsize": info.maxsize,
                    "currsize": info.currsize})
    return out


class CacheMonitor(threading.Thread):
    """A daemon thread that every interval_seconds logs the registered caches
    (log_cache_stats) and, when stats_path is given, rewrites that cache_stats.json. stop()
    ends it promptly (writing the file one last time); usable as a context manager."""

    def __init__(self, interval_seconds=300, log=None, level=logging.INFO, stats_path=None,
                 repo_path=None):
        threading.Thread.__init__(self, name="glintefy-cache-monitor", daemon=True)
        if not interval_seconds > 0:
            raise ValueError("interval_seconds must be > 0")
        self.interval_seconds = interval_seconds
        self.log, self.level = log, level
        self.stats_path, self.repo_path = stats_path, repo_path
        self.runs = 0
        self._stop_event = threading.Event()

    def _once(self):
        log_cache_stats(self.log, self.level)
        if self.stats_path is not None:
            write_cache_stats(self.stats_path, repo_path=self.repo_path)
        self.runs += 1

    def run(self):
        while not self._stop_event.wait(self.interval_seconds):
            try:
                self._once()
            except Exception:  # never let the monitor kill itself silently mid-way
                (self.log or logger).exception("glintefy cache monitor")

    def stop(self, timeout=None):
        """Stops the thread and waits for it (up to timeout seconds); writes stats_path once more."""
        self._stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)
        if self.stats_path is not None:
            write_cache_stats(self.stats_path, repo_path=self.repo_path)

    @property
    def stopped(self):
        return self._stop_event.is_set()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def start_cache_monitor(interval_seconds=300, log=None, level=logging.INFO, stats_path=None,
                        repo_path=None):
    """Starts and returns a CacheMonitor (the guide's start_cache_monitor, which could not be
    stopped): call .stop() to end it."""
    m = CacheMonitor(interval_seconds, log, level, stats_path, repo_path)
    m.start()
    return m
