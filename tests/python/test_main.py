"""`python -m glintefy`: arguments, stdin/stdout/stderr and exit status passed through;
the binary search order; a clear message and exit 127 without a binary."""
import os
import shutil
import stat
import subprocess
import sys
import unittest

import helpers
from helpers import BIN, PYDIR, TempDirTest, run, run_m


class PassThrough(TempDirTest):
    def test_version_is_the_binary_s(self):
        p = run_m(["--version"])
        want = subprocess.run([BIN, "--version"], stdout=subprocess.PIPE).stdout
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, want, b""))

    def test_package_version_matches_version_h(self):
        import glintefy
        with open(os.path.join(helpers.ROOT, "src", "version.h")) as fp:
            self.assertIn('"%s"' % glintefy.__version__, fp.read())

    def test_stdin_stdout(self):
        p = run_m(["debug", "ast", "-"], stdin=b"x = 1\n")
        want = subprocess.run([BIN, "debug", "ast", "-"], input=b"x = 1\n", stdout=subprocess.PIPE).stdout
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, want)

    def test_exit_1_and_stderr(self):
        p = run_m(["debug", "ast", "-"], stdin=b"def f(:\n")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, b"")
        self.assertRegex(p.stderr.decode(), r"^<stdin>:1:\d+: |^-:1:\d+: |:1:\d+: ")

    def test_usage_error_exit_2(self):
        p = run_m(["review", "no-such-subcommand"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"unknown review subcommand 'no-such-subcommand'", p.stderr)

    def test_review_clean_in_a_temp_repo(self):
        os.makedirs(os.path.join(self.tmp, "LLM-CONTEXT", "glintefy", "review", "perf"))
        prof = os.path.join(self.tmp, "LLM-CONTEXT", "glintefy", "review", "perf", "test_profile.prof")
        open(prof, "wb").close()
        p = run_m(["review", "clean", "-s", "profile", "--dry-run"], cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"would delete LLM-CONTEXT/glintefy/review/perf/test_profile.prof", p.stdout)
        self.assertTrue(os.path.exists(prof))
        p = run_m(["review", "clean", "-s", "profile"], cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(prof))

    def fake(self, body):
        path = self.write("fake/glintefy", "#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
        return path

    def test_arguments_stdin_exit_status_exactly(self):
        fake = self.fake('printf "%s|" "$@"; cat; echo; echo err >&2; exit 42\n')
        p = run_m(["a b", "--x=1", "", "ü"], stdin=b"IN", GLINTEFY_BIN=fake)
        self.assertEqual(p.returncode, 42)
        self.assertEqual(p.stdout, "a b|--x=1||ü|IN\n".encode("utf-8"))
        self.assertEqual(p.stderr, b"err\n")

    @unittest.skipUnless(os.name == "posix", "exec is POSIX")
    def test_exec_replaces_the_process(self):
        fake = self.fake('echo "$$"\n')
        code = ("import os, sys, subprocess\n"
                "p = subprocess.Popen([sys.executable, '-m', 'glintefy'], stdout=subprocess.PIPE)\n"
                "out = p.communicate()[0]\n"
                "print(int(out) == p.pid)\n")
        p = run([sys.executable, "-c", code], GLINTEFY_BIN=fake)
        self.assertEqual(p.stdout.strip(), b"True", p.stderr)

    def test_signal_as_negative_status(self):
        fake = self.fake("kill -TERM $$\n")
        p = run_m([], GLINTEFY_BIN=fake)
        self.assertEqual(p.returncode, -15)  # exec: the process itself got the signal


class Missing(TempDirTest):
    def isolated_package(self):
        """A copy of the package alone in a directory, so neither bin/, an install prefix nor
        the source tree's build/ is found."""
        dst = os.path.join(self.tmp, "pkgs", "glintefy")
        shutil.copytree(os.path.join(PYDIR, "glintefy"), dst,
                        ignore=shutil.ignore_patterns("__pycache__", "_probe", "bin"))
        return os.path.dirname(dst)

    def test_no_binary_anywhere_exits_127_with_instructions(self):
        pkgs = self.isolated_package()
        p = run([sys.executable, "-m", "glintefy", "--version"], cwd=self.tmp,
                GLINTEFY_BIN=None, PYTHONPATH=pkgs, PATH=os.path.join(self.tmp, "empty"))
        self.assertEqual(p.returncode, 127)
        self.assertEqual(p.stdout, b"")
        err = p.stderr.decode()
        self.assertIn("glintefy binary was not found", err)
        self.assertIn("make install PREFIX=", err)
        self.assertIn("GLINTEFY_BIN", err)

    def test_bad_glintefy_bin_exits_127(self):
        p = run_m(["--version"], GLINTEFY_BIN=os.path.join(self.tmp, "nope"))
        self.assertEqual(p.returncode, 127)
        self.assertIn(b"GLINTEFY_BIN=", p.stderr)

    def test_not_executable_exits_126(self):
        from glintefy import _binary
        path = self.write("bin/glintefy", "not a program")
        os.chmod(path, 0o755)
        p = run_m(["--version"], GLINTEFY_BIN=path)
        self.assertEqual(p.returncode, 126)
        self.assertIn(b"cannot run", p.stderr)
        self.assertEqual(_binary.EXIT_CANNOT_RUN, 126)

    def test_found_beside_the_package_then_on_path(self):
        pkgs = self.isolated_package()
        bindir = os.path.join(pkgs, "glintefy", "bin")
        os.makedirs(bindir)
        fake = os.path.join(bindir, "glintefy")
        with open(fake, "w") as fp:
            fp.write("#!/bin/sh\necho beside\n")
        os.chmod(fake, 0o755)
        p = run([sys.executable, "-m", "glintefy"], GLINTEFY_BIN=None, PYTHONPATH=pkgs)
        self.assertEqual(p.stdout, b"beside\n")
        os.unlink(fake)
        on_path = os.path.join(self.tmp, "onpath")
        os.makedirs(on_path)
        with open(os.path.join(on_path, "glintefy"), "w") as fp:
            fp.write("#!/bin/sh\necho on-path\n")
        os.chmod(os.path.join(on_path, "glintefy"), 0o755)
        p = run([sys.executable, "-m", "glintefy"], GLINTEFY_BIN=None, PYTHONPATH=pkgs,
                PATH=on_path + os.pathsep + os.environ.get("PATH", ""))
        self.assertEqual(p.stdout, b"on-path\n")

    def test_python_wrapper_on_path_is_skipped(self):
        pkgs = self.isolated_package()
        on_path = os.path.join(self.tmp, "onpath")
        os.makedirs(on_path)
        with open(os.path.join(on_path, "glintefy"), "w") as fp:
            fp.write("#!/usr/bin/env python3\nimport glintefy.__main__\n")
        os.chmod(os.path.join(on_path, "glintefy"), 0o755)
        p = run([sys.executable, "-m", "glintefy"], GLINTEFY_BIN=None, PYTHONPATH=pkgs, PATH=on_path)
        self.assertEqual(p.returncode, 127)


class Syntax38(unittest.TestCase):
    def test_package_is_python_3_8_syntax(self):
        """Every file of the package parses with glintefy's own 3.8 grammar and ast's."""
        import ast
        for d, _, files in os.walk(os.path.join(PYDIR, "glintefy")):
            for f in files:
                if not f.endswith(".py"):
                    continue
                path = os.path.join(d, f)
                p = subprocess.run([BIN, "debug", "ast", "--python", "3.8", path],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                self.assertEqual(p.returncode, 0, p.stderr.decode())
                with open(path, "rb") as fp:
                    ast.parse(fp.read(), path, feature_version=(3, 8))


if __name__ == "__main__":
    unittest.main()
