"""Tickets: a customer's whole purchase is one sale of one or more lines, paid once.

The phone makes the ticket's id, so a ticket sent twice (a retry, a queue sent again after
the signal came back) is recorded once. All lines go in one write transaction; each line's
stock moves by one conditional UPDATE, so the race guarantees of a single tap hold per line.
A ticket made offline is a fact (the goods were handed over): if the stock count disagrees
it is still recorded, its line flagged `beyond_stock` for the teacher, and stock stays at 0."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.market.sales import (
    _SELL_COLUMNS,
    MAX_CASH_PENCE,
    MAX_QUANTITY,
    TAP_METHODS,
    UNDO_MINUTES,
    SoldOut,
    _aware,
    _check_can_sell,
)
from clustermarket.market.services import MarketError, stall_for_worker, write_transaction
from clustermarket.market.tables import MarketStatus, PaymentMethod, Sale, SaleKind, StallStock
from clustermarket.money import format_pence
from clustermarket.timeutil import now
from clustermarket.uuids import name_uuid

MAX_LINES = 30
CUSTOM_LABEL = "Custom amount"
OFFLINE_DAYS = 1  # a phone uploads within a day (Square's rule); older times are not trusted
FLAG_WORDS = "sold while offline beyond the counted stock"


@dataclass
class TicketRequest:
    """What the phone sends: quantities per product id, an optional custom amount."""

    ticket_id: str
    method: str
    lines: dict[int, int] = field(default_factory=dict)
    custom_pence: int = 0
    custom_label: str = ""
    tendered_pence: int | None = None
    offline: bool = False
    sold_at: dt.datetime | None = None


@dataclass(frozen=True)
class TicketOutcome:
    ticket: dict[str, Any]
    repeated: bool  # the same ticket arrived again: nothing new was recorded

    @property
    def message(self) -> str:
        t = self.ticket
        words = ", ".join(f"{line['quantity']} × {line['name']}" for line in t["lines"])
        text = f"Sold {words} for {format_pence(t['total_pence'])} ({t['method']})."
        if t["change_pence"] is not None:
            text += f" Change due {format_pence(t['change_pence'])}."
        return text


_LINE_COLUMNS = (
    Sale.id,
    Sale.ticket,
    Sale.stall,
    Sale.product,
    Sale.kind,
    Sale.label,
    Sale.quantity,
    Sale.amount_pence,
    Sale.method,
    Sale.tendered_pence,
    Sale.recorded_at,
    Sale.voided_at,
    Sale.offline,
    Sale.beyond_stock,
    Sale.product.published_name.as_alias("product_name"),
)
_TICKET_STOCK = (*_SELL_COLUMNS, StallStock.product.as_alias("product_id"))


def valid_ticket_id(raw: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except (ValueError, TypeError, AttributeError):
        raise MarketError("This ticket had no valid id. Please reload the page.") from None


def line_id(ticket_id: str, n: int) -> str:
    """Each line's own sale id, made from the ticket's: the same ticket makes the same ids."""
    return name_uuid(ticket_id, f"line-{n}")  # str(uuid.uuid5(UUID(ticket_id), "line-n"))


def check_ticket(request: TicketRequest) -> None:
    request.ticket_id = valid_ticket_id(request.ticket_id)
    if request.method not in TAP_METHODS:
        raise MarketError("Choose cash or card.")
    if not request.lines and not request.custom_pence:
        raise MarketError("The ticket is empty: tap a product first.")
    if len(request.lines) > MAX_LINES:
        raise MarketError(f"A ticket holds at most {MAX_LINES} lines.")
    for quantity in request.lines.values():
        if not 1 <= quantity <= MAX_QUANTITY:
            raise MarketError(f"Sell between 1 and {MAX_QUANTITY} of a product on one ticket.")
    if not 0 <= request.custom_pence <= MAX_CASH_PENCE:
        raise MarketError(f"A custom amount is at most {format_pence(MAX_CASH_PENCE)}.")
    request.custom_label = " ".join(request.custom_label.split())[:60] or CUSTOM_LABEL
    if request.method != PaymentMethod.cash:
        request.tendered_pence = None


def _sold_at(request: TicketRequest) -> dt.datetime:
    """Now, or for an offline ticket the phone's time of sale if it is plausible."""
    moment = now()
    if request.offline and request.sold_at is not None:
        sold_at = _aware(request.sold_at)
        if moment - dt.timedelta(days=OFFLINE_DAYS) <= sold_at <= moment:
            return sold_at
    return moment


