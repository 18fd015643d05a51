x = "a" f"{b}" "c"
y = ("one "
     f"{two} "
     "three")
z = f"" ""
