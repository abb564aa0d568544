"""Products. Only approved products are ever shown to the public (issue 3 adds the rest)."""

from __future__ import annotations

from typing import Any

from clustermarket.catalogue.tables import Product


async def newest_public_products(limit: int = 6) -> list[dict[str, Any]]:
    return await Product.select(
        Product.id,
        Product.published_name.as_alias("name"),
        Product.published_description.as_alias("description"),
        Product.published_price_pence.as_alias("price_pence"),
        Product.team.name.as_alias("team_name"),
        Product.team.slug.as_alias("team_slug"),
        Product.team.school.name.as_alias("school_name"),
    ).where(
        (Product.is_public == True) & (Product.active == True)  # noqa: E712
    ).order_by(Product.id, ascending=False).limit(limit)
