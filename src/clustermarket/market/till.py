"""What the full-screen till shows: products as tiles, the takings, the last tickets."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from clustermarket.market.panel import _SCREEN_COLUMNS, _SCREEN_ORDER, _SELLABLE_STOCK
from clustermarket.market.sales import MAX_QUANTITY, UNDO_MINUTES, _can_sell
from clustermarket.market.services import MarketError, fits_database
from clustermarket.market.tables import StallStock
from clustermarket.market.takings import cash_summary, stall_takings
from clustermarket.market.tickets import TicketRequest, recent_tickets
from clustermarket.media.services import photos_for
from clustermarket.money import format_pence

RECENT_TICKETS = 5


async def till_state(stall: dict[str, Any]) -> dict[str, Any]:
    """What the phone keeps from the server: the products with what is left, the takings."""
    products = (
        await StallStock.select(*_SCREEN_COLUMNS)
        .where((StallStock.stall == stall["id"]) & (StallStock.brought > 0) & _SELLABLE_STOCK)
        .order_by(_SCREEN_ORDER)
    )
    return {"products": products, "takings": await stall_takings(stall["id"])}


async def till_screen(stall: dict[str, Any], read: dict[str, Any] | None = None) -> dict:
    """Products (with a thumbnail), takings, the last tickets: four queries, two when the
    products and takings were `read` with the stall (market/tap.py's `screen`)."""
    read = read or await till_state(stall)
    products, takings = read["products"], read["takings"]
    photos = await photos_for("product", [p["id"] for p in products], published=True)
    for product in products:
        product["photo"] = (photos.get(product["id"]) or [None])[0]
    return {
        "products": products,
        "takings": takings,
        "cash": cash_summary(stall, takings),
        "tickets": await recent_tickets(stall["id"], RECENT_TICKETS),
        "can_sell": _can_sell(stall),
        "undo_minutes": UNDO_MINUTES,
        "max_quantity": MAX_QUANTITY,
        "ticket_id": str(uuid.uuid4()),  # the next ticket's id, made here for plain forms
    }


def _pence(raw: str, what: str) -> int:
    from clustermarket.market.sales import parse_pounds

    return parse_pounds(raw, what) if (raw or "").strip() else 0


def parse_ticket_form(form: dict[str, str]) -> TicketRequest:
    """The till's form (plain post or the phone's queue) as a ticket request."""
    lines: dict[int, int] = {}
    for key, raw in form.items():
        if not key.startswith("qty_") or not (raw or "").strip() or raw.strip() == "0":
            continue
        try:
            product_id, quantity = int(key.removeprefix("qty_")), int(raw.strip())
        except ValueError:
            raise MarketError("How many: type a whole number.") from None
        if not fits_database(product_id):
            raise MarketError("A product on this ticket is not sold at this stall.")
        if quantity:
            lines[product_id] = quantity
    tendered_raw = (form.get("tendered") or "").strip()
    sold_at = None
    if raw_time := (form.get("sold_at") or "").strip():
        try:
            sold_at = dt.datetime.fromisoformat(raw_time.replace("Z", "+00:00"))
        except ValueError:
            sold_at = None
    return TicketRequest(
        ticket_id=form.get("ticket_id", ""),
        method=form.get("method", ""),
        lines=lines,
        custom_pence=_pence(form.get("custom_amount", ""), "Custom amount"),
        custom_label=form.get("custom_label", ""),
        tendered_pence=_pence(tendered_raw, "Amount handed over") if tendered_raw else None,
        offline=form.get("offline") == "1",
        sold_at=sold_at,
    )


def ticket_json(ticket: dict[str, Any]) -> dict[str, Any]:
    return {
        **ticket,
        "recorded_at": ticket["recorded_at"].isoformat(),
        "total": format_pence(ticket["total_pence"]),
    }
