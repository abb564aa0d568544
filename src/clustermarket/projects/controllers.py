"""Projects: the team's edit pages (with impact tallies), the public list and page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from clustermarket.accounts.services import NotFound
from clustermarket.media.controllers import photo_form
from clustermarket.media.services import photos_for
from clustermarket.moderation.content import PROJECT
from clustermarket.moderation.services import (
    after_edit,
    content_for_worker,
    problems_on_page,
)
from clustermarket.projects import services
from clustermarket.projects.services import ProjectInput, TallyError
from clustermarket.projects.tallies import tallies_for
from clustermarket.schools.lists import filtered_by_school
from clustermarket.teams.services import team_for_worker
from clustermarket.web.auth import requires_signed_in
from clustermarket.web.clusters import current_cluster
from clustermarket.web.forms import Form
from clustermarket.web.htmx import page_or_fragment
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.pagination import Page, page_number
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get, post


@dataclass
class TallyForm:
    quantity: str = ""
    unit: str = ""
    label: str = ""


@get("/teams/{team_id:int}/projects/new", guards=[requires_signed_in])
async def new_project_form(request: Request, team_id: FromPath[int]) -> Template:
    team = await team_for_worker(request.user, team_id)
    if team is None:
        raise NotFound()
    return Template(
        "projects/edit.html",
        context={
            "team": team,
            "form": ProjectInput(),
            "errors": {},
            "project": None,
        },
    )


@post("/teams/{team_id:int}/projects/new", guards=[requires_signed_in])
async def create_project(
    request: Request, team_id: FromPath[int], data: Annotated[ProjectInput, Form]
) -> Template | Redirect:
    team = await team_for_worker(request.user, team_id)
    if team is None:
        raise NotFound()
    checked = services.check_project(data)
    if checked.errors:
        return Template(
            "projects/edit.html",
            status_code=400,
            context={
                "team": team,
                "form": data,
                "errors": checked.errors,
                "project": None,
            },
        )
    project_id = await services.create_project(request.user, team, checked.values)
    await after_edit(request.user, PROJECT, project_id)
    flash(request, "Saved. Add photos and tallies, then send it to your teacher.", "success")
    return Redirect(path=f"/projects/{project_id}/edit")


async def _edit_page(
    request: Request,
    project_id: int,
    form: ProjectInput | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    tally_form: TallyForm | None = None,
) -> Template:
    project, team = await content_for_worker(request.user, PROJECT, project_id)
    photos = (await photos_for("project", [project_id], published=False)).get(project_id, [])
    tallies = (await tallies_for([project_id], published=False)).get(project_id, [])
    context: dict[str, Any] = {
        "team": team,
        "project": project,
        "form": form or ProjectInput(project["title"], project["summary"], project["body"]),
        "errors": errors or {},
        "photos": photos,
        "tallies": tallies,
        "tally_form": tally_form or TallyForm(),
        "word_problems": problems_on_page(PROJECT, project, photos, tallies),
        "kind": "project",
        "photo_form": photo_form(request, "project", project_id),
    }
    return Template("projects/edit.html", status_code=status_code, context=context)


@get("/projects/{project_id:int}/edit", guards=[requires_signed_in])
async def edit_project_form(request: Request, project_id: FromPath[int]) -> Template:
    return await _edit_page(request, project_id)


@post("/projects/{project_id:int}/edit", guards=[requires_signed_in])
async def update_project(
    request: Request, project_id: FromPath[int], data: Annotated[ProjectInput, Form]
) -> Template | Redirect:
    await content_for_worker(request.user, PROJECT, project_id)
    checked = services.check_project(data)
    if checked.errors:
        return await _edit_page(request, project_id, data, checked.errors, status_code=400)
    await services.update_project(project_id, checked.values)
    await after_edit(request.user, PROJECT, project_id)
    flash(request, "Saved.", "success")
    return Redirect(path=f"/projects/{project_id}/edit")


@post("/projects/{project_id:int}/tallies", guards=[requires_signed_in])
async def add_tally(
    request: Request, project_id: FromPath[int], data: Annotated[TallyForm, Form]
) -> Template | Redirect:
    await content_for_worker(request.user, PROJECT, project_id)
    try:
        quantity, unit, label = services.check_tally(data.quantity, data.unit, data.label)
    except TallyError as error:
        return await _edit_page(
            request, project_id, errors={"tally": str(error)}, status_code=400, tally_form=data
        )
    await services.add_tally(project_id, quantity, unit, label)
    await after_edit(request.user, PROJECT, project_id)
    flash(request, "Tally added.", "success")
    return Redirect(path=f"/projects/{project_id}/edit#tallies")


@post("/projects/{project_id:int}/tallies/{tally_id:int}/remove", guards=[requires_signed_in])
async def remove_tally(
    request: Request, project_id: FromPath[int], tally_id: FromPath[int]
) -> Redirect:
    await content_for_worker(request.user, PROJECT, project_id)
    await services.remove_tally(project_id, tally_id)
    await after_edit(request.user, PROJECT, project_id)
    flash(request, "Tally removed.", "success")
    return Redirect(path=f"/projects/{project_id}/edit#tallies")


@get("/projects", opt=PUBLIC_PAGE)
async def project_list(
    request: HTMXRequest,
    q: FromQuery[str] = "",
    school: FromQuery[str] = "",
    kind: FromQuery[str] = "",
    page: FromQuery[str] = "",
) -> Template:
    """Signed in, an unsearched page is kept between views (`web/public_data.py`)."""
    kind = kind if kind in ("enterprise", "eco") else ""

    async def read(cluster_id: int, school_id: int | None) -> Page:
        return await services.public_project_page(
            page_number(page),
            cluster_id=cluster_id,
            text=q,
            school_id=school_id,
            kind=kind or None,
            path="/projects",
            params={"q": q, "school": school, "kind": kind},
        )

    public = await filtered_by_school(
        request, ("projects", kind, page_number(page)), school, bool(q), read
    )
    context = {**public, "q": q, "school": school, "kind": kind}
    return page_or_fragment(request, "projects/list.html", "projects/_results.html", context)


@get("/projects/{project_id:int}", opt=PUBLIC_PAGE)
async def project_page(request: Request, project_id: FromPath[int]) -> Template:
    cluster_id = current_cluster(request).id

    async def shown() -> dict[str, Any]:
        return {"project": await services.public_project(project_id, cluster_id)}

    context = await kept(request, ("project", cluster_id, project_id), shown)
    return Template("projects/show.html", context=dict(context))


ROUTES = [
    new_project_form,
    create_project,
    edit_project_form,
    update_project,
    add_tally,
    remove_tally,
    project_list,
    project_page,
]
