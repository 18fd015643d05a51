x = t"{a}"
