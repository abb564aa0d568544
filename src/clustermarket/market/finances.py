"""A team's expenses and its profit and loss, per market day and overall."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Sum

from clustermarket.accounts.services import CurrentUser
from clustermarket.frozen import Prepared
from clustermarket.market.services import MarketError
from clustermarket.market.tables import Expense, ExpenseKind, MarketDay, Sale
from clustermarket.reports.periods import Period
from clustermarket.reports.ranges import expenses_between, instants
from clustermarket.timeutil import now

MAX_EXPENSE_PENCE = 1_000_000  # £10,000
EXPENSE_KINDS = {
    ExpenseKind.materials: "Materials",
    ExpenseKind.stall_fee: "Stall fee",
    ExpenseKind.other: "Other cost",
    ExpenseKind.startup: "Start-up money to repay",
}


async def add_expense(
    user: CurrentUser,
    team_id: int,
    kind: str,
    description: str,
    amount_pence: int,
    market_day_id: int | None,
) -> None:
    description = description.strip()
    if kind not in EXPENSE_KINDS:
        raise MarketError("Choose what kind of cost this is.")
    if not 1 <= amount_pence <= MAX_EXPENSE_PENCE:
        raise MarketError("The amount must be more than £0 and at most £10,000.")
    if len(description) > 200:
        raise MarketError("Keep the description under 200 characters.")
    if market_day_id is not None and not await MarketDay.exists().where(
        (MarketDay.id == market_day_id) & (MarketDay.cluster == user.cluster_id)
    ):  # a day of the user's cluster only (another's is not in the list)
        raise MarketError("Choose a market day from the list.")
    await Expense.insert(
        Expense(
            team=team_id,
            market_day=market_day_id,
            kind=kind,
            description=description,
            amount_pence=amount_pence,
            recorded_by=user.id,
            recorded_at=now(),
        )
    )


_EXPENSES_OF_TEAM = Prepared(
    lambda team_id: (
        Expense.select(
            Expense.id,
            Expense.kind,
            Expense.description,
            Expense.amount_pence,
            Expense.recorded_at,
            Expense.market_day.date.as_alias("day_date"),
        )
        .where(Expense.team == team_id)
        .order_by(Expense.recorded_at, ascending=False)
    )
)


async def expenses_of_team(team_id: int) -> list[dict[str, Any]]:
    return await _EXPENSES_OF_TEAM.run(team_id)


def _line(label: str) -> dict[str, Any]:
    return {"label": label, "revenue": 0, "cost_of_goods": 0, "expenses": 0, "profit": 0}


async def profit_and_loss(team_id: int, period: Period | None = None) -> dict[str, Any]:
    """Revenue, cost of goods (unit cost × units sold), expenses and profit. Two queries.
    `period`: only the market days (and general expenses booked) in that date range.

    Start-up money is a debt, not a cost: it is shown beside the profit, not taken from it
    (over all dates only: it is repaid from the business's whole profit)."""
    if period is None:
        sales = await _SALES.run(team_id)
        expenses = await _EXPENSES.run(team_id)
    else:
        start, end = instants(period)
        sales = await _SALES_IN.run(team_id, period.start, period.end)
        expenses = await _EXPENSES_IN.run(team_id, period.start, period.end, start, end)
    days: dict[int | None, dict[str, Any]] = {}
    dates = {}

    def line_for(row: dict[str, Any]) -> dict[str, Any]:
        dates[row["day_id"]] = row["day_date"]
        return days.setdefault(row["day_id"], _line(""))

    for row in sales:
        line = line_for(row)
        line["revenue"] += row["revenue"] or 0
        line["cost_of_goods"] += row["cost"] or 0
    startup = 0
    for row in expenses:
        if row["kind"] == ExpenseKind.startup:
            startup += row["amount"] or 0
            continue
        line_for(row)["expenses"] += row["amount"] or 0
    total = _line("All market days" if period is None else "All in these dates")
    ordered = sorted(days, key=lambda d: (d is None, dates.get(d) or 0))
    lines = []
    for day_id in ordered:
        line = days[day_id]
        line["label"] = dates[day_id].strftime("%-d %b %Y") if day_id else "Not for one day"
        line["profit"] = line["revenue"] - line["cost_of_goods"] - line["expenses"]
        for key in ("revenue", "cost_of_goods", "expenses", "profit"):
            total[key] += line[key]
        lines.append(line)
    return {
        "lines": lines,
        "total": total,
        "startup": startup,
        "after_repaying": total["profit"] - startup,
    }


# The two queries, built once (`frozen.Prepared`): a team's market page reads them on every
# view, and building their joined, grouped selects cost it about 2 ms.
def _sales(team_id: Any, first: Any = None, last: Any = None) -> Any:
    where = (Sale.stall.team == team_id) & Sale.voided_at.is_null()
    if first is not None:  # a range: its market days
        where &= (Sale.stall.market_day.date >= first) & (Sale.stall.market_day.date <= last)
    return (
        Sale.select(
            Sale.stall.market_day.id.as_alias("day_id"),
            Sale.stall.market_day.date.as_alias("day_date"),
            Sum(Sale.amount_pence).as_alias("revenue"),
            Sum(Sale.cost_pence).as_alias("cost"),
        )
        .where(where)
        .group_by(Sale.stall.market_day.id, Sale.stall.market_day.date)
    )


def _expenses(
    team_id: Any, first: Any = None, last: Any = None, start: Any = None, end: Any = None
) -> Any:
    where = Expense.team == team_id
    if first is not None:  # a range: its days' expenses and the general ones booked in it
        where &= expenses_between(first, last, start, end) & (Expense.kind != ExpenseKind.startup)
    return (
        Expense.select(
            Expense.market_day.id.as_alias("day_id"),
            Expense.market_day.date.as_alias("day_date"),
            Expense.kind,
            Sum(Expense.amount_pence).as_alias("amount"),
        )
        .where(where)
        .group_by(Expense.market_day.id, Expense.market_day.date, Expense.kind)
    )


_SALES = Prepared(_sales)
_SALES_IN = Prepared(_sales)
_EXPENSES = Prepared(_expenses)
_EXPENSES_IN = Prepared(_expenses)
