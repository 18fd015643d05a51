"""Installs (or removes) the glintefy Python package for the interpreter running this script,
under an installation prefix: `make install` / `make uninstall` call it.

Usage: python3 tools/install_python.py [--uninstall] --prefix PREFIX [--destdir DESTDIR]

The directory is the interpreter's own for PREFIX: PREFIX/lib/pythonX.Y/site-packages, or
Debian's PREFIX/lib/pythonX.Y/dist-packages when that is the one on its sys.path (as
/usr/local/lib/python3.11/dist-packages for /usr/bin/python3). It prints where the package
went and, when that directory is not on the interpreter's path, the PYTHONPATH to set.
The package finds the binary at PREFIX/bin/glintefy from there. No network access."""
import argparse
import os
import shutil
import site
import sys
import sysconfig

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "python", "glintefy")


def search_path():
    dirs = list(sys.path)
    try:
        dirs += site.getsitepackages()
    except AttributeError:  # virtualenv's old site.py
        pass
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return set(os.path.normpath(os.path.abspath(d)) for d in dirs if d)


def target_dir(prefix):
    v = {"base": prefix, "platbase": prefix, "installed_base": prefix, "installed_platbase": prefix}
    scheme = "posix_prefix" if os.name == "posix" else "nt"
    purelib = sysconfig.get_path("purelib", scheme, vars=v)
    candidates = [purelib, purelib.replace("site-packages", "dist-packages")]
    on_path = search_path()
    for c in candidates:
        if os.path.normpath(c) in on_path:
            return c, True
    return purelib, False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--destdir", default="")
    ap.add_argument("--uninstall", action="store_true")
    opts = ap.parse_args()
    prefix = os.path.abspath(opts.prefix)
    where, on_path = target_dir(prefix)
    dest = os.path.join(opts.destdir + where if opts.destdir else where, "glintefy")
    if not where or os.path.basename(dest) != "glintefy":
        sys.exit("install_python: no installation directory for prefix %s" % prefix)
    if os.path.isdir(dest):
        shutil.rmtree(dest)  # no stale modules from an older version
    if opts.uninstall:
        print("removed %s" % dest)
        return 0
    shutil.copytree(SRC, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "bin"))
    print("installed the glintefy Python package in %s" % dest)
    if not on_path:
        print("note: %s is not on %s's path; use it with: export PYTHONPATH=%s"
              % (where, sys.executable, where))
    return 0


if __name__ == "__main__":
    sys.exit(main())
