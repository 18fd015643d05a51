"""The build step of the glintefy wheel; the metadata is in pyproject.toml (docs/install.md).

`pip install .` / `pip wheel .` run `make build/pkg/glintefy` (the C binary, with libjansson
and libxxhash linked statically so the wheel needs only the C library), and ship it as the
wheel's `glintefy` script: pip puts it on PATH (venv/bin, ~/.local/bin, ...) unchanged, as
Ruff, uv and py-spy ship their native executables. `python -m glintefy` finds it through the
installed distribution's RECORD (python/glintefy/_binary.py).

The wheel is tagged py3-none-<platform>: it contains no extension module, so it fits every
Python 3 (3.8+ by Requires-Python) on the platform whose binary it carries.
Environment: MAKE (default "make"), GLINTEFY_MAKEFLAGS (e.g. "-j4"; default -j<cores>).
"""
import os
import shlex
import shutil
import subprocess
import sys

from setuptools import setup
try:  # setuptools >= 62.4
    from setuptools.command.build import build
except ImportError:
    from distutils.command.build import build
try:  # setuptools >= 69 has its own build_scripts
    from setuptools.command.build_scripts import build_scripts
except ImportError:  # older: distutils' (setuptools provides it where Python does not)
    from distutils.command.build_scripts import build_scripts
from setuptools.command.egg_info import egg_info
from setuptools.dist import Distribution

try:  # setuptools >= 70.1 has its own bdist_wheel
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # older setuptools: the `wheel` package's (Debian: python3-wheel)
    from wheel.bdist_wheel import bdist_wheel

ROOT = os.path.dirname(os.path.abspath(__file__))
BINARY = "glintefy"
BUILT = os.path.join("build", "pkg", BINARY)  # the Makefile's PKG_BIN


class BinaryDistribution(Distribution):
    """A distribution whose one script is the native binary built by make. `scripts` must be
    non-empty for setuptools to run build_scripts and install_scripts; the name is a
    placeholder that build_native_binary replaces with the built file."""

    def __init__(self, attrs=None):
        Distribution.__init__(self, attrs)
        self.scripts = [BINARY]


class build_native_binary(build_scripts):
    """Builds the binary with make and copies it, bytes unchanged, into build/scripts-X.Y."""

    def run(self):
        make = shlex.split(os.environ.get("MAKE", "make"))
        flags = shlex.split(os.environ.get("GLINTEFY_MAKEFLAGS", "-j%d" % (os.cpu_count() or 1)))
        cmd = make + flags + ["-C", ROOT, BUILT]
        print("glintefy: building the binary: %s" % " ".join(cmd))
        try:
            subprocess.check_call(cmd)
        except OSError as e:
            sys.exit("glintefy: cannot run %s: %s (a C compiler and make are needed to build glintefy; "
                     "Debian: apt-get install gcc make libjansson-dev libxxhash-dev)" % (make[0], e))
        except subprocess.CalledProcessError as e:
            sys.exit("glintefy: `%s` failed with status %d (see above; Debian needs gcc make "
                     "libjansson-dev libxxhash-dev)" % (" ".join(cmd), e.returncode))
        self.mkpath(self.build_dir)
        out = os.path.join(self.build_dir, BINARY)
        shutil.copyfile(os.path.join(ROOT, BUILT), out)
        os.chmod(out, 0o755)

    def get_source_files(self):  # nothing of it belongs in an sdist: MANIFEST.in lists the sources
        return []

    def get_outputs(self):
        return [os.path.join(self.build_dir, BINARY)]


class build_in_pkg(build):
    """setuptools' build tree under build/pkg/setuptools (build/ is the Makefile's), emptied
    first: build_py never deletes, so a module removed from python/ would stay in every later
    wheel."""

    def initialize_options(self):
        build.initialize_options(self)
        self.build_base = os.path.join(ROOT, "build", "pkg", "setuptools")

    def run(self):
        shutil.rmtree(os.path.join(ROOT, "build", "pkg", "setuptools"), ignore_errors=True)
        build.run(self)


class egg_info_in_build(egg_info):
    """The egg-info setuptools keeps while building goes to build/pkg, not into python/."""

    def initialize_options(self):
        egg_info.initialize_options(self)
        self.egg_base = os.path.join("build", "pkg")

    def finalize_options(self):
        if self.egg_base:
            os.makedirs(self.egg_base, exist_ok=True)
        egg_info.finalize_options(self)


class platform_wheel(bdist_wheel):
    """py3-none-<platform>: a native executable, no extension module, no ABI of its own."""

    def finalize_options(self):
        bdist_wheel.finalize_options(self)
        self.root_is_pure = False

    def get_tag(self):
        _, _, plat = bdist_wheel.get_tag(self)
        return "py3", "none", plat


setup(
    distclass=BinaryDistribution,
    cmdclass={"build": build_in_pkg, "build_scripts": build_native_binary, "bdist_wheel": platform_wheel, "egg_info": egg_info_in_build},
)
