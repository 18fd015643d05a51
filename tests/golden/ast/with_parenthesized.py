with (a as b, c as d):
    pass
with (a, b):
    pass
with (a as b, c as d,):
    pass
with (yield):
    pass
