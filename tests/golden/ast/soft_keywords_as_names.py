match = 1
case = 2
type = 3
_ = 4
print(match, case, type, _)
match(x)
match[x]
match.x = case.y
match - x
match * x
type(x)
type.__name__
