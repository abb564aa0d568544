"""/platform/clusters: the platform admin makes clusters, their schools and first admins.

Only a platform admin, signed in on their own cluster's address, gets through; every form is a
plain post (CSRF as everywhere). The rules are in clusters/services.py."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from clustermarket.accounts.services import NotFound
from clustermarket.clusters import services
from clustermarket.schools.tables import Phase
from clustermarket.web.auth import requires_platform_admin
from clustermarket.web.forms import Form
from clustermarket.web.pagination import page_number
from clustermarket.web.routes import get, post

NO_STORE = {"Cache-Control": "no-store"}  # the page may show a one-time password


@dataclass
class ClusterForm:
    name: str = ""
    slug: str = ""
    host: str = ""
    admin_username: str = ""
    admin_first_name: str = ""
    admin_last_name: str = ""


@dataclass
class SchoolForm:
    name: str = ""
    phase: str = ""


async def _page(
    form: ClusterForm | None = None,
    error: str = "",
    made: services.NewCluster | None = None,
    school_error: tuple[int, str] | None = None,
    status_code: int = 200,
    number: int = 1,
) -> Template:
    page = await services.clusters_overview(number)
    context: dict[str, Any] = {
        "page": page,
        "clusters": page.items,
        "form": asdict(form or ClusterForm()),
        "error": error,
        "made": made,
        "school_error": school_error,
        "phases": [p.value for p in Phase],
    }
    return Template(
        "clusters/platform.html", context=context, status_code=status_code, headers=NO_STORE
    )


class PlatformController(Controller):
    path = "/platform/clusters"
    guards = [requires_platform_admin]

    @get("/")
    async def clusters(self, page: FromQuery[str] = "") -> Template:
        return await _page(number=page_number(page))

    @post("/")
    async def create(self, request: Request, data: Annotated[ClusterForm, Form]) -> Template:
        try:
            made = await services.create_cluster(
                name=data.name,
                slug=data.slug,
                host=data.host or None,
                admin_username=data.admin_username,
                admin_first_name=data.admin_first_name,
                admin_last_name=data.admin_last_name,
                actor=request.user,
            )
        except services.ClusterError as error:
            return await _page(data, str(error), status_code=400)
        return await _page(made=made)

    @post("/{cluster_id:int}/schools")
    async def add_school(
        self, request: Request, cluster_id: FromPath[int], data: Annotated[SchoolForm, Form]
    ) -> Template | Redirect:
        if not await services.cluster_exists(cluster_id):
            raise NotFound()
        try:
            await services.add_school(request.user, cluster_id, data.name, data.phase)
        except services.ClusterError as error:
            number = await services.page_of_cluster(cluster_id)
            return await _page(
                school_error=(cluster_id, str(error)), status_code=400, number=number
            )
        number = await services.page_of_cluster(cluster_id)
        query = f"?page={number}" if number > 1 else ""
        return Redirect(path=f"/platform/clusters{query}#cluster-{cluster_id}")


ROUTES = [PlatformController]
