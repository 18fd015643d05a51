"""ReviewMCPServer and CacheSubServer: arguments given to the binary, results as plain dicts,
failures as GlintefyError with the tool's message. A fake binary (a shell script) stands in
where the real one does not have a command yet."""
import cProfile
import json
import os
import sys
import unittest

import helpers
from helpers import BIN, TempDirTest, binary_has
from glintefy import _review
from glintefy.errors import (BinaryNotFoundError, CommandFailedError, GlintefyError,
                             UnsupportedCommandError)
from glintefy.servers.review import ReviewMCPServer
from glintefy.subservers.review.cache_subserver import CacheSubServer

FAKE = r'''#!/bin/sh
# records its arguments, then acts as `review ... cache` would
printf '%s\n' "$@" > "$FAKE_LOG"
for a in "$@"; do
  case "$a" in --help) printf 'Usage: glintefy review [--repo DIR] cache [--format F] [--output-dir DIR] [--profile PATH]\n'; exit 0;; esac
done
if [ -n "$FAKE_FAIL" ]; then echo "$FAKE_FAIL" >&2; exit 1; fi
out=""; prev=""; repo=""
for a in "$@"; do
  [ "$prev" = "--output-dir" ] && out="$a"
  [ "$prev" = "--repo" ] && repo="$a"
  prev="$a"
done
[ -n "$out" ] || out="$repo/LLM-CONTEXT/glintefy/review/cache"
mkdir -p "$out"
printf '[{"function": "f", "recommendation": "KEEP"}]' > "$out/existing_cache_evaluations.json"
[ -n "$FAKE_MD" ] && printf '%s' "$FAKE_MD" > "$out/summary.md"
printf '%s\n' "${FAKE_STDOUT:-{\"existing_caches\": 1\}}"
'''


class WithEnv(TempDirTest):
    def setenv(self, **kw):
        for k, v in kw.items():
            old = os.environ.get(k)
            self.addCleanup(self._restore, k, old)
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    @staticmethod
    def _restore(k, old):
        if old is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = old


class FakeBinary(WithEnv):
    def setUp(self):
        WithEnv.setUp(self)
        _review._help_cache.clear()
        self.addCleanup(_review._help_cache.clear)
        fake = self.write("fakebin/glintefy", FAKE)
        os.chmod(fake, 0o755)
        self.log = os.path.join(self.tmp, "argv.txt")
        self.repo = os.path.join(self.tmp, "repo")
        os.makedirs(self.repo)
        self.setenv(GLINTEFY_BIN=fake, FAKE_LOG=self.log, FAKE_FAIL=None, FAKE_MD=None, FAKE_STDOUT=None)

    def argv(self):
        with open(self.log) as fp:
            return fp.read().splitlines()

    def test_run_cache_arguments_and_result(self):
        self.setenv(FAKE_MD="# Cache review\n3 caches\n")
        server = ReviewMCPServer(repo_path=self.repo, cache_size=64, hit_rate_threshold=25.5,
                                 include=["src/*.py"], exclude="tests/*")
        result = server.run_cache(min_calls=7)
        self.assertEqual(self.argv(), ["review", "--repo", self.repo, "--cache-size", "64", "--hit-rate", "25.5",
                                       "--min-calls", "7", "--include", "src/*.py", "--exclude", "tests/*",
                                       "cache", "--format", "json"])
        out = os.path.join(self.repo, "LLM-CONTEXT", "glintefy", "review", "cache")
        self.assertEqual(result, {
            "existing_caches": 1, "output_dir": out, "summary": "# Cache review\n3 caches\n",
            "files": {"existing_cache_evaluations.json": [{"function": "f", "recommendation": "KEEP"}]}})

    def test_summary_from_stdout_wins_and_lists_wrap(self):
        self.setenv(FAKE_STDOUT='{"summary": "from the tool", "x": []}')
        self.assertEqual(ReviewMCPServer(repo_path=self.repo).run_cache()["summary"], "from the tool")
        self.setenv(FAKE_STDOUT='[1, 2]')
        r = ReviewMCPServer(repo_path=self.repo).run_cache()
        self.assertEqual(r["results"], [1, 2])
        self.assertIn("existing_cache_evaluations.json: 1 entries", r["summary"])

    def test_cache_subserver_output_dir_and_profile(self):
        prof = self.write("custom/path/to/profile.prof", "")
        out = os.path.join(self.tmp, "elsewhere")
        r = CacheSubServer(output_dir=out, repo_path=self.repo, profile_path=prof).run()
        self.assertEqual(self.argv(), ["review", "--repo", self.repo, "cache", "--format", "json",
                                       "--output-dir", out, "--profile", prof])
        self.assertEqual(list(r["files"]), ["existing_cache_evaluations.json"])
        self.assertEqual(r["output_dir"], out)

    def test_cache_subserver_repo_from_output_dir(self):
        out = os.path.join(self.repo, "LLM-CONTEXT", "glintefy", "review", "cache")
        s = CacheSubServer(output_dir=out)
        self.assertEqual((s.repo_path, s.output_dir), (self.repo, out))
        s.run()
        self.assertEqual(self.argv(), ["review", "--repo", self.repo, "cache", "--format", "json"])
        old = os.getcwd()
        os.chdir(self.tmp)
        self.addCleanup(os.chdir, old)
        self.assertEqual(CacheSubServer(output_dir="somewhere").repo_path, self.tmp)
        self.assertEqual(CacheSubServer().output_dir, os.path.join(self.tmp, _review.DEFAULT_CACHE_DIR))

    def test_default_profile_path_adds_no_flag(self):
        prof = self.write("repo/LLM-CONTEXT/glintefy/review/perf/test_profile.prof", "")
        ReviewMCPServer(repo_path=self.repo).run_cache(profile_path=prof)
        self.assertEqual(self.argv()[-2:], ["--format", "json"])

    def test_missing_profile_path(self):
        with self.assertRaises(CommandFailedError) as cm:
            CacheSubServer(output_dir=os.path.join(self.tmp, "o"), profile_path=os.path.join(self.tmp, "no.prof")).run()
        self.assertIn("no.prof: No such file", str(cm.exception))

    def test_failure_carries_the_tool_message(self):
        self.setenv(FAKE_FAIL="glintefy: pyproject.toml:3:7: expected a number")
        with self.assertRaises(CommandFailedError) as cm:
            ReviewMCPServer(repo_path=self.repo).run_cache()
        e = cm.exception
        self.assertIsInstance(e, GlintefyError)
        self.assertEqual(str(e), "glintefy: pyproject.toml:3:7: expected a number")
        self.assertEqual((e.returncode, e.message), (1, str(e)))
        self.assertEqual(e.argv[1:3], ["review", "--repo"])

    def test_not_json(self):
        self.setenv(FAKE_STDOUT="this is text")
        with self.assertRaises(CommandFailedError) as cm:
            ReviewMCPServer(repo_path=self.repo).run_cache()
        self.assertIn("did not print JSON", str(cm.exception))

    def test_unknown_settings_are_type_errors(self):
        with self.assertRaises(TypeError):
            ReviewMCPServer(repo_path=self.repo, cache_sise=3)
        with self.assertRaises(TypeError):
            ReviewMCPServer(repo_path=self.repo).run_cache(hit_rate=3)
        with self.assertRaises(TypeError):
            CacheSubServer(output_dir=self.tmp, nope=1)


