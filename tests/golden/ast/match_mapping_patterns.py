match x:
    case {"k": v, **rest}:
        pass
    case {1: _, a.b: c, None: d}:
        pass
    case {}:
        pass
    case {**rest}:
        pass
