async def f():
    async with a as b, c:
        pass
    async for x in y:
        pass
    await z
    async with (a as b, c as d):
        pass
