"""The products report: each product's margin (price less unit cost) and its share of its
team's profit on sales, in integer pence. One query sums per team, product and price (and per
team and words for custom amounts), gives each row its team's profit (a window over every row
of the range) and the number of rows, and returns one page of them, so a page of a year of
sales costs what a page of a day costs; Python only divides, on the rows it shows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clustermarket.market.tables import SaleTotal
from clustermarket.reports.periods import Period
from clustermarket.web.pagination import clamp

_SUMS = (
    "SUM(st.quantity) AS units, SUM(st.amount_pence) AS takings_pence, "
    "SUM(st.cost_pence) AS cost_pence, SUM(st.amount_pence - st.cost_pence) AS profit_pence"
)
_FROM = (
    "FROM sale_total st JOIN stall s ON s.id = st.stall "
    "JOIN market_day d ON d.id = s.market_day LEFT JOIN team t ON t.id = s.team "
)
# Sales that stand, on a market day of the range and cluster (of one school's teams: {school}).
_WHERE = "WHERE st.lines > 0 AND d.date >= {} AND d.date <= {} AND d.cluster = {} "


def _sql(of_school: bool, paged: bool) -> str:
    where = _WHERE + ("AND t.school = {} " if of_school else "")
    products = (
        "SELECT t.id AS team_id, t.name AS team, p.id AS product_id, p.name AS product, "
        f"'' AS label, st.unit_price_pence AS price_pence, {_SUMS} "
        f"{_FROM}JOIN product p ON p.id = st.product {where}"
        "GROUP BY t.id, t.name, p.id, p.name, st.unit_price_pence"
    )
    custom = (
        "SELECT t.id, t.name, NULL, NULL, st.label, NULL, "
        f"{_SUMS} {_FROM}{where}AND st.product IS NULL GROUP BY t.id, t.name, st.label"
    )
    # Within a team, products by name and price, then custom amounts by their words.
    return (
        "SELECT r.*, CAST(SUM(r.profit_pence) OVER (PARTITION BY r.team_id) AS BIGINT) "
        "AS team_profit_pence"
        + (", COUNT(*) OVER () AS total_rows" if paged else "")
        + f" FROM ({products} UNION ALL {custom}) r ORDER BY r.team, r.team_id, "
        "r.product_id IS NULL, r.product, r.price_pence, r.label"
        + (" LIMIT {} OFFSET {}" if paged else "")
    )


_SQL = {(school, paged): _sql(school, paged) for school in (False, True) for paged in (False, True)}


def _arguments(school_id: int | None, period: Period, cluster_id: int) -> list[Any]:
    one = [period.start, period.end, cluster_id] + ([school_id] if school_id else [])
    return one + one  # the products' select, then the custom amounts'


def _with_margins(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        if row["product_id"] is None:
            row.update(
                product=f"Custom amount: {row['label']}",
                unit_cost_pence=None,
                margin_pence=None,
            )
        else:
            row["unit_cost_pence"] = rounded_division(row["cost_pence"], row["units"])
            row["margin_pence"] = row["price_pence"] - row["unit_cost_pence"]
        row["share_percent"] = percent(row["profit_pence"], row.pop("team_profit_pence"))
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
        sql, arguments = _SQL[bool(school_id), True], _arguments(school_id, period, cluster_id)
        rows = await SaleTotal.raw(sql, *arguments, size, (number - 1) * size)
        if not rows and number > 1:
            first = await SaleTotal.raw(sql, *arguments, size, 0)
            number = clamp(number, first[0]["total_rows"] if first else 0, size)
            rows = (
                first
                if number == 1
                else await SaleTotal.raw(sql, *arguments, size, (number - 1) * size)
            )
        total = rows[0]["total_rows"] if rows else 0
        for row in rows:
            del row["total_rows"]
        return _with_margins(rows), total, number


product_margins = ProductMargins()


def rounded_division(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest whole number, halves away from zero."""
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
