"""pytest plugin (entry point `pytest11: glintefy`): `pytest --glintefy` profiles the test session
as `glintefy review profile -- python -m pytest ARGS` does, and marks what the tests did in the
argument-key traces so that `glintefy review cache` can tell a test suite's hit rates from
production's (docs/pytest.md).

How: the first pytest process (no probe in it) runs `glintefy review profile [--name S] --
PYTHON -m pytest ARGS` - the same arguments, `--glintefy` included - and exits with its status
(the tests' status: glintefy passes it through). In that second pytest, and in each pytest-xdist
worker, the probe is loaded (it is on PYTHONPATH) and this plugin only tells it where each test
starts and ends (B records) and which code belongs to the tests and fixtures, so that every
cache_clear() on a traced cache is recorded with who called it (X records).
"""
import os
import sys

import pytest

_ORIGINS = ("code", "test", "fixture", "unknown")


def pytest_addoption(parser):
    group = parser.getgroup("glintefy", "glintefy cache profiling")
    group.addoption("--glintefy", action="store_true", default=False,
                    help="profile this session with `glintefy review profile` (outputs under "
                         "LLM-CONTEXT/glintefy/review/perf/; next: glintefy review cache)")
    group.addoption("--glintefy-name", metavar="SCENARIO", default=None,
                    help="save the run as scenario SCENARIO (review profile --name)")


def _tracer():
    mod = sys.modules.get("glintefy_probe")
    probe = getattr(mod, "probe", None)
    return getattr(probe, "tracer", None), probe is not None


def _rerun_under_glintefy(config):
    """Runs this same pytest command under `glintefy review profile`; returns its exit status."""
    import subprocess
    from glintefy._binary import find_binary
    from glintefy.errors import BinaryNotFoundError
    try:
        binary = find_binary()
    except BinaryNotFoundError as err:
        sys.stderr.write("%s (pytest --glintefy: the tests were not run)\n" % err)
        return 4  # pytest's usage-error status
    args = list(config.invocation_params.args)
    cmd = [binary, "review", "profile"]
    if config.getoption("glintefy_name"):
        cmd += ["--name", config.getoption("glintefy_name")]
    cmd += ["--", sys.executable, "-m", "pytest"] + args
    # run where pytest was started, so that relative arguments keep their meaning
    try:
        return subprocess.call(cmd, cwd=str(config.invocation_params.dir))
    except KeyboardInterrupt:
        return 2  # pytest's "interrupted"
    except OSError as err:
        sys.stderr.write("glintefy: cannot run %s: %s\n" % (binary, err))
        return 4


@pytest.hookimpl(tryfirst=True)  # before any other main loop (xdist's looponfail, pytest's own)
def pytest_cmdline_main(config):
    if not config.getoption("glintefy"):
        return None
    _, probed = _tracer()
    if probed or os.environ.get("GLINTEFY_PROBE_DIR"):
        return None  # already under glintefy: run the tests here
    return _rerun_under_glintefy(config)


def pytest_configure(config):
    tr, _ = _tracer()
    if tr is not None:
        tr.plugin = True
        config.pluginmanager.register(_Marks(tr), "glintefy-marks")


def _real(path):
    s = str(path)
    return {s, os.path.realpath(s)}


class _Marks:
    """Tells the probe's tracer the test boundaries and who is who."""

    def __init__(self, tracer):
        self.tr = tracer

    def pytest_collection_modifyitems(self, items):
        files = self.tr.test_files
        for item in items:
            path = getattr(item, "path", None) or getattr(item, "fspath", None)
            if path is not None:
                files.update(_real(path))

    def _fixtures(self, item):
        info = getattr(item, "_fixtureinfo", None)
        defs = getattr(info, "name2fixturedefs", None) or {}
        codes = self.tr.fixture_codes
        for fixturedefs in defs.values():
            for fd in fixturedefs:
                fn = getattr(fd, "func", None)
                while fn is not None:
                    code = getattr(fn, "__code__", None)
                    if code is not None:
                        codes.add(code)
                    fn = getattr(fn, "__wrapped__", None)

    @pytest.hookimpl(hookwrapper=True)  # around the whole test, in the process that runs it
    def pytest_runtest_protocol(self, item, nextitem):
        self._fixtures(item)
        self.tr.boundary(0, item.nodeid)
        try:
            yield
        finally:
            self.tr.phase = None
            self.tr.boundary(1, item.nodeid)

    @pytest.hookimpl(tryfirst=True)  # before pytest's runner does the phase's work
    def pytest_runtest_setup(self, item):
        self.tr.phase = "setup"

    @pytest.hookimpl(tryfirst=True)  # before pytest's runner does the phase's work
    def pytest_runtest_call(self, item):
        self.tr.phase = "call"

    @pytest.hookimpl(tryfirst=True)  # before pytest's runner does the phase's work
    def pytest_runtest_teardown(self, item, nextitem):
        self.tr.phase = "teardown"
