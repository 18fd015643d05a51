match x:
    case 1:
        pass
    case -1:
        pass
    case 1 + 2j:
        pass
    case -1 - 2j:
        pass
    case "s" "t":
        pass
    case b"b":
        pass
    case a.b.c:
        pass
