"""A team records its costs and sees profit and loss per market day and overall."""

import datetime as dt

from clustermarket.market.finances import profit_and_loss
from clustermarket.market.tables import Expense
from clustermarket.timeutil import today_uk
from tests.conftest import post_form, sign_in
from tests.market.helpers import make_day, new_sale_id, open_market, tap


def sell(client, market, product, quantity="1", method="cash"):
    return tap(client, market.stall, product, method, quantity)


async def test_expenses_and_profit_and_loss_with_a_chart(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    await sell(client, market, market.candle, "3")  # £13.50, cost £5.40
    await sell(client, market, market.tote, "1", "card")  # £6.00, cost £2.50
    voided = await sell(client, market, market.tote)  # undone below: not in the figures
    assert voided.status_code == 200
    from clustermarket.market.tables import Sale

    last = await Sale.select(Sale.id).order_by(Sale.id, ascending=False).first()
    await post_form(client, f"/stalls/{market.stall}/sales/{last['id']}/void", {})

    page = f"/teams/{market.team}/market"
    for data in [
        {
            "kind": "materials",
            "description": "Wax",
            "amount": "8.00",
            "market_day": str(market.day),
        },
        {"kind": "stall_fee", "description": "Pitch", "amount": "5", "market_day": str(market.day)},
        {"kind": "startup", "description": "PTA loan", "amount": "25", "market_day": ""},
    ]:
        answer = await post_form(client, f"{page}/expenses", data, follow_redirects=False)
        assert answer.status_code == 302, answer.text

    pnl = await profit_and_loss(market.team)
    [line] = pnl["lines"]
    assert (line["revenue"], line["cost_of_goods"], line["expenses"], line["profit"]) == (
        1950,
        790,
        1300,
        -140,
    )
    assert pnl["total"]["profit"] == -140 and pnl["startup"] == 2500
    assert pnl["after_repaying"] == -2640

    shown = await client.get(page)
    assert shown.status_code == 200
    assert "£19.50" in shown.text and "£7.90" in shown.text and "£13.00" in shown.text
    assert (
        "-£1.40" in shown.text and "Start-up money to repay: <strong>£25.00</strong>" in shown.text
    )
    assert "<svg" in shown.text and 'class="bar loss"' in shown.text
    assert "PTA loan" in shown.text


async def test_bad_expenses_are_refused_with_the_form_kept(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    page = f"/teams/{market.team}/market/expenses"
    for data, message in [
        ({"kind": "materials", "amount": "-3"}, "from £0 to"),
        ({"kind": "materials", "amount": "0"}, "more than £0"),
        ({"kind": "materials", "amount": "20000"}, "from £0 to"),
        ({"kind": "holiday", "amount": "3"}, "Choose what kind of cost"),
        ({"kind": "materials", "amount": "3", "market_day": "999"}, "Choose a market day"),
    ]:
        answer = await post_form(client, page, {"description": "Glue sticks", **data})
        assert answer.status_code == 400 and message in answer.text, data
        assert 'value="Glue sticks"' in answer.text
    assert await Expense.count() == 0


async def test_profit_spans_market_days_and_general_costs() -> None:
    market = await open_market()
    from clustermarket.accounts.services import load_session_user
    from clustermarket.accounts.tables import User
    from clustermarket.market.finances import add_expense
    from clustermarket.market.sales import record_sale

    user_id = (await User.select(User.id).where(User.username == "ameliab").first())["id"]
    user = await load_session_user(user_id, 0)
    await record_sale(user, market.stall, market.candle, 2, "cash", new_sale_id())
    later = await make_day(date=today_uk() + dt.timedelta(days=28))
    await add_expense(user, market.team, "stall_fee", "", 500, later)
    await add_expense(user, market.team, "other", "Posters", 300, None)
    pnl = await profit_and_loss(market.team)
    assert [line["profit"] for line in pnl["lines"]] == [540, -500, -300]
    assert pnl["total"] == {
        "label": "All market days",
        "revenue": 900,
        "cost_of_goods": 360,
        "expenses": 800,
        "profit": -260,
    }


async def test_profit_and_loss_for_a_date_range(client) -> None:
    """The team's money page takes the reports' date ranges: only the market days (and general
    costs booked) in the range; a range that makes no sense is a message, not a 500."""
    from tests.market.helpers import make_stall
    from tests.reports.helpers import expense, sold

    market = await open_market()
    old_day = await make_day(date=today_uk() - dt.timedelta(days=400))
    old_stall = await make_stall(old_day, market.team, {market.candle: 9})
    await sold(market.stall, market.candle, 2, 450, 180)  # today: £9.00, cost £3.60
    await sold(old_stall, market.candle, 4, 450, 180)  # last year: £18.00
    await expense(market.team, 300, market.day)
    await expense(market.team, 150, None)  # a general cost, booked today
    await expense(market.team, 700, old_day)
    await expense(market.team, 2500, None, kind="startup")

    year = await profit_and_loss(market.team, await _period("year"))
    assert [line["revenue"] for line in year["lines"]] == [900, 0]  # today, and "not for a day"
    assert year["total"]["revenue"] == 900 and year["total"]["expenses"] == 450
    assert year["total"]["profit"] == 900 - 360 - 450 and year["startup"] == 0
    everything = await profit_and_loss(market.team)
    assert everything["total"]["revenue"] == 2700 and everything["startup"] == 2500

    await sign_in(client, "ameliab")
    page = await client.get(f"/teams/{market.team}/market?range=year")
    assert page.status_code == 200
    assert "All in these dates" in page.text and "£9.00" in page.text and "£18.00" not in page.text
    assert f"/teams/{market.team}/market?range=term" in page.text  # the other choices
    wrong = await client.get(f"/teams/{market.team}/market?from=2026-05-01&to=2026-04-01")
    assert wrong.status_code == 400 and "The first date is after the last date" in wrong.text
    assert "All market days" in wrong.text  # the page still shows the figures for all dates


async def _period(key: str):
    from clustermarket.reports.periods import period_from_query

    return await period_from_query(key, None, None, today_uk())
