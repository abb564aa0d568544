"""The members' forum pages. Members only (`requires_member`): a visitor is sent to sign in,
anyone else is refused. Every form works as a plain post; a refused post comes back with
the message and what was typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Request
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from clustermarket.accounts.services import CurrentUser
from clustermarket.forum import services
from clustermarket.forum.membership import requires_member
from clustermarket.forum.services import ForumError
from clustermarket.moderation.services import TextProblems
from clustermarket.rows import parse_row_id
from clustermarket.web.forms import Form
from clustermarket.web.htmx import page_or_fragment
from clustermarket.web.routes import get, post

MEMBERS = [requires_member]


def waiting_message(user: CurrentUser) -> str:
    if user.is_admin:
        return "Posted: the members can read it now."
    who = "a teacher" if user.is_pupil else "the cluster admin"
    return f"Sent to {who}. Only you can see it until it is approved."


def _problem(error: ForumError | TextProblems) -> str:
    return " ".join(error.problems) if isinstance(error, TextProblems) else str(error)


@get("/forum", guards=MEMBERS)
async def forum_home(request: HTMXRequest, page: FromQuery[str] = "1") -> Template:
    """The threads, latest activity first, a page at a time (htmx swaps the list)."""
    listing = await services.threads_page(request.user, parse_row_id(page) or 1)
    return page_or_fragment(request, "forum/index.html", "forum/_threads.html", listing)


@dataclass
class ThreadForm:
    title: str = ""
    body: str = ""


@get("/forum/new", guards=MEMBERS)
async def new_thread_form() -> Template:
    return Template("forum/new_thread.html", context={"form": ThreadForm(), "error": None})


@post("/forum/new", guards=MEMBERS)
async def start_thread(request: Request, data: Annotated[ThreadForm, Form]) -> Template | Redirect:
    user: CurrentUser = request.user
    try:
        thread_id = await services.start_thread(user, data.title, data.body)
    except (ForumError, TextProblems) as error:
        return Template(
            "forum/new_thread.html",
            context={"form": data, "error": _problem(error)},
            status_code=400,
        )
    flash(request, waiting_message(user), "success")
    return Redirect(path=f"/forum/{thread_id}")


async def _thread_page(
    user: CurrentUser, thread_id: int, error: str | None = None, body: str = ""
) -> Template:
    thread = await services.thread_for(user, thread_id)
    return Template(
        "forum/thread.html",
        context={
            "thread": thread,
            "posts": await services.posts_in(user, thread_id),
            "error": error,
            "body": body,
        },
        status_code=400 if error else 200,
    )


@get("/forum/{thread_id:int}", guards=MEMBERS)
async def thread_page(request: Request, thread_id: FromPath[int]) -> Template:
    return await _thread_page(request.user, thread_id)


@dataclass
class ReplyForm:
    body: str = ""


@post("/forum/{thread_id:int}/replies", guards=MEMBERS)
async def reply(
    request: Request, thread_id: FromPath[int], data: Annotated[ReplyForm, Form]
) -> Template | Redirect:
    user: CurrentUser = request.user
    try:
        post_id = await services.reply(user, thread_id, data.body)
    except (ForumError, TextProblems) as error:
        return await _thread_page(user, thread_id, _problem(error), data.body)
    flash(request, waiting_message(user), "success")
    return Redirect(path=f"/forum/{thread_id}#post-{post_id}")


@get("/forum/posts/{post_id:int}", guards=MEMBERS)
async def post_link(request: Request, post_id: FromPath[int]) -> Redirect:
    """A post's own address (notifications link here): its place in its thread."""
    return Redirect(path=await services.post_location(request.user, post_id))


ROUTES = [forum_home, new_thread_form, start_thread, thread_page, reply, post_link]
