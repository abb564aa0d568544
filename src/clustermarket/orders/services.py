"""Pre-orders: the basket, placing an order (stock held), payment events, collection, refunds.

Stock rules (DESIGN.md, "Money and stock"):
- Placing an order takes each line's stock with one conditional UPDATE in one write
  transaction: all lines are held, or none and the buyer is told what ran out.
- Stock goes back only through `_close_order`, whose conditional status UPDATE succeeds once,
  so a duplicate event, a double click or a race can never return it twice.
- An order becomes paid only from a verified `checkout.session.completed` event or from the
  session retrieved from Stripe on the server, never from the browser's redirect alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import asyncpg
from piccolo.columns.combination import Combinable
from piccolo.query import Select

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.market import allowance, sales
from clustermarket.market.services import fits_database, write_transaction
from clustermarket.market.tables import MarketDay, MarketStatus, PaymentMethod, Sale, StallStock
from clustermarket.moderation.content import PRODUCT
from clustermarket.orders import mail, members, payments
from clustermarket.orders.tables import HOLDING, Order, OrderLine, OrderStatus, StripeEvent
from clustermarket.settings import Settings
from clustermarket.timeutil import now, today_uk
from clustermarket.web.pagination import Page, paginate

log = logging.getLogger("clustermarket.orders")

MAX_PER_LINE = sales.MAX_QUANTITY
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
LINE_SALE_IDS = uuid.UUID("6f1c0f36-7d4c-4f0e-9d55-2b7a3f6b8e10")  # namespace for sale ids
REFUND_EVENTS = ("charge.refunded", "refund.created", "refund.updated")
PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
UNDONE_EVENTS = ("checkout.session.expired", "checkout.session.async_payment_failed")


class OrderError(Exception):
    """A request that cannot be done; the message is for the user and nothing changed."""

    status_code = 400


class OutOfStock(OrderError):
    status_code = 409


# ------------------------------------------------------------------ the basket


async def orderable_day(day_id: int) -> dict[str, Any]:
    """A market day the public may pre-order from: not closed, not in the past."""
    if not fits_database(day_id):
        raise NotFound()
    day = (
        await MarketDay.select(MarketDay.id, MarketDay.date, MarketDay.location, MarketDay.status)
        .where(MarketDay.id == day_id)
        .first()
    )
    if day is None:
        raise NotFound()
    if day["status"] == MarketStatus.closed or day["date"] < today_uk():
        raise OrderError("This market day is over, so it takes no more pre-orders.")
    return day


def _on_sale(day_id: int, only: Iterable[int] | None = None) -> Combinable:
    where = (
        (StallStock.stall.market_day == day_id)
        & (StallStock.brought > 0)
        & StallStock.stall.closed_at.is_null()
        & PRODUCT.public_where(StallStock.product)
    )
    if only is not None:
        where &= StallStock.product.is_in(list(only) or [0])
    return where


def _day_products(where: Combinable) -> Select:
    return (
        StallStock.select(
            StallStock.stall,
            StallStock.left,
            StallStock.brought,
            StallStock.preorder_allowance,
            StallStock.preordered,
            StallStock.product.id.as_alias("product_id"),
            StallStock.product.published_name.as_alias("name"),
            StallStock.product.published_price_pence.as_alias("price_pence"),
            StallStock.stall.team.name.as_alias("team_name"),
        )
        .where(where)
        .order_by(StallStock.stall.team.name)
        .order_by(StallStock.product.published_name)
        .order_by(StallStock.id)
    )


def _with_left(products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for product in products:
        product["stall_left"] = product["left"]
        product["left"] = allowance.left_to_pre_order(product)
    return products


async def day_products(day_id: int, only: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """The products on sale at the day's stalls (`only` those ids, when given), with how many
    can still be pre-ordered (`left`: within the team's pre-order allowance; `stall_left`:
    all the stall has left)."""
    return _with_left(await _day_products(_on_sale(day_id, only)))


async def day_products_page(day_id: int, number: int, size: int) -> Page:
    """A page of the day's products for the shop, with the true total."""
    where = _on_sale(day_id)
    page = await paginate(
        _day_products(where),
        await StallStock.count().where(where),
        number,
        size=size,
        path=f"/market-days/{day_id}/pre-order",
    )
    _with_left(page.items)
    return page


