x = t"{a}" "b"
