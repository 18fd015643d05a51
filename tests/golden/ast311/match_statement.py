match x:
    case {"k": v, **r} | [1, *_] if v:
        pass
    case P(a, b=c) as d:
        pass
