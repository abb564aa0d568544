"""Teams: teachers create them and choose members; members work in the team workspace;
the public sees the team page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.exceptions import ClientException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.catalogue.services import public_products, team_products
from clustermarket.projects.services import public_projects, team_projects
from clustermarket.schools.services import all_schools
from clustermarket.teams import services
from clustermarket.teams.services import TeamError, team_for_worker
from clustermarket.web.auth import requires_signed_in, requires_staff
from clustermarket.web.clusters import current_cluster
from clustermarket.web.forms import Form
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get, post


@dataclass
class TeamForm:
    name: str = ""
    kind: str = ""
    description: str = ""
    school: int | None = None


@dataclass
class MemberForm:
    user: int | None = None
    role: str = "member"


async def _worker_team(request: Request, team_id: int) -> dict[str, Any]:
    team = await team_for_worker(request.user, team_id)
    if team is None:
        raise NotFound()
    return team


class TeamWorkspaceController(Controller):
    path = "/teams"
    guards = [requires_signed_in]

    @get("/new", guards=[requires_staff])
    async def new_team_form(self, request: Request) -> Template:
        return Template(
            "teams/new.html",
            context={
                "form": TeamForm(),
                "schools": await all_schools(request.user.cluster_id)
                if request.user.is_admin
                else [],
            },
        )

    @post("/new", guards=[requires_staff])
    async def create_team(
        self, request: Request, data: Annotated[TeamForm, Form]
    ) -> Template | Redirect:
        user: CurrentUser = request.user
        school_id = data.school if user.is_admin else user.school_id
        try:
            if school_id is None:
                raise TeamError("Choose the school this team belongs to.")
            team = await services.create_team(
                user,
                school_id=school_id,
                name=data.name,
                kind=data.kind,
                description=data.description,
            )
        except TeamError as error:
            return Template(
                "teams/new.html",
                status_code=400,
                context={
                    "form": data,
                    "error": str(error),
                    "schools": await all_schools(user.cluster_id) if user.is_admin else [],
                },
            )
        flash(request, f"Team “{data.name.strip()}” created. Now add its pupils.", "success")
        return Redirect(path=f"/teams/{team['id']}/workspace")

    @get("/{team_id:int}/workspace")
    async def workspace(self, request: Request, team_id: FromPath[int]) -> Template:
        team = await _worker_team(request, team_id)
        user: CurrentUser = request.user
        may_manage = user.is_admin or (user.is_teacher and user.school_id == team["school"])
        products = await team_products(team_id) if team["kind"] == "enterprise" else []
        projects = await team_projects(team_id)
        context: dict[str, Any] = {
            "team": team,
            "members": await services.team_members(team_id),
            "products": products,
            "projects": projects,
            "may_manage": may_manage,
        }
        if may_manage:
            context["candidates"] = await services.candidates(team["school"])
        return Template("teams/workspace.html", context=context)

    @post("/{team_id:int}/members", guards=[requires_staff])
    async def add_member(
        self, request: Request, team_id: FromPath[int], data: Annotated[MemberForm, Form]
    ) -> Redirect:
        team = await _worker_team(request, team_id)
        try:
            if data.user is None:
                raise TeamError("Choose someone to add.")
            await services.add_member(request.user, team, data.user, data.role)
        except TeamError as error:  # refused: a 400 with the reason, not a success's redirect
            raise ClientException(str(error)) from None
        flash(request, "Team updated.", "success")
        return Redirect(path=f"/teams/{team_id}/workspace#members")

    @post("/{team_id:int}/members/{member_id:int}/remove", guards=[requires_staff])
    async def remove_member(
        self, request: Request, team_id: FromPath[int], member_id: FromPath[int]
    ) -> Redirect:
        team = await _worker_team(request, team_id)
        try:
            await services.remove_member(request.user, team, member_id)
        except TeamError as error:
            raise ClientException(str(error)) from None
        flash(request, "Removed from the team.", "success")
        return Redirect(path=f"/teams/{team_id}/workspace#members")


@get("/teams/{slug:str}", opt=PUBLIC_PAGE)
async def public_team_page(request: Request, slug: FromPath[str]) -> Template:
    """Signed in, kept between views (`web/public_data.py`)."""
    cluster_id = current_cluster(request).id

    async def shown() -> dict[str, Any]:
        team = await services.public_team(slug, cluster_id)  # another cluster's: 404
        if team is None:
            raise NotFound()
        return {
            "team": team,
            "products": await public_products(cluster_id=cluster_id, team_id=team["id"]),
            "projects": await public_projects(cluster_id=cluster_id, team_id=team["id"]),
        }

    context = await kept(request, ("team", cluster_id, slug), shown)
    return Template("teams/show.html", context=dict(context))


ROUTES = [TeamWorkspaceController, public_team_page]
