"""What the market asks of the domains built on it, asked without importing them.

Imports point one way: `orders` builds on `market`, never the reverse. The orders domain
plugs its answers in with `orders.hooks.connect()`, which `server.create_app` calls. Until
something is connected the market behaves as if pre-orders did not exist: no sale is a
pre-order, nothing waits to be collected, and closing a day asks nobody.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


async def _no_pre_order(stall_id: int, client_id: str) -> bool:
    return False


async def _nothing_to_collect(stall_id: int) -> list[dict[str, Any]]:
    return []


@dataclass
class MarketHooks:
    # Whether a stall's sale (by its client id) is a collected pre-order line, which only
    # the order's refund or cancellation may undo.
    is_pre_order_sale: Callable[[int, str], Awaitable[bool]] = _no_pre_order
    # The pre-orders still to hand over at a stall, for the stall's page.
    orders_to_collect: Callable[[int], Awaitable[list[dict[str, Any]]]] = _nothing_to_collect
    # Called with the market day's id once it has closed (e.g. reservations lapse).
    day_closed: list[Callable[[int], Awaitable[Any]]] = field(default_factory=list)


hooks = MarketHooks()


async def market_day_closed(day_id: int) -> None:
    for listener in hooks.day_closed:
        await listener(day_id)
