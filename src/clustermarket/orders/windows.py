"""When a market day takes pre-orders, and how many (set by the admin per market day).

- Before `opens_at` or after `closes_at` (UK time as typed, stored in UTC) the shop shows
  when pre-orders open or that they have closed, and refuses baskets and checkouts.
- `max_orders`: each placed order takes one place with one conditional UPDATE
  (`orders_taken < max_orders`), so two buyers at once can never pass the cap, on SQLite or
  PostgreSQL; a checkout that then fails gives its place back. Once full, the shop says
  "Pre-orders are full" by itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from clustermarket.frozen import Prepared
from clustermarket.market.services import write_transaction
from clustermarket.orders.errors import OrderError
from clustermarket.orders.tables import PreOrderWindow
from clustermarket.timeutil import UK, now, uk_time

TIME_FORMAT = "%A %-d %B at %H:%M"
MAX_DISCOUNT = 50  # percent


class PreOrdersShut(OrderError):
    status_code = 409


# Built once (`frozen.Prepared`): the market day's shop reads it on every view.
_WINDOW = Prepared(
    lambda day_id: PreOrderWindow.select().where(PreOrderWindow.market_day == day_id).first()
)


async def window_of(day_id: int) -> dict[str, Any] | None:
    return await _WINDOW.run(day_id)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite may hand back naive UTC
        return value.replace(tzinfo=dt.UTC)
    return value


def why_shut(window: dict[str, Any] | None, at: dt.datetime | None = None) -> str:
    """Why the shop takes no pre-orders now ("" when it does)."""
    if not window:
        return ""
    at = at or now()
    opens, closes = _aware(window["opens_at"]), _aware(window["closes_at"])
    if opens and at < opens:
        return f"Pre-orders open on {uk_time(opens, TIME_FORMAT)}."
    if closes and at >= closes:
        return f"Pre-orders closed on {uk_time(closes, TIME_FORMAT)}."
    if window["max_orders"] is not None and window["orders_taken"] >= window["max_orders"]:
        return "Pre-orders are full for this market: come to the stalls on the day."
    return ""


async def check_open(day_id: int) -> None:
    reason = why_shut(await window_of(day_id))
    if reason:
        raise PreOrdersShut(reason)


async def take_place(day_id: int) -> None:
    """One place under the cap for an order about to be placed (PreOrdersShut if none)."""
    await check_open(day_id)
    async with write_transaction():
        taken = (
            await PreOrderWindow.update(
                {PreOrderWindow.orders_taken: PreOrderWindow.orders_taken + 1}
            )
            .where(
                (PreOrderWindow.market_day == day_id)
                & (
                    PreOrderWindow.max_orders.is_null()
                    | (PreOrderWindow.orders_taken < PreOrderWindow.max_orders)
                )
            )
            .returning(PreOrderWindow.id)
        )
        if not taken and await PreOrderWindow.exists().where(PreOrderWindow.market_day == day_id):
            raise PreOrdersShut(
                "Pre-orders are full for this market: come to the stalls on the day."
            )


async def give_back_place(day_id: int) -> None:
    """The checkout that took a place failed (out of stock, bad details): free it."""
    await PreOrderWindow.update(
        {PreOrderWindow.orders_taken: PreOrderWindow.orders_taken - 1}
    ).where((PreOrderWindow.market_day == day_id) & (PreOrderWindow.orders_taken > 0))


def parse_local_time(text: str, label: str) -> dt.datetime | None:
    """A `datetime-local` field ("2026-12-04T18:00"), read as UK time; blank means none."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise OrderError(f"{label}: give a date and time, like 2026-12-04 18:00.") from None
    if value.tzinfo is not None:
        raise OrderError(f"{label}: give a date and time, like 2026-12-04 18:00.")
    return value.replace(tzinfo=UK).astimezone(dt.UTC)


async def set_window(
    day_id: int, opens: str, closes: str, max_orders: str, discount: str = ""
) -> dict[str, Any]:
    """Save the admin's window and cap for a market day (OrderError naming what is wrong)."""
    problems = []
    try:
        opens_at = parse_local_time(opens, "Pre-orders open")
    except OrderError as error:
        problems.append(str(error))
        opens_at = None
    try:
        closes_at = parse_local_time(closes, "Pre-orders close")
    except OrderError as error:
        problems.append(str(error))
        closes_at = None
    if opens_at and closes_at and opens_at >= closes_at:
        problems.append("Pre-orders must open before they close.")
    cap = None
    if (max_orders or "").strip():
        text = max_orders.strip()
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 10_000:
            problems.append("The most orders: a whole number from 1 to 10000, or blank.")
        else:
            cap = int(text)
    percent = None
    if (discount or "").strip():
        text = discount.strip().removesuffix("%").strip()
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_DISCOUNT:
            problems.append(f"The member discount: a whole percent from 1 to {MAX_DISCOUNT}.")
        else:
            percent = int(text)
    if problems:
        raise OrderError(" ".join(problems))
    values = {
        PreOrderWindow.member_discount_percent: percent,
        PreOrderWindow.opens_at: opens_at,
        PreOrderWindow.closes_at: closes_at,
        PreOrderWindow.max_orders: cap,
    }
    async with write_transaction():
        updated = (
            await PreOrderWindow.update(values)
            .where(PreOrderWindow.market_day == day_id)
            .returning(PreOrderWindow.id)
        )
        if not updated:
            await PreOrderWindow.insert(
                PreOrderWindow(
                    market_day=day_id,
                    opens_at=opens_at,
                    closes_at=closes_at,
                    max_orders=cap,
                    member_discount_percent=percent,
                )
            )
    return await window_of(day_id) or {}


def form_value(value: dt.datetime | None) -> str:
    """A stored time back into a `datetime-local` field, in UK time."""
    return uk_time(_aware(value), "%Y-%m-%dT%H:%M") if value else ""
