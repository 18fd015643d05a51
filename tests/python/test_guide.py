"""The Cache Profiling Guide's snippets, as written, in temporary directories. Each snippet is
kept here verbatim; when the guide is at hand ($GLINTEFY_GUIDE, or ../shared beside the
repository) a test checks that every one still appears in it character for character. `python`
in the guide's shell lines is this interpreter. Tests that need `review cache` or
`review profile` in the binary are skipped until it has them."""
import json
import os
import sys
import unittest

import helpers
from helpers import ROOT, TempDirTest, needs, run, run_script

GUIDE = os.environ.get("GLINTEFY_GUIDE") or os.path.join(os.path.dirname(ROOT), "shared", "cache-profiling-guide.md")

MCP = '''from glintefy.servers.review import ReviewMCPServer

server = ReviewMCPServer(repo_path=".")
result = server.run_cache()
print(result["summary"])
'''

SUBSERVER = '''from glintefy.subservers.review.cache_subserver import CacheSubServer
from pathlib import Path

server = CacheSubServer(
    output_dir=Path("LLM-CONTEXT/glintefy/review/cache"),
    profile_path=Path("custom/path/to/profile.prof"),  # Custom location
)

result = server.run()
'''

CLEAN = '''# Delete old profile only
python -m glintefy review clean -s profile

# Delete all cache analysis data
python -m glintefy review clean -s cache

# Delete all review data
python -m glintefy review clean

# Preview what would be deleted
python -m glintefy review clean --dry-run
'''

TRACKED_USAGE = '''# Usage
@tracked_cache(maxsize=128)
def my_function(arg):
    return expensive_computation(arg)
'''

MONITORED_USAGE = '''# Usage in your application:
@monitored_cache(maxsize=256)
def expensive_operation(key):
    return do_computation(key)

# Start monitoring when app starts
start_cache_monitor(interval_seconds=60)  # Log every minute
'''

HIT_RATE_DEBUG = '''# After running your workload
info = my_function.cache_info()
print(f"Hits: {info.hits}")
print(f"Misses: {info.misses}")
print(f"Hit rate: {info.hits / (info.hits + info.misses) * 100:.1f}%")
print(f"Cache size: {info.currsize}/{info.maxsize}")
'''

UTILIZATION = '''info = my_func.cache_info()
utilization = info.currsize / info.maxsize * 100

if utilization > 90:
    print("Cache is nearly full - consider increasing maxsize")
elif utilization < 30:
    print("Cache is underutilized - consider decreasing maxsize")
'''

# The guide's own get_cache_stats (Method 1); glintefy.runtime.get_cache_stats must agree.
GUIDE_GET_CACHE_STATS = '''def get_cache_stats(module_path: str, function_name: str) -> dict:
    """Get cache statistics from an lru_cache decorated function.

    Args:
        module_path: Dotted module path (e.g., "myapp.utils")
        function_name: Name of the cached function

    Returns:
        Dictionary with cache statistics
    """
    module = importlib.import_module(module_path)
    func = getattr(module, function_name)

    try:
        info = func.cache_info()
        total = info.hits + info.misses
        hit_rate = (info.hits / total * 100) if total > 0 else 0.0

        return {
            "module": module_path,
            "function": function_name,
            "hits": info.hits,
            "misses": info.misses,
            "hit_rate_percent": round(hit_rate, 2),
            "maxsize": info.maxsize,
            "currsize": info.currsize,
            "utilization_percent": round(info.currsize / info.maxsize * 100, 2) if info.maxsize else 0,
        }
    except AttributeError:
        return {"error": f"{function_name} is not an lru_cache decorated function"}
'''

# Workflow 1's script, verbatim, with main() filled in by the test.
WORKFLOW1 = '''# profile_my_app.py
import cProfile
import pstats
from pathlib import Path
import sys

def main():
    """Your application's main function."""
    # Your application logic here
    pass

if __name__ == "__main__":
    # Enable profiling
    profiler = cProfile.Profile()
    profiler.enable()

    # Run application
    try:
        main()
    finally:
        profiler.disable()

        # Save profiling data
        output_dir = Path("LLM-CONTEXT/glintefy/review/perf")
        output_dir.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(output_dir / "test_profile.prof")

        print(f"\\n✓ Profiling data saved", file=sys.stderr)
'''

SNIPPETS = [MCP, SUBSERVER, CLEAN, TRACKED_USAGE, MONITORED_USAGE, HIT_RATE_DEBUG, UTILIZATION,
            GUIDE_GET_CACHE_STATS, WORKFLOW1]

