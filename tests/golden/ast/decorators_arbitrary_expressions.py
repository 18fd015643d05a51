@x[0].y(1)(2)
@(lambda f: f)
@a if b else c
@x := y
def f(): pass

@dec
class C: pass
