"""Sending work to the teacher, the moderation queue and its actions, and the log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.moderation import services
from clustermarket.moderation.bulk_controllers import approve_selected
from clustermarket.moderation.content import KINDS, ContentKind, kind_named
from clustermarket.moderation.log import log_entries
from clustermarket.moderation.queue import moderation_items
from clustermarket.moderation.queue_context import class_choices
from clustermarket.moderation.queue_page import queue_page
from clustermarket.moderation.services import ModerationError, TextProblems
from clustermarket.moderation.waits import waits_by_school
from clustermarket.web.auth import requires_signed_in, requires_staff
from clustermarket.web.clusters import current_cluster
from clustermarket.web.forms import Form
from clustermarket.web.pagination import page_number
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get, post

TABS = {
    "waiting": [ContentStatus.pending],
    "live": [ContentStatus.approved],
    "hidden": [ContentStatus.hidden],
    "flagged": [ContentStatus.approved, ContentStatus.hidden, ContentStatus.pending],
}


def submit_route(kind: ContentKind) -> Any:
    @post(
        f"/{kind.name}s/{{content_id:int}}/submit",
        guards=[requires_signed_in],
        name=f"{kind.name}-submit",
    )
    async def submit(request: Request, content_id: FromPath[int]) -> Redirect:
        await services.content_for_worker(request.user, kind, content_id)
        try:
            status = await services.submit_for_approval(request.user, kind, content_id)
        except TextProblems as problems:
            for problem in problems.problems:
                flash(request, problem, "error")
        except ModerationError as error:
            flash(request, str(error), "error")
        else:
            flash(
                request,
                "It is live on the website."
                if status == ContentStatus.approved
                else "Sent to your teacher. You will see here when they have looked at it.",
                "success",
            )
        return Redirect(path=f"/{kind.name}s/{content_id}/edit")

    return submit


@get("/moderation", guards=[requires_staff])
async def queue(
    request: Request,
    tab: FromQuery[str] = "waiting",
    kind: FromQuery[str] = "",
    class_id: FromQuery[str] = "",
    page: FromQuery[str] = "",
) -> Template:
    """The queue, filtered by kind and by the author's class (a plain GET form), a page of
    `QUEUE_PAGE_SIZE` items at a time (`queue_page`: its order and why)."""
    user: CurrentUser = request.user
    tab = tab if tab in TABS else "waiting"
    kind = kind if kind in KINDS else ""
    # Kept between views while nothing is written (`public_data.kept`): each is the same
    # for every viewer of its school (or the admin's cluster).
    scope = (user.school_id, user.is_admin, user.cluster_id)
    classes = await kept(request, ("moderation-classes", *scope), lambda: class_choices(user))
    chosen = int(class_id) if class_id.isdigit() else None
    chosen = chosen if any(c["id"] == chosen for c in classes) else None
    kinds = [KINDS[kind]] if kind else list(KINDS.values())
    listed = await queue_page(
        user,
        kinds,
        TABS[tab],
        page_number(page),
        flagged=tab == "flagged",
        class_id=chosen,
        newest_first=tab in ("live", "hidden"),
        path="/moderation",
        params={"tab": tab, "kind": kind, "class_id": chosen},
    )
    context = {
        "items": listed.items,
        "page": listed,
        "tab": tab,
        "kind": kind,
        "class_id": chosen,
        "classes": classes,
    }
    if user.is_admin:
        cluster_id = current_cluster(request).id
        context["waits"] = await kept(
            request, ("moderation-waits", cluster_id), lambda: waits_by_school(cluster_id)
        )
    return Template("moderation/queue.html", context=context)


@dataclass
class DecisionForm:
    feedback: str = ""
    release_held: str = ""
    version: str = ""  # the sending the teacher saw (see services.version_of)


ACTIONS = ("approve", "reject", "hide", "restore")


@post("/moderation/{kind_name:str}/{content_id:int}/{action:str}", guards=[requires_staff])
async def decide(
    request: HTMXRequest,
    kind_name: FromPath[str],
    content_id: FromPath[int],
    action: FromPath[str],
    data: Annotated[DecisionForm, Form],
) -> Template | Redirect:
    """Approve, reject (with feedback), hide or restore; the row swaps in place with htmx."""
    kind = kind_named(kind_name)
    if action not in ACTIONS:
        raise NotFound()
    user: CurrentUser = request.user
    error, done = None, ""
    try:
        if action == "approve":
            await services.approve(
                user,
                kind,
                content_id,
                release_held=data.release_held == "on",
                seen_version=data.version,
            )
            done = (
                "Approved: it is live on the website."
                if kind.editable
                else "Approved: the cluster can see it now."
            )
        elif action == "reject":
            await services.reject(user, kind, content_id, data.feedback, seen_version=data.version)
            done = "Sent back with your feedback."
        elif action == "hide":
            await services.hide(user, kind, content_id, data.feedback)
            done = "Hidden from the public site." if kind.editable else "Hidden."
        else:
            await services.restore(user, kind, content_id)
            done = "Restored to the public site."
    except ModerationError as problem:
        error = str(problem)
    if not request.htmx:
        flash(request, error or done, "error" if error else "success")
        return Redirect(path="/moderation")
    [item] = await moderation_items(user, kind, [s.value for s in ContentStatus], content_id)
    return Template(
        "moderation/_item.html",
        context={"item": item, "done": done, "error": error, "feedback": data.feedback},
        status_code=400 if error else 200,
    )


@get("/moderation/log", guards=[requires_staff])
async def moderation_log(request: Request, page: FromQuery[str] = "") -> Template:
    """Teachers read their school's log; admins read their cluster's."""
    user: CurrentUser = request.user
    entries = await log_entries(
        school_id=None if user.is_admin else user.school_id,
        cluster_id=current_cluster(request).id,
        number=page_number(page),
    )
    return Template("moderation/log.html", context={"page": entries, "entries": entries.items})


ROUTES = [
    queue,
    approve_selected,
    decide,
    moderation_log,
    *[submit_route(kind) for kind in KINDS.values() if kind.editable],
]
