"""The moderation workflow: submit, approve, reject with feedback, hide, restore.

Every action is written to the moderation log; the permission rule is `may_moderate`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.media.services import photos_for, publish_draft_photos
from clustermarket.moderation.content import PROJECT, ContentKind, published_values
from clustermarket.moderation.items import item_query
from clustermarket.moderation.log import log_action
from clustermarket.moderation.wordfilter import problems_in
from clustermarket.projects.tallies import publish_draft_tallies, tallies_for
from clustermarket.sharing.flags import close_flags, open_flags_for
from clustermarket.sharing.notifications import after_decision
from clustermarket.teams.services import team_for_worker
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction


class ModerationError(Exception):
    """The action cannot be done now; the message says why, for the user."""


class TextProblems(ModerationError):
    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def may_moderate(actor: CurrentUser, school_id: int | None) -> bool:
    """Teachers moderate their own school's content; the admin moderates everything of their
    cluster (the rows given here were loaded within it: `_load`)."""
    return actor.is_admin or (actor.is_teacher and actor.school_id == school_id)


def may_hide(actor: CurrentUser, row: dict[str, Any]) -> bool:
    """Moderators may hide; so may teachers of the school whose pupils it was said to."""
    return may_moderate(actor, row["school_id"]) or (
        actor.is_teacher
        and row.get("receiving_school_id") is not None
        and actor.school_id == row["receiving_school_id"]
    )


async def _load(
    kind: ContentKind, content_id: int, cluster_id: int | None = None
) -> dict[str, Any]:
    """One item; with `cluster_id` (the moderator's, i.e. the request's), only of that
    cluster: another cluster's item is NotFound like a missing one (issue 15)."""
    if cluster_id is None:
        row = await item_query(kind, False).run(content_id)
    else:  # one item: its own school and author
        row = await item_query(kind, True).run(content_id, cluster_id)
    if row is None:
        raise NotFound()
    row.setdefault("team_name", "")
    row.setdefault("receiving_school_id", None)
    return row


async def _load_for_moderator(
    actor: CurrentUser, kind: ContentKind, content_id: int, *, hiding: bool = False
) -> dict[str, Any]:
    row = await _load(kind, content_id, actor.cluster_id)
    allowed = may_hide(actor, row) if hiding else may_moderate(actor, row["school_id"])
    if not allowed:
        raise NotFound()
    return row


async def _text_of(kind: ContentKind, row: dict[str, Any]) -> dict[str, str]:
    if not kind.editable:
        return _fields_of(kind, row, [], [])
    photos = await photos_for(kind.name, [row["id"]], published=False)
    tallies = await tallies_for([row["id"]], published=False) if kind is PROJECT else {}
    return _fields_of(kind, row, photos.get(row["id"], []), tallies.get(row["id"], []))


def _fields_of(
    kind: ContentKind, row: dict[str, Any], photos: list[dict[str, Any]], tallies: list[Any]
) -> dict[str, str]:
    """The texts the word filter reads: the item's, its working photos' descriptions and (a
    project's) its working tallies' words."""
    fields = {
        field: str(row[column._meta.name] or "") for field, column in kind.checked_text.items()
    }
    if kind.editable:
        fields["photo descriptions"] = " ".join(p["alt_text"] for p in photos)
    if kind is PROJECT:
        fields["impact tallies"] = " ".join(f"{t['unit']} {t['label']}" for t in tallies)
    return fields


