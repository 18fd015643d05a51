"\x41\101\u00e9\U0001F600\N{BULLET}\n\t\\\'\""
b"\x00\xff\n"
"\q"
r"\q\n"
