"""What every report shares: the WHERE conditions (a date range, a school, sales that stand)
and how units of goods are counted. Reports read running totals kept by triggers: per stall
and method (`StallMethodTotal`), or per stall, product and price (`SaleTotal`) for the
products report; never every sale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from clustermarket.market.tables import Expense, SaleTotal
from clustermarket.reports.periods import Period
from clustermarket.timeutil import UK


def in_period(date_column: Column, period: Period) -> Any:
    """A date column (e.g. a market day's date) within the range, both ends included."""
    return (date_column >= period.start) & (date_column <= period.end)


def instants(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The range as moments: from UK midnight on its first day to UK midnight after its last."""
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=UK)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=UK)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def standing_sales(school_id: int | None, period: Period, totals: type[Table] = SaleTotal) -> Any:
    """Sales not undone (totals with a line standing), on a market day in the range (of one
    school's teams, if given). `totals`: `SaleTotal` or `StallMethodTotal`."""
    where = (totals.lines > 0) & in_period(totals.stall.market_day.date, period)
    if school_id is not None:
        where &= totals.stall.team.school == school_id
    return where


def expenses_in(period: Period) -> Any:
    """A day's expense belongs to its market day; a general one to the day it was booked."""
    start, end = instants(period)
    return in_period(Expense.market_day.date, period) | (
        Expense.market_day.is_null() & (Expense.recorded_at >= start) & (Expense.recorded_at < end)
    )


def frozen_per_range(
    build: Callable[[int | None, Period], Any],
) -> Callable[[int | None, Period], Awaitable[list[dict[str, Any]]]]:
    """A report's select, built once per school and range (`freeze()` keeps its SQL): the
    ranges asked for are a handful a day (this year, this term, a market day), and building
    a joined select costs more than the database's answer from the running totals."""
    frozen = lru_cache(maxsize=64)(lambda school_id, period: build(school_id, period).freeze())

    async def rows(school_id: int | None, period: Period) -> list[dict[str, Any]]:
        return await frozen(school_id, period).run()

    return rows
