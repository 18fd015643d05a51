x = f"""line one {a}
line two {b!r}
  {c:>{w}}"""
