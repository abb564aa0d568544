"""The tap's SQL written out once keeps every rule of `sales.record_sale`, on SQLite (market/
tap_sqlite.py) as on PostgreSQL (market/tap.py's one statement): who may sell, what may be
sold and when, and a tap costs a fixed few statements."""

import pytest

from clustermarket.accounts.services import NotFound, load_session_user
from clustermarket.accounts.tables import Role, User
from clustermarket.market import tap as written
from clustermarket.market.sales import SaleOutcome
from clustermarket.market.services import MarketError
from clustermarket.market.tables import MarketStatus, Sale, Stall
from clustermarket.market.tickets import TicketRequest
from clustermarket.settings import get_settings
from tests.conftest import another_cluster, make_user, post_form, sign_in
from tests.market.helpers import (
    left_of,
    make_day,
    make_product,
    make_stall,
    make_teacher,
    make_team,
    new_sale_id,
    open_market,
    tap,
)
from tests.market.test_query_counts import counting_queries


async def _user(username: str):
    row = await User.select(User.id, User.session_epoch).where(User.username == username).first()
    return await load_session_user(row["id"], row["session_epoch"])


async def _tap(username: str, stall: int, product: int, quantity: int = 1, **ticket):
    user = await _user(username)
    if ticket:
        request = TicketRequest(new_sale_id(), "cash", {product: quantity}, **ticket)
        outcome, _ = await written.ticket(user, stall, request)
        return outcome
    outcome, _, _ = await written.tap(user, stall, product, quantity, "cash", new_sale_id())
    return outcome


async def test_members_teachers_of_the_school_and_the_admin_sell_no_one_else() -> None:
    market = await open_market()
    await make_teacher("staylor")
    await make_teacher("jcole", school="colby")  # a teacher of another school
    await make_user("oliverg")  # a pupil of the school, not of the team
    await make_user("aylshamadmin", role=Role.admin, school=None)
    await another_cluster()  # its admin, "admin", is another cluster's
    for name in ("ameliab", "staylor", "aylshamadmin"):
        assert isinstance(await _tap(name, market.stall, market.candle), SaleOutcome), name
    for name in ("jcole", "oliverg", "admin"):
        with pytest.raises(NotFound):
            await _tap(name, market.stall, market.candle)
    assert await Sale.count() == 3 and await left_of(market.stall, market.candle) == 7


async def test_only_a_public_product_of_an_open_stall_on_an_open_day_sells() -> None:
    market = await open_market(status=MarketStatus.planned, totes=1)
    refused = await _tap("ameliab", market.stall, market.candle)
    assert str(refused) == "The market day is not open, so nothing can be sold."

    await make_teacher("staylor")  # may work for every team of the school
    crafts = await make_team("aylsham-crafts")
    soap = await make_product(crafts, "Olive soap", 300, 100)
    draft = await make_product(crafts, "Secret soap", 300, 100, public=False)
    open_day = await make_day()
    unopened = await make_stall(open_day, crafts, {soap: 5, draft: 5}, float_pence=None)
    refused = await _tap("staylor", unopened, soap)
    assert str(refused) == "Open the stall with its cash float first."
    for product in (draft, market.candle):  # not public; not on this stall
        refused = await _tap("staylor", unopened, product)
        assert str(refused) == "That product is not sold at this stall."

    await Stall.update({Stall.market_day: open_day}).where(Stall.id == market.stall)
    refused = await _tap("ameliab", market.stall, market.tote, 2)
    assert str(refused) == "Only 1 Printed tote bag left: not enough for 2."
    refused = await _tap("ameliab", market.stall, market.tote, tendered_pence=500)
    assert str(refused) == "£5.00 handed over is less than the total £6.00."
    refused = await _tap("ameliab", market.stall, market.tote, 2, tendered_pence=500)
    assert str(refused) == "Only 1 Printed tote bag left: not enough for 2."
    assert isinstance(refused, MarketError) and await Sale.count() == 0
    assert await left_of(market.stall, market.tote) == 1 and await left_of(unopened, soap) == 5


async def test_a_tap_and_a_till_ticket_are_a_fixed_few_statements(client, monkeypatch) -> None:
    """PostgreSQL: one statement (through the tap queue). SQLite: the read, the decrement and
    the sale, in one BEGIN IMMEDIATE (which the count leaves out); on both the read checks
    the session's user, so no users query is made."""
    market = await open_market()
    await sign_in(client, "ameliab")
    await tap(client, market.stall, market.candle, htmx=True)  # the page's CSRF cookie
    run_tap = written.run_tap

    async def queued(*args):
        statements.append("the tap queue's statement")
        return await run_tap(*args)

    monkeypatch.setattr(written, "run_tap", queued)
    ticket = {"ticket_id": new_sale_id(), "method": "cash", f"qty_{market.tote}": "1"}
    json_answer = {"accept": "application/json"}
    for path, form, headers, said in (
        ("sales", _tap_form(market), {"HX-Request": "true"}, "Sold 1 × Beeswax candle"),
        ("tickets", ticket, json_answer, "Sold 1 × Printed tote bag"),
    ):
        with counting_queries() as statements:
            sold = await post_form(client, f"/stalls/{market.stall}/{path}", form, headers=headers)
        assert sold.status_code == 200 and said in sold.text, sold.text
        assert len(statements) == (1 if get_settings().is_postgres else 3), statements
    assert await left_of(market.stall, market.candle) == 8
    assert await left_of(market.stall, market.tote) == 4


def _tap_form(market) -> dict[str, str]:
    return {
        "sale_id": new_sale_id(),
        "product_id": str(market.candle),
        "quantity": "1",
        "method": "cash",
    }
