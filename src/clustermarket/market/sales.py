"""The stall's sales: open with a float, record sales exactly once, undo, close.

What the stall screen shows is in market/panel.py; the takings and the tin's count in
market/takings.py; stock held for pre-orders in market/preorder_stock.py."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from clustermarket import money
from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.market.hooks import hooks
from clustermarket.market.services import (
    MarketError,
    fits_database,
    stall_for_worker,
    write_transaction,
)
from clustermarket.market.tables import (
    MarketStatus,
    PaymentMethod,
    Sale,
    Stall,
    StallStock,
)
from clustermarket.money import format_pence
from clustermarket.timeutil import now

MAX_QUANTITY = 20  # one tap sells a handful at most; more is a typing slip
MAX_CASH_PENCE = 100_000  # £1,000: no school stall's tin holds more
UNDO_MINUTES = 5
TAP_METHODS = (PaymentMethod.cash, PaymentMethod.card)


class SoldOut(MarketError):
    """Not enough left of the product; nothing was recorded."""


@dataclass(frozen=True)
class SaleOutcome:
    sale: dict[str, Any]
    repeated: bool  # the same tap arrived again: nothing new was recorded
    stall: dict[str, Any] | None  # as stall_for_worker gives it, when loaded on the way

    @property
    def message(self) -> str:
        """The same words for the first answer and for every repeat."""
        s = self.sale
        return (
            f"Sold {s['quantity']} × {s['product_name']} for {format_pence(s['amount_pence'])}"
            f" ({s['method']})."
        )


def parse_pounds(raw: str, what: str, maximum: int = MAX_CASH_PENCE) -> int:
    """Pounds typed in a form ("12", "12.50", "£12.5") as pence, or a MarketError."""
    out_of_range = MarketError(f"{what}: type an amount from £0 to {format_pence(maximum)}.")
    if (raw or "").strip().startswith("-"):
        raise out_of_range
    try:
        pence = money.parse_pounds(raw or "")
    except money.MoneyError as error:
        if str(error) == money.NOT_AN_AMOUNT:
            raise MarketError(f"{what}: type an amount in pounds, like 12.50.") from None
        raise out_of_range from None  # fractions of a penny, or far too much
    if pence > maximum:
        raise out_of_range
    return pence


def _check_can_sell(state: dict[str, Any]) -> None:
    if state["day_status"] != MarketStatus.open:
        raise MarketError("The market day is not open, so nothing can be sold.")
    if state["opened_at"] is None:
        raise MarketError("Open the stall with its cash float first.")
    if state["closed_at"] is not None:
        raise MarketError("This stall is closed: no more sales.")


# ------------------------------------------------------------------ opening and closing


async def open_stall(stall: dict[str, Any], float_pence: int) -> None:
    if stall["day_status"] != MarketStatus.open:
        raise MarketError("The market day is not open yet: the admin opens it on the day.")
    updated = (
        await Stall.update({Stall.float_pence: float_pence, Stall.opened_at: now()})
        .where((Stall.id == stall["id"]) & Stall.opened_at.is_null())
        .returning(Stall.id)
    )
    if not updated:
        raise MarketError("This stall is already open.")


async def close_stall(stall: dict[str, Any], counted_pence: int) -> None:
    if stall["opened_at"] is None:
        raise MarketError("This stall was never opened.")
    updated = (
        await Stall.update({Stall.counted_cash_pence: counted_pence, Stall.closed_at: now()})
        .where((Stall.id == stall["id"]) & Stall.closed_at.is_null())
        .returning(Stall.id)
    )
    if not updated:
        raise MarketError("This stall is already closed.")


# ------------------------------------------------------------------ sales


def _valid_client_id(client_id: str) -> str:
    try:
        return str(uuid.UUID(client_id))
    except (ValueError, TypeError, AttributeError):
        raise MarketError("This tap had no valid sale id. Please reload the page.") from None


# Joined and aliased columns are built once: Piccolo deep-copies a column for every alias,
# which costs more than the query itself on the sale path.
_SALE_COLUMNS = (
    Sale.id,
    Sale.client_id,
    Sale.stall,
    Sale.quantity,
    Sale.amount_pence,
    Sale.method,
    Sale.tendered_pence,
    Sale.recorded_at,
    Sale.voided_at,
    Sale.product.published_name.as_alias("product_name"),
)
_SELL_COLUMNS = (
    StallStock.id,
    StallStock.left,
    StallStock.product.published_name.as_alias("name"),
    StallStock.product.published_price_pence.as_alias("price_pence"),
    StallStock.product.unit_cost_pence.as_alias("cost_pence"),
    StallStock.product.is_public.as_alias("is_public"),
    StallStock.product.active.as_alias("active"),
    StallStock.stall.opened_at.as_alias("opened_at"),
    StallStock.stall.closed_at.as_alias("closed_at"),
    StallStock.stall.market_day.status.as_alias("day_status"),
)


async def _sale_by_client_id(stall_id: int, client_id: str) -> dict[str, Any] | None:
    sale = await Sale.select(*_SALE_COLUMNS).where(Sale.client_id == client_id).first()
    if sale is not None and sale["stall"] != stall_id:
        raise NotFound()  # a made-up id that another stall used: not theirs to see
    return sale


async def _stall_sale(stall: dict[str, Any], sale_id: int) -> dict[str, Any]:
    """A sale of this stall, or NotFound: a sale id never reaches another stall's records."""
    sale = None
    if fits_database(sale_id):
        sale = (
            await Sale.select(*_SALE_COLUMNS)
            .where((Sale.id == sale_id) & (Sale.stall == stall["id"]))
            .first()
        )
    if sale is None:
        raise NotFound()
    return sale


