"""A team's teacher (or the admin) corrects or removes a recorded cost; each change is kept
in the moderation log with the amounts before and after."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.frozen import Prepared
from clustermarket.market.finances import MAX_EXPENSE_PENCE
from clustermarket.market.services import MarketError, fits_database, team_for_worker_here
from clustermarket.market.tables import Expense
from clustermarket.moderation.log import log_action
from clustermarket.money import format_pence

_EXPENSE = Prepared(  # built once: the correction form reads it on every view
    lambda expense_id, team_id: (
        Expense.select(
            Expense.id, Expense.team, Expense.kind, Expense.description, Expense.amount_pence
        )
        .where((Expense.id == expense_id) & (Expense.team == team_id))
        .first()
    )
)


async def expense_for_teacher(user: CurrentUser, team_id: int, expense_id: int) -> dict[str, Any]:
    """A cost of this team that `user` may correct (its school's teachers, the admin)."""
    if not (user.is_teacher or user.is_admin) or not fits_database(expense_id):
        raise NotFound()
    team = await team_for_worker_here(user, team_id)  # the user's cluster's team only
    expense = await _EXPENSE.run(expense_id, team_id)
    if team is None or expense is None:
        raise NotFound()
    return {**expense, "team_name": team["name"], "school": team["school"]}


async def _log(user: CurrentUser, action: str, expense: dict[str, Any], change: str) -> None:
    await log_action(
        actor_id=user.id,
        action=f"expense.{action}",
        subject_type="expense",
        subject_id=expense["id"],
        subject_label=f"{expense['team_name']}: {expense['description'] or expense['kind']}"[:200],
        school_id=expense["school"],
        reason=change,
    )


async def correct_expense(
    user: CurrentUser, expense: dict[str, Any], description: str, amount_pence: int
) -> None:
    description = description.strip()
    if not 1 <= amount_pence <= MAX_EXPENSE_PENCE:
        raise MarketError("The amount must be more than £0 and at most £10,000.")
    if len(description) > 200:
        raise MarketError("Keep the description under 200 characters.")
    await Expense.update(
        {Expense.description: description, Expense.amount_pence: amount_pence}
    ).where(Expense.id == expense["id"])
    await _log(
        user,
        "corrected",
        expense,
        f"{format_pence(expense['amount_pence'])} “{expense['description']}” → "
        f"{format_pence(amount_pence)} “{description}”",
    )


async def remove_expense(user: CurrentUser, expense: dict[str, Any]) -> None:
    await Expense.delete().where(Expense.id == expense["id"])
    await _log(
        user,
        "removed",
        expense,
        f"{format_pence(expense['amount_pence'])} “{expense['description']}” removed",
    )
