"""Reserve now, pay at the stall, without one buyer emptying a market (issue 16, item 2).

On top of each stall's pre-order allowance (market/allowance.py, which also bounds Stripe
orders), a reservation that no money backs is held only:
- with a mail server (`SMTP_HOST`): once the buyer confirms it from the e-mailed link. Until
  then it is `unconfirmed` and holds nothing; the link is random, works once and lapses after
  `CONFIRM_HOURS`, and so does the reservation.
- without one: within tight caps per e-mail address and per client address for each market
  day (`RESERVATIONS_PER_BUYER` open reservations, `RESERVED_UNITS_PER_PRODUCT` units of a
  product), checked in the order's own write transaction so parallel checkouts cannot pass
  them together.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from email.message import EmailMessage
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Sum

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.catalogue.tables import Product
from clustermarket.market import preorder_stock
from clustermarket.market.services import write_transaction
from clustermarket.moderation.log import log_action
from clustermarket.orders import mail, reading, services
from clustermarket.orders.addresses import signature, site_address
from clustermarket.orders.errors import OrderError, OutOfStock
from clustermarket.orders.tables import Order, OrderLine, OrderStatus
from clustermarket.settings import Settings
from clustermarket.timeutil import now, uk_date

log = logging.getLogger("clustermarket.orders.reservations")

CONFIRM_HOURS = 2
_CAP_LOCK = 16002  # pg_advisory_xact_lock(key, day): one reservation check per day at a time


class LimitReached(OrderError):
    status_code = 409


def email_key(email: str) -> str:
    """An e-mail address made comparable: case folded, a "+tag" dropped."""
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def address_key(settings: Settings, host: str) -> str:
    """A keyed hash of the client address: enough to count, not to identify anyone."""
    digest = hmac.new(settings.secret_key.encode(), host.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


# ------------------------------------------------------------------ placing


async def place(
    settings: Settings,
    basket: dict[str, Any],
    name: str,
    email: str,
    host: str,
    member_percent: int = 0,
) -> dict[str, Any]:
    """Place a pre-order in the mode the settings choose: online (Stripe), a reservation to
    confirm by e-mail (SMTP), or a capped reservation held at once; `member_percent` is the
    co-op member discount (members.py), applied in the same transaction."""
    name, email = services.check_buyer(name, email)
    keys = {"buyer_key": email_key(email), "address_key": address_key(settings, host)}
    price = {"member_percent": member_percent}
    if settings.stripe_enabled:
        return await services.place_order(True, basket, name, email, fields=keys, **price)
    if settings.smtp_host:
        token = secrets.token_urlsafe(32)
        order = await services.place_order(
            False,
            basket,
            name,
            email,
            hold=False,
            fields={
                **keys,
                "confirm_token": token,
                "confirm_expires_at": now() + dt.timedelta(hours=CONFIRM_HOURS),
            },
            **price,
        )
        return order  # the confirmation e-mail was queued with the order (orders/mail.py)

    async def within_caps(day_id: int, wanted: dict[int, int]) -> None:
        await _check_caps(settings, keys, day_id, wanted)

    return await services.place_order(
        False, basket, name, email, before_hold=within_caps, fields=keys, **price
    )


async def _check_caps(
    settings: Settings, keys: dict[str, str], day_id: int, wanted: dict[int, int]
) -> None:
    """Inside the order's write transaction (SQLite: the write lock is held already;
    PostgreSQL: one advisory lock per market day), so two checkouts cannot both slip in."""
    if isinstance(Order._meta.db, PostgresEngine):
        await Order.raw("SELECT pg_advisory_xact_lock({}, {})", _CAP_LOCK, day_id)
    names = {
        row["id"]: row["name"]
        for row in await Product.select(Product.id, Product.published_name.as_alias("name")).where(
            Product.id.is_in(list(wanted) or [0])
        )
    }
    for who, column in (
        ("this e-mail address", "buyer_key"),
        ("this internet address", "address_key"),
    ):
        value = keys[column]
        mine = (Order.market_day == day_id) & (getattr(Order, column) == value)
        open_now = await Order.count().where(mine & (Order.status == OrderStatus.reserved))
        if open_now >= settings.reservations_per_buyer:
            raise LimitReached(
                f"There are already {open_now} open reservations from {who} for this market, "
                f"the most we keep for one buyer. Collect or cancel one first; your basket "
                "is kept."
            )
        taken = await _units_taken(column, value, day_id)
        for product_id, quantity in wanted.items():
            already = taken.get(product_id, 0)
            if already + quantity > settings.reserved_units_per_product:
                cap = settings.reserved_units_per_product
                raise LimitReached(
                    f"{names.get(product_id, 'That product')}: one buyer can reserve at most "
                    f"{cap} for this market"
                    + (f" and {already} are reserved from {who} already" if already else "")
                    + ". Please change your basket; the rest is sold at the stall."
                )


async def _units_taken(column: str, value: str, day_id: int) -> dict[int, int]:
    """Units of each product reserved (or collected) by one buyer key for a market day."""
    rows = (
        await OrderLine.select(OrderLine.product, Sum(OrderLine.quantity).as_alias("units"))
        .where(
            (OrderLine.order.market_day == day_id)
            & (getattr(OrderLine.order, column) == value)
            & OrderLine.order.status.is_in([OrderStatus.reserved, OrderStatus.collected])
            & OrderLine.released_at.is_null()
        )
        .group_by(OrderLine.product)
    )
    return {row["product"]: row["units"] or 0 for row in rows}


# ------------------------------------------------------------------ confirming by e-mail


def confirmation_message(settings: Settings, order: dict[str, Any], token: str) -> EmailMessage:
    lines = "\n".join(f"  {x['quantity']} x {x['product_name']}" for x in order["lines"])
    return mail.buyer_message(
        settings,
        order,
        "confirm",
        f"Please confirm your Cluster Market order {order['id']}",
        f"Please confirm your reservation for the market on {uk_date(order['day_date'])}, "
        f"{order['day_location']}:\n{lines}\n\n"
        f"Open this link within {CONFIRM_HOURS} hours and press Confirm; until then nothing "
        f"is kept for you:\n{site_address(settings, order)}/confirm-order/{token}\n\n"
        "If you did not order this, ignore this e-mail and nothing happens.\n\n"
        f"{signature(order)}\n",
    )


async def send_confirmation(settings: Settings, payload: dict[str, Any]) -> None:
    """The job queued with an unconfirmed order: e-mail its link. A mail server that is down
    raises, so the job is tried again; the order holds nothing meanwhile and lapses with its
    link. Sent at most once: `emailed_status` records it only after the server took it."""
    if not settings.smtp_host:
        return
    order_id = payload["order_id"]
    row = (
        await Order.select(Order.confirm_token, Order.emailed_status)
        .where((Order.id == order_id) & (Order.status == OrderStatus.unconfirmed))
        .first()
    )
    if row is None or not row["confirm_token"] or row["emailed_status"] == "unconfirmed":
        return  # confirmed, lapsed or cancelled meanwhile, or sent already
    order = await reading.order_by_id(order_id)
    message = confirmation_message(settings, order, row["confirm_token"])
    await asyncio.to_thread(mail._send, settings, message)
    await Order.update({Order.emailed_status: "unconfirmed"}).where(Order.id == order_id)
    log.info("Confirmation e-mail for order %s sent", order_id)


async def _drop_unconfirmed(order_id: int, to: OrderStatus) -> None:
    await Order.update(
        {
            Order.status: to,
            Order.closed_at: now(),
            Order.updated_at: now(),
            Order.confirm_token: None,
        }
    ).where((Order.id == order_id) & (Order.status == OrderStatus.unconfirmed))


async def lapse_unconfirmed() -> None:
    """Unconfirmed reservations past their link's end lapse (they held nothing)."""
    await Order.update(
        {
            Order.status: OrderStatus.expired,
            Order.closed_at: now(),
            Order.updated_at: now(),
            Order.confirm_token: None,
        }
    ).where((Order.status == OrderStatus.unconfirmed) & (Order.confirm_expires_at < now()))


