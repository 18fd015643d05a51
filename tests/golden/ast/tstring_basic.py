t"hello {name}"
t"{x!r:>10}"
t"{x=}"
t""
