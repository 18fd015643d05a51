"""A price table whose entries are slow to compute: the cache pays off in production, where the
same few products are priced again and again."""
import functools

from shop.limits import LABEL_SLOTS


@functools.lru_cache(maxsize=128)
def price(product):
    total = 0
    for i in range(3000):  # the slow part: a lookup the cache saves
        total += (i * product) % 7
    return total


def basket(products):
    return sum(price(p) for p in products)


def reload_price_list():
    """The code clears its own cache when the price list changes: that happens in production too."""
    price.cache_clear()


@functools.lru_cache(maxsize=32)
def tax_rate(region):
    """Never called by the tests: no trace evidence about it."""
    return {"eu": 0.2, "us": 0.07}.get(region, 0.0)


@functools.lru_cache(maxsize=LABEL_SLOTS)
def label(product):
    """Its maxsize is a constant of another module: only the running cache knows it."""
    return "P-%04d" % product
