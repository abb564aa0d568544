"""What every report shares: the WHERE conditions (a date range, a school, sales that stand)
and how units of goods are counted. Reports read the running totals (`SaleTotal`, kept by
triggers on `sale`), a few rows per stall, not every sale."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.columns import Column
from piccolo.querystring import QueryString

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


def standing_sales(school_id: int | None, period: Period, cluster_id: int | None = None) -> Any:
    """Sales not undone (totals with a line standing), on a market day in the range (of one
    school's teams, if given; of one cluster's market days, if given: the reports always give
    the request's cluster, a team's own pages are of its cluster already)."""
    where = (SaleTotal.lines > 0) & in_period(SaleTotal.stall.market_day.date, period)
    if cluster_id is not None:
        where &= SaleTotal.stall.market_day.cluster == cluster_id
    if school_id is not None:
        where &= SaleTotal.stall.team.school == school_id
    return where


def expenses_in(period: Period) -> Any:
    """A day's expense belongs to its market day; a general one to the day it was booked."""
    start, end = instants(period)
    return in_period(Expense.market_day.date, period) | (
        Expense.market_day.is_null() & (Expense.recorded_at >= start) & (Expense.recorded_at < end)
    )


def goods_units(alias: str = "units") -> QueryString:
    """Units of goods sold: a custom amount (a donation) is money taken, not an item sold."""
    return QueryString(
        "COALESCE(SUM(CASE WHEN {} = 'custom' THEN 0 ELSE {} END), 0)",
        SaleTotal.kind,
        SaleTotal.quantity,
        alias=alias,
    )
