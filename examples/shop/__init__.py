"""A toy shop: prices, shipping and a catalog, used as glintefy's demo project."""
