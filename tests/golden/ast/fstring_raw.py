rf"\d{x}\n"
fr"{a}\{{"
Rf"{b}"
fR"{c}"
