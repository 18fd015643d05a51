x = ("plain "
     f"{a} mid "
     "more "
     f"{b:>{c}}")