def too_many_message(product: dict[str, Any]) -> str:
    if product["stall_left"] == 0:
        return f"{product['name']} is sold out."
    if product["left"] == 0:  # the rest is the stall's (market/allowance.py)
        return f"{product['name']}: no more can be pre-ordered; the stall sells the rest."
    return f"{product['name']}: only {product['left']} left to pre-order."


async def basket_lines(basket: dict[str, Any] | None) -> dict[str, Any]:
    """What the basket holds, priced from the database now (never from a form)."""
    if not basket or not isinstance(basket.get("items"), dict):
        return {"day": None, "lines": [], "total_pence": 0}
    day_id = int(basket["day"])
    wanted = {int(p): int(q) for p, q in basket["items"].items()}
    lines = []
    for product in await day_products(day_id, wanted):
        quantity = wanted.get(product["product_id"], 0)
        if quantity > 0:
            lines.append(
                {
                    **product,
                    "quantity": quantity,
                    "amount_pence": quantity * product["price_pence"],
                    "short": quantity > product["left"],
                }
            )
    return {"day": day_id, "lines": lines, "total_pence": sum(x["amount_pence"] for x in lines)}


def check_buyer(name: str, email: str) -> tuple[str, str]:
    name, email = " ".join((name or "").split()), (email or "").strip()
    problems = []
    if not 1 <= len(name) <= 100:
        problems.append("Give your name (up to 100 characters).")
    if len(email) > 254 or not EMAIL_RE.match(email):
        problems.append("Give an e-mail address like name@example.org.")
    if problems:
        raise OrderError(" ".join(problems))
    return name, email


# ------------------------------------------------------------------ placing an order


async def place_order(
    online: bool,
    basket: dict[str, Any],
    name: str,
    email: str,
    *,
    hold: bool = True,
    before_hold: Callable[[int, dict[int, int]], Awaitable[None]] | None = None,
    fields: dict[str, Any] | None = None,
    member_percent: int = 0,
) -> dict[str, Any]:
    """Create the order and hold its stock, all or nothing. Online orders wait for payment;
    the others are reserved, to be paid at the stall. `hold=False` makes a reservation that
    holds nothing until the buyer confirms it; `before_hold(day, wanted)` checks the buyer's
    limits inside the same write transaction (orders/reservations.py). `member_percent` is
    the co-op member discount (members.py): each line is priced at the member price in the
    same transaction, so the order is never seen, paid or e-mailed at the full price."""
    name, email = check_buyer(name, email)
    if not basket or not basket.get("items"):
        raise OrderError("Your basket is empty.")
    day_id = int(basket["day"])
    await orderable_day(day_id)
    wanted = {int(p): int(q) for p, q in basket["items"].items()}
    token = secrets.token_urlsafe(24)
    async with write_transaction():
        if before_hold:
            await before_hold(day_id, wanted)
        stock = {
            row["product_id"]: row
            for row in await StallStock.select(
                StallStock.stall,
                StallStock.product.id.as_alias("product_id"),
                StallStock.product.published_name.as_alias("name"),
                StallStock.product.published_price_pence.as_alias("price_pence"),
            ).where(
                (StallStock.stall.market_day == day_id)
                & (StallStock.brought > 0)
                & StallStock.product.id.is_in(list(wanted))
                & PRODUCT.public_where(StallStock.product)
                & StallStock.stall.closed_at.is_null()  # a packed-up stall hands nothing over
            )
        }
        lines = []
        for product_id, quantity in wanted.items():
            row = stock.get(product_id)
            if row is None or not 1 <= quantity <= MAX_PER_LINE:
                raise OrderError(
                    "Something in your basket is no longer on sale. Please look again."
                )
            if hold and not await sales.take_stock(row["stall"], product_id, quantity):
                raise OutOfStock(
                    f"Sorry, not enough {row['name']} left to pre-order for {quantity}. "
                    "Please change your basket."
                )
            lines.append(
                {
                    "stall": row["stall"],
                    "product": product_id,
                    "product_name": row["name"],
                    "quantity": quantity,
                    "unit_price_pence": members.member_unit_price(
                        row["price_pence"], member_percent
                    ),
                }
            )
        at = now()
        created = await Order.insert(
            Order(
                market_day=day_id,
                token=token,
                buyer_name=name,
                buyer_email=email,
                status=OrderStatus.pending_payment
                if online
                else (OrderStatus.reserved if hold else OrderStatus.unconfirmed),
                online=online,
                total_pence=sum(x["quantity"] * x["unit_price_pence"] for x in lines),
                created_at=at,
                updated_at=at,
                **(fields or {}),
            )
        ).returning(Order.id)
        await OrderLine.insert(*[OrderLine(order=created[0]["id"], **x) for x in lines])
        if member_percent:
            await members.keep_full_prices(created[0]["id"], member_percent, stock)
        await mail.queue_receipt(created[0]["id"])
    return await order_by_token(token)


