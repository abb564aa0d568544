"""A customer's whole purchase is one ticket: recorded once, all lines or none, undone whole."""

import asyncio
import datetime as dt

import pytest

from clustermarket.accounts.services import load_session_user
from clustermarket.accounts.tables import User
from clustermarket.market.sales import SoldOut
from clustermarket.market.services import MarketError, stall_for_worker
from clustermarket.market.tables import Sale, SaleKind, StallStock
from clustermarket.market.takings import stall_takings
from clustermarket.market.tickets import TicketRequest, record_ticket, void_ticket
from clustermarket.timeutil import now
from tests.market.helpers import left_of, new_sale_id, open_market


async def _pupil(username: str = "ameliab"):
    user_id = (await User.select(User.id).where(User.username == username).first())["id"]
    return await load_session_user(user_id, 0)


async def test_a_three_line_cash_ticket_is_one_sale_with_change() -> None:
    market = await open_market(candles=10, totes=5)
    user = await _pupil()
    ticket = new_sale_id()
    outcome = await record_ticket(
        user,
        market.stall,
        TicketRequest(
            ticket_id=ticket,
            method="cash",
            lines={market.candle: 2, market.tote: 1},
            custom_pence=150,
            custom_label="Donation",
            tendered_pence=2000,
        ),
    )
    assert outcome.ticket["total_pence"] == 2 * 450 + 600 + 150
    assert outcome.ticket["change_pence"] == 2000 - 1650
    assert outcome.message == (
        "Sold 2 × Beeswax candle, 1 × Printed tote bag, 1 × Donation for £16.50 (cash). "
        "Change due £3.50."
    )
    lines = await Sale.select().where(Sale.ticket == ticket).order_by(Sale.id)
    assert [(x["kind"], x["product"], x["label"], x["amount_pence"]) for x in lines] == [
        (SaleKind.product, market.candle, "", 900),
        (SaleKind.product, market.tote, "", 600),
        (SaleKind.custom, None, "Donation", 150),
    ]
    assert await left_of(market.stall, market.candle) == 8
    assert await left_of(market.stall, market.tote) == 4
    takings = await stall_takings(market.stall)
    assert (takings["cash"], takings["total"], takings["sales"]) == (1650, 1650, 1)


async def test_a_ticket_sent_many_times_at_once_is_recorded_once() -> None:
    market = await open_market(candles=10)
    user = await _pupil()
    ticket = new_sale_id()

    def request():
        return TicketRequest(
            ticket_id=ticket, method="card", lines={market.candle: 2, market.tote: 1}
        )

    results = await asyncio.gather(
        *[record_ticket(user, market.stall, request()) for _ in range(12)]
    )
    assert sum(not r.repeated for r in results) == 1
    assert {r.ticket["total_pence"] for r in results} == {1500}
    assert await Sale.count() == 2
    assert await left_of(market.stall, market.candle) == 8


async def test_many_phones_selling_tickets_never_oversell_any_line() -> None:
    market = await open_market(candles=5, totes=3)
    user = await _pupil()

    async def sell():
        try:
            return await record_ticket(
                user,
                market.stall,
                TicketRequest(
                    ticket_id=new_sale_id(),
                    method="cash",
                    lines={market.candle: 1, market.tote: 1},
                ),
            )
        except SoldOut:
            return None

    results = await asyncio.gather(*[sell() for _ in range(20)])
    assert sum(r is not None for r in results) == 3  # the totes run out first
    assert await left_of(market.stall, market.tote) == 0
    assert await left_of(market.stall, market.candle) == 2  # a refused ticket takes nothing
    assert await Sale.count() == 6


async def test_undo_takes_back_the_whole_ticket() -> None:
    market = await open_market(candles=10, totes=5)
    user = await _pupil()
    ticket = new_sale_id()
    await record_ticket(
        user,
        market.stall,
        TicketRequest(ticket_id=ticket, method="card", lines={market.candle: 3, market.tote: 2}),
    )
    stall = await stall_for_worker(user, market.stall)
    await void_ticket(user, stall, ticket)
    assert await left_of(market.stall, market.candle) == 10
    assert await left_of(market.stall, market.tote) == 5
    assert await Sale.count().where(Sale.voided_at.is_null()) == 0
    assert (await stall_takings(market.stall))["total"] == 0
    with pytest.raises(MarketError, match="already undone"):
        await void_ticket(user, stall, ticket)


async def test_an_old_ticket_cannot_be_undone_at_the_stall() -> None:
    market = await open_market()
    user = await _pupil()
    ticket = new_sale_id()
    await record_ticket(
        user, market.stall, TicketRequest(ticket_id=ticket, method="cash", lines={market.candle: 1})
    )
    await Sale.update({Sale.recorded_at: now() - dt.timedelta(minutes=6)}).where(
        Sale.ticket == ticket
    )
    stall = await stall_for_worker(user, market.stall)
    with pytest.raises(MarketError, match="more than 5 minutes old"):
        await void_ticket(user, stall, ticket)


async def test_an_offline_ticket_beyond_the_stock_is_recorded_and_flagged() -> None:
    market = await open_market(candles=1)
    user = await _pupil()
    sold_at = now() - dt.timedelta(minutes=20)
    outcome = await record_ticket(
        user,
        market.stall,
        TicketRequest(
            ticket_id=new_sale_id(),
            method="cash",
            lines={market.candle: 3},
            offline=True,
            sold_at=sold_at,
        ),
    )
    assert outcome.ticket["flagged"]
    line = await Sale.select().first()
    assert (line["quantity"], line["offline"], line["beyond_stock"]) == (3, True, True)
    assert abs(line["recorded_at"] - sold_at) < dt.timedelta(seconds=1)
    assert await left_of(market.stall, market.candle) == 0  # never below zero
    # The same ticket online would have been refused, recording nothing.
    with pytest.raises(SoldOut):
        await record_ticket(
            user,
            market.stall,
            TicketRequest(ticket_id=new_sale_id(), method="cash", lines={market.candle: 1}),
        )
    assert await Sale.count() == 1
    assert await StallStock.count().where(StallStock.left < 0) == 0


async def test_cash_handed_over_must_cover_the_total() -> None:
    market = await open_market()
    user = await _pupil()
    with pytest.raises(MarketError, match="less than the total £9.00"):
        await record_ticket(
            user,
            market.stall,
            TicketRequest(
                ticket_id=new_sale_id(),
                method="cash",
                lines={market.candle: 2},
                tendered_pence=500,
            ),
        )
    assert await Sale.count() == 0
    assert await left_of(market.stall, market.candle) == 10
