"""The co-op member price: the admin may set a member discount for a market day; every
signed-in account is a member of the co-operative trust (coop/members.py). The discount is
computed here, on the server, inside the transaction that places the order
(services.place_order): each line's unit price is the member price (so Stripe, the stall's
collection sales and the takings all use what was paid), and the full price is kept beside
it for the reports.
"""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.coop.members import is_member
from clustermarket.orders.tables import MemberPrice, OrderLine, PreOrderWindow


def member_unit_price(price_pence: int, percent: int) -> int:
    """The price less the discount, rounded to the nearest penny (halves to the buyer)."""
    if not percent:
        return price_pence
    return price_pence - (price_pence * percent + 50) // 100


async def day_discount(day_id: int, cluster_id: int | None) -> int:
    """The member discount of a market day of this cluster (another cluster's day: none)."""
    row = (
        await PreOrderWindow.select(PreOrderWindow.member_discount_percent)
        .where(
            (PreOrderWindow.market_day == day_id)
            & (PreOrderWindow.market_day.cluster == (cluster_id or 0))
        )
        .first()
    )
    return (row or {}).get("member_discount_percent") or 0


async def discount_for(user: CurrentUser | None, day_id: int | None) -> int:
    """A member of the co-op of the user's own cluster (their session is valid there only)
    gets the discount of that cluster's market days alone."""
    if not day_id or user is None or not is_member(user):
        return 0
    return await day_discount(day_id, user.cluster_id)


def member_total(lines: list[dict[str, Any]], percent: int) -> dict[str, Any]:
    """What a member pays for these basket lines (shown before paying)."""
    total = sum(member_unit_price(x["price_pence"], percent) * x["quantity"] for x in lines)
    full = sum(x["price_pence"] * x["quantity"] for x in lines)
    return {"percent": percent, "total_pence": total, "saving_pence": full - total}


async def keep_full_prices(order_id: int, percent: int, stock: dict[int, Any]) -> None:
    """Inside place_order's write transaction: beside each member-priced line, the full
    price it had (`stock` maps product id to its row with `price_pence`), for the reports."""
    lines = await OrderLine.select(OrderLine.id, OrderLine.product).where(
        OrderLine.order == order_id
    )
    await MemberPrice.insert(
        *[
            MemberPrice(
                line=x["id"],
                full_unit_price_pence=stock[x["product"]]["price_pence"],
                percent=percent,
            )
            for x in lines
        ]
    )


async def receipt_discount(order: dict[str, Any]) -> dict[str, Any]:
    """For the receipt: the member discount included in this order, if any."""
    rows = await MemberPrice.select(
        MemberPrice.full_unit_price_pence, MemberPrice.percent, MemberPrice.line.quantity
    ).where(MemberPrice.line.order == order["id"])
    if not rows:
        return {}
    full = sum(r["full_unit_price_pence"] * r["line.quantity"] for r in rows)
    return {
        "member": {
            "percent": rows[0]["percent"],
            "full_pence": full,
            "saving_pence": full - order["total_pence"],
        }
    }
