a = f""
b = f"text only"
c = f"{x}"
