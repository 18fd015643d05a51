x = f"é{café}ü{naïve!r:>{w}}"
