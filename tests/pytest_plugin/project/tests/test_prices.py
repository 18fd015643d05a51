import os

import pytest

from shop import prices

PRODUCTS = list(range(20))


@pytest.mark.parametrize("k", range(30))
def test_basket(k):
    assert prices.basket(PRODUCTS) > 0  # each product once per test


def test_fails_when_asked():
    assert os.environ.get("SHOP_FAIL") != "1", "SHOP_FAIL=1: this test fails on purpose"
