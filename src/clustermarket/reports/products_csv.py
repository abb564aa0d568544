"""The products report's CSV file, written as text from the statement's tuples (issue 17,
target 5): each line one f-string, each team's cell written once for its rows, no cell
tuples for the csv writer. The same bytes as `services.csv_rows` writes for the report's
rows (Python's csv module: minimal quoting, "\\r\\n" line ends; cells safe from spreadsheet
formulas; money as pounds; a share in tenths of a percent, empty when the team made no
profit), checked byte for byte by tests/reports/test_products_csv.py."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from clustermarket.web.csv_stream import FORMULA_STARTS

# What makes Python's csv writer quote a cell (QUOTE_MINIMAL, "," and '"', "\r\n" ends).
_QUOTED = re.compile('[",\r\n]').search
# A cell written as it is: no formula start, nothing to quote (one test for the usual case).
_PLAIN = re.compile('[^=+\\-@",\r\n][^",\r\n]*\\Z').match
# A line but its share: team, product, price, unit cost, margin, units, takings, profit.
_GOODS = "%s,%s,%.2f,%.2f,%.2f,%d,%.2f,%.2f,"
_CUSTOM = "%s,%s,,,,%d,%.2f,%.2f,"


def csv_cell(text: str) -> str:
    """A text cell as the csv writer writes it after `spreadsheet_safe`."""
    if text[:1] in FORMULA_STARTS:
        text = "'" + text
    if _QUOTED(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_lines(rows: Sequence[Sequence[Any]]) -> list[str]:
    """The file's lines (without their ends) from the rows (team id, team, product id,
    product, words, price, units, takings, cost, profit), which come team by team."""
    lines: list[str] = []
    start, count = 0, len(rows)
    while start < count:
        team_id, end = rows[start][0], start + 1
        while end < count and rows[end][0] == team_id:
            end += 1
        team_rows = rows[start:end]
        team_profit = sum(row[9] for row in team_rows)
        team = csv_cell(rows[start][1])
        for _, _, product_id, product, label, price, units, takings, cost, profit in team_rows:
            if product_id is None:
                line = _CUSTOM % (
                    team,
                    csv_cell(f"Custom amount: {label}"),
                    units,
                    takings / 100,
                    profit / 100,
                )
            else:
                if units > 0 and cost >= 0:  # the usual case, at once
                    unit_cost, left = divmod(cost, units)
                    unit_cost += 2 * left >= units
                else:
                    unit_cost = rounded_division(cost, units)
                line = _GOODS % (
                    team,
                    product if _PLAIN(product) else csv_cell(product),
                    price / 100,
                    unit_cost / 100,
                    (price - unit_cost) / 100,
                    units,
                    takings / 100,
                    profit / 100,
                )
            if team_profit <= 0:
                lines.append(line)
            elif profit >= 0:
                tenths, left = divmod(profit * 1000, team_profit)
                tenths += 2 * left >= team_profit
                lines.append(f"{line}{tenths // 10}.{tenths % 10}")
            else:
                lines.append(line + tenths_text(rounded_division(profit * 1000, team_profit)))
        start = end
    return lines


def tenths_text(tenths: int) -> str:
    """333 as "33.3", -5 as "-0.5": what `str(percent(...))` gives, without a Decimal."""
    whole, tenth = divmod(abs(tenths), 10)
    return f"{'-' if tenths < 0 else ''}{whole}.{tenth}"


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