async def record_ticket(user: CurrentUser, stall_id: int, request: TicketRequest) -> TicketOutcome:
    """One ticket per id, however often it arrives; all its lines or none (when online)."""
    check_ticket(request)
    try:
        async with write_transaction():
            stall = await stall_for_worker(user, stall_id)
            ticket = await _sell(user, stall, request)
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError, MarketError) as error:
        if earlier := await ticket_of_stall(stall_id, request.ticket_id, missing_ok=True):
            return TicketOutcome(ticket=earlier, repeated=True)
        if isinstance(error, MarketError):
            raise
        raise MarketError("This ticket could not be recorded. Please try again.") from error
    return TicketOutcome(ticket=ticket, repeated=False)


async def _sell(user: CurrentUser, stall: dict[str, Any], request: TicketRequest) -> dict:
    if request.offline:  # made while the stall was open: a fact even if it closed since
        if stall["opened_at"] is None:
            raise MarketError("Open the stall with its cash float first.")
    else:
        _check_can_sell(stall)
    stocks = {}
    if request.lines:
        rows = await StallStock.select(*_TICKET_STOCK).where(
            (StallStock.stall == stall["id"]) & StallStock.product.is_in(list(request.lines))
        )
        stocks = {row["product_id"]: row for row in rows}
    sold_at = _sold_at(request)
    sales: list[Sale] = []
    for product_id in sorted(request.lines):
        quantity = request.lines[product_id]
        stock = stocks.get(product_id)
        if stock is None or not (stock["is_public"] and stock["active"]):
            raise MarketError("A product on this ticket is not sold at this stall.")
        beyond = not await _take(stock, quantity, request.offline)
        price = stock["price_pence"]
        sales.append(
            _line(user, stall, request, sold_at, len(sales), quantity, price)
            | {
                "product": product_id,
                "cost_pence": stock["cost_pence"] * quantity,
                "beyond_stock": beyond,
            }
        )
    if request.custom_pence:
        sales.append(
            _line(user, stall, request, sold_at, len(sales), 1, request.custom_pence)
            | {"product": None, "kind": SaleKind.custom, "label": request.custom_label}
        )
    total = sum(sale["amount_pence"] for sale in sales)
    if request.tendered_pence is not None:
        if request.tendered_pence < total and not request.offline:
            raise MarketError(
                f"{format_pence(request.tendered_pence)} handed over is less than the total "
                f"{format_pence(total)}."
            )
        sales[0]["tendered_pence"] = request.tendered_pence
    await Sale.insert(*[Sale(**sale) for sale in sales])
    names = {pid: stock["name"] for pid, stock in stocks.items()}
    return ticket_lines(
        [{**sale, "product_name": names.get(sale["product"]), "voided_at": None} for sale in sales]
    )


async def _take(stock: dict[str, Any], quantity: int, offline: bool) -> bool:
    """Take `quantity` off the stall's count; False when an offline sale went beyond it."""
    left = (
        await StallStock.update({StallStock.left: StallStock.left - quantity})
        .where((StallStock.id == stock["id"]) & (StallStock.left >= quantity))
        .returning(StallStock.left)
    )
    if left:
        return True
    if not offline:
        raise SoldOut(
            f"{stock['name']} is sold out."
            if stock["left"] == 0
            else f"Only {stock['left']} {stock['name']} left: not enough for {quantity}."
        )
    await StallStock.update({StallStock.left: 0}).where(StallStock.id == stock["id"])
    return False


def _line(user, stall, request, sold_at, n, quantity, price) -> dict[str, Any]:
    return {
        "client_id": line_id(request.ticket_id, n),
        "ticket": request.ticket_id,
        "stall": stall["id"],
        "kind": SaleKind.product,
        "label": "",
        "quantity": quantity,
        "unit_price_pence": price,
        "amount_pence": price * quantity,
        "cost_pence": 0,
        "method": request.method,
        "tendered_pence": None,
        "offline": request.offline,
        "beyond_stock": False,
        "recorded_by": user.id,
        "recorded_at": sold_at,
    }


