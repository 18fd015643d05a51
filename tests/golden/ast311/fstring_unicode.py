x = f"é{café}ü{b}"
