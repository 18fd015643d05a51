"""Candidate functions of the call-heavy bench workload (bench/review_profile_bench.py): a
recursive pure helper, a function taking objects with a Python __hash__/__eq__, a method called
in a hot loop, and a small functools cache."""
import functools


def gcd(a, b):
    """Recursive and pure: about 8 calls per top-level call."""
    if b == 0:
        return a
    return gcd(b, a % b)


class Shape:
    """Hashed by value in Python code: every key built from a Shape runs __hash__."""

    def __init__(self, w, h):
        self.w, self.h = w, h

    def __hash__(self):
        return hash((self.w, self.h))

    def __eq__(self, other):
        return isinstance(other, Shape) and self.w == other.w and self.h == other.h


def area(shape):
    """Pure, takes a Shape."""
    s = 0
    for _ in range(2):
        s += shape.w * shape.h
    return s


class Vec:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def norm1(self):
        """A method in a hot loop (a cache on it would be C201: tracing it cannot change that)."""
        return abs(self.x) + abs(self.y)


@functools.lru_cache(maxsize=128)
def label(n):
    return "item-%d" % (n % 1000)
