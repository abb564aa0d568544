"""Many phones tap at once on the last few units: exactly that many are sold, never more."""

import asyncio
from collections import Counter

from clustermarket.accounts.services import load_session_user
from clustermarket.accounts.tables import User
from clustermarket.market.sales import SoldOut, record_sale
from clustermarket.market.tables import Sale
from tests.conftest import csrf_token, make_client, sign_in
from tests.market.helpers import left_of, new_sale_id, open_market


async def test_concurrent_taps_through_the_app_sell_exactly_the_last_units() -> None:
    market = await open_market(candles=4, members=("ameliab", "oliverg", "isla"))
    phones = [make_client() for _ in range(3)]
    for phone, name in zip(phones, ("ameliab", "oliverg", "isla"), strict=True):
        await phone.__aenter__()
        await sign_in(phone, name)

    async def tap(phone):
        return await phone.post(
            f"/stalls/{market.stall}/sales",
            data={
                "sale_id": new_sale_id(),
                "product_id": str(market.candle),
                "quantity": "1",
                "method": "cash",
                "_csrf_token": csrf_token(phone),
            },
            headers={"HX-Request": "true"},
        )

    try:
        answers = await asyncio.gather(*[tap(phones[i % 3]) for i in range(24)])
    finally:
        for phone in phones:
            await phone.__aexit__(None, None, None)
    assert Counter(a.status_code for a in answers) == {200: 4, 409: 20}
    assert await Sale.count() == 4
    assert await left_of(market.stall, market.candle) == 0


async def test_concurrent_service_calls_never_oversell() -> None:
    market = await open_market(candles=5)
    user_id = (await User.select(User.id).where(User.username == "ameliab").first())["id"]
    user = await load_session_user(user_id, 0)

    async def tap():
        try:
            return await record_sale(user, market.stall, market.candle, 1, "card", new_sale_id())
        except SoldOut:
            return None

    results = await asyncio.gather(*[tap() for _ in range(40)])
    assert sum(r is not None for r in results) == 5
    assert await Sale.count() == 5
    assert await left_of(market.stall, market.candle) == 0


async def test_the_same_tap_arriving_many_times_at_once_is_one_sale() -> None:
    market = await open_market(candles=10)
    user_id = (await User.select(User.id).where(User.username == "ameliab").first())["id"]
    user = await load_session_user(user_id, 0)
    sale_id = new_sale_id()
    results = await asyncio.gather(
        *[record_sale(user, market.stall, market.candle, 1, "cash", sale_id) for _ in range(15)]
    )
    assert {r.sale["client_id"] for r in results} == {sale_id}
    assert {r.message for r in results} == {"Sold 1 × Beeswax candle for £4.50 (cash)."}
    assert await Sale.count() == 1
    assert await left_of(market.stall, market.candle) == 9
