"""The summer rollover page: preview, move up, hand over Year 6, erase leavers when due.

Access: staff (guard); a teacher acts on their own school only, an admin chooses the school.
Only the admin sets the date leavers' data is erased (teachers get the default).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request
from litestar.params import FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.accounts import rollover
from clustermarket.accounts.class_controllers import school_choice
from clustermarket.accounts.services import AccountError, CurrentUser, schools_in
from clustermarket.rows import parse_row_id
from clustermarket.web.auth import requires_staff
from clustermarket.web.routes import get, post


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


class RolloverController(Controller):
    path = "/classes/rollover"
    guards = [requires_staff]

    @get("/")
    async def page(self, request: Request, school: FromQuery[str] = "") -> Template:
        user: CurrentUser = request.user
        school_id = await school_choice(user, school)
        context: dict[str, Any] = {
            "schools": await schools_in(user.cluster_id) if user.is_admin else []
        }
        if school_id is not None:
            context["preview"], context["leavers"] = await rollover.rollover_page(user, school_id)
        context["school_id"] = school_id
        return Template("accounts/rollover.html", context=context)

    async def _form(self, request: Request) -> tuple[Any, int | None]:
        form = await request.form()
        return form, await school_choice(request.user, form.get("school", ""))

    def _back(self, request: Request, school_id: int | None) -> Redirect:
        query = f"?school={school_id}" if request.user.is_admin and school_id else ""
        return Redirect(path=f"/classes/rollover{query}")

    @post("/")
    async def run(self, request: Request) -> Redirect:
        form, school_id = await self._form(request)
        if form.get("confirm") != "yes":
            flash(request, "Tick the box to confirm, after checking the preview.", "error")
            return self._back(request, school_id)
        try:
            done = await rollover.run_rollover(
                request.user, school_id, _date(form.get("erase_after", ""))
            )
            flash(request, f"{done['school']['name']}: the classes moved up a year.", "success")
        except AccountError as error:
            flash(request, str(error), "error")
        return self._back(request, school_id)

    @post("/hand-over")
    async def hand_over(self, request: Request) -> Redirect:
        form, school_id = await self._form(request)
        ids = [i for i in map(parse_row_id, form.getall("pupil", [])) if i is not None]
        try:
            count, high_school = await rollover.hand_over(request.user, school_id, ids)
            flash(request, f"{count} pupil(s) handed over to {high_school}.", "success")
        except AccountError as error:
            flash(request, str(error), "error")
        return self._back(request, school_id)

    @post("/erase-date")
    async def erase_date(self, request: Request) -> Redirect:
        form, school_id = await self._form(request)
        when = _date(form.get("erase_after", ""))
        if when is None:
            flash(request, "Give the date as on the calendar, e.g. 2026-12-20.", "error")
        else:
            count = await rollover.set_erase_date(request.user, school_id, when)
            flash(request, f"The erase date of {count} leaver(s) was set.", "success")
        return self._back(request, school_id)

    @post("/erase")
    async def erase(self, request: Request) -> Redirect:
        form, school_id = await self._form(request)
        if form.get("confirm") != "yes":
            flash(request, "Tick the box to confirm the erasure.", "error")
            return self._back(request, school_id)
        count = await rollover.erase_due_leavers(request.user, school_id)
        flash(request, f"{count} leaver(s) erased; their teams' sales totals stay.", "success")
        return self._back(request, school_id)
