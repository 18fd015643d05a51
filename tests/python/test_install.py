"""`make install PREFIX=...`: the binary and the package land where python3 finds them
(PYTHONPATH as printed when the prefix is not on its path), and the package finds the binary
there without GLINTEFY_BIN; `make uninstall` removes both."""
import os
import subprocess
import sys
import unittest

from helpers import BIN, ROOT, TempDirTest, run


def make(*args):
    # -o: never rebuild the binary under test (other work may be in progress in src/)
    return subprocess.run(["make", "-s", "-o", BIN, "BIN=" + BIN, "PYTHON=" + sys.executable] + list(args),
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class Install(TempDirTest):
    def test_install_run_uninstall(self):
        prefix = os.path.join(self.tmp, "prefix")
        p = make("install", "PREFIX=" + prefix)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.decode()
        pkg = out.split("installed the glintefy Python package in ", 1)[1].split("\n", 1)[0]
        site_dir = os.path.dirname(pkg)
        self.assertTrue(pkg.startswith(os.path.join(prefix, "lib")), pkg)
        self.assertIn("export PYTHONPATH=%s" % site_dir, out)  # a fresh prefix is not on the path
        self.assertTrue(os.access(os.path.join(prefix, "bin", "glintefy"), os.X_OK))
        self.assertTrue(os.path.isfile(os.path.join(pkg, "runtime.py")))
        self.assertFalse(any("__pycache__" in d for d, _, _ in os.walk(pkg)))
        code = "import glintefy, glintefy._binary as b; print(glintefy.__file__); print(b.find_binary())"
        p = run([sys.executable, "-c", code], cwd=self.tmp, GLINTEFY_BIN=None, PYTHONPATH=site_dir,
                PATH="/usr/bin:/bin")
        self.assertEqual(p.stdout.decode().splitlines(),
                         [os.path.join(pkg, "__init__.py"), os.path.join(prefix, "bin", "glintefy")], p.stderr)
        p = run([sys.executable, "-m", "glintefy", "--version"], cwd=self.tmp, GLINTEFY_BIN=None,
                PYTHONPATH=site_dir, PATH="/usr/bin:/bin")
        self.assertEqual((p.returncode, p.stdout), (0, subprocess.run([BIN, "--version"], stdout=subprocess.PIPE).stdout))
        p = make("uninstall", "PREFIX=" + prefix)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(pkg))
        self.assertFalse(os.path.exists(os.path.join(prefix, "bin", "glintefy")))

    @unittest.skipUnless(os.path.isfile("/usr/bin/python3"), "no /usr/bin/python3")
    def test_debian_python_gets_its_dist_packages(self):
        """/usr/bin/python3 with PREFIX=/usr/local (staged with DESTDIR): its own dist-packages."""
        dest = os.path.join(self.tmp, "stage")
        p = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tools", "install_python.py"),
                            "--prefix", "/usr/local", "--destdir", dest],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr)
        wanted = subprocess.run(["/usr/bin/python3", "-c",
                                 "import sys; print([p for p in sys.path if p.startswith('/usr/local/lib/python3')][0])"],
                                stdout=subprocess.PIPE).stdout.decode().strip()
        self.assertEqual(p.stdout.decode(), "installed the glintefy Python package in %s%s/glintefy\n" % (dest, wanted))
        self.assertTrue(os.path.isfile(os.path.join(dest + wanted, "glintefy", "__main__.py")))


if __name__ == "__main__":
    unittest.main()
