"""Finding and running the glintefy binary.

Search order (the first executable file wins):
  1. $GLINTEFY_BIN (if set, it must name an executable file: nothing else is tried);
  2. the binary installed with this package by pip (`pip install glintefy`, a wheel): the
     script listed in the distribution's RECORD, wherever pip put it (venv/bin, ~/.local/bin,
     --prefix, --target);
  3. bin/glintefy inside this package (a package bundled with its binary);
  4. PREFIX/bin/glintefy for the installation prefix the package sits under
     (`make install PREFIX=P` puts the package in P/lib/pythonX.Y/site-packages or
     P/lib/python3/dist-packages and the binary in P/bin);
  5. build/glintefy of the source tree, when the package is run from python/ in a checkout;
  6. `glintefy` on PATH (a Python script of that name is skipped: it could be a wrapper that
     calls back into this package).
"""
import os
import shutil
import subprocess
import sys

from glintefy.errors import BinaryNotFoundError, CommandFailedError, UnsupportedCommandError

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
EXE = "glintefy.exe" if os.name == "nt" else "glintefy"

# Exit status of `python -m glintefy` when there is no binary to run (as a shell's
# "command not found"), and when there is one that cannot be started.
EXIT_NOT_FOUND = 127
EXIT_CANNOT_RUN = 126

HOW_TO_INSTALL = (
    "install glintefy with pip from its source tree (`pip install .`: builds the binary and "
    "installs it with this package), or build it with `make` (gives build/glintefy) and either "
    "`make install PREFIX=...` (installs the binary and this package together) or set "
    "GLINTEFY_BIN=/path/to/glintefy")


def _is_executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _is_python_script(path):
    try:
        with open(path, "rb") as fp:
            head = fp.read(128)
    except OSError:
        return False
    return head.startswith(b"#!") and b"python" in head.split(b"\n", 1)[0]


def installed_script():
    """The binary pip installed together with this very package, or None (not installed from a
    wheel: a checkout, `make install`). A wheel's .dist-info sits beside the package it installed;
    its RECORD lists the script relative to that directory ("../../../bin/glintefy" in a venv).
    Read directly: importlib.metadata would add ~0.1 s to every `python -m glintefy`."""
    site_dir = os.path.dirname(PACKAGE_DIR)
    try:
        infos = [n for n in os.listdir(site_dir) if n.startswith("glintefy-") and n.endswith(".dist-info")]
    except OSError:
        return None
    for info in infos:
        try:
            with open(os.path.join(site_dir, info, "RECORD"), encoding="utf-8") as fp:
                rows = [line.split(",", 1)[0].strip('"') for line in fp]
        except (OSError, ValueError):
            continue
        if "glintefy/__init__.py" not in rows:
            continue
        for path in rows:
            parts = path.split("/")
            if len(parts) >= 2 and parts[-1] == EXE and parts[-2] in ("bin", "Scripts"):
                script = os.path.normpath(os.path.join(site_dir, path))
                if not _is_executable(script):
                    # `pip install --target DIR` leaves RECORD's paths as they were in its
                    # temporary prefix; the script is in DIR/bin, beside the package
                    script = os.path.join(site_dir, "bin", EXE)
                return script
    return None


def candidates():
    """The places searched, in order, as (description, path) pairs (PATH last, if found)."""
    out = []
    script = installed_script()
    if script:
        out.append(("installed with the package", script))
    out.append(("inside the package", os.path.join(PACKAGE_DIR, "bin", EXE)))
    # PREFIX/lib/pythonX.Y/site-packages/glintefy -> PREFIX/bin (also lib64, dist-packages)
    d = PACKAGE_DIR
    for _ in range(4):
        d = os.path.dirname(d)
        if os.path.basename(d) in ("lib", "lib64"):
            out.append(("installation prefix", os.path.join(os.path.dirname(d), "bin", EXE)))
            break
    out.append(("source tree", os.path.join(os.path.dirname(os.path.dirname(PACKAGE_DIR)), "build", EXE)))
    return out


def find_binary():
    """Returns the absolute path of the glintefy binary, or raises BinaryNotFoundError
    with a message saying where it looked and how to get one."""
    env = os.environ.get("GLINTEFY_BIN")
    if env:
        if _is_executable(env):
            return os.path.abspath(env)
        raise BinaryNotFoundError(
            "glintefy: GLINTEFY_BIN=%s is not an executable file; %s" % (env, HOW_TO_INSTALL))
    looked = []
    for _, path in candidates():
        if _is_executable(path):
            return path
        looked.append(path)
    on_path = shutil.which(EXE)
    if on_path and not _is_python_script(on_path):
        return os.path.abspath(on_path)
    looked.append("glintefy on PATH")
    raise BinaryNotFoundError(
        "glintefy: the glintefy binary was not found (looked at %s); %s"
        % (", ".join(looked), HOW_TO_INSTALL))


def _text(b):
    return b.decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")


def run(args, cwd=None, check=True, input=None):
    """Runs the binary with args, capturing stdout and stderr (text). Returns the
    subprocess.CompletedProcess. With check, a non-zero exit raises CommandFailedError (or
    UnsupportedCommandError when the binary does not know the command) carrying the tool's
    message."""
    binary = find_binary()
    argv = [binary] + [str(a) for a in args]
    try:
        p = subprocess.run(argv, cwd=cwd, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise CommandFailedError("glintefy: cannot run %s: %s" % (binary, e.strerror or e), argv)
    p.stdout, p.stderr = _text(p.stdout), _text(p.stderr)
    if check and p.returncode != 0:
        message = p.stderr.strip() or "glintefy exited with status %d" % p.returncode
        cls = CommandFailedError
        if p.returncode == 2 and ("unknown review subcommand" in p.stderr or "unknown command" in p.stderr):
            cls = UnsupportedCommandError
            message = ("%s\n(the glintefy binary at %s does not have this command; it is older than "
                       "the Python package, or the command is not built into it yet: rebuild it "
                       "with `make` and reinstall)" % (message, binary))
        raise cls(message, argv, p.returncode, p.stdout, p.stderr)
    return p


def exec_binary(args):
    """Replaces this process with the binary (os.execv where the platform has it), passing
    args, stdin, stdout, stderr and the exit status through. Returns an exit status only when
    it could not exec (no binary: 127, cannot start: 126) or on platforms without exec."""
    try:
        binary = find_binary()
    except BinaryNotFoundError as e:
        sys.stderr.write("%s\n" % e)
        return EXIT_NOT_FOUND
    argv = [binary] + list(args)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass
    if os.name == "posix":
        try:
            os.execv(binary, argv)
        except OSError as e:
            sys.stderr.write("glintefy: cannot run %s: %s\n" % (binary, e.strerror or e))
            return EXIT_CANNOT_RUN
    try:
        p = subprocess.Popen(argv)
    except OSError as e:
        sys.stderr.write("glintefy: cannot run %s: %s\n" % (binary, e.strerror or e))
        return EXIT_CANNOT_RUN
    while True:
        try:
            rc = p.wait()
            break
        except KeyboardInterrupt:  # the child got it too; wait for it to finish
            continue
    return 128 - rc if rc < 0 else rc
