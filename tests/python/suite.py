"""The `python` suite of tests/check.py: runs tests/python/run.py under each interpreter
(python3 running check.py; for the normal build also Debian's /usr/bin/python3 and a pyenv
Python 3.8 when they are installed and differ), counting the tests by their ok/FAIL lines."""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def interpreters(all_of_them):
    out = [sys.executable]
    if all_of_them:
        pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
        more = ["/usr/bin/python3"] + sorted(glob.glob(os.path.join(pyenv, "versions", "3.8*", "bin", "python3")))
        seen = {os.path.realpath(sys.executable)}
        for p in more:
            if os.path.isfile(p) and os.access(p, os.X_OK) and os.path.realpath(p) not in seen:
                seen.add(os.path.realpath(p))
                out.append(p)
    return out


def run_all(s, binary, env, all_interpreters=True):
    for py in interpreters(all_interpreters):
        e = dict(env)
        e["GLINTEFY_BIN"] = os.path.join(ROOT, binary)
        e.pop("PYTHONPATH", None)
        try:
            p = subprocess.run([py, os.path.join(HERE, "run.py")], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, cwd=ROOT, env=e, timeout=600)
        except subprocess.TimeoutExpired:
            s.fail("tests/python under %s" % py, "timed out")
            continue
        summary = None
        for line in p.stdout.decode("utf-8", "replace").splitlines():
            if line.startswith("ok "):
                s.ok()
            elif line.startswith("FAIL "):
                s.fail("%s [%s]" % (line[5:].split(":", 1)[0], py), line[5:].split(":", 1)[-1].strip())
            elif line.startswith("    "):
                print(line)
            elif line.startswith("python ") and " passed, " in line:
                summary = line
        if summary is None:
            s.fail("tests/python under %s" % py, "no summary line (exit status %d)" % p.returncode)
        else:
            skipped = summary.rsplit(", ", 1)[-1]
            if not skipped.startswith("0 "):
                s.notes.append("%s %s" % (summary.split(":")[0], skipped))
