f"{x}{x}"
f"{x} {x!r} {x:>3}"
f"{a.b}{a}"
