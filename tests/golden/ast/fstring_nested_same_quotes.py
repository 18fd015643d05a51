a = f"{f"{x}"}"
b = f"{d["key"]}"
c = f'{f'{f'{y}'}'}'
