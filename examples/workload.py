"""The demo workload: a deterministic stream of orders through the shop package.
Run from this directory: python3 workload.py [ORDERS]"""
import random
import sys

from shop.catalog import Catalog
from shop.report import summarize

REGIONS = ["eu-west", "eu-north", "us-east", "us-west", "ap-south", "sa-east"]
TIERS = ["gold", "silver", "basic"]


def make_orders(n, seed=42):
    rng = random.Random(seed)
    orders = []
    for _ in range(n):
        sku = "sku%04d" % min(int(rng.paretovariate(1.2)) - 1, 999)
        orders.append((sku, rng.randint(1, 120), rng.choice(REGIONS), rng.choice(TIERS),
                       rng.randint(1, 12), rng.randint(1, 5)))
    return orders


def main(argv):
    n = int(argv[1]) if len(argv) > 1 else 10000
    catalog = Catalog(1000)
    total, distinct = summarize(catalog, make_orders(n))
    print("orders: %d  total: %.2f  distinct suggestions: %d" % (n, total, distinct))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
