"""What a team's market page reads before its accounts (`finances.team_accounts`): the team,
if the user may work for it, with the cluster's market days and the team's stalls on them,
in one statement (issue 17, target 3: they were two on every view)."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.frozen import raw
from clustermarket.market.services import team_for_worker_here
from clustermarket.market.tables import Stall
from clustermarket.teams.services import TEAM_OF_CLUSTER_SQL, worker_team

# The team (`teams.services`: the one rule for "may act for this team") on each of the
# cluster's market days (id and date), newest first, with the team's stall on it if any (a
# team of the cluster, a stall on a day of its cluster). No row: no such team here.
_TEAM_DAYS_AND_STALLS = (
    "SELECT w.id AS team_id, w.name AS team_name, w.slug AS team_slug, w.kind AS team_kind,"
    " w.school AS team_school, w.school_name AS team_school_name, w.is_member,"
    " x.day_id, x.day_date, x.day_location, x.day_status, x.stall_id, x.pitch,"
    " x.opened_at, x.closed_at"
    f" FROM ({TEAM_OF_CLUSTER_SQL}) AS w LEFT JOIN"
    " (SELECT d.id AS day_id, d.date AS day_date, d.location AS day_location,"
    " d.status AS day_status, s.id AS stall_id, s.pitch, s.opened_at, s.closed_at"
    " FROM market_day d LEFT JOIN stall s ON s.market_day = d.id AND s.team = {}"
    " WHERE d.cluster = {}) AS x ON 1 = 1 ORDER BY x.day_date DESC, x.day_id"
)
_TEAM = ("id", "name", "slug", "kind", "school", "school_name")
_STALL = ("day_id", "day_date", "day_location", "day_status", "pitch", "opened_at", "closed_at")


async def team_days_and_stalls(
    user: CurrentUser, team_id: int
) -> tuple[dict[str, Any] | None, list[dict], list[dict]]:
    """The team if `user` may work for it (`team_for_worker_here`), else None; the cluster's
    market days (id and date), newest first; and the team's stalls on them."""
    if user.cluster_id is None:  # the nightly job's stand-in: no market days to list
        return await team_for_worker_here(user, team_id), [], []
    rows = await raw(
        Stall, _TEAM_DAYS_AND_STALLS, user.id, team_id, user.cluster_id, team_id, user.cluster_id
    )
    if not rows:
        return None, [], []
    first = rows[0]
    team = {name: first[f"team_{name}"] for name in _TEAM}
    team = worker_team(user, {**team, "is_member": first["is_member"]})
    if team is None:
        return None, [], []
    days: list[dict[str, Any]] = []
    stalls = []
    for row in rows:
        if row["day_id"] is None:  # a cluster with no market day yet
            continue
        if not days or days[-1]["id"] != row["day_id"]:
            days.append({"id": row["day_id"], "date": row["day_date"]})
        if row["stall_id"] is not None:
            stalls.append({"id": row["stall_id"], **{name: row[name] for name in _STALL}})
    return team, days, stalls
