f"{a!s} {a!r} {a!a}"
f"{a!r:^{w}}"
