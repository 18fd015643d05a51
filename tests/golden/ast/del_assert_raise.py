del a, b[0], c.d
assert x, "msg"
raise E from None
raise
