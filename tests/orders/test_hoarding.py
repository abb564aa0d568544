"""One buyer cannot empty a market (issue 16, item 2): the audit's hoarder tries each way and
is stopped, and the stall can still sell what is kept back for it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from clustermarket.accounts.services import load_session_user
from clustermarket.accounts.tables import User
from clustermarket.jobs.tables import Job, JobStatus
from clustermarket.market.sales import SoldOut, record_sale
from clustermarket.market.tables import Sale, StallStock
from clustermarket.moderation.tables import ModerationLog
from clustermarket.orders import reservations
from clustermarket.orders.errors import OutOfStock
from clustermarket.orders.reservations import LimitReached
from clustermarket.orders.services import place_order
from clustermarket.orders.tables import Order, OrderStatus
from clustermarket.settings import get_settings
from clustermarket.timeutil import now
from tests.conftest import make_client, post_form, sign_in
from tests.market.helpers import (
    left_of,
    make_product,
    make_stall,
    make_teacher,
    make_team,
    new_sale_id,
    open_market,
)
from tests.orders.helpers import check_out, fill_basket, order_row, run_jobs, token_in
from tests.orders.smtp_sink import SmtpSink

NO_CAPS = {"reservations_per_buyer": 1000, "reserved_units_per_product": 1000}


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    yield server
    server.stop()


async def stock_row(stall: int, product: int) -> dict:
    return (
        await StallStock.select()
        .where((StallStock.stall == stall) & (StallStock.product == product))
        .first()
    )


async def pupil(username: str = "ameliab"):
    user_id = (await User.select(User.id).where(User.username == username).first())["id"]
    return await load_session_user(user_id, 0)


def basket(market, quantity: int, product: int | None = None) -> dict:
    return {"day": market.day, "items": {str(product or market.candle): quantity}}


# ------------------------------------------------------------------ the allowance


async def test_the_team_sets_the_allowance_and_the_stall_sells_what_is_kept_back(client) -> None:
    market = await open_market(candles=10, pre_orders={"candle": None})
    await sign_in(client, "ameliab")
    form = await client.get(f"/stalls/{market.stall}/stock")
    assert "of which may be pre-ordered (blank: half, that is 5)" in form.text
    saved = await post_form(
        client,
        f"/stalls/{market.stall}/stock",
        {f"qty_{market.candle}": "10", f"pre_{market.candle}": "3", f"qty_{market.tote}": "5"},
        follow_redirects=False,
    )
    assert saved.status_code == 302
    row = await stock_row(market.stall, market.candle)
    assert (row["preorder_allowance"], row["left"], row["preordered"]) == (3, 10, 0)
    too_high = await post_form(
        client,
        f"/stalls/{market.stall}/stock",
        {f"qty_{market.candle}": "10", f"pre_{market.candle}": "11"},
    )
    assert too_high.status_code == 400 and "between 0 and the 10 the stall brings" in too_high.text
    assert 'value="11"' in too_high.text  # what was typed stays on the page

    async with make_client(**NO_CAPS) as hoarder:
        page = await hoarder.get(f"/market-days/{market.day}/pre-order")
        assert "3 left to pre-order" in page.text
        refused = await fill_basket(hoarder, market.day, {market.candle: 4})
        assert refused.status_code == 400 and "only 3 left to pre-order" in refused.text
        await fill_basket(hoarder, market.day, {market.candle: 3})
        assert (await check_out(hoarder, "Hoarder", "h1@example.org")).status_code == 303
        after = await hoarder.get(f"/market-days/{market.day}/pre-order")
        assert "None left to pre-order" in after.text
        more = await fill_basket(hoarder, market.day, {market.candle: 1})
        assert more.status_code == 400 and "no more can be pre-ordered" in more.text
    # The hoard is over: a last attempt at the service level is refused too.
    with pytest.raises(OutOfStock):
        await place_order(False, basket(market, 1), "Hoarder", "h2@example.org")
    row = await stock_row(market.stall, market.candle)
    assert (row["left"], row["preordered"]) == (7, 3)

    # The pupils sell all seven kept back at the stall, and not one more.
    seller = await pupil()
    for _ in range(7):
        await record_sale(seller, market.stall, market.candle, 1, "cash", new_sale_id())
    with pytest.raises(SoldOut):
        await record_sale(seller, market.stall, market.candle, 1, "cash", new_sale_id())
    assert await Sale.count() == 7 and await left_of(market.stall, market.candle) == 0

    # The allowance cannot drop below what was pre-ordered already.
    lower = await post_form(
        client,
        f"/stalls/{market.stall}/stock",
        {f"qty_{market.candle}": "10", f"pre_{market.candle}": "2"},
    )
    assert lower.status_code == 400 and "3 are pre-ordered already" in lower.text


async def test_by_default_half_of_what_is_brought_may_be_pre_ordered() -> None:
    market = await open_market(candles=9, pre_orders={"candle": None})
    assert await place_order(False, basket(market, 4), "A", "a@example.org")
    with pytest.raises(OutOfStock):
        await place_order(False, basket(market, 1), "B", "b@example.org")
    assert await left_of(market.stall, market.candle) == 5  # 9 // 2 = 4 pre-ordered


async def test_many_buyers_at_once_never_pass_the_allowance() -> None:
    market = await open_market(candles=20, pre_orders={"candle": 6})
    results = await asyncio.gather(
        *[
            place_order(False, basket(market, 1), f"Buyer {i}", f"b{i}@example.org")
            for i in range(15)
        ],
        return_exceptions=True,
    )
    assert sum(isinstance(r, dict) for r in results) == 6
    assert all(isinstance(r, OutOfStock) for r in results if not isinstance(r, dict))
    row = await stock_row(market.stall, market.candle)
    assert (row["left"], row["preordered"]) == (14, 6)


async def test_taps_and_pre_orders_at_once_share_the_stock_and_keep_the_stalls_part() -> None:
    market = await open_market(candles=10, pre_orders={"candle": 4})
    seller = await pupil()

    async def tap():
        try:
            return await record_sale(seller, market.stall, market.candle, 1, "cash", new_sale_id())
        except SoldOut:
            return None

    async def pre_order(i: int):
        try:
            return await place_order(False, basket(market, 1), f"B{i}", f"b{i}@example.org")
        except OutOfStock:
            return None

    results = await asyncio.gather(*[tap() for _ in range(20)], *[pre_order(i) for i in range(20)])
    sold = sum(r is not None for r in results[:20])
    row = await stock_row(market.stall, market.candle)
    assert row["left"] == 0 and sold + row["preordered"] == 10
    assert row["preordered"] <= 4 and sold >= 6 and await Sale.count() == sold


async def test_a_cancelled_reservation_gives_its_allowance_back(client) -> None:
    market = await open_market(candles=10, pre_orders={"candle": 2})
    order = await place_order(False, basket(market, 2), "A", "a@example.org")
    with pytest.raises(OutOfStock):
        await place_order(False, basket(market, 1), "B", "b@example.org")
    await post_form(client, f"/orders/{order['token']}/cancel", {})
    assert (await stock_row(market.stall, market.candle))["preordered"] == 0
    assert await place_order(False, basket(market, 2), "B", "b@example.org")


async def test_stripe_orders_keep_to_the_allowance_too(paying_client) -> None:
    market = await open_market(candles=10, pre_orders={"candle": 2})
    refused = await fill_basket(paying_client, market.day, {market.candle: 3})
    assert refused.status_code == 400 and "only 2 left to pre-order" in refused.text
    await fill_basket(paying_client, market.day, {market.candle: 2})
    paying = await check_out(paying_client, "Jaya Patel", "jaya@example.org")
    assert paying.status_code == 200 and "one step left" in paying.text
    order = await order_row()
    assert order["status"] == OrderStatus.pending_payment and order["online"]
    row = await stock_row(market.stall, market.candle)
    assert (row["left"], row["preordered"]) == (8, 2)


# ------------------------------------------------------------------ confirmation by e-mail


def confirm_link(message) -> str:
    found = re.search(r"/confirm-order/[\w-]+", message.get_payload(decode=True).decode())
    assert found, "no confirmation link in the e-mail"
    return found.group(0)


async def test_with_a_mail_server_a_reservation_holds_nothing_until_confirmed(sink) -> None:
    market = await open_market(candles=10)
    async with make_client(smtp_host="127.0.0.1", smtp_port=sink.port) as hoarder:
        for i in range(5):  # five unconfirmed reservations of four: nothing is held
            await fill_basket(hoarder, market.day, {market.candle: 4})
            done = await check_out(hoarder, "Hoarder", f"nobody{i}@example.org")
            assert done.status_code == 303
        receipt = await hoarder.get(done.headers["location"])
        assert "Awaiting confirmation." in receipt.text
    assert await left_of(market.stall, market.candle) == 10
    assert await Order.count().where(Order.status == OrderStatus.unconfirmed) == 5

    async with make_client(smtp_host="127.0.0.1", smtp_port=sink.port) as buyer:
        await fill_basket(buyer, market.day, {market.candle: 2})
        await check_out(buyer, "Jaya Patel", "jaya@example.org")
        order = await order_row()
        await run_jobs(buyer)  # the e-mail is sent by the job queued with the order
        ask = sink.messages[-1]
        assert ask["To"] == "jaya@example.org" and ask["Subject"].startswith("Please confirm")
        link = confirm_link(ask)
        opened = await buyer.get(link)  # opening shows the order and a button; holds nothing
        assert "Confirm my reservation" in opened.text
        assert await left_of(market.stall, market.candle) == 10
        confirmed = await post_form(buyer, link, {}, follow_redirects=False)
        assert confirmed.status_code == 303
        assert token_in(confirmed.headers["location"]) == order["token"]
        assert (await order_row(order["id"]))["status"] == OrderStatus.reserved
        assert await left_of(market.stall, market.candle) == 8
        await run_jobs(buyer)
        assert sink.messages[-1]["Subject"].endswith("is reserved")
        # Single use: the link does nothing a second time.
        assert (await buyer.get(link)).status_code == 404
        assert (await post_form(buyer, link, {})).status_code == 404
    assert await left_of(market.stall, market.candle) == 8


async def test_an_unconfirmed_reservation_lapses_after_two_hours(sink) -> None:
    import datetime as dt

    market = await open_market(candles=10)
    async with make_client(smtp_host="127.0.0.1", smtp_port=sink.port) as buyer:
        await fill_basket(buyer, market.day, {market.candle: 2})
        await check_out(buyer)
        await run_jobs(buyer)
        order = await order_row()
        assert order["confirm_expires_at"] - now() > dt.timedelta(minutes=119)
        await Order.update({Order.confirm_expires_at: now() - dt.timedelta(seconds=1)}).where(
            Order.id == order["id"]
        )
        link = confirm_link(sink.messages[-1])
        assert (await post_form(buyer, link, {})).status_code == 404
    lapsed = await order_row(order["id"])
    assert lapsed["status"] == OrderStatus.expired and lapsed["confirm_token"] is None
    assert await left_of(market.stall, market.candle) == 10


async def test_confirming_after_the_allowance_ran_out_reserves_nothing(sink) -> None:
    market = await open_market(candles=10, pre_orders={"candle": 3})
    async with make_client(smtp_host="127.0.0.1", smtp_port=sink.port) as buyer:
        await fill_basket(buyer, market.day, {market.candle: 2})
        await check_out(buyer, "Late Larry", "larry@example.org")
        await run_jobs(buyer)
        late = await order_row()
        await place_order(False, basket(market, 2), "Quick", "quick@example.org")
        answer = await post_form(buyer, confirm_link(sink.messages[-1]), {})
        assert answer.status_code == 409 and "ran out for pre-orders" in answer.text
    assert (await order_row(late["id"]))["status"] == OrderStatus.cancelled
    assert (await stock_row(market.stall, market.candle))["preordered"] == 2


async def test_a_buyer_cancels_an_unconfirmed_reservation_and_the_link_dies(sink) -> None:
    market = await open_market(candles=10)
    async with make_client(smtp_host="127.0.0.1", smtp_port=sink.port) as buyer:
        await fill_basket(buyer, market.day, {market.candle: 2})
        done = await check_out(buyer)
        await run_jobs(buyer)
        token = token_in(done.headers["location"])
        await sign_in(buyer, "ameliab")  # the stall has nothing to hand over yet
        assert "No pre-orders waiting." in (await buyer.get(f"/stalls/{market.stall}")).text
        cancelled = await post_form(buyer, f"/orders/{token}/cancel", {}, follow_redirects=False)
        assert cancelled.status_code == 303
        assert (await buyer.get(confirm_link(sink.messages[-1]))).status_code == 404
    assert (await order_row())["status"] == OrderStatus.cancelled
    assert await left_of(market.stall, market.candle) == 10


async def test_a_mail_server_that_is_down_delays_the_link_and_holds_nothing() -> None:
    market = await open_market(candles=10)
    async with make_client(smtp_host="127.0.0.1", smtp_port=1) as buyer:
        await fill_basket(buyer, market.day, {market.candle: 2})
        done = await check_out(buyer)  # answers at once: the e-mail is a job
        assert done.status_code == 303
        await run_jobs(buyer)  # the mail server refuses: the job waits to be tried again
        receipt = await buyer.get(done.headers["location"])
        assert "Awaiting confirmation." in receipt.text
    [job] = await Job.select().where(Job.kind == "orders.confirmation")
    assert job["status"] == JobStatus.waiting and job["attempts"] == 1 and job["last_error"]
    assert (await order_row())["status"] == OrderStatus.unconfirmed
    assert await left_of(market.stall, market.candle) == 10


# ------------------------------------------------------------------ caps without a mail server


async def test_one_address_gets_at_most_two_open_reservations(client) -> None:
    market = await open_market(candles=40)
    for i in range(2):
        await fill_basket(client, market.day, {market.candle: 1})
        assert (await check_out(client, "Hoarder", f"h{i}@example.org")).status_code == 303
    await fill_basket(client, market.day, {market.candle: 1})
    refused = await check_out(client, "Hoarder", "h3@example.org")
    assert refused.status_code == 409
    assert "already 2 open reservations from this internet address" in refused.text
    assert "Beeswax candle" in refused.text and 'value="h3@example.org"' in refused.text
    assert "Beeswax candle" in (await client.get("/basket")).text  # the basket is kept
    assert await Order.count() == 2 and await left_of(market.stall, market.candle) == 38


async def test_one_address_gets_at_most_four_of_a_product(client) -> None:
    market = await open_market(candles=40)
    await fill_basket(client, market.day, {market.candle: 3})
    assert (await check_out(client, "Hoarder", "h1@example.org")).status_code == 303
    await fill_basket(client, market.day, {market.candle: 2})
    refused = await check_out(client, "Hoarder", "h2@example.org")
    assert refused.status_code == 409
    assert "one buyer can reserve at most 4" in refused.text
    assert "3 are reserved from this internet address already" in refused.text
    await fill_basket(client, market.day, {market.candle: 1, market.tote: 2})
    assert (await check_out(client, "Hoarder", "h2@example.org")).status_code == 303
    assert await left_of(market.stall, market.candle) == 36


async def test_one_email_address_is_capped_from_any_address() -> None:
    market = await open_market(candles=40)
    settings = get_settings()
    email = "Hoarder+{}@Example.org"  # "+tags" and capitals do not make a new buyer
    await reservations.place(settings, basket(market, 3), "H", email.format(1), "10.0.0.1")
    with pytest.raises(LimitReached, match="3 are reserved from this e-mail address already"):
        await reservations.place(settings, basket(market, 2), "H", "hoarder@example.org", "x")
    await reservations.place(settings, basket(market, 1), "H", email.format(2), "10.0.0.2")
    with pytest.raises(LimitReached, match="2 open reservations from this e-mail address"):
        await reservations.place(settings, basket(market, 1), "H", email.format(9), "10.0.0.9")
    # A collected reservation is no longer open, but its units still count for the day.
    await Order.update({Order.status: OrderStatus.collected}).where(Order.id > 0)
    with pytest.raises(LimitReached, match="at most 4"):
        await reservations.place(settings, basket(market, 1), "H", email.format(5), "10.0.0.5")
    totes = basket(market, 2, market.tote)
    assert await reservations.place(settings, totes, "H", email.format(5), "10.0.0.5")


async def test_parallel_checkouts_cannot_slip_past_the_caps() -> None:
    market = await open_market(candles=40)
    settings = replace(get_settings(), reserved_units_per_product=40)
    results = await asyncio.gather(
        *[
            reservations.place(settings, basket(market, 1), "H", "h@example.org", f"10.0.0.{i}")
            for i in range(10)
        ],
        return_exceptions=True,
    )
    assert sum(isinstance(r, dict) for r in results) == 2
    assert all(isinstance(r, LimitReached) for r in results if not isinstance(r, dict))
    assert await left_of(market.stall, market.candle) == 38


async def test_the_caps_are_settings() -> None:
    from clustermarket.settings import SettingsError, load_settings

    env = {"SECRET_KEY": "x" * 40, "DATA_DIR": "/tmp/cm-caps"}
    defaults = load_settings(env)
    assert (defaults.reservations_per_buyer, defaults.reserved_units_per_product) == (2, 4)
    raised = load_settings(
        {**env, "RESERVATIONS_PER_BUYER": "3", "RESERVED_UNITS_PER_PRODUCT": "6"}
    )
    assert (raised.reservations_per_buyer, raised.reserved_units_per_product) == (3, 6)
    with pytest.raises(SettingsError, match="RESERVATIONS_PER_BUYER"):
        load_settings({**env, "RESERVATIONS_PER_BUYER": "0"})


# ------------------------------------------------------------------ a teacher releases


async def mixed_order(market) -> tuple[dict, int, int]:
    """A reservation of 3 candles (Aylsham High's stall) and 2 jars of Colby's stall."""
    colby = await make_team("colby-crafts", school="colby", members=("colbypupil",))
    jam = await make_product(colby, "Jam jar", 300, 100)
    colby_stall = await make_stall(market.day, colby, {jam: 6})
    items = {str(market.candle): 3, str(jam): 2}
    order = await place_order(False, {"day": market.day, "items": items}, "Hoarder", "h@x.org")
    return order, colby_stall, jam


async def test_a_teacher_releases_their_schools_part_of_a_reservation(client) -> None:
    market = await open_market(candles=10)
    order, colby_stall, jam = await mixed_order(market)
    await make_teacher()
    await sign_in(client, "staylor")
    page = await client.get("/staff/orders/")
    assert "Release the stock" in page.text
    released = await post_form(client, f"/staff/orders/{order['id']}/release", {})
    assert released.status_code == 200
    assert f"Order {order['id']}: 3 reserved item(s) are back on sale." in released.text
    assert await left_of(market.stall, market.candle) == 10  # back for the stall to sell
    assert await left_of(colby_stall, jam) == 4  # Colby's part is Colby's to decide
    assert (await order_row(order["id"]))["status"] == OrderStatus.reserved
    entry = (
        await ModerationLog.select().where(ModerationLog.action == "release_reservation").first()
    )
    assert entry["subject_id"] == order["id"] and entry["subject_type"] == "order"
    again = await post_form(client, f"/staff/orders/{order['id']}/release", {})
    assert again.status_code == 400 and "Nothing of this order from your school" in again.text

    receipt = await client.get(f"/orders/{order['token']}")
    assert "The school released 1 item of this order" in receipt.text
    assert "Beeswax candle (released by the school)" in receipt.text

    # Colby hands over its part; the released line is not handed over nor sold.
    await sign_in(client, "colbypupil")
    collected = await post_form(
        client,
        f"/stalls/{colby_stall}/pre-orders/{order['id']}/collect",
        {"method": "cash"},
        follow_redirects=False,
    )
    assert collected.status_code == 303
    assert (await order_row(order["id"]))["status"] == OrderStatus.collected
    assert await Sale.count() == 1 and await left_of(market.stall, market.candle) == 10


async def test_releasing_with_htmx_answers_the_orders_row(client) -> None:
    market = await open_market(candles=10)
    order = await place_order(False, basket(market, 4), "Hoarder", "h@example.org")
    await make_teacher()
    await sign_in(client, "staylor")
    await client.get("/staff/orders/")
    answer = await post_form(
        client, f"/staff/orders/{order['id']}/release", {}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200 and "<html" not in answer.text
    assert answer.text.strip().startswith(f'<tr id="order-{order["id"]}">')
    assert "cancelled" in answer.text and "4 reserved item(s) are back on sale" in answer.text
    assert await left_of(market.stall, market.candle) == 10
    assert (await stock_row(market.stall, market.candle))["preordered"] == 0
    receipt = await client.get(f"/orders/{order['token']}")
    assert "Cancelled." in receipt.text and "The school released 1 item" in receipt.text


async def test_only_a_teacher_of_the_stalls_school_releases(client) -> None:
    market = await open_market(candles=10)
    order = await place_order(False, basket(market, 2), "Hoarder", "h@example.org")
    await make_teacher("colbyteacher", school="colby")
    await sign_in(client, "colbyteacher")
    assert (await post_form(client, f"/staff/orders/{order['id']}/release", {})).status_code == 404
    await sign_in(client, "ameliab")
    assert (await post_form(client, f"/staff/orders/{order['id']}/release", {})).status_code in (
        403,
        404,
    )
    assert await left_of(market.stall, market.candle) == 8
    assert await ModerationLog.count().where(ModerationLog.action == "release_reservation") == 0


async def test_a_paid_order_is_refunded_not_released(paying_client, standin) -> None:
    market = await open_market(candles=10)
    await fill_basket(paying_client, market.day, {market.candle: 1})
    await check_out(paying_client)
    order = await order_row()
    await make_teacher()
    await sign_in(paying_client, "staylor")
    refused = await post_form(paying_client, f"/staff/orders/{order['id']}/release", {})
    assert refused.status_code == 400 and "Only a reservation" in refused.text
    assert await left_of(market.stall, market.candle) == 9
