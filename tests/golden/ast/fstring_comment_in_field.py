x = f"""{a  # first
  + b  # second
}"""
y = f"{a # note
}"
