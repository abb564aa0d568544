"""The teams, schools, methods and cluster reports read the range's stalls' totals, not every
stall's of every year (issue 17, target 5, on SQLite): their rows against the sales behind
them over several years, two schools and another cluster, and the plan SQLite runs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

from clustermarket.market.tables import MarketDay
from clustermarket.reports.cluster import _side_by_side
from clustermarket.reports.periods import Period
from clustermarket.reports.ranges import _TOTAL_ROWS
from clustermarket.reports.services import REPORTS
from clustermarket.settings import get_settings
from piccolo_conf import DB
from tests.conftest import another_cluster, school_id, seeded_cluster, sqlite_plan
from tests.market.helpers import make_product, make_stall, make_team
from tests.reports.helpers import day_on, sold

YEARS = (2022, 2023, 2024, 2025)
YEAR_2024 = Period("custom", dt.date(2024, 9, 1), dt.date(2025, 8, 31), "")
EVERY_DATE = Period("custom", dt.date(2000, 1, 1), dt.date(2100, 12, 31), "")
ONE_DAY = Period("custom", dt.date(2023, 10, 3), dt.date(2023, 10, 3), "")
RANGED = {"teams": REPORTS["teams"].rows, "schools": REPORTS["schools"].rows}
RANGED |= {"methods": REPORTS["methods"].rows}


async def _history() -> list[dict[str, Any]]:
    """Four school years of monthly markets, three teams of two schools selling at each (one
    sale voided), and a market day of another cluster on the same dates. Returns the sales
    that stand, with what the reports group them by."""
    teams = {
        await make_team("makers"): "aylsham-high",
        await make_team("bakers"): "aylsham-high",
        await make_team("growers", school="buxton"): "buxton",
    }
    products = {team: await make_product(team, "Candle", 300, 100) for team in teams}
    other = await another_cluster()
    standing = []
    for n, year in enumerate(YEARS):
        for month in (10, 11, 2, 3, 5):
            date = dt.date(year + (month < 9), month, 3)
            day = await day_on(date)
            far = await day_on(date)
            await MarketDay.update({MarketDay.cluster: other}).where(MarketDay.id == far)
            for k, (team, school) in enumerate(teams.items()):
                stall = await make_stall(day, team, {products[team]: 50})
                method = ["cash", "card"][(n + k) % 2]
                await sold(stall, products[team], 1 + k, 300, 100, method=method)
                await sold(stall, products[team], 2, 250, 100, method="card")
                await sold(stall, products[team], 9, 300, 100, voided=True)
                for quantity, price, how in ((1 + k, 300, method), (2, 250, "card")):
                    standing.append(
                        {
                            "date": date,
                            "team": team,
                            "school": school,
                            "method": how,
                            "units": quantity,
                            "takings": quantity * price,
                        }
                    )
                await sold(await make_stall(far, team, {}), None, 1, 999, 0)
    return standing


def _expected(sales: list[dict[str, Any]], period: Period, school: str | None, by: tuple):
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for sale in sales:
        if period.start <= sale["date"] <= period.end and school in (None, sale["school"]):
            key = tuple(sale[k] for k in by)
            sums[key][0] += sale["units"]
            sums[key][1] += sale["takings"]
    return sums


async def test_the_reports_sum_the_ranges_stalls_of_their_cluster_and_school(client) -> None:
    sales = await _history()
    cluster = await seeded_cluster()
    schools = {"aylsham-high": await school_id("aylsham-high"), "buxton": None}
    names = {}
    for period in (YEAR_2024, EVERY_DATE, ONE_DAY):
        for school in ("aylsham-high", None):
            school_key = schools[school] if school else None
            teams = await RANGED["teams"](school_key, period, cluster)
            for row in teams:
                names[row["team"]] = row["school"]
            got = {(r["market_day"], r["team"]): [r["units"], r["takings_pence"]] for r in teams}
            want = _expected(sales, period, school, ("date", "team"))
            assert len(got) == len(want) and sorted(got.values()) == sorted(want.values())
            methods = await RANGED["methods"](school_key, period, cluster)
            got_methods = {(r["market_day"], r["method"]): r["takings_pence"] for r in methods}
            want_methods = _expected(sales, period, school, ("date", "method"))
            assert got_methods == {key: v[1] for key, v in want_methods.items()}
            schools_rows = await RANGED["schools"](school_key, period, cluster)
            assert sum(r["takings_pence"] for r in schools_rows) == sum(v[1] for v in want.values())
            rows, total, shown = await RANGED["teams"].page(school_key, period, cluster, 2, 4)
            assert total == len(want)  # page 2, or the last one when there is no page 2
            assert rows == (teams[4:8] if total > 4 else teams) and shown == (2 if total > 4 else 1)
    side_by_side = await REPORTS["cluster"].rows(None, EVERY_DATE, cluster)
    assert sum(r["takings_pence"] for r in side_by_side) == sum(s["takings"] for s in sales)
    assert set(names.values()) == {"Aylsham High School", "Buxton Primary School"}


def _query(rows: Any, school: int | None, period: Period, cluster: int, paged: bool) -> Any:
    query = rows.build(school, period, cluster)
    return query.columns(_TOTAL_ROWS).limit(30).offset(0) if paged else query


@pytest.mark.skipif(get_settings().is_postgres, reason="SQLite's planner")
async def test_on_sqlite_a_school_year_reads_its_stalls_totals_not_every_years() -> None:
    """The totals are searched by the range's stalls (found from the market days' dates),
    never scanned: before, SQLite took the LEFT JOINs in their written order and read every
    stall's totals of every year (9,540 rows on the bench's scale set for a year's 180)."""
    await _history()
    await DB.run_ddl("ANALYZE")
    cluster = await seeded_cluster()
    aylsham = await school_id("aylsham-high")
    for name, rows in RANGED.items():
        for school in (None, aylsham):
            for paged in (False, True):
                plan = await sqlite_plan(_query(rows, school, YEAR_2024, cluster, paged))
                steps = [step.split(" USING ")[0] for step in plan]
                shown = " / ".join(plan)
                assert "SCAN stall_method_total" not in steps, (name, school, shown)
                assert "SEARCH stall_method_total" in steps, (name, school, shown)
                assert "SEARCH market_day" in steps, (name, school, shown)
    # The cluster report's one statement: its sales part reads the range's stalls' totals.
    plan = await sqlite_plan(_side_by_side(YEAR_2024, cluster).query)
    steps = [step.split(" USING ")[0] for step in plan]
    assert "SCAN stall_method_total" not in steps, " / ".join(plan)
    assert "SEARCH stall_method_total" in steps, " / ".join(plan)
