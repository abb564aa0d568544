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
