"""The shop: a parent finds a product, fills the basket with − / + or typed numbers, and the
order placed is always exactly what the page showed (issue 10, items 1 and 2)."""

from clustermarket.market.tables import StallStock
from clustermarket.orders.tables import Order
from tests.conftest import post_form
from tests.market.helpers import open_market
from tests.orders.helpers import check_out, lines_of, order_row

HTMX = {"HX-Request": "true"}


async def step(client, day: int, product: int, delta: str, **extra: str):
    return await post_form(
        client,
        "/basket",
        {"day_id": str(day), "step": f"{product}:{delta}", **extra},
        follow_redirects=False,
    )


async def test_the_home_page_and_the_product_page_lead_to_the_shop(client) -> None:
    market = await open_market(candles=3, totes=5)
    home = await client.get("/")
    assert f'href="/market-days/{market.day}/pre-order"' in home.text

    product = await client.get(f"/products/{market.candle}")
    assert "Pre-order for" in product.text and "— 3 left" in product.text
    added = await post_form(
        client,
        "/basket",
        {"day_id": str(market.day), "add": "1", f"qty_{market.candle}": "2"},
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == "/basket"
    again = await post_form(
        client, "/basket", {"day_id": str(market.day), "add": "1", f"qty_{market.candle}": "1"}
    )
    assert "Total for 3 items: <strong>£13.50</strong>" in again.text  # "Add" adds up
    too_many = await post_form(
        client, "/basket", {"day_id": str(market.day), "add": "1", f"qty_{market.candle}": "1"}
    )
    assert too_many.status_code == 400
    assert "Beeswax candle: only 3 left to pre-order. Your basket keeps 3." in too_many.text


async def test_the_shop_is_a_grid_of_cards_with_steps_that_work_without_javascript(
    client,
) -> None:
    market = await open_market(candles=3, totes=4)
    await StallStock.update({StallStock.left: 0}).where(StallStock.product == market.tote)
    shop = await client.get(f"/market-days/{market.day}/pre-order")
    assert shop.status_code == 200
    assert "<table" not in shop.text and 'class="shop-grid"' in shop.text
    assert "Only 3 left" in shop.text and "Sold out" in shop.text
    assert "Your basket is empty" in shop.text

    # No JavaScript: "+" posts the form and comes back to the same card.
    more = await step(client, market.day, market.candle, "1")
    assert more.status_code == 303
    assert (
        more.headers["location"] == f"/market-days/{market.day}/pre-order#product-{market.candle}"
    )
    await step(client, market.day, market.candle, "1")
    shop = await client.get(f"/market-days/{market.day}/pre-order")
    assert "2 items</strong> · <strong>£9.00" in shop.text
    assert f'name="qty_{market.candle}" value="2"' in shop.text

    # With htmx: only the grid and the bar come back, updated.
    fragment = await post_form(
        client,
        "/basket",
        {"day_id": str(market.day), "step": f"{market.candle}:-1"},
        headers=HTMX,
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "1 item</strong> · <strong>£4.50" in fragment.text

    # "+" beyond what is left is refused by its card; the basket keeps 3 at most.
    for _ in range(3):
        last = await step(client, market.day, market.candle, "1")
    assert last.status_code == 400 and "Beeswax candle: only 3 left to pre-order." in last.text
    assert "3 items</strong> · <strong>£13.50" in last.text

    checkout = await post_form(
        client, "/basket", {"day_id": str(market.day), "go": "basket"}, headers=HTMX
    )
    assert checkout.headers["hx-redirect"] == "/basket"


async def test_bad_quantities_get_a_message_by_their_field_and_are_never_ordered(
    client,
) -> None:
    """99, −3 and 1.5: each is refused next to its field, the basket keeps what it had, and
    the order placed matches the total the page showed."""
    market = await open_market(candles=30, totes=5)
    await step(client, market.day, market.candle, "1")
    await step(client, market.day, market.candle, "1")
    for typed, says in [
        ("99", "Beeswax candle: only 30 left to pre-order. Your basket keeps 2."),
        ("25", "Beeswax candle: at most 20 per order. Your basket keeps 2."),
        ("-3", "Beeswax candle: choose from 0 to 20. Your basket keeps 2."),
        ("1.5", "Beeswax candle: type a whole number, like 2. Your basket keeps 2."),
        ("٣", "Beeswax candle: type a whole number, like 2. Your basket keeps 2."),
        ("6", "Printed tote bag: only 5 left to pre-order."),
    ]:
        field = f"qty_{market.tote}" if typed == "6" else f"qty_{market.candle}"
        refused = await post_form(
            client,
            "/basket",
            {"day_id": str(market.day), "update": "1", field: typed},
            headers=HTMX,
        )
        assert refused.status_code == 400, typed
        assert says in refused.text, typed
        assert f'name="{field}" value="{typed}" ' in refused.text  # what was typed stays
        assert 'aria-invalid="true"' in refused.text
        assert "2 items</strong> · <strong>£9.00" in refused.text  # the bar: the real basket

    # On the basket page the same, with or without htmx.
    basket = await post_form(
        client,
        "/basket",
        {"day_id": str(market.day), "from": "basket", f"qty_{market.candle}": "1.5"},
    )
    assert basket.status_code == 400 and "type a whole number" in basket.text
    assert "Total for 2 items: <strong>£9.00</strong>" in basket.text

    # A number typed but never applied, sent with "Reserve": nothing is ordered yet, the page
    # shows the new total first.
    changed = await post_form(
        client,
        "/basket/checkout",
        {"name": "Jaya Patel", "email": "jaya@example.org", f"qty_{market.candle}": "3"},
    )
    assert changed.status_code == 409 and "Your basket changed" in changed.text
    assert "Total for 3 items: <strong>£13.50</strong>" in changed.text
    assert await Order.count() == 0
    bad = await post_form(
        client,
        "/basket/checkout",
        {"name": "Jaya Patel", "email": "jaya@example.org", f"qty_{market.candle}": "-3"},
    )
    assert bad.status_code == 409 and "choose from 0 to 20" in bad.text
    assert await Order.count() == 0

    placed = await check_out(client)
    assert placed.status_code == 303
    order = await order_row()
    assert order["total_pence"] == 1350
    assert [(x["product"], x["quantity"]) for x in await lines_of(order["id"])] == [
        (market.candle, 3)
    ]
