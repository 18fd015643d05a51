"""glintefy.runtime: the guide's helpers, cache_info/cache_clear/__wrapped__ kept, thread
safety, the monitor thread, and cache_stats.json in the shape `review cache` reads."""
import functools
import importlib
import json
import logging
import os
import sys
import threading
import time
import unittest

import helpers  # noqa: F401
from helpers import TempDirTest
from glintefy import runtime
from glintefy.runtime import (get_cache_stats, log_cache_stats, monitored_cache, start_cache_monitor,
                              tracked_cache, write_cache_stats)


def check_stats_shape(test, data):
    """docs/profile.md shape 3, as src/profile/cachestats.c checks it."""
    test.assertEqual(data["version"], 1)
    for c in data["caches"]:
        for k in ("hits", "misses", "currsize"):
            test.assertIsInstance(c[k], int)
            test.assertGreaterEqual(c[k], 0)
        test.assertTrue(c["maxsize"] is None or (isinstance(c["maxsize"], int) and c["maxsize"] >= 0))
        test.assertTrue(c.get("function") or c.get("qualname"))
        if "line" in c:
            test.assertIsInstance(c["line"], int)
            test.assertGreaterEqual(c["line"], 1)
        for k in ("module", "function", "file", "qualname"):
            if k in c:
                test.assertIsInstance(c[k], str)


class Registry(unittest.TestCase):
    def setUp(self):
        with runtime._lock:
            saved, counts = dict(runtime._registry), dict(runtime._call_counts)
            runtime._registry.clear()
            runtime._call_counts.clear()

        def restore():
            with runtime._lock:
                runtime._registry.clear()
                runtime._registry.update(saved)
                runtime._call_counts.clear()
                runtime._call_counts.update(counts)
        self.addCleanup(restore)


class Decorators(Registry):
    def test_tracked_cache_counts_and_keeps_lru_api(self):
        def square(x):
            """doc"""
            return x * x
        f = tracked_cache(maxsize=2)(square)
        self.assertEqual([f(1), f(1), f(2), f(3), f(1)], [1, 1, 4, 9, 1])
        self.assertEqual(f._call_count, 5)
        self.assertEqual(tuple(f.cache_info()), (1, 4, 2, 2))
        self.assertIs(f.__wrapped__, square)
        self.assertEqual((f.__name__, f.__doc__), ("square", "doc"))
        f.cache_clear()
        self.assertEqual(tuple(f.cache_info()), (0, 0, 2, 0))
        self.assertEqual(f._call_count, 5)  # calls since decoration, as in the guide
        if sys.version_info >= (3, 9):
            self.assertEqual(f.cache_parameters(), {"maxsize": 2, "typed": False})

    def test_bare_and_unbounded_and_typed(self):
        @tracked_cache
        def a(x):
            return x

        @monitored_cache
        def b(x):
            return x

        @monitored_cache(maxsize=None, typed=True)
        def c(x):
            return x
        a(1), a(1), b(1), b(1), c(1), c(1.0)
        self.assertEqual(tuple(a.cache_info()), (1, 1, 128, 1))
        self.assertEqual(tuple(b.cache_info()), (1, 1, 128, 1))
        self.assertEqual(tuple(c.cache_info()), (0, 2, None, 2))
        self.assertEqual([n for n, _ in runtime.registered_caches()],
                         [a.__qualname__, b.__qualname__, c.__qualname__])

    def test_monitored_cache_returns_the_lru_wrapper(self):
        def g(x):
            return x
        m = monitored_cache(maxsize=256)(g)
        self.assertIs(m.__wrapped__, g)
        self.assertEqual(m.cache_info().maxsize, 256)
        self.assertTrue(callable(m.cache_clear))

    def test_methods(self):
        class K(object):
            @tracked_cache(maxsize=8)
            def m(self, x):
                return x + 1

            @staticmethod
            @monitored_cache(maxsize=8)
            def s(x):
                return x * 2
        k = K()
        self.assertEqual([k.m(1), k.m(1), K.s(2), K.s(2)], [2, 2, 4, 4])
        self.assertEqual(K.m.cache_info().hits, 1)
        self.assertEqual(K.s.cache_info().hits, 1)

    def test_redecorating_replaces_the_registry_entry(self):
        for _ in range(50):
            @monitored_cache(maxsize=4)
            def inner(x):
                return x
        names = [n for n, _ in runtime.registered_caches()]
        self.assertEqual(names.count(inner.__qualname__), 1)
        self.assertIs(runtime.registered_caches()[-1][1], inner)

    def test_unregister_and_register_any_cache(self):
        @functools.lru_cache(maxsize=3)
        def plain(x):
            return x
        runtime.register_cache(plain, name="plain one")
        self.assertEqual(runtime.registered_caches(), [("plain one", plain)])
        runtime.unregister_cache(plain)
        self.assertEqual(runtime.registered_caches(), [])
        with self.assertRaises(TypeError):
            runtime.register_cache(len)


