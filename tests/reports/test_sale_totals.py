"""The running totals (the stall's takings on its row, the reports' `sale_total`,
`stall_method_total` and per school year `sale_year_total`; issue 17 targets 4 and 5, one
trigger function on PostgreSQL, several triggers on SQLite) equal a fresh sum of the sales
that stand after every way the app writes, voids or deletes a sale line: taps (htmx and
plain form), till tickets with a custom amount, an offline ticket beyond the stock, pre-order
collections (paid: online; reserved: card), undoing a tap, voiding a ticket, a collected
order refunded (its lines voided in one statement); un-voided lines, one line of a ticket
voided alone, changed and deleted lines."""

import uuid

from piccolo.query.functions.aggregate import Count, Sum

from clustermarket.accounts.services import load_session_user
from clustermarket.accounts.tables import User
from clustermarket.market.services import stall_for_worker
from clustermarket.market.tables import Sale, SaleTotal, Stall, StallMethodTotal
from clustermarket.market.tickets import TicketRequest, record_ticket, void_ticket
from clustermarket.orders.collection import collect_order
from clustermarket.orders.settling import mark_refunded
from clustermarket.orders.tables import Order, OrderLine
from clustermarket.timeutil import now
from tests.conftest import post_form, sign_in
from tests.market.helpers import HTMX, new_sale_id, open_market, tap
from tests.reports.helpers import fresh_year_totals, kept_year_totals

KEY = ("stall", "product", "kind", "label", "unit_price_pence", "method")


async def _fresh() -> tuple[dict[tuple, tuple], dict[tuple, int]]:
    """Every standing sale summed per key, and tickets counted per stall and method."""
    keys = [getattr(Sale, c) for c in KEY]
    rows = (
        await Sale.select(
            *keys,
            Count().as_alias("lines"),
            Sum(Sale.quantity).as_alias("quantity"),
            Sum(Sale.amount_pence).as_alias("amount_pence"),
            Sum(Sale.cost_pence).as_alias("cost_pence"),
        )
        .where(Sale.voided_at.is_null())
        .group_by(*keys)
    )
    tickets = (
        await Sale.select(
            Sale.stall, Sale.method, Count(distinct=[Sale.ticket]).as_alias("tickets")
        )
        .where(Sale.voided_at.is_null())
        .group_by(Sale.stall, Sale.method)
    )
    return (
        {_key(r): (r["lines"], r["quantity"], r["amount_pence"], r["cost_pence"]) for r in rows},
        {(r["stall"], r["method"]): r["tickets"] for r in tickets},
    )


def _key(row: dict) -> tuple:
    return tuple(row[c] for c in KEY)


async def _kept() -> tuple[dict[tuple, tuple], dict[tuple, int]]:
    """The running totals the same way; a row with no line standing counts nothing."""
    sums: dict[tuple, list[int]] = {}
    tickets: dict[tuple, int] = {}
    for row in await SaleTotal.select():
        figures = (row["lines"], row["quantity"], row["amount_pence"], row["cost_pence"])
        if row["lines"] == 0:
            assert figures[1:] == (0, 0, 0) and row["tickets"] == 0, row
            continue
        total = sums.setdefault(_key(row), [0, 0, 0, 0])
        for i, value in enumerate(figures):
            total[i] += value
        place = (row["stall"], row["method"])
        tickets[place] = tickets.get(place, 0) + row["tickets"]
    return {k: tuple(v) for k, v in sums.items()}, {k: n for k, n in tickets.items() if n}


def _per_stall_and_method(sums: dict[tuple, tuple], tickets: dict[tuple, int]) -> dict:
    """(stall, method) -> (lines, units of goods, takings, cost, tickets) from per-key sums."""
    per: dict[tuple, list[int]] = {}
    for key, (lines, quantity, amount, cost) in sums.items():
        total = per.setdefault((key[0], key[-1]), [0, 0, 0, 0, 0])
        units = 0 if key[2] == "custom" else quantity
        for i, value in enumerate((lines, units, amount, cost)):
            total[i] += value
    for place, count in tickets.items():
        per.setdefault(place, [0, 0, 0, 0, 0])[4] += count
    return {place: tuple(figures) for place, figures in per.items()}


async def _kept_per_stall() -> dict:
    """The running totals per stall and method; a row at no line counts nothing."""
    kept = {}
    for row in await StallMethodTotal.select():
        figures = tuple(row[c] for c in ("lines", "units", "amount_pence", "cost_pence", "tickets"))
        if row["lines"] == 0:
            assert figures == (0, 0, 0, 0, 0), row
            continue
        kept[(row["stall"], row["method"])] = figures
    return kept


