def f[T](x: T): pass
