"""The moderation log: every moderation action and account change, append-only."""

from __future__ import annotations

from typing import Any

from clustermarket.moderation.tables import ModerationLog
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


# The count of a cluster's entries of no school (an adult's item, an account change: the
# cluster's by their actor). They are few, so counted as they are, from the index of no
# school; the actors as a list, not a join: joined, SQLite started from the cluster's
# accounts and read every entry they ever logged (20,000 on the bench's scale set).
_NO_SCHOOL = (
    "SELECT COUNT(*) FROM moderation_log"
    " WHERE school IS NULL AND actor IN (SELECT id FROM app_user WHERE cluster = {})"
)
# The log's true total: the counts the triggers keep per school (`ModerationLogCount`), for
# an admin those of the cluster's schools and its entries of no school; one statement.
_TOTAL_OF_SCHOOL = (
    "SELECT COALESCE(SUM(entries), 0) AS entries FROM moderation_log_count WHERE school_key = {}"
)
_TOTAL_OF_CLUSTER = (
    "SELECT (SELECT COALESCE(SUM(entries), 0) FROM moderation_log_count"
    f" WHERE school_key IN (SELECT id FROM school WHERE cluster = {{}})) + ({_NO_SCHOOL})"
    " AS entries"
)


def entries_of_no_school(cluster_id: int) -> Any:
    """The query of the cluster's entries of no school (its row's `entries`), as the admin's
    total counts them."""
    return ModerationLog.raw(_NO_SCHOOL.replace("COUNT(*)", "COUNT(*) AS entries"), cluster_id)


# A page of entries, newest first, with the actor's username and the school's name: written
# out as Piccolo wrote it (the same joins and filter, so the same plans at scale), because
# Piccolo built that joined select anew on every view, copying its aliased columns: about
# half of the admin's log page's CPU.
_PAGE = (
    "SELECT l.id, l.actor, l.action, l.subject_type, l.subject_id, l.subject_label, l.school,"
    " l.reason, l.created_at, a.username AS actor_username, s.name AS school_name"
    " FROM moderation_log l LEFT JOIN app_user a ON a.id = l.actor"
    " LEFT JOIN school s ON s.id = l.school WHERE {where} ORDER BY l.id DESC LIMIT {{}} OFFSET {{}}"
)
_PAGE_OF_SCHOOL = _PAGE.format(where="l.school = {}")
_PAGE_OF_CLUSTER = _PAGE.format(where="s.cluster = {} OR (l.school IS NULL AND a.cluster = {})")
PAGE_SIZE = 50


async def log_entries(*, school_id: int | None, cluster_id: int, number: int = 1) -> Page:
    """A page of the log, newest first, with the true total (from the counts the triggers
    keep). `school_id=None` means every school of the cluster `cluster_id` (the request's;
    admins): an entry is the cluster's by its school or, with none (an adult's item, an
    account change), by its actor's account."""
    if school_id is not None:
        total, sql, scope = _TOTAL_OF_SCHOOL, _PAGE_OF_SCHOOL, [school_id]
    else:
        total, sql, scope = _TOTAL_OF_CLUSTER, _PAGE_OF_CLUSTER, [cluster_id, cluster_id]
    entries = int((await ModerationLog.raw(total, *scope))[0]["entries"])

    async def rows(size: int, offset: int) -> list[dict[str, Any]]:
        return await ModerationLog.raw(sql, *scope, size, offset)

    return await paginate(rows, entries, number, size=PAGE_SIZE, path="/moderation/log")
