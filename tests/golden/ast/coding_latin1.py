# -*- coding: latin-1 -*-
x = "café"
y = 1 # ÿ
