"""The pre-order allowance: how many of each product a stall lets the public pre-order.

A team sets it where it says what the stall brings; the rest is kept for selling at the
stall, so one buyer (or a few) can never empty a market from home. Not set (NULL) means the
default: half of what is brought, rounded down. `preordered` counts the units pre-orders
took and did not give back (held or collected); it moves only together with `left`, in the
same conditional UPDATE, so it never passes the allowance, also under many requests at once.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns.combination import WhereRaw

DEFAULT_SHARE = 2  # allowance not set: brought // 2 may be pre-ordered


def default_allowance(brought: int) -> int:
    return brought // DEFAULT_SHARE


def effective(row: dict[str, Any]) -> int:
    """The allowance in force for a stall_stock row (brought, preorder_allowance)."""
    if row.get("preorder_allowance") is None:
        return default_allowance(row["brought"])
    return row["preorder_allowance"]


def left_to_pre_order(row: dict[str, Any]) -> int:
    """What the public can still pre-order: the allowance not yet taken, and never more
    than the stall has left (row: brought, left, preorder_allowance, preordered)."""
    return max(0, min(row["left"], effective(row) - row["preordered"]))


def room_for(quantity: int) -> WhereRaw:
    """A condition for an UPDATE of stall_stock: `quantity` more fit in the allowance.
    Integer division rounds down on SQLite and PostgreSQL alike."""
    return WhereRaw(
        f"preordered + {{}} <= COALESCE(preorder_allowance, brought / {DEFAULT_SHARE})",
        quantity,
    )


def keeps_what_was_pre_ordered(brought: int, new_allowance: int | None) -> WhereRaw:
    """A condition for changing a row's brought/allowance: what pre-orders already took
    still fits the new allowance (checked in the UPDATE itself, so a pre-order landing
    meanwhile is never squeezed out)."""
    limit = default_allowance(brought) if new_allowance is None else new_allowance
    return WhereRaw("preordered <= {}", limit)


def check(product: dict[str, Any], brought: int, new_allowance: int | None) -> None:
    """A team's new allowance for a product (from `stock_form`): from 0 to what is brought,
    and not below what was pre-ordered already. MarketError with a message if not."""
    from clustermarket.market.services import MarketError

    limit = default_allowance(brought) if new_allowance is None else new_allowance
    if new_allowance is not None and not 0 <= new_allowance <= brought:
        raise MarketError(
            f"{product['name']}: the number that may be pre-ordered must be between 0 and "
            f"the {brought} the stall brings."
        )
    if limit < product["preordered"]:
        raise MarketError(
            f"{product['name']}: {product['preordered']} are pre-ordered already, so at least "
            "that many must stay open to pre-orders."
        )
