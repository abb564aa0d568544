"""PostgreSQL: phones tapping the same product at once share a commit (market/tap_queue.py),
and each tap still has the outcome it would have had alone."""

import asyncio
from collections import Counter

import pytest

from clustermarket.accounts.services import load_session_user
from clustermarket.accounts.tables import User
from clustermarket.market import tap
from clustermarket.market.sales import SaleOutcome, SoldOut
from clustermarket.market.tables import Sale, Stall
from clustermarket.market.tickets import TicketOutcome, TicketRequest, line_id
from clustermarket.settings import get_settings
from tests.market.helpers import left_of, new_sale_id, open_market

pytestmark = pytest.mark.skipif(
    not get_settings().is_postgres, reason="SQLite keeps one transaction per tap"
)


async def _pupil():
    user_id = (await User.select(User.id).where(User.username == "ameliab").first())["id"]
    return await load_session_user(user_id, 0)


async def test_taps_at_once_share_commits_sell_exactly_the_stock_and_repeat_once() -> None:
    market = await open_market(candles=5)
    user = await _pupil()
    twice = new_sale_id()
    ids = [twice, twice, *[new_sale_id() for _ in range(10)]]
    results = await asyncio.gather(
        *[tap.tap(user, market.stall, market.candle, 1, "cash", sale_id) for sale_id in ids]
    )
    outcomes = [outcome for outcome, _, _ in results]
    sold = [o for o in outcomes if isinstance(o, SaleOutcome)]
    assert Counter(type(o) for o in outcomes) == {SaleOutcome: 6, SoldOut: 6}
    assert {o.sale["client_id"] for o in sold if o.repeated} == {twice}  # the same tap again
    assert len({o.sale["id"] for o in sold}) == 5
    assert await Sale.count() == 5
    assert await left_of(market.stall, market.candle) == 0
    stall = await Stall.select(Stall.taken_cash_pence).where(Stall.id == market.stall).first()
    assert stall["taken_cash_pence"] == 5 * 450  # the takings' triggers ran for each
    # Sales committed together carry the same transaction id (xmin): fewer commits than sales.
    commits = await Sale.raw("SELECT count(DISTINCT xmin::text) AS n FROM sale")
    assert commits[0]["n"] < 5
    # Each answer's panel counts the sales before it and its own, as one tap at a time would.
    fresh = [panel for o, _, panel in results if isinstance(o, SaleOutcome) and not o.repeated]
    assert sorted(panel["takings"]["sales"] for panel in fresh) == [1, 2, 3, 4, 5]


async def test_a_tap_the_database_refuses_fails_alone_and_the_others_are_recorded() -> None:
    market = await open_market(candles=10)
    user = await _pupil()
    too_long = "x" * 40  # longer than the column: PostgreSQL refuses the whole round trip
    ids = [new_sale_id() for _ in range(3)] + [too_long] + [new_sale_id() for _ in range(3)]
    results = await asyncio.gather(
        *[tap.tap(user, market.stall, market.candle, 1, "card", i) for i in ids],
        return_exceptions=True,
    )
    failed = [r for r in results if isinstance(r, BaseException)]
    assert len(failed) == 1 and results[3] is failed[0]
    assert all(isinstance(r[0], SaleOutcome) for r in results if r is not failed[0])
    assert await Sale.count() == 6  # each other tap exactly once
    assert await left_of(market.stall, market.candle) == 4
    # The same taps sent again (the phones retry) are answered as repeats, nothing sold twice.
    again = await asyncio.gather(
        *[tap.tap(user, market.stall, market.candle, 1, "card", i) for i in ids if i != too_long]
    )
    assert all(outcome.repeated for outcome, _, _ in again)
    assert await Sale.count() == 6


async def test_till_tickets_and_screen_taps_of_one_product_at_once_each_get_their_answer() -> None:
    """The till's ticket skips the last sales (the phone keeps only what is left and the
    takings); the stall screen's tap still gets them, even when both share a round trip."""
    market = await open_market(candles=10)
    user = await _pupil()
    tickets = [
        TicketRequest(ticket_id=new_sale_id(), method="cash", lines={market.candle: 1})
        for _ in range(3)
    ]
    results = await asyncio.gather(
        *[tap.ticket(user, market.stall, t) for t in tickets],
        *[tap.tap(user, market.stall, market.candle, 1, "card", new_sale_id()) for _ in range(3)],
    )
    till, screen = results[:3], results[3:]
    assert all(isinstance(outcome, TicketOutcome) for outcome, _ in till)
    for ticket, (_, panel) in zip(tickets, till, strict=True):  # its own line, none before
        assert [sale["client_id"] for sale in panel["recent"]] == [line_id(ticket.ticket_id, 0)]
    assert all(isinstance(outcome, SaleOutcome) for outcome, _, _ in screen)
    for _, _, panel in screen:  # every sale before it and its own
        assert len(panel["recent"]) == panel["takings"]["sales"]
    assert await Sale.count() == 6 and await left_of(market.stall, market.candle) == 4
    _, panel = await tap.screen(user, market.stall, recent=False)
    assert panel["recent"] == [] and panel["takings"]["sales"] == 6
    _, panel = await tap.screen(user, market.stall)
    assert len(panel["recent"]) == 6 and panel["takings"]["sales"] == 6


async def test_screen_taps_reading_their_product_alone_share_a_batch_with_tickets() -> None:
    """The htmx tap's statement (`whole=False`: the tapped product, no last sales) is the
    same SQL text as the till's ticket's, so taps of one product at once still go together."""
    market = await open_market(candles=10)
    user = await _pupil()
    tickets = [
        TicketRequest(ticket_id=new_sale_id(), method="cash", lines={market.candle: 1})
        for _ in range(3)
    ]
    slim = [
        tap.tap(user, market.stall, market.candle, 1, "card", new_sale_id(), whole=False)
        for _ in range(3)
    ]
    results = await asyncio.gather(*[tap.ticket(user, market.stall, t) for t in tickets], *slim)
    till, screen = results[:3], results[3:]
    assert all(isinstance(outcome, TicketOutcome) for outcome, _ in till)
    for _, panel in till:  # the till keeps every product's count
        assert [p["id"] for p in panel["products"]] == [market.candle, market.tote]
    for outcome, _, panel in screen:  # its product, its own sale, the stall's takings
        assert isinstance(outcome, SaleOutcome) and not outcome.repeated
        assert [p["id"] for p in panel["products"]] == [market.candle]
        assert [sale["id"] for sale in panel["recent"]] == [outcome.sale["id"]]
    commits = await Sale.raw("SELECT count(DISTINCT xmin::text) AS n FROM sale")
    assert commits[0]["n"] < 6  # sales committed together: the kinds went in one batch
    assert await Sale.count() == 6 and await left_of(market.stall, market.candle) == 4
