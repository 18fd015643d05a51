"""Fills DIR (default build/fuzz-corpus-toml) with a seed corpus for `make fuzz FUZZ_TARGET=toml`:
TOML documents covering the syntax (tables, arrays of tables, inline tables, dotted keys, every
string and number form, dates), pyproject.toml files found on this machine, and the saved
regressions (tests/review/fuzz-regressions). Files already in DIR are kept."""
import glob
import os
import sys

import seedlib  # noqa: E402  (beside this script)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SAMPLES = [
    b'[tool.glintefy.review.cache]\ncache_size = 256\nhit_rate_threshold = 25.5\ninclude = ["src/**/*.py"]\n',
    b'title = "TOML"\n[owner]\nname = "Tom"\ndob = 1979-05-27T07:32:00-08:00\n',
    b'a.b.c = 1\na.d = "x"\n"quoted key" = true\n\'literal\' = false\n',
    b'[[fruits]]\nname = "apple"\n[fruits.physical]\ncolor = "red"\n[[fruits.varieties]]\nname = "red delicious"\n',
    b'inline = { x = 1, y = { z = [1, 2, 3] } }\narr = [ [1, 2], ["a", "b"], ]\n',
    b's1 = "esc \\t \\n \\u00e9 \\U0001F600"\ns2 = \'C:\\path\'\ns3 = """\nmulti\\\n  line"""\ns4 = \'\'\'\nraw\nlines\'\'\'\n',
    b'i = +99\nj = -17\nk = 1_000\nh = 0xDEAD_BEEF\no = 0o755\nb = 0b1101\n',
    b'f = 3.1415\ng = -0.01\ne = 5e+22\nn = nan\np = +inf\nq = -inf\nr = 6.626e-34\n',
    b'ld = 1979-05-27\nlt = 07:32:00.999\nldt = 1979-05-27T07:32:00\nodt = 1979-05-27 07:32:00Z\n',
    b'# comment\n[a]  # trailing\n[a.b]\n[b]\nc = 1 # c\n',
    b'[project]\nname = "x"\ndependencies = [\n  "a>=1",  # why\n  "b",\n]\n',
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz-corpus-toml")
    docs = list(SAMPLES)
    for path in sorted(glob.glob("/usr/lib/python3/dist-packages/**/pyproject.toml", recursive=True))[:50]:
        with open(path, "rb") as fp:
            docs.append(fp.read()[:65536])
    seedlib.write(out, docs + seedlib.regressions("tests", "review", "fuzz-regressions"), "toml")


if __name__ == "__main__":
    main()
