"""Buyers who sign in get "My orders"; a buyer without an account keeps the private receipt
link (issue 10, item 5)."""

from clustermarket.accounts.tables import Role, User
from clustermarket.orders.tables import BuyerAccount
from tests.conftest import make_client, make_user, sign_in
from tests.market.helpers import make_teacher, open_market
from tests.orders.helpers import check_out, fill_basket, token_in


async def test_a_signed_in_parent_finds_every_order_under_my_orders(client) -> None:
    market = await open_market(candles=10)
    jaya = await make_user(
        "jpatel", role=Role.community, school=None, first_name="Jaya", last_name="Patel"
    )
    await User.update({User.email: "jaya@example.org"}).where(User.id == jaya)
    await sign_in(client, "jpatel")
    assert 'href="/my/orders"' in (await client.get("/")).text

    await fill_basket(client, market.day, {market.candle: 2})
    basket = await client.get("/basket")
    assert 'value="Jaya Patel"' in basket.text and 'value="jaya@example.org"' in basket.text
    first = token_in((await check_out(client)).headers["location"])
    await fill_basket(client, market.day, {market.tote: 1})
    second = token_in((await check_out(client, "Jaya P", "jaya.p@example.org")).headers["location"])

    mine = await client.get("/my/orders")
    assert mine.status_code == 200
    assert mine.text.index(second) < mine.text.index(first)  # newest first
    assert "2 × Beeswax candle" in mine.text and "1 × Printed tote bag" in mine.text
    assert "Reserved" in mine.text and "£9.00" in mine.text

    # Someone else's account, and a buyer with no account, see none of it.
    async with make_client() as other:
        await make_user("sam", role=Role.community, school=None)
        await sign_in(other, "sam")
        others = await other.get("/my/orders")
        assert "No orders yet" in others.text and first not in others.text
    # (the test client's one address would meet the per-address reservation cap: lifted here)
    async with make_client(reservations_per_buyer=10) as visitor:
        await fill_basket(visitor, market.day, {market.candle: 1})
        anonymous = token_in((await check_out(visitor)).headers["location"])
        assert (await visitor.get(f"/orders/{anonymous}")).status_code == 200
        mine_page = await visitor.get("/my/orders", follow_redirects=False)
        assert mine_page.status_code in (302, 303)  # sign in first
    assert await BuyerAccount.count() == 2


async def test_staff_have_no_buyer_orders(client) -> None:
    await make_teacher()
    await sign_in(client, "staylor")
    page = await client.get("/my/orders")
    assert page.status_code == 200 and "staff and pupil accounts have none" in page.text
    assert 'href="/my/orders"' not in (await client.get("/")).text
