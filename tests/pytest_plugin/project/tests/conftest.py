import pytest

from shop import prices


@pytest.fixture(autouse=True)
def fresh_prices():
    """Test isolation: each test starts with an empty price cache (what the guide warns about)."""
    prices.price.cache_clear()
    yield


@pytest.fixture
def new_price_list():
    """Calls the project's own reset: a clear made by the code, on behalf of a fixture."""
    prices.reload_price_list()
    yield
