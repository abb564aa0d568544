"""The admin's cluster report: every school of the request's cluster side by side for one
date range (the cluster's market days, its schools' expenses; no other cluster's row).

Three GROUP BY selects (the running totals per stall and method, expenses, pre-orders), each
joined to the cluster's schools in one statement, built once per range (`_side_by_side`): one
row per school (ten), schools without sales included."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum
from piccolo.query.methods.raw import Raw
from piccolo.querystring import QueryString

from clustermarket.frozen import freeze_with_values
from clustermarket.market.tables import Expense, ExpenseKind, StallMethodTotal
from clustermarket.orders.tables import HOLDING, OrderLine, OrderStatus
from clustermarket.reports.periods import Period
from clustermarket.reports.ranges import expenses_in, in_period, standing_sales
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


def _sales(_school_id: int | None, period: Period, cluster_id: int) -> Any:
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
        .where(standing_sales(None, period, cluster_id, totals))
        .group_by(school)
    )


def _expenses(_school_id: int | None, period: Period, cluster_id: int) -> Any:
    return (
        Expense.select(
            Expense.team.school.as_alias("school_id"),
            Sum(Expense.amount_pence).as_alias("expenses_pence"),
        )
        .where(
            (Expense.kind != ExpenseKind.startup)
            & expenses_in(period)
            & (Expense.team.school.cluster == cluster_id)
        )
        .group_by(Expense.team.school)
    )


def _preorders(_school_id: int | None, period: Period, cluster_id: int) -> Any:
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
            & (OrderLine.order.market_day.cluster == cluster_id)
        )
        .group_by(line_school)
    )


# Each school of the cluster with its three sums (NULL where it has none), by name.
_SIDE_BY_SIDE = (
    "WITH sales AS ({}), expenses AS ({}), preorders AS ({})"
    " SELECT s.name AS school, sales.teams, sales.sales, sales.units, sales.takings_pence,"
    " sales.cost_pence, expenses.expenses_pence, preorders.preorders, preorders.preordered_units"
    " FROM school s LEFT JOIN sales ON sales.school_id = s.id"
    " LEFT JOIN expenses ON expenses.school_id = s.id"
    " LEFT JOIN preorders ON preorders.school_id = s.id"
    " WHERE s.cluster = {} ORDER BY s.name"
)


@lru_cache(maxsize=64)
def _side_by_side(period: Period, cluster_id: int) -> Any:
    """The report's one statement for a range, built once (a handful of ranges a day)."""
    parts = (build(None, period, cluster_id) for build in (_sales, _expenses, _preorders))
    querystring = QueryString(_SIDE_BY_SIDE, *(part.querystrings[0] for part in parts), cluster_id)
    return freeze_with_values(Raw(School, querystring))


async def by_school_side_by_side(
    _school_id: int | None, period: Period, cluster_id: int
) -> list[dict[str, Any]]:
    result = []
    for each in await _side_by_side(period, cluster_id).run():
        row = {"school": each["school"], **{key: each[key] or 0 for key in _ZERO}}
        row["profit_pence"] = row["takings_pence"] - row["cost_pence"] - row["expenses_pence"]
        result.append(row)
    return result
