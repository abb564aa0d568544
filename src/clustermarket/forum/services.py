"""The members' forum: start a thread, reply, list threads by latest activity, read one.

Every post waits for moderation before other members see it: a pupil's for a teacher of the
pupil's school, an adult's (staff, parents, community groups) for the cluster admin. The
admin's own posts are live at once (logged). The word filter reads every post. What a member
sees: live posts, and their own (with "waiting for a teacher" or the feedback). A thread is
seen when its opening post is. Pages use a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Count, Max

from clustermarket.accounts.services import CurrentUser, NotFound, short_name
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.forum.tables import ForumPost, ForumThread
from clustermarket.frozen import Prepared
from clustermarket.moderation.content import FORUM_POST
from clustermarket.moderation.log import log_action
from clustermarket.moderation.services import TextProblems
from clustermarket.moderation.wordfilter import problems_in
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction

PAGE_SIZE = 20
KIND = "forum"  # the moderation ContentKind's name (moderation/content.py)
SAME_POST_WINDOW = dt.timedelta(minutes=1)  # the same words again this soon: a double submit
_AUTHOR_LOCK = 16101  # pg_advisory_xact_lock(key, author): one author's posts one at a time


class ForumError(ValueError):
    """The post cannot be made; the message is for the user."""


def _visible(actor: CurrentUser) -> Any:
    """Live posts and the actor's own, of the actor's cluster only (issue 15: a signed-in
    user's cluster is the request's); another cluster's post is as if it did not exist."""
    return _visible_to(actor.id, actor.cluster_id)


def _visible_to(user_id: Any, cluster_id: Any) -> Any:
    return ((ForumPost.is_public == True) | (ForumPost.author == user_id)) & (
        FORUM_POST.in_cluster(cluster_id)
    )


def _opening_posts(user_id: Any, cluster_id: Any) -> Any:
    return (ForumPost.opens_thread == True) & _visible_to(user_id, cluster_id)


# The thread list's count and each page's activity, built once (`frozen.Prepared`): the
# cluster conditions' sub-queries cost the list about 2 ms to build on every view.
_THREAD_COUNT = Prepared(
    lambda user_id, cluster_id: ForumPost.count().where(_opening_posts(user_id, cluster_id))
)
_ACTIVITY: dict[int, Prepared] = {}


def _activity(page: int) -> Prepared:
    if page not in _ACTIVITY:
        _ACTIVITY[page] = Prepared(
            lambda user_id, cluster_id: (
                ForumPost.select(
                    ForumPost.thread.as_alias("thread_id"),
                    Max(ForumPost.id, alias="last_id"),
                    Count(alias="posts"),
                )
                .where(
                    _visible_to(user_id, cluster_id)
                    & ForumPost.thread.is_in(
                        ForumPost.select(ForumPost.thread).where(
                            _opening_posts(user_id, cluster_id)
                        )
                    )
                )
                .group_by(ForumPost.thread)
                .order_by(Max(ForumPost.id), ascending=False)
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            )
        )
    return _ACTIVITY[page]


_ENDS: dict[int, Prepared] = {}


def _ends(threads: int) -> Prepared:
    """The latest and the opening post of each of a page's `threads` threads: the last posts'
    ids, then the threads' ids. Built once for each number of threads on a page (at most
    PAGE_SIZE statements), each id a value of its own."""
    if threads not in _ENDS:
        _ENDS[threads] = Prepared(
            lambda *ids: ForumPost.select(
                ForumPost.id,
                ForumPost.thread,
                ForumPost.opens_thread,
                ForumPost.status,
                ForumPost.is_public,
                ForumPost.created_at,
                ForumPost.thread.title.as_alias("title"),
                *_author_columns(),
            ).where(
                ForumPost.id.is_in(list(ids[:threads]))
                | (ForumPost.thread.is_in(list(ids[threads:])) & (ForumPost.opens_thread == True))
            )
        )
    return _ENDS[threads]


def _here(actor: CurrentUser) -> Any:
    return FORUM_POST.in_cluster(actor.cluster_id)


