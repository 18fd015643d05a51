"""Prices and shipping. Some functions here are pure and expensive (worth caching); one
already has a cache that is too small for the workload."""
import functools
import math


def tax_rate(region):
    """Pure and slowish: derives a rate from the region code every call."""
    total = 0
    for i, ch in enumerate(region * 200):
        total = (total * 31 + ord(ch) * (i + 1)) % 1_000_003
    return 0.05 + (total % 150) / 1000


def discount(quantity, tier):
    """Pure: a volume discount curve, computed the long way."""
    steps = [1 - 0.02 * k for k in range(1, 1 + min(quantity // 10, 20))]
    factor = math.prod(steps) if steps else 1.0
    return round(factor * {"gold": 0.9, "silver": 0.95}.get(tier, 1.0), 4)


@functools.lru_cache(maxsize=4)  # far too small: the workload uses about 60 (zone, weight) pairs
def shipping_cost(zone, weight_class):
    cost = 0.0
    for leg in range(1, 200):
        cost += math.sqrt(leg * zone) / (weight_class + leg)
    return round(cost, 2)


def price(base, quantity, region, tier):
    """Uses the helpers above; pure as a whole."""
    return round(base * quantity * discount(quantity, tier) * (1 + tax_rate(region)), 2)
