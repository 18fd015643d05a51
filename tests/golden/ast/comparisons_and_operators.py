a < b <= c != d is not e not in f
x = -a ** -b @ c // d % e << f >> g & h ^ i | j
not a and b or c