def _check(text: str, name: str, shortest: int, longest: int) -> str:
    text = text.strip()
    if len(text) < shortest:
        raise ForumError(
            f"Please write the {name}."
            if shortest <= 1
            else f"Please give the {name} at least {shortest} characters."
        )
    if len(text) > longest:
        raise ForumError(f"Please keep the {name} under {longest} characters.")
    return text


async def _store_post(
    actor: CurrentUser, thread_id: int, body: str, *, opens_thread: bool, label: str
) -> int:
    """Inside the caller's write transaction: the post, live at once only for the admin."""
    live = actor.is_admin
    stamp = now()
    [row] = await ForumPost.insert(
        ForumPost(
            thread=thread_id,
            opens_thread=opens_thread,
            author=actor.id,
            # A pupil's teachers moderate it; an adult's post goes to the admin (no school).
            school=actor.school_id if actor.is_pupil else None,
            body=body,
            status=ContentStatus.approved if live else ContentStatus.pending,
            is_public=live,
            created_at=stamp,
            submitted_at=stamp,
        )
    ).returning(ForumPost.id)
    if live:
        await log_action(
            actor_id=actor.id,
            action="publish_own",
            subject_type=KIND,
            subject_id=row["id"],
            subject_label=label,
            school_id=None,
        )
    return row["id"]


async def _just_posted(actor: CurrentUser, body: str, where: Any) -> dict[str, int] | None:
    """Inside the write transaction: the post (id, thread) with the same words `actor` posted
    in the last minute (a double tap, a resent form, the same post sent at once): one post.
    SQLite: the write lock is held already; PostgreSQL: one advisory lock per author."""
    if isinstance(ForumPost._meta.db, PostgresEngine):
        await ForumPost.raw("SELECT pg_advisory_xact_lock({}, {})", _AUTHOR_LOCK, actor.id)
    row = (
        await ForumPost.select(ForumPost.id, ForumPost.thread)
        .where(
            (ForumPost.author == actor.id)
            & (ForumPost.body == body)
            & (ForumPost.created_at >= now() - SAME_POST_WINDOW)
            & where
        )
        .order_by(ForumPost.id)
        .first()
    )
    return row


def _filtered(fields: dict[str, str]) -> None:
    problems = problems_in(fields)
    if problems:
        raise TextProblems(problems)


async def start_thread(actor: CurrentUser, title: str, body: str) -> int:
    """A new thread with its opening post; returns the thread's id."""
    title = _check(title, "title", 3, 120)
    body = _check(body, "post", 1, 4000)
    _filtered({"title": title, "post": body})
    async with write_transaction():
        same = await _just_posted(
            actor, body, (ForumPost.opens_thread == True) & (ForumPost.thread.title == title)
        )
        if same is not None:
            return same["thread"]
        [thread] = await ForumThread.insert(
            ForumThread(title=title, started_by=actor.id, created_at=now())
        ).returning(ForumThread.id)
        await _store_post(actor, thread["id"], body, opens_thread=True, label=title)
    return thread["id"]


async def reply(actor: CurrentUser, thread_id: int, body: str) -> int:
    """A reply to a live thread; returns the post's id."""
    await thread_for(actor, thread_id, live_only=True)
    body = _check(body, "reply", 1, 4000)
    _filtered({"reply": body})
    async with write_transaction():
        same = await _just_posted(
            actor, body, (ForumPost.thread == thread_id) & (ForumPost.opens_thread == False)
        )
        if same is not None:
            return same["id"]
        return await _store_post(actor, thread_id, body, opens_thread=False, label=body)


def _author_columns() -> list[Any]:
    author = ForumPost.author
    return [
        author.first_name.as_alias("author_first"),
        author.last_name.as_alias("author_last"),
        author.role.as_alias("author_role"),
        author.school.name.as_alias("author_school"),
    ]


WHO = {
    "teacher": "staff",
    "admin": "cluster admin",
    "platform": "cluster admin",
    "community": "member",
}


