"""When pre-orders are taken: the admin sets the window and a cap per market day, the shop
says so by itself, and the receipt says when and where to collect (issue 10, item 3)."""

import asyncio
import datetime as dt

from icalendar import Calendar

from clustermarket.accounts.tables import Role
from clustermarket.orders import windows
from clustermarket.orders.tables import Order, PreOrderWindow
from clustermarket.timeutil import UK, now, today_uk
from tests.conftest import make_user, post_form, sign_in
from tests.market.helpers import left_of, open_market
from tests.orders.helpers import check_out, fill_basket, token_in


def local(at: dt.datetime) -> str:
    return at.astimezone(UK).strftime("%Y-%m-%dT%H:%M")


async def set_window(client, day: int, opens: str = "", closes: str = "", cap: str = ""):
    return await post_form(
        client,
        f"/admin/market-days/{day}/pre-orders",
        {"opens_at": opens, "closes_at": closes, "max_orders": cap},
    )


async def test_the_admin_sets_when_pre_orders_open_and_close(client) -> None:
    market = await open_market(candles=5)
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    page = await client.get(f"/admin/market-days/{market.day}")
    assert f'href="/admin/market-days/{market.day}/pre-orders"' in page.text

    # Mistakes are named, and what was typed stays.
    bad = await set_window(client, market.day, "2026-12-04T18:00", "2026-12-01T18:00", "ten")
    assert bad.status_code == 400
    assert "Pre-orders must open before they close." in bad.text
    assert "a whole number from 1 to 10000" in bad.text
    assert 'value="2026-12-04T18:00"' in bad.text and 'value="ten"' in bad.text
    assert await PreOrderWindow.count() == 0

    # Not open yet: the shop says when, and takes nothing.
    opens = now() + dt.timedelta(days=1)
    saved = await set_window(client, market.day, local(opens), "", "")
    assert saved.status_code == 200 and "Saved." in saved.text
    shop = await client.get(f"/market-days/{market.day}/pre-order")
    expected = opens.astimezone(UK).strftime("%A %-d %B at %H:%M")
    assert f"Pre-orders open on {expected}." in shop.text
    assert 'class="shop-grid"' not in shop.text
    product = await client.get(f"/products/{market.candle}")
    assert f"Pre-orders open on {expected}." in product.text
    assert "Add to my basket" not in product.text
    refused = await fill_basket(client, market.day, {market.candle: 1})
    assert refused.status_code == 409 and "Pre-orders open on" in refused.text

    # Closed (Friday 18:00 has passed): said, and refused.
    closes = now() - dt.timedelta(minutes=1)
    await set_window(client, market.day, local(closes - dt.timedelta(days=3)), local(closes))
    shop = await client.get(f"/market-days/{market.day}/pre-order")
    assert "Pre-orders closed on" in shop.text and 'class="shop-grid"' not in shop.text

    # Open: the shop sells again.
    await set_window(client, market.day, local(now() - dt.timedelta(hours=1)), "", "")
    assert 'class="shop-grid"' in (await client.get(f"/market-days/{market.day}/pre-order")).text
    assert (await fill_basket(client, market.day, {market.candle: 1})).status_code == 303


async def test_a_basket_filled_before_closing_cannot_be_ordered_after(client) -> None:
    market = await open_market(candles=5)
    await fill_basket(client, market.day, {market.candle: 2})
    await PreOrderWindow.insert(
        PreOrderWindow(market_day=market.day, closes_at=now() - dt.timedelta(seconds=1))
    )
    late = await check_out(client)
    assert late.status_code == 409 and "Pre-orders closed on" in late.text
    assert await Order.count() == 0 and await left_of(market.stall, market.candle) == 5


async def test_the_cap_says_pre_orders_are_full_by_itself(client) -> None:
    market = await open_market(candles=10)
    await PreOrderWindow.insert(PreOrderWindow(market_day=market.day, max_orders=2))

    # A checkout that fails (no stock) gives its place back.
    await fill_basket(client, market.day, {market.candle: 3})
    from clustermarket.market.tables import StallStock

    await StallStock.update({StallStock.left: 1}).where(StallStock.product == market.candle)
    assert (await check_out(client)).status_code == 409
    await StallStock.update({StallStock.left: 10}).where(StallStock.product == market.candle)
    assert (await windows.window_of(market.day))["orders_taken"] == 0

    for _ in range(2):
        await fill_basket(client, market.day, {market.candle: 1})
        assert (await check_out(client)).status_code == 303
    shop = await client.get(f"/market-days/{market.day}/pre-order")
    assert "Pre-orders are full for this market" in shop.text
    assert 'class="shop-grid"' not in shop.text
    refused = await fill_basket(client, market.day, {market.candle: 1})
    assert refused.status_code == 409 and "Pre-orders are full" in refused.text
    assert await Order.count() == 2


async def test_the_cap_holds_when_buyers_check_out_at_the_same_moment() -> None:
    """Ten checkouts at once against a cap of three: exactly three get a place."""
    market = await open_market(candles=10)
    await PreOrderWindow.insert(PreOrderWindow(market_day=market.day, max_orders=3))

    async def one() -> bool:
        try:
            await windows.take_place(market.day)
        except windows.PreOrdersShut:
            return False
        return True

    results = await asyncio.gather(*[one() for _ in range(10)])
    assert results.count(True) == 3
    assert (await windows.window_of(market.day))["orders_taken"] == 3


async def test_the_receipt_says_when_and_where_to_collect_with_a_calendar_file(client) -> None:
    market = await open_market(candles=5)
    await fill_basket(client, market.day, {market.candle: 2})
    token = token_in((await check_out(client)).headers["location"])
    receipt = await client.get(f"/orders/{token}")
    assert "When and where to collect" in receipt.text
    assert "09:00 to 13:00</strong>, Aylsham Market Place: at the stall of Aylsham Makers" in (
        receipt.text
    )
    assert f'href="/orders/{token}/calendar.ics"' in receipt.text

    ics = await client.get(f"/orders/{token}/calendar.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "attachment" in ics.headers["content-disposition"]
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    starts = event.decoded("dtstart")
    assert starts.astimezone(UK).time() == dt.time(9) and starts.astimezone(UK).date() == today_uk()
    assert event.decoded("dtend").astimezone(UK).time() == dt.time(13)
    assert str(event["location"]) == "Aylsham Market Place"
    assert "2 × Beeswax candle" in str(event["description"])
    assert token in str(event["description"])
    assert (await client.get("/orders/not-a-token/calendar.ics")).status_code == 404
