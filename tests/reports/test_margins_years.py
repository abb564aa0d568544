"""The products report over several school years reads whole years from `sale_year_total`
and the days at the range's edges from `sale_total`: its figures are those of the sales in
the range whatever the range cuts, in as many queries for ten years as for one day, and the
year totals follow a market day moved to another school year."""

from __future__ import annotations

import datetime as dt

from clustermarket.accounts.tables import Role
from clustermarket.market.tables import MarketDay
from clustermarket.reports.margins import school_years_within
from clustermarket.reports.periods import Period
from clustermarket.teams.tables import Team
from tests.conftest import QueryCounter, make_user, sign_in
from tests.market.helpers import make_day, make_product, make_stall, make_team
from tests.reports.helpers import csv_rows, fresh_year_totals, kept_year_totals, sold

# (date, team, product, quantity, price, unit cost); None: a custom amount ("Donation").
SALES = [
    (dt.date(2023, 10, 2), "makers", "candle", 3, 450, 180),
    (dt.date(2024, 5, 6), "makers", "candle", 2, 400, 180),  # the price came down
    (dt.date(2024, 5, 6), "bees", "feeder", 1, 300, 60),
    (dt.date(2024, 9, 2), "makers", "candle", 1, 450, 180),  # 2 Sep: a new school year
    (dt.date(2024, 9, 2), "makers", None, 1, 250, 0),
    (dt.date(2025, 8, 29), "makers", "tote", 2, 600, 250),
    (dt.date(2025, 8, 29), "bees", "feeder", 4, 300, 60),
    (dt.date(2025, 9, 5), "makers", "candle", 5, 450, 180),
    (dt.date(2025, 9, 5), "makers", None, 1, 100, 0),
]
NAMES = {"candle": "Beeswax candle", "tote": "Printed tote bag", "feeder": "Bird feeder"}
TEAMS = {"makers": "Aylsham Makers", "bees": "Erpingham Bees"}
RANGES = [
    ("2000-01-01", "2100-12-31"),  # every date: whole years only
    ("2024-01-01", "2025-12-31"),  # the edges of two years and the whole of one
    ("2024-09-01", "2025-08-31"),  # exactly one school year
    ("2024-09-02", "2025-08-30"),  # a day short at each end: no whole year
    ("2023-10-02", "2023-10-02"),  # one day
    ("2026-09-01", "2027-08-31"),  # a whole year with nothing sold
]


def expected(start: str, end: str) -> dict[tuple[str, str, str], tuple[str, str, str]]:
    """(team, product, price) -> (units, takings, profit), as the CSV writes them."""
    sums: dict[tuple[str, str, str], list[int]] = {}
    for date, team, product, quantity, price, cost in SALES:
        if not dt.date.fromisoformat(start) <= date <= dt.date.fromisoformat(end):
            continue
        if product is None:
            key = (TEAMS[team], "Custom amount: Donation", "")
        else:
            key = (TEAMS[team], NAMES[product], f"{price / 100:.2f}")
        total = sums.setdefault(key, [0, 0, 0])
        total[0] += quantity
        total[1] += quantity * price
        total[2] += quantity * (price - cost)
    return {k: (str(u), f"{t / 100:.2f}", f"{p / 100:.2f}") for k, (u, t, p) in sums.items()}


async def _record_sales() -> dict[dt.date, int]:
    teams = {"makers": await make_team("aylsham-makers")}
    teams["bees"] = await make_team("erpingham-bees", school="erpingham")
    products = {
        "candle": await make_product(teams["makers"], NAMES["candle"], 450, 180),
        "tote": await make_product(teams["makers"], NAMES["tote"], 600, 250),
        "feeder": await make_product(teams["bees"], NAMES["feeder"], 300, 60),
    }
    days, stalls = {}, {}
    for date, team, product, quantity, price, cost in SALES:
        if date not in days:
            days[date] = await make_day(date=date)
        if (date, team) not in stalls:
            stalls[(date, team)] = await make_stall(days[date], teams[team], {})
        stall = stalls[(date, team)]
        if product is None:
            await sold(stall, None, quantity, price, cost, label="Donation")
        else:
            await sold(stall, products[product], quantity, price, cost)
            await sold(stall, products[product], 7, price, cost, voided=True)  # undone
    return days


def _figures(text: str) -> dict[tuple[str, str, str], tuple[str, str, str]]:
    rows = csv_rows(text)[1:]
    return {(r[0], r[1], r[2]): (r[5], r[6], r[7]) for r in rows}


def test_the_whole_school_years_of_a_range() -> None:
    def years(start: str, end: str) -> tuple[int, int] | None:
        period = Period("custom", dt.date.fromisoformat(start), dt.date.fromisoformat(end), "")
        return school_years_within(period)

    assert [years(*r) for r in RANGES] == [
        (2000, 2099),
        (2024, 2024),
        (2024, 2024),
        None,
        None,
        (2026, 2026),
    ]
    assert years("2024-08-31", "2026-09-01") == (2024, 2025)


async def test_products_over_school_years_and_their_edges(client) -> None:
    await _record_sales()
    assert await kept_year_totals() == await fresh_year_totals()
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    await client.get("/reports")  # the schools and days to pick from, kept from then on
    counts = set()
    for start, end in RANGES:
        with QueryCounter() as counter:
            answer = await client.get(f"/reports/products/csv?from={start}&to={end}")
        counts.add(counter.count)
        assert answer.status_code == 200
        assert _figures(answer.text) == expected(start, end), (start, end)
        page = await client.get(f"/reports?report=products&from={start}&to={end}")
        assert page.status_code == 200
    assert len(counts) == 1, counts  # the same queries for ten years as for a day

    # One school: its teams only, over every date (the years' rows filtered by team).
    everything = expected("2000-01-01", "2100-12-31")
    ours = {k: v for k, v in everything.items() if k[0] == TEAMS["makers"]}
    school = await Team.select(Team.school).where(Team.slug == "aylsham-makers").first()
    answer = await client.get(
        f"/reports/products/csv?from=2000-01-01&to=2100-12-31&school={school['school']}"
    )
    assert _figures(answer.text) == ours


async def test_the_year_totals_follow_a_market_day_moved_to_another_year(client) -> None:
    days = await _record_sales()
    moved = days[dt.date(2024, 9, 2)]
    for date in (dt.date(2024, 8, 30), dt.date(2026, 1, 10), dt.date(2026, 1, 11)):
        await MarketDay.update({MarketDay.date: date}).where(MarketDay.id == moved)
        assert await kept_year_totals() == await fresh_year_totals(), date
    await MarketDay.update({MarketDay.location: "The Town Hall"}).where(MarketDay.id == moved)
    assert await kept_year_totals() == await fresh_year_totals()
