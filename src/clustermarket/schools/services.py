"""Schools of the cluster and what the public may see of them.

Every read is limited to ONE cluster (issue 15): the request's (`current_cluster(request).id`,
passed in by the handler as `cluster_id`), never a form field. A school of another cluster
answers like one that does not exist. (`cluster_id=None` is kept for callers of other areas
not yet limited; it means every school.)"""

from __future__ import annotations

from typing import Any

from clustermarket.frozen import Prepared
from clustermarket.schools.tables import School

_COLUMNS = (School.id, School.name, School.slug, School.phase)
# A cluster's schools, built once (`frozen.Prepared`): lists and forms offer them on each view.
_SCHOOLS_OF_CLUSTER = Prepared(
    lambda cluster_id: (
        School.select(*_COLUMNS).where(School.cluster == cluster_id).order_by(School.name)
    )
)


async def all_schools(cluster_id: int | None = None) -> list[dict[str, Any]]:
    if cluster_id is not None:
        return await _SCHOOLS_OF_CLUSTER.run(cluster_id)
    return await School.select(*_COLUMNS).order_by(School.name)


# Built once: a school's page and the lists filtered by school read it on every view.
_SCHOOL_BY_SLUG = Prepared(
    lambda slug, cluster_id: (
        School.select(*_COLUMNS)
        .where((School.slug == slug) & (School.cluster == cluster_id))
        .first()
    )
)


async def school_by_slug(slug: str, cluster_id: int | None = None) -> dict[str, Any] | None:
    if cluster_id is not None:
        return await _SCHOOL_BY_SLUG.run(slug, cluster_id)
    return await School.select(*_COLUMNS).where(School.slug == slug).first()


async def school_ids_in_cluster(school_ids: list[int], cluster_id: int) -> list[int]:
    """Of the ids asked (e.g. ticked on a form), those of schools of this cluster."""
    if not school_ids:
        return []
    rows = await School.select(School.id).where(
        School.id.is_in(school_ids) & (School.cluster == cluster_id)
    )
    return [r["id"] for r in rows]
