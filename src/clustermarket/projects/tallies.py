"""Impact tallies of eco projects: draft set, published set, and cluster totals."""

from __future__ import annotations

from typing import Any

from clustermarket.frozen import Prepared, raw
from clustermarket.moderation.content import PROJECT
from clustermarket.projects.tables import ImpactTally, Project
from clustermarket.rows import group_rows

MAX_TALLY = 10_000_000


async def publish_draft_tallies(project_id: int) -> None:
    where = ImpactTally.project == project_id
    await ImpactTally.update({ImpactTally.published: False}).where(where)
    await ImpactTally.update({ImpactTally.published: True}).where(
        where & (ImpactTally.in_draft == True)
    )
    await ImpactTally.delete().where(
        where & (ImpactTally.in_draft == False) & (ImpactTally.published == False)
    )


async def tallies_for(
    project_ids: list[int], *, published: bool
) -> dict[int, list[dict[str, Any]]]:
    if not project_ids:
        return {}
    # Written as SQL (the same on both engines), like `media.services.photos_for` (issue 17).
    flag = "published" if published else "in_draft"
    sql = (
        f"SELECT id, project, quantity, unit, label FROM impact_tally WHERE {flag} = {{}}"
        " AND project IN (" + ", ".join(["{}"] * len(project_ids)) + ") ORDER BY id"
    )
    rows = await raw(ImpactTally, sql, True, *project_ids)
    return group_rows(rows, "project")


async def impact_totals(cluster_id: int, school_id: int | None = None) -> list[dict[str, Any]]:
    """Published tallies of public projects of ONE cluster (the request's, issue 15) added up
    by unit and label (case-insensitive)."""
    if school_id is None:
        rows = await _CLUSTER_TALLIES.run(cluster_id)
    else:
        rows = await _SCHOOL_TALLIES.run(cluster_id, school_id)
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["unit"].strip().lower(), row["label"].strip().lower())
        entry = totals.setdefault(key, {"unit": key[0], "label": key[1], "quantity": 0})
        entry["quantity"] += row["quantity"]
    return sorted(totals.values(), key=lambda t: -t["quantity"])


def _published_tallies(cluster_id: Any, school_id: Any = None) -> Any:
    where = (
        (ImpactTally.published == True)
        & PROJECT.public_where(ImpactTally.project)
        & (ImpactTally.project.team.school.cluster == cluster_id)
    )
    if school_id is not None:
        where &= ImpactTally.project.team.school == school_id
    return ImpactTally.select(ImpactTally.quantity, ImpactTally.unit, ImpactTally.label).where(
        where
    )


# Built once (`frozen.Prepared`): the home page and a school's page add them up on every view.
_CLUSTER_TALLIES = Prepared(_published_tallies)
_SCHOOL_TALLIES = Prepared(_published_tallies)


__all__ = ["ImpactTally", "Project", "impact_totals", "publish_draft_tallies", "tallies_for"]
