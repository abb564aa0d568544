"""The admin corrects market days and stalls; a team's teacher corrects its costs (logged)."""

import datetime as dt

from clustermarket.accounts.tables import Role
from clustermarket.market.tables import Expense, ExpenseKind, MarketDay, Stall
from clustermarket.market.tickets import TicketRequest, record_ticket
from clustermarket.moderation.tables import ModerationLog
from clustermarket.timeutil import now, today_uk
from tests.conftest import as_user, make_user, post_form, sign_in
from tests.market.helpers import make_day, make_teacher, make_team, new_sale_id, open_market

DAY = {"location": "Aylsham Market Place", "opens": "09:00", "closes": "13:00"}


async def _admin(client) -> None:
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")


async def test_a_market_day_in_the_past_is_refused(client) -> None:
    await _admin(client)
    page = await post_form(client, "/admin/market-days", {**DAY, "date": "2020-06-06"})
    assert page.status_code == 400
    assert "6 June 2020 is in the past: give the date of a coming market." in page.text
    assert 'value="2020-06-06"' in page.text  # what was typed stays
    assert await MarketDay.count() == 0
    today = await post_form(client, "/admin/market-days", {**DAY, "date": str(today_uk())})
    assert today.status_code == 200 and await MarketDay.count() == 1


async def test_the_admin_edits_a_day_and_removes_an_unused_one(client) -> None:
    await _admin(client)
    day = await make_day(date=today_uk() + dt.timedelta(days=10))
    later = today_uk() + dt.timedelta(days=17)
    page = await client.get(f"/admin/market-days/{day}/edit")
    assert page.status_code == 200
    saved = await post_form(
        client,
        f"/admin/market-days/{day}/edit",
        {"date": str(later), "location": "Church Hall", "opens": "10:00", "closes": "14:00"},
    )
    assert saved.status_code == 200
    row = await MarketDay.select().first()
    assert (row["date"], row["location"], row["opens"]) == (later, "Church Hall", dt.time(10))
    past = await post_form(client, f"/admin/market-days/{day}/edit", {**DAY, "date": "2020-01-01"})
    assert past.status_code == 400 and "is in the past" in past.text
    assert 'value="2020-01-01"' in past.text
    team = await make_team("aylsham-makers")
    stall = (await Stall.insert(Stall(market_day=day, team=team)).returning(Stall.id))[0]["id"]
    await post_form(client, f"/admin/market-days/{day}/stalls/{stall}/remove", {})
    assert await Stall.count() == 0
    removed = await post_form(client, f"/admin/market-days/{day}/remove", {})
    assert removed.status_code == 200 and "The market day was removed." in removed.text
    assert await MarketDay.count() == 0


async def test_a_day_or_stall_with_sales_stays(client) -> None:
    market = await open_market()
    pupil = await as_user("ameliab")
    ticket = TicketRequest(ticket_id=new_sale_id(), method="cash", lines={market.candle: 1})
    await record_ticket(pupil, market.stall, ticket)
    await _admin(client)
    page = await post_form(
        client, f"/admin/market-days/{market.day}/stalls/{market.stall}/remove", {}
    )
    assert "Aylsham Makers has sold at this stall: it cannot be removed." in page.text
    page = await post_form(client, f"/admin/market-days/{market.day}/remove", {})
    assert "Sales were recorded on this market day: it cannot be removed." in page.text
    assert await Stall.count() == 1 and await MarketDay.count() == 1


async def test_a_teacher_corrects_and_removes_a_cost_and_the_log_keeps_both(client) -> None:
    market = await open_market()
    await make_teacher()
    expense = (
        await Expense.insert(
            Expense(
                team=market.team,
                kind=ExpenseKind.materials,
                description="Wax",
                amount_pence=12000,
                recorded_at=now(),
            )
        ).returning(Expense.id)
    )[0]["id"]
    url = f"/teams/{market.team}/market/expenses/{expense}"
    await sign_in(client, "ameliab")  # a pupil cannot
    assert (await client.get(url)).status_code in (403, 404)
    client.cookies.clear()
    await sign_in(client, "staylor")
    team_page = await client.get(f"/teams/{market.team}/market")
    assert f'href="{url}"' in team_page.text
    bad = await post_form(client, url, {"description": "Wax blocks", "amount": "lots"})
    assert bad.status_code == 400 and 'value="Wax blocks"' in bad.text
    await post_form(client, url, {"description": "Wax blocks", "amount": "12.00"})
    row = await Expense.select().first()
    assert (row["description"], row["amount_pence"]) == ("Wax blocks", 1200)
    await post_form(client, f"{url}/remove", {})
    assert await Expense.count() == 0
    log = await ModerationLog.select(ModerationLog.action, ModerationLog.reason).order_by(
        ModerationLog.id
    )
    assert [(x["action"], x["reason"]) for x in log] == [
        ("expense.corrected", "£120.00 “Wax” → £12.00 “Wax blocks”"),
        ("expense.removed", "£12.00 “Wax blocks” removed"),
    ]


async def test_another_schools_teacher_cannot_correct_a_cost(client) -> None:
    market = await open_market()
    await make_teacher("jwhite", school="erpingham")
    expense = (
        await Expense.insert(
            Expense(team=market.team, kind="other", amount_pence=500, recorded_at=now())
        ).returning(Expense.id)
    )[0]["id"]
    await sign_in(client, "jwhite")
    url = f"/teams/{market.team}/market/expenses/{expense}"
    assert (await client.get(url)).status_code == 404
    assert (await post_form(client, f"{url}/remove", {})).status_code == 404
    assert await Expense.count() == 1
