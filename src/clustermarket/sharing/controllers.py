"""Ideas board, comments and feedback on other schools' work, reactions, flags,
notifications. Signed-in users only: a visitor is sent to sign in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import File, Redirect, Template

from clustermarket.accounts.services import CurrentUser
from clustermarket.moderation.content import kind_named
from clustermarket.moderation.services import TextProblems
from clustermarket.rows import parse_row_id
from clustermarket.schools.lists import kept_schools
from clustermarket.sharing import ideas
from clustermarket.sharing.flags import FlagError, flag_item
from clustermarket.sharing.ideas import SharingError
from clustermarket.sharing.notifications import (
    mark_all_read,
    notifications_for,
    unread_count,
)
from clustermarket.sharing.notifications import open_notification as notification_opened
from clustermarket.sharing.tables import IdeaTag
from clustermarket.web import badge
from clustermarket.web.auth import requires_signed_in
from clustermarket.web.forms import UPLOAD_BODY_LIMIT, Form, Multipart
from clustermarket.web.htmx import page_or_fragment
from clustermarket.web.pagination import page_number
from clustermarket.web.routes import get, post
from clustermarket.web.urls import local_path

SIGNED_IN = [requires_signed_in]
WAITING = "Sent to your teacher. Only you can see it until they approve it."


def problem_text(error: Exception) -> str:
    """One sentence for the page from a service's refusal."""
    if isinstance(error, TextProblems):
        return " ".join(error.problems)
    return str(error)


@get("/ideas", guards=SIGNED_IN)
async def ideas_board(
    request: HTMXRequest,
    school: FromQuery[str] = "",
    tag: FromQuery[str] = "",
    order: FromQuery[str] = "newest",
    page: FromQuery[str] = "",
) -> Template:
    user: CurrentUser = request.user
    order = order if order in ideas.ORDERS else "newest"
    school_id = parse_row_id(school)
    board = await ideas.ideas_board(
        user,
        school_id=school_id,
        tag=tag,
        order=order,
        number=page_number(page),
        params={"school": school_id or "", "tag": tag, "order": order},
    )
    context = {
        "page": board,
        "ideas": board.items,
        "schools": await kept_schools(request, user.cluster_id),  # the board's filter
        "tags": [t.value for t in IdeaTag],
        "filters": {"school": school_id, "tag": tag, "order": order},
    }
    return page_or_fragment(request, "sharing/board.html", "sharing/_ideas.html", context)


@dataclass
class IdeaForm:
    title: str = ""
    body: str = ""
    tag: str = "general"
    photo_alt: str = ""
    photo: UploadFile | None = None


@get("/ideas/new", guards=SIGNED_IN)
async def new_idea_form() -> Template:
    return Template("sharing/new_idea.html", context={"form": IdeaForm(), "error": None})


@post("/ideas/new", guards=SIGNED_IN, request_max_body_size=UPLOAD_BODY_LIMIT)
async def post_idea(request: Request, data: Annotated[IdeaForm, Multipart]) -> Template | Redirect:
    user: CurrentUser = request.user
    photo = await data.photo.read() if data.photo and data.photo.filename else None
    try:
        idea_id = await ideas.post_idea(
            user,
            title=data.title,
            body=data.body,
            tag=data.tag,
            photo=photo,
            photo_alt=data.photo_alt,
        )
    except (SharingError, TextProblems) as error:
        return Template(
            "sharing/new_idea.html",
            context={"form": data, "error": problem_text(error)},
            status_code=400,
        )
    flash(request, "Your idea is on the board." if user.is_staff else WAITING, "success")
    return Redirect(path=f"/ideas/{idea_id}")


async def _idea_page(
    user: CurrentUser, idea_id: int, error: str | None = None, comment: str = "", status: int = 200
) -> Template:
    idea = await ideas.idea_for(user, idea_id)
    return Template(
        "sharing/idea.html",
        context={
            "idea": idea,
            "comments": await ideas.comments_on(user, "idea", idea_id),
            "error": error,
            "comment": comment,
            "may_post": ideas.may_post(user),
        },
        status_code=status,
    )


@get("/ideas/{idea_id:int}", guards=SIGNED_IN)
async def idea_page(request: Request, idea_id: FromPath[int]) -> Template:
    return await _idea_page(request.user, idea_id)


@get("/ideas/{idea_id:int}/photo/{size:str}", guards=SIGNED_IN)
async def idea_photo(request: Request, idea_id: FromPath[int], size: FromPath[str]) -> File:
    return File(
        path=await ideas.idea_photo(request.user, idea_id, size),
        media_type="image/jpeg",
        content_disposition_type="inline",
        headers={"Cache-Control": "private, no-store"},
    )


@dataclass
class CommentForm:
    body: str = ""


@post("/ideas/{idea_id:int}/comments", guards=SIGNED_IN)
async def comment_on_idea(
    request: Request, idea_id: FromPath[int], data: Annotated[CommentForm, Form]
) -> Template | Redirect:
    user: CurrentUser = request.user
    try:
        await ideas.add_comment(user, "idea", idea_id, data.body)
    except (SharingError, TextProblems) as error:
        return await _idea_page(user, idea_id, problem_text(error), data.body, 400)
    flash(request, "Comment added." if user.is_staff else WAITING, "success")
    return Redirect(path=f"/ideas/{idea_id}")


@dataclass
class ReactionForm:
    kind: str = ""  # the pressed button's value


@post("/ideas/{idea_id:int}/reactions", guards=SIGNED_IN)
async def react_by_button(
    request: HTMXRequest, idea_id: FromPath[int], data: Annotated[ReactionForm, Form]
) -> Any:
    """The reactions' one form (a button per reaction): toggle the one pressed."""
    return await _react(request, idea_id, data.kind)


