class C[T](Base[T], metaclass=M):
    x: T
