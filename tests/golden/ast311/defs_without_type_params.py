def f(a, /, b): pass
async def g(): pass
class C(B): pass
