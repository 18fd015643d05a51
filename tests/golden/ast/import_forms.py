import a
import a.b.c as d, e
from . import x
from ..a import (b as c,)
from x import *
from .... import y
