"""The admin's cluster report: every school of the request's cluster side by side for one
date range (the cluster's market days, its schools' expenses; no other cluster's row).

Three GROUP BY queries (the sales' running totals, expenses, pre-orders) and the list of
schools; the rows are joined by school in Python, one row per school (ten), schools without
sales included."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from clustermarket.market.tables import Expense, ExpenseKind, SaleTotal
from clustermarket.orders.tables import HOLDING, OrderLine, OrderStatus
from clustermarket.reports.periods import Period
from clustermarket.reports.ranges import expenses_in, goods_units, in_period, standing_sales
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


async def by_school_side_by_side(
    _school_id: int | None, period: Period, cluster_id: int
) -> list[dict[str, Any]]:
    school = SaleTotal.stall.team.school
    sales = (
        await SaleTotal.select(
            school.as_alias("school_id"),
            Count(distinct=[SaleTotal.stall.team]).as_alias("teams"),
            Sum(SaleTotal.tickets).as_alias("sales"),  # a ticket is one sale
            goods_units(),
            Sum(SaleTotal.amount_pence).as_alias("takings_pence"),
            Sum(SaleTotal.cost_pence).as_alias("cost_pence"),
        )
        .where(standing_sales(None, period, cluster_id))
        .group_by(school)
    )
    expenses = (
        await Expense.select(
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
    line_school = OrderLine.stall.team.school
    preorders = (
        await OrderLine.select(
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
    figures: dict[int, dict[str, Any]] = {}
    for rows in (sales, expenses, preorders):
        for row in rows:
            figures.setdefault(row.pop("school_id"), {}).update(
                {key: value or 0 for key, value in row.items()}
            )
    result = []
    schools = School.select(School.id, School.name).where(School.cluster == cluster_id)
    for each in await schools.order_by(School.name):
        row = {"school": each["name"], **_ZERO, **figures.get(each["id"], {})}
        row["profit_pence"] = row["takings_pence"] - row["cost_pence"] - row["expenses_pence"]
        result.append(row)
    return result