async def content_for_worker(
    actor: CurrentUser, kind: ContentKind, content_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The item and its team, if `actor` may work for the team; else NotFound (a 404).
    Only the request's cluster's items (`actor.cluster_id`, issue 15)."""
    row = await _load(kind, content_id, actor.cluster_id)
    team = await team_for_worker(actor, row["team"])
    if team is None:
        raise NotFound()
    return row, team


async def after_edit(actor: CurrentUser, kind: ContentKind, content_id: int) -> None:
    """A pupil's edit goes back to draft (the public keeps the approved copy meanwhile);
    a teacher's own edit goes live at once."""
    if actor.is_staff:
        await submit_for_approval(actor, kind, content_id)
    else:
        await _update(kind, content_id, {kind.status: ContentStatus.draft})


def problems_on_page(
    kind: ContentKind,
    row: dict[str, Any],
    photos: list[dict[str, Any]],
    tallies: list[dict[str, Any]] | None = None,
) -> list[str]:
    """What the word filter asks the pupils to change before this can be sent, for an edit
    page that has read the item (`content_for_worker`'s row) and its working photos and
    tallies already: the same texts the submit checks (`_text_of`), not read twice."""
    return problems_in(_fields_of(kind, row, photos, tallies or []))


async def _publish(kind: ContentKind, row: dict[str, Any], release_held: bool) -> None:
    values = published_values(kind, row)
    values.update(
        {
            kind.status: ContentStatus.approved,
            kind.table.is_public: True,  # type: ignore[attr-defined]
            kind.table.feedback: "",
        }
    )  # type: ignore[attr-defined]
    await _update(kind, row["id"], values)
    if kind.editable:
        await publish_draft_photos(kind.name, row["id"], release_held)
    if kind is PROJECT:
        await publish_draft_tallies(row["id"])


async def _log(
    actor: CurrentUser,
    kind: ContentKind,
    row: dict[str, Any],
    action: str,
    reason: str = "",
    *,
    published_title: bool = False,
) -> None:
    """One moderation-log row about `row`, named by its working or its published title."""
    title = kind.published_title if published_title else kind.title
    await log_action(
        actor_id=actor.id,
        action=action,
        subject_type=kind.name,
        subject_id=row["id"],
        subject_label=row[title._meta.name],
        school_id=row["school_id"],
        reason=reason,
    )


async def _update(kind: ContentKind, content_id: int, values: dict[Any, Any]) -> None:
    await kind.table.update(values).where(kind.table._meta.primary_key == content_id)


async def submit_for_approval(actor: CurrentUser, kind: ContentKind, content_id: int) -> str:
    """A pupil sends the working copy to the teacher; a teacher's own work goes live at once.

    Returns the new status. The caller has checked that `actor` may work for the team."""
    row = await _load(kind, content_id)
    if actor.is_staff:
        async with write_transaction():
            # Held photos (a pupil without photo consent) are released only by the explicit
            # tick in the moderation queue, never as a side effect of a teacher's edit.
            await _publish(kind, row, release_held=False)
            await _log(actor, kind, row, "publish_own")
        return ContentStatus.approved
    if row["status"] == ContentStatus.pending:
        raise ModerationError("This is already waiting for your teacher.")
    if row["status"] == ContentStatus.approved:
        raise ModerationError("This is already live. Change something first, then send it again.")
    problems = problems_in(await _text_of(kind, row))
    if problems:
        raise TextProblems(problems)
    await _update(
        kind, content_id, {kind.status: ContentStatus.pending, kind.table.submitted_at: now()}
    )  # type: ignore[attr-defined]
    return ContentStatus.pending


def version_of(row: dict[str, Any]) -> str:
    """Which sending of an item the teacher is looking at (its submission time): approval
    must publish that version, not one the pupils sent again after the page was drawn."""
    stamp = row.get("submitted_at")
    if stamp is None:
        return ""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return str(int(stamp.timestamp() * 1_000_000))


async def _still_pending(kind: ContentKind, content_id: int, loaded: dict[str, Any]) -> None:
    """Inside the decision's write transaction: a decision taken meanwhile (the other button
    pressed at the same moment) wins, and this one is refused; so is a decision on words the
    author changed since `loaded` was read (sharing kinds are changed while they wait).
    SQLite: the write lock is held already; PostgreSQL: the row is locked until the
    transaction ends."""
    query = kind.table.select(kind.status, kind.table.submitted_at).where(  # type: ignore[attr-defined]
        kind.table.id == content_id
    )
    if isinstance(kind.table._meta.db, PostgresEngine):
        query = query.lock_rows()
    row = await query.first()
    if (
        row is None
        or row["status"] != ContentStatus.pending
        or version_of(row) != version_of(loaded)
    ):
        raise ModerationError("This was already dealt with, or changed since it was sent.")


async def _pending_as_seen(
    actor: CurrentUser, kind: ContentKind, content_id: int, seen_version: str
) -> dict[str, Any]:
    """The item, still waiting and as the moderator saw it (`seen_version`, when given): a
    decision is only ever on words the moderator read."""
    row = await _load_for_moderator(actor, kind, content_id)
    if row["status"] != ContentStatus.pending:
        raise ModerationError("This was already dealt with, or changed since it was sent.")
    if seen_version and seen_version != version_of(row):
        raise ModerationError(
            "The pupils changed this and sent it again after you opened the page: "
            "please look at the new version."
        )
    return row


async def approve(
    actor: CurrentUser,
    kind: ContentKind,
    content_id: int,
    *,
    release_held: bool = False,
    seen_version: str = "",
) -> dict[str, Any]:
    row = await _pending_as_seen(actor, kind, content_id, seen_version)
    async with write_transaction():
        await _still_pending(kind, content_id, row)
        await _publish(kind, row, release_held)
        await _log(actor, kind, row, "approve", "held photos released" if release_held else "")
        await after_decision(kind.name, row, "approve")
    return await _load(kind, content_id)


async def reject(
    actor: CurrentUser,
    kind: ContentKind,
    content_id: int,
    feedback: str,
    *,
    seen_version: str = "",
) -> dict[str, Any]:
    feedback = feedback.strip()
    if not feedback:
        raise ModerationError("Write a sentence of feedback so the pupils know what to change.")
    row = await _pending_as_seen(actor, kind, content_id, seen_version)
    async with write_transaction():
        await _still_pending(kind, content_id, row)
        await _update(
            kind,
            content_id,
            {kind.status: ContentStatus.rejected, kind.table.feedback: feedback[:2000]},  # type: ignore[attr-defined]
        )
        await _log(actor, kind, row, "reject", feedback)
        await after_decision(kind.name, {**row, "feedback": feedback}, "reject")
    return await _load(kind, content_id)


async def hide(
    actor: CurrentUser, kind: ContentKind, content_id: int, reason: str
) -> dict[str, Any]:
    """Take published content off the public site at once (or keep hidden what flags hid)."""
    row = await _load_for_moderator(actor, kind, content_id, hiding=True)
    keep_hidden = (
        not row["is_public"]
        and row["status"] == ContentStatus.hidden
        and await open_flags_for(kind.name, content_id) > 0
    )
    if not row["is_public"] and not keep_hidden:
        raise ModerationError("This is not on the public site.")
    async with write_transaction():
        if not keep_hidden:
            await _update(
                kind,
                content_id,
                {
                    kind.table.is_public: False,  # type: ignore[attr-defined]
                    kind.status: ContentStatus.hidden,
                    kind.table.feedback: reason.strip()[:2000],  # type: ignore[attr-defined]
                },
            )
        action = "keep_hidden" if keep_hidden else "hide"
        await _log(actor, kind, row, action, reason.strip(), published_title=True)
        await close_flags(kind.name, content_id, "hidden")
    return await _load(kind, content_id)


async def restore(actor: CurrentUser, kind: ContentKind, content_id: int) -> dict[str, Any]:
    """Put hidden content back as it was last approved."""
    row = await _load_for_moderator(actor, kind, content_id)
    if row["status"] != ContentStatus.hidden or not row[kind.published_title._meta.name]:
        raise ModerationError("Only hidden content can be restored.")
    async with write_transaction():
        await _update(
            kind,
            content_id,
            {
                kind.table.is_public: True,  # type: ignore[attr-defined]
                kind.status: ContentStatus.approved,
                kind.table.feedback: "",  # type: ignore[attr-defined]
            },
        )
        await _log(actor, kind, row, "restore", published_title=True)
        await close_flags(kind.name, content_id, "kept")
    return await _load(kind, content_id)


async def send_new(actor: CurrentUser, kind: ContentKind, values: dict[Any, Any]) -> int:
    """Store new pupil-written sharing content (an idea, comment or pitch feedback) for a
    teacher of the author's school; staff's own goes live at once. The word filter reads a
    pupil's text first (TextProblems). `values` are the kind's own columns."""
    if kind.editable:
        raise ValueError(f"{kind.name} content is submitted from its team's workspace")
    table = kind.table
    text = {field: str(values.get(column, "") or "") for field, column in kind.checked_text.items()}
    if actor.is_pupil:
        problems = problems_in(text)
        if problems:
            raise TextProblems(problems)
    live = actor.is_staff
    stamp = now()
    if live:
        values = {**values, **published_values(kind, {c._meta.name: v for c, v in values.items()})}
    row = table(
        **{column._meta.name: value for column, value in values.items()},
        **{
            kind.author._meta.name: actor.id,
            kind.school._meta.name: actor.school_id,
            "status": ContentStatus.approved if live else ContentStatus.pending,
            "is_public": live,
            "created_at": stamp,
            "submitted_at": stamp,
        },
    )
    async with write_transaction():
        [inserted] = await table.insert(row).returning(table._meta.primary_key)
        content_id = inserted["id"]
        if live:
            await log_action(
                actor_id=actor.id,
                action="publish_own",
                subject_type=kind.name,
                subject_id=content_id,
                subject_label=next(iter(text.values()), ""),
                school_id=actor.school_id,
            )
    return content_id
