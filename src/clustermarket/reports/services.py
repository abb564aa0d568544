"""Takings reports for teachers (their school) and the admin (all schools).

Every report is rows of plain values for one date range (`periods.Period`): the page, its
chart and the CSV file show the same rows. Sums are made by the database (GROUP BY); Python
only adds figures that compare the summed rows (a product's share of its team's profit).
Voided sales are left out everywhere. The sums are of running totals kept by triggers (per
stall and method, `StallMethodTotal`; per product and price, `SaleTotal`), not of every sale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast
from urllib.parse import parse_qsl

from piccolo.query.functions.aggregate import Sum
from piccolo.querystring import QueryString

from clustermarket.market.tables import StallMethodTotal
from clustermarket.money import format_pence
from clustermarket.orders.tables import HOLDING, MemberPrice, OrderStatus
from clustermarket.reports.charts import bar_chart
from clustermarket.reports.cluster import by_school_side_by_side
from clustermarket.reports.margins import product_margins
from clustermarket.reports.periods import Period
from clustermarket.reports.products_csv import products_csv_lines
from clustermarket.reports.ranges import (
    RangeRows,
    in_period,
    standing_sales,
)
from clustermarket.web.csv_stream import FORMULA_STARTS, CsvLines, spreadsheet_safe
from clustermarket.web.pagination import PAGE_SIZE, Page, clamp

# (school or None for all, the range, the request's cluster): rows of that cluster only.
RowsFunction = Callable[[int | None, Period, int], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    columns: list[tuple[str, str]]  # (key, heading)
    chart_label: Callable[[dict[str, Any]], str]
    chart_value: str
    rows: RowsFunction
    chart_is_money: bool = True
    admin_only: bool = False  # compares schools: the admin's alone
    about: str = ""  # one line under the title: what the figures mean
    paged_in_sql: bool = False  # `rows` has `page()` (RangeRows): the database gives the page
    # The CSV file's lines written by the report's own statement, rather than from `rows`.
    csv_lines: Callable[[int | None, Period, int], Awaitable[CsvLines]] | None = None


# Teams, schools and methods read the totals per stall and method: one to three rows a stall.
_TOTALS = StallMethodTotal
_DAY = _TOTALS.stall.market_day.date
_TEAM = _TOTALS.stall.team
_UNITS = Sum(_TOTALS.units).as_alias("units")
_TAKINGS = Sum(_TOTALS.amount_pence).as_alias("takings_pence")


def _standing(school_id: int | None, period: Period, cluster_id: int) -> Any:
    return standing_sales(school_id, period, cluster_id, _TOTALS)


@RangeRows
def _by_team(school_id: int | None, period: Period, cluster_id: int) -> Any:
    return (
        _TOTALS.select(
            _DAY.as_alias("market_day"),
            _TEAM.name.as_alias("team"),
            _TEAM.school.name.as_alias("school"),
            _UNITS,
            _TAKINGS,
        )
        .where(_standing(school_id, period, cluster_id))
        .group_by(_DAY, _TEAM.name, _TEAM.school.name)
        .order_by(_DAY)
        .order_by(_TEAM.name)
        .order_by(_TEAM.school.name)  # two teams of one name: pages stay in one order
    )


@RangeRows
def _by_school(school_id: int | None, period: Period, cluster_id: int) -> Any:
    return (
        _TOTALS.select(
            _DAY.as_alias("market_day"), _TEAM.school.name.as_alias("school"), _UNITS, _TAKINGS
        )
        .where(_standing(school_id, period, cluster_id))
        .group_by(_DAY, _TEAM.school.name)
        .order_by(_DAY)
        .order_by(_TEAM.school.name)
    )


@RangeRows
def _by_method(school_id: int | None, period: Period, cluster_id: int) -> Any:
    return (
        _TOTALS.select(
            _DAY.as_alias("market_day"),
            _TOTALS.method,
            Sum(_TOTALS.tickets).as_alias("sales"),  # a ticket is one sale
            _TAKINGS,
        )
        .where(_standing(school_id, period, cluster_id))
        .group_by(_DAY, _TOTALS.method)
        .order_by(_DAY)
        .order_by(_TOTALS.method)
    )


@RangeRows
def _member_price_sums(school_id: int | None, period: Period, cluster_id: int) -> Any:
    line = MemberPrice.line
    where = line.order.status.is_in([*HOLDING, OrderStatus.collected])
    where &= in_period(line.order.market_day.date, period)
    where &= line.order.market_day.cluster == cluster_id
    if school_id is not None:
        where &= line.stall.team.school == school_id
    day, team = line.order.market_day.date, line.stall.team.name
    return (
        MemberPrice.select(
            day.as_alias("market_day"),
            team.as_alias("team"),
            Sum(line.quantity).as_alias("units"),
            Sum(QueryString("{} * {}", MemberPrice.full_unit_price_pence, line.quantity)).as_alias(
                "full_pence"
            ),
            Sum(QueryString("{} * {}", line.unit_price_pence, line.quantity)).as_alias(
                "takings_pence"
            ),
        )
        .where(where)
        .group_by(day, team)
        .order_by(day)
        .order_by(team)
    )


async def _member_prices(
    school_id: int | None, period: Period, cluster_id: int
) -> list[dict[str, Any]]:
    """Pre-order lines sold at the co-op member price (orders not cancelled, expired or
    refunded): takings at full price against the discount given, per market day and team."""
    rows = await _member_price_sums(school_id, period, cluster_id)
    for row in rows:
        row["discount_pence"] = (row["full_pence"] or 0) - (row["takings_pence"] or 0)
    return rows


def _day(row: dict[str, Any]) -> str:
    return row["market_day"].strftime("%-d %b %Y")


def _product_label(row: dict[str, Any]) -> str:
    price = row["price_pence"]
    return row["product"] if price is None else f"{row['product']} at {format_pence(price)}"


REPORTS = {
    report.slug: report
    for report in [
        Report(
            "teams",
            "Takings by team",
            [
                ("market_day", "Market day"),
                ("team", "Team"),
                ("school", "School"),
                ("units", "Units sold"),
                ("takings_pence", "Takings"),
            ],
            lambda r: f"{_day(r)} · {r['team']}",
            "takings_pence",
            _by_team,
            paged_in_sql=True,
        ),
        Report(
            "schools",
            "Takings by school",
            [
                ("market_day", "Market day"),
                ("school", "School"),
                ("units", "Units sold"),
                ("takings_pence", "Takings"),
            ],
            lambda r: f"{_day(r)} · {r['school']}",
            "takings_pence",
            _by_school,
            paged_in_sql=True,
        ),
        Report(
            "products",
            "Products: margin and profit",
            [
                ("team", "Team"),
                ("product", "Product"),
                ("price_pence", "Price"),
                ("unit_cost_pence", "Unit cost"),
                ("margin_pence", "Margin per unit"),
                ("units", "Units sold"),
                ("takings_pence", "Takings"),
                ("profit_pence", "Profit"),
                ("share_percent", "Share of team profit"),
            ],
            _product_label,
            "profit_pence",
            product_margins,
            paged_in_sql=True,
            csv_lines=products_csv_lines,
            about=(
                "Margin per unit is the price less the unit cost. Profit is takings less the "
                "cost of the units sold; its share is of the team's profit on sales (before "
                "other expenses). A product sold at two prices has a row for each."
            ),
        ),
        Report(
            "methods",
            "Cash, card and online",
            [
                ("market_day", "Market day"),
                ("method", "Paid by"),
                ("sales", "Sales"),
                ("takings_pence", "Takings"),
            ],
            lambda r: f"{_day(r)} · {r['method']}",
            "takings_pence",
            _by_method,
            paged_in_sql=True,
        ),
        Report(
            "member-prices",
            "Co-op member prices (pre-orders)",
            [
                ("market_day", "Market day"),
                ("team", "Team"),
                ("units", "Units"),
                ("full_pence", "At full price"),
                ("discount_pence", "Member discount given"),
                ("takings_pence", "Takings"),
            ],
            lambda r: f"{_day(r)} · {r['team']}",
            "discount_pence",
            _member_prices,
        ),
        Report(
            "cluster",
            "Schools side by side",
            [
                ("school", "School"),
                ("teams", "Teams selling"),
                ("sales", "Sales"),
                ("units", "Units sold"),
                ("takings_pence", "Takings"),
                ("cost_pence", "Cost of goods"),
                ("expenses_pence", "Expenses"),
                ("profit_pence", "Profit"),
                ("preorders", "Pre-orders"),
                ("preordered_units", "Units pre-ordered"),
            ],
            lambda r: r["school"],
            "profit_pence",
            by_school_side_by_side,
            admin_only=True,
            about=(
                "Profit is takings less the cost of the goods sold and the expenses booked for "
                "the range (start-up money to repay is not an expense). A sale is one ticket; "
                "pre-orders count those paid, reserved or collected."
            ),
        ),
    ]
}


def reports_for(is_admin: bool) -> dict[str, Report]:
    return {slug: r for slug, r in REPORTS.items() if is_admin or not r.admin_only}


REPORT_ROWS_PER_PAGE = PAGE_SIZE  # as every list; the chart draws the same rows


async def run_report(
    report: Report, school_id: int | None, period: Period, cluster_id: int, number: int = 1
) -> dict[str, Any]:
    """The report's rows (aggregated in SQL over the whole range, so shares are of all of
    them; of the request's cluster only), a page of them on the page and in its chart."""
    size = REPORT_ROWS_PER_PAGE
    if report.paged_in_sql:
        paged = cast(RangeRows, report.rows)
        shown, total, number = await paged.page(school_id, period, cluster_id, number, size)
    else:
        rows = await report.rows(school_id, period, cluster_id)
        total, number = len(rows), clamp(number, len(rows), size)
        shown = rows[(number - 1) * size : number * size]
    params = {"report": report.slug, "school": school_id or "", **dict(parse_qsl(period.query()))}
    page = Page(shown, total, number, size, path="/reports", params=params)
    bars = [(report.chart_label(r), r[report.chart_value] or 0, "revenue") for r in shown]
    return {
        "report": report,
        "rows": shown,
        "cells": _shown_rows(report, shown),
        "page": page,
        "chart": bar_chart(report.title, bars, money=report.chart_is_money),
    }


