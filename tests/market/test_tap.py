"""The fast tap (issue 17): one statement on PostgreSQL, the same rules on SQLite; the user
taken from the session but still refused once signed out everywhere; running takings kept
on the stall row by triggers, equal to the sum of the sales that stand."""

from piccolo.query.functions.aggregate import Count, Sum

from clustermarket.accounts.services import load_session_user
from clustermarket.accounts.tables import User
from clustermarket.market.services import stall_for_worker
from clustermarket.market.tables import Sale, Stall
from clustermarket.market.takings import stall_takings
from clustermarket.market.tickets import TicketRequest, record_ticket, void_ticket
from tests.conftest import make_user, post_form, sign_in
from tests.market.helpers import HTMX, left_of, new_sale_id, open_market, tap


async def _summed(stall: int) -> dict[str, int]:
    """Takings the slow way: summing every sale that stands."""
    rows = (
        await Sale.select(
            Sale.method,
            Sum(Sale.amount_pence).as_alias("amount"),
            Count(distinct=[Sale.ticket]).as_alias("n"),
        )
        .where((Sale.stall == stall) & Sale.voided_at.is_null())
        .group_by(Sale.method)
    )
    takings = {"cash": 0, "card": 0, "online": 0}
    for row in rows:
        takings[row["method"]] = row["amount"] or 0
    takings["total"] = sum(takings.values())
    takings["sales"] = sum(row["n"] for row in rows)
    return takings


async def test_a_tap_sells_once_and_the_panel_shows_the_sale(client) -> None:
    market = await open_market(candles=3)
    await sign_in(client, "ameliab")
    sale_id = new_sale_id()
    first = await tap(client, market.stall, market.candle, sale_id=sale_id, htmx=True)
    assert first.status_code == 200, first.text
    assert "Sold 1 × Beeswax candle for £4.50 (cash)." in first.text
    assert "2 left" in first.text and "Takings <strong>£4.50</strong>" in first.text
    again = await tap(client, market.stall, market.candle, sale_id=sale_id, htmx=True)
    assert again.status_code == 200 and "Sold 1 × Beeswax candle" in again.text
    assert await left_of(market.stall, market.candle) == 2
    assert await Sale.count().where(Sale.stall == market.stall) == 1

    too_many = await tap(client, market.stall, market.candle, quantity="3", htmx=True)
    assert too_many.status_code == 409
    assert "Only 2 Beeswax candle left: not enough for 3." in too_many.text
    await tap(client, market.stall, market.candle, quantity="2", htmx=True)
    sold_out = await tap(client, market.stall, market.candle, htmx=True)
    assert sold_out.status_code == 409 and "Beeswax candle is sold out." in sold_out.text
    assert await left_of(market.stall, market.candle) == 0
    assert await stall_takings(market.stall) == await _summed(market.stall)


async def test_a_tap_is_refused_where_the_user_may_not_sell(client) -> None:
    market = await open_market()
    await make_user("outsider")
    await sign_in(client, "outsider")
    refused = await tap(client, market.stall, market.candle, htmx=True)
    assert refused.status_code == 404
    missing = await tap(client, 2_000_000_000, market.candle, htmx=True)
    assert missing.status_code == 404
    huge = await tap(client, 99_999_999_999, market.candle, htmx=True)
    assert huge.status_code == 404
    assert await Sale.count() == 0

    client.cookies.clear()
    await sign_in(client, "ameliab")
    await Stall.update({Stall.closed_at: Stall.opened_at, Stall.counted_cash_pence: 2000}).where(
        Stall.id == market.stall
    )
    closed = await tap(client, market.stall, market.candle, htmx=True)
    assert closed.status_code == 400 and "This stall is closed: no more sales." in closed.text
    assert await Sale.count() == 0 and await left_of(market.stall, market.candle) == 10


async def test_a_session_signed_out_everywhere_cannot_tap(client) -> None:
    """The tap takes the user from the session, so its own SQL checks the epoch."""
    market = await open_market()
    await sign_in(client, "ameliab")
    assert (await tap(client, market.stall, market.candle, htmx=True)).status_code == 200
    await User.update({User.session_epoch: User.session_epoch + 1}).where(
        User.username == "ameliab"
    )
    refused = await tap(client, market.stall, market.candle, htmx=True)
    assert refused.status_code in (401, 302, 303), refused.status_code
    assert await Sale.count() == 1 and await left_of(market.stall, market.candle) == 9

    await User.update({User.session_epoch: 0, User.active: False}).where(User.username == "ameliab")
    refused = await tap(client, market.stall, market.candle, htmx=True)
    assert refused.status_code in (401, 302, 303), refused.status_code
    assert await Sale.count() == 1


async def test_running_takings_follow_taps_tickets_and_undos(client) -> None:
    market = await open_market(candles=10, totes=5)
    await sign_in(client, "ameliab")
    await tap(client, market.stall, market.candle, "cash", htmx=True)
    await tap(client, market.stall, market.tote, "card", quantity="2", htmx=True)
    await tap(client, market.stall, market.candle, "cash", htmx=False)
    user_id = (await User.select(User.id).where(User.username == "ameliab").first())["id"]
    user = await load_session_user(user_id, 0)
    ticket = new_sale_id()
    await record_ticket(
        user,
        market.stall,
        TicketRequest(
            ticket_id=ticket,
            method="cash",
            lines={market.candle: 2, market.tote: 1},
            custom_pence=150,
        ),
    )
    takings = await stall_takings(market.stall)
    assert takings == await _summed(market.stall)
    assert takings["sales"] == 4 and takings["card"] == 1200

    last = (
        await Sale.select(Sale.id)
        .where(Sale.ticket != ticket)
        .order_by(Sale.id, ascending=False)
        .first()
    )
    undone = await post_form(
        client, f"/stalls/{market.stall}/sales/{last['id']}/void", {}, headers=HTMX
    )
    assert undone.status_code == 200
    stall = await stall_for_worker(user, market.stall)
    await void_ticket(user, stall, ticket)
    takings = await stall_takings(market.stall)
    assert takings == await _summed(market.stall)
    assert takings["sales"] == 2 and takings["total"] == 450 + 1200
