"""What the moderation queue shows beside each item, so a teacher can follow it up.

The author (first name, last initial, class) comes in the queue's own select by joins
(`author_columns`), and so do the pitch entry a piece of feedback answers and the thread of a
forum post (`answer_columns`); what a comment answers (its title, link and team) and the first
photos come from `add_context`: a fixed number of queries per kind however many items there
are. Staff-only: the queue is never public.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column

from clustermarket.accounts.classes import year_label
from clustermarket.accounts.services import short_name
from clustermarket.forum.tables import ForumPost
from clustermarket.frozen import freeze_with_values
from clustermarket.moderation.content import COMMENT, FEEDBACK, FORUM_POST, ContentKind
from clustermarket.rows import of_owners
from clustermarket.sharing.tables import PitchFeedback


def author_columns(kind: ContentKind) -> list[Column]:
    author = kind.author
    return [
        author.first_name.as_alias("author_first_name"),
        author.last_name.as_alias("author_last_name"),
        author.role.as_alias("author_role"),
        author.school_class.as_alias("author_class_id"),
        author.school_class.name.as_alias("author_class_name"),
        author.school_class.year_group.as_alias("author_class_year"),
    ]


def class_filter(kind: ContentKind, class_id: int) -> Any:
    """Only items written by pupils of this class."""
    return kind.author.school_class == class_id


def author_label(row: dict[str, Any]) -> str:
    """ "Amelia B. (Year 5 Otters)"; a teacher's own work shows their short name only."""
    if not row.get("author_first_name"):
        return "a former member"
    name = short_name(row["author_first_name"], row.get("author_last_name") or "")
    if row.get("author_class_name"):
        year = year_label(row.get("author_class_year"))
        klass = row["author_class_name"]
        if year and year.lower() not in klass.lower():
            klass = f"{year} {klass}"
        return f"{name} ({klass})"
    if row.get("author_role") in ("teacher", "admin", "platform"):
        return f"{name} (staff)"
    return name


def _first_thumb(photos: dict[int, list[dict[str, Any]]], owner_id: int | None) -> dict | None:
    found = photos.get(owner_id or 0) or []
    return found[0] if found else None


# What a comment answers (its title and team) and the first published photo of what a
# comment or a piece of feedback answers, as parts of the queue's one statement beside its
# items (`queue._beside_items`: its columns, the last one `extra`). They were two more
# statements a page (issue 17, target 3).
_TITLE_PARTS = {
    "idea": "SELECT 'title', 'idea', x.id, x.id, x.title, x.published_title, NULL, NULL,"
    " x.thumb_name FROM idea x WHERE x.id IN ({})",
    "product": "SELECT 'title', 'product', x.id, x.id, x.name, x.published_name, NULL, NULL,"
    " t.name FROM product x LEFT JOIN team t ON t.id = x.team WHERE x.id IN ({})",
    "project": "SELECT 'title', 'project', x.id, x.id, x.title, x.published_title, NULL, NULL,"
    " t.name FROM project x LEFT JOIN team t ON t.id = x.team WHERE x.id IN ({})",
}
_SHOWN_PART = (
    "SELECT 'shown', owner_type, owner_id, id, thumb_name, alt_text, NULL, NULL, NULL"
    " FROM photo WHERE published = {} AND ({})"
)


def answer_parts(found: dict[str, list[dict[str, Any]]]) -> tuple[list[str], list[Any]]:
    """The parts (SQL, arguments) that read what the page's comments and feedback answer:
    the titles of the ideas, products and projects commented on, and the published photos
    of those products and projects and of the pitch entries' work."""
    titles: dict[str, set[int]] = {"idea": set(), "product": set(), "project": set()}
    shown: dict[str, set[int]] = {"product": set(), "project": set()}
    for row in found.get(COMMENT.name, []):
        if row["target_type"] in titles:
            titles[row["target_type"]].add(row["target_id"])
            if row["target_type"] in shown:
                shown[row["target_type"]].add(row["target_id"])
    for row in found.get(FEEDBACK.name, []):
        for what in ("product", "project"):
            if row[f"entry_{what}_id"]:
                shown[what].add(row[f"entry_{what}_id"])
    parts, arguments = [], []
    for what, ids in titles.items():
        if ids:
            parts.append(_TITLE_PARTS[what].replace("{}", ", ".join(["{}"] * len(ids))))
            arguments += sorted(ids)
    shown_ids = {what: sorted(ids) for what, ids in shown.items() if ids}
    if shown_ids:
        owned, owners = of_owners("owner_type", "owner_id", shown_ids)
        parts.append(_SHOWN_PART.replace("({})", f"({owned})"))
        arguments += [True, *owners]
    return parts, arguments


