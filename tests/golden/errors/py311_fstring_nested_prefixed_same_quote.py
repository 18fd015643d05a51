x = f'{rb'a'}'
