"""The public lists a visitor can filter by school (products, projects): their public part,
kept between signed-in views (`web/public_data.py`; issue 17, target 3)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request

from clustermarket.schools.services import all_schools
from clustermarket.web.clusters import current_cluster
from clustermarket.web.pagination import Page
from clustermarket.web.public_data import kept


async def filtered_by_school(
    request: Request,
    key: tuple[Any, ...],
    school: str,
    searched: bool,
    read: Callable[[int, int | None], Awaitable[Page]],
) -> dict[str, Any]:
    """The page `read(cluster_id, school_id)` gives and the cluster's schools (the filter),
    `school` a slug chosen among them. `key` names the list and its filters; a text search
    is read each time (its words would crowd the kept pages out)."""
    cluster_id = current_cluster(request).id

    async def shown() -> dict[str, Any]:
        schools = await all_schools(cluster_id)  # the school chosen is one of them: no lookup
        school_id = next((s["id"] for s in schools if school and s["slug"] == school), None)
        return {"page": await read(cluster_id, school_id), "schools": schools}

    if searched:
        return await shown()
    return await kept(request, (*key, cluster_id, school), shown)


async def kept_schools(request: Request, cluster_id: int | None) -> list[dict[str, Any]]:
    """The cluster's schools by name (a page's school filter), kept as public data is: the
    home page lists them to everyone. None for an actor of no cluster."""
    if cluster_id is None:
        return []
    return await kept(request, ("schools", cluster_id), lambda: all_schools(cluster_id))
