"""The moderation log: every moderation action and account change, append-only."""

from __future__ import annotations

from piccolo.query.functions.aggregate import Sum

from clustermarket.moderation.tables import ModerationLog, ModerationLogCount
from clustermarket.timeutil import now
from clustermarket.web.pagination import Page, paginate


async def log_action(
    *,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int,
    subject_label: str = "",
    school_id: int | None,
    reason: str = "",
) -> None:
    await ModerationLog.insert(
        ModerationLog(
            actor=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            subject_label=subject_label[:200],
            school=school_id,
            reason=reason,
            created_at=now(),
        )
    )


async def log_entries(*, school_id: int | None, number: int = 1) -> Page:
    """A page of the log, newest first, with the true total (from the counts the triggers
    keep). `school_id=None` means every school (admins)."""
    query = ModerationLog.select(
        ModerationLog.all_columns(),
        ModerationLog.actor.username.as_alias("actor_username"),
        ModerationLog.school.name.as_alias("school_name"),
    ).order_by(ModerationLog.id, ascending=False)
    total = ModerationLogCount.select(Sum(ModerationLogCount.entries).as_alias("entries"))
    if school_id is not None:
        query = query.where(ModerationLog.school == school_id)
        total = total.where(ModerationLogCount.school_key == school_id)
    entries = (await total.first() or {}).get("entries") or 0
    return await paginate(query, entries, number, size=50, path="/moderation/log")
