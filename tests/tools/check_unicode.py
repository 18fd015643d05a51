#!/usr/bin/env python3
"""Cross-checks unicode.c against this Python's unicodedata: identifier and printable classes of
every code point, NFKC of every code point and of random strings rich in combining marks and
jamo, and \\N{} lookups of every name, alias, algorithmic name and some near misses.
Usage: check_unicode.py DRIVER [RANDOM_STRINGS]. Exits 1 on any mismatch."""
import random
import subprocess
import sys
import unicodedata


def lookup(name):
    try:
        r = unicodedata.lookup(name)
    except KeyError:
        return -1
    return ord(r) if len(r) == 1 else -1  # named sequences are not allowed in \N{}


def main():
    driver = sys.argv[1]
    nrand = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    r = random.Random(1)
    lines, want = [], []
    for cp in range(0x110000):
        c = chr(cp)
        lines.append("X %x" % cp)
        want.append("%d %d %d" % (c.isidentifier(), ("a" + c).isidentifier(), c.isprintable()))
    marks = [cp for cp in range(0x110000) if unicodedata.combining(chr(cp))]
    decomp = [cp for cp in range(0x110000) if unicodedata.decomposition(chr(cp))]
    pool = marks + decomp + list(range(0x1100, 0x1200)) + list(range(0xAC00, 0xAC40)) + \
        [ord(x) for x in "aeiouAEIOU_xyz"] + list(range(0x300, 0x370))
    samples = [chr(cp) for cp in range(0x80, 0x110000) if not 0xD800 <= cp < 0xE000]
    for _ in range(nrand):
        samples.append("".join(chr(r.choice(pool)) for _ in range(r.randint(1, 8))))
    for s in samples:
        b = s.encode("utf-8")
        lines.append("K " + b.hex())
        n = unicodedata.normalize("NFKC", s).encode("utf-8")
        want.append(("=" + b.hex()) if n == b else n.hex())
    names = []
    for cp in range(0x110000):
        n = unicodedata.name(chr(cp), None)
        if n:
            names += [n, n.lower()]
    try:
        with open("/usr/share/unicode/NameAliases.txt", encoding="utf-8") as f:
            for line in f:
                line = line.split("#")[0].strip()
                if line:
                    names.append(line.split(";")[1])
    except OSError:
        pass
    names += ["CJK UNIFIED IDEOGRAPH-%05X" % cp for cp in range(0x3400, 0x3500)]
    names += ["CJK UNIFIED IDEOGRAPH-%x" % 0x4E00, "CJK UNIFIED IDEOGRAPH-2A6E0",
              "HANGUL SYLLABLE ", "HANGUL SYLLABLE GAX", "HANGUL SYLLABLE A", "", "X", "ZZZZ",
              "LATIN SMALL LETTER", "LATIN SMALL LETTER AA", "BOM", "bom", "NBSP", "LINE FEED (LF)"]
    names += [n[:-1] for n in names[:2000:7]] + [n + "X" for n in names[:2000:5]]
    for n in names:
        if "\n" in n:
            continue
        lines.append("N " + n)
        v = lookup(n)
        want.append("-1" if v < 0 else "%X" % v)
    out = subprocess.run([driver], input="\n".join(lines) + "\n", capture_output=True, text=True,
                         check=True).stdout.splitlines()
    bad = 0
    for inp, w, g in zip(lines, want, out):
        if w != g:
            bad += 1
            if bad <= 20:
                print("MISMATCH %r: python %r, C %r" % (inp, w, g))
    print("%d unicode checks, %d mismatches" % (len(lines), bad))
    return 1 if bad or len(out) != len(lines) else 0


if __name__ == "__main__":
    sys.exit(main())
