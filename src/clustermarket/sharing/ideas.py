"""The ideas board: ideas, comments (also on other schools' products and projects) and
reactions. Signed-in cluster users only; pupils are shown as first name and last initial.

What a user may see: live items in their approved words, and their own in their latest
words (with its status: "waiting for your teacher", or the teacher's feedback; the author
may change or withdraw them: own_words.py). Lists use a fixed number of queries."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from clustermarket.accounts.services import CurrentUser, NotFound, short_name
from clustermarket.catalogue.tables import Product
from clustermarket.frozen import Prepared, raw
from clustermarket.media.images import ImageRejected, clean_upload
from clustermarket.media.services import cluster_folder, photo_path
from clustermarket.moderation.content import COMMENT, IDEA, as_seen_by, written_in
from clustermarket.moderation.services import send_new
from clustermarket.projects.tables import Project
from clustermarket.sharing.board_sql import board_page, board_total
from clustermarket.sharing.tables import (
    Comment,
    CommentTarget,
    Idea,
    IdeaTag,
    Reaction,
    ReactionKind,
)
from clustermarket.web.pagination import Page, paginate_frozen

REACTIONS = {
    ReactionKind.like: "👍 Like",
    ReactionKind.clever: "💡 Clever",
    ReactionKind.helpful: "🤝 Would help",
}
ORDERS = ("newest", "discussed")
_REACTION_LABELS = tuple((kind.value, label) for kind, label in REACTIONS.items())


class SharingError(ValueError):
    """The post cannot be made; the message is for the user."""


def may_post(actor: CurrentUser) -> bool:
    """Pupils and staff post; community accounts read, react and report."""
    return actor.is_staff or actor.is_pupil


def _visible(table: Any, actor: CurrentUser) -> Any:
    """Live rows and the actor's own, of the actor's cluster only (issue 15: a signed-in
    user's cluster is the request's); another cluster's row is as if it did not exist."""
    return _visible_to(table, actor.id, actor.cluster_id)


def _visible_to(table: Any, actor_id: int, cluster_id: int | None) -> Any:
    return ((table.is_public == True) | (table.author == actor_id)) & written_in(
        table.school, table.author, cluster_id
    )


def in_cluster(table: Any, actor: CurrentUser) -> Any:
    """A sharing table's rows (ideas, comments, pitch feedback) of the actor's cluster."""
    return written_in(table.school, table.author, actor.cluster_id)


def author_columns(table: Any) -> list[Any]:
    return [
        table.author.first_name.as_alias("author_first"),
        table.author.last_name.as_alias("author_last"),
        table.author.role.as_alias("author_role"),
        table.school.name.as_alias("school_name"),
    ]