def _comment_answers(rows: list[dict[str, Any]], titles: dict, photos: dict) -> None:
    for row in rows:
        kind, target = row["target_type"], row["target_id"]
        answered = titles.get((kind, target))
        if answered is None:
            continue
        thumb = None
        if kind == "idea":
            if answered["extra"]:
                thumb = {"src": f"/ideas/{target}/photo/thumb", "alt": answered["title"]}
        else:
            photo = _first_thumb(photos.get(kind, {}), target)
            if photo:
                thumb = {"src": f"/media/{photo['thumb_name']}", "alt": photo["alt_text"]}
        row["answers"] = {
            "what": kind,
            "title": answered["published"] or answered["title"],
            "url": f"/{kind}s/{target}",
            "team_name": "" if kind == "idea" else answered["extra"],
            "thumb": thumb,
        }


def answer_columns(kind: ContentKind) -> list[Column]:
    """What a piece of feedback or a forum post answers, joined into the queue's own select
    (so the queue runs no further query for it)."""
    if kind is FEEDBACK:
        entry = PitchFeedback.entry
        return [
            entry.as_alias("entry_id"),
            entry.team.name.as_alias("entry_team_name"),
            entry.product.as_alias("entry_product_id"),
            entry.product.name.as_alias("entry_product_name"),
            entry.product.published_name.as_alias("entry_product_published"),
            entry.project.as_alias("entry_project_id"),
            entry.project.title.as_alias("entry_project_title"),
            entry.project.published_title.as_alias("entry_project_published"),
        ]
    if kind is FORUM_POST:
        return [
            ForumPost.thread.as_alias("thread_id"),
            ForumPost.thread.title.as_alias("thread_title"),
            ForumPost.author.school.name.as_alias("author_school_name"),
        ]
    return []


def _feedback_answers(rows: list[dict[str, Any]], photos: dict) -> None:
    for row in rows:
        if row["entry_product_id"]:
            what, owner = "product", row["entry_product_id"]
            title = row["entry_product_published"] or row["entry_product_name"]
        else:
            what, owner = "project", row["entry_project_id"]
            title = row["entry_project_published"] or row["entry_project_title"]
        photo = _first_thumb(photos.get(what, {}), owner)
        row["answers"] = {
            "what": f"pitch entry ({what})",
            "title": title or "",
            "url": f"/pitch/entries/{row['entry_id']}",
            "team_name": row["entry_team_name"] or "",
            "thumb": {"src": f"/media/{photo['thumb_name']}", "alt": photo["alt_text"]}
            if photo
            else None,
        }


def _forum_answers(rows: list[dict[str, Any]]) -> None:
    """The thread a forum post starts or answers, and its author's school (an adult's post
    has no moderating school: the admin's queue still says where they are from)."""
    for row in rows:
        row["author_school_name"] = row["author_school_name"] or ""
        if not row["opens_thread"]:
            row["answers"] = {
                "what": "forum thread",
                "title": row["thread_title"],
                "url": f"/forum/{row['thread_id']}",
                "team_name": "",
                "thumb": None,
            }


def add_context(kind: ContentKind, rows: list[dict[str, Any]], titles: dict, photos: dict) -> None:
    """Name each row's author and, for comments and feedback, what it answers (`titles` by
    (kind, id) and the published `photos` by kind and owner id, as `answer_parts` read)."""
    for row in rows:
        row["author_label"] = author_label(row)
        row["answers"] = None
    if not rows:
        return
    if kind is COMMENT:
        _comment_answers(rows, titles, photos)
    elif kind is FEEDBACK:
        _feedback_answers(rows, photos)
    elif kind is FORUM_POST:
        _forum_answers(rows)


# Per school (or the admin): frozen on first use, see services._QUEUE.
_CLASSES: dict[tuple[int | None, bool, int | None], Any] = {}


async def class_choices(actor: Any) -> list[dict[str, Any]]:
    """The classes the queue can be filtered by: the teacher's school's; every school's for
    the admin's cluster (named with their school; issue 15)."""
    from clustermarket.accounts.tables import SchoolClass

    key = (actor.school_id, actor.is_admin, actor.cluster_id)
    if key not in _CLASSES:
        query = SchoolClass.select(
            SchoolClass.id,
            SchoolClass.name,
            SchoolClass.year_group,
            SchoolClass.school.name.as_alias("school_name"),
        ).order_by(SchoolClass.school.name)
        if not actor.is_admin:
            query = query.where(SchoolClass.school == actor.school_id)
        elif actor.cluster_id is not None:
            query = query.where(SchoolClass.school.cluster == actor.cluster_id)
        _CLASSES[key] = freeze_with_values(
            query.order_by(SchoolClass.year_group).order_by(SchoolClass.name)
        )
    rows = await _CLASSES[key].run()
    for row in rows:
        label = row["name"]
        year = year_label(row["year_group"])
        if year and year.lower() not in label.lower():
            label = f"{year} {label}"
        row["label"] = f"{label} ({row['school_name']})" if actor.is_admin else label
    return rows
