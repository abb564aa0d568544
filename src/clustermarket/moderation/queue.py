"""The moderation queue as a teacher or the admin sees it: the items waiting, with their
photos, tallies, flags and context, and the badge's count of what waits. Queries frozen on
first use per school (or the admin's cluster), kind, tab and class."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.db_connections import fetch_tuples
from clustermarket.frozen import freeze_with_values
from clustermarket.moderation.content import KINDS, PROJECT, ContentKind
from clustermarket.moderation.items import columns_of
from clustermarket.moderation.queue_context import add_context, answer_parts, class_filter
from clustermarket.moderation.services import may_moderate, version_of
from clustermarket.rows import of_owners
from clustermarket.sharing.flags import flagged_ids_query
from clustermarket.sharing.tables import Flag
from clustermarket.web import badge

# The statuses in which what was said to a school's pupils is in its teachers' queue.
SAID_TO_US = (ContentStatus.approved, ContentStatus.hidden)


def queue_scope(actor: CurrentUser, kind: ContentKind) -> Any:
    """What `actor` sees in the queue: their school's items; for comments and feedback, also
    what was said to their pupils once it is live or hidden (they may hide it)."""
    mine = kind.school == actor.school_id
    if kind.receiving_school is not None:
        said_to_us = (kind.receiving_school == actor.school_id) & kind.status.is_in(
            list(SAID_TO_US)
        )
        return mine | said_to_us
    return mine


# The queue's select per kind, tab, class filter and school (or the admin), frozen on first
# use with its values written in (`frozen.py`: PostgreSQL plans it once per connection, not
# on every view): a handful of schools and classes, one set each.
_QUEUE: dict[tuple[Any, ...], Any] = {}


def _queue_where(
    actor: CurrentUser, kind: ContentKind, scope: tuple[Any, ...], content_id: int | None
) -> Any:
    """`scope`: the statuses, flagged, class id, the actor's school, role and cluster. The
    admin's queue is their cluster's items only (issue 15)."""
    statuses, flagged, class_id, _school, _admin, _cluster = scope
    table = kind.table
    where = kind.status.is_in(list(statuses))
    if content_id is not None:
        where &= table._meta.primary_key == content_id
    if flagged:
        where &= table._meta.primary_key.is_in(flagged_ids_query(kind.name))
    if class_id is not None:
        where &= class_filter(kind, class_id)
    if not actor.is_admin:
        where &= queue_scope(actor, kind)
    elif flagged or content_id is not None or list(statuses) == [ContentStatus.pending]:
        where &= kind.row_in_cluster(actor.cluster_id)  # few rows: each checked
    else:  # every live (or hidden) item of the kind: from the cluster's lists
        where &= kind.in_cluster(actor.cluster_id)
    return where


def _queue_query(
    actor: CurrentUser, kind: ContentKind, scope: tuple[Any, ...], content_id: int | None
) -> Any:
    where = _queue_where(actor, kind, scope, content_id)
    return (
        kind.table.select(*columns_of(kind, "queue")).where(where).order_by(kind.table.submitted_at)
    )  # type: ignore[attr-defined]


def queue_scope_key(
    actor: CurrentUser, statuses: list[str], flagged: bool, class_id: int | None
) -> tuple[Any, ...]:
    """What fixes a tab's statements: its statuses, flagged or not, the class filter, the
    actor's school, role and cluster."""
    return (tuple(statuses), flagged, class_id, actor.school_id, actor.is_admin, actor.cluster_id)


def frozen_queue_query(actor: CurrentUser, kind: ContentKind, scope: tuple[Any, ...]) -> Any:
    """`kind`'s select for the tab `scope`, frozen with its values written in on first use."""
    key = (kind.name, *scope)
    if key not in _QUEUE:
        _QUEUE[key] = freeze_with_values(_queue_query(actor, kind, scope, None))
    return _QUEUE[key]


