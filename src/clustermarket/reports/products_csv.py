"""The products report's CSV file (issue 17, target 5): every row of the range from one
statement of tuples in the file's order, written as lines: one format per row, each team's
cell written once for its rows, no cells for the csv writer. The same bytes as
`services.csv_rows` writes for the report's rows (`margins.ProductMargins`: Python's csv
module, minimal quoting, "\\r\\n" line ends; cells safe from spreadsheet formulas; money as
pounds; a share in tenths of a percent, empty when the team made no profit), checked byte
for byte by tests/reports/test_products_csv.py.

The statement is the report's sums (`margins`), asked for as each engine does them best.
SQLite groups with a sort, then sorted again for the order: there the team and product
names are joined first and the rows grouped by the file's order, so that one sort does both
(a third of the statement at 373 rows). PostgreSQL groups by hashing and would hash every
product for the join: there each row's product name is looked up after the grouping."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from clustermarket.db_connections import fetch_tuples
from clustermarket.market.tables import SaleTotal
from clustermarket.reports.margins import (
    _EDGES,
    _ORDER,
    _YEARS,
    _arguments,
    _grouped,
    rounded_division,
)
from clustermarket.reports.periods import Period
from clustermarket.settings import get_settings
from clustermarket.web.csv_stream import CsvLines, spreadsheet_safe

# The rows as (team id, team, product id, product, words, price, units, takings, cost).
_POSTGRES = (
    "SELECT t.id, t.name, g.product_id,"
    " (SELECT p.name FROM product p WHERE p.id = g.product_id) AS product, g.label,"
    " g.price_pence, g.units, g.takings_pence, g.cost_pence"
    " FROM ({grouped}) g JOIN team t ON t.id = g.team_id ORDER BY {order}"
)
# Words for custom amounts only, a price for products only, settled in each part of the sum.
_SETTLED = (
    (
        "st.label, st.unit_price_pence AS price",
        "CASE WHEN st.product IS NULL THEN st.label ELSE '' END AS label,"
        " CASE WHEN st.product IS NULL THEN NULL ELSE st.unit_price_pence END AS price",
    ),
    (
        "y.label, y.unit_price_pence",
        "CASE WHEN y.product = 0 THEN y.label ELSE '' END,"
        " CASE WHEN y.product = 0 THEN NULL ELSE y.unit_price_pence END",
    ),
)
_SQLITE_ORDER = "t.name, t.id, u.product_id IS NULL, p.name, u.price, u.label, u.product_id"
_SQLITE = (
    "SELECT t.id, t.name, u.product_id, p.name, u.label, u.price,"
    " SUM(u.quantity), SUM(u.amount_pence), SUM(u.cost_pence)"
    " FROM ({edges} UNION ALL {years}) u JOIN team t ON t.id = u.team_id"
    f" LEFT JOIN product p ON p.id = u.product_id GROUP BY {_SQLITE_ORDER}"
    f" ORDER BY {_SQLITE_ORDER}"
)


def _statement(postgres: bool, of_school: bool) -> str:
    if postgres:
        return _POSTGRES.format(grouped=_grouped(of_school), order=_ORDER)
    school = " AND {} IN (SELECT id FROM team WHERE school = {})" if of_school else ""
    (edges_was, edges_now), (years_was, years_now) = _SETTLED
    return _SQLITE.format(
        edges=_EDGES.replace(edges_was, edges_now).replace(
            "{school}", school.replace("{} IN", "s.team IN", 1)
        ),
        years=_YEARS.replace(years_was, years_now).replace(
            "{school}", school.replace("{} IN", "y.team IN", 1)
        ),
    )


_STATEMENTS = {
    (pg, school): _statement(pg, school) for pg in (False, True) for school in (False, True)
}


async def products_csv_lines(school_id: int | None, period: Period, cluster_id: int) -> CsvLines:
    """Every row of the products report as the CSV's line (the columns of
    `services.REPORTS["products"]`): one statement."""
    sql = _STATEMENTS[get_settings().is_postgres, bool(school_id)]
    arguments = _arguments(school_id, period, cluster_id)
    rows = await fetch_tuples(SaleTotal, sql, *arguments, values_written=True)  # planned once
    return CsvLines(csv_lines(rows))


# What makes Python's csv writer quote a cell (QUOTE_MINIMAL, "," and '"', "\r\n" ends).
_QUOTED = re.compile('[",\r\n]').search
# A line but its share: team, product, price, unit cost, margin, units, takings, profit.
_GOODS = "%s,%s,%.2f,%.2f,%.2f,%d,%.2f,%.2f,"
_CUSTOM = "%s,%s,,,,%d,%.2f,%.2f,"


def csv_cell(text: str) -> str:
    """A text cell as the csv writer writes it after `spreadsheet_safe`."""
    text = spreadsheet_safe(text)
    if _QUOTED(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_lines(rows: Sequence[Sequence[Any]]) -> list[str]:
    """The file's lines (without their ends) from the rows (team id, team, product id,
    product, words, price, units, takings, cost), which come team by team."""
    lines: list[str] = []
    for _, together in groupby(rows, key=itemgetter(0)):  # a team's rows
        team_rows = list(together)
        team_profit = sum(row[7] - row[8] for row in team_rows)
        team = csv_cell(team_rows[0][1])
        for _, _, product_id, product, label, price, units, takings, cost in team_rows:
            profit = takings - cost
            if product_id is None:
                line = _CUSTOM % (
                    team,
                    csv_cell(f"Custom amount: {label}"),
                    units,
                    takings / 100,
                    profit / 100,
                )
            else:
                unit_cost = rounded_division(cost, units)
                line = _GOODS % (
                    team,
                    csv_cell(product),
                    price / 100,
                    unit_cost / 100,
                    (price - unit_cost) / 100,
                    units,
                    takings / 100,
                    profit / 100,
                )
            if team_profit > 0:  # a share of a profit; none of a loss
                line += tenths_text(rounded_division(profit * 1000, team_profit))
            lines.append(line)
    return lines


def tenths_text(tenths: int) -> str:
    """333 as "33.3", -5 as "-0.5": what `str(margins.percent(...))` gives, without a Decimal."""
    whole, tenth = divmod(abs(tenths), 10)
    return f"{'-' if tenths < 0 else ''}{whole}.{tenth}"
