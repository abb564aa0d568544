"""The co-op member price: the admin sets a member discount for a market day; a signed-in
member sees the member price before paying; the server computes it; the receipt and the
reports show it (issue 10, item 4)."""

from clustermarket.accounts.tables import Role
from clustermarket.market.tables import Sale
from clustermarket.orders.members import member_unit_price
from clustermarket.orders.tables import MemberPrice, PreOrderWindow
from tests.conftest import make_client, make_user, post_form, sign_in
from tests.market.helpers import make_teacher, open_market
from tests.orders.helpers import check_out, fill_basket, lines_of, order_row, token_in


def test_the_member_price_rounds_the_discount_to_the_nearest_penny() -> None:
    assert member_unit_price(450, 10) == 405
    assert member_unit_price(455, 10) == 409  # 45.5p off: the half goes to the buyer
    assert member_unit_price(1, 50) == 0 and member_unit_price(600, 0) == 600


async def test_a_signed_in_member_pays_the_member_price_and_the_reports_show_it(client) -> None:
    market = await open_market(candles=10, totes=5)
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    bad = await post_form(
        client, f"/admin/market-days/{market.day}/pre-orders", {"member_discount": "80"}
    )
    assert bad.status_code == 400 and "a whole percent from 1 to 50" in bad.text
    saved = await post_form(
        client, f"/admin/market-days/{market.day}/pre-orders", {"member_discount": "10%"}
    )
    assert saved.status_code == 200 and 'value="10"' in saved.text

    # Signed out: the full price, and no discount is given.
    async with make_client() as visitor:
        await fill_basket(visitor, market.day, {market.candle: 2})
        assert "Co-op member price" not in (await visitor.get("/basket")).text
        full = token_in((await check_out(visitor)).headers["location"])
        assert (await order_row())["total_pence"] == 900
        assert "member" not in (await visitor.get(f"/orders/{full}")).text.lower()

    # A signed-in member sees the member price before paying, and pays it.
    async with make_client() as parent:
        await make_user("jpatel", role=Role.community, school=None)
        await sign_in(parent, "jpatel")
        await fill_basket(parent, market.day, {market.candle: 2, market.tote: 1})
        basket = await parent.get("/basket")
        assert "Co-op member price for 3 items: <strong>£13.50</strong>" in basket.text
        assert "10% member discount: you save £1.50 on the full price of £15.00." in basket.text
        # The form cannot set the price or the discount: the server computes both.
        token = token_in((await check_out(parent)).headers["location"])
        order = await order_row()
        assert order["total_pence"] == 1350
        prices = {x["product"]: x["unit_price_pence"] for x in await lines_of(order["id"])}
        assert prices == {market.candle: 405, market.tote: 540}
        receipt = await parent.get(f"/orders/{token}")
        assert "Co-op member price: 10% off the full price of £15.00, a saving of £1.50." in (
            receipt.text
        )
        assert "£13.50" in receipt.text

    # Collected at the stall: the takings are what was paid.
    await sign_in(client, "ameliab")
    await post_form(
        client, f"/stalls/{market.stall}/pre-orders/{order['id']}/collect", {"method": "cash"}
    )
    paid = await Sale.select(Sale.amount_pence).where(Sale.stall == market.stall)
    assert sum(x["amount_pence"] for x in paid) == 1350

    await make_teacher()
    await sign_in(client, "staylor")
    report = await client.get("/reports?report=member-prices")
    assert report.status_code == 200
    for cell in ("Aylsham Makers", "£15.00", "£1.50", "£13.50"):
        assert cell in report.text
    csv = await client.get("/reports/member-prices/csv")
    assert "15.00,1.50,13.50" in csv.text
    assert await MemberPrice.count() == 2 and await PreOrderWindow.count() == 1


async def test_the_member_price_is_written_with_the_order_in_one_transaction() -> None:
    """The order is never stored at the full price first (a crash between two transactions
    would have left a member paying full price), and a refused order leaves no discount row."""
    from clustermarket.orders import reservations
    from clustermarket.orders.errors import OutOfStock
    from clustermarket.settings import get_settings

    market = await open_market(candles=3, totes=5)
    basket = {"day": market.day, "items": {str(market.candle): 2, str(market.tote): 1}}
    order = await reservations.place(
        get_settings(), basket, "Jo Patel", "jo@example.org", "10.0.0.1", member_percent=10
    )
    assert order["total_pence"] == 1350  # as first read back: already the member price
    full = {x["line"]: x["full_unit_price_pence"] for x in await MemberPrice.select()}
    assert sorted(full.values()) == [450, 600]

    too_many = {"day": market.day, "items": {str(market.candle): 2}}
    try:
        await reservations.place(
            get_settings(), too_many, "Ann", "ann@example.org", "10.0.0.2", member_percent=10
        )
    except OutOfStock:
        pass
    else:
        raise AssertionError("only 1 candle was left")
    assert await MemberPrice.count() == 2
