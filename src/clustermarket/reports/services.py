"""Takings reports for teachers (their school) and the admin (all schools).

Every report is rows of plain values: the page, its chart and the CSV file show the same rows.
Voided sales are left out everywhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from clustermarket.market.tables import Sale
from clustermarket.orders.tables import HOLDING, MemberPrice, OrderStatus
from clustermarket.reports.charts import bar_chart
from clustermarket.web.pagination import Page, clamp


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    columns: list[tuple[str, str]]  # (key, heading)
    chart_label: Callable[[dict[str, Any]], str]
    chart_value: str
    rows: Callable[[int | None, int | None], Awaitable[list[dict[str, Any]]]]
    chart_is_money: bool = True


def _standing_sales(school_id: int | None, day_id: int | None):
    where = Sale.voided_at.is_null()
    if school_id is not None:
        where &= Sale.stall.team.school == school_id
    if day_id is not None:
        where &= Sale.stall.market_day == day_id
    return where


_DAY = Sale.stall.market_day.date
_UNITS = Sum(Sale.quantity).as_alias("units")
_TAKINGS = Sum(Sale.amount_pence).as_alias("takings_pence")


async def _by_team(school_id: int | None, day_id: int | None) -> list[dict[str, Any]]:
    return (
        await Sale.select(
            _DAY.as_alias("market_day"),
            Sale.stall.team.name.as_alias("team"),
            Sale.stall.team.school.name.as_alias("school"),
            _UNITS,
            _TAKINGS,
        )
        .where(_standing_sales(school_id, day_id))
        .group_by(_DAY, Sale.stall.team.name, Sale.stall.team.school.name)
        .order_by(_DAY)
        .order_by(Sale.stall.team.name)
    )


async def _by_school(school_id: int | None, day_id: int | None) -> list[dict[str, Any]]:
    return (
        await Sale.select(
            _DAY.as_alias("market_day"),
            Sale.stall.team.school.name.as_alias("school"),
            _UNITS,
            _TAKINGS,
        )
        .where(_standing_sales(school_id, day_id))
        .group_by(_DAY, Sale.stall.team.school.name)
        .order_by(_DAY)
        .order_by(Sale.stall.team.school.name)
    )


async def _by_product(school_id: int | None, day_id: int | None) -> list[dict[str, Any]]:
    rows = (
        await Sale.select(
            Sale.stall.team.name.as_alias("team"),
            Sale.product.name.as_alias("product"),
            Sale.label,
            _UNITS,
            _TAKINGS,
        )
        .where(_standing_sales(school_id, day_id))
        .group_by(Sale.stall.team.name, Sale.product.name, Sale.label)
        .order_by(Sale.stall.team.name)
        .order_by(Sale.product.name)
    )
    for row in rows:  # a ticket's custom amount (a donation) has no product: say so
        label = row.pop("label")
        if row["product"] is None:
            row["product"] = f"Custom amount: {label}"
    return rows


async def _by_method(school_id: int | None, day_id: int | None) -> list[dict[str, Any]]:
    return (
        await Sale.select(
            _DAY.as_alias("market_day"),
            Sale.method,
            Count(distinct=[Sale.ticket]).as_alias("sales"),  # a ticket is one sale
            _TAKINGS,
        )
        .where(_standing_sales(school_id, day_id))
        .group_by(_DAY, Sale.method)
        .order_by(_DAY)
        .order_by(Sale.method)
    )


async def _member_prices(school_id: int | None, day_id: int | None) -> list[dict[str, Any]]:
    """Pre-order lines sold at the co-op member price (orders not cancelled, expired or
    refunded): takings at full price against the discount given, per market day and team."""
    line = MemberPrice.line
    where = line.order.status.is_in([*HOLDING, OrderStatus.collected])
    if school_id is not None:
        where &= line.stall.team.school == school_id
    if day_id is not None:
        where &= line.order.market_day == day_id
    rows = await MemberPrice.select(
        line.order.market_day.date.as_alias("market_day"),
        line.stall.team.name.as_alias("team"),
        line.quantity.as_alias("units"),
        MemberPrice.full_unit_price_pence.as_alias("full"),
        line.unit_price_pence.as_alias("paid"),
    ).where(where)
    totals: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = (r["market_day"], r["team"])
        row = totals.setdefault(
            key,
            {
                **dict(zip(("market_day", "team"), key, strict=True)),
                "units": 0,
                "full_pence": 0,
                "discount_pence": 0,
                "takings_pence": 0,
            },
        )
        row["units"] += r["units"]
        row["full_pence"] += r["full"] * r["units"]
        row["takings_pence"] += r["paid"] * r["units"]
        row["discount_pence"] = row["full_pence"] - row["takings_pence"]
    return [totals[k] for k in sorted(totals)]


def _day(row: dict[str, Any]) -> str:
    return row["market_day"].strftime("%-d %b %Y")


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
        ),
        Report(
            "products",
            "Units sold per product",
            [
                ("team", "Team"),
                ("product", "Product"),
                ("units", "Units sold"),
                ("takings_pence", "Takings"),
            ],
            lambda r: r["product"],
            "units",
            _by_product,
            chart_is_money=False,
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
    ]
}


REPORT_ROWS_PER_PAGE = 50


async def run_report(
    report: Report, school_id: int | None, day_id: int | None, number: int = 1
) -> dict[str, Any]:
    """The report's rows (aggregated in SQL), a page of them on the page and in its chart."""
    rows = await report.rows(school_id, day_id)
    size = REPORT_ROWS_PER_PAGE
    number = clamp(number, len(rows), size)
    shown = rows[(number - 1) * size : number * size]
    params = {"report": report.slug, "school": school_id or "", "day": day_id or ""}
    page = Page(shown, len(rows), number, size, path="/reports", params=params)
    bars = [(report.chart_label(r), r[report.chart_value] or 0, "revenue") for r in shown]
    return {
        "report": report,
        "rows": shown,
        "page": page,
        "chart": bar_chart(report.title, bars, money=report.chart_is_money),
    }


def csv_header(report: Report) -> list[str]:
    return [heading + (" (£)" if key.endswith("_pence") else "") for key, heading in report.columns]


def csv_rows(report: Report, rows: list[dict[str, Any]]) -> Iterator[list[str]]:
    """The same rows as the page; money as pounds with two decimals, dates as ISO dates."""
    for row in rows:
        yield [_csv_value(key, row[key]) for key, _ in report.columns]


def _csv_value(key: str, value: Any) -> str:
    if key.endswith("_pence"):
        return f"{(value or 0) / 100:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    # A cell starting with = + - @ would be a formula in a spreadsheet: quote it away.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