def _named(row: dict[str, Any]) -> dict[str, Any]:
    """First name and last initial for everyone (pupils must never show more), with the
    school or role beside it; never the class or year group."""
    first, last = row.pop("author_first", None), row.pop("author_last", None)
    row["author_name"] = short_name(first, last or "") if first else "A former member"
    role = row.get("author_role")
    row["author_where"] = ", ".join(
        part for part in (WHO.get(role or "", ""), row.get("author_school") or "") if part
    )
    return row


async def threads_page(actor: CurrentUser, page: int = 1) -> dict[str, Any]:
    """Threads `actor` may see, newest activity (the latest post they may see) first, one
    page of PAGE_SIZE, with the true total: three queries however many threads; two for a
    first page that holds them all (its rows are the total: one per thread, as counted)."""
    page = max(page, 1)
    activity = await _activity(1).run(actor.id, actor.cluster_id) if page == 1 else None
    if activity is not None and len(activity) < PAGE_SIZE:
        total = len(activity)
    else:
        total = await _THREAD_COUNT.run(actor.id, actor.cluster_id)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(page, pages)
    if activity is None:
        activity = await _activity(page).run(actor.id, actor.cluster_id)
    threads: list[dict[str, Any]] = []
    if activity:
        thread_ids = [a["thread_id"] for a in activity]
        last_ids = [a["last_id"] for a in activity]
        rows = await _ends(len(activity)).run(*last_ids, *thread_ids)
        by_id = {r["id"]: _named(r) for r in rows}
        opening = {r["thread"]: r for r in by_id.values() if r["opens_thread"]}
        for a in activity:
            first, last = opening[a["thread_id"]], by_id[a["last_id"]]
            threads.append(
                {
                    "id": a["thread_id"],
                    "title": first["title"],
                    "started_by": first["author_name"],
                    # Not live: seen by its author only, with where it stands.
                    "state": None if first["is_public"] else first["status"],
                    "replies": a["posts"] - 1,
                    "last_at": last["created_at"],
                    "last_by": last["author_name"],
                }
            )
    return {"threads": threads, "total": total, "page": page, "pages": pages}


async def thread_for(actor: CurrentUser, thread_id: int, *, live_only: bool = False) -> dict:
    """A thread `actor` may see (its opening post live, or their own); NotFound otherwise.
    `live_only`: only a live thread (replies are taken only there)."""
    if live_only:
        visible = (ForumPost.is_public == True) & _here(actor)
        row = await _thread(visible, thread_id)
    else:
        row = await _VISIBLE_THREAD.run(thread_id, actor.id, actor.cluster_id)
    if row is None:
        raise NotFound()
    return row


async def posts_in(actor: CurrentUser, thread_id: int) -> list[dict[str, Any]]:
    """The thread's posts `actor` may see, oldest first: one query."""
    rows = await _POSTS.run(thread_id, actor.id, actor.cluster_id)
    return [_named(r) for r in rows]


async def post_location(actor: CurrentUser, post_id: int) -> str:
    """Where a post is shown (the link of the moderation queue and of notifications)."""
    row = (
        await ForumPost.select(ForumPost.thread)
        .where((ForumPost.id == post_id) & _visible(actor))
        .first()
    )
    if row is None:
        raise NotFound()
    await thread_for(actor, row["thread"])
    return f"/forum/{row['thread']}#post-{post_id}"


def _thread(visible: Any, thread_id: Any) -> Any:
    return (
        ForumPost.select(
            ForumPost.thread.as_alias("id"),
            ForumPost.thread.title.as_alias("title"),
            ForumPost.is_public,
        )
        .where((ForumPost.thread == thread_id) & (ForumPost.opens_thread == True) & visible)
        .first()
    )


# A thread's page reads these on every view: built once (`frozen.Prepared`).
_VISIBLE_THREAD = Prepared(
    lambda thread_id, user_id, cluster_id: _thread(_visible_to(user_id, cluster_id), thread_id)
)
_POSTS = Prepared(
    lambda thread_id, user_id, cluster_id: (
        ForumPost.select(*ForumPost.all_columns(), *_author_columns())
        .where((ForumPost.thread == thread_id) & _visible_to(user_id, cluster_id))
        .order_by(ForumPost.id)
    )
)
