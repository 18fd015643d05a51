x: int = 1
(y): int
a.b: int
c[0]: list[int] = []
z: int
