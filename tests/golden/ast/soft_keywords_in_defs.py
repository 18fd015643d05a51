def match(case, type=1, *_, **match_): pass
class type: pass
import match as case
from type import match, case as _
lambda match, case: type
