f = lambda x, *a, k=1, **kw: x if a else kw
g = lambda: (yield)
