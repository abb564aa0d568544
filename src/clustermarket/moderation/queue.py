"""The moderation queue as a teacher or the admin sees it: the items waiting, with their
photos, tallies, flags and context, and the badge's count of what waits. Queries frozen on
first use per school (or the admin's cluster), kind, tab and class."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.media.services import photos_for
from clustermarket.moderation.content import KINDS, PROJECT, ContentKind
from clustermarket.moderation.queue_context import add_context, class_filter
from clustermarket.moderation.services import columns_of, may_moderate, version_of
from clustermarket.projects.tallies import tallies_for
from clustermarket.sharing.flags import flagged_ids_query, open_flags


def queue_scope(actor: CurrentUser, kind: ContentKind) -> Any:
    """What `actor` sees in the queue: their school's items; for comments and feedback, also
    what was said to their pupils once it is live or hidden (they may hide it)."""
    mine = kind.school == actor.school_id
    if kind.receiving_school is not None:
        said_to_us = (kind.receiving_school == actor.school_id) & kind.status.is_in(
            [ContentStatus.approved, ContentStatus.hidden]
        )
        return mine | said_to_us
    return mine


# The queue's select per kind, tab, class filter and school (or the admin), frozen on first
# use (`freeze()` keeps its SQL): a handful of schools and classes, one set each.
_QUEUE: dict[tuple[Any, ...], Any] = {}


def _queue_query(
    actor: CurrentUser, kind: ContentKind, key: tuple[Any, ...], content_id: int | None
) -> Any:
    """`key`: the kind's name, statuses, flagged, class id, the actor's school, role and
    cluster. The admin's queue is their cluster's items only (issue 15)."""
    _name, statuses, flagged, class_id, _school, _admin, _cluster = key
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
    else:
        where &= kind.in_cluster(actor.cluster_id)
    return table.select(*columns_of(kind, "queue")).where(where).order_by(table.submitted_at)  # type: ignore[attr-defined]


async def moderation_items(
    actor: CurrentUser,
    kind: ContentKind,
    statuses: list[str],
    content_id: int | None = None,
    *,
    flagged: bool = False,
    class_id: int | None = None,
) -> list[dict[str, Any]]:
    """Items of one kind in these statuses that `actor` moderates, with their draft photos
    (held ones flagged), for projects tallies, and open flags (`flagged`: only flagged
    items, one entry each however many flags), their author and what they answer
    (`queue_context`; `class_id`: only that class's pupils' work). A fixed number of queries."""
    key = (
        kind.name,
        tuple(statuses),
        flagged,
        class_id,
        actor.school_id,
        actor.is_admin,
        actor.cluster_id,
    )
    if content_id is not None:  # one item, after an action: built each time
        query = _queue_query(actor, kind, key, content_id)
    else:
        if key not in _QUEUE:
            _QUEUE[key] = _queue_query(actor, kind, key, None).freeze()
        query = _QUEUE[key]
    rows = await query.run()
    ids = [r["id"] for r in rows]
    photos = await photos_for(kind.name, ids, published=False) if kind.editable else {}
    tallies = await tallies_for(ids, published=False) if kind is PROJECT else {}
    flags = await open_flags(kind.name, ids)
    await add_context(kind, rows)
    for row in rows:
        row.setdefault("team_name", "")
        row.setdefault("receiving_school_id", None)
        row["kind"] = kind.name
        row["photos"] = photos.get(row["id"], [])
        row["has_held_photos"] = any(p["held"] for p in row["photos"])
        row["tallies"] = tallies.get(row["id"], [])
        row["flags"] = flags.get(row["id"], [])
        row["can_decide"] = may_moderate(actor, row["school_id"])
        row["version"] = version_of(row)
    return rows


# The badge's count depends only on the school (or the admin): one statement adding the
# kinds' counts, its SQL kept by `freeze()`, built on first use (a handful of schools).
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
                kind.in_cluster(actor.cluster_id) if actor.is_admin else queue_scope(actor, kind)
            )
            # Pending, plus flagged and not pending: each count starts from an index (the
            # status, the open flags), where `pending OR flagged` read every row of the kind.
            for where in (pending, flagged & (kind.status != ContentStatus.pending)):
                counts.append(kind.table.count().where(where & scope).querystrings[0])
        sql = "SELECT " + " + ".join(["({})"] * len(counts)) + " AS waiting"
        _WAITING[key] = PROJECT.table.raw(sql, *counts).freeze()
    return _WAITING[key]


async def waiting_count(actor: CurrentUser) -> int:
    """Items waiting for `actor`'s decision: pending ones, and flagged ones."""
    rows = await _waiting_query(actor).run()
    return int(rows[0]["waiting"] or 0)
