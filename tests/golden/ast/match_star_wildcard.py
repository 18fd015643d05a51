match x:
    case [a, *rest]:
        pass
    case [*_]:
        pass
    case (*_, last):
        pass
    case _:
        pass
