break
continue
yield x
await y
nonlocal z
