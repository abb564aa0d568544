"""Transition days: the cluster's high school's teachers invite Year 6 pupils to follow a
team; pupils see them."""

from __future__ import annotations

from litestar import Request
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.accounts.rollover import high_school_of
from clustermarket.accounts.services import AccountError
from clustermarket.rows import parse_row_id
from clustermarket.transition import services
from clustermarket.web.auth import requires_signed_in, requires_staff
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get, post


@get("/transition", guards=[requires_signed_in])
async def transition_page(request: Request) -> Template:
    if request.user.is_staff:
        return Template("transition/staff.html", context=await services.staff_page(request.user))
    cluster_id = request.user.cluster_id  # its high school, kept as the dashboard keeps it
    high = await kept(request, ("high-school", cluster_id), lambda: high_school_of(cluster_id))
    return Template("transition/pupil.html", context=await services.pupil_page(request.user, high))


@post("/transition/invite", guards=[requires_staff])
async def invite(request: Request) -> Redirect:
    form = await request.form()
    team_id = parse_row_id(form.get("team", ""))
    ids = [i for i in map(parse_row_id, form.getall("pupil", [])) if i is not None]
    try:
        count = await services.invite(request.user, team_id, ids)
        flash(request, f"{count} pupil(s) invited to follow the team.", "success")
    except AccountError as error:
        flash(request, str(error), "error")
    return Redirect(path="/transition")


@post("/transition/follows/{follow_id:int}/remove", guards=[requires_staff])
async def remove(request: Request, follow_id: FromPath[int]) -> Redirect:
    await services.remove(request.user, follow_id)
    flash(request, "Invitation removed.", "success")
    return Redirect(path="/transition")


ROUTES = [transition_page, invite, remove]