APP = '''import functools


@functools.lru_cache(maxsize=32)
def tax_rate(region):
    return {"eu": 0.2, "us": 0.07}.get(region, 0.0)


def price(amount, region):
    return round(amount * (1 + tax_rate(region)), 2)


def run_application():
    return sum(price(a, r) for a in range(300) for r in ("eu", "us", "eu", "ch"))
'''


def shell_lines(block):
    return [l for l in block.splitlines() if l and not l.startswith("#")]


def python_argv(line):
    words = line.split()
    assert words[0] == "python", line
    return [sys.executable] + words[1:]


class Verbatim(unittest.TestCase):
    @unittest.skipUnless(os.path.isfile(GUIDE), "the guide is not at %s" % GUIDE)
    def test_snippets_are_the_guide_s(self):
        with open(GUIDE, encoding="utf-8") as fp:
            guide = fp.read()
        for s in SNIPPETS:
            body = s.replace("\\\\n", "\\n")
            self.assertIn(body, guide, "not in the guide any more:\n" + body)


class Runtime(TempDirTest):
    def test_tracked_cache_usage_and_hit_rate_debugging(self):
        code = ("from glintefy.runtime import tracked_cache\n"
                "def expensive_computation(arg):\n    return arg * 2\n\n"
                + TRACKED_USAGE + "\nfor i in [1, 2, 1, 1, 3]:\n    my_function(i)\n\n" + HIT_RATE_DEBUG
                + "my_func = my_function\n" + UTILIZATION
                + "print(my_function._call_count, my_function.__wrapped__.__name__)\n")
        p = run_script(code, self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.decode().splitlines(), [
            "Hits: 2", "Misses: 3", "Hit rate: 40.0%", "Cache size: 3/128",
            "Cache is underutilized - consider decreasing maxsize", "5 my_function"])

    def test_monitored_cache_usage_logs_and_exits(self):
        code = ("import logging, time\nlogging.basicConfig(level=logging.INFO, format='%(message)s')\n"
                "from glintefy.runtime import monitored_cache, start_cache_monitor, log_cache_stats\n"
                "def do_computation(key):\n    return key\n\n"
                + MONITORED_USAGE.replace("interval_seconds=60", "interval_seconds=0.05")
                + "for k in (1, 1, 2, 1):\n    expensive_operation(k)\n"
                "time.sleep(0.3)\n"
                "print(expensive_operation.cache_info())\n")
        p = run_script(code, self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)  # the daemon thread does not hold the exit
        self.assertIn(b"CacheInfo(hits=2, misses=2, maxsize=256, currsize=2)", p.stdout)
        self.assertIn(b"Cache expensive_operation: hit_rate=50.0% hits=2 misses=2 size=2/256", p.stderr)
        # as written, with a minute's interval: starts, and the program still ends at once
        code = ("from glintefy.runtime import monitored_cache, start_cache_monitor\n"
                "def do_computation(key):\n    return key\n\n" + MONITORED_USAGE + "print(expensive_operation(3))\n")
        p = run_script(code, self.tmp)
        self.assertEqual((p.returncode, p.stdout), (0, b"3\n"), p.stderr)

    def test_get_cache_stats_agrees_with_the_guide_s(self):
        self.write("myapp/__init__.py", "")
        self.write("myapp/utils.py", APP)
        code = ("import importlib, json\n" + GUIDE_GET_CACHE_STATS + "\n"
                "guide = get_cache_stats\n"
                "from glintefy.runtime import get_cache_stats as ours\n"
                "import myapp.utils\n"
                "myapp.utils.run_application()\n"
                "for name in ('tax_rate', 'price'):\n"
                "    print(json.dumps([guide('myapp.utils', name), ours('myapp.utils', name)]))\n")
        p = run_script(code, self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        for line in p.stdout.decode().splitlines():
            g, o = json.loads(line)
            self.assertEqual(g, o)
        self.assertEqual(json.loads(p.stdout.decode().splitlines()[0])[0]["hits"], 1197)


class Commands(TempDirTest):
    def test_clean_commands(self):
        perf = os.path.join(self.tmp, "LLM-CONTEXT", "glintefy", "review", "perf")
        self.write("LLM-CONTEXT/glintefy/review/perf/test_profile.prof", "x")
        self.write("LLM-CONTEXT/glintefy/review/cache/cache_analysis.json", "{}")
        lines = shell_lines(CLEAN)
        outs = []
        for line in lines:
            p = run(python_argv(line), cwd=self.tmp)
            self.assertEqual(p.returncode, 0, (line, p.stderr))
            outs.append(p.stdout.decode())
        self.assertIn("deleted LLM-CONTEXT/glintefy/review/perf/test_profile.prof", outs[0])
        self.assertIn("deleted LLM-CONTEXT/glintefy/review/cache/cache_analysis.json", outs[1])
        self.assertFalse(os.path.exists(perf))
        self.assertIn("nothing to delete", outs[3])

    @unittest.skipUnless(helpers.binary_has("cache"), "the binary has no 'review cache' yet")
    def test_workflow_1_then_review_cache_and_the_api(self):
        self.write("myapp/__init__.py", "")
        self.write("myapp/utils.py", APP)
        script = WORKFLOW1.replace('''    # Your application logic here
    pass''', '''    from myapp.utils import run_application
    run_application()
    from glintefy.runtime import write_cache_stats
    from myapp.utils import tax_rate
    write_cache_stats(functions=[tax_rate])''')
        p = run_script(script, self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("✓ Profiling data saved".encode("utf-8"), p.stderr)
        perf = os.path.join(self.tmp, "LLM-CONTEXT", "glintefy", "review", "perf")
        self.assertTrue(os.path.isfile(os.path.join(perf, "test_profile.prof")))
        self.assertTrue(os.path.isfile(os.path.join(perf, "cache_stats.json")))
        p = run(python_argv("python -m glintefy review cache"), cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        evals = os.path.join(self.tmp, "LLM-CONTEXT", "glintefy", "review", "cache", "existing_cache_evaluations.json")
        self.assertTrue(os.path.isfile(evals))
        p = run_script(MCP + "import json\nprint(json.dumps(result, default=str))\n", self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.decode()
        self.assertTrue(out.strip())
        result = json.loads(out.splitlines()[-1])
        self.assertIn("summary", result)
        self.assertIn("existing_cache_evaluations.json", result["files"])
        ev = result["files"]["existing_cache_evaluations.json"]
        rows = ev if isinstance(ev, list) else ev.get("evaluations", ev.get("caches", []))
        tax = [r for r in rows if isinstance(r, dict) and r.get("function") == "tax_rate"]
        self.assertTrue(tax, "tax_rate not among the evaluations: %r" % (rows,))
        hits = tax[0].get("evidence", {}).get("hits", 0)
        if any(isinstance(r, dict) and r.get("evidence", {}).get("hits") for r in rows):
            # runtime data was read: our cache_stats.json must have been joined to tax_rate
            self.assertEqual(hits, 1197)

    @unittest.skipUnless(helpers.binary_has("cache"), "the binary has no 'review cache' yet")
    def test_subserver_with_custom_profile(self):
        self.write("myapp/__init__.py", "")
        self.write("myapp/utils.py", APP)
        prof = self.write("custom/path/to/.keep", "")
        p = run_script("import cProfile, sys\nsys.path.insert(0, '.')\nfrom myapp.utils import run_application\n"
                       "pr = cProfile.Profile(); pr.enable(); run_application(); pr.disable()\n"
                       "pr.dump_stats('custom/path/to/profile.prof')\n", self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.isfile(os.path.join(os.path.dirname(prof), "profile.prof")))
        p = run_script(SUBSERVER + "print(sorted(result['files']))\n", self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("existing_cache_evaluations.json", p.stdout.decode())

    @unittest.skipIf(helpers.binary_has("cache"), "the binary has 'review cache'")
    def test_mcp_snippet_without_review_cache_fails_clearly(self):
        p = run_script(MCP, self.tmp)
        self.assertEqual(p.returncode, 1)
        err = p.stderr.decode()
        self.assertIn("glintefy.errors.UnsupportedCommandError: glintefy: unknown review subcommand 'cache'", err)

    @unittest.skipUnless(helpers.binary_has("profile"), "the binary has no 'review profile' yet")
    def test_review_profile_cli(self):
        self.write("my_app.py", "import functools\n@functools.lru_cache(maxsize=4)\ndef f(x):\n    return x\n"
                                "for i in range(100):\n    f(i % 3)\nprint('app ran')\n")
        p = run([sys.executable, "-m", "glintefy", "review", "profile", "--", sys.executable, "my_app.py"],
                cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"app ran", p.stdout)
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, "LLM-CONTEXT", "glintefy", "review", "perf",
                                                    "test_profile.prof")))


if __name__ == "__main__":
    unittest.main()
