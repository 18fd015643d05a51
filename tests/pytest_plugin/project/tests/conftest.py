import pytest

from shop import prices


@pytest.fixture(autouse=True)
def fresh_prices():
    """Test isolation: each test starts with an empty price cache (what the guide warns about)."""
    prices.price.cache_clear()
    yield
