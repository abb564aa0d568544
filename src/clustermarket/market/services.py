"""Market days."""

from __future__ import annotations

from typing import Any

from clustermarket.market.tables import MarketDay, MarketStatus
from clustermarket.timeutil import today_uk


async def next_market_day() -> dict[str, Any] | None:
    """The next market that is not over: today's or a later one."""
    return (
        await MarketDay.select(
            MarketDay.id,
            MarketDay.date,
            MarketDay.location,
            MarketDay.opens,
            MarketDay.closes,
            MarketDay.status,
        )
        .where((MarketDay.date >= today_uk()) & (MarketDay.status != MarketStatus.closed))
        .order_by(MarketDay.date)
        .first()
    )
