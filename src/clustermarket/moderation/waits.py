"""How long items wait for a teacher, per school: the teacher-load figure the admin watches.

Counts what is waiting now (sent, not yet decided): how many, the median wait and the longest.
One query, however many items wait."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from clustermarket.catalogue.tables import ContentStatus
from clustermarket.frozen import freeze_with_values
from clustermarket.moderation.content import KINDS, PROJECT
from clustermarket.timeutil import now

# Per cluster: one statement (each kind's pending items, their school and sending time,
# added together with UNION ALL; the same three columns of the same types in every branch),
# its SQL kept with its values written in (`frozen.py`), built on first use: Piccolo built
# the six selects, their joins and the cluster's sub-queries anew on every view of the
# admin's queue (issue 17).
_WAITING: dict[int, Any] = {}


def _waiting_query(cluster_id: int) -> Any:
    selects = [
        kind.table.select(
            kind.school.as_alias("school_id"),
            kind.school.name.as_alias("school_name"),
            kind.table.submitted_at,  # type: ignore[attr-defined]
        )
        .where((kind.status == ContentStatus.pending) & kind.row_in_cluster(cluster_id))
        .querystrings[0]
        for kind in KINDS.values()
    ]
    sql = " UNION ALL ".join(["{}"] * len(selects))
    return freeze_with_values(PROJECT.table.raw(sql, *selects))


async def waits_by_school(cluster_id: int) -> list[dict[str, Any]]:
    """One row per school of the cluster `cluster_id` (the request's) with waiting items,
    longest wait first."""
    if cluster_id not in _WAITING:
        _WAITING[cluster_id] = _waiting_query(cluster_id)
    rows = await _WAITING[cluster_id].run()
    at = now()
    waits: dict[int, dict[str, Any]] = {}
    for row in rows:
        sent = row["submitted_at"]
        if sent is None:
            continue
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=dt.UTC)
        name = row["school_name"] or "No school (adults' forum posts)"
        school = waits.setdefault(row["school_id"], {"school_name": name, "waits": []})
        school["waits"].append(max(at - sent, dt.timedelta(0)))
    result = [
        {
            "school_id": school_id,
            "school_name": school["school_name"],
            "waiting": len(school["waits"]),
            "median": statistics.median(school["waits"]),
            "longest": max(school["waits"]),
        }
        for school_id, school in waits.items()
    ]
    for row in result:
        row["median_text"], row["longest_text"] = (
            wait_text(row["median"]),
            wait_text(row["longest"]),
        )
    return sorted(result, key=lambda r: r["longest"], reverse=True)


def wait_text(wait: dt.timedelta) -> str:
    """ "2 days 3 h", "5 h 12 min", "12 min" — rounded down to the minute."""
    minutes = int(wait.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"
