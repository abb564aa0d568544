"""What every report shares: the WHERE conditions (a date range, a school, sales that stand)
and its selects built once (`RangeRows`). Reports read running totals kept by triggers: per
stall and method (`StallMethodTotal`, where units count goods, not custom amounts), or per
stall, product and price (`SaleTotal`) for the products report; never every sale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from piccolo.columns import Column
from piccolo.querystring import QueryString
from piccolo.table import Table

from clustermarket.frozen import freeze_with_values
from clustermarket.market.tables import Expense, MarketDay, SaleTotal, Stall
from clustermarket.reports.periods import Period
from clustermarket.settings import get_settings
from clustermarket.teams.tables import Team
from clustermarket.timeutil import UK
from clustermarket.web.pagination import clamp


def in_period(date_column: Column, period: Period) -> Any:
    """A date column (e.g. a market day's date) within the range, both ends included."""
    return (date_column >= period.start) & (date_column <= period.end)


def instants(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The range as moments: from UK midnight on its first day to UK midnight after its last."""
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=UK)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=UK)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def standing_sales(
    school_id: int | None,
    period: Period,
    cluster_id: int | None = None,
    totals: type[Table] = SaleTotal,
) -> Any:
    """Sales not undone (totals with a line standing), on a market day in the range (of one
    school's teams, if given; of one cluster's market days, if given: the reports always give
    the request's cluster, a team's own pages are of its cluster already).
    `totals`: `SaleTotal` or `StallMethodTotal`.

    The same rows on both engines, asked for as each plans best. Piccolo joins the stall,
    its day and team with LEFT JOINs: PostgreSQL turns them into joins (the WHERE needs a
    day) and starts from the range's days. SQLite takes LEFT JOINs in the written order, so
    from the joined conditions it read every stall's totals of every year to keep the
    range's; there the totals are searched by the range's stalls (`stall IN (…)`: the days
    by date, their stalls, of the school's teams if one is given), each through its index.
    On PostgreSQL that list made the joins stay LEFT JOINs and hash every day and team."""
    if get_settings().is_postgres:
        where = (totals.lines > 0) & in_period(totals.stall.market_day.date, period)
        if cluster_id is not None:
            where &= totals.stall.market_day.cluster == cluster_id
        if school_id is not None:
            where &= totals.stall.team.school == school_id
        return where
    days = MarketDay.select(MarketDay.id).where(in_period(MarketDay.date, period))
    if cluster_id is not None:
        days = days.where(MarketDay.cluster == cluster_id)
    stalls = Stall.select(Stall.id).where(Stall.market_day.is_in(days))
    if school_id is not None:
        stalls = stalls.where(
            Stall.team.is_in(Team.select(Team.id).where(Team.school == school_id))
        )
    return (totals.lines > 0) & totals.stall.is_in(stalls)


def expenses_in(period: Period) -> Any:
    """A day's expense belongs to its market day; a general one to the day it was booked."""
    return expenses_between(period.start, period.end, *instants(period))


def expenses_between(first: Any, last: Any, start: Any, end: Any) -> Any:
    """`expenses_in` of the dates `first` to `last`, whose moments are `start` to `end`
    (`instants`): each a plain value, so a query built once can take them
    (`frozen.Prepared`)."""
    return ((Expense.market_day.date >= first) & (Expense.market_day.date <= last)) | (
        Expense.market_day.is_null() & (Expense.recorded_at >= start) & (Expense.recorded_at < end)
    )


# The number of rows the whole query gives, on each row of a page of it.
_TOTAL_ROWS = QueryString("COUNT(*) OVER ()", alias="total_rows")


class RangeRows:
    """A report's rows for a school, range and cluster from its select, built once per school,
    range and cluster (`freeze()` keeps its SQL; a page's with its values written in, so
    PostgreSQL plans it once per connection: `frozen.py`): the ranges asked for are a handful a day
    (this year, this term, a market day), and building a joined select costs more than the
    database's answer from the running totals. `page()` asks the database for one page and
    the true total in one query, so a range of years costs the page what a day costs it."""

    def __init__(self, build: Callable[[int | None, Period, int], Any]) -> None:
        self.build = build
        self._all = lru_cache(maxsize=64)(
            lambda school, period, cluster: build(school, period, cluster).freeze()
        )
        self._page = lru_cache(maxsize=256)(self._page_query)

    def _page_query(
        self, school_id: int | None, period: Period, cluster_id: int, number: int, size: int
    ) -> Any:
        query = self.build(school_id, period, cluster_id).columns(_TOTAL_ROWS)
        return freeze_with_values(query.limit(size).offset((number - 1) * size))

    async def __call__(
        self, school_id: int | None, period: Period, cluster_id: int
    ) -> list[dict[str, Any]]:
        return await self._all(school_id, period, cluster_id).run()

    async def page(
        self, school_id: int | None, period: Period, cluster_id: int, number: int, size: int
    ) -> tuple[list[dict[str, Any]], int, int]:
        """(the rows of page `number`, the total, the page shown: past the end, the last)."""
        scope = (school_id, period, cluster_id)
        rows = await self._page(*scope, number, size).run()
        if not rows and number > 1:
            first = await self._page(*scope, 1, size).run()
            number = clamp(number, first[0]["total_rows"] if first else 0, size)
            rows = first if number == 1 else await self._page(*scope, number, size).run()
        total = rows[0]["total_rows"] if rows else 0
        for row in rows:
            del row["total_rows"]
        return rows, total, number
