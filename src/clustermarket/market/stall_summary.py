"""The end of the day: a printable stall summary and the team's best sellers."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from clustermarket.market.tables import Sale, SaleKind
from clustermarket.market.takings import cash_summary, stall_takings

_UNITS = Sum(Sale.quantity).as_alias("units")
_TAKINGS = Sum(Sale.amount_pence).as_alias("takings_pence")
_NAME = Sale.product.name.as_alias("product")


async def stall_summary(stall: dict[str, Any]) -> dict[str, Any]:
    """Takings by method, items per product, custom amounts, the cash tin, flagged sales."""
    standing = (Sale.stall == stall["id"]) & Sale.voided_at.is_null()
    takings = await stall_takings(stall["id"])
    per_product = (
        await Sale.select(_NAME, _UNITS, _TAKINGS)
        .where(standing & (Sale.kind != SaleKind.custom))
        .group_by(Sale.product.name)
        .order_by(Sale.product.name)
    )
    custom = (
        await Sale.select(Sale.label, Count(Sale.id).as_alias("count"), _TAKINGS)
        .where(standing & (Sale.kind == SaleKind.custom))
        .group_by(Sale.label)
        .order_by(Sale.label)
    )
    flagged = (
        await Sale.select(Sale.recorded_at, _NAME, Sale.quantity, Sale.amount_pence, Sale.method)
        .where(standing & (Sale.beyond_stock == True))  # noqa: E712 - a Piccolo expression
        .order_by(Sale.recorded_at)
    )
    voided = await Sale.count(distinct=[Sale.ticket]).where(
        (Sale.stall == stall["id"]) & Sale.voided_at.is_not_null()
    )
    return {
        "takings": takings,
        "per_product": per_product,
        "custom": custom,
        "cash": cash_summary(stall, takings),
        "flagged": flagged,
        "voided": voided,
        "best": await best_sellers(stall["team_id"]),
    }


async def best_sellers(team_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """The team's products by items sold over every market day, most first."""
    rows = (
        await Sale.select(_NAME, _UNITS, _TAKINGS)
        .where(
            (Sale.stall.team == team_id) & Sale.voided_at.is_null() & (Sale.kind != SaleKind.custom)
        )
        .group_by(Sale.product.name)
    )
    rows.sort(key=lambda row: (-(row["units"] or 0), -(row["takings_pence"] or 0), row["product"]))
    return rows[:limit]
