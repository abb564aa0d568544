"""A teacher corrects or removes one of a team's recorded costs (expense_corrections.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.market import expense_corrections as corrections
from clustermarket.market.controllers import Form
from clustermarket.market.finances import MAX_EXPENSE_PENCE
from clustermarket.market.sales import parse_pounds
from clustermarket.market.services import MarketError
from clustermarket.web.auth import requires_staff
from clustermarket.web.routes import get, post


@dataclass
class CorrectionForm:
    description: str = ""
    amount: str = ""


class ExpenseController(Controller):
    path = "/teams/{team_id:int}/market/expenses/{expense_id:int}"
    guards = [requires_staff]

    def _page(
        self, expense: dict[str, Any], form: CorrectionForm, error: str = "", status: int = 200
    ) -> Template:
        return Template(
            "market/expense_edit.html",
            context={"expense": expense, "form": form, "error": error},
            status_code=status,
        )

    @get("/")
    async def show(
        self, request: Request, team_id: FromPath[int], expense_id: FromPath[int]
    ) -> Template:
        expense = await corrections.expense_for_teacher(request.user, team_id, expense_id)
        amount = f"{expense['amount_pence'] // 100}.{expense['amount_pence'] % 100:02d}"
        return self._page(expense, CorrectionForm(expense["description"], amount))

    @post("/")
    async def correct(
        self,
        request: Request,
        team_id: FromPath[int],
        expense_id: FromPath[int],
        data: Annotated[CorrectionForm, Form],
    ) -> Template | Redirect:
        expense = await corrections.expense_for_teacher(request.user, team_id, expense_id)
        try:
            amount = parse_pounds(data.amount, "Amount", MAX_EXPENSE_PENCE)
            await corrections.correct_expense(request.user, expense, data.description, amount)
        except MarketError as error:
            return self._page(expense, data, str(error), 400)
        flash(request, "The cost was corrected (kept in the log).", "success")
        return Redirect(path=f"/teams/{team_id}/market")

    @post("/remove")
    async def remove(
        self, request: Request, team_id: FromPath[int], expense_id: FromPath[int]
    ) -> Redirect:
        expense = await corrections.expense_for_teacher(request.user, team_id, expense_id)
        await corrections.remove_expense(request.user, expense)
        flash(request, "The cost was removed (kept in the log).", "success")
        return Redirect(path=f"/teams/{team_id}/market")


ROUTES = [ExpenseController]
