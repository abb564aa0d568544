"""The kinds of moderated content, and the one rule for what the public may see.

Each kind has a working copy (what the team edits) and a published copy (what the public
sees). Every public query filters with `public_where()` of its kind, nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Combinable
from piccolo.table import Table

from clustermarket.catalogue.tables import Product
from clustermarket.projects.tables import Project


@dataclass(frozen=True)
class ContentKind:
    name: str
    table: type[Table]
    title: Column
    published_title: Column
    # working column → published column; approval copies each across
    published_columns: dict[Column, Column]
    # the pupil-written text the word filter reads, with the field's name for messages
    checked_text: dict[str, Column]
    public_where: Callable[[], Combinable]
    url: Callable[[int], str]

    @property
    def team(self) -> Column:
        return self.table.team  # type: ignore[attr-defined]

    @property
    def status(self) -> Column:
        return self.table.status  # type: ignore[attr-defined]


PRODUCT = ContentKind(
    name="product",
    table=Product,
    title=Product.name,
    published_title=Product.published_name,
    published_columns={
        Product.name: Product.published_name,
        Product.description: Product.published_description,
        Product.price_pence: Product.published_price_pence,
    },
    checked_text={"name": Product.name, "description": Product.description},
    public_where=lambda: (Product.is_public == True) & (Product.active == True),
    url=lambda pk: f"/products/{pk}",
)

PROJECT = ContentKind(
    name="project",
    table=Project,
    title=Project.title,
    published_title=Project.published_title,
    published_columns={
        Project.title: Project.published_title,
        Project.summary: Project.published_summary,
        Project.body: Project.published_body,
    },
    checked_text={"title": Project.title, "summary": Project.summary, "story": Project.body},
    public_where=lambda: Project.is_public == True,
    url=lambda pk: f"/projects/{pk}",
)

KINDS: dict[str, ContentKind] = {k.name: k for k in (PRODUCT, PROJECT)}


def kind_named(name: str) -> ContentKind:
    from clustermarket.accounts.services import NotFound

    try:
        return KINDS[name]
    except KeyError:
        raise NotFound() from None


def published_values(kind: ContentKind, row: dict[str, Any]) -> dict[Column, Any]:
    """The update that makes the published copy equal the working copy `row`."""
    return {
        published: row[working._meta.name] for working, published in kind.published_columns.items()
    }