async def start_checkout(settings: Settings, order: dict[str, Any]) -> str:
    """The Stripe Checkout page for an order waiting for payment. If Stripe cannot be reached
    the order is cancelled at once, so its stock is not held for nothing."""
    if order["stripe_checkout_url"]:
        return order["stripe_checkout_url"]
    try:
        session = await payments.create_checkout_session(settings, order, order["lines"])
    except payments.PaymentError as error:
        await _close_in_transaction(
            order["id"], [OrderStatus.pending_payment], OrderStatus.cancelled
        )
        raise OrderError(str(error)) from None
    await Order.update(
        {
            Order.stripe_session_id: session["id"],
            Order.stripe_checkout_url: session["url"],
            Order.updated_at: now(),
        }
    ).where(Order.id == order["id"])
    return session["url"]


# ------------------------------------------------------------------ reading orders

_ORDER_COLUMNS = (
    Order.id,
    Order.token,
    Order.buyer_name,
    Order.buyer_email,
    Order.status,
    Order.online,
    Order.total_pence,
    Order.stripe_session_id,
    Order.stripe_checkout_url,
    Order.stripe_payment_intent,
    Order.stripe_refund_id,
    Order.created_at,
    Order.paid_at,
    Order.collected_at,
    Order.closed_at,
    Order.emailed_status,
    Order.market_day.id.as_alias("day_id"),
    Order.market_day.date.as_alias("day_date"),
    Order.market_day.location.as_alias("day_location"),
    Order.market_day.opens.as_alias("day_opens"),
    Order.market_day.closes.as_alias("day_closes"),
)
_LINE_COLUMNS = (
    OrderLine.id,
    OrderLine.order,
    OrderLine.stall,
    OrderLine.product,
    OrderLine.product_name,
    OrderLine.quantity,
    OrderLine.unit_price_pence,
    OrderLine.collected_at,
    OrderLine.released_at,
    OrderLine.stall.team.name.as_alias("team_name"),
    OrderLine.stall.team.school.as_alias("school_id"),
)


