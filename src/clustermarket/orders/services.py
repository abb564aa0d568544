"""Pre-orders: the basket, placing an order (stock held), payment events, collection, refunds.

Stock rules (DESIGN.md, "Money and stock"):
- Placing an order takes each line's stock with one conditional UPDATE in one write
  transaction: all lines are held, or none and the buyer is told what ran out.
- Stock goes back only through `close_order`, whose conditional status UPDATE succeeds once,
  so a duplicate event, a double click or a race can never return it twice.
- An order becomes paid only from a verified `checkout.session.completed` event or from the
  session retrieved from Stripe on the server, never from the browser's redirect alone.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from piccolo.columns.combination import Combinable
from piccolo.query import Select

from clustermarket.accounts.services import NotFound
from clustermarket.frozen import Prepared
from clustermarket.market import allowance, preorder_stock, sales
from clustermarket.market.services import fits_database, market_day, write_transaction
from clustermarket.market.tables import MarketDay, MarketStatus, StallStock
from clustermarket.moderation.content import PRODUCT
from clustermarket.orders import mail, members, payments
from clustermarket.orders.errors import OrderError, OutOfStock
from clustermarket.orders.reading import (
    order_by_token,
)
from clustermarket.orders.settling import (
    close_in_transaction,
)
from clustermarket.orders.tables import Order, OrderLine, OrderStatus
from clustermarket.settings import Settings
from clustermarket.timeutil import now, today_uk
from clustermarket.web.pagination import Page, paginate

log = logging.getLogger("clustermarket.orders")

MAX_PER_LINE = sales.MAX_QUANTITY
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")


# ------------------------------------------------------------------ the basket


# A day of any cluster (the basket's and the reservations' own checks), built once.
_ANY_DAY = Prepared(
    lambda day_id: (
        MarketDay.select(MarketDay.id, MarketDay.date, MarketDay.location, MarketDay.status)
        .where(MarketDay.id == day_id)
        .first()
    )
)


async def orderable_day(day_id: int, cluster_id: int | None = None) -> dict[str, Any]:
    """A market day the public may pre-order from: not closed, not in the past; of the
    request's cluster when given (the shop's pages: another cluster's day is not found,
    `market.services.market_day`)."""
    if cluster_id is not None:
        day = await market_day(day_id, cluster_id)
    elif not fits_database(day_id) or (day := await _ANY_DAY.run(day_id)) is None:
        raise NotFound()
    check_orderable(day)
    return day


def check_orderable(day: dict[str, Any]) -> None:
    """An OrderError if the public may no longer pre-order from this day (closed, or past)."""
    if day["status"] == MarketStatus.closed or day["date"] < today_uk():
        raise OrderError("This market day is over, so it takes no more pre-orders.")


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
    page = await paginate(
        lambda size, offset: _day_page(size, offset).run(day_id),
        await _DAY_COUNT.run(day_id),
        number,
        size=size,
        path=f"/market-days/{day_id}/pre-order",
    )
    _with_left(page.items)
    return page


# The shop's count and pages, built once (`frozen.Prepared`; a page per size and offset):
# building the joined select cost the shop about 1 ms a view.
_DAY_COUNT = Prepared(lambda day_id: StallStock.count().where(_on_sale(day_id)))
_DAY_PAGES: dict[tuple[int, int], Prepared] = {}


def _day_page(size: int, offset: int) -> Prepared:
    if (size, offset) not in _DAY_PAGES:
        _DAY_PAGES[size, offset] = Prepared(
            lambda day_id: _day_products(_on_sale(day_id)).limit(size).offset(offset)
        )
    return _DAY_PAGES[size, offset]


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
            if hold and not await preorder_stock.take_stock(row["stall"], product_id, quantity):
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
        await close_in_transaction(
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
