from shop import prices


def test_clears_in_the_test_body():
    prices.price.cache_clear()  # recorded as made by the test
    assert prices.price(3) == prices.price(3)


def test_code_clears_its_cache():
    prices.reload_price_list()  # recorded as made by the code
    assert prices.price(4) >= 0


def test_labels(new_price_list):
    assert [prices.label(i % 10) for i in range(50)][-1] == "P-0009"
