"""End-to-end tests of the review infrastructure: source discovery (walk and git), module names,
settings precedence and error messages, and `review clean` (dry run, scopes, symlinks).
Every test builds its repository in a fresh temporary directory and removes it.
Called by tests/check.py for each build (suite "review")."""
import os
import shutil
import subprocess
import tempfile

import testlib
from testlib import ROOT


def glintefy(binary, args, cwd, extra_env=None, timeout=60):
    return testlib.run_review(binary, args, cwd, extra_env, timeout)


write = testlib.write_file


class TempRepo:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="glintefy-review-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def git(repo, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t", GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_SYSTEM="/dev/null")
    subprocess.run(["git", "-c", "init.defaultBranch=main"] + list(args), cwd=repo, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sources(r):
    """{path: (module, status)} from `debug sources` output."""
    out = {}
    for line in r.out.decode().splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            out[parts[0]] = (parts[1], parts[2])
    return out


# files of the non-git layout -> expected module ("" = must be skipped)
LAYOUT = {
    "top.py": "top",
    "pkg/__init__.py": "pkg",
    "pkg/mod.py": "pkg.mod",
    "pkg/sub/__init__.py": "pkg.sub",
    "pkg/sub/deep.py": "pkg.sub.deep",
    "pkg/data/loose.py": "loose",  # data/ has no __init__.py: not part of the package
    "scripts/tool.py": "tool",
    "tests/test_top.py": "test_top",
    "src/app/__init__.py": "app",
    "src/app/core.py": "app.core",
    "src/nspkg/mod.py": "nspkg.mod",  # under src/, namespace packages count
    "venv/__init__.py": "venv",  # a package called venv, not an environment
    "venv/mod.py": "venv.mod",
    "lib/build/tool2.py": "tool2",  # build/ is skipped only at the top
    "myvenv/pyvenv.cfg": None,
    "myvenv/lib/python3.11/site-packages/x.py": "",
    "myvenv/lib/helper.py": "",
    "env/bin/python": None,
    "env/lib/y.py": "",
    "conda/conda-meta/history": None,
    "conda/z.py": "",
    ".venv/a.py": "",
    "node_modules/n.py": "",
    "build/b.py": "",
    "dist/d.py": "",
    "pkg/__pycache__/c.py": "",
    "LLM-CONTEXT/glintefy/review/e.py": "",
    "lib/site-packages/f.py": "",
    ".tox/py311/g.py": "",
    ".nox/h.py": "",
    ".git/hooks/i.py": "",
    "proj.egg-info/j.py": "",
    "README.txt": None,
}


def check_layout(s, what, got, layout):
    for rel, module in layout.items():
        if module is None:
            continue
        if module == "":
            s.check(rel not in got, "%s: %s skipped" % (what, rel), "listed as %r" % (got.get(rel),))
        else:
            s.check(got.get(rel, (None,))[0] == module, "%s: %s is module %s" % (what, rel, module),
                    "got %r" % (got.get(rel),))


def test_discovery_walk(s, binary):
    with TempRepo() as repo:
        for rel in LAYOUT:
            write(repo, rel, "x = 1\n")
        write(repo, "bad.py", "def f(:\n    pass\n")
        os.symlink("/", os.path.join(repo, "rootlink"))  # a symlinked directory is not followed
        r = glintefy(binary, ["debug", "sources", "--repo", repo, "--time"], cwd=ROOT)
        if r.crash():
            return s.fail("walk: debug sources", r.crash())
        got = sources(r)
        s.check(r.rc == 0, "walk: exit 0 with a syntax error", "exit %d" % r.rc)
        s.check(b"listed by: directory walk" in r.out, "walk: not a git repository", r.out[-300:])
        check_layout(s, "walk", got, LAYOUT)
        s.check(got.get("bad.py", (None, None))[1] == "syntax-error", "walk: bad.py is rejected", repr(got.get("bad.py")))
        s.check(got.get("top.py", (None, None))[1] == "ok", "walk: top.py parsed", repr(got.get("top.py")))
        err = r.err.decode()
        s.check(err.startswith("bad.py:1:7: ") and err.count("\n") == 1, "walk: syntax error as file:line:col",
                repr(err))
        s.check(not any(p.startswith("rootlink/") for p in got), "walk: symlinked directory not followed",
                "listed files under rootlink/")
        s.check(list(got) == sorted(got), "walk: sorted by path", "unsorted")


def test_discovery_git(s, binary):
    if not shutil.which("git"):
        s.notes.append("git missing: git discovery not tested")
        return
    with TempRepo() as repo:
        git(repo, "init", "-q")
        write(repo, ".gitignore", "ignored/\ngen_*.py\n")
        for rel in ("a.py", "pkg/__init__.py", "pkg/b.py", "gone.py", "ignored/c.py", "pkg/gen_d.py",
                    "LLM-CONTEXT/glintefy/review/e.py", "node_modules/f.py"):
            write(repo, rel, "x = 1\n")
        git(repo, "add", "a.py", "pkg", "gone.py", "node_modules/f.py", ".gitignore")
        git(repo, "commit", "-q", "-m", "init")
        os.remove(os.path.join(repo, "gone.py"))  # tracked but deleted
        write(repo, "untracked.py", "y = 2\n")
        write(repo, "tracked_venv/pyvenv.cfg", "")
        write(repo, "tracked_venv/lib/v.py", "")
        git(repo, "add", "tracked_venv")
        r = glintefy(binary, ["debug", "sources", "--time"], cwd=repo)
        if r.crash():
            return s.fail("git: debug sources", r.crash())
        got = sources(r)
        s.check(b"listed by: git ls-files" in r.out, "git: uses git ls-files", r.out[-300:])
        s.check(sorted(got) == ["a.py", "pkg/__init__.py", "pkg/b.py", "untracked.py"], "git: .gitignore, "
                "untracked, deleted, LLM-CONTEXT, node_modules, venv", "got %s" % sorted(got))
        s.check(got.get("pkg/b.py", ("",))[0] == "pkg.b", "git: module names", repr(got.get("pkg/b.py")))
        # a subdirectory of the work tree is a repository of its own for discovery
        r = glintefy(binary, ["debug", "sources", "--repo", "pkg"], cwd=repo)
        got = sources(r)
        s.check(sorted(got) == ["__init__.py", "b.py"], "git: --repo a subdirectory", "got %s" % sorted(got))


def test_globs(s, binary):
    with TempRepo() as repo:
        for rel in ("pkg/__init__.py", "pkg/core.py", "pkg/test_core.py", "pkg/gen/out.py", "tests/test_x.py",
                    "tools/t.py", "setup.py"):
            write(repo, rel, "")
        cases = [
            (["--include", "pkg/**"], ["pkg/__init__.py", "pkg/core.py", "pkg/gen/out.py", "pkg/test_core.py"]),
            (["--exclude", "test_*.py"], ["pkg/__init__.py", "pkg/core.py", "pkg/gen/out.py", "setup.py", "tools/t.py"]),
            (["--exclude", "tests", "--exclude", "pkg/gen"], ["pkg/__init__.py", "pkg/core.py", "pkg/test_core.py",
                                                            "setup.py", "tools/t.py"]),
            (["--include", "pkg", "--include", "setup.py", "--exclude", "**/gen/*.py"],
             ["pkg/__init__.py", "pkg/core.py", "pkg/test_core.py", "setup.py"]),
            (["--include", "*/[ct]*.py"], ["pkg/core.py", "pkg/test_core.py", "tests/test_x.py", "tools/t.py"]),
        ]
        for args, want in cases:
            r = glintefy(binary, ["debug", "sources", "--repo", repo] + args, cwd=ROOT)
            got = sorted(sources(r))
            s.check(got == want, "globs %s" % " ".join(args), "got %s" % got)
        # from pyproject.toml, and a flag replaces the file's list
        write(repo, "pyproject.toml", '[tool.glintefy.review.cache]\ninclude = ["tools/**"]\nexclude = []\n')
        got = sorted(sources(glintefy(binary, ["debug", "sources"], cwd=repo)))
        s.check(got == ["tools/t.py"], "globs from pyproject.toml", "got %s" % got)
        got = sorted(sources(glintefy(binary, ["debug", "sources", "--include", "setup.py"], cwd=repo)))
        s.check(got == ["setup.py"], "--include replaces pyproject's include", "got %s" % got)


def config_values(r):
    out = {}
    for line in r.out.decode().splitlines():
        key, _, rest = line.partition(" = ")
        value, _, origin = rest.rpartition("  (")
        out[key] = (value, origin.rstrip(")"))
    return out


def test_config(s, binary):
    with TempRepo() as repo:
        r = glintefy(binary, ["debug", "config"], cwd=repo)
        got = config_values(r)
        defaults = {"cache_size": "128", "hit_rate_threshold": "20", "remove_threshold": "10",
                    "size_adjustment_threshold": "50", "min_suggested_maxsize": "16", "speedup_threshold": "5",
                    "min_calls": "100", "min_cumtime": "0.1", "max_profile_age_hours": "24", "num_runs": "3",
                    "test_timeout": "300", "include": "", "exclude": ""}
        s.check(r.rc == 0 and {k: v[0] for k, v in got.items()} == defaults and
                all(v[1] == "default" for v in got.values()), "config: defaults", repr(r.out[:400]))

        write(repo, "pyproject.toml", "[project]\nname = 'x'\n\n[tool.glintefy.review.cache]\n"
              "cache_size = 64\nmin_calls = 5\nnum_runs = 4\nspeedup_threshold = 7.5\nmystery = 1\n")
        r = glintefy(binary, ["debug", "config", "--num-runs", "6"], cwd=repo,
                     extra_env={"GLINTEFY_REVIEW_CACHE_MIN_CALLS": "7", "GLINTEFY_REVIEW_CACHE_NUM_RUNS": "5",
                                "GLINTEFY_REVIEW_CACHE_EXCLUDE": "a/**, b.py"})
        got = config_values(r)
        want = {"cache_size": ("64", "pyproject.toml:5"), "min_calls": ("7", "GLINTEFY_REVIEW_CACHE_MIN_CALLS"),
                "num_runs": ("6", "--num-runs"), "speedup_threshold": ("7.5", "pyproject.toml:8"),
                "hit_rate_threshold": ("20", "default"), "exclude": ("a/**,b.py", "GLINTEFY_REVIEW_CACHE_EXCLUDE")}
        for k, v in want.items():
            s.check(got.get(k) == v, "config precedence: %s" % k, "got %r, want %r" % (got.get(k), v))
        s.check(r.rc == 0 and b"pyproject.toml:9:11: warning: unknown key 'mystery'" in r.err,
                "config: unknown key warns with its line", repr(r.err))
        # --repo names the file with the directory
        r = glintefy(binary, ["review", "--repo", repo, "--cache-size", "1", "clean", "--dry-run"], cwd=ROOT)
        s.check(r.rc == 0, "config flags before a review subcommand", "exit %d %r" % (r.rc, r.err))

    errors = [
        # (pyproject text, env, args, exit, stderr)
        ("[tool.glintefy.review.cache]\ncache_size = 12\nhit_rate_threshold = [1,\n",
         {}, [], 1, "pyproject.toml:3:22: malformed TOML: unterminated array\n"),
        ("[tool.glintefy.review.cache]\ncache_size = 'big'\n", {}, [], 1,
         "pyproject.toml:2:14: cache_size: expected an integer, got string\n"),
        ("[tool.glintefy.review.cache]\nnum_runs = 2.5\n", {}, [], 1,
         "pyproject.toml:2:12: num_runs: expected an integer, got float\n"),
        ("[tool.glintefy.review.cache]\nhit_rate_threshold = 150\n", {}, [], 1,
         "pyproject.toml:2:22: hit_rate_threshold: 150 is out of range (0 to 100)\n"),
        ("[tool.glintefy.review.cache]\ninclude = 'src'\n", {}, [], 1,
         "pyproject.toml:2:11: include: expected an array of strings, got string\n"),
        ("[tool]\nx = 1\n[tool]\n", {}, [], 1, "pyproject.toml:3:1: malformed TOML: table 'tool' is already defined (line 1)\n"),
        ("a = \"unterminated\n", {}, [], 1, "pyproject.toml:1:18: malformed TOML: newline in a single-line string\n"),
        ("", {"GLINTEFY_REVIEW_CACHE_CACHE_SIZE": "lots"}, [], 1,
         "environment GLINTEFY_REVIEW_CACHE_CACHE_SIZE: cache_size: 'lots' is not an integer\n"),
        ("", {"GLINTEFY_REVIEW_CACHE_MIN_CUMTIME": "-1"}, [], 1,
         "environment GLINTEFY_REVIEW_CACHE_MIN_CUMTIME: min_cumtime: -1 is out of range (at least 0)\n"),
        ("", {}, ["--speedup", "fast"], 2, "--speedup: 'fast' is not a number (try 'glintefy help debug config')\n"),
        ("", {}, ["--num-runs"], 2, "--num-runs needs a value (try 'glintefy help debug config')\n"),
        # integers are quoted exactly, not rounded by %g ("9.22337e+18 is out of range")
        ("[tool.glintefy.review.cache]\nnum_runs = 9223372036854775807\n", {}, [], 1,
         "pyproject.toml:2:12: num_runs: 9223372036854775807 is out of range (1 to 1000)\n"),
        ("", {}, ["--cache-size", "99999999999999999999"], 2,
         "--cache-size: 99999999999999999999 is out of range (at least 1) (try 'glintefy help debug config')\n"),
        ("[tool.glintefy.review.cache]\nmin_cumtime = -0.1\n", {}, [], 1,
         "pyproject.toml:2:15: min_cumtime: -0.1 is out of range (at least 0)\n"),
        # what tomllib (pip, build) rejects: a byte order mark, bytes that are not UTF-8
        ("\ufeff[tool.glintefy.review.cache]\n", {}, [], 1,
         "pyproject.toml:1:1: malformed TOML: a byte order mark (BOM) is not allowed; save the file as UTF-8 without one\n"),
        (b"[tool]\nname = 'caf\xe9'\n", {}, [], 1, "pyproject.toml:2:12: malformed TOML: invalid UTF-8 (byte 0xE9)\n"),
        (b"# \xed\xa0\x80 a surrogate\n", {}, [], 1, "pyproject.toml:1:3: malformed TOML: invalid UTF-8 (byte 0xED)\n"),
    ]
    for text, env, args, code, err in errors:
        with TempRepo() as repo:
            if text:
                write(repo, "pyproject.toml", text)
            r = glintefy(binary, ["debug", "config"] + args, cwd=repo, extra_env=env)
            what = "config error: %s" % err.strip()[:60]
            if r.crash():
                s.fail(what, r.crash())
                continue
            s.check(r.rc == code and r.err.decode() == "glintefy: " + err and not r.out, what,
                    "exit %d, stderr %r" % (r.rc, r.err.decode()))


OUT = "LLM-CONTEXT/glintefy/review"


def make_output(repo):
    write(repo, OUT + "/perf/test_profile.prof", "p")
    write(repo, OUT + "/perf/other.prof", "p")
    write(repo, OUT + "/perf/cache_stats.json", "{}")
    write(repo, OUT + "/cache/cache_analysis.json", "{}")
    write(repo, OUT + "/cache/deep/x.json", "{}")


def tree(repo):
    out = []
    for d, dirs, files in os.walk(repo):
        for f in dirs + files:
            out.append(os.path.relpath(os.path.join(d, f), repo))
    return sorted(out)


def test_clean(s, binary):
    with TempRepo() as repo:
        r = glintefy(binary, ["review", "clean"], cwd=repo)
        s.check(r.rc == 0 and b"nothing to delete" in r.out, "clean: nothing there", "exit %d %r" % (r.rc, r.out))
        make_output(repo)
        before = tree(repo)
        r = glintefy(binary, ["review", "clean", "--dry-run"], cwd=repo)
        lines = r.out.decode().splitlines()
        s.check(r.rc == 0 and tree(repo) == before, "clean --dry-run deletes nothing", "exit %d" % r.rc)
        s.check("would delete %s/perf/test_profile.prof" % OUT in lines and "would delete %s" % OUT in lines
                and lines[-1].startswith("clean: would delete 5 files and 4 directories"),
                "clean --dry-run lists everything", repr(lines))
        r = glintefy(binary, ["review", "clean", "-s", "profile"], cwd=repo)
        left = [p for p in tree(repo) if p.startswith(OUT + "/perf/")]
        s.check(r.rc == 0 and left == [OUT + "/perf/cache_stats.json"], "clean -s profile: only perf/*.prof",
                "left %s" % left)
        r = glintefy(binary, ["review", "--repo", repo, "clean", "-s", "cache"], cwd=ROOT)
        s.check(r.rc == 0 and not os.path.exists(os.path.join(repo, OUT, "cache")) and
                os.path.exists(os.path.join(repo, OUT, "perf")), "clean -s cache: only cache/", repr(r.out))
        r = glintefy(binary, ["review", "clean", "--scope=perf"], cwd=repo)
        s.check(r.rc == 0 and not os.path.exists(os.path.join(repo, OUT, "perf")), "clean --scope=perf", repr(r.out))
        make_output(repo)
        write(repo, "src/mine.py", "keep = 1\n")
        r = glintefy(binary, ["review", "clean"], cwd=repo)
        s.check(r.rc == 0 and tree(repo) == ["LLM-CONTEXT", "LLM-CONTEXT/glintefy", "src", "src/mine.py"],
                "clean: whole review output, nothing else", "left %s" % tree(repo))
        r = glintefy(binary, ["review", "clean", "-s", "everything"], cwd=repo)
        s.check(r.rc == 2 and b"unknown scope" in r.err, "clean: unknown scope is a usage error", repr(r.err))

    # symlinks that lead outside: removed as links, their targets survive
    with TempRepo() as base:
        repo, outside = os.path.join(base, "repo"), os.path.join(base, "outside")
        write(outside, "precious.txt", "keep me\n")
        write(outside, "sub/precious.prof", "keep me too\n")
        os.makedirs(os.path.join(repo, OUT, "perf"))
        os.makedirs(os.path.join(repo, OUT, "cache"))
        os.symlink(outside, os.path.join(repo, OUT, "cache", "dirlink"))
        os.symlink(os.path.join(outside, "precious.txt"), os.path.join(repo, OUT, "perf", "evil.prof"))
        os.symlink(os.path.join(outside, "sub"), os.path.join(repo, OUT, "perf", "subdir.prof"))
        r = glintefy(binary, ["review", "clean"], cwd=repo)
        s.check(r.rc == 0 and not os.path.lexists(os.path.join(repo, OUT)), "clean: symlinks deleted as links",
                "exit %d %r %r" % (r.rc, r.out, r.err))
        s.check(tree(outside) == ["precious.txt", "sub", "sub/precious.prof"], "clean: symlink targets outside survive",
                "outside now %s" % tree(outside))
        # the output root's parent is a symlink to outside: nothing is deleted through it
        shutil.rmtree(os.path.join(repo, "LLM-CONTEXT"))
        write(outside, "glintefy/review/perf/x.prof", "p")
        os.symlink(outside, os.path.join(repo, "LLM-CONTEXT"))
        for args in (["review", "clean"], ["review", "clean", "-s", "profile"]):
            r = glintefy(binary, args, cwd=repo)
            s.check(r.rc == 1 and b"is a symlink" in r.err and
                    os.path.exists(os.path.join(outside, "glintefy/review/perf/x.prof")),
                    "clean: %s refuses a symlinked LLM-CONTEXT" % " ".join(args[1:]), "exit %d %r" % (r.rc, r.err))


def test_help(s, binary):
    r = glintefy(binary, ["review", "--help"], cwd=ROOT)
    text = r.out.decode()
    s.check(r.rc == 0 and "clean [-s SCOPE] [--dry-run]" in text and "--cache-size N" in text and
            "--max-profile-age X" in text, "review --help lists subcommands and settings", text[:300])
    for args in (["help", "review", "clean"], ["review", "clean", "--help"]):
        r = glintefy(binary, args, cwd=ROOT)
        s.check(r.rc == 0 and b"profile  the profile data (perf/*.prof)" in r.out, " ".join(args), repr(r.out[:300]))
    for args in (["review"], ["review", "frobnicate"], ["review", "--bogus", "clean"], ["review", "clean", "extra"],
                 ["review", "--repo"], ["debug", "sources", "--jobs", "0"]):
        r = glintefy(binary, args, cwd=ROOT)
        s.check(r.rc == 2 and r.err.count(b"\n") == 1 and not r.out, "usage error: %s" % " ".join(args),
                "exit %d %r" % (r.rc, r.err))
    r = glintefy(binary, ["debug", "sources", "--repo", "/nonexistent/dir"], cwd=ROOT)
    s.check(r.rc == 1 and r.err == b"glintefy: /nonexistent/dir: No such file or directory\n",
            "debug sources: missing repo", repr(r.err))


TESTS = [test_discovery_walk, test_discovery_git, test_globs, test_config, test_clean, test_help]


def run_all(s, binary):
    for t in TESTS:
        try:
            t(s, binary)
        except Exception as e:  # a broken test is a failure, not a crash of the runner
            s.fail(t.__name__, "%s: %s" % (type(e).__name__, e))
