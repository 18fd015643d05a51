async def f():
    [x async for x in y]
    {x: y async for x, y in z if await x}
    (x async for x in y)
    [await x for x in y]
