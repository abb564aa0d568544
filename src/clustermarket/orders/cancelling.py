"""Cancelling and refunding orders, and the scheduled expiry of overdue checkouts and of
reservations nobody collected."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.market.services import write_transaction
from clustermarket.orders import mail, payments
from clustermarket.orders.errors import OrderError
from clustermarket.orders.reading import (
    ORDER_COLUMNS,
    order_to_act_on,
)
from clustermarket.orders.settling import (
    close_in_transaction,
    mark_refunded,
    settle_paid,
)
from clustermarket.orders.tables import Order, OrderStatus
from clustermarket.settings import Settings
from clustermarket.timeutil import now

log = logging.getLogger("clustermarket.orders")


async def expire_overdue_checkouts(settings: Settings, limit: int = 10) -> int:
    """A safety net for a missed `checkout.session.expired` event (say, no webhook set up):
    an online order still waiting well after its session's end is checked with Stripe and
    either settled as paid or expired, so its stock does not stay held for nothing."""
    cutoff = now() - dt.timedelta(minutes=payments.CHECKOUT_MINUTES + 5)
    overdue = (
        await Order.select(*ORDER_COLUMNS)
        .where((Order.status == OrderStatus.pending_payment) & (Order.created_at < cutoff))
        .order_by(Order.id)
        .limit(limit)
    )
    closed = 0
    for order in overdue:
        if order["stripe_session_id"]:
            try:
                session = await payments.expire_checkout_session(
                    settings, order["stripe_session_id"]
                )
            except payments.PaymentError:
                continue  # Stripe unreachable: try again next time
            if session.get("payment_status") == "paid":
                async with write_transaction():
                    await settle_paid(order, session)
                    await mail.queue_receipt(order["id"])
                continue
        closed += await close_in_transaction(
            order["id"], [OrderStatus.pending_payment], OrderStatus.expired
        )
    return closed


async def expire_reservations_of_day(day_id: int) -> int:
    """When a market day closes, reservations nobody collected lapse (no money was taken).
    Paid orders stay as they are: a teacher refunds or hands them over later."""
    reserved = await Order.select(Order.id).where(
        (Order.market_day == day_id) & (Order.status == OrderStatus.reserved)
    )
    expired = 0
    for row in reserved:
        expired += await close_in_transaction(
            row["id"], [OrderStatus.reserved], OrderStatus.expired
        )
    return expired


async def cancel_order(
    settings: Settings, order: dict[str, Any], user: CurrentUser | None = None
) -> str:
    """Cancel a reservation, or an online order whose payment has not finished."""
    user_id = user.id if user else None
    if order["status"] == OrderStatus.unconfirmed:  # holds nothing: nothing to give back
        await Order.update(
            {
                Order.status: OrderStatus.cancelled,
                Order.closed_at: now(),
                Order.closed_by: user_id,
                Order.confirm_token: None,  # the e-mailed link stops working
            }
        ).where((Order.id == order["id"]) & (Order.status == OrderStatus.unconfirmed))
        return "The reservation is cancelled."
    if order["status"] == OrderStatus.reserved:
        await close_in_transaction(
            order["id"], [OrderStatus.reserved], OrderStatus.cancelled, user_id
        )
        return "The reservation is cancelled and its stock is back on sale."
    if order["status"] != OrderStatus.pending_payment:
        status = order["status"].replace("_", " ")
        raise OrderError(f"This order is {status}: it cannot be cancelled.")
    if order["stripe_session_id"]:
        try:
            session = await payments.expire_checkout_session(settings, order["stripe_session_id"])
        except payments.PaymentError as error:
            raise OrderError(str(error)) from None
        if session.get("payment_status") == "paid":
            async with write_transaction():
                await settle_paid(order, session)
                await mail.queue_receipt(order["id"])
            raise OrderError("This order was paid just now, so it was not cancelled.")
    await close_in_transaction(
        order["id"], [OrderStatus.pending_payment], OrderStatus.cancelled, user_id
    )
    return "The order is cancelled and its stock is back on sale."


async def refund_order(settings: Settings, user: CurrentUser, order_id: int) -> str:
    """A teacher or admin refunds a paid, not yet collected order through Stripe."""
    order = await order_to_act_on(user, order_id)
    if order["status"] != OrderStatus.paid or not order["stripe_payment_intent"]:
        raise OrderError("Only an order paid online and not yet collected can be refunded here.")
    if any(line["collected_at"] for line in order["lines"]):
        raise OrderError("Part of this order was collected already: refund it in Stripe.")
    try:
        refund = await payments.refund_payment(settings, order_id, order["stripe_payment_intent"])
    except payments.PaymentError as error:
        raise OrderError(str(error)) from None
    async with write_transaction():
        await mark_refunded(order_id, refund.get("id"), user.id)
        await mail.queue_receipt(order_id)
    return f"Order {order_id} is refunded and its stock is back on sale."