def _shown_rows(report: Report, shown: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    """Each row as the table shows it: its first column's text, then (heading, text) for
    each other cell, its `data-label` beside it (a page of 30 rows has up to 270 cells, and
    a loop counter per cell cost more than the cell)."""
    (first, _), *others = report.columns
    rows = []
    for row in shown:
        cells = [(heading, _shown_value(key, row[key])) for key, heading in others]
        rows.append((_shown_value(first, row[first]), cells))
    return rows


def _shown_value(key: str, value: Any) -> str:
    """A figure as the page's table shows it (formatted here once per cell, not in the
    template: a page of 50 rows has up to 450 cells)."""
    if value is None:
        return "–"
    if key.endswith("_pence"):
        return format_pence(value)
    if key.endswith("_percent"):
        return f"{value}%"
    return value.strftime("%-d %b %Y") if key == "market_day" else str(value)


def csv_header(report: Report) -> list[str]:
    return [_csv_heading(key, heading) for key, heading in report.columns]


async def csv_file_rows(
    report: Report, school_id: int | None, period: Period, cluster_id: int
) -> CsvLines | Iterable[Sequence[Any]]:
    """The CSV's rows: written as CSV lines by the report itself when it can write them from
    tuples (the products report: every row of the range, `CsvLines`), else formatted from
    its rows."""
    if report.csv_lines is not None:
        return await report.csv_lines(school_id, period, cluster_id)
    return csv_rows(report, await report.rows(school_id, period, cluster_id))


def csv_rows(report: Report, rows: list[dict[str, Any]]) -> Iterator[list[str]]:
    """The same rows as the page; money as pounds with two decimals, dates as ISO dates.
    Formatted a column at a time (each column's rule chosen once, the plain cases inline
    rather than a call per cell: a CSV may have 10,000 rows), then zipped into rows."""
    columns = [_csv_column(key, [row[key] for row in rows]) for key, _ in report.columns]
    return map(list, zip(*columns, strict=True))


def _csv_column(key: str, values: list[Any]) -> list[str]:
    if key.endswith("_pence"):
        return ["" if v is None else f"{v / 100:.2f}" for v in values]
    # Text that cannot be read as a formula and whole numbers as they are; the rest by rule.
    return [
        v
        if (kind := v.__class__) is str and v[:1] not in FORMULA_STARTS
        else str(v)
        if kind is int or kind is Decimal  # a share: "33.3", "-0.5"
        else _csv_text(v)
        for v in values
    ]


def _csv_heading(key: str, heading: str) -> str:
    if key.endswith("_pence"):
        return f"{heading} (£)"
    return f"{heading} (%)" if key.endswith("_percent") else heading


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return spreadsheet_safe(str(value))