@post("/ideas/{idea_id:int}/reactions/{kind:str}", guards=SIGNED_IN)
async def react(request: HTMXRequest, idea_id: FromPath[int], kind: FromPath[str]) -> Any:
    """Toggle a reaction named in the address."""
    return await _react(request, idea_id, kind)


async def _react(request: HTMXRequest, idea_id: int, kind: str) -> Any:
    """Toggle a reaction; htmx swaps the reaction buttons in place."""
    try:
        idea = await ideas.toggle_reaction(request.user, idea_id, kind)
    except SharingError as error:
        raise ClientException(str(error)) from None
    if request.htmx:
        return Template("sharing/_reactions.html", context={"idea": idea})
    return Redirect(path=f"/ideas/{idea_id}")


async def _feedback_page(
    user: CurrentUser, target_type: str, target_id: int, error: str | None = None, body: str = ""
) -> Template:
    target = await ideas.comment_target(user, target_type, target_id)
    return Template(
        "sharing/feedback.html",
        context={
            "target": target,
            "comments": await ideas.comments_on(user, target_type, target_id),
            "error": error,
            "comment": body,
            "may_post": ideas.may_post(user),
        },
        status_code=400 if error else 200,
    )


@get("/feedback/{target_type:str}/{target_id:int}", guards=SIGNED_IN)
async def feedback_page(
    request: Request, target_type: FromPath[str], target_id: FromPath[int]
) -> Template:
    """Comments from the cluster on a school's product or project."""
    return await _feedback_page(request.user, target_type, target_id)


@post("/feedback/{target_type:str}/{target_id:int}", guards=SIGNED_IN)
async def give_feedback(
    request: Request,
    target_type: FromPath[str],
    target_id: FromPath[int],
    data: Annotated[CommentForm, Form],
) -> Template | Redirect:
    user: CurrentUser = request.user
    try:
        await ideas.add_comment(user, target_type, target_id, data.body)
    except (SharingError, TextProblems) as error:
        return await _feedback_page(user, target_type, target_id, problem_text(error), data.body)
    flash(request, "Comment added." if user.is_staff else WAITING, "success")
    return Redirect(path=f"/feedback/{target_type}/{target_id}")


@get("/comments/{comment_id:int}", guards=SIGNED_IN)
async def comment_link(request: Request, comment_id: FromPath[int]) -> Redirect:
    return Redirect(path=await ideas.comment_link(request.user, comment_id))


@dataclass
class FlagForm:
    reason: str = ""
    back: str = "/ideas"


def _safe_back(path: str) -> str:
    return local_path(path, "/ideas")


@get("/flag/{kind_name:str}/{content_id:int}", guards=SIGNED_IN)
async def flag_form(
    kind_name: FromPath[str], content_id: FromPath[int], back: FromQuery[str] = "/ideas"
) -> Template:
    kind_named(kind_name)
    return Template(
        "sharing/flag.html",
        context={
            "kind": kind_name,
            "content_id": content_id,
            "form": FlagForm(back=_safe_back(back)),
        },
    )


@post("/flag/{kind_name:str}/{content_id:int}", guards=SIGNED_IN)
async def flag(
    request: Request,
    kind_name: FromPath[str],
    content_id: FromPath[int],
    data: Annotated[FlagForm, Form],
) -> Template | Redirect:
    try:
        await flag_item(request.user, kind_name, content_id, data.reason)
    except FlagError as error:
        return Template(
            "sharing/flag.html",
            context={
                "kind": kind_name,
                "content_id": content_id,
                "form": replace(data, back=_safe_back(data.back)),
                "error": str(error),
            },
            status_code=400,
        )
    flash(request, "Thank you. A teacher will look at it, and we will tell you.", "success")
    return Redirect(path=_safe_back(data.back))


@get("/notifications", guards=SIGNED_IN)
async def notifications(request: Request) -> Template:
    """The list; a notification with a link is marked read when it is opened."""
    user: CurrentUser = request.user
    rows = await notifications_for(user.id)
    await mark_all_read(user.id, only_without_link=True)
    waiting = await badge.waiting(request.app, user) if user.is_staff else 0
    return Template("sharing/notifications.html", context={"rows": rows, "waiting": waiting})


@get("/notifications/{notification_id:int}/open", guards=SIGNED_IN)
async def open_notification(request: Request, notification_id: FromPath[int]) -> Redirect:
    """Mark one's own notification read, then go to what it is about (a local path only)."""
    link = await notification_opened(request.user.id, notification_id)
    return Redirect(path=local_path(link, "/notifications"))


@post("/notifications/read", guards=SIGNED_IN)
async def read_all_notifications(request: Request) -> Redirect:
    await mark_all_read(request.user.id)
    flash(request, "All marked as read.", "success")
    return Redirect(path="/notifications")


@get("/notifications/badge", guards=SIGNED_IN)
async def notification_badge(request: Request) -> Template:
    """The header badge (htmx polls it): unread notifications, and for teachers the items
    waiting in their moderation queue."""
    user: CurrentUser = request.user
    count = badge.unread_of(request.scope)  # read with the user (web/badge.py)
    if count is None:
        count = await unread_count(user.id)
    if user.is_staff:
        count += await badge.waiting(request.app, user)
    return Template("sharing/_badge.html", context={"count": count})


ROUTES = [
    ideas_board,
    new_idea_form,
    post_idea,
    idea_page,
    idea_photo,
    comment_on_idea,
    react_by_button,
    react,
    feedback_page,
    give_feedback,
    comment_link,
    flag_form,
    flag,
    notifications,
    open_notification,
    read_all_notifications,
    notification_badge,
]
