"""The co-op member price: the admin may set a member discount for a market day; every
signed-in account is a member of the co-operative trust (coop/members.py). The discount is
computed here, on the server, when the order is placed: each line's unit price becomes the
member price (so Stripe, the stall's collection sales and the takings all use what was
paid), and the full price is kept beside it for the reports.
"""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.market.services import write_transaction
from clustermarket.orders.tables import MemberPrice, Order, OrderLine, PreOrderWindow


def is_member(user: CurrentUser | None) -> bool:
    return user is not None


def member_unit_price(price_pence: int, percent: int) -> int:
    """The price less the discount, rounded to the nearest penny (halves to the buyer)."""
    return price_pence - (price_pence * percent + 50) // 100


async def day_discount(day_id: int) -> int:
    row = (
        await PreOrderWindow.select(PreOrderWindow.member_discount_percent)
        .where(PreOrderWindow.market_day == day_id)
        .first()
    )
    return (row or {}).get("member_discount_percent") or 0


async def discount_for(user: CurrentUser | None, day_id: int | None) -> int:
    return await day_discount(day_id) if day_id and is_member(user) else 0


def member_total(lines: list[dict[str, Any]], percent: int) -> dict[str, Any]:
    """What a member pays for these basket lines (shown before paying)."""
    total = sum(member_unit_price(x["price_pence"], percent) * x["quantity"] for x in lines)
    full = sum(x["price_pence"] * x["quantity"] for x in lines)
    return {"percent": percent, "total_pence": total, "saving_pence": full - total}


async def apply_member_price(order_id: int, percent: int) -> None:
    """Turn a just-placed order's lines into member prices, keeping the full prices."""
    async with write_transaction():
        lines = await OrderLine.select(OrderLine.id, OrderLine.unit_price_pence).where(
            OrderLine.order == order_id
        )
        for line in lines:
            price = member_unit_price(line["unit_price_pence"], percent)
            await OrderLine.update({OrderLine.unit_price_pence: price}).where(
                OrderLine.id == line["id"]
            )
        await MemberPrice.insert(
            *[
                MemberPrice(
                    line=x["id"], full_unit_price_pence=x["unit_price_pence"], percent=percent
                )
                for x in lines
            ]
        )
        paid = await OrderLine.select(OrderLine.quantity, OrderLine.unit_price_pence).where(
            OrderLine.order == order_id
        )
        await Order.update(
            {Order.total_pence: sum(x["quantity"] * x["unit_price_pence"] for x in paid)}
        ).where(Order.id == order_id)


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
