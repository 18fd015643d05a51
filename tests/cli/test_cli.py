"""CLI behaviour: help, version, usage errors (exit 2, one line), stdin, unreadable files,
syntax errors, and `debug parse`. Called by tests/check.py for each build."""
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile

from testlib import ROOT, run


def version():
    with open(os.path.join(ROOT, "src", "version.h")) as fp:
        return re.search(r'GLINTEFY_VERSION "([^"]+)"', fp.read()).group(1)


# (args, stdin, expected exit status); each must print one line on stderr, nothing on stdout
USAGE_ERRORS = [
    ([], b""),
    (["frobnicate"], b""),
    (["--frobnicate"], b""),
    (["help", "frobnicate"], b""),
    (["debug"], b""),
    (["debug", "frobnicate"], b""),
    (["debug", "ast"], b""),
    (["debug", "ast", "a.py", "b.py"], b""),
    (["debug", "ast", "--bogus", "-"], b""),
    (["debug", "ast", "--python"], b""),
    (["debug", "ast", "--python", "3.7", "-"], b""),
    (["debug", "ast", "--python", "3.15", "-"], b""),
    (["debug", "ast", "--python", "4.0", "-"], b""),
    (["debug", "ast", "--python=py37", "-"], b""),
    (["debug", "parse"], b""),
    (["debug", "parse", "--bogus", "x.py"], b""),
]

HELPS = [
    (["--help"], "Usage: glintefy COMMAND"),
    (["-h"], "Usage: glintefy COMMAND"),
    (["help"], "Usage: glintefy COMMAND"),
    (["help", "debug"], "Usage: glintefy debug SUBCOMMAND"),
    (["help", "debug", "ast"], "Usage: glintefy debug ast"),
    (["help", "debug", "parse"], "Usage: glintefy debug parse"),
    (["debug", "--help"], "Usage: glintefy debug SUBCOMMAND"),
    (["debug", "ast", "--help"], "Usage: glintefy debug ast"),
    (["debug", "parse", "-h"], "Usage: glintefy debug parse"),
]

GOOD = b"def f(x):\n    return x + 1\n"
BAD = b"x = @@ERR\n"  # invalid syntax at line 1


