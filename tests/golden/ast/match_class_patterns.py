match x:
    case Point(x=0, y=yy):
        pass
    case Point(1, 2):
        pass
    case int():
        pass
    case a.B(c, d=e):
        pass
