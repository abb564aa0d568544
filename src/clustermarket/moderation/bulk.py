"""Approving several queue items at once: all of them, or none.

Each ticked item is checked first (the teacher may moderate it, it still waits, it is the
version they saw); if any is refused, nothing is approved and the message says which. Then
each goes through `services.approve` one by one, so each is logged and its author told, all
inside one transaction: a failure half-way leaves nothing half-done."""

from __future__ import annotations

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.moderation import services
from clustermarket.moderation.content import KINDS, ContentKind
from clustermarket.moderation.services import ModerationError
from clustermarket.transactions import write_transaction

MAX_AT_ONCE = 100


def parse_pick(value: str) -> tuple[ContentKind, int, str] | None:
    """A ticked box's value, "kind:id:version"; None if it is not one."""
    parts = value.split(":")
    if len(parts) != 3 or parts[0] not in KINDS or not parts[1].isdigit():
        return None
    return KINDS[parts[0]], int(parts[1]), parts[2]


def _describe(kind: ContentKind, content_id: int) -> str:
    return f"{kind.name} #{content_id}"


async def approve_selected(actor: CurrentUser, values: list[str]) -> int:
    """Approve every ticked item or none (ModerationError saying why). Returns how many."""
    if not values:
        raise ModerationError("Tick the items you want to approve first.")
    if len(values) > MAX_AT_ONCE:
        raise ModerationError(f"Approve at most {MAX_AT_ONCE} items at once.")
    picks = []
    for value in dict.fromkeys(values):  # a box sent twice counts once
        pick = parse_pick(value)
        if pick is None:
            raise ModerationError("One of the ticked items was not understood: nothing approved.")
        picks.append(pick)
    refused, changed = [], []
    for kind, content_id, version in picks:
        try:
            row = await services._load(kind, content_id, actor.cluster_id)
        except NotFound:
            refused.append(_describe(kind, content_id))
            continue
        if not services.may_moderate(actor, row["school_id"]):
            refused.append(_describe(kind, content_id))
        elif row["status"] != ContentStatus.pending or (
            version and version != services.version_of(row)
        ):
            changed.append(_describe(kind, content_id))
    if refused:
        raise ModerationError(
            f"You may not approve {', '.join(refused)}: only a teacher of the author's school "
            "can. Nothing was approved; untick it and try again."
        )
    if changed:
        raise ModerationError(
            f"{', '.join(changed).capitalize()} changed or was dealt with since you opened "
            "the page. Nothing was approved; look at the queue again."
        )
    async with write_transaction():
        for kind, content_id, version in picks:
            await services.approve(actor, kind, content_id, seen_version=version)
    return len(picks)
