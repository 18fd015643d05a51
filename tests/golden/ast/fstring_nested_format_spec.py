f"{x:{w}.{p}f}"
f"{x:{'>' if a else '<'}{w}}"
f"{x:{y:{z}}}"
