x = b"a" f"{y}"
