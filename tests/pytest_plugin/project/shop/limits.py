LABEL_SLOTS = 1000  # a maxsize the source of prices.py does not spell out
