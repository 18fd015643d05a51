type X = int
type Y[T] = list[T]
type Z[K, V] = dict[K, V] | None
