"""The products report: each product's margin (price less unit cost) and its share of its
team's profit on sales, in integer pence. The database sums per product and price; Python
compares the summed rows (a handful per team)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Sum
from piccolo.querystring import QueryString

from clustermarket.market.tables import SaleTotal
from clustermarket.reports.periods import Period
from clustermarket.reports.ranges import RangeRows, standing_sales

_TEAM = SaleTotal.stall.team


def _sums() -> list[Any]:
    return [
        Sum(SaleTotal.quantity).as_alias("units"),
        Sum(SaleTotal.amount_pence).as_alias("takings_pence"),
        Sum(SaleTotal.cost_pence).as_alias("cost_pence"),
        Sum(QueryString("{} - {}", SaleTotal.amount_pence, SaleTotal.cost_pence)).as_alias(
            "profit_pence"
        ),
    ]


@RangeRows
def _products(school_id: int | None, period: Period) -> Any:
    return (
        SaleTotal.select(
            _TEAM.id.as_alias("team_id"),
            _TEAM.name.as_alias("team"),
            SaleTotal.product.id.as_alias("product_id"),
            SaleTotal.product.name.as_alias("product"),
            SaleTotal.unit_price_pence.as_alias("price_pence"),
            *_sums(),
        )
        .where(standing_sales(school_id, period) & SaleTotal.product.is_not_null())
        .group_by(
            _TEAM.id,
            _TEAM.name,
            SaleTotal.product.id,
            SaleTotal.product.name,
            SaleTotal.unit_price_pence,
        )
        .order_by(_TEAM.name)
        .order_by(SaleTotal.product.name)
        .order_by(SaleTotal.unit_price_pence)
    )


@RangeRows
def _custom_amounts(school_id: int | None, period: Period) -> Any:
    return (
        SaleTotal.select(
            _TEAM.id.as_alias("team_id"), _TEAM.name.as_alias("team"), SaleTotal.label, *_sums()
        )
        .where(standing_sales(school_id, period) & SaleTotal.product.is_null())
        .group_by(_TEAM.id, _TEAM.name, SaleTotal.label)
        .order_by(_TEAM.name)
        .order_by(SaleTotal.label)
    )


async def product_margins(school_id: int | None, period: Period) -> list[dict[str, Any]]:
    """One row per team, product and price it was sold at; custom amounts (a donation) one
    row per team and words. Two queries."""
    products = await _products(school_id, period)
    custom = await _custom_amounts(school_id, period)
    for row in products:
        row["unit_cost_pence"] = rounded_division(row["cost_pence"], row["units"])
        row["margin_pence"] = row["price_pence"] - row["unit_cost_pence"]
    for row in custom:
        row.update(
            product=f"Custom amount: {row.pop('label')}",
            price_pence=None,
            unit_cost_pence=None,
            margin_pence=None,
        )
    rows = sorted([*products, *custom], key=lambda r: (r["team"], r["team_id"]))
    team_profit: dict[int, int] = {}
    for row in rows:
        team_profit[row["team_id"]] = team_profit.get(row["team_id"], 0) + row["profit_pence"]
    for row in rows:
        row["share_percent"] = percent(row["profit_pence"], team_profit[row["team_id"]])
    return rows


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
    return (Decimal(rounded_division(part * 1000, whole)) / 10).quantize(Decimal("0.1"))
