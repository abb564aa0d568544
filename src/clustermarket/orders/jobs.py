"""The orders domain's background jobs (see `jobs/registry.py`)."""

from __future__ import annotations

from typing import Any

from clustermarket.market.tables import MarketDay
from clustermarket.orders import cancelling, mail
from clustermarket.orders.tables import Order, OrderStatus
from clustermarket.settings import Settings
from clustermarket.timeutil import today_uk


async def send_receipt(settings: Settings, payload: dict[str, Any]) -> None:
    await mail.send_receipt(settings, int(payload["order_id"]), str(payload["status"]))


async def expire_checkouts(settings: Settings, payload: dict[str, Any]) -> None:
    """Every few minutes: online orders whose checkout ended without news are settled, and
    reservations whose confirmation link ran out lapse (they held nothing)."""
    from clustermarket.orders.reservations import lapse_unconfirmed

    await lapse_unconfirmed()
    if settings.stripe_enabled:
        await cancelling.expire_overdue_checkouts(settings, limit=100)


async def lapse_reservations(settings: Settings, payload: dict[str, Any]) -> None:
    """Nightly: pay-at-the-stall reservations nobody collected lapse once their day is over."""
    over = await MarketDay.select(MarketDay.id).where(MarketDay.date < today_uk())
    if not over:
        return
    days = (
        await Order.select(Order.market_day)
        .where(
            (Order.status == OrderStatus.reserved)
            & Order.market_day.is_in([row["id"] for row in over])
        )
        .distinct()
    )
    for row in days:
        await cancelling.expire_reservations_of_day(row["market_day"])
