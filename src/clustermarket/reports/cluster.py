"""The admin's cluster report: every school side by side for one date range.

Three GROUP BY queries (the running totals per stall and method, expenses, pre-orders) and
the list of schools; the rows are joined by school in Python, one row per school (ten),
schools without sales included."""

from __future__ import annotations

from functools import cache
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from clustermarket.market.tables import Expense, ExpenseKind, StallMethodTotal
from clustermarket.orders.tables import HOLDING, OrderLine, OrderStatus
from clustermarket.reports.periods import Period
from clustermarket.reports.ranges import (
    RangeRows,
    expenses_in,
    in_period,
    standing_sales,
)
from clustermarket.schools.tables import School

_ZERO = {
    "teams": 0,
    "sales": 0,
    "units": 0,
    "takings_pence": 0,
    "cost_pence": 0,
    "expenses_pence": 0,
    "preorders": 0,
    "preordered_units": 0,
}


@RangeRows
def _sales(_school_id: int | None, period: Period) -> Any:
    totals = StallMethodTotal
    school = totals.stall.team.school
    return (
        totals.select(
            school.as_alias("school_id"),
            Count(distinct=[totals.stall.team]).as_alias("teams"),
            Sum(totals.tickets).as_alias("sales"),  # a ticket is one sale
            Sum(totals.units).as_alias("units"),
            Sum(totals.amount_pence).as_alias("takings_pence"),
            Sum(totals.cost_pence).as_alias("cost_pence"),
        )
        .where(standing_sales(None, period, totals))
        .group_by(school)
    )


@RangeRows
def _expenses(_school_id: int | None, period: Period) -> Any:
    return (
        Expense.select(
            Expense.team.school.as_alias("school_id"),
            Sum(Expense.amount_pence).as_alias("expenses_pence"),
        )
        .where((Expense.kind != ExpenseKind.startup) & expenses_in(period))
        .group_by(Expense.team.school)
    )


@RangeRows
def _preorders(_school_id: int | None, period: Period) -> Any:
    line_school = OrderLine.stall.team.school
    return (
        OrderLine.select(
            line_school.as_alias("school_id"),
            Count(distinct=[OrderLine.order]).as_alias("preorders"),
            Sum(OrderLine.quantity).as_alias("preordered_units"),
        )
        .where(
            OrderLine.order.status.is_in([*HOLDING, OrderStatus.collected])
            & in_period(OrderLine.order.market_day.date, period)
        )
        .group_by(line_school)
    )


@cache
def _schools() -> Any:
    return School.select(School.id, School.name).order_by(School.name).freeze()


async def by_school_side_by_side(_school_id: int | None, period: Period) -> list[dict[str, Any]]:
    sales = await _sales(None, period)
    expenses = await _expenses(None, period)
    preorders = await _preorders(None, period)
    figures: dict[int, dict[str, Any]] = {}
    for rows in (sales, expenses, preorders):
        for row in rows:
            figures.setdefault(row.pop("school_id"), {}).update(
                {key: value or 0 for key, value in row.items()}
            )
    result = []
    for each in await _schools().run():
        row = {"school": each["name"], **_ZERO, **figures.get(each["id"], {})}
        row["profit_pence"] = row["takings_pence"] - row["cost_pence"] - row["expenses_pence"]
        result.append(row)
    return result
