"""The products report: each product's margin (price less unit cost) and its share of its
team's profit on sales, in integer pence. One query sums per team, product and price (and per
team and words for custom amounts), gives each row its team's profit (a window over every row
of the range) and the number of rows, and returns one page of them; Python only divides, on
the rows it shows. The sums read the range's whole school years from `sale_year_total` and
only the days at its edges from `sale_total`, so a range of ten years costs about what one
costs. A range of whole school years (the default, "this school year") has its page from
`sale_year_total` alone, each team's rows counted there, so that only the page's teams'
rows are grouped (`_whole_years_sql`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Any

from clustermarket.frozen import freeze_with_values
from clustermarket.market.tables import SaleTotal
from clustermarket.reports.periods import SCHOOL_YEAR_STARTS, Period
from clustermarket.web.pagination import clamp

# The sales that stand, as (team, product, words, price, quantity, takings, cost): the days at
# the edges of the range from `sale_total` (per stall), its whole school years from
# `sale_year_total` (per year: a few rows per team and product however often it sold).
_EDGES = (
    "SELECT s.team AS team_id, st.product AS product_id, st.label, st.unit_price_pence AS price,"
    " st.quantity, st.amount_pence, st.cost_pence"
    " FROM sale_total st JOIN stall s ON s.id = st.stall JOIN market_day d ON d.id = s.market_day"
    " WHERE st.lines > 0 AND d.cluster = {} AND (d.date BETWEEN {} AND {}"
    " OR d.date BETWEEN {} AND {}){school}"
)
_YEARS = (
    "SELECT y.team, NULLIF(y.product, 0), y.label, y.unit_price_pence, y.quantity,"
    " y.amount_pence, y.cost_pence FROM sale_year_total y"
    " WHERE y.cluster = {} AND y.school_year BETWEEN {} AND {} AND y.lines > 0{school}"
)
# Per team, product and price; per team and words for custom amounts (no product).
_CUSTOM = "u.product_id IS NULL"
_GROUPED = (
    "SELECT u.team_id, u.product_id,"
    f" CASE WHEN {_CUSTOM} THEN u.label ELSE '' END AS label,"
    f" CASE WHEN {_CUSTOM} THEN NULL ELSE u.price END AS price_pence,"
    " SUM(u.quantity) AS units, SUM(u.amount_pence) AS takings_pence,"
    " SUM(u.cost_pence) AS cost_pence, SUM(u.amount_pence - u.cost_pence) AS profit_pence"
    " FROM ({edges} UNION ALL {years}) u GROUP BY u.team_id, u.product_id,"
    f" CASE WHEN {_CUSTOM} THEN u.label ELSE '' END,"
    f" CASE WHEN {_CUSTOM} THEN NULL ELSE u.price END"
)


_ROW = (
    "t.id AS team_id, t.name AS team, g.product_id,"
    # a lookup per row: a join made PostgreSQL hash all 10,000 products for 373 rows
    " (SELECT p.name FROM product p WHERE p.id = g.product_id) AS product, g.label,"
    " g.price_pence, g.units, g.takings_pence, g.cost_pence, g.profit_pence"
)
# Within a team, products by name and price, then custom amounts by their words (then by
# product id: two products of one name and price keep one order on every page and the CSV).
_ORDER = "t.name, t.id, g.product_id IS NULL, product, g.price_pence, g.label, g.product_id"


def _grouped(of_school: bool) -> str:
    school = " AND {} IN (SELECT id FROM team WHERE school = {})" if of_school else ""
    return _GROUPED.format(
        edges=_EDGES.replace("{school}", school.replace("{} IN", "s.team IN", 1)),
        years=_YEARS.replace("{school}", school.replace("{} IN", "y.team IN", 1)),
    )


def _sql(of_school: bool, paged: bool) -> str:
    """Every row with its team's profit (a window over every row), or one page: after the
    range's arguments, the page's last position, the one before its first, then those two
    the other way round (`ProductMargins.page`)."""
    grouped = _grouped(of_school)
    if not paged:
        return (
            f"SELECT {_ROW},"
            " CAST(SUM(g.profit_pence) OVER (PARTITION BY t.id) AS BIGINT) AS team_profit_pence"
            f" FROM ({grouped}) g JOIN team t ON t.id = g.team_id ORDER BY {_ORDER}"
        )
    # The range's rows grouped once (`g` is read twice, so PostgreSQL 12+ and SQLite 3.35+
    # keep it rather than group again); then per team (tens of rows, not hundreds) its rows,
    # profit and the rows before it in the report's order, so that only the teams on the page
    # have their rows' products looked up and sorted (the whole sort and the lookups were
    # most of the query at 373 rows). A row's position is its team's start plus its rank.
    return (
        f"WITH g AS ({grouped}),"
        " teams AS (SELECT g.team_id, t.name AS team, COUNT(*) AS n,"
        " CAST(SUM(g.profit_pence) AS BIGINT) AS team_profit_pence"
        " FROM g JOIN team t ON t.id = g.team_id GROUP BY g.team_id, t.name),"
        " placed AS (SELECT teams.*, CAST(SUM(n) OVER (ORDER BY team, team_id) - n AS BIGINT)"
        " AS before, CAST(SUM(n) OVER () AS BIGINT) AS total_rows FROM teams),"
        " chosen AS (SELECT * FROM placed WHERE before < {} AND before + n > {})," + _PAGE_OF_CHOSEN
    )


# The chosen teams' rows (`g`, `chosen`) named, ranked within their team in the report's
# order and cut to the page (its first and last positions).
_PAGE_OF_CHOSEN = (
    " named AS (SELECT c.team_id, c.team, g.product_id,"
    " (SELECT p.name FROM product p WHERE p.id = g.product_id) AS product, g.label,"
    " g.price_pence, g.units, g.takings_pence, g.cost_pence, g.profit_pence,"
    " c.team_profit_pence, c.total_rows, c.before"
    " FROM g JOIN chosen c ON c.team_id = g.team_id),"
    " ranked AS (SELECT named.*, before + ROW_NUMBER() OVER (PARTITION BY team_id"
    " ORDER BY product_id IS NULL, product, price_pence, label, product_id) AS position"
    " FROM named)"
    " SELECT team_id, team, product_id, product, label, price_pence, units, takings_pence,"
    " cost_pence, profit_pence, team_profit_pence, total_rows FROM ranked"
    " WHERE position > {} AND position <= {} ORDER BY position"
)


_SQL = {(school, paged): _sql(school, paged) for school in (False, True) for paged in (False, True)}


def _whole_years_sql(of_school: bool, one_year: bool) -> str:
    """One page of a range of whole school years (the presets' "this school year", and any
    1 September to 31 August): `sale_year_total` alone. Each team's rows are counted and its
    profit summed straight from the year rows (a product's distinct prices, a custom
    amount's distinct words: the rows `_GROUPED` would make), so only the page's teams have
    their rows grouped, named and ranked. On SQLite one year's teams come in the index's
    order with no sort (the whole range grouped first took 0.81 ms at 373 rows, this 0.50);
    PostgreSQL 0.72 → 0.67 ms. Arguments: the range's (cluster, years, school), the page's
    last position and the one before its first; the range's again, then those two the other
    way round."""
    years = "y.school_year = {}" if one_year else "y.school_year BETWEEN {} AND {}"
    school = " AND y.team IN (SELECT id FROM team WHERE school = {})" if of_school else ""
    rows = f"sale_year_total y WHERE y.cluster = {{}} AND {years} AND y.lines > 0{school}"
    custom = "y.product = 0"
    label = f"CASE WHEN {custom} THEN y.label ELSE '' END"
    price = f"CASE WHEN {custom} THEN NULL ELSE y.unit_price_pence END"
    return (
        "WITH teams AS (SELECT y.team AS team_id,"
        f" COUNT(DISTINCT CASE WHEN {custom} THEN NULL"
        " ELSE y.product || ':' || y.unit_price_pence END)"
        f" + COUNT(DISTINCT CASE WHEN {custom} THEN y.label END) AS n,"
        " CAST(SUM(y.amount_pence - y.cost_pence) AS BIGINT) AS team_profit_pence"
        f" FROM {rows} GROUP BY y.team),"
        " placed AS (SELECT teams.*, t.name AS team,"
        " CAST(SUM(n) OVER (ORDER BY t.name, teams.team_id) - n AS BIGINT) AS before,"
        " CAST(SUM(n) OVER () AS BIGINT) AS total_rows"
        " FROM teams JOIN team t ON t.id = teams.team_id),"
        " chosen AS (SELECT * FROM placed WHERE before < {} AND before + n > {}),"
        f" g AS (SELECT y.team AS team_id, NULLIF(y.product, 0) AS product_id, {label} AS label,"
        f" {price} AS price_pence, SUM(y.quantity) AS units, SUM(y.amount_pence) AS takings_pence,"
        " SUM(y.cost_pence) AS cost_pence, SUM(y.amount_pence - y.cost_pence) AS profit_pence"
        f" FROM {rows} AND y.team IN (SELECT team_id FROM chosen)"
        f" GROUP BY y.team, y.product, {label}, {price})," + _PAGE_OF_CHOSEN
    )


_WHOLE_YEARS = {
    (school, one): _whole_years_sql(school, one)
    for school in (False, True)
    for one in (False, True)
}


def whole_school_years(period: Period) -> tuple[int, int] | None:
    """The range's first and last school years when it is exactly those (no days at its
    edges), else None."""
    years = school_years_within(period)
    if years is None:
        return None
    month, day = SCHOOL_YEAR_STARTS
    first, last = years
    exact = period.start == dt.date(first, month, day)
    return years if exact and period.end == dt.date(last + 1, month, day) - _DAY else None


def _page_query(
    school_id: int | None, period: Period, cluster_id: int
) -> tuple[str, list[Any], list[Any]]:
    """The page's statement, the arguments before the page's first two positions and those
    between them and the last two."""
    years = whole_school_years(period)
    if years is None:
        return _SQL[bool(school_id), True], _arguments(school_id, period, cluster_id), []
    first, last = years
    scope = [
        cluster_id,
        first,
        *([last] if last != first else []),
        *([school_id] if school_id else []),
    ]
    return _WHOLE_YEARS[bool(school_id), first == last], scope, scope


_DAY = dt.timedelta(days=1)


def school_years_within(period: Period) -> tuple[int, int] | None:
    """The first and last school years (named by the year they start in) wholly inside the
    range, or None when it holds no whole one."""
    month, day = SCHOOL_YEAR_STARTS

    def starts(year: int) -> dt.date:
        return dt.date(year, month, day)

    first = period.start.year + (period.start > starts(period.start.year))
    last = period.end.year - (period.end < starts(period.end.year))  # the year `end` is in
    if period.end + _DAY != starts(last + 1):  # not its last day, 31 August: not whole
        last -= 1
    return (first, last) if first <= last else None


def _arguments(school_id: int | None, period: Period, cluster_id: int) -> list[Any]:
    """The edges' days (before and after the whole years) for `sale_total`, then the whole
    school years for `sale_year_total`; a range with no whole year is all edge."""
    years = school_years_within(period)
    school = [school_id] if school_id else []
    if years is None:
        edges = [period.start, period.end, period.end + _DAY, period.end]  # the second: none
        first, last = 1, 0  # no year
    else:
        first, last = years
        month, day = SCHOOL_YEAR_STARTS
        edges = [
            period.start,
            dt.date(first, month, day) - _DAY,
            dt.date(last + 1, month, day),
            period.end,
        ]
    return [cluster_id, *edges, *school, cluster_id, first, last, *school]


def explained(
    school_id: int | None, period: Period, cluster_id: int
) -> list[tuple[str, str, list[Any]]]:
    """The report's query and its arguments, for `bench/report_range.py`'s EXPLAIN."""
    return [("every row", _SQL[bool(school_id), False], _arguments(school_id, period, cluster_id))]


def _with_margins(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unit cost, margin and share of the team's profit per row (the CSV's every row: kept
    to a few operations)."""
    for row in rows:
        team_profit = row.pop("team_profit_pence")
        if row["product_id"] is None:
            row["product"] = f"Custom amount: {row['label']}"
            row["unit_cost_pence"] = row["margin_pence"] = None
        else:
            unit_cost = rounded_division(row["cost_pence"], row["units"])
            row["unit_cost_pence"] = unit_cost
            row["margin_pence"] = row["price_pence"] - unit_cost
        row["share_percent"] = percent(row["profit_pence"], team_profit)
    return rows