class Threads(Registry):
    N_THREADS, N_CALLS = 8, 5000

    def hammer(self, fn):
        start = threading.Barrier(self.N_THREADS)

        def work(seed):
            start.wait()
            for i in range(self.N_CALLS):
                fn((i * 7 + seed) % 50)
        ts = [threading.Thread(target=work, args=(s,)) for s in range(self.N_THREADS)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    def test_tracked_cache_counts_every_call(self):
        old = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # switch threads as often as possible
        self.addCleanup(sys.setswitchinterval, old)

        @tracked_cache(maxsize=16)
        def f(x):
            return x * 3
        self.hammer(f)
        total = self.N_THREADS * self.N_CALLS
        info = f.cache_info()
        self.assertEqual(f._call_count, total)
        self.assertEqual(info.hits + info.misses, total)
        self.assertLessEqual(info.currsize, 16)

    def test_concurrent_registration_and_stats(self):
        errors = []
        stop = threading.Event()

        def register(k):
            for i in range(200):
                fn = functools.lru_cache(maxsize=2)(lambda x, i=i: x)
                fn.__wrapped__.__qualname__ = "t%d_%d" % (k, i)
                runtime.register_cache(fn)
                fn(1)

        def report():
            try:
                while not stop.is_set():
                    runtime.collect_cache_stats()
                    log_cache_stats(logging.getLogger("glintefy-test-silent"), logging.DEBUG)
            except Exception as e:  # pragma: no cover - the failure we look for
                errors.append(e)
        r = threading.Thread(target=report)
        r.start()
        ts = [threading.Thread(target=register, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        stop.set()
        r.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(runtime.registered_caches()), 800)

    def test_writers_and_readers_never_see_half_a_file(self):
        import tempfile
        d = tempfile.mkdtemp(prefix="glintefy-pytest-")
        self.addCleanup(__import__("shutil").rmtree, d, True)
        path = os.path.join(d, "perf", "cache_stats.json")

        @tracked_cache(maxsize=16)
        def f(x):
            return x
        f(1)
        write_cache_stats(path, repo_path=d)
        bad, stop = [], threading.Event()

        def read():
            while not stop.is_set():
                with open(path) as fp:
                    try:
                        json.load(fp)
                    except ValueError as e:
                        bad.append(e)

        def write():
            for _ in range(100):
                write_cache_stats(path, repo_path=d)
        rd = threading.Thread(target=read)
        rd.start()
        ws = [threading.Thread(target=write) for _ in range(4)]
        for t in ws:
            t.start()
        self.hammer(f)
        for t in ws:
            t.join()
        stop.set()
        rd.join()
        self.assertEqual(bad, [])
        self.assertEqual([x for x in os.listdir(os.path.dirname(path)) if x != "cache_stats.json"], [])


class Monitor(Registry):
    def test_logs_periodically_and_stops_promptly(self):
        records = []

        class H(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())
        log = logging.getLogger("glintefy-test-monitor")
        log.propagate = False
        log.setLevel(logging.INFO)
        h = H()
        log.addHandler(h)
        self.addCleanup(log.removeHandler, h)

        @monitored_cache(maxsize=256)
        def expensive_operation(key):
            return key
        for k in (1, 1, 2):
            expensive_operation(k)
        m = start_cache_monitor(interval_seconds=0.02, log=log)
        self.assertTrue(m.daemon)
        deadline = time.time() + 5
        while len(records) < 2 and time.time() < deadline:
            time.sleep(0.01)
        t0 = time.time()
        m.stop()
        self.assertFalse(m.is_alive())
        self.assertLess(time.time() - t0, 1.0)
        self.assertGreaterEqual(len(records), 2)
        self.assertRegex(records[0], r"^Cache .*expensive_operation: hit_rate=33\.3% hits=1 misses=2 size=2/256$")

    def test_long_interval_stops_at_once_and_writes_file(self):
        import tempfile
        d = tempfile.mkdtemp(prefix="glintefy-pytest-")
        self.addCleanup(__import__("shutil").rmtree, d, True)

        @monitored_cache(maxsize=4)
        def h(x):
            return x
        h(1)
        h(1)
        path = os.path.join(d, "stats.json")
        with start_cache_monitor(interval_seconds=3600, stats_path=path, repo_path=d) as m:
            pass
        self.assertTrue(m.stopped)
        self.assertFalse(m.is_alive())
        with open(path) as fp:
            data = json.load(fp)
        check_stats_shape(self, data)
        self.assertEqual([(c["qualname"].rsplit(".", 1)[-1], c["hits"]) for c in data["caches"]], [("h", 1)])

    def test_bad_interval(self):
        with self.assertRaises(ValueError):
            start_cache_monitor(interval_seconds=0)


class StatsFiles(TempDirTest, Registry):
    def setUp(self):
        TempDirTest.setUp(self)
        Registry.setUp(self)
        sys.path.insert(0, self.tmp)
        self.addCleanup(sys.path.remove, self.tmp)
        self.write("myapp/__init__.py", "")
        self.write("myapp/utils.py",
                   "import functools; _cache = getattr(functools, 'cache', None) or functools.lru_cache(maxsize=None)\n"
                   "from glintefy.runtime import tracked_cache\n"
                   "\n"
                   "@functools.lru_cache(maxsize=10)\n"
                   "def compute_hash(x):\n"
                   "    return hash(x)\n"
                   "\n"
                   "@tracked_cache(maxsize=4)\n"
                   "def tracked(x):\n"
                   "    return x\n"
                   "\n"
                   "class Parser:\n"
                   "    @functools.lru_cache(maxsize=32)\n"
                   "    def tokens(self, s):\n"
                   "        return s.split()\n"
                   "    @staticmethod\n"
                   "    @_cache\n"
                   "    def stat(x):\n"
                   "        return x\n"
                   "\n"
                   "def plain(x):\n"
                   "    return x\n")
        for m in [m for m in sys.modules if m == "myapp" or m.startswith("myapp.")]:
            del sys.modules[m]
        self.addCleanup(lambda: [sys.modules.pop(m, None) for m in ("myapp", "myapp.utils")])
        self.utils = importlib.import_module("myapp.utils")

    def test_get_cache_stats_as_the_guide(self):
        u = self.utils
        for x in (1, 1, 2, 1):
            u.compute_hash(x)
        self.assertEqual(get_cache_stats("myapp.utils", "compute_hash"), {
            "module": "myapp.utils", "function": "compute_hash", "hits": 2, "misses": 2,
            "hit_rate_percent": 50.0, "maxsize": 10, "currsize": 2, "utilization_percent": 20.0})
        self.assertEqual(get_cache_stats("myapp.utils", "plain"),
                         {"error": "plain is not an lru_cache decorated function"})
        self.assertEqual(get_cache_stats("myapp.utils", "Parser.stat")["maxsize"], None)
        with self.assertRaises(ImportError):
            get_cache_stats("myapp.nope", "x")

    def test_write_with_discovery(self):
        u = self.utils
        u.compute_hash(1), u.tracked(1), u.tracked(1), u.Parser().tokens("a b")
        path = write_cache_stats(repo_path=self.tmp, discover=True)
        self.assertEqual(path, os.path.join(self.tmp, "LLM-CONTEXT", "glintefy", "review", "perf", "cache_stats.json"))
        with open(path) as fp:
            data = json.load(fp)
        check_stats_shape(self, data)
        by = {c["qualname"]: c for c in data["caches"]}
        self.assertEqual(sorted(by), ["Parser.stat", "Parser.tokens", "compute_hash", "tracked"])
        t = by["tracked"]
        self.assertEqual((t["file"], t["line"], t["module"], t["function"], t["hits"], t["misses"],
                          t["maxsize"], t["currsize"], t["calls"]),
                         ("myapp/utils.py", 8, "myapp.utils", "tracked", 1, 1, 4, 1, 2))
        self.assertEqual(by["Parser.tokens"]["line"], 13)  # the decorator's line, as in a .prof
        self.assertEqual(by["compute_hash"]["hit_rate_percent"], 0.0)
        self.assertEqual(by["Parser.stat"]["maxsize"], None)

    def test_reload_keeps_call_count_and_one_entry(self):
        self.utils.tracked(1)
        self.utils.tracked(2)
        u = importlib.reload(self.utils)
        u.tracked(3)
        self.assertEqual(u.tracked._call_count, 3)
        self.assertEqual(u.tracked.cache_info().misses, 1)
        self.assertEqual([n for n, _ in runtime.registered_caches()].count("tracked"), 1)

    def test_explicit_functions(self):
        data = runtime.collect_cache_stats(functions=[("myapp.utils", "compute_hash"), self.utils.Parser.tokens],
                                           repo_path=self.tmp)
        self.assertEqual([c["qualname"] for c in data["caches"]], ["tracked", "compute_hash", "Parser.tokens"])
        outside = runtime.collect_cache_stats(functions=[self.utils.compute_hash], repo_path="/nonexistent-repo")
        self.assertTrue(outside["caches"][1]["file"].startswith("/"))


if __name__ == "__main__":
    unittest.main()
