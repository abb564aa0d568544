"""Stripe's word on an order: the success page's check and each verified webhook event,
applied exactly once whatever the order of arrival."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import asyncpg

from clustermarket.market.services import fits_database, write_transaction
from clustermarket.orders import mail, payments
from clustermarket.orders.reading import (
    ORDER_COLUMNS,
    order_by_token,
    order_row,
)
from clustermarket.orders.settling import (
    REFUND_EVENTS,
    NeedsRefund,
    close_order,
    mark_refunded,
    settle_paid,
)
from clustermarket.orders.tables import Order, OrderStatus, StripeEvent
from clustermarket.settings import Settings
from clustermarket.timeutil import now

log = logging.getLogger("clustermarket.orders")

PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
UNDONE_EVENTS = ("checkout.session.expired", "checkout.session.async_payment_failed")


async def confirm_from_stripe(settings: Settings, order: dict[str, Any]) -> dict[str, Any]:
    """The success page: ask Stripe (server to server) how the session ended."""
    if order["status"] != OrderStatus.pending_payment or not order["stripe_session_id"]:
        return order
    session = await payments.retrieve_checkout_session(settings, order["stripe_session_id"])
    if session.get("payment_status") == "paid" and session.get("status") == "complete":
        try:
            async with write_transaction():
                await settle_paid(order, session)
                await mail.queue_receipt(order["id"])
        except NeedsRefund:  # cannot happen from pending_payment; kept for safety
            pass
    return await order_by_token(order["token"])


def _event_order_id(obj: dict[str, Any]) -> int | None:
    metadata = obj.get("metadata")
    raw = (metadata.get("order_id") if isinstance(metadata, dict) else None) or obj.get(
        "client_reference_id"
    )
    try:
        order_id = int(raw)
    except (TypeError, ValueError):
        return None
    return order_id if fits_database(order_id) else None


def _refund_facts(event_type: str, obj: dict[str, Any]) -> tuple[str | None, str | None]:
    """(payment intent, refund id) of a full, successful refund; (None, None) otherwise."""
    if event_type == "charge.refunded":
        if not obj.get("refunded"):
            return None, None  # a partial refund: recorded, not acted on
        refunds = obj.get("refunds")
        first = (refunds.get("data") or [{}])[0] if isinstance(refunds, dict) else {}
        return obj.get("payment_intent"), first.get("id") if isinstance(first, dict) else None
    if obj.get("status") == "succeeded":
        return obj.get("payment_intent"), obj.get("id")
    return None, None


async def handle_event(settings: Settings, event: dict[str, Any]) -> str:
    """Apply one verified event exactly once, whatever the order of arrival."""
    event_id, event_type = str(event.get("id", "")), str(event.get("type", ""))
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not event_id.startswith("evt_") or len(event_id) > 255 or not isinstance(obj, dict):
        return "ignored"  # not an event we could act on (signed, so Stripe is told 200)
    if await StripeEvent.exists().where(StripeEvent.event_id == event_id):
        return "duplicate"
    record = StripeEvent(
        event_id=event_id, type=event_type[:100], order=None, payment_intent=None, received_at=now()
    )
    try:
        async with write_transaction():
            # Looked up inside the transaction, so a concurrent event's effect is seen.
            order, record.payment_intent = await _event_order(event_type, obj)
            record.order = order["id"] if order else None
            await StripeEvent.insert(record)
            outcome = await _apply(event_type, obj, order)
            await mail.queue_receipt(record.order)
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):
        return "duplicate"  # the same event delivered twice at once: the other one applied it
    except NeedsRefund as late:
        outcome = await _refund_late_payment(settings, record, late)
    return outcome


async def _event_order(
    event_type: str, obj: dict[str, Any]
) -> tuple[dict[str, Any] | None, str | None]:
    """The order an event is about (if any), and the payment a full refund is of."""
    if event_type.startswith("checkout.session."):
        order_id = _event_order_id(obj)
        order = await order_row(order_id) if order_id else None
        if order and order["stripe_session_id"] not in (None, obj.get("id")):
            return None, None  # a session that is not this order's: record it, touch nothing
        return order, None
    if event_type in REFUND_EVENTS:
        payment_intent, _ = _refund_facts(event_type, obj)
        if payment_intent:
            return await Order.select(*ORDER_COLUMNS).where(
                Order.stripe_payment_intent == payment_intent
            ).first(), payment_intent
    return None, None


async def _refund_late_payment(settings: Settings, record: StripeEvent, late: NeedsRefund) -> str:
    """Outside the rolled-back transaction: refund through Stripe (idempotent, so a retried
    delivery cannot refund twice), then record the event and the refund together."""
    refund = await payments.refund_payment(settings, late.order_id, late.payment_intent)
    # A fresh row: the rolled-back insert left an id on `record` that SQLite may reuse.
    names = [c._meta.name for c in StripeEvent._meta.non_default_columns]
    record = StripeEvent(**{name: getattr(record, name) for name in names})
    try:
        async with write_transaction():
            await StripeEvent.insert(record)
            await Order.update(
                {
                    Order.status: OrderStatus.refunded,
                    Order.updated_at: now(),
                    Order.stripe_payment_intent: late.payment_intent,
                    Order.stripe_refund_id: refund.get("id"),
                }
            ).where(
                (Order.id == late.order_id)
                & Order.status.is_in([OrderStatus.expired, OrderStatus.cancelled])
            )
            await mail.queue_receipt(late.order_id)
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):
        return "duplicate"  # the same event at the same moment: the other delivery recorded it
    return "paid too late: refunded"


async def _apply(event_type: str, obj: dict[str, Any], order: dict[str, Any] | None) -> str:
    if order is None or not order["online"]:
        return "recorded"
    if event_type in PAID_EVENTS:
        if obj.get("payment_status") != "paid":
            return "recorded (payment not finished)"
        return await settle_paid(order, obj)
    if event_type in UNDONE_EVENTS:
        done = await close_order(order["id"], [OrderStatus.pending_payment], OrderStatus.expired)
        return "expired" if done else "unchanged"
    if event_type in REFUND_EVENTS:
        _, refund_id = _refund_facts(event_type, obj)
        return await mark_refunded(order["id"], refund_id)
    return "recorded"