class RealBinary(WithEnv):
    def setUp(self):
        WithEnv.setUp(self)
        self.setenv(GLINTEFY_BIN=BIN)
        _review._help_cache.clear()

    @unittest.skipIf(binary_has("cache"), "the binary has 'review cache' (test_guide covers it)")
    def test_run_cache_without_the_command(self):
        with self.assertRaises(UnsupportedCommandError) as cm:
            ReviewMCPServer(repo_path=self.tmp).run_cache()
        e = cm.exception
        self.assertIsInstance(e, GlintefyError)
        self.assertIn("unknown review subcommand 'cache'", str(e))
        self.assertIn("does not have this command", str(e))
        self.assertEqual(e.returncode, 2)

    def test_no_binary(self):
        self.setenv(GLINTEFY_BIN=os.path.join(self.tmp, "missing"))
        with self.assertRaises(BinaryNotFoundError) as cm:
            ReviewMCPServer(repo_path=self.tmp).run_clean()
        self.assertIsInstance(cm.exception, GlintefyError)

    def test_run_clean(self):
        perf = os.path.join(self.tmp, "LLM-CONTEXT", "glintefy", "review", "perf")
        self.write("LLM-CONTEXT/glintefy/review/perf/test_profile.prof", "")
        s = ReviewMCPServer(repo_path=self.tmp)
        r = s.run_clean(scope="profile", dry_run=True)
        self.assertEqual((r["scope"], r["dry_run"], r["paths"]),
                         ("profile", True, ["LLM-CONTEXT/glintefy/review/perf/test_profile.prof"]))
        self.assertTrue(os.path.exists(os.path.join(perf, "test_profile.prof")))
        r = s.run_clean()
        self.assertIn("LLM-CONTEXT/glintefy/review", r["paths"])
        self.assertFalse(os.path.exists(perf))
        with self.assertRaises(CommandFailedError) as cm:
            s.run_clean(scope="bogus")
        self.assertIn("unknown scope 'bogus'", str(cm.exception))
        self.assertEqual(cm.exception.returncode, 2)

    def test_run_hotspots(self):
        prof = os.path.join(self.tmp, "LLM-CONTEXT", "glintefy", "review", "perf", "test_profile.prof")
        os.makedirs(os.path.dirname(prof))
        code = self.write("work.py", "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n")
        glb = {}
        exec(compile(open(code).read(), code, "exec"), glb)
        p = cProfile.Profile()
        p.enable()
        glb["fib"](18)
        p.disable()
        p.dump_stats(prof)
        r = ReviewMCPServer(repo_path=self.tmp).run_hotspots(min_calls=10, min_cumtime=0)
        names = [h["function"] for h in r["hotspots"]]
        self.assertIn("fib", names)
        h = r["hotspots"][names.index("fib")]
        self.assertEqual((h["file"], h["line"], h["calls"]), (code, 1, 8361))


if __name__ == "__main__":
    unittest.main()
