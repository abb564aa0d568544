"""Flags: any signed-in user reports a post, comment or listing to its school's teachers.

One row per reporter per item, so repeated flags make one queue entry; the third distinct
reporter hides the item at once until a teacher decides (keep hidden, or restore)."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.moderation.content import KINDS
from clustermarket.moderation.log import log_action
from clustermarket.sharing.notifications import NOUNS, notify
from clustermarket.sharing.tables import Flag
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction

HIDE_AFTER = 3  # distinct reporters
FLAGGABLE = ("idea", "comment", "feedback", "product", "project", "forum")


class FlagError(ValueError):
    """The report cannot be made; the message is for the user."""


def _open(kind_name: str) -> Any:
    return (Flag.subject_type == kind_name) & (Flag.handled == False)


def flagged_ids_query(kind_name: str) -> Any:
    """A sub-query of the ids of this kind with open flags."""
    return Flag.select(Flag.subject_id).where(_open(kind_name))


async def open_flags_for(kind_name: str, subject_id: int) -> int:
    return await Flag.count().where(_open(kind_name) & (Flag.subject_id == subject_id))


async def close_flags(kind_name: str, subject_id: int, outcome: str) -> None:
    """A teacher decided: the reporters are told it was handled."""
    where = _open(kind_name) & (Flag.subject_id == subject_id)
    reporters = await Flag.select(Flag.reporter).where(where)
    if not reporters:
        return
    await Flag.update({Flag.handled: True}).where(where)
    result = "hid it" if outcome == "hidden" else "checked it and kept it"
    await notify(
        [r["reporter"] for r in reporters],
        f"Thank you for your report. A teacher looked at the {NOUNS.get(kind_name, kind_name)} "
        f"and {result}.",
        "" if outcome == "hidden" else KINDS[kind_name].url(subject_id),  # hidden: nothing to see
    )


async def flag_item(actor: CurrentUser, kind_name: str, subject_id: int, reason: str) -> bool:
    """Report an item the actor can see. Returns True when this report hid it."""
    if kind_name not in FLAGGABLE:
        raise NotFound()
    reason = reason.strip()
    if not reason:
        raise FlagError("Please say in a few words what is wrong with it.")
    if len(reason) > 500:
        raise FlagError("Please keep the reason under 500 characters.")
    kind = KINDS[kind_name]
    table = kind.table
    item = (
        await table.select(
            table._meta.primary_key,
            kind.status,
            table.is_public,  # type: ignore[attr-defined]
            kind.published_title.as_alias("label"),
            kind.school.as_alias("school_id"),
        )
        .where((table._meta.primary_key == subject_id) & kind.in_cluster(actor.cluster_id))
        .first()
    )
    if item is None or not item["is_public"]:  # another cluster's: as if it did not exist
        raise NotFound()
    async with write_transaction():
        await Flag.insert(
            Flag(
                subject_type=kind_name,
                subject_id=subject_id,
                reporter=actor.id,
                reason=reason,
                created_at=now(),
            )
        ).on_conflict(
            target=(Flag.subject_type, Flag.subject_id, Flag.reporter),
            action="DO UPDATE",
            values=[Flag.reason, Flag.handled, Flag.created_at],
        )
        if await open_flags_for(kind_name, subject_id) < HIDE_AFTER:
            return False
        await table.update(
            {table.is_public: False, kind.status: ContentStatus.hidden}  # type: ignore[attr-defined]
        ).where((table._meta.primary_key == subject_id) & (table.is_public == True))  # type: ignore[attr-defined]
        await log_action(
            actor_id=None,
            action="auto_hide",
            subject_type=kind_name,
            subject_id=subject_id,
            subject_label=str(item["label"] or ""),
            school_id=item["school_id"],
            reason=f"Flagged by {HIDE_AFTER} different people; hidden until a teacher decides.",
        )
    return True
