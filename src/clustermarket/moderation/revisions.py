"""An author's own words after sending: edit or withdraw an idea, comment or pitch feedback.

Only the author may (anyone else: NotFound, a 404). The rule is the products' one
(`content.published_columns`): an edit while it waits replaces what the teacher will read;
an edit after approval goes back to the queue while the cluster keeps reading the approved
copy; a teacher's own edit goes live at once. Withdrawing takes it out of the queue: a
never-approved item is deleted, an edit of an approved one is dropped (the approved words
stay). Withdrawals are logged; a hidden item stays as the teacher left it."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.moderation.content import IDEA, SHARING_KINDS, ContentKind
from clustermarket.moderation.services import (  # the workflow's own steps
    ModerationError,
    TextProblems,
    _load,
    _log,
    _publish,
    _update,
)
from clustermarket.moderation.wordfilter import problems_in
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction

EDITABLE = (ContentStatus.pending, ContentStatus.rejected, ContentStatus.approved)
WITHDRAWABLE = (ContentStatus.pending, ContentStatus.rejected)


async def own_item(actor: CurrentUser, kind: ContentKind, content_id: int) -> dict[str, Any]:
    """The item, if `actor` wrote it; NotFound for everybody else (teachers included)."""
    if kind not in SHARING_KINDS or not actor.id:
        raise NotFound()
    row = await _load(kind, content_id)
    if row[kind.author._meta.name] != actor.id:
        raise NotFound()
    row["edit_waiting"] = row["is_public"] and row["status"] != ContentStatus.approved
    return row


def _unchanged(row: dict[str, Any], values: dict[Column, str]) -> bool:
    return all(row[column._meta.name] == value for column, value in values.items())


async def revise(
    actor: CurrentUser, kind: ContentKind, content_id: int, values: dict[Column, str]
) -> str:
    """Store the author's new words (`values`: the kind's working columns, checked by the
    caller for length). Returns the status it ends in: pending (a pupil's, for their
    teacher) or approved (a teacher's own, live at once)."""
    row = await own_item(actor, kind, content_id)
    if row["status"] not in EDITABLE:
        raise ModerationError("A teacher hid this, so it cannot be changed now.")
    if _unchanged(row, values):
        if row["status"] == ContentStatus.approved:
            raise ModerationError("Nothing was changed: change something first, then send it.")
        if row["status"] == ContentStatus.pending:
            return row["status"]  # already waiting as it is
    if actor.is_pupil:
        problems = problems_in(
            {field: values.get(column, "") for field, column in kind.checked_text.items()}
        )
        if problems:
            raise TextProblems(problems)
    async with write_transaction():
        if actor.is_staff:
            edited = {**row, **{column._meta.name: value for column, value in values.items()}}
            await _update(kind, content_id, values)
            await _publish(kind, edited, release_held=False)
            await _log(actor, kind, edited, "publish_own")
            return ContentStatus.approved
        changed = await (
            kind.table.update(
                {**values, kind.status: ContentStatus.pending, kind.table.submitted_at: now()}  # type: ignore[attr-defined]
            )
            .where((kind.table.id == content_id) & kind.status.is_in(list(EDITABLE)))
            .returning(kind.table.id)
        )
        if not changed:
            raise ModerationError("A teacher hid this, so it cannot be changed now.")
    return ContentStatus.pending


async def withdraw(actor: CurrentUser, kind: ContentKind, content_id: int) -> bool:
    """Take the author's waiting words out of the queue. Returns True when the whole item
    went (it was never approved); False when only the waiting edit went."""
    row = await own_item(actor, kind, content_id)
    if row["status"] not in WITHDRAWABLE:
        raise ModerationError("Only words that are waiting for a teacher can be withdrawn.")
    still_waiting = (kind.table.id == content_id) & kind.status.is_in(list(WITHDRAWABLE))
    async with write_transaction():
        if row["is_public"]:
            back = {
                working: row[published._meta.name]
                for working, published in kind.published_columns.items()
            }
            done = await (
                kind.table.update(
                    {**back, kind.status: ContentStatus.approved, kind.table.feedback: ""}  # type: ignore[attr-defined]
                )
                .where(still_waiting)
                .returning(kind.table.id)
            )
        else:
            done = await kind.table.delete().where(still_waiting).returning(kind.table.id)
        if not done:
            raise ModerationError("Your teacher has just dealt with this: look again.")
        reason = "the edit withdrawn; the approved version stays" if row["is_public"] else ""
        await _log(actor, kind, row, "withdraw", reason)
    if kind is IDEA and not row["is_public"] and row["photo_name"]:
        from clustermarket.media.services import photo_path
        from clustermarket.schools.tables import Cluster

        cluster = await Cluster.select(Cluster.slug).where(Cluster.id == actor.cluster_id).first()
        for name in (row["photo_name"], row["thumb_name"]):  # the author's cluster's folder
            photo_path(cluster["slug"] if cluster else "", name).unlink(missing_ok=True)
    return not row["is_public"]