async def queue_items(
    actor: CurrentUser,
    kinds: list[ContentKind],
    statuses: list[str],
    content_id: int | None = None,
    *,
    flagged: bool = False,
    class_id: int | None = None,
) -> list[dict[str, Any]]:
    """Items of these kinds (in this order, each kind's by sending time) in these statuses
    that `actor` moderates, with their draft photos (held ones flagged), for projects
    tallies, and open flags (`flagged`: only flagged items, one entry each however many
    flags), their author and what they answer (`queue_context`; `class_id`: only that
    class's pupils' work). A fixed number of queries: one select per kind, then one for the
    photos, tallies and flags of them all. The queue's tabs page their items instead
    (`queue_page`); this is for one kind's items, or one item after an action."""
    scope = queue_scope_key(actor, statuses, flagged, class_id)
    found: dict[str, list[dict[str, Any]]] = {}
    for kind in kinds:
        if content_id is not None:  # one item, after an action: built each time
            query = _queue_query(actor, kind, scope, content_id)
        else:
            query = frozen_queue_query(actor, kind, scope)
        found[kind.name] = await query.run()
    return await dressed(actor, kinds, found)


async def dressed(
    actor: CurrentUser, kinds: list[ContentKind], found: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The queue's rows of each kind (`found`, by kind name) with what the queue shows beside
    them: photos, tallies, flags, author and context, and whether `actor` may decide."""
    ids = {name: [r["id"] for r in rows] for name, rows in found.items()}
    photos, tallies, flags, titles, shown = await _beside_items(ids, answer_parts(found))
    items: list[dict[str, Any]] = []
    for kind in kinds:
        rows = found.get(kind.name, [])
        if not rows:
            continue
        add_context(kind, rows, titles, shown)
        for row in rows:
            row.setdefault("team_name", "")
            row.setdefault("receiving_school_id", None)
            row["kind"] = kind.name
            row["photos"] = photos.get((kind.name, row["id"]), [])
            row["has_held_photos"] = any(p["held"] for p in row["photos"])
            row["tallies"] = tallies.get((kind.name, row["id"]), [])
            row["flags"] = flags.get((kind.name, row["id"]), [])
            row["can_decide"] = may_moderate(actor, row["school_id"])
            row["version"] = version_of(row)
        items += rows
    return items


# What the queue shows beside its items, in one statement whatever the kinds: the working
# (draft) photos of products and projects, the draft tallies of projects, the open flags
# of every kind and what comments and feedback answer (`queue_context.answer_parts`), each
# part's rows tagged with its name. Only the columns the queue shows; every branch has the
# same columns (`NULL` where a part has none), so both engines read them alike.
_PHOTOS_SQL = (
    "SELECT 'photo' AS part, owner_type AS kind, owner_id AS owner, id, thumb_name AS words,"
    " alt_text AS more_words, held, NULL AS quantity, NULL AS extra FROM photo"
    " WHERE in_draft = {} AND ({})"
)
_TALLIES_SQL = (
    "SELECT 'tally', 'project', project, id, unit, label, NULL, quantity, NULL"
    " FROM impact_tally WHERE in_draft = {} AND project IN ({})"
)
_FLAGS_SQL = (
    "SELECT 'flag', subject_type, subject_id, id, reason, NULL, NULL, NULL, NULL FROM flag"
    " WHERE handled = {} AND ({})"
)


async def _beside_items(
    ids: dict[str, list[int]], answers: tuple[list[str], list[Any]]
) -> tuple[dict, dict, dict, dict, dict]:
    """Photos, tallies and open flags of the items, each by (kind name, id), in id order;
    the titles of what they answer by (kind, id) and its published photos by kind and id."""
    ids = {name: of_kind for name, of_kind in ids.items() if of_kind}
    photos: dict[tuple[str, int], list[dict[str, Any]]] = {}
    tallies: dict[tuple[str, int], list[dict[str, Any]]] = {}
    flags: dict[tuple[str, int], list[dict[str, Any]]] = {}
    titles: dict[tuple[str, int], dict[str, Any]] = {}
    shown: dict[str, dict[int, list[dict[str, Any]]]] = {}
    if not ids:
        return photos, tallies, flags, titles, shown
    parts, arguments = [], []
    editable = {name: of_kind for name, of_kind in ids.items() if KINDS[name].editable}
    if editable:
        owned, owners = of_owners("owner_type", "owner_id", editable)
        parts.append(_PHOTOS_SQL.replace("({})", f"({owned})"))
        arguments += [True, *owners]
    if PROJECT.name in ids:
        projects = ids[PROJECT.name]
        parts.append(_TALLIES_SQL.replace("({})", "(" + ", ".join(["{}"] * len(projects)) + ")"))
        arguments += [True, *projects]
    subjects, flagged = of_owners("subject_type", "subject_id", ids)
    parts.append(_FLAGS_SQL.replace("({})", f"({subjects})"))
    arguments += [False, *flagged]
    parts += answers[0]
    arguments += answers[1]
    sql = " UNION ALL ".join(parts) + " ORDER BY id"
    for part, kind, owner, _id, words, more_words, held, quantity, extra in await fetch_tuples(
        Flag, sql, *arguments
    ):
        if part == "photo":
            row = {"thumb_name": words, "alt_text": more_words, "held": bool(held)}
            photos.setdefault((kind, owner), []).append(row)
        elif part == "tally":
            row = {"quantity": quantity, "unit": words, "label": more_words}
            tallies.setdefault((kind, owner), []).append(row)
        elif part == "flag":
            flags.setdefault((kind, owner), []).append({"reason": words})
        elif part == "title":
            titles[(kind, owner)] = {"title": words, "published": more_words, "extra": extra}
        else:  # "shown": a published photo of what an item answers
            row = {"thumb_name": words, "alt_text": more_words}
            shown.setdefault(kind, {}).setdefault(owner, []).append(row)
    return photos, tallies, flags, titles, shown


async def moderation_items(
    actor: CurrentUser, kind: ContentKind, statuses: list[str], content_id: int | None = None
) -> list[dict[str, Any]]:
    """`queue_items` of one kind (the row an htmx action answers with)."""
    return await queue_items(actor, [kind], statuses, content_id)


# The badge's count depends only on the school (or the admin): one statement adding the
# kinds' counts, its SQL kept with its values written in, built on first use (a handful of
# schools).
_WAITING: dict[tuple[int | None, bool, int | None], Any] = {}


def _waiting_query(actor: CurrentUser) -> Any:
    """A teacher's school is in one cluster; the admin counts their cluster's items only."""
    key = (actor.school_id, actor.is_admin, actor.cluster_id)
    if key not in _WAITING:
        counts = []
        for kind in KINDS.values():
            pending = kind.status == ContentStatus.pending
            flagged = kind.table._meta.primary_key.is_in(flagged_ids_query(kind.name))
            scope = (
                kind.row_in_cluster(actor.cluster_id)
                if actor.is_admin
                else queue_scope(actor, kind)
            )
            # Pending, plus flagged and not pending: each count starts from an index (the
            # status, the open flags), where `pending OR flagged` read every row of the kind.
            for where in (pending, flagged & (kind.status != ContentStatus.pending)):
                counts.append(kind.table.count().where(where & scope).querystrings[0])
        sql = "SELECT " + " + ".join(["({})"] * len(counts)) + " AS waiting"
        _WAITING[key] = freeze_with_values(PROJECT.table.raw(sql, *counts))
    return _WAITING[key]


async def waiting_count(actor: CurrentUser) -> int:
    """Items waiting for `actor`'s decision: pending ones, and flagged ones."""
    rows = await _waiting_query(actor).run()
    return int(rows[0]["waiting"] or 0)


badge.WAITING_COUNT[:] = [waiting_count]  # the header's count (web/badge.py)
