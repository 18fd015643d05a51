#!/usr/bin/env python3
"""Cross-checks lit_number/lit_decode against CPython: generates many random literals, runs them
through the C driver (tests/tools/lit_driver.c) and compares values and error messages with
ast.parse. Usage: check_literals.py DRIVER [COUNT] [SEED]. Exits 1 on any mismatch."""
import ast
import random
import struct
import subprocess
import sys
import warnings


def rand_digits(r, alphabet, k):
    s = "".join(r.choice(alphabet) for _ in range(k))
    if k > 1 and r.random() < 0.3:
        i = r.randrange(1, k)
        s = s[:i] + "_" + s[i:]
    return s


def rand_number(r):
    c = r.random()
    if c < 0.15:
        p = r.choice(["0x", "0X", "0o", "0b", "0x_"])
        al = {"0x": "0123456789abcdefABCDEF", "0o": "01234567", "0b": "01"}[p[:2].lower()]
        return p + rand_digits(r, al, r.randint(1, 60))
    if c < 0.3:
        return rand_digits(r, "0123456789", r.randint(1, 50))
    if c < 0.45:
        # a random double, printed in various ways
        d = struct.unpack("<d", r.getrandbits(64).to_bytes(8, "little"))[0]
        if d != d or d in (float("inf"), float("-inf")):
            d = 1.5
        d = abs(d)
        fmt = r.choice(["%.17g", "%.16e", "%.15g", "%r", "%.3e", "%.20f"])
        s = (fmt % d) if fmt != "%r" else repr(d)
        if "e" not in s and "." not in s:
            s += "."
        return s + ("j" if r.random() < 0.2 else "")
    if c < 0.5:
        # powers of two: the lopsided-interval cases of shortest repr
        e = r.randint(-1074, 1023)
        return repr(2.0 ** e) if e >= -1022 else "%.17e" % (2.0 ** e)
    ip = rand_digits(r, "0123456789", r.randint(0, 25))
    fp = rand_digits(r, "0123456789", r.randint(0, 25))
    s = ip + "." + fp if (ip or fp) else "0."
    if r.random() < 0.6:
        s += r.choice("eE") + r.choice(["", "+", "-"]) + rand_digits(r, "0123456789", r.randint(1, 3))
    if r.random() < 0.2:
        s += r.choice("jJ")
    return s


PIECES = ["\\n", "\\t", "\\\\", "\\'", '\\"', "\\a", "\\b", "\\f", "\\v", "\\r", "\\\n", "\\0",
          "\\7", "\\12", "\\377", "\\400", "\\777", "\\8", "\\x", "\\x4", "\\x41", "\\xfF", "\\xg1",
          "\\u", "\\u12", "\\u00e9", "\\ud800", "\\udc00", "\\uffff", "\\U0001F600", "\\U00110000",
          "\\UFFFFFFFF", "\\U0010ffff", "\\U123", "\\N", "\\N{", "\\N{LATIN SMALL LETTER A}",
          "\\N{latin small letter a}", "\\N{}", "\\N{NO SUCH NAME}", "\\N{LINE FEED}", "\\N{BOM}",
          "\\N{CJK UNIFIED IDEOGRAPH-4E00}", "\\N{HANGUL SYLLABLE GA}", "\\q", "\\é", "\\ ",
          "a", "b", "é", "€", "😀", " ", "{", "}", "x", "1"]


def rand_body(r):
    return "".join(r.choice(PIECES) for _ in range(r.randint(0, 8)))


def py_number(text):
    try:
        v = ast.parse(text, mode="eval").body.value
    except SyntaxError as e:
        return "ERR", e.msg
    if isinstance(v, int):
        return "OK", "int " + str(v)
    if isinstance(v, float):
        return "OK", "float " + repr(v)
    return "OK", "imag " + repr(v.imag)


def py_string(flags, body):
    prefix = ("r" if flags & 1 else "") + ("b" if flags & 2 else "")
    src = prefix + "'''" + body + "'''"
    if body.endswith("'") or body.endswith("\\"):
        return None
    try:
        v = ast.parse(src, mode="eval").body.value
    except SyntaxError as e:
        return "ERR", e.msg
    if isinstance(v, str):
        return "OK", v.encode("utf-8", "surrogatepass").hex()
    return "OK", v.hex()


def main():
    driver = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    r = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    warnings.simplefilter("ignore")
    cases, inputs = [], []
    for _ in range(count):
        if r.random() < 0.4:
            t = rand_number(r)
            want = py_number(t)
            inputs.append("N " + t)
        else:
            flags = r.choice([0, 0, 0, 1, 2, 3, 2])
            t = rand_body(r)
            if flags & 2:
                t = t.encode("ascii", "ignore").decode() if r.random() < 0.9 else t
            want = py_string(flags, t)
            if want is None:
                continue
            inputs.append("S %d %s" % (flags, t.encode("utf-8").hex()))
        cases.append((inputs[-1], t, want))
    out = subprocess.run([driver], input="\n".join(inputs) + "\n", capture_output=True,
                         text=True, check=True).stdout.splitlines()
    bad = 0
    for (inp, t, want), got in zip(cases, out):
        kind, _, rest = got.partition(" ")
        if kind == "ERR":
            rest = rest.partition(" ")[2]
        if (kind, rest) != want:
            bad += 1
            if bad <= 20:
                print("MISMATCH %r\n  python: %r\n  C:      %r" % (t, want, (kind, rest)))
    print("%d literals checked, %d mismatches" % (len(cases), bad))
    return 1 if bad or len(out) != len(cases) else 0


if __name__ == "__main__":
    sys.exit(main())
