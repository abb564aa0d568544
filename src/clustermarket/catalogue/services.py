"""Products: the team's working copy, and the approved copy the public sees.

Public queries filter with PRODUCT.public_where() (moderation/content.py), nowhere else, and
with the request's cluster (`cluster_id`, from `current_cluster(request).id`, issue 15): a
product of another cluster never shows and its page is 404 like one that does not exist. The
team's own pages reach products through `team_for_worker`, which keeps to the user's cluster."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.frozen import Prepared
from clustermarket.media.services import photos_for
from clustermarket.moderation.content import PRODUCT
from clustermarket.money import MoneyError, parse_pounds
from clustermarket.teams.services import in_cluster
from clustermarket.teams.tables import TeamKind
from clustermarket.textsearch import text_matches
from clustermarket.timeutil import now
from clustermarket.web.pagination import Page, paginate


@dataclass
class ProductInput:
    name: str = ""
    description: str = ""
    price: str = ""
    unit_cost: str = ""
    active: str = ""  # a checkbox: "on" when ticked


@dataclass
class CheckedProduct:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def check_product(data: ProductInput) -> CheckedProduct:
    checked = CheckedProduct()
    name = data.name.strip()
    if not 2 <= len(name) <= 120:
        checked.errors["name"] = "Give the product a name of 2 to 120 characters."
    description = data.description.strip()
    if len(description) > 2000:
        checked.errors["description"] = "Keep the description under 2,000 characters."
    try:
        price = parse_pounds(data.price, allow_zero=False)
    except MoneyError as error:
        checked.errors["price"] = str(error)
        price = 0
    try:
        cost = parse_pounds(data.unit_cost) if data.unit_cost.strip() else 0
    except MoneyError as error:
        checked.errors["unit_cost"] = str(error)
        cost = 0
    checked.values = {
        "name": name,
        "description": description,
        "price_pence": price,
        "unit_cost_pence": cost,
        "active": data.active == "on",
    }
    return checked


async def create_product(actor: CurrentUser, team: dict[str, Any], values: dict[str, Any]) -> int:
    if team["kind"] != TeamKind.enterprise:
        raise NotFound()  # eco groups have projects, not products
    stamp = now()
    rows = await Product.insert(
        Product(team=team["id"], created_by=actor.id, created_at=stamp, updated_at=stamp, **values)
    ).returning(Product.id)
    return rows[0]["id"]


async def update_product(product_id: int, values: dict[str, Any]) -> None:
    await Product.update({**values, "updated_at": now()}).where(Product.id == product_id)  # type: ignore[arg-type]


# Built once (`frozen.Prepared`): the team's workspace lists them on every view.
_TEAM_PRODUCTS = Prepared(
    lambda team_id: (
        Product.select(
            Product.id,
            Product.name,
            Product.price_pence,
            Product.active,
            Product.status,
            Product.feedback,
        )
        .where(Product.team == team_id)
        .order_by(Product.id)
    )
)


async def team_products(team_id: int) -> list[dict[str, Any]]:
    """The team's products as its workspace lists them: name, price, state and the teacher's
    feedback (a product's text and photos are on its own edit page)."""
    return await _TEAM_PRODUCTS.run(team_id)


# ----------------------------------------------------------------------------- public


def _public_columns() -> tuple[Any, ...]:
    return (
        Product.id,
        Product.published_name.as_alias("name"),
        Product.published_description.as_alias("description"),
        Product.published_price_pence.as_alias("price_pence"),
        Product.team.name.as_alias("team_name"),
        Product.team.slug.as_alias("team_slug"),
        Product.team.school.name.as_alias("school_name"),
        Product.team.school.slug.as_alias("school_slug"),
    )


async def _with_thumbs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    photos = await photos_for("product", [r["id"] for r in rows], published=True)
    for row in rows:
        row["photo"] = (photos.get(row["id"]) or [None])[0]
    return rows


def _public_where(cluster_id: int, text: str, school_id: int | None, team_id: int | None):
    where = PRODUCT.public_where() & in_cluster(Product.team, cluster_id)
    if text.strip():
        where &= text_matches(Product.published_name, text) | text_matches(
            Product.published_description, text
        )
    if school_id is not None:
        where &= Product.team.school == school_id
    if team_id is not None:
        where &= Product.team == team_id
    return where


async def public_products(
    *,
    cluster_id: int,
    text: str = "",
    school_id: int | None = None,
    team_id: int | None = None,
    limit: int = 60,
) -> list[dict[str, Any]]:
    """Approved, active products, newest first; two queries however many rows."""
    if not text.strip():  # the home page's, a school's, a team's: built once for each shape
        listed = _public_list(school_id is not None, team_id is not None, limit)
        return await _with_thumbs(await listed.run(cluster_id, school_id, team_id))
    rows = (
        await Product.select(*_public_columns())
        .where(_public_where(cluster_id, text, school_id, team_id))
        .order_by(Product.id, ascending=False)
        .limit(limit)
    )
    return await _with_thumbs(rows)


# The lists without words searched for, by which filters they have and their length
# (`frozen.Prepared`: building the joined select cost a signed-in page about 0.5 ms), one
# for each shape and page (`functools.cache`).
@cache
def _public_count(by_school: bool) -> Prepared:
    return Prepared(
        lambda cluster_id, school_id, _team_id: Product.count().where(
            _public_where(cluster_id, "", school_id if by_school else None, None)
        )
    )


@cache
def _public_list(by_school: bool, by_team: bool, limit: int, offset: int = 0) -> Prepared:
    return Prepared(
        lambda cluster_id, school_id, team_id: (
            Product.select(*_public_columns())
            .where(
                _public_where(
                    cluster_id,
                    "",
                    school_id if by_school else None,
                    team_id if by_team else None,
                )
            )
            .order_by(Product.id, ascending=False)
            .limit(limit)
            .offset(offset)
        )
    )


async def public_product_page(
    number: int,
    *,
    cluster_id: int,
    text: str = "",
    school_id: int | None = None,
    path: str,
    params: dict,
) -> Page:
    """One page of the public catalogue with the true total; three queries."""
    if not text.strip():  # without search words: built once for each shape and page
        by_school, values = school_id is not None, (cluster_id, school_id, None)
        page = await paginate(
            lambda size, offset: _public_list(by_school, False, size, offset).run(*values),
            await _public_count(by_school).run(*values),
            number,
            path=path,
            params=params,
        )
        await _with_thumbs(page.items)
        return page
    where = _public_where(cluster_id, text, school_id, None)
    page = await paginate(
        Product.select(*_public_columns()).where(where).order_by(Product.id, ascending=False),
        await Product.count().where(where),
        number,
        path=path,
        params=params,
    )
    await _with_thumbs(page.items)
    return page


async def public_product(product_id: int, cluster_id: int) -> dict[str, Any]:
    row = await _PUBLIC_PRODUCT.run(product_id, cluster_id)
    if row is None:
        raise NotFound()
    row["photos"] = (await photos_for("product", [product_id], published=True)).get(product_id, [])
    return row


_PUBLIC_PRODUCT = Prepared(
    lambda product_id, cluster_id: (
        Product.select(*_public_columns())
        .where(
            (Product.id == product_id)
            & PRODUCT.public_where()
            & in_cluster(Product.team, cluster_id)
        )
        .first()
    )
)


__all__ = ["ContentStatus", "check_product", "public_products", "team_products"]
