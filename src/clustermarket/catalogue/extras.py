"""What a product page shows from domains the catalogue must not import (pre-orders): they
register a small async function here, and the product page merges what each returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

ProductExtra = Callable[[int], Awaitable[dict[str, Any]]]
_extras: list[ProductExtra] = []


def add_product_extra(extra: ProductExtra) -> ProductExtra:
    if extra not in _extras:
        _extras.append(extra)
    return extra


async def product_extras(product_id: int) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for extra in _extras:
        context.update(await extra(product_id))
    return context
