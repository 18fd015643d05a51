a[*b]
a[1, *b]
a[*b] = 1
a[*b, *c]
