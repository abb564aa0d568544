"""Moving an order on: closing it (the stock it holds goes back once), settling a payment
Stripe confirmed, and marking a refund. Each runs inside the caller's write transaction."""

from __future__ import annotations

import logging
from typing import Any

from clustermarket.market import preorder_stock
from clustermarket.market.services import write_transaction
from clustermarket.market.tables import Sale
from clustermarket.orders.collection import line_sale_id
from clustermarket.orders.tables import HOLDING, Order, OrderLine, OrderStatus, StripeEvent
from clustermarket.timeutil import now

log = logging.getLogger("clustermarket.orders")

REFUND_EVENTS = ("charge.refunded", "refund.created", "refund.updated")


async def close_order(
    order_id: int,
    from_statuses: list[OrderStatus],
    to: OrderStatus,
    user_id: int | None = None,
    **extra: Any,
) -> bool:
    """Inside a write transaction: move the order on and give back the stock it still holds.
    The conditional UPDATE makes this happen once, whoever asks how often."""
    changed = (
        await Order.update(
            {
                Order.status: to,
                Order.closed_at: now(),
                Order.updated_at: now(),
                Order.closed_by: user_id,
                **{getattr(Order, k): v for k, v in extra.items()},
            }
        )
        .where((Order.id == order_id) & Order.status.is_in(list(from_statuses)))
        .returning(Order.id)
    )
    if not changed:
        return False
    for line in await OrderLine.select(
        OrderLine.stall, OrderLine.product, OrderLine.quantity
    ).where(
        (OrderLine.order == order_id)
        & OrderLine.collected_at.is_null()
        & OrderLine.released_at.is_null()  # a teacher gave it back already
    ):
        await preorder_stock.give_back_stock(line["stall"], line["product"], line["quantity"])
    return True


async def close_in_transaction(
    order_id: int,
    from_statuses: list[OrderStatus],
    to: OrderStatus,
    user_id: int | None = None,
    **extra: Any,
) -> bool:
    async with write_transaction():
        return await close_order(order_id, from_statuses, to, user_id, **extra)


class NeedsRefund(Exception):
    """A payment arrived for an order whose stock is gone: it is refunded, not resurrected."""

    def __init__(self, order_id: int, payment_intent: str) -> None:
        self.order_id, self.payment_intent = order_id, payment_intent


async def _refund_seen_first(payment_intent: str | None) -> bool:
    if not payment_intent:
        return False
    return await StripeEvent.exists().where(
        (StripeEvent.payment_intent == payment_intent) & StripeEvent.type.is_in(list(REFUND_EVENTS))
    )


async def settle_paid(order: dict[str, Any], session: dict[str, Any]) -> str:
    """Inside a write transaction: the session is paid (Stripe said so, on the server)."""
    pi = session.get("payment_intent")
    pi = pi.get("id") if isinstance(pi, dict) else pi
    order_id = order["id"]
    # Lock the order row (PostgreSQL) and read its status now, not as it was before.
    locked = (
        await Order.update({Order.updated_at: now()})
        .where(Order.id == order_id)
        .returning(Order.status)
    )
    status = locked[0]["status"]
    paid = {
        Order.status: OrderStatus.paid,
        Order.paid_at: now(),
        Order.updated_at: now(),
        Order.stripe_payment_intent: pi,
        Order.stripe_session_id: session["id"],
    }
    if await _refund_seen_first(pi):  # the refund's event overtook the payment's
        if status in HOLDING:
            await close_order(
                order_id, list(HOLDING), OrderStatus.refunded, stripe_payment_intent=pi
            )
        return "refunded before paid"
    if status == OrderStatus.pending_payment:
        done = (
            await Order.update(paid)
            .where((Order.id == order_id) & (Order.status == OrderStatus.pending_payment))
            .returning(Order.id)
        )
        return "paid" if done else "unchanged"
    if status in (OrderStatus.expired, OrderStatus.cancelled):
        # Paid after we gave the stock back: hold it again if it is all still there,
        # otherwise refund the buyer (never sell the same candle twice).
        for line in await OrderLine.select(
            OrderLine.stall, OrderLine.product, OrderLine.quantity
        ).where(OrderLine.order == order_id):
            if not await preorder_stock.take_stock(
                line["stall"], line["product"], line["quantity"]
            ):
                raise NeedsRefund(order_id, pi)
        await Order.update({**paid, Order.closed_at: None}).where(
            (Order.id == order_id) & Order.status.is_in([status])
        )
        return "paid late, stock held again"
    return "unchanged"


async def mark_refunded(order_id: int, refund_id: str | None, user_id: int | None = None) -> str:
    """Inside a write transaction. A paid order gives its stock back; a collected one keeps
    its stock (the goods were handed over) and its sales are voided, so takings drop."""
    if await close_order(
        order_id, [OrderStatus.paid], OrderStatus.refunded, user_id, stripe_refund_id=refund_id
    ):
        return "refunded"
    changed = (
        await Order.update(
            {
                Order.status: OrderStatus.refunded,
                Order.closed_at: now(),
                Order.updated_at: now(),
                Order.stripe_refund_id: refund_id,
            }
        )
        .where((Order.id == order_id) & (Order.status == OrderStatus.collected))
        .returning(Order.id)
    )
    if not changed:
        return "unchanged"
    line_ids = [
        x["id"] for x in await OrderLine.select(OrderLine.id).where(OrderLine.order == order_id)
    ]
    await Sale.update({Sale.voided_at: now(), Sale.voided_by: user_id}).where(
        Sale.client_id.is_in([line_sale_id(x) for x in line_ids]) & Sale.voided_at.is_null()
    )
    return "refunded after collection"