def with_author_names(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        first, last = row.pop("author_first"), row.pop("author_last")
        row["author_name"] = short_name(first, last or "") if first else "A former member"
    return rows


def _check(text: str, name: str, longest: int, needed: bool = True) -> str:
    text = text.strip()
    if needed and not text:
        raise SharingError(f"Please write the {name}.")
    if len(text) > longest:
        raise SharingError(f"Please keep the {name} under {longest} characters.")
    return text


# ------------------------------------------------------------------------------ ideas


async def post_idea(
    actor: CurrentUser,
    *,
    title: str,
    body: str,
    tag: str,
    photo: bytes | None = None,
    photo_alt: str = "",
) -> int:
    """A new idea, with an optional photo cleaned by the one image pipeline (no metadata).
    The files are written only once the idea is stored."""
    if not may_post(actor):
        raise SharingError("Only pupils and staff of the cluster's schools can post ideas.")
    if tag not in IdeaTag.__members__:
        raise SharingError("Please choose enterprise, eco or general.")
    values = {
        Idea.title: _check(title, "title", 120),
        Idea.body: _check(body, "idea", 4000),
        Idea.tag: tag,
        Idea.photo_alt: _check(photo_alt, "photo description", 200, needed=False),
    }
    clean = None
    if photo:
        try:
            clean = await clean_upload(photo)
        except ImageRejected as error:
            raise SharingError(str(error)) from None
        name = secrets.token_urlsafe(18)
        values[Idea.photo_name], values[Idea.thumb_name] = f"{name}.jpg", f"{name}-thumb.jpg"
    idea_id = await send_new(actor, IDEA, values)
    if clean is not None:  # in the author's cluster's folder, like products' (issue 15)
        folder = await cluster_folder(actor.cluster_id)
        (folder / values[Idea.photo_name]).write_bytes(clean.full)
        (folder / values[Idea.thumb_name]).write_bytes(clean.thumb)
    return idea_id


async def idea_photo(actor: CurrentUser, idea_id: int, size: str) -> Path:
    """Where an idea's photo is, for who may see the idea (its school's teachers too, while
    it waits); NotFound otherwise. Older photos are in the shared folder (photo_path)."""
    from clustermarket.moderation.services import may_moderate

    row = (
        await Idea.select(
            Idea.author,
            Idea.school,
            Idea.is_public,
            Idea.photo_name,
            Idea.thumb_name,
            Idea.school.cluster.slug.as_alias("cluster_slug"),
        )
        .where((Idea.id == idea_id) & in_cluster(Idea, actor))
        .first()
    )
    if row is None or not row["photo_name"] or size not in ("full", "thumb"):
        raise NotFound()
    if not (row["is_public"] or row["author"] == actor.id or may_moderate(actor, row["school"])):
        raise NotFound()
    return photo_path(row["cluster_slug"], row["photo_name" if size == "full" else "thumb_name"])


async def ideas_board(
    actor: CurrentUser,
    *,
    school_id: int | None = None,
    tag: str | None = None,
    order: str = "newest",
    number: int = 1,
    params: dict | None = None,
) -> Page:
    """A page of live ideas (and the actor's own), newest or most discussed first, with the
    true total: four queries. "Most discussed" is the count of live comments that triggers
    keep on each idea (`Idea.public_comments`), read through an index, in SQL so that every
    page of the board follows the same order."""
    scope = (
        actor.id,
        actor.cluster_id,
        school_id or None,
        tag if tag in IdeaTag.__members__ else None,
    )
    discussed = order == "discussed"
    page = await paginate_frozen(
        lambda size, offset: board_page(*scope, discussed, size, offset),
        board_total(*scope),
        number,
        path="/ideas",
        params=params,
    )
    with_author_names(page.items)
    as_seen_by(IDEA, page.items, actor.id)
    await _with_counts(actor, page.items)
    return page


# Each idea's reactions by kind, and which are the reader's, in one query written as SQL
# (the same on both engines): Piccolo built two selects anew on every view of the board.
_REACTIONS_SQL = (
    'SELECT idea, kind, COUNT(*) AS count, SUM(CASE WHEN "user" = {} THEN 1 ELSE 0 END) AS mine'
    " FROM reaction WHERE idea IN ({ids}) GROUP BY idea, kind"
)


async def _with_counts(actor: CurrentUser, ideas: list[dict[str, Any]]) -> None:
    ids = [i["id"] for i in ideas]
    sql = _REACTIONS_SQL.replace("{ids}", ", ".join(["{}"] * len(ids)))
    given = {
        (r["idea"], r["kind"]): (r["count"], bool(r["mine"]))
        for r in (await raw(Reaction, sql, actor.id, *ids) if ids else [])
    }
    for idea in ideas:
        idea["comment_count"] = idea["public_comments"]  # kept by triggers on `comment`
        # (kind, label, count, mine): the template unpacks each in the loop, with no
        # attribute look-up per value (four per reaction, three reactions an idea)
        idea["reactions"] = [
            (kind, label, *given.get((idea["id"], kind), (0, False)))
            for kind, label in _REACTION_LABELS
        ]


async def idea_for(actor: CurrentUser, idea_id: int) -> dict[str, Any]:
    """One idea the actor may see, with its counts; NotFound otherwise."""
    rows = with_author_names(await _IDEA.run(idea_id, actor.id, actor.cluster_id))
    if not rows:
        raise NotFound()
    as_seen_by(IDEA, rows, actor.id)
    await _with_counts(actor, rows)
    return rows[0]


async def toggle_reaction(actor: CurrentUser, idea_id: int, kind: str) -> dict[str, Any]:
    """Add the reaction, or take it back if the user already gave it. Live ideas only."""
    if kind not in ReactionKind.__members__:
        raise SharingError("That reaction is not one of ours.")
    live_here = (Idea.id == idea_id) & (Idea.is_public == True) & in_cluster(Idea, actor)
    if not await Idea.exists().where(live_here):
        raise NotFound()
    mine = (Reaction.idea == idea_id) & (Reaction.user == actor.id) & (Reaction.kind == kind)
    taken_back = await Reaction.delete().where(mine).returning(Reaction.id)
    if not taken_back:
        await Reaction.insert(Reaction(idea=idea_id, user=actor.id, kind=kind)).on_conflict(
            action="DO NOTHING"
        )
    return await idea_for(actor, idea_id)


# ---------------------------------------------------------------------------- comments


def _target(table: Any, title: Any) -> Prepared:
    """A live product or project of a cluster as a comment's target, built once
    (`frozen.Prepared`): its feedback page reads it on every view."""
    return Prepared(
        lambda target_id, cluster_id: (
            table.select(
                title.as_alias("title"),
                table.team.school.as_alias("school_id"),
                table.team.school.name.as_alias("school_name"),
                table.team.name.as_alias("team_name"),
            )
            .where(
                (table.id == target_id)
                & (table.is_public == True)  # noqa: E712
                & (table.team.school.cluster == cluster_id)
            )
            .first()
        )
    )


_TARGETS = {
    True: _target(Product, Product.published_name),
    False: _target(Project, Project.published_title),
}


async def comment_target(actor: CurrentUser, target_type: str, target_id: int) -> dict[str, Any]:
    """What a comment is about, if the actor may see it: its title, school, link."""
    if target_type == CommentTarget.idea:
        idea = await idea_for(actor, target_id)
        if not idea["is_public"]:
            raise NotFound()
        return {
            "type": "idea",
            "id": target_id,
            "title": idea["title"],
            "school_id": idea["school"],
            "link": f"/ideas/{target_id}",
        }
    if target_type not in (CommentTarget.product, CommentTarget.project):
        raise NotFound()
    row = await _TARGETS[target_type == CommentTarget.product].run(target_id, actor.cluster_id)
    if row is None:
        raise NotFound()
    return {
        **row,
        "type": target_type,
        "id": target_id,
        "link": f"/{target_type}s/{target_id}",
    }


async def add_comment(actor: CurrentUser, target_type: str, target_id: int, body: str) -> int:
    if not may_post(actor):
        raise SharingError("Only pupils and staff of the cluster's schools can comment.")
    target = await comment_target(actor, target_type, target_id)
    if actor.is_pupil and target_type != "idea" and target["school_id"] == actor.school_id:
        raise SharingError("Feedback here is for other schools' work. Tell your own team in class!")
    values = {
        Comment.target_type: target_type,
        Comment.target_id: target_id,
        Comment.receiving_school: target["school_id"],
        Comment.body: _check(body, "comment", 2000),
    }
    return await send_new(actor, COMMENT, values)


async def comments_on(actor: CurrentUser, target_type: str, target_id: int) -> list[dict[str, Any]]:
    """Live comments, and the actor's own, oldest first: one query."""
    rows = with_author_names(
        await _COMMENTS.run(target_type, target_id, actor.id, actor.cluster_id)
    )
    as_seen_by(COMMENT, rows, actor.id)
    return rows


# An idea's page and a piece of work's feedback read these on every view: built once
# (`frozen.Prepared`; the cluster conditions' sub-queries cost about 1 ms to build).
_IDEA = Prepared(
    lambda idea_id, actor_id, cluster_id: Idea.select(
        *Idea.all_columns(), *author_columns(Idea)
    ).where((Idea.id == idea_id) & _visible_to(Idea, actor_id, cluster_id))
)
_COMMENTS = Prepared(
    lambda target_type, target_id, actor_id, cluster_id: (
        Comment.select(*Comment.all_columns(), *author_columns(Comment))
        .where(
            (Comment.target_type == target_type)
            & (Comment.target_id == target_id)
            & _visible_to(Comment, actor_id, cluster_id)
        )
        .order_by(Comment.created_at)
    )
)


async def comment_link(actor: CurrentUser, comment_id: int) -> str:
    """Where a comment is shown (for links in notifications)."""
    row = (
        await Comment.select(Comment.target_type, Comment.target_id)
        .where((Comment.id == comment_id) & _visible(Comment, actor))
        .first()
    )
    if row is None:
        raise NotFound()
    if row["target_type"] == "idea":
        return f"/ideas/{row['target_id']}#comment-{comment_id}"
    return f"/feedback/{row['target_type']}/{row['target_id']}#comment-{comment_id}"