async def order_to_confirm(token: str) -> dict[str, Any]:
    """The order a confirmation link is for; NotFound once used, lapsed or never made."""
    await lapse_unconfirmed()
    if not token or len(token) > 64:
        raise NotFound()
    row = await Order.select(Order.token).where(Order.confirm_token == token).first()
    if row is None:
        raise NotFound()
    return await reading.order_by_token(row["token"])


async def confirm(settings: Settings, token: str) -> dict[str, Any]:
    """The buyer opened the link and confirmed: the reservation holds its stock now (within
    each stall's allowance), or, if that ran out meanwhile, it is cancelled with a message."""
    order = await order_to_confirm(token)
    try:
        await services.orderable_day(order["day_id"])
        async with write_transaction():
            # Single use: the conditional UPDATE clears the token, so a second request finds
            # nothing (PostgreSQL: it also waits for the first one's row lock).
            changed = (
                await Order.update(
                    {
                        Order.status: OrderStatus.reserved,
                        Order.confirm_token: None,
                        Order.updated_at: now(),
                    }
                )
                .where(
                    (Order.id == order["id"])
                    & (Order.status == OrderStatus.unconfirmed)
                    & (Order.confirm_token == token)
                    & (Order.confirm_expires_at >= now())
                )
                .returning(Order.id)
            )
            if not changed:
                raise NotFound()
            for line in order["lines"]:
                if not await preorder_stock.take_stock(
                    line["stall"], line["product"], line["quantity"]
                ):
                    raise OutOfStock(
                        f"Sorry, {line['product_name']} ran out for pre-orders before you "
                        "confirmed, so nothing is reserved. You can order again with less."
                    )
            await mail.queue_receipt(order["id"])
    except OrderError:
        await _drop_unconfirmed(order["id"], OrderStatus.cancelled)
        raise
    return await reading.order_by_token(order["token"])


