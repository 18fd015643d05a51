f"{"a" "b"}"
f"{'x' if c else "y"}"
f"{d['k']:{"w"}}"
