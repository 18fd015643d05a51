match x:
    case (1 | 2) as y:
        pass
    case [a] | (a,):
        pass
    case 1 | 2 | 3:
        pass
    case [_ as z]:
        pass
