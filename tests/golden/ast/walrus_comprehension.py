[y for x in xs if (y := f(x))]
{(k := v) for v in vs}
[(total := total + x) for x in xs]
