"""The stock each stall brings: the form of a team's products and setting how many of each
come (and may be pre-ordered), never below what sold or was pre-ordered."""

from __future__ import annotations

from typing import Any

from clustermarket.catalogue.tables import Product
from clustermarket.frozen import Prepared
from clustermarket.market import allowance
from clustermarket.market.services import MarketError, write_transaction
from clustermarket.market.tables import MarketStatus, StallStock
from clustermarket.moderation.content import PRODUCT

MAX_STOCK = 1000  # per product per stall: more than any school team makes in a month


# Built once (`frozen.Prepared`): the stall's stock form reads them on every view.
_TEAM_PRODUCTS = Prepared(
    lambda team_id: (
        Product.select(
            Product.id,
            Product.published_name.as_alias("name"),
            Product.published_price_pence.as_alias("price_pence"),
        )
        .where((Product.team == team_id) & PRODUCT.public_where())
        .order_by(Product.published_name)
    )
)
_STOCK = Prepared(
    lambda stall_id: StallStock.select(
        StallStock.product,
        StallStock.brought,
        StallStock.left,
        StallStock.preorder_allowance,
        StallStock.preordered,
    ).where(StallStock.stall == stall_id)
)


async def stock_form(stall: dict[str, Any]) -> list[dict[str, Any]]:
    """Every product the team may sell, with what this stall brings of it (two queries)."""
    products = await _TEAM_PRODUCTS.run(stall["team_id"])
    stock = {row["product"]: row for row in await _STOCK.run(stall["id"])}
    empty = {"brought": 0, "left": 0, "preorder_allowance": None, "preordered": 0}
    for product in products:
        row = stock.get(product["id"], empty)
        product["brought"], product["sold"] = row["brought"], row["brought"] - row["left"]
        product["allowance_set"] = row["preorder_allowance"]
        product["allowance"] = allowance.effective(row)
        product["preordered"] = row["preordered"]
    return products


def parse_count(raw: str, what: str, maximum: int) -> int:
    """A whole number from 0 to `maximum` typed in a form, or a MarketError naming `what`."""
    raw = (raw or "").strip() or "0"
    try:
        value = int(raw)
    except ValueError:
        raise MarketError(f"{what}: type a whole number, like 12.") from None
    if not 0 <= value <= maximum:
        raise MarketError(f"{what}: the number must be between 0 and {maximum}.")
    return value


async def set_stock(
    stall: dict[str, Any],
    quantities: dict[int, int],
    allowances: dict[int, int | None] | None = None,
) -> None:
    """Say how many of each product the stall brings, and how many of them may be pre-ordered
    (None: the default, half). All or nothing; never below what sold or was pre-ordered."""
    allowances = allowances or {}
    if stall["day_status"] == MarketStatus.closed or stall["closed_at"] is not None:
        raise MarketError("This stall is closed: its stock can no longer change.")
    products = {p["id"]: p for p in await stock_form(stall)}
    for product_id, brought in quantities.items():
        if product_id not in products:
            raise MarketError("One of those products is not your team's to sell.")
        if not 0 <= brought <= MAX_STOCK:
            raise MarketError(f"Bring between 0 and {MAX_STOCK} of each product.")
        if brought < products[product_id]["sold"]:
            raise MarketError(
                f"{products[product_id]['name']}: {products[product_id]['sold']} already sold, "
                "so the stall cannot have brought fewer."
            )
        allowance.check(products[product_id], brought, allowances.get(product_id))
    async with write_transaction():
        for product_id, brought in quantities.items():
            await _set_one_stock(stall["id"], product_id, brought, allowances.get(product_id))


async def _set_one_stock(
    stall_id: int, product_id: int, brought: int, pre_orders: int | None = None
) -> None:
    row = (
        await StallStock.select(StallStock.id, StallStock.brought)
        .where((StallStock.stall == stall_id) & (StallStock.product == product_id))
        .first()
    )
    if row is None:
        await StallStock.insert(
            StallStock(
                stall=stall_id,
                product=product_id,
                brought=brought,
                left=brought,
                preorder_allowance=pre_orders,
            )
        )
        return
    change = brought - row["brought"]
    # One conditional UPDATE: a sale or pre-order that lands meanwhile is never lost or oversold.
    updated = (
        await StallStock.update(
            {
                StallStock.brought: brought,
                StallStock.left: StallStock.left + change,
                StallStock.preorder_allowance: pre_orders,
            }
        )
        .where(
            (StallStock.id == row["id"])
            & (StallStock.left >= -change)
            & allowance.keeps_what_was_pre_ordered(brought, pre_orders)
        )
        .returning(StallStock.id)
    )
    if not updated:
        raise MarketError("More were sold or pre-ordered meanwhile than that. Please look again.")
