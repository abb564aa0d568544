"""Products: the team's edit pages, and the public list and product page."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from clustermarket.accounts.services import NotFound
from clustermarket.catalogue import services
from clustermarket.catalogue.extras import product_extras
from clustermarket.catalogue.services import ProductInput
from clustermarket.media.controllers import photo_form
from clustermarket.media.services import photos_for
from clustermarket.moderation.content import PRODUCT
from clustermarket.moderation.services import (
    after_edit,
    content_for_worker,
    problems_on_page,
)
from clustermarket.schools.lists import filtered_by_school
from clustermarket.teams.services import team_for_worker
from clustermarket.web.auth import requires_signed_in
from clustermarket.web.clusters import current_cluster
from clustermarket.web.forms import Form
from clustermarket.web.htmx import page_or_fragment
from clustermarket.web.page_cache import PUBLIC_PAGE
from clustermarket.web.pagination import Page, page_number
from clustermarket.web.public_data import kept
from clustermarket.web.routes import get, post


def _product_input(row: dict) -> ProductInput:
    return ProductInput(
        name=row["name"],
        description=row["description"],
        price=f"{row['price_pence'] / 100:.2f}",
        unit_cost=f"{row['unit_cost_pence'] / 100:.2f}",
        active="on" if row["active"] else "",
    )


@get("/teams/{team_id:int}/products/new", guards=[requires_signed_in])
async def new_product_form(request: Request, team_id: FromPath[int]) -> Template:
    team = await team_for_worker(request.user, team_id)
    if team is None or team["kind"] != "enterprise":
        raise NotFound()
    return Template(
        "catalogue/edit.html",
        context={
            "team": team,
            "form": ProductInput(active="on"),
            "errors": {},
            "product": None,
        },
    )


@post("/teams/{team_id:int}/products/new", guards=[requires_signed_in])
async def create_product(
    request: Request, team_id: FromPath[int], data: Annotated[ProductInput, Form]
) -> Template | Redirect:
    team = await team_for_worker(request.user, team_id)
    if team is None or team["kind"] != "enterprise":
        raise NotFound()
    checked = services.check_product(data)
    if checked.errors:
        return Template(
            "catalogue/edit.html",
            status_code=400,
            context={
                "team": team,
                "form": data,
                "errors": checked.errors,
                "product": None,
            },
        )
    product_id = await services.create_product(request.user, team, checked.values)
    await after_edit(request.user, PRODUCT, product_id)
    flash(request, "Saved. Add a photo, then send it to your teacher when it is ready.", "success")
    return Redirect(path=f"/products/{product_id}/edit")


async def _edit_page(
    request: Request,
    product_id: int,
    form: ProductInput | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Template:
    product, team = await content_for_worker(request.user, PRODUCT, product_id)
    photos = (await photos_for("product", [product_id], published=False)).get(product_id, [])
    return Template(
        "catalogue/edit.html",
        status_code=status_code,
        context={
            "team": team,
            "product": product,
            "form": form or _product_input(product),
            "errors": errors or {},
            "photos": photos,
            "word_problems": problems_on_page(PRODUCT, product, photos),
            "kind": "product",
            "photo_form": photo_form(request, "product", product_id),
        },
    )


@get("/products/{product_id:int}/edit", guards=[requires_signed_in])
async def edit_product_form(request: Request, product_id: FromPath[int]) -> Template:
    return await _edit_page(request, product_id)


@post("/products/{product_id:int}/edit", guards=[requires_signed_in])
async def update_product(
    request: Request, product_id: FromPath[int], data: Annotated[ProductInput, Form]
) -> Template | Redirect:
    await content_for_worker(request.user, PRODUCT, product_id)
    checked = services.check_product(data)
    if checked.errors:
        return await _edit_page(request, product_id, data, checked.errors, status_code=400)
    await services.update_product(product_id, checked.values)
    await after_edit(request.user, PRODUCT, product_id)
    flash(request, "Saved.", "success")
    return Redirect(path=f"/products/{product_id}/edit")


@get("/products", opt=PUBLIC_PAGE)
async def product_list(
    request: HTMXRequest,
    q: FromQuery[str] = "",
    school: FromQuery[str] = "",
    page: FromQuery[str] = "",
) -> Template:
    """The public catalogue; htmx asks for the results fragment only, plain GETs get the page.
    Signed in, an unsearched page is kept between views (`web/public_data.py`)."""

    async def read(cluster_id: int, school_id: int | None) -> Page:
        return await services.public_product_page(
            page_number(page),
            cluster_id=cluster_id,
            text=q,
            school_id=school_id,
            path="/products",
            params={"q": q, "school": school},
        )

    public = await filtered_by_school(
        request, ("products", page_number(page)), school, bool(q), read
    )
    context = {**public, "q": q, "school": school}
    return page_or_fragment(request, "catalogue/list.html", "catalogue/_results.html", context)


@get("/products/{product_id:int}", opt=PUBLIC_PAGE)
async def product_page(request: Request, product_id: FromPath[int]) -> Template:
    cluster_id = current_cluster(request).id

    async def shown() -> dict[str, Any]:
        product = await services.public_product(product_id, cluster_id)
        return {"product": product, **await product_extras(product_id)}

    context = await kept(request, ("product", cluster_id, product_id), shown)
    return Template("catalogue/show.html", context=dict(context))


ROUTES = [
    new_product_form,
    create_product,
    edit_product_form,
    update_product,
    product_list,
    product_page,
]
