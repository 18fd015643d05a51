"""A catalog with a cached method and a function that returns a fresh mutable list."""
import functools


class Catalog:
    def __init__(self, size):
        self.items = {"sku%04d" % i: (i % 97) + 0.99 for i in range(size)}

    @functools.lru_cache(maxsize=None)  # keys on self: keeps every Catalog alive
    def base_price(self, sku):
        return self.items[sku]

    def search(self, prefix):
        return [sku for sku in self.items if sku.startswith(prefix)]


def related_skus(sku, count=5):
    """Returns a new list each call; callers append to it, so caching it would be unsafe."""
    n = int(sku[3:])
    return ["sku%04d" % ((n * 7 + k * 13) % 1000) for k in range(count)]


def slugify(title):
    """Pure string work, called with few distinct titles: a good cache candidate."""
    out = []
    for ch in title.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")
