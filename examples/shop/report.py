"""Totals for an order list, printing nothing: the numbers the workload checks."""
from .catalog import related_skus, slugify
from .pricing import price, shipping_cost


def order_total(catalog, order):
    sku, quantity, region, tier, zone, weight = order
    base = catalog.base_price(sku)
    return price(base, quantity, region, tier) + shipping_cost(zone, weight)


def summarize(catalog, orders):
    total = 0.0
    suggestions = {}
    for order in orders:
        total += order_total(catalog, order)
        rel = related_skus(order[0])
        rel.append(order[0])  # mutates the returned list
        suggestions[slugify("Item %s for %s" % (order[0], order[2]))] = rel
    return round(total, 2), len(suggestions)