# ------------------------------------------------------------------ a teacher releases


async def release(user: CurrentUser, order_id: int) -> str:
    """A teacher gives a reservation's stock back in one action: every line from their school
    (the admin: every line) not yet collected. Logged; the buyer's receipt shows it. When
    nothing is left to hand over, the order ends (cancelled, or collected if part was)."""
    order = await reading.staff_order(user, order_id)
    if order["status"] != OrderStatus.reserved:
        raise OrderError(
            "Only a reservation to be paid at the stall can be released; "
            + (
                "refund a paid order instead."
                if order["status"] == OrderStatus.paid
                else f"this order is {order['status'].replace('_', ' ')}."
            )
        )
    mine = [
        x["id"]
        for x in order["lines"]
        if (user.is_admin or x["school_id"] == user.school_id)
        and not x["collected_at"]
        and not x["released_at"]
    ]
    if not mine:
        raise OrderError("Nothing of this order from your school is left to release.")
    async with write_transaction():
        # Touching the order first locks it (PostgreSQL): a collection cannot cross this.
        if not await (
            Order.update({Order.updated_at: now()})
            .where((Order.id == order_id) & (Order.status == OrderStatus.reserved))
            .returning(Order.id)
        ):
            raise OrderError("This reservation changed just now. Please look again.")
        released = await (
            OrderLine.update({OrderLine.released_at: now(), OrderLine.released_by: user.id})
            .where(
                OrderLine.id.is_in(mine)
                & OrderLine.collected_at.is_null()
                & OrderLine.released_at.is_null()
            )
            .returning(OrderLine.stall, OrderLine.product, OrderLine.quantity)
        )
        for line in released:
            await preorder_stock.give_back_stock(line["stall"], line["product"], line["quantity"])
        if not await OrderLine.exists().where(
            (OrderLine.order == order_id)
            & OrderLine.collected_at.is_null()
            & OrderLine.released_at.is_null()
        ):
            part_collected = any(x["collected_at"] for x in order["lines"])
            await Order.update(
                {
                    Order.status: OrderStatus.collected
                    if part_collected
                    else OrderStatus.cancelled,
                    Order.closed_at: now(),
                    Order.closed_by: user.id,
                }
            ).where(Order.id == order_id)
        units = sum(x["quantity"] for x in released)
        await log_action(
            actor_id=user.id,
            action="release_reservation",
            subject_type="order",
            subject_id=order_id,
            subject_label=f"Order {order_id}: {units} unit(s) back on sale",
            school_id=user.school_id,
        )
    return f"Order {order_id}: {units} reserved item(s) are back on sale."
