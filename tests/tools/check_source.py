#!/usr/bin/env python3
"""Cross-checks source_decode against CPython's ast.parse(bytes): for a set of tricky inputs
(BOM, coding declarations, invalid UTF-8 in strings, names and comments) and random mutations,
the decoded text or the error message must be the same. Usage: check_source.py DRIVER [COUNT]."""
import ast
import os
import random
import subprocess
import sys
import tempfile
import warnings

FIXED = [
    b"x = 1\n\xff\n", b"\xff = 1\n", b"# comment\nx = '\xe9'\n", b"x=1\ny=2\nz='\xc3'\n",
    b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", b"\xef\xbb\xbf# coding: latin-1\nx=1\n",
    b"\xef\xbb\xbf# coding: utf-8\nx=1\n", b"# coding: foobar\nx=1\n",
    b"\n# coding: latin-1\nx='\xe9'\n", b"x=1\n# coding: latin-1\nx='\xe9'\n",
    b"#!/usr/bin/python\n# vim: set fileencoding=iso-8859-15 :\nx='\xa4'\n",
    b"# coding: utf8\nx='\xe9'\n", b"# coding: ascii\nx='\xe9'\n", b"# coding: ascii\nx='a'\n",
    b"  \n\n# coding: latin-1\nx=1\n", b"# coding=latin_1\nx='\xe9'\n", b"# coding: UTF-8-SIG\nx=1\n",
    b"\xef\xbb\xbfx='\xff'\n", b"x = '\xed\xa0\x80'\n", b"# coding: euc-jp\nx='\xa4\xa2'\n",
    b"\x0c# coding: latin-1\nx='\xe9'\n", b"#coding:latin-1\r\nx='\xe9'\r\n", b"\xc3\xa9\n\xe9",
    b"# \xe9\n# coding: latin-1\n", b"# coding: latin-1 \xff\nx=1\n", b"'''\n\xff'''\n",
    b"#  coding: cp1252\nx='\x80'\n", b"# coding: uTf-8\nx=1\n", b"x=1 # \xff\n", b"x=1\n#\xe9\xe9\n",
    b"x = 'ab\xe9cd'\n", b"x = 'ab\xc3'\n", b"abc\xffd = 1\n", b"x = 1 \xff\n", b"x = f'{a}\xff'\n",
    b"x = b'\xff'\n", b"x = '\xf0\x9f\x98'\n", b"x = '\xe0\x80\x80'\n", b"x = '''a\n\n  \xff'''\n",
    b"# coding: utf-8\n# \xff\n", b"\xef\xbb\xbf# \xff\n", b"#!x\r# coding: latin-1\rx='\xe9'\r",
    b"# coding:\n# coding: latin-1\nx='\xe9'\n", b"# coding: latin-1", b"x=1 # coding: latin-1\n",
    b"# codingg: latin-1\n#coding: latin-1\nx='\xe9'", b"# coding: latin-1\n# coding: ascii\nx='\xe9'\n",
    b"# coding: iso_8859_1\nx='\xe9'\n", b"# coding: latin-1-foo\nx='\xe9'\n", b"# coding: latin\nx='\xe9'\n",
    b"# coding: l1\nx='\xe9'\n", b"# coding: 8859\nx='\xe9'\n", b"# coding: rot13\n", b"# coding: hex\n",
    b"# coding: mac-roman\nx='\x80'\n", b"# coding: koi8-r\nx='\xf0'\n", b"#coding:utf-8\xff\n",
    b"\xef\xbb\xbf\n# coding: latin-1\n", b"\xef\xbb", b"\xef\xbb\xbf", b"", b"x = 'a\\n\xe9\xe9'\n",
    b"x = r'a\\n\xe9'\n", b"x = '\xc3\xa9\\t\xff\xc3\xa9'\n", b"x = 'ok' # \xff\n'\xff'\n",
    b"# coding: cp932\nx='\x82\xa0'\n", b"# coding: shift_jis\nx='\x82\xa0'\n", b"# coding: gbk\nx='\xc4\xe3'\n",
    b"# coding: big5\nx='\xa4\xa4'\n", b"# coding: iso-8859-5\nx='\xb0'\n", b"# coding: latin-1\n\x00",
]


def python_result(data):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except SyntaxError as e:
        return "ERR", e.msg
    except ValueError as e:
        return "ERR", str(e)
    return "OK", None


def expected_text(data):
    """The UTF-8 text CPython parses, when the input decodes cleanly (None otherwise)."""
    import io
    import tokenize
    try:
        enc, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(enc).encode("utf-8")
    except Exception:
        return None


def main():
    driver = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    r = random.Random(1)
    cases = list(FIXED)
    # Mutations put one bad byte into otherwise valid UTF-8 sources: with several, CPython reports
    # whichever its tokenizer or parser meets first, an order source_decode does not model.
    valid = [c for c in FIXED if expected_text(c) == c and python_result(c)[0] == "OK"]
    for _ in range(count):
        base = bytearray(r.choice(valid))
        for _ in range(r.randint(0, 2)):
            base[r.randint(0, len(base)):0] = r.choice([b"\xc3\xa9", b"#", b"'", b"\n", b"'''"])
        base[r.randint(0, len(base)):0] = r.choice([b"\xff", b"\xc3", b"\xe9", b"\x80", b"\xed\xa0\x80"])
        cases.append(bytes(base))
    bad = order = 0
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i, c in enumerate(cases):
            p = os.path.join(d, "%d.py" % i)
            with open(p, "wb") as f:
                f.write(c)
            paths.append(p)
        out = subprocess.run([driver] + paths, capture_output=True, text=True, check=True).stdout.splitlines()
    for c, got in zip(cases, out):
        kind, _, rest = got.partition(" ")
        want_kind, want_msg = python_result(c)
        if kind == "OK":
            text = bytes.fromhex(rest)
            want_text = expected_text(c)
            if want_text is not None and text != want_text:
                bad += 1
                print("MISMATCH %r\n  python text: %r\n  C text:      %r" % (c, want_text, text))
                continue
            if want_kind == "OK" or not want_msg.startswith(("(unicode error)", "encoding problem",
                                                             "unknown encoding", "'")):
                continue  # the lexer/parser judges the rest
            bad += 1
            print("MISMATCH %r\n  python: %r\n  C:      accepted" % (c, want_msg))
        else:
            msg = rest.partition(" ")[2]
            if want_kind == "ERR" and msg == want_msg:
                continue
            if want_kind == "ERR" and not want_msg.startswith(("(unicode error)", "bytes can only")):
                order += 1  # CPython met a syntax error before the bad byte
                continue
            bad += 1
            print("MISMATCH %r\n  python: %r\n  C:      %r" % (c, want_msg, msg))
    print("%d sources checked, %d mismatches (%d where CPython reports an earlier syntax error "
          "instead)" % (len(cases), bad, order))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