class ProductMargins:
    """The report's rows: all of them (the CSV) or one page with the true total (the page);
    the same interface as `ranges.RangeRows`."""

    async def __call__(
        self, school_id: int | None, period: Period, cluster_id: int
    ) -> list[dict[str, Any]]:
        """One row per team, product and price it was sold at; custom amounts (a donation)
        one row per team and words."""
        arguments = _arguments(school_id, period, cluster_id)
        return _with_margins(await SaleTotal.raw(_SQL[bool(school_id), False], *arguments))

    async def page(
        self, school_id: int | None, period: Period, cluster_id: int, number: int, size: int
    ) -> tuple[list[dict[str, Any]], int, int]:
        """(the rows of page `number`, the total, the page shown: past the end, the last)."""
        sql, head, middle = _page_query(school_id, period, cluster_id)

        def arguments(number: int) -> list[Any]:
            after, last = (number - 1) * size, number * size
            return [*head, last, after, *middle, after, last]

        def run(number: int) -> Any:
            return _page_statement(sql, tuple(arguments(number))).run()

        rows = await run(number)
        if not rows and number > 1:
            first = await run(1)
            number = clamp(number, first[0]["total_rows"] if first else 0, size)
            rows = first if number == 1 else await run(number)
        total = rows[0]["total_rows"] if rows else 0
        for row in rows:
            del row["total_rows"]
        return _with_margins(rows), total, number


product_margins = ProductMargins()


@lru_cache(maxsize=256)
def _page_statement(sql: str, arguments: tuple[Any, ...]) -> Any:
    """A page's statement with its values written in (`frozen.py`: PostgreSQL plans it once
    per connection), kept for the ranges and pages asked for again (a handful a day)."""
    return freeze_with_values(SaleTotal.raw(sql, *arguments))


def rounded_division(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest whole number, halves away from zero."""
    if denominator > 0 and numerator >= 0:  # the usual case, at once
        quotient, remainder = divmod(numerator, denominator)
        return quotient + (2 * remainder >= denominator)
    if denominator == 0:
        return 0
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def percent(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole` to one decimal place (33.3); None when the whole is
    not a profit (nothing to share out)."""
    if whole <= 0:
        return None
    return Decimal(rounded_division(part * 1000, whole)).scaleb(-1)  # tenths: 333 -> 33.3
