"""Shared pieces of the Python package tests: paths, running `python -m glintefy` and
scripts in temporary directories with the package importable. Standard library only."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYDIR = os.path.join(ROOT, "python")
if PYDIR not in sys.path:
    sys.path.insert(0, PYDIR)
# The binary under test: GLINTEFY_BIN from tests/check.py, else the normal build.
os.environ.setdefault("GLINTEFY_BIN", os.path.join(ROOT, "build", "glintefy"))
BIN = os.environ["GLINTEFY_BIN"]


def env(**extra):
    e = dict(os.environ)
    e["PYTHONPATH"] = PYDIR + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.setdefault("LC_ALL", "C.UTF-8")
    for k, v in extra.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


def run(argv, cwd=None, stdin=b"", timeout=120, **extra_env):
    return subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=cwd, env=env(**extra_env), timeout=timeout)


def run_m(args, cwd=None, stdin=b"", **extra_env):
    """python -m glintefy ARGS with this interpreter."""
    return run([sys.executable, "-m", "glintefy"] + list(args), cwd=cwd, stdin=stdin, **extra_env)


def run_script(code, cwd, **extra_env):
    """Runs code as a script file in cwd with this interpreter."""
    path = os.path.join(cwd, "_snippet.py")
    with open(path, "w") as fp:
        fp.write(code)
    return run([sys.executable, path], cwd=cwd, **extra_env)


def binary_has(subcommand):
    """Whether the binary under test has `review SUBCOMMAND` (checked at test time)."""
    p = subprocess.run([BIN, "review", "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("  ") and line.split()[:1] == [subcommand]:
            return True
    return False


def needs(subcommand):
    return unittest.skipUnless(binary_has(subcommand), "the binary has no 'review %s' yet" % subcommand)


class TempDirTest(unittest.TestCase):
    """A test with self.tmp, a fresh directory removed afterwards."""

    def setUp(self):
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="glintefy-pytest-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, rel, text):
        path = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fp:
            fp.write(text)
        return path
