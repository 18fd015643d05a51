"""glintefy: which Python functions to cache, with evidence.

The package is a thin front end to the `glintefy` binary (C): `python -m glintefy ...` runs it,
`glintefy.servers.review.ReviewMCPServer` and
`glintefy.subservers.review.cache_subserver.CacheSubServer` drive it from Python, and
`glintefy.runtime` has cache helpers for applications. See docs/python.md.

This module imports nothing itself (the `review profile` probe lives in this package and must
start fast in every interpreter); the names below are loaded on first use.
"""

__version__ = "0.1.0"

_LAZY = {
    "GlintefyError": "glintefy.errors",
    "BinaryNotFoundError": "glintefy.errors",
    "CommandFailedError": "glintefy.errors",
    "UnsupportedCommandError": "glintefy.errors",
    "find_binary": "glintefy._binary",
}

__all__ = ["__version__"] + sorted(_LAZY)


def __getattr__(name):  # PEP 562 (Python 3.7+)
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError("module 'glintefy' has no attribute %r" % (name,))
    import importlib
    return getattr(importlib.import_module(mod), name)