def ticket_lines(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """A ticket as the screen and the phone show it, from its sale lines."""
    first = lines[0]
    total = sum(line["amount_pence"] for line in lines)
    tendered = next((x["tendered_pence"] for x in lines if x["tendered_pence"] is not None), None)
    shown = []
    for line in lines:
        name = line["label"] if line["kind"] == SaleKind.custom else line["product_name"]
        shown.append(
            {
                "product_id": line["product"],
                "name": name,
                "kind": line["kind"],
                "quantity": line["quantity"],
                "amount_pence": line["amount_pence"],
                "beyond_stock": line["beyond_stock"],
            }
        )
    return {
        "id": first["ticket"],
        "lines": shown,
        "total_pence": total,
        "method": first["method"],
        "tendered_pence": tendered,
        "change_pence": None if tendered is None else max(tendered - total, 0),
        "recorded_at": first["recorded_at"],
        "voided": first["voided_at"] is not None,
        "offline": any(line["offline"] for line in lines),
        "flagged": any(line["beyond_stock"] for line in lines),
        "preorder": any(line["kind"] == SaleKind.preorder for line in lines),
    }


def group_tickets(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sale lines (in any order) as tickets, in the order each ticket first appears."""
    by_ticket: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_ticket.setdefault(line["ticket"], []).append(line)
    return [ticket_lines(sorted(group, key=lambda x: x["id"])) for group in by_ticket.values()]


async def ticket_of_stall(
    stall_id: int, ticket_id: str, missing_ok: bool = False
) -> dict[str, Any] | None:
    """A ticket of this stall; another stall's ticket id is NotFound, never shown."""
    lines = await Sale.select(*_LINE_COLUMNS).where(Sale.ticket == ticket_id)
    if lines and any(line["stall"] != stall_id for line in lines):
        raise NotFound()
    if not lines:
        if missing_ok:
            return None
        raise NotFound()
    return group_tickets(lines)[0]


async def recent_tickets(stall_id: int, count: int) -> list[dict[str, Any]]:
    """The stall's last tickets, newest first, with whether each can still be undone."""
    lines = (
        await Sale.select(*_LINE_COLUMNS)
        .where(Sale.stall == stall_id)
        .order_by(Sale.id, ascending=False)
        .limit(count * 4)
    )
    tickets = group_tickets(lines)[:count]
    cutoff = now() - dt.timedelta(minutes=UNDO_MINUTES)
    for ticket in tickets:
        ticket["can_undo"] = (
            not ticket["voided"]
            and not ticket["preorder"]
            and _aware(ticket["recorded_at"]) >= cutoff
        )
    return tickets


async def void_ticket(user: CurrentUser, stall: dict[str, Any], ticket_id: str) -> dict:
    """Undo a whole recent ticket: its lines stay in the records, marked voided."""
    if stall["day_status"] != MarketStatus.open or stall["closed_at"] is not None:
        raise MarketError("The stall is closed: sales can no longer be undone.")
    ticket = await ticket_of_stall(stall["id"], valid_ticket_id(ticket_id))
    if ticket["preorder"]:
        raise MarketError(
            "This is a collected pre-order: the items were handed over. "
            "A teacher refunds or cancels it from Pre-orders."
        )
    cutoff = now() - dt.timedelta(minutes=UNDO_MINUTES)
    async with write_transaction():
        voided = (
            await Sale.update({Sale.voided_at: now(), Sale.voided_by: user.id})
            .where(
                (Sale.ticket == ticket["id"])
                & (Sale.stall == stall["id"])
                & Sale.voided_at.is_null()
                & (Sale.recorded_at >= cutoff)
            )
            .returning(Sale.quantity, Sale.product, Sale.beyond_stock)
        )
        for line in voided:
            if line["product"] is not None and not line["beyond_stock"]:
                await StallStock.update(
                    {StallStock.left: StallStock.left + line["quantity"]}
                ).where((StallStock.stall == stall["id"]) & (StallStock.product == line["product"]))
    if not voided:
        if ticket["voided"]:
            raise MarketError("That ticket was already undone.")
        raise MarketError(
            f"That ticket is more than {UNDO_MINUTES} minutes old, so it cannot be undone "
            "here. Ask your teacher."
        )
    return ticket
