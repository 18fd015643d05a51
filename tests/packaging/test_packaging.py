"""`pip install .` and `pip wheel .` from the checkout (pyproject.toml + setup.py), offline:
the wheel's name and tag, its contents, the `glintefy` command on PATH being the native binary,
`python -m glintefy` finding the binary installed with the package first, `review cache` on a
fixture through it, `pip uninstall` leaving the environment as it was, the same wheel under
Python 3.8 and installed with --target. Uses Debian's /usr/bin/python3 with python3-venv,
python3-setuptools and python3-wheel (tools/deps.sh). Suite "packaging" of tests/check.py."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import testlib

ROOT = testlib.ROOT
SYSTEM_PY = "/usr/bin/python3"

FIXTURE = '''\
from functools import lru_cache


class Repo:
    @lru_cache(maxsize=None)
    def lookup(self, key):
        return key * 2


@lru_cache(maxsize=64)
def square(n):
    return n * n


def use():
    return square(1) + square(2)
'''


def clean_env(**extra):
    """No PIP_* settings of the caller (find-links, index), no GLINTEFY_BIN, no PYTHONPATH, and a
    PATH without any glintefy: what the package finds, it finds by itself."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("PIP_") and k not in ("GLINTEFY_BIN", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    e["PATH"] = "/usr/bin:/bin"
    e["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    e["PIP_NO_CACHE_DIR"] = "1"  # nothing written to ~/.cache
    e["PIP_NO_INDEX"] = "1"  # offline: no package index is ever asked
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    e.update({k: v for k, v in extra.items() if v is not None})
    return e


def sh(argv, cwd=None, timeout=600, **extra):
    p = subprocess.run(argv, cwd=cwd or ROOT, env=clean_env(**extra), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def tail(text, n=25):
    return "\n    " + "\n    ".join(text.rstrip().splitlines()[-n:])


def files_under(top):
    out = set()
    for d, dirs, files in os.walk(top):
        for f in files + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            out.add(os.path.relpath(os.path.join(d, f), top))
    return out


def is_elf(path):
    with open(path, "rb") as fp:
        return fp.read(4) == b"\x7fELF"


def make_venv(s, py, where, what):
    rc, out = sh([py, "-m", "venv", "--system-site-packages", where])
    return s.check(rc == 0, what, "%s -m venv failed (Debian: apt-get install python3-venv; make deps):%s"
                   % (py, tail(out)))


def test_wheel_and_install(s, tmp):
    version = subprocess.run([os.path.join(ROOT, "build", "glintefy"), "--version"],
                             stdout=subprocess.PIPE).stdout.decode()
    if not s.check(version.startswith("glintefy "), "build/glintefy --version", repr(version)):
        return
    venv = os.path.join(tmp, "venv")
    if not make_venv(s, SYSTEM_PY, venv, "venv"):
        return
    py = os.path.join(venv, "bin", "python")
    before = files_under(venv)

    # a module left in setuptools' build tree by an earlier build must not reach the wheel
    testlib.write_file(os.path.join(ROOT, "build", "pkg", "setuptools", "lib", "glintefy"), "_stale_module.py", "x = 1\n")
    # pip wheel . (offline: Debian's setuptools and wheel, no build isolation)
    dist = os.path.join(tmp, "dist")
    rc, out = sh([py, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-w", dist, ROOT])
    if not s.check(rc == 0, "pip wheel .", "exit %d:%s" % (rc, tail(out))):
        return
    plat = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_platform().replace('-', '_').replace('.', '_'))"],
                          stdout=subprocess.PIPE).stdout.decode().strip()
    wheels = glob.glob(os.path.join(dist, "*.whl"))
    expected = "glintefy-%s-py3-none-%s.whl" % (version.split()[1], plat)
    if not s.check([os.path.basename(w) for w in wheels] == [expected], "wheel name and tag",
                   "%s, expected [%s]" % ([os.path.basename(w) for w in wheels], expected)):
        return
    wheel = wheels[0]
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        script = "glintefy-%s.data/scripts/glintefy" % version.split()[1]
        info = z.getinfo(script) if script in names else None
        s.check(info is not None and (info.external_attr >> 16) & 0o111 and z.read(script)[:4] == b"\x7fELF",
                "wheel: the binary is an executable script", "%s in %s" % (script, names))
        s.check(any(n.endswith("/glintefy/_probe/sitecustomize.py") for n in names)
                and any(n.endswith("/glintefy/__main__.py") for n in names)
                and not any("/tests/" in n or n.endswith(".c") or "__pycache__" in n or "_stale_module" in n for n in names),
                "wheel: the package, nothing else", str(names))
        meta = z.read("glintefy-%s.dist-info/METADATA" % version.split()[1]).decode()
        wheel_file = z.read("glintefy-%s.dist-info/WHEEL" % version.split()[1]).decode()
        s.check("Requires-Python: >=3.8" in meta and "Root-Is-Purelib: false" in wheel_file
                and "Tag: py3-none-%s" % plat in wheel_file, "wheel: metadata", meta[:300] + wheel_file)
    rc, out = sh(["ldd", os.path.join(ROOT, "build", "pkg", "glintefy")])
    s.check(rc == 0 and "jansson" not in out and "xxhash" not in out, "wheel binary: jansson and xxhash linked in", out)

    # pip install . from the checkout
    rc, out = sh([py, "-m", "pip", "install", "--no-build-isolation", ROOT])
    if not s.check(rc == 0, "pip install .", "exit %d:%s" % (rc, tail(out))):
        return
    cmd = os.path.join(venv, "bin", "glintefy")
    s.check(os.access(cmd, os.X_OK) and is_elf(cmd), "the glintefy command is the native binary", cmd)
    rc, out = sh(["glintefy", "--version"], PATH=os.path.join(venv, "bin") + ":/usr/bin:/bin")
    s.check((rc, out) == (0, version), "glintefy --version on PATH", "exit %d: %r" % (rc, out))
    # python -m glintefy: the binary installed with the package, though another one comes first on PATH
    decoy = os.path.join(tmp, "decoy")
    os.makedirs(decoy)
    with open(os.path.join(decoy, "glintefy"), "w") as fp:
        fp.write("#!/bin/sh\necho decoy; exit 3\n")
    os.chmod(os.path.join(decoy, "glintefy"), 0o755)
    rc, out = sh([py, "-c", "import glintefy._binary as b; print(b.find_binary())"], cwd=tmp,
                 PATH=decoy + ":/usr/bin:/bin")
    s.check((rc, out.strip()) == (0, cmd), "python -m glintefy finds the installed binary first", out)
    repo = os.path.join(tmp, "proj")
    testlib.write_file(repo, "pkg/__init__.py")
    testlib.write_file(repo, "pkg/store.py", FIXTURE)
    rc, out = sh([py, "-m", "glintefy", "review", "cache", "--format", "json", "-q"], cwd=repo,
                 PATH=decoy + ":/usr/bin:/bin")
    try:
        doc = json.loads(out)
        caches = sorted((c["qualname"], [h["code"] for h in c["hazards"]]) for c in doc["existing_caches"])
    except (ValueError, KeyError, TypeError) as e:
        caches = "not the JSON of review cache (%s): %s" % (e, out[:300])
    s.check(rc == 0 and caches == [("Repo.lookup", ["C202"]), ("square", [])],
            "python -m glintefy review cache on a fixture", "exit %d: %s" % (rc, caches))
    rc, out = sh(["glintefy", "check"], cwd=repo, PATH=os.path.join(venv, "bin") + ":/usr/bin:/bin")
    s.check(rc == 1 and "pkg/store.py:5:6: C202 " in out, "glintefy check through the installed command",
            "exit %d: %s" % (rc, out))

    # the pytest plugin comes with the package (entry point pytest11; Debian's python3-pytest is
    # visible in this venv)
    rc, out = sh([py, "-m", "pytest", "--help"], cwd=tmp)
    s.check(rc == 0 and "--glintefy" in out, "pytest finds the plugin (pytest11 entry point)", tail(out, 5))

    # pip uninstall: the environment as before, file for file
    shutil.rmtree(os.path.join(repo, "LLM-CONTEXT"), ignore_errors=True)
    rc, out = sh([py, "-m", "pip", "uninstall", "-y", "glintefy"])
    s.check(rc == 0, "pip uninstall", tail(out))
    after = files_under(venv)
    s.check(after == before, "pip uninstall leaves nothing behind",
            "left: %s; missing: %s" % (sorted(after - before)[:10], sorted(before - after)[:10]))

    # the same wheel under the oldest Python it claims (3.8), when there is one
    py38 = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.8*/bin/python3")))
    if py38:
        v38 = os.path.join(tmp, "venv38")
        if make_venv(s, py38[-1], v38, "venv (3.8)"):
            rc, out = sh([os.path.join(v38, "bin", "python"), "-m", "pip", "install", wheel])
            if s.check(rc == 0, "pip install the wheel under Python 3.8", tail(out)):
                rc, out = sh([os.path.join(v38, "bin", "python"), "-m", "glintefy", "--version"], cwd=tmp,
                             PATH=decoy + ":/usr/bin:/bin")
                s.check((rc, out) == (0, version), "python3.8 -m glintefy --version", "exit %d: %r" % (rc, out))
    else:
        s.notes.append("no pyenv Python 3.8: wheel not tried under 3.8")

    # pip install --target: no prefix to guess from; found through the RECORD
    target = os.path.join(tmp, "target")
    rc, out = sh([py, "-m", "pip", "install", "--target", target, wheel])
    if s.check(rc == 0, "pip install --target", tail(out)):
        rc, out = sh([py, "-c", "import glintefy._binary as b; print(b.find_binary())"], cwd=tmp,
                     PYTHONPATH=target, PATH=decoy + ":/usr/bin:/bin")
        s.check((rc, out.strip()) == (0, os.path.join(target, "bin", "glintefy")),
                "pip install --target: python -m glintefy finds its binary", out)


def run_all(s, binary):
    if not binary.endswith("build/glintefy"):
        s.notes.append("runs with the normal build only")
        return
    if not os.path.isfile(SYSTEM_PY):
        s.fail("packaging", "%s is missing (Debian's python3; make deps)" % SYSTEM_PY)
        return
    tmp = tempfile.mkdtemp(prefix="glintefy-packaging-")
    try:
        test_wheel_and_install(s, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
