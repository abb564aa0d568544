"""Schools of the cluster and what the public may see of them."""

from __future__ import annotations

from typing import Any

from clustermarket.schools.tables import School


async def all_schools() -> list[dict[str, Any]]:
    return await School.select(School.id, School.name, School.slug, School.phase).order_by(
        School.name
    )


async def school_by_slug(slug: str) -> dict[str, Any] | None:
    return (
        await School.select(School.id, School.name, School.slug, School.phase)
        .where(School.slug == slug)
        .first()
    )
