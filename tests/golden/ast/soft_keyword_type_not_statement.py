type = 1
type.x = 2
type[x] = 3
print(type)