async def _with_lines(orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [o["id"] for o in orders]
    lines = (
        await OrderLine.select(*_LINE_COLUMNS)
        .where(OrderLine.order.is_in(ids))
        .order_by(OrderLine.id)
        if ids
        else []
    )
    for order in orders:
        order["lines"] = [x for x in lines if x["order"] == order["id"]]
        for line in order["lines"]:
            line["amount_pence"] = line["quantity"] * line["unit_price_pence"]
    return orders


async def order_by_token(token: str) -> dict[str, Any]:
    """The buyer's order from the private link; NotFound for any other string."""
    if not token or len(token) > 64:
        raise NotFound()
    order = await Order.select(*_ORDER_COLUMNS).where(Order.token == token).first()
    if order is None:
        raise NotFound()
    return (await _with_lines([order]))[0]


async def _order(order_id: int) -> dict[str, Any] | None:
    return await Order.select(*_ORDER_COLUMNS).where(Order.id == order_id).first()


async def order_by_id(order_id: int) -> dict[str, Any] | None:
    order = await _order(order_id)
    return (await _with_lines([order]))[0] if order else None


# ------------------------------------------------------------------ closing an order


async def _close_order(
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
        await sales.give_back_stock(line["stall"], line["product"], line["quantity"])
    return True


async def _close_in_transaction(
    order_id: int,
    from_statuses: list[OrderStatus],
    to: OrderStatus,
    user_id: int | None = None,
    **extra: Any,
) -> bool:
    async with write_transaction():
        return await _close_order(order_id, from_statuses, to, user_id, **extra)


# ------------------------------------------------------------------ payment


class _NeedsRefund(Exception):
    """A payment arrived for an order whose stock is gone: it is refunded, not resurrected."""

    def __init__(self, order_id: int, payment_intent: str) -> None:
        self.order_id, self.payment_intent = order_id, payment_intent


async def _refund_seen_first(payment_intent: str | None) -> bool:
    if not payment_intent:
        return False
    return await StripeEvent.exists().where(
        (StripeEvent.payment_intent == payment_intent) & StripeEvent.type.is_in(list(REFUND_EVENTS))
    )


async def _settle_paid(order: dict[str, Any], session: dict[str, Any]) -> str:
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
            await _close_order(
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
            if not await sales.take_stock(line["stall"], line["product"], line["quantity"]):
                raise _NeedsRefund(order_id, pi)
        await Order.update({**paid, Order.closed_at: None}).where(
            (Order.id == order_id) & Order.status.is_in([status])
        )
        return "paid late, stock held again"
    return "unchanged"


async def confirm_from_stripe(settings: Settings, order: dict[str, Any]) -> dict[str, Any]:
    """The success page: ask Stripe (server to server) how the session ended."""
    if order["status"] != OrderStatus.pending_payment or not order["stripe_session_id"]:
        return order
    session = await payments.retrieve_checkout_session(settings, order["stripe_session_id"])
    if session.get("payment_status") == "paid" and session.get("status") == "complete":
        try:
            async with write_transaction():
                await _settle_paid(order, session)
                await mail.queue_receipt(order["id"])
        except _NeedsRefund:  # cannot happen from pending_payment; kept for safety
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
    except _NeedsRefund as late:
        outcome = await _refund_late_payment(settings, record, late)
    return outcome


async def _event_order(
    event_type: str, obj: dict[str, Any]
) -> tuple[dict[str, Any] | None, str | None]:
    """The order an event is about (if any), and the payment a full refund is of."""
    if event_type.startswith("checkout.session."):
        order_id = _event_order_id(obj)
        order = await _order(order_id) if order_id else None
        if order and order["stripe_session_id"] not in (None, obj.get("id")):
            return None, None  # a session that is not this order's: record it, touch nothing
        return order, None
    if event_type in REFUND_EVENTS:
        payment_intent, _ = _refund_facts(event_type, obj)
        if payment_intent:
            return await Order.select(*_ORDER_COLUMNS).where(
                Order.stripe_payment_intent == payment_intent
            ).first(), payment_intent
    return None, None


async def _refund_late_payment(settings: Settings, record: StripeEvent, late: _NeedsRefund) -> str:
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
        return await _settle_paid(order, obj)
    if event_type in UNDONE_EVENTS:
        done = await _close_order(order["id"], [OrderStatus.pending_payment], OrderStatus.expired)
        return "expired" if done else "unchanged"
    if event_type in REFUND_EVENTS:
        _, refund_id = _refund_facts(event_type, obj)
        return await _mark_refunded(order["id"], refund_id)
    return "recorded"


async def _mark_refunded(order_id: int, refund_id: str | None, user_id: int | None = None) -> str:
    """Inside a write transaction. A paid order gives its stock back; a collected one keeps
    its stock (the goods were handed over) and its sales are voided, so takings drop."""
    if await _close_order(
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


# ------------------------------------------------------------------ cancelling and refunding


async def expire_overdue_checkouts(settings: Settings, limit: int = 10) -> int:
    """A safety net for a missed `checkout.session.expired` event (say, no webhook set up):
    an online order still waiting well after its session's end is checked with Stripe and
    either settled as paid or expired, so its stock does not stay held for nothing."""
    cutoff = now() - dt.timedelta(minutes=payments.CHECKOUT_MINUTES + 5)
    overdue = (
        await Order.select(*_ORDER_COLUMNS)
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
                    await _settle_paid(order, session)
                    await mail.queue_receipt(order["id"])
                continue
        closed += await _close_in_transaction(
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
        expired += await _close_in_transaction(
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
        await _close_in_transaction(
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
                await _settle_paid(order, session)
                await mail.queue_receipt(order["id"])
            raise OrderError("This order was paid just now, so it was not cancelled.")
    await _close_in_transaction(
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
        await _mark_refunded(order_id, refund.get("id"), user.id)
        await mail.queue_receipt(order_id)
    return f"Order {order_id} is refunded and its stock is back on sale."


# ------------------------------------------------------------------ staff


async def staff_orders(user: CurrentUser, number: int = 1) -> Page:
    """A page of the orders with something from the user's school (the admin: all), newest
    first, with the true total: three queries however many orders there are."""
    where = None
    if not user.is_admin:
        school_lines = OrderLine.select(OrderLine.order).where(
            OrderLine.stall.team.school == (user.school_id or 0)
        )
        where = Order.id.is_in(school_lines)
    query = Order.select(*_ORDER_COLUMNS).order_by(Order.id, ascending=False)
    count = Order.count()
    if where is not None:
        query, count = query.where(where), count.where(where)
    page = await paginate(query, await count, number, path="/staff/orders")
    await _with_lines(page.items)
    return page


async def staff_order(user: CurrentUser, order_id: int) -> dict[str, Any]:
    order = await _order(order_id) if user.is_staff and fits_database(order_id) else None
    if order is None:
        raise NotFound()
    order = (await _with_lines([order]))[0]
    if not user.is_admin and all(x["school_id"] != user.school_id for x in order["lines"]):
        raise NotFound()
    return order


async def order_to_act_on(user: CurrentUser, order_id: int) -> dict[str, Any]:
    """An order this user may refund or cancel: a teacher only when every line is from their
    school (a mixed order is the cluster admin's), the admin always."""
    order = await staff_order(user, order_id)
    if not user.is_admin and any(x["school_id"] != user.school_id for x in order["lines"]):
        raise OrderError(
            "This order includes another school's stall: the cluster admin refunds or cancels it."
        )
    return order


# ------------------------------------------------------------------ at the stall


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


async def orders_to_collect(stall_id: int) -> list[dict[str, Any]]:
    """Paid and reserved pre-orders with something still to hand over at this stall."""
    rows = (
        await OrderLine.select(
            OrderLine.order.id.as_alias("order_id"),
            OrderLine.order.buyer_name.as_alias("buyer"),
            OrderLine.order.status.as_alias("status"),
            OrderLine.product_name,
            OrderLine.quantity,
            OrderLine.unit_price_pence,
        )
        .where(
            (OrderLine.stall == stall_id)
            & OrderLine.collected_at.is_null()
            & OrderLine.released_at.is_null()
            & OrderLine.order.status.is_in([OrderStatus.paid, OrderStatus.reserved])
        )
        .order_by(OrderLine.order.id)
        .order_by(OrderLine.id)
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
            await sales.record_collected_sale(
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
