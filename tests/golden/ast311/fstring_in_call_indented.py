def f():
    return g(f"{a}", x=f"{b}{c!s}")
