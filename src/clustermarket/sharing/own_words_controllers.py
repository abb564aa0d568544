"""Pupils own their words: the author edits or withdraws their idea, comment or pitch
feedback. Access rule, checked here in each handler (`revisions.own_item`): the author only;
another pupil, a teacher or the admin gets a 404, a visitor is sent to sign in."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from litestar import Request
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from clustermarket.accounts.services import CurrentUser
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.moderation.content import COMMENT, FEEDBACK, IDEA, ContentKind
from clustermarket.moderation.revisions import own_item, withdraw
from clustermarket.moderation.services import ModerationError, TextProblems
from clustermarket.sharing import own_words
from clustermarket.sharing.controllers import SIGNED_IN, problem_text
from clustermarket.sharing.ideas import SharingError
from clustermarket.web.forms import Form
from clustermarket.web.routes import get, post

WAITING_CHANGE = "Sent to your teacher. The box below says who sees what until they approve it."


@dataclass
class OwnWordsForm:
    """Every kind's boxes; each kind reads its own (own_words.FIELDS)."""

    title: str = ""
    body: str = ""
    works_well: str = ""
    even_better_if: str = ""


def _path(kind: ContentKind, content_id: int) -> str:
    return {
        "idea": f"/ideas/{content_id}",
        "comment": f"/comments/{content_id}",
        "feedback": f"/pitch/feedback/{content_id}",
    }[kind.name]


async def _edit_page(
    request: Request,
    kind: ContentKind,
    content_id: int,
    form: dict[str, str] | None = None,
    error: str | None = None,
) -> Template:
    user: CurrentUser = request.user
    row = await own_item(user, kind, content_id)
    return Template(
        "sharing/edit_own.html",
        context={
            "kind": kind.name,
            "item": row,
            "fields": own_words.FIELDS[kind.name],
            "form": form or own_words.form_of(kind, row),
            "published": {
                working._meta.name: row[published._meta.name]
                for working, published in kind.published_columns.items()
            },
            "action": _path(kind, content_id),
            "shown_at": await own_words.where_it_shows(user, kind, row),
            "error": error,
        },
        status_code=400 if error else 200,
    )


async def _save(
    request: Request, kind: ContentKind, content_id: int, data: OwnWordsForm
) -> Template | Redirect:
    user: CurrentUser = request.user
    form = asdict(data)
    try:
        status = await own_words.edit_own(user, kind, content_id, form)
    except (SharingError, TextProblems, ModerationError) as error:
        return await _edit_page(request, kind, content_id, form, problem_text(error))
    done = "Saved. It shows at once." if status == ContentStatus.approved else WAITING_CHANGE
    flash(request, done, "success")
    return Redirect(path=f"{_path(kind, content_id)}/edit")


async def _withdraw(request: Request, kind: ContentKind, content_id: int) -> Redirect:
    user: CurrentUser = request.user
    row = await own_item(user, kind, content_id)
    try:
        gone = await withdraw(user, kind, content_id)
    except ModerationError as error:
        flash(request, str(error), "error")
        return Redirect(path=f"{_path(kind, content_id)}/edit")
    flash(
        request,
        "Withdrawn: your teacher will not see it."
        if gone
        else "Your change is withdrawn; the approved version stays.",
        "success",
    )
    return Redirect(path=own_words.after_withdrawal(kind, row, gone))


@get("/ideas/{idea_id:int}/edit", guards=SIGNED_IN)
async def edit_idea_form(request: Request, idea_id: FromPath[int]) -> Template:
    return await _edit_page(request, IDEA, idea_id)


@post("/ideas/{idea_id:int}/edit", guards=SIGNED_IN)
async def edit_idea(
    request: Request, idea_id: FromPath[int], data: Annotated[OwnWordsForm, Form]
) -> Template | Redirect:
    return await _save(request, IDEA, idea_id, data)


@post("/ideas/{idea_id:int}/withdraw", guards=SIGNED_IN)
async def withdraw_idea(request: Request, idea_id: FromPath[int]) -> Redirect:
    return await _withdraw(request, IDEA, idea_id)


@get("/comments/{comment_id:int}/edit", guards=SIGNED_IN)
async def edit_comment_form(request: Request, comment_id: FromPath[int]) -> Template:
    return await _edit_page(request, COMMENT, comment_id)


@post("/comments/{comment_id:int}/edit", guards=SIGNED_IN)
async def edit_comment(
    request: Request, comment_id: FromPath[int], data: Annotated[OwnWordsForm, Form]
) -> Template | Redirect:
    return await _save(request, COMMENT, comment_id, data)


@post("/comments/{comment_id:int}/withdraw", guards=SIGNED_IN)
async def withdraw_comment(request: Request, comment_id: FromPath[int]) -> Redirect:
    return await _withdraw(request, COMMENT, comment_id)


@get("/pitch/feedback/{feedback_id:int}/edit", guards=SIGNED_IN)
async def edit_feedback_form(request: Request, feedback_id: FromPath[int]) -> Template:
    return await _edit_page(request, FEEDBACK, feedback_id)


@post("/pitch/feedback/{feedback_id:int}/edit", guards=SIGNED_IN)
async def edit_feedback(
    request: Request, feedback_id: FromPath[int], data: Annotated[OwnWordsForm, Form]
) -> Template | Redirect:
    return await _save(request, FEEDBACK, feedback_id, data)


@post("/pitch/feedback/{feedback_id:int}/withdraw", guards=SIGNED_IN)
async def withdraw_feedback(request: Request, feedback_id: FromPath[int]) -> Redirect:
    return await _withdraw(request, FEEDBACK, feedback_id)


ROUTES = [
    edit_idea_form,
    edit_idea,
    withdraw_idea,
    edit_comment_form,
    edit_comment,
    withdraw_comment,
    edit_feedback_form,
    edit_feedback,
    withdraw_feedback,
]
