"""Pre-orders at the stall: what is left to hand over, and handing it over (each line
becomes one sale, once)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.market import preorder_stock, sales
from clustermarket.market.services import fits_database, write_transaction
from clustermarket.market.tables import PaymentMethod
from clustermarket.orders.errors import OrderError
from clustermarket.orders.tables import Order, OrderLine, OrderStatus
from clustermarket.timeutil import now

log = logging.getLogger("clustermarket.orders")

LINE_SALE_IDS = uuid.UUID("6f1c0f36-7d4c-4f0e-9d55-2b7a3f6b8e10")  # namespace for sale ids


def line_sale_id(line_id: int) -> str:
    """The sale id of a collected line: the same line can only ever make one sale."""
    return str(uuid.uuid5(LINE_SALE_IDS, f"order-line-{line_id}"))


async def is_pre_order_sale(stall_id: int, client_id: str) -> bool:
    """Whether a stall's sale is a collected pre-order line (undone only through the order)."""
    lines = await OrderLine.select(OrderLine.id).where(
        (OrderLine.stall == stall_id) & OrderLine.collected_at.is_not_null()
    )
    return client_id in {line_sale_id(line["id"]) for line in lines}


def first_name(buyer_name: str) -> str:
    return (buyer_name.split() or [""])[0]


# Written as SQL (the same on both engines): the stall screen runs it on every view, and
# Piccolo built the joined select anew each time, about half the screen's handler (issue 17).
_TO_COLLECT_SQL = (
    "SELECT o.id AS order_id, o.buyer_name AS buyer, o.status AS status,"
    " l.product_name AS product_name, l.quantity AS quantity,"
    " l.unit_price_pence AS unit_price_pence"
    ' FROM order_line l JOIN pre_order o ON o.id = l."order"'
    " WHERE l.stall = {} AND l.collected_at IS NULL AND l.released_at IS NULL"
    " AND o.status IN ({}, {}) ORDER BY o.id, l.id"
)


async def orders_to_collect(stall_id: int) -> list[dict[str, Any]]:
    """Paid and reserved pre-orders with something still to hand over at this stall."""
    rows = await OrderLine.raw(
        _TO_COLLECT_SQL, stall_id, OrderStatus.paid.value, OrderStatus.reserved.value
    )
    orders: dict[int, dict[str, Any]] = {}
    for row in rows:
        order = orders.setdefault(
            row["order_id"],
            {
                "id": row["order_id"],
                "first_name": first_name(row["buyer"]),
                "status": row["status"],
                "lines": [],
                "amount_pence": 0,
            },
        )
        order["lines"].append(row)
        order["amount_pence"] += row["quantity"] * row["unit_price_pence"]
    return list(orders.values())


async def collect_order(
    user: CurrentUser, stall: dict[str, Any], order_id: int, method: str
) -> str:
    """Hand over this stall's part of an order; each line becomes a sale once. A paid order's
    sales are "online"; a reservation is paid now, by cash or card."""
    sales._check_can_sell(stall)
    if not fits_database(order_id):
        raise NotFound()
    async with write_transaction():
        # Touching the order row first locks it (PostgreSQL), so a refund cannot cross this.
        touched = (
            await Order.update({Order.updated_at: now()})
            .where(
                (Order.id == order_id)
                & Order.status.is_in([OrderStatus.paid, OrderStatus.reserved])
            )
            .returning(Order.status)
        )
        if not touched:
            raise OrderError("This pre-order cannot be collected: it is not paid or reserved.")
        if touched[0]["status"] == OrderStatus.paid:
            method = PaymentMethod.online
        elif method not in (PaymentMethod.cash, PaymentMethod.card):
            raise OrderError("This order is to be paid now: choose cash or card.")
        lines = (
            await OrderLine.update({OrderLine.collected_at: now(), OrderLine.collected_by: user.id})
            .where(
                (OrderLine.order == order_id)
                & (OrderLine.stall == stall["id"])
                & OrderLine.collected_at.is_null()
                & OrderLine.released_at.is_null()
            )
            .returning(
                OrderLine.id, OrderLine.product, OrderLine.quantity, OrderLine.unit_price_pence
            )
        )
        if not lines:
            raise OrderError("Nothing of this order is left to collect at this stall.")
        for line in lines:
            await preorder_stock.record_collected_sale(
                user,
                stall["id"],
                line["product"],
                line["quantity"],
                line["unit_price_pence"],
                method,
                line_sale_id(line["id"]),
            )
        if not await OrderLine.exists().where(
            (OrderLine.order == order_id)
            & OrderLine.collected_at.is_null()
            & OrderLine.released_at.is_null()
        ):
            await Order.update(
                {Order.status: OrderStatus.collected, Order.collected_at: now()}
            ).where(Order.id == order_id)
    return f"Order {order_id} collected ({method})."
