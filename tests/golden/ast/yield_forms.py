def g():
    yield
    yield 1
    yield from x
    x = yield a, b
    await_ = (yield)