async def _takings_summed() -> dict[int, tuple[int, int, int, int]]:
    """Per stall: cash, card and online takings and tickets of the sales that stand."""
    summed: dict[int, list[int]] = {}
    for row in await Sale.select().where(Sale.voided_at.is_null()):
        figures = summed.setdefault(row["stall"], [0, 0, 0, 0])
        figures[("cash", "card", "online").index(row["method"])] += row["amount_pence"]
    tickets = (
        await Sale.select(Sale.stall, Count(distinct=[Sale.ticket]).as_alias("tickets"))
        .where(Sale.voided_at.is_null())
        .group_by(Sale.stall)
    )
    for row in tickets:
        summed[row["stall"]][3] = row["tickets"]
    return {stall: tuple(figures) for stall, figures in summed.items()}


async def _takings_kept() -> dict[int, tuple[int, int, int, int]]:
    """The stall rows' running takings; a stall at nothing is left out."""
    columns = ("taken_cash_pence", "taken_card_pence", "taken_online_pence", "taken_tickets")
    kept = {}
    for row in await Stall.select(Stall.id, *(getattr(Stall, c) for c in columns)):
        figures = tuple(row[c] for c in columns)
        if any(figures):
            kept[row["id"]] = figures
    return kept


async def _assert_kept() -> None:
    assert await _takings_kept() == await _takings_summed()
    fresh = await _fresh()
    assert await _kept() == fresh
    assert await _kept_per_stall() == _per_stall_and_method(*fresh)
    assert await kept_year_totals() == await fresh_year_totals()


async def _order(day: int, stall: int, lines: dict[int, int], status: str) -> int:
    rows = await Order.insert(
        Order(
            market_day=day,
            token=uuid.uuid4().hex,
            buyer_name="Pat Buyer",
            buyer_email="pat@example.org",
            status=status,
            total_pence=500,
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Order.id)
    for product, quantity in lines.items():
        await OrderLine.insert(
            OrderLine(
                order=rows[0]["id"],
                stall=stall,
                product=product,
                product_name="Thing",
                quantity=quantity,
                unit_price_pence=320,  # a member price
            )
        )
    return rows[0]["id"]


async def test_running_totals_equal_the_sales_after_every_kind_of_write(client) -> None:
    market = await open_market(candles=10, totes=5)
    await sign_in(client, "ameliab")
    await tap(client, market.stall, market.candle, "cash", htmx=True)
    await tap(client, market.stall, market.tote, "card", quantity="2", htmx=True)
    await tap(client, market.stall, market.candle, "cash", htmx=False)
    await _assert_kept()

    user_id = (await User.select(User.id).where(User.username == "ameliab").first())["id"]
    user = await load_session_user(user_id, 0)
    ticket = new_sale_id()
    request = TicketRequest(
        ticket_id=ticket,
        method="cash",
        lines={market.candle: 2, market.tote: 1},
        custom_pence=150,
        custom_label="Donation",
    )
    await record_ticket(user, market.stall, request)
    offline = TicketRequest(
        ticket_id=new_sale_id(), method="card", lines={market.candle: 9}, offline=True
    )
    await record_ticket(user, market.stall, offline)  # beyond the stock: flagged
    assert await Sale.exists().where(Sale.beyond_stock.eq(True))
    await _assert_kept()

    stall = await stall_for_worker(user, market.stall)
    paid = await _order(market.day, market.stall, {market.candle: 1, market.tote: 1}, "paid")
    reserved = await _order(market.day, market.stall, {market.tote: 2}, "reserved")
    await collect_order(user, stall, paid, "cash")  # paid online: the sales are "online"
    await collect_order(user, stall, reserved, "card")
    await _assert_kept()

    last_tap = (
        await Sale.select(Sale.id)
        .where(Sale.kind == "product")
        .where(Sale.ticket != ticket)
        .where(Sale.offline.eq(False))
        .order_by(Sale.id, ascending=False)
        .first()
    )
    undone = await post_form(
        client, f"/stalls/{market.stall}/sales/{last_tap['id']}/void", {}, headers=HTMX
    )
    assert undone.status_code == 200
    await void_ticket(user, stall, ticket)
    await mark_refunded(paid, None, user_id)  # both lines voided in one statement
    assert await Sale.count().where(Sale.voided_at.is_not_null()) == 6
    await _assert_kept()

    # Written outside the app's paths, the triggers still hold: un-void, change, delete.
    await Sale.update({Sale.voided_at: None}).where(Sale.ticket == ticket)
    await _assert_kept()
    # One line of a ticket of three voided, then again: the ticket still counts once.
    await Sale.update({Sale.voided_at: now()}).where(
        (Sale.ticket == ticket) & (Sale.product == market.tote)
    )
    await _assert_kept()
    await Sale.update({Sale.voided_at: None}).where(Sale.ticket == ticket)
    await Sale.update({Sale.quantity: 3, Sale.amount_pence: 1800}).where(
        Sale.client_id
        == (await Sale.select(Sale.client_id).where(Sale.method == "card").first())["client_id"]
    )
    await _assert_kept()
    await Sale.delete().where(Sale.ticket == ticket)
    await _assert_kept()
    await Sale.delete().where(Sale.stall == market.stall)  # several lines in one statement
    await _assert_kept()
    assert await SaleTotal.count().where(SaleTotal.lines != 0) == 0
