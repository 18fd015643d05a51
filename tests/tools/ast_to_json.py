"""Dump CPython's own AST in glintefy's `debug ast` JSON form (the reference for conformance).

Usage: python3 ast_to_json.py FILE...   -> one JSON document per line, or
       "ERROR <lineno>:<offset>: <msg>" when CPython rejects the file.
Runs unchanged on CPython 3.8+ (including Pyodide's 3.14), so every reference tree comes
from the same code. The form: every node is {"_type", fields in _fields order, attributes in
_attributes order}; int -> {"int": "..."}, float -> {"float": repr}, complex -> {"complex":
repr(imag)}, bytes -> {"bytes": hex}, Ellipsis -> {"ellipsis": true}.
"""
import ast
import json
import sys
import warnings


def conv(v):
    if isinstance(v, ast.AST):
        d = {"_type": type(v).__name__}
        for f in v._fields:
            d[f] = conv(getattr(v, f, None))
        for a in v._attributes:
            d[a] = conv(getattr(v, a, None))
        return d
    if isinstance(v, list):
        return [conv(x) for x in v]
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": repr(v)}
    if isinstance(v, complex):
        return {"complex": repr(v.imag)}
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if v is Ellipsis:
        return {"ellipsis": True}
    raise TypeError("unexpected value %r" % (v,))


def dump_source(data, filename="<unknown>"):
    """Returns the JSON text of the tree, or raises SyntaxError/ValueError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(data, filename)
    return json.dumps(conv(tree), ensure_ascii=True, separators=(",", ":"))


def main(argv):
    sys.setrecursionlimit(100000)
    for path in argv:
        with open(path, "rb") as fp:
            data = fp.read()
        try:
            print(dump_source(data, path))
        except (SyntaxError, ValueError) as e:
            line = getattr(e, "lineno", 0) or 0
            off = getattr(e, "offset", 0) or 0
            print("ERROR %s:%s: %s" % (line, off, getattr(e, "msg", str(e))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
