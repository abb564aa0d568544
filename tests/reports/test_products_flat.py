"""The products report's page and CSV against the sales behind them, at ranges that cut
school years anywhere: every page (the database picks the page's teams, then their rows) and
the CSV (written from tuples, each team's profit summed as its rows pass) hold the rows of a
fresh sum of the sales, with their unit costs, margins and shares, in the report's order."""

from __future__ import annotations

import csv
import datetime as dt
import io

from clustermarket.accounts.tables import Role
from clustermarket.market.tables import MarketDay
from clustermarket.reports.margins import product_margins, whole_school_years
from clustermarket.reports.periods import Period
from clustermarket.reports.services import REPORTS, csv_header, csv_rows
from clustermarket.teams.tables import Team
from tests.conftest import make_user, sign_in
from tests.reports.test_margins_years import NAMES, RANGES, SALES, TEAMS, _record_sales

MID_YEAR = [
    ("2024-03-01", "2025-10-31"),  # mid-year at both ends around a whole year
    ("2023-12-01", "2024-06-30"),  # inside one school year, both ends mid-year
    ("2024-09-02", "2025-09-05"),  # a day after one year starts to a day in the next
]
# Whole school years and nothing else: the page counts each team's rows from the year totals
# (`margins._whole_years_sql`): a price that came down within a year, the same words of a
# custom amount at two prices in two years.
WHOLE_YEARS = [
    ("2023-09-01", "2025-08-31"),
    ("2024-09-01", "2026-08-31"),
    ("2023-09-01", "2024-08-31"),
]


def _money(pence: int) -> str:
    return f"{pence / 100:.2f}"


def _rounded(numerator: int, denominator: int) -> int:
    """Halves away from zero, as the report rounds (written again here, from the rule)."""
    if denominator == 0:
        return 0
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    quotient += 2 * remainder >= abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def fresh_rows(start: str, end: str, teams: set[str] | None = None) -> list[list[str]]:
    """The CSV's rows summed again from the recorded sales: per team, product and price
    (custom amounts per team and words), ordered by team, product name, price, customs
    last; each row's share of its team's profit."""
    sums: dict[tuple[str, str | None, int | None], list[int]] = {}
    for date, team, product, quantity, price, cost in SALES:
        if not dt.date.fromisoformat(start) <= date <= dt.date.fromisoformat(end):
            continue
        if teams is not None and team not in teams:
            continue
        key = (team, product, None if product is None else price)
        total = sums.setdefault(key, [0, 0, 0])
        total[0] += quantity
        total[1] += quantity * price
        total[2] += quantity * cost
    profits: dict[str, int] = {}
    for (team, _, _), (_, takings, cost) in sums.items():
        profits[team] = profits.get(team, 0) + takings - cost

    def order(key: tuple[str, str | None, int | None]) -> tuple:
        team, product, price = key
        return (TEAMS[team], product is None, NAMES.get(product or "", ""), price or 0)

    rows = []
    for key in sorted(sums, key=order):
        team, product, price = key
        units, takings, cost = sums[key]
        profit, whole = takings - cost, profits[team]
        share = "" if whole <= 0 else str(_rounded(profit * 1000, whole) / 10)
        if product is None:
            cells = ["Custom amount: Donation", "", "", ""]
        else:
            unit_cost = _rounded(cost, units)
            cells = [NAMES[product], _money(price), _money(unit_cost), _money(price - unit_cost)]
        rows.append([TEAMS[team], *cells, str(units), _money(takings), _money(profit), share])
    return rows


def _written(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


async def test_every_page_and_the_csv_hold_a_fresh_sum_of_the_sales(client) -> None:
    await _record_sales()
    cluster = (await MarketDay.select(MarketDay.cluster).first())["cluster"]
    report = REPORTS["products"]
    makers = await Team.select(Team.school).where(Team.slug == "aylsham-makers").first()
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    for start, end in [*RANGES, *MID_YEAR, *WHOLE_YEARS]:
        period = Period("custom", dt.date.fromisoformat(start), dt.date.fromisoformat(end), "")
        if (start, end) in WHOLE_YEARS:
            assert whole_school_years(period) is not None, (start, end)
        for school, teams in ((None, None), (makers["school"], {"makers"})):
            expected = fresh_rows(start, end, teams)
            where = f"{start}..{end}, school {school}"
            query = f"from={start}&to={end}" + (f"&school={school}" if school else "")
            answer = await client.get(f"/reports/products/csv?{query}")
            assert answer.status_code == 200
            assert list(csv.reader(io.StringIO(answer.text)))[1:] == expected, where
            # The same bytes as the rows of every report written by `csv_rows`.
            every_row = await product_margins(school, period, cluster)
            assert answer.text == _written(csv_header(report), csv_rows(report, every_row))

            # Pages of 2 and of 3: each the next rows of the CSV, its total the CSV's length.
            for size in (2, 3):
                pages, number = [], 1
                while True:
                    shown, total, at = await product_margins.page(
                        school, period, cluster, number, size
                    )
                    assert total == len(every_row), where
                    if at < number:  # past the end: the last page again
                        assert total == 0 or shown == pages[-1]
                        break
                    pages.append(shown)
                    number += 1
                paged = [row for page in pages for row in page]
                assert paged == every_row, (where, size)