def run_all(s, binary):
    def t(args, stdin=b""):
        return run(binary, args, stdin=stdin, timeout=30)

    def no_crash(what, r):
        why = r.crash()
        if why:
            s.fail(what, why)
        return why is None

    for args, stdin in USAGE_ERRORS:
        what = "glintefy " + " ".join(args)
        r = t(args, stdin)
        if not no_crash(what, r):
            continue
        err = r.err.decode("utf-8", "replace")
        s.check(r.rc == 2 and not r.out and err.count("\n") == 1 and err.startswith("glintefy: ")
                and "(try 'glintefy " in err,
                what, "want exit 2 and one 'glintefy: ... (try ...)' line; got %d, %r, %r" % (r.rc, r.out[:80], err[:200]))

    for args, head in HELPS:
        what = "glintefy " + " ".join(args)
        r = t(args)
        if no_crash(what, r):
            s.check(r.rc == 0 and head in r.out.decode() and not r.err, what,
                    "want exit 0 and %r on stdout; got %d, %r" % (head, r.rc, r.err[:200]))

    for flag in ("--version", "-V"):
        r = t([flag])
        want = ("glintefy %s\n" % version()).encode()
        if no_crash(flag, r):
            s.check(r.rc == 0 and r.out == want, "glintefy " + flag, "got %d %r" % (r.rc, r.out))

    # the help lists `mcp`, which exists, and its own help answers (tests/mcp covers the server)
    r = t(["--help"])
    s.check(b"  mcp [--repo DIR]" in r.out, "--help lists mcp", "mcp missing")
    for args in (["help", "mcp"], ["mcp", "--help"]):
        r = t(args)
        s.check(r.rc == 0 and b"Usage: glintefy mcp" in r.out and not r.err, "glintefy " + " ".join(args), r.out[:200])
    # `review --help` lists exactly the review subcommands that exist (tests/review covers them)
    r = t(["review", "--help"])
    s.check(r.rc == 0 and b"clean [-s SCOPE]" in r.out and b"  mcp" not in r.out, "review --help",
            "got %d %r" % (r.rc, r.out[:200]))

    # stdin, in both --python spellings and the default
    for extra in ([], ["--python", "3.11"], ["--python", "py311"], ["--python=3.12"], ["--python", "3.8"]):
        what = "debug ast %s- (stdin)" % "".join(a + " " for a in extra)
        r = t(["debug", "ast"] + extra + ["-"], GOOD)
        if no_crash(what, r):
            s.check(r.rc == 0 and json_module(r.out) and not r.err, what,
                    "want exit 0 and a Module; got %d, %r, %r" % (r.rc, r.out[:100], r.err[:200]))

    r = t(["debug", "ast", "-"], b"")
    if no_crash("debug ast on empty stdin", r):
        s.check(r.rc == 0 and json_module(r.out), "debug ast on empty stdin", "got %d %r" % (r.rc, r.err[:200]))

    r = t(["debug", "ast", "-"], BAD)
    if no_crash("debug ast syntax error", r):
        err = r.err.decode("utf-8", "replace")
        s.check(r.rc == 1 and not r.out and re.fullmatch(r"<stdin>:1:\d+: [^\n]+\n", err) is not None,
                "debug ast syntax error", "want exit 1, no stdout, '<stdin>:1:COL: msg'; got %d, %r, %r"
                % (r.rc, r.out[:80], err[:200]))

    with tempfile.TemporaryDirectory() as tmp:
        missing = os.path.join(tmp, "missing.py")
        r = t(["debug", "ast", missing])
        if no_crash("debug ast missing file", r):
            want = "glintefy: %s: No such file or directory\n" % missing
            s.check(r.rc == 1 and not r.out and r.err.decode() == want, "debug ast missing file",
                    "got %d, %r" % (r.rc, r.err))
        r = t(["debug", "ast", tmp])
        if no_crash("debug ast directory", r):
            s.check(r.rc == 1 and not r.out and r.err.decode().endswith(": Is a directory\n"),
                    "debug ast directory", "got %d, %r" % (r.rc, r.err))

        good, bad = os.path.join(tmp, "good.py"), os.path.join(tmp, "bad.py")
        with open(good, "wb") as fp:
            fp.write(GOOD)
        with open(bad, "wb") as fp:
            fp.write(BAD)
        r = t(["debug", "ast", "--python", "3.11", good])
        if no_crash("debug ast FILE", r):
            s.check(r.rc == 0 and json_module(r.out), "debug ast FILE", "got %d %r" % (r.rc, r.err[:200]))
        r = t(["debug", "ast", bad])
        if no_crash("debug ast FILE with error", r):
            s.check(r.rc == 1 and not r.out and r.err.decode().startswith(bad + ":1:"),
                    "debug ast FILE with error", "got %d %r" % (r.rc, r.err[:200]))

        r = t(["debug", "parse", good, bad, good])
        if no_crash("debug parse", r):
            lines = r.err.decode().splitlines()
            s.check(r.rc == 1 and not r.out and len(lines) == 1 and lines[0].startswith(bad + ":1:"),
                    "debug parse reports the rejected file", "got %d %r" % (r.rc, r.err[:300]))
        r = t(["debug", "parse", "--quiet", good, bad])
        if no_crash("debug parse --quiet", r):
            s.check(r.rc == 1 and not r.err, "debug parse --quiet", "got %d %r" % (r.rc, r.err[:300]))
        lst = os.path.join(tmp, "list")
        with open(lst, "w") as fp:
            fp.write("%s\n\n%s\n" % (good, good))
        r = t(["debug", "parse", "--time", "--dump", "--python", "3.11", "@" + lst])
        if no_crash("debug parse --time @LIST", r):
            out = r.out.decode()
            s.check(r.rc == 0 and "files: 2 (0 rejected)" in out and "MB/s: " in out
                    and "largest file arena bytes: " in out, "debug parse --time @LIST",
                    "got %d %r %r" % (r.rc, out, r.err[:200]))

    small_stack(s, binary)


def small_stack(s, binary):
    """At `ulimit -s 512` the nesting the parser accepts (and CPython 3.11 parses at that limit)
    must not overflow the stack: the commands run on threads with a stack of their own."""
    def limit():
        resource.setrlimit(resource.RLIMIT_STACK, (512 << 10, 512 << 10))

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("neg.py", "x = " + "-" * 2990 + "1\n"), ("nots.py", "x = " + "not " * 2990 + "1\n")):
            with open(os.path.join(tmp, name), "w") as fp:
                fp.write(text)
        for args in (["debug", "ast", "neg.py"], ["debug", "ast", "nots.py"], ["review", "cache"]):
            what = "ulimit -s 512: glintefy " + " ".join(args)
            p = subprocess.run([os.path.join(ROOT, binary)] + args, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=limit, timeout=120)
            s.check(p.returncode == 0, what, "got %d %r" % (p.returncode, p.stderr[-300:]))
        shutil.rmtree(os.path.join(tmp, "LLM-CONTEXT"), ignore_errors=True)


def json_module(out):
    if not out.endswith(b"\n") or out.count(b"\n") != 1:
        return False
    try:
        return json.loads(out).get("_type") == "Module"
    except ValueError:
        return False
