x = f"""first {a}
second {b!r}
  third {c:>{w}}"""
