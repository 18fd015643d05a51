f(x := 1)
f(a, (b := 2))
while (n := next(it)):
    pass
if any((z := q) for q in r):
    pass
