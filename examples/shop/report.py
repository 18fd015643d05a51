"""Totals for an order list, printing nothing: the numbers the workload checks. Two traps for
the cache review: a cache that never hits, and a function that depends on the clock."""
import functools
import time

from .catalog import related_skus, slugify
from .pricing import price, shipping_cost


@functools.lru_cache(maxsize=256)  # every order is different: this cache only costs
def order_key(order):
    return "%s/%d/%s/%s" % order[:4]


def in_business_hours():
    """Depends on the clock: pure-looking, but a cache would freeze the answer."""
    return 9 <= time.localtime().tm_hour < 17


def order_total(catalog, order):
    sku, quantity, region, tier, zone, weight = order
    base = catalog.base_price(sku)
    return price(base, quantity, region, tier) + shipping_cost(zone, weight)


def summarize(catalog, orders):
    total = 0.0
    suggestions = {}
    keys = set()
    for order in orders:
        keys.add(order_key(order))
        if in_business_hours():
            keys.add("open")
        total += order_total(catalog, order)
        rel = related_skus(order[0])
        rel.append(order[0])  # mutates the returned list
        suggestions[slugify("Item %s for %s" % (order[0], order[2]))] = rel
    return round(total, 2), len(suggestions)
