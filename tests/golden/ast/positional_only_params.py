def f(a, b=1, /, c=2, *, d, e=3, **k): pass
def g(a, /): pass
lambda a, /, b: 0
lambda a=1, /, *, b: 0