def check_tap(client_id: str, method: str, quantity: int) -> str:
    """A tap's input checked before any query; the sale id in its one spelling."""
    client_id = _valid_client_id(client_id)
    if method not in TAP_METHODS:
        raise MarketError("Choose cash or card.")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise MarketError(f"Sell between 1 and {MAX_QUANTITY} at a time.")
    return client_id


async def record_sale(
    user: CurrentUser, stall_id: int, product_id: int, quantity: int, method: str, client_id: str
) -> SaleOutcome:
    """One tap: one sale per `client_id`, however often it arrives; stock never below zero.

    Only someone who may work for the stall's team sells (NotFound otherwise); that check
    runs inside the sale's transaction, which saves the tap a connection."""
    client_id = check_tap(client_id, method, quantity)
    # The common tap is new: try it first. A repeat is caught by the unique client id (or
    # refused, say as sold out, because the first one took the last) and then answered
    # as the first was. The transaction has rolled back by then: nothing changed.
    try:
        async with write_transaction():
            stall = await stall_for_worker(user, stall_id)
            sale = await _sell(user, stall_id, product_id, quantity, method, client_id)
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError, MarketError) as error:
        if (earlier := await _sale_by_client_id(stall_id, client_id)) is not None:
            return SaleOutcome(sale=earlier, repeated=True, stall=None)
        if isinstance(error, MarketError):
            raise
        raise MarketError("This tap could not be recorded. Please try again.") from error
    return SaleOutcome(sale=sale, repeated=False, stall=stall)


async def _sell(
    user: CurrentUser, stall_id: int, product_id: int, quantity: int, method: str, client_id: str
) -> dict[str, Any]:
    """Inside the write transaction: checks, the conditional decrement, the sale row."""
    stock = (
        await StallStock.select(*_SELL_COLUMNS)
        .where((StallStock.stall == stall_id) & (StallStock.product == product_id))
        .first()
    )
    if stock is None or not (stock["is_public"] and stock["active"]):
        raise MarketError("That product is not sold at this stall.")
    _check_can_sell(stock)
    left = (
        await StallStock.update({StallStock.left: StallStock.left - quantity})
        .where((StallStock.id == stock["id"]) & (StallStock.left >= quantity))
        .returning(StallStock.left)
    )
    if not left:
        raise SoldOut(
            f"{stock['name']} is sold out."
            if stock["left"] == 0
            else f"Only {stock['left']} {stock['name']} left: not enough for {quantity}."
        )
    price = stock["price_pence"]
    sale = Sale(
        client_id=client_id,
        ticket=client_id,
        stall=stall_id,
        product=product_id,
        quantity=quantity,
        unit_price_pence=price,
        amount_pence=price * quantity,
        cost_pence=stock["cost_pence"] * quantity,
        method=method,
        recorded_by=user.id,
        recorded_at=now(),
    )
    rows = await Sale.insert(sale).returning(Sale.id)
    return {
        "id": rows[0]["id"],
        "client_id": client_id,
        "stall": stall_id,
        "quantity": quantity,
        "amount_pence": price * quantity,
        "method": method,
        "tendered_pence": None,
        "recorded_at": sale.recorded_at,
        "voided_at": None,
        "product_name": stock["name"],
    }


async def void_sale(user: CurrentUser, stall: dict[str, Any], sale_id: int) -> dict[str, Any]:
    """Undo a recent sale: it stays in the records, marked voided by whom and when."""
    if stall["day_status"] != MarketStatus.open or stall["closed_at"] is not None:
        raise MarketError("The stall is closed: sales can no longer be undone.")
    sale = await _stall_sale(stall, sale_id)
    if await hooks.is_pre_order_sale(stall["id"], sale["client_id"]):
        raise MarketError(
            "This is a collected pre-order: the items were handed over. "
            "A teacher refunds or cancels it from Pre-orders."
        )
    cutoff = now() - dt.timedelta(minutes=UNDO_MINUTES)
    async with write_transaction():
        voided = (
            await Sale.update({Sale.voided_at: now(), Sale.voided_by: user.id})
            .where((Sale.id == sale_id) & Sale.voided_at.is_null() & (Sale.recorded_at >= cutoff))
            .returning(Sale.quantity, Sale.product)
        )
        if voided:
            await StallStock.update({StallStock.left: StallStock.left + sale["quantity"]}).where(
                (StallStock.stall == stall["id"]) & (StallStock.product == voided[0]["product"])
            )
    if not voided:
        if sale["voided_at"] is not None:
            raise MarketError("That sale was already undone.")
        raise MarketError(
            f"That sale is more than {UNDO_MINUTES} minutes old, so it cannot be undone here. "
            "Ask your teacher."
        )
    return sale


async def give_change(stall: dict[str, Any], sale_id: int, tendered_pence: int) -> dict[str, Any]:
    """Note the cash handed over for a sale and work out the change due."""
    sale = await _stall_sale(stall, sale_id)
    if sale["method"] != PaymentMethod.cash or sale["voided_at"] is not None:
        raise MarketError("Change is only worked out for a cash sale that stands.")
    if tendered_pence < sale["amount_pence"]:
        raise MarketError(
            f"{format_pence(tendered_pence)} is less than {format_pence(sale['amount_pence'])}."
        )
    await Sale.update({Sale.tendered_pence: tendered_pence}).where(Sale.id == sale_id)
    sale["tendered_pence"] = tendered_pence
    sale["change_pence"] = tendered_pence - sale["amount_pence"]
    return sale


def _can_sell(stall: dict[str, Any]) -> bool:
    try:
        _check_can_sell(stall)
    except MarketError:
        return False
    return True


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
