"""The admin corrects market days and stalls: edit, or remove while nothing was sold or
pre-ordered against them (a pre-order line holds its stall by a restricting foreign key)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import asyncpg

from clustermarket.market.services import (
    MarketError,
    check_market_day,
    fits_database,
    market_day,
    write_transaction,
)
from clustermarket.market.tables import MarketDay, MarketStatus, Sale, Stall

_IN_USE = (sqlite3.IntegrityError, asyncpg.ForeignKeyViolationError)


async def update_market_day(
    day_id: int,
    cluster_id: int,
    date: dt.date | None,
    location: str,
    opens: dt.time | None,
    closes: dt.time | None,
) -> None:
    day = await market_day(day_id, cluster_id)  # the request's cluster's day, or NotFound
    if day["status"] == MarketStatus.closed:
        raise MarketError("This market day is over: it stays as it was.")
    location = check_market_day(date, location, opens, closes)
    await MarketDay.update(
        {
            MarketDay.date: date,
            MarketDay.location: location,
            MarketDay.opens: opens,
            MarketDay.closes: closes,
        }
    ).where(MarketDay.id == day_id)


async def remove_market_day(day_id: int, cluster_id: int) -> None:
    await market_day(day_id, cluster_id)
    if await Sale.exists().where(Sale.stall.market_day == day_id):
        raise MarketError("Sales were recorded on this market day: it cannot be removed.")
    try:
        async with write_transaction():
            await MarketDay.delete().where(MarketDay.id == day_id)
    except _IN_USE:
        raise MarketError(
            "Pre-orders were placed for this market day: it cannot be removed."
        ) from None


async def remove_stall(day_id: int, stall_id: int) -> str:
    """Remove a stall of the day; returns the team's name for the message."""
    stall = None
    if fits_database(stall_id):
        stall = (
            await Stall.select(Stall.id, Stall.team.name.as_alias("team"))
            .where((Stall.id == stall_id) & (Stall.market_day == day_id))
            .first()
        )
    if stall is None:
        raise MarketError("That stall is not on this market day.")
    if await Sale.exists().where(Sale.stall == stall_id):
        raise MarketError(f"{stall['team']} has sold at this stall: it cannot be removed.")
    try:
        async with write_transaction():
            await Stall.delete().where(Stall.id == stall_id)
    except _IN_USE:
        raise MarketError(
            f"Pre-orders were placed at the stall of {stall['team']}: it cannot be removed."
        ) from None
    return stall["team"]
