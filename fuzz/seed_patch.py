"""Fills DIR (default build/fuzz-corpus-patch) with a seed corpus for `make fuzz FUZZ_TARGET=patch`:
small modules with a function `f` in the shapes the editor handles (every import style, stacked
decorators, multi-line decorators, CRLF, tabs, a BOM), standard-library files that use
functools caches, and the saved regressions (tests/patch/fuzz-regressions). Files already in DIR
are kept."""
import glob
import os
import sys
import sysconfig

import seedlib  # noqa: E402  (beside this script)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SAMPLES = [
    b"import functools\n\n@functools.lru_cache(maxsize=4)\ndef f(x):\n    return x\n",
    b"from functools import lru_cache, wraps\n@lru_cache\ndef f(x):\n    return x\n",
    b"from functools import (\n    cache,\n)\n\n@cache\ndef f(x):\n    return x\n",
    b"import functools as ft\nclass A:\n    @staticmethod\n    @ft.lru_cache(maxsize=None, typed=True)\n    def f(x):\n        return x\n",
    b"class A:\n\t@classmethod\n\t@deco(1,\n\t      2)\n\tdef f(cls):\n\t\treturn 1\n",
    b"\xef\xbb\xbf@functools.cache\r\ndef f(x):\r\n    return x\r\nimport functools\r\n",
    b'"""doc"""\nfrom __future__ import annotations\nimport os\ndef f(x):\n    return x',
    b"import functools\n@functools.lru_cache(\n    maxsize=4,  # c\n)\nasync def f(x):\n    return x\n",
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz-corpus-patch")
    docs = list(SAMPLES)
    lib = sysconfig.get_paths()["stdlib"]
    for p in sorted(glob.glob(os.path.join(lib, "*.py")))[:400]:
        try:
            b = open(p, "rb").read()
        except OSError:
            continue
        if b"lru_cache" in b and len(b) < 60000:
            docs.append(b)
    seedlib.write(out, docs + seedlib.regressions("tests", "patch", "fuzz-regressions"), "patch")


if __name__ == "__main__":
    main()
