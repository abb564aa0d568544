"""The admin's cluster report puts every school side by side for a date range: sales, units,
takings, cost, expenses, profit and pre-orders; teachers cannot open it."""

from __future__ import annotations

import datetime as dt

from clustermarket.accounts.tables import Role
from clustermarket.schools.tables import School
from clustermarket.timeutil import today_uk
from tests.conftest import make_user, sign_in
from tests.market.helpers import make_product, make_stall, make_teacher, make_team
from tests.reports.helpers import csv_rows, day_on, expense, pre_order, sold

HEADINGS = [
    "School",
    "Teams selling",
    "Sales",
    "Units sold",
    "Takings (£)",
    "Cost of goods (£)",
    "Expenses (£)",
    "Profit (£)",
    "Pre-orders",
    "Units pre-ordered",
]


async def two_schools_trade():
    today = today_uk()
    day = await day_on(today)
    old_day = await day_on(today - dt.timedelta(days=400))
    makers = await make_team("aylsham-makers")
    crafts = await make_team("aylsham-crafts")
    bees = await make_team("erpingham-bees", school="erpingham")
    candle = await make_product(makers, "Beeswax candle", 450, 180)
    card = await make_product(crafts, "Greetings card", 150, 40)
    feeder = await make_product(bees, "Bird feeder", 300, 60)
    makers_stall = await make_stall(day, makers, {candle: 40})
    crafts_stall = await make_stall(day, crafts, {card: 40})
    bees_stall = await make_stall(day, bees, {feeder: 40})
    old_stall = await make_stall(old_day, bees, {feeder: 40})
    high = [
        await sold(makers_stall, candle, 3, 450, 180),
        await sold(makers_stall, candle, 1, 450, 180, method="card"),
        await sold(crafts_stall, card, 4, 150, 40),
        await sold(makers_stall, None, 1, 250, 0, label="Donation"),  # money, not goods
    ]
    await sold(makers_stall, candle, 9, 450, 180, voided=True)
    erpingham = [await sold(bees_stall, feeder, 2, 300, 60)]
    await sold(old_stall, feeder, 7, 300, 60)  # last year: outside the range
    await expense(makers, 500, day)
    await expense(makers, 120, None)  # a general cost, booked today
    await expense(makers, 5000, None, kind="startup")  # a debt, not a cost
    await expense(bees, 900, old_day)  # outside the range
    await pre_order(day, makers_stall, candle, 2, "paid")
    await pre_order(day, makers_stall, candle, 1, "collected")
    await pre_order(day, crafts_stall, card, 3, "reserved")
    await pre_order(day, bees_stall, feeder, 5, "cancelled")  # gave its stock back
    await pre_order(old_day, old_stall, feeder, 1, "paid")
    return today, {"high": high, "erpingham": erpingham}


async def test_the_admin_sees_every_school_side_by_side(client) -> None:
    today, lines = await two_schools_trade()
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    answer = await client.get(f"/reports/cluster/csv?from={today}&to={today}")
    assert answer.status_code == 200
    rows = csv_rows(answer.text)
    assert rows[0] == HEADINGS
    by_school = {r[0]: r for r in rows[1:]}
    schools = await School.select(School.name)
    assert set(by_school) == {s["name"] for s in schools}  # every school, sales or not

    def money(lines):
        return sum(x["amount_pence"] for x in lines), sum(x["cost_pence"] for x in lines)

    takings, cost = money(lines["high"])
    high = by_school["Aylsham High School"]
    goods = sum(x["quantity"] for x in lines["high"] if x["product"])
    assert high[1:4] == ["2", "4", str(goods)]
    assert high[4:8] == [
        f"{takings / 100:.2f}",
        f"{cost / 100:.2f}",
        "6.20",
        f"{(takings - cost - 620) / 100:.2f}",
    ]
    assert high[8:] == ["3", "6"]
    takings, cost = money(lines["erpingham"])
    erpingham = by_school["Erpingham Primary School"]
    assert erpingham[1:] == [
        "1",
        "1",
        "2",
        f"{takings / 100:.2f}",
        f"{cost / 100:.2f}",
        "0.00",
        f"{(takings - cost) / 100:.2f}",
        "0",
        "0",
    ]
    quiet = [r for name, r in by_school.items() if name not in (high[0], erpingham[0])]
    nothing = ["0", "0", "0", "0.00", "0.00", "0.00", "0.00", "0", "0"]
    assert quiet and all(r[1:] == nothing for r in quiet)

    page = await client.get(f"/reports?report=cluster&from={today}&to={today}")
    assert page.status_code == 200
    assert 'class="stack-narrow"' in page.text and "All schools" in page.text
    assert '<td data-label="Profit">' in page.text  # each cell names its column when stacked
    assert "Aylsham High School" in page.text and "Erpingham Primary School" in page.text


async def test_teachers_cannot_open_the_cluster_report(client) -> None:
    await make_teacher()
    await sign_in(client, "staylor")
    assert (await client.get("/reports?report=cluster")).status_code == 404
    assert (await client.get("/reports/cluster/csv")).status_code == 404
    page = await client.get("/reports")
    assert page.status_code == 200 and "Schools side by side" not in page.text
