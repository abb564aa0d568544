"""Pre-order pages read the database a fixed number of times, however many orders or lines."""

from clustermarket.accounts.tables import Role
from tests.conftest import make_user, sign_in
from tests.market.helpers import open_market
from tests.market.test_query_counts import count
from tests.orders.helpers import check_out, fill_basket, order_row


async def place(client, market, n: int) -> None:
    for _ in range(n):
        await fill_basket(client, market.day, {market.candle: 1, market.tote: 1})
        await check_out(client)


async def test_pre_order_pages_do_not_read_more_as_orders_grow(client) -> None:
    market = await open_market(candles=50, totes=50)
    await make_user("teacher", role=Role.teacher)
    await place(client, market, 1)
    token = (await order_row())["token"]
    await fill_basket(client, market.day, {market.candle: 1, market.tote: 1})
    public = [f"/market-days/{market.day}/pre-order", "/basket", f"/orders/{token}"]
    before = [await count(client, path) for path in public]
    await place(client, market, 5)
    await fill_basket(client, market.day, {market.candle: 1, market.tote: 1})
    assert [await count(client, path) for path in public] == before

    await sign_in(client, "ameliab")
    stall_before = await count(client, f"/stalls/{market.stall}")
    await place(client, market, 3)
    assert await count(client, f"/stalls/{market.stall}") == stall_before
    client.cookies.clear()
    await sign_in(client, "teacher")
    staff_before = await count(client, "/staff/orders")
    await place(client, market, 3)
    assert await count(client, "/staff/orders") == staff_before
