match x:
    case [a, b]:
        pass
    case (a, b):
        pass
    case a, b:
        pass
    case []:
        pass
    case ():
        pass
    case [a]:
        pass
    case (a,):
        pass
