"""A team's expenses and its profit and loss, per market day and overall."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.frozen import raw
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


def _line(label: str) -> dict[str, Any]:
    return {"label": label, "revenue": 0, "cost_of_goods": 0, "expenses": 0, "profit": 0}


async def profit_and_loss(team_id: int, period: Period | None = None) -> dict[str, Any]:
    """Revenue, cost of goods (unit cost × units sold), expenses and profit. One statement.
    `period`: only the market days (and general expenses booked) in that date range.

    Start-up money is a debt, not a cost: it is shown beside the profit, not taken from it
    (over all dates only: it is repaid from the business's whole profit)."""
    return _summed(await _rows(team_id, period, listed=False), period)


async def team_accounts(
    team_id: int, period: Period | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`profit_and_loss` and every expense of the team (newest first, whatever the period),
    in one statement: a team's market page shows both (it read them in two, issue 17)."""
    expenses, sums = [], []
    for row in await _rows(team_id, period, listed=True):
        if row.pop("listed"):
            expenses.append(
                {
                    "id": row["day_id"],
                    "kind": row["kind"],
                    "description": row["description"],
                    "amount_pence": row["amount"],
                    "day_date": row["day_date"],
                }
            )
        else:
            sums.append(row)
    return _summed(sums, period), expenses


async def _rows(team_id: int, period: Period | None, listed: bool) -> list[dict[str, Any]]:
    head, values = (_LISTED, [team_id]) if listed else ("", [])
    if period is None:
        return await raw(Sale, head + _SUMS + _ORDER, *values, team_id, team_id)
    first, last, (start, end) = period.start, period.end, instants(period)
    sql = head + _SUMS_IN + _ORDER
    return await raw(Sale, sql, *values, team_id, first, last, team_id, first, last, start, end)


def _summed(rows: list[dict[str, Any]], period: Period | None) -> dict[str, Any]:
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
# out (`ranges.expenses_between`, the reports' rule, written out here). `listed` is 0 on
# these rows; the market page's statement starts with every expense of the team (`_LISTED`,
# `listed` 1, its id as `day_id`): first, so that each column's type is set by a branch
# with a value (PostgreSQL types a UNION's columns branch by branch; SQLite converts by the
# first branch's column).
_SALES_BY_DAY = (
    "SELECT 0 AS listed, d.id AS day_id, d.date AS day_date, NULL AS kind,"
    " SUM(s.amount_pence) AS amount, SUM(s.cost_pence) AS cost,"
    " NULL AS description, NULL AS recorded_at"
    " FROM sale s JOIN stall st ON st.id = s.stall JOIN market_day d ON d.id = st.market_day"
    " WHERE st.team = {} AND s.voided_at IS NULL"
)
_EXPENSES_BY_DAY = (
    "SELECT 0, d.id, d.date, e.kind, SUM(e.amount_pence), NULL, NULL, NULL"
    " FROM expense e LEFT JOIN market_day d ON d.id = e.market_day WHERE e.team = {}"
)
_LISTED = (
    "SELECT 1 AS listed, e.id AS day_id, d.date AS day_date, e.kind AS kind,"
    " e.amount_pence AS amount, NULL AS cost, e.description AS description,"
    " e.recorded_at AS recorded_at"
    " FROM expense e LEFT JOIN market_day d ON d.id = e.market_day WHERE e.team = {}"
    " UNION ALL "
)
_ORDER = " ORDER BY listed DESC, recorded_at DESC, day_id DESC"
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
