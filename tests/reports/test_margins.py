"""The products report shows each product's margin (price less unit cost) and its share of the
team's profit; the test works the figures out itself from the sales it inserts."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from clustermarket.market.tables import Sale
from clustermarket.reports.services import REPORT_ROWS_PER_PAGE
from clustermarket.teams.tables import Team
from tests.conftest import sign_in
from tests.market.helpers import make_day, make_product, make_stall, make_teacher, make_team
from tests.reports.helpers import csv_rows, sold


def share(part: int, whole: int) -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


async def test_margin_and_share_of_profit_per_product(client) -> None:
    makers = await make_team("aylsham-makers")
    candle = await make_product(makers, "Beeswax candle", 450, 180)
    tote = await make_product(makers, "Printed tote bag", 600, 250)
    soap = await make_product(makers, "Lavender soap", 200, 215)  # sold below its cost
    day = await make_day()
    stall = await make_stall(day, makers, {candle: 50, tote: 50, soap: 50})
    bees = await make_team("erpingham-bees", school="erpingham")
    feeder = await make_product(bees, "Bird feeder", 300, 60)
    await sold(await make_stall(day, bees, {feeder: 9}), feeder, 4, 300, 60)
    lines = [
        await sold(stall, candle, 3, 450, 180),
        await sold(stall, candle, 2, 450, 180, method="card"),
        await sold(stall, candle, 1, 400, 180),  # the price came down at the end
        await sold(stall, tote, 2, 600, 250),
        await sold(stall, soap, 3, 200, 215),
        await sold(stall, None, 1, 250, 0, label="Donation"),
    ]
    await sold(stall, tote, 5, 600, 250, voided=True)  # undone: not in any figure

    # Worked out from the lines above: per product and price, profit = takings - cost.
    groups: dict[tuple[str, int | None], list[dict]] = {}
    names = {candle: "Beeswax candle", tote: "Printed tote bag", soap: "Lavender soap"}
    for line in lines:
        name = names.get(line["product"], f"Custom amount: {line['label']}")
        price = line["unit_price_pence"] if line["product"] else None
        groups.setdefault((name, price), []).append(line)
    profit = {
        key: sum(x["amount_pence"] - x["cost_pence"] for x in group)
        for key, group in groups.items()
    }
    team_profit = sum(profit.values())
    assert team_profit == (5 * 270 + 220 + 2 * 350 - 3 * 15 + 250)

    await make_teacher()
    await sign_in(client, "staylor")
    answer = await client.get("/reports/products/csv?range=market")
    rows = csv_rows(answer.text)
    assert rows[0] == [
        "Team",
        "Product",
        "Price (£)",
        "Unit cost (£)",
        "Margin per unit (£)",
        "Units sold",
        "Takings (£)",
        "Profit (£)",
        "Share of team profit (%)",
    ]
    got = {(r[1], r[2]): r for r in rows[1:]}
    assert {r[0] for r in rows[1:]} == {"Aylsham Makers"}  # the teacher's school only
    assert len(got) == len(groups)
    for (name, price), group in groups.items():
        row = got[(name, f"{price / 100:.2f}" if price is not None else "")]
        units = sum(x["quantity"] for x in group)
        assert int(row[5]) == units
        assert round(float(row[6]) * 100) == sum(x["amount_pence"] for x in group)
        assert round(float(row[7]) * 100) == profit[(name, price)]
        assert row[8] == share(profit[(name, price)], team_profit)
        if price is not None:
            unit_cost = sum(x["cost_pence"] for x in group) // units
            assert round(float(row[3]) * 100) == unit_cost
            assert round(float(row[4]) * 100) == price - unit_cost
    # The shares add up to the whole within rounding; a loss-maker has a negative share.
    assert abs(sum(Decimal(r[8]) for r in rows[1:]) - 100) <= Decimal("0.1") * len(rows)
    assert got[("Lavender soap", "2.00")][4] == "-0.15"
    assert got[("Lavender soap", "2.00")][8].startswith("-")

    page = await client.get("/reports?report=products&range=market")
    assert page.status_code == 200
    assert "Margin per unit" in page.text and "£2.70" in page.text
    assert f"{share(profit[('Beeswax candle', 450)], team_profit)}%" in page.text
    assert await Sale.count() == 8


async def test_a_team_without_profit_has_no_shares(client) -> None:
    makers = await make_team("aylsham-makers")
    soap = await make_product(makers, "Lavender soap", 200, 215)
    stall = await make_stall(await make_day(), makers, {soap: 9})
    await sold(stall, soap, 2, 200, 215)
    await make_teacher()
    await sign_in(client, "staylor")
    rows = csv_rows((await client.get("/reports/products/csv?range=market")).text)
    assert rows[1][1:] == ["Lavender soap", "2.00", "2.15", "-0.15", "2", "4.00", "-0.30", ""]
    page = await client.get("/reports?report=products&range=market")
    assert "-£0.30" in page.text


async def test_a_long_products_report_is_paged_by_the_database_in_the_csvs_order(
    client,
) -> None:
    """Two teams of one name, more product rows than a page: each page holds the next rows
    of the CSV (each team's products by name, then its custom amounts), the shares are of
    each team's own profit over every row, and a page past the end shows the last page."""
    makers = await make_team("aylsham-makers")
    namesake = await make_team("makers-again")
    await Team.update({Team.name: "Aylsham Makers"}).where(Team.id == namesake)
    day = await make_day()
    for team, count in ((makers, 20), (namesake, REPORT_ROWS_PER_PAGE - 16)):
        products = [await make_product(team, f"Thing {n:02d}", 300 + n, 100) for n in range(count)]
        stall = await make_stall(day, team, dict.fromkeys(products, 50))
        for n, product in enumerate(products):
            await sold(stall, product, 1 + n % 4, 300 + n, 100)
        await sold(stall, None, 1, 500, 0, label="Donation")
    await make_teacher()
    await sign_in(client, "staylor")
    rows = csv_rows((await client.get("/reports/products/csv?range=market")).text)[1:]
    assert len(rows) == 20 + 1 + REPORT_ROWS_PER_PAGE - 16 + 1
    for first, last in ((0, 21), (21, len(rows))):  # each team's rows together, its shares
        team_rows = rows[first:last]
        assert [r[1] for r in team_rows[:-1]] == sorted(r[1] for r in team_rows[:-1])
        assert team_rows[-1][1] == "Custom amount: Donation"
        assert abs(sum(Decimal(r[8]) for r in team_rows) - 100) <= Decimal("0.1") * len(rows)

    def shown(text: str) -> list[tuple[str, str, str]]:
        found = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', text)
        cells = [(team, re.findall(r"<td[^>]*>([^<]*)</td>", rest)) for team, rest in found]
        return [(team, tds[0], tds[-1]) for team, tds in cells]

    first = await client.get("/reports?report=products&range=market")
    assert f"{len(rows)} rows, 1–{REPORT_ROWS_PER_PAGE} shown" in first.text
    second = await client.get("/reports?report=products&range=market&page=2")
    assert shown(first.text) + shown(second.text) == [(r[0], r[1], f"{r[8]}%") for r in rows]
    past = await client.get("/reports?report=products&range=market&page=99")
    assert shown(past.text) == shown(second.text)
