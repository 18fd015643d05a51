def f[T = int, *Ts = *tuple[int, str], **P = [int, str]](): pass
class C[T: int = bool, U = str]: pass
type A[T = int] = list[T]
