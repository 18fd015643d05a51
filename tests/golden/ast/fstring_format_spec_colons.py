f"{now:%H:%M:%S}"
f"{x:}"
f"{x!r:}"
