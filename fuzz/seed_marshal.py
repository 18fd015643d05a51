"""Fills DIR (default build/fuzz-corpus-marshal) with a seed corpus for `make fuzz
FUZZ_TARGET=marshal`: small real profiles from cProfile and profile, the same in marshal
versions 0-4, hand-made objects of every kind, and the saved regressions. Files already in DIR
(what the fuzzer found before) are kept."""
import cProfile
import marshal
import os
import profile
import sys

import seedlib  # noqa: E402  (beside this script)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def workload():
    return sorted(str(fib(i)) for i in range(12))


def stats_of(mod):
    p = mod.Profile()
    p.runcall(workload)
    p.create_stats()
    return p.stats


def main(dst):
    seeds = []
    for mod in (cProfile, profile):
        st = stats_of(mod)
        seeds += [marshal.dumps(st, v) for v in range(5)]
    seeds += [marshal.dumps(x, 4) for x in (
        None, True, 2 ** 70, -(2 ** 40), 1.5, 1j, "s\u00e9", b"b", (1,), [1], {1: 2}, {1}, frozenset({2}),
        Ellipsis, StopIteration, {("f", 1, "g"): (1, 1, 0.5, 0.5, {("f", 1, "g"): 3})})]
    seedlib.write(dst, seeds + seedlib.regressions("tests", "profile", "fuzz-regressions"), "marshal")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz-corpus-marshal"))
