"""The market's shop and the basket's quantities: every quantity typed (or stepped with − / +)
is checked on its own, and a line that cannot be honoured keeps its old quantity and gets a
message next to its field. The basket in the session is the only thing a total is ever
computed from, so the total on every page is what "Reserve" or "Pay" orders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from clustermarket.catalogue.extras import add_product_extra
from clustermarket.frozen import Prepared
from clustermarket.market import allowance
from clustermarket.market.services import fits_database
from clustermarket.market.tables import MarketStatus, StallStock
from clustermarket.media.services import photos_for
from clustermarket.moderation.content import PRODUCT
from clustermarket.orders import services
from clustermarket.orders.errors import OrderError
from clustermarket.orders.services import MAX_PER_LINE
from clustermarket.orders.windows import why_shut, window_of
from clustermarket.timeutil import today_uk
from clustermarket.web.pagination import Page

WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,9}")  # ASCII digits only: int() takes others too
LOW_STOCK = 5  # "only N left" from here down


@dataclass
class QuantityCheck:
    """What the form asked for: the basket to keep, and a message per product that could
    not be honoured (its line keeps the quantity it had)."""

    items: dict[str, int]
    errors: dict[int, str] = field(default_factory=dict)
    typed: dict[int, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.items.values())


def read_quantity(raw: str, product: dict[str, Any]) -> tuple[int | None, str]:
    """A typed quantity as a whole number the stall can honour, or None and why not."""
    text = (raw or "").strip()
    if not text:
        return 0, ""
    name, left = product["name"], product["left"]
    limit = min(left, MAX_PER_LINE)
    if not WHOLE_NUMBER.fullmatch(text):
        return None, f"{name}: type a whole number, like 2."
    quantity = int(text)
    if quantity < 0:
        return None, f"{name}: choose from 0 to {limit}."
    if quantity > left:
        return None, services.too_many_message(product)
    if quantity > MAX_PER_LINE:
        return None, f"{name}: at most {MAX_PER_LINE} per order."
    return quantity, ""


def _step(form: dict[str, str]) -> tuple[int, int] | None:
    """The − / + button pressed: "<product id>:<+1 or -1>"."""
    product, _, delta = (form.get("step") or "").partition(":")
    if not product.isdigit() or delta not in ("1", "-1", "+1"):
        return None
    return int(product), int(delta)


async def check_quantities(
    day_id: int, form: dict[str, str], basket: dict[str, Any] | None
) -> QuantityCheck:
    """Apply the typed quantities (`qty_<product id>`) and a − / + step to the basket of this
    market day. OrderError only for a product that is not on sale that day."""
    await services.orderable_day(day_id)
    asked = [int(k[4:]) for k in form if k.startswith("qty_") and k[4:].isdigit()]
    stepped = _step(form)
    asked += [stepped[0]] if stepped else []
    only = [p for p in asked if fits_database(p)]
    available = {p["product_id"]: p for p in await services.day_products(day_id, only)}
    same_day = bool(basket) and basket.get("day") == day_id
    items = {k: int(v) for k, v in (basket or {}).get("items", {}).items()} if same_day else {}
    check = QuantityCheck(items=items)
    adding = form.get("add") == "1"
    for key, raw in form.items():
        if not key.startswith("qty_"):
            continue
        product_id = int(key[4:]) if key[4:].isdigit() and fits_database(int(key[4:])) else 0
        product = available.get(product_id)
        if product is None:
            raise OrderError("One of those products is not on sale that day.")
        quantity, error = read_quantity(str(raw), product)
        if quantity is not None and adding:  # "Add to my basket" on a product page
            quantity, error = read_quantity(str(quantity + items.get(key[4:], 0)), product)
        if quantity is None:
            check.errors[product_id] = _kept(error, items.get(str(product_id), 0))
            check.typed[product_id] = str(raw)
        else:
            items[str(product_id)] = quantity
    step = _step(form)
    if step and step[0] in available and step[0] not in check.errors:
        product_id, delta = step
        product = available[product_id]
        wanted = items.get(str(product_id), 0) + delta
        quantity, error = read_quantity(str(max(wanted, 0)), product)
        if quantity is None:
            check.errors[product_id] = _kept(error, items.get(str(product_id), 0))
        else:
            items[str(product_id)] = quantity
    check.items = {k: q for k, q in items.items() if q > 0}
    return check


def _kept(error: str, quantity: int) -> str:
    return f"{error} Your basket keeps {quantity}." if quantity else error


def mark_fields(rows: list[dict[str, Any]], check: QuantityCheck | None, kept: str) -> str:
    """Each row's field shows what was typed (if refused) or the basket's quantity (`kept`),
    with its message; returns the summary for the top of the page ("" if all went in)."""
    typed, errors = (check.typed, check.errors) if check else ({}, {})
    for row in rows:
        row["typed"] = typed.get(row["product_id"], str(row[kept]))
        row["error"] = errors.get(row["product_id"], "")
    return "Some quantities could not be changed: see the messages by them." if errors else ""


def basket_of(day_id: int, check: QuantityCheck) -> dict[str, Any] | None:
    return {"day": day_id, "items": check.items} if check.items else None


SHOP_PAGE_SIZE = 30


async def shop_page(day_id: int, number: int = 1) -> Page:
    """A page of the day's products as shop cards: photo, price, stall, what is left (the
    count, the stock and the photos: three queries). The same for every visitor: the shop
    keeps it between views (`web/public_data.py`), so it is read, never changed: each view
    marks copies (`for_basket`)."""
    page = await services.day_products_page(day_id, number, SHOP_PAGE_SIZE)
    products = page.items
    photos = await photos_for("product", [p["product_id"] for p in products], published=True)
    for product in products:
        product["photo"] = (photos.get(product["product_id"]) or [None])[0]
        product["limit"] = min(product["left"], MAX_PER_LINE)
        product["low"] = 0 < product["left"] <= LOW_STOCK
    return page


def for_basket(page: Page, day_id: int, basket: dict[str, Any] | None) -> Page:
    """`page` with copies of its cards, each with what the basket holds of it."""
    in_basket = basket["items"] if basket and basket.get("day") == day_id else {}
    items = [
        {**product, "in_basket": int(in_basket.get(str(product["product_id"]), 0))}
        for product in page.items
    ]
    return replace(page, items=items)


async def basket_summary(basket: dict[str, Any] | None) -> dict[str, Any]:
    """Count and total for the basket bar, priced from the database like the basket page."""
    lines = await services.basket_lines(basket)
    lines["count"] = sum(x["quantity"] for x in lines["lines"])
    return lines


# Built once (`frozen.Prepared`): every product page asks it.
_OFFER = Prepared(
    lambda product_id, today: (
        StallStock.select(
            StallStock.left,
            StallStock.brought,
            StallStock.preorder_allowance,
            StallStock.preordered,
            StallStock.product.id.as_alias("product_id"),
            StallStock.stall.team.name.as_alias("team_name"),
            StallStock.stall.market_day.id.as_alias("day_id"),
            StallStock.stall.market_day.date.as_alias("date"),
            StallStock.stall.market_day.location.as_alias("location"),
        )
        .where(
            (StallStock.product == product_id)
            & (StallStock.brought > 0)
            & StallStock.stall.closed_at.is_null()
            & (StallStock.stall.market_day.status != MarketStatus.closed)
            & (StallStock.stall.market_day.date >= today)
            & PRODUCT.public_where(StallStock.product)
        )
        .order_by(StallStock.stall.market_day.date)
        .first()
    )
)


async def pre_order_offer(product_id: int) -> dict[str, Any]:
    """For the product page: the next market day (not over) whose open stall brings it."""
    row = await _OFFER.run(product_id, today_uk())
    if row:
        row["left"] = allowance.left_to_pre_order(row)  # the rest is kept for the stall
        row["shut"] = why_shut(await window_of(row["day_id"]))
    return {"pre_order": row} if row else {}


add_product_extra(pre_order_offer)
