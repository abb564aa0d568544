"""What the stall screen shows: its reads, the panel built from them, and the smaller answer
to a tap (the tapped product's tile, the takings and the new sale's line)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from clustermarket.market.sales import (
    _SALE_COLUMNS,
    MAX_QUANTITY,
    UNDO_MINUTES,
    SaleOutcome,
    _aware,
    _can_sell,
)
from clustermarket.market.tables import Sale, StallStock
from clustermarket.market.takings import stall_takings
from clustermarket.moderation.content import PRODUCT
from clustermarket.timeutil import now

RECENT_SALES = 6
# Built once, like sales.py's columns: Piccolo deep-copies a column for every alias.
_SCREEN_COLUMNS = (
    StallStock.product.id.as_alias("id"),
    StallStock.brought,
    StallStock.left,
    StallStock.product.published_name.as_alias("name"),
    StallStock.product.published_price_pence.as_alias("price_pence"),
)
_SCREEN_ORDER = StallStock.product.published_name
_SELLABLE_STOCK = PRODUCT.public_where(StallStock.product)


def last_sales_sql(stall: str) -> str:
    """The last sales as the panel lists them, for the tap's SQL (market/tap.py on
    PostgreSQL, market/tap_sqlite.py): `stall`, the outer query's stall id."""
    return f"""
        SELECT sa.id, sa.client_id, sa.stall, sa.quantity, sa.amount_pence, sa.method,
            sa.tendered_pence, sa.recorded_at, sa.voided_at,
            p.published_name AS product_name
        FROM sale sa LEFT JOIN product p ON p.id = sa.product
        WHERE sa.stall = {stall} ORDER BY sa.id DESC LIMIT {RECENT_SALES}"""


async def stall_screen(stall: dict[str, Any]) -> dict[str, Any]:
    """Products with what is left, takings by method, the last sales. Three queries."""
    products = (
        await StallStock.select(*_SCREEN_COLUMNS)
        .where((StallStock.stall == stall["id"]) & (StallStock.brought > 0) & _SELLABLE_STOCK)
        .order_by(_SCREEN_ORDER)
    )
    takings = await stall_takings(stall["id"])
    recent = (
        await Sale.select(*_SALE_COLUMNS)
        .where(Sale.stall == stall["id"])
        .order_by(Sale.id, ascending=False)
        .limit(RECENT_SALES)
    )
    return panel(stall, products, takings, recent)


def panel(
    stall: dict[str, Any],
    products: list[dict[str, Any]],
    takings: dict[str, int],
    recent: list[dict[str, Any]],
) -> dict[str, Any]:
    """What the stall screen shows, from its reads (here, or market/tap.py's one statement)."""
    _mark_undo(recent)
    for product in products:
        product["sale_id"] = str(uuid.uuid4())  # each tap carries a fresh id made here
    return {
        "products": products,
        "takings": takings,
        "recent": recent,
        "can_sell": _can_sell(stall),
        "undo_minutes": UNDO_MINUTES,
        "max_quantity": MAX_QUANTITY,
    }


def tap_answer(
    stall: dict[str, Any],
    product_id: int,
    products: list[dict[str, Any]],
    takings: dict[str, int],
    recent: list[dict[str, Any]],
    outcome: SaleOutcome | None = None,
) -> dict[str, Any] | None:
    """What a tap changes on the stall screen, from the same reads as `panel`: the tapped
    product's tile (what is left, with a fresh sale id for its next tap), the takings and
    the line of the sale it made (`new_sales`: none if refused; None, the whole list, for a
    repeat, whose first answer may never have arrived). None when the tap did not reach a
    product the screen shows or the stall cannot sell: then the whole panel changes."""
    product = next((p for p in products if p["id"] == product_id), None)
    if product is None or not _can_sell(stall):
        return None
    new_sales: list[dict[str, Any]] | None = []
    if outcome is not None:
        made = not outcome.repeated and recent and recent[0]["id"] == outcome.sale["id"]
        new_sales = recent[:1] if made else None
    _mark_undo(recent if new_sales is None else new_sales)
    return {
        "product": {**product, "sale_id": str(uuid.uuid4())},
        "takings": takings,
        "recent": recent,
        "new_sales": new_sales,
        "can_sell": True,
    }


def _mark_undo(recent: list[dict[str, Any]]) -> None:
    cutoff = now() - dt.timedelta(minutes=UNDO_MINUTES)
    for sale in recent:
        sale["can_undo"] = sale["voided_at"] is None and _aware(sale["recorded_at"]) >= cutoff
