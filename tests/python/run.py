"""Runs tests/python/test_*.py with unittest under the interpreter that runs this file, and
prints one line per test for tests/check.py: "ok NAME", "FAIL NAME: why" or "skip NAME: why".
Usage: python3 tests/python/run.py [-v] [NAME-PREFIX...]"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import helpers  # noqa: E402,F401  (sets sys.path and GLINTEFY_BIN)


class LineResult(unittest.TestResult):
    def __init__(self, *a, **k):
        unittest.TestResult.__init__(self, *a, **k)
        self.ok_count = 0

    def _name(self, test):
        return test.id()

    def addSuccess(self, test):
        self.ok_count += 1
        print("ok %s" % self._name(test))
        sys.stdout.flush()

    def _bad(self, test, err):
        text = self._exc_info_to_string(err, test).rstrip()
        msg = str(err[1]).strip().splitlines()
        last = "%s: %s" % (err[0].__name__, msg[0] if msg else "")
        print("FAIL %s: %s" % (self._name(test), last))
        print("    " + text.replace("\n", "\n    "))
        sys.stdout.flush()

    def addFailure(self, test, err):
        unittest.TestResult.addFailure(self, test, err)
        self._bad(test, err)

    def addError(self, test, err):
        unittest.TestResult.addError(self, test, err)
        self._bad(test, err)

    def addSkip(self, test, reason):
        unittest.TestResult.addSkip(self, test, reason)
        print("skip %s: %s" % (self._name(test), reason))


def main():
    prefixes = [a for a in sys.argv[1:] if not a.startswith("-")]
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    if prefixes:
        flat = []

        def walk(s):
            for t in s:
                if isinstance(t, unittest.TestSuite):
                    walk(t)
                elif any(t.id().startswith(p) for p in prefixes):
                    flat.append(t)
        walk(suite)
        suite = unittest.TestSuite(flat)
    result = LineResult()
    suite.run(result)
    bad = len(result.failures) + len(result.errors)
    print("python %s: %d passed, %d failed, %d skipped" % (
        sys.version.split()[0], result.ok_count, bad, len(result.skipped)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
