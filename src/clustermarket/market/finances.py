"""A team's expenses and its profit and loss, per market day and overall."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.frozen import Prepared, raw
from clustermarket.market.services import MarketError
from clustermarket.market.tables import Expense, ExpenseKind, MarketDay, Sale
from clustermarket.reports.periods import Period
from clustermarket.reports.ranges import instants
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
    """Revenue, cost of goods (unit cost × units sold), expenses and profit. One statement.
    `period`: only the market days (and general expenses booked) in that date range.

    Start-up money is a debt, not a cost: it is shown beside the profit, not taken from it
    (over all dates only: it is repaid from the business's whole profit)."""
    if period is None:
        rows = await raw(Sale, _SUMS, team_id, team_id)
    else:
        first, last, (start, end) = period.start, period.end, instants(period)
        rows = await raw(Sale, _SUMS_IN, team_id, first, last, team_id, first, last, start, end)
    days: dict[int | None, dict[str, Any]] = {}
    dates = {}
    startup = 0
    for row in rows:  # a day's sales (no kind), then its expenses of each kind
        kind, amount = row["kind"], row["amount"] or 0
        if kind == ExpenseKind.startup:
            startup += amount
            continue
        dates[row["day_id"]] = row["day_date"]
        line = days.setdefault(row["day_id"], _line(""))
        if kind is None:
            line["revenue"] += amount
            line["cost_of_goods"] += row["cost"] or 0
        else:
            line["expenses"] += amount
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


# The sales and the expenses summed by market day in one statement (a team's market page reads
# it on every view): a sale's row has no kind, an expense's its kind. In a range, only its
# market days' sales and expenses and the general expenses booked in it, start-up money left
# out (`ranges.expenses_between`, the reports' rule, written out here).
_SALES_BY_DAY = (
    "SELECT d.id AS day_id, d.date AS day_date, NULL AS kind,"
    " SUM(s.amount_pence) AS amount, SUM(s.cost_pence) AS cost"
    " FROM sale s JOIN stall st ON st.id = s.stall JOIN market_day d ON d.id = st.market_day"
    " WHERE st.team = {} AND s.voided_at IS NULL"
)
_EXPENSES_BY_DAY = (
    "SELECT d.id, d.date, e.kind, SUM(e.amount_pence), NULL"
    " FROM expense e LEFT JOIN market_day d ON d.id = e.market_day WHERE e.team = {}"
)
_SUMS = (
    f"{_SALES_BY_DAY} GROUP BY d.id, d.date"
    f" UNION ALL {_EXPENSES_BY_DAY} GROUP BY d.id, d.date, e.kind"
)
_SUMS_IN = (
    f"{_SALES_BY_DAY} AND d.date >= {{}} AND d.date <= {{}} GROUP BY d.id, d.date"
    f" UNION ALL {_EXPENSES_BY_DAY}"
    " AND ((d.date >= {} AND d.date <= {})"
    " OR (e.market_day IS NULL AND e.recorded_at >= {} AND e.recorded_at < {}))"
    f" AND e.kind <> '{ExpenseKind.startup.value}' GROUP BY d.id, d.date, e.kind"
)
