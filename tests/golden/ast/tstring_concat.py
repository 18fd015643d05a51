a = t"x" t"{y}"
b = (t"one {a} "
     t"two {b}")
