"""/admin/cluster: the cluster admin sets up their own cluster (name, market, colours, logo,
schools); /cluster.css and /cluster-logo/<name> show the look to everyone.

The cluster is always the request's (never a form's); only its admin gets to the settings.
Each form is a plain post (CSRF as everywhere); a refused one shows the page again with the
message and what was typed. The rules are in clusters/look.py."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import File, Redirect, Response, Template

from clustermarket.accounts.services import NotFound
from clustermarket.clusters import look, services
from clustermarket.clusters.controllers import SchoolForm
from clustermarket.media.images import ImageRejected
from clustermarket.schools.tables import Phase, School
from clustermarket.web.auth import requires_admin
from clustermarket.web.clusters import current_cluster
from clustermarket.web.forms import UPLOAD_BODY_LIMIT, Form, Multipart
from clustermarket.web.routes import get, post

YEAR = "public, max-age=31536000, immutable"  # both addresses change with their content


@dataclass
class LogoUpload:
    logo: UploadFile | None = None


async def _page(
    request: Request,
    form: look.ClusterSettings | None = None,
    errors: dict[str, str] | None = None,
    school: SchoolForm | None = None,
    status_code: int = 200,
) -> Template:
    cluster = current_cluster(request)
    schools = (
        await School.select(School.name, School.phase)
        .where(School.cluster == cluster.id)
        .order_by(School.name)
    )
    if form is None:
        form = look.ClusterSettings(
            cluster.name,
            cluster.market_name,
            cluster.market_place,
            cluster.colour_primary,
            cluster.colour_accent,
        )
    context: dict[str, Any] = {
        "form": asdict(form),
        "errors": errors or {},
        "school": asdict(school or SchoolForm()),
        "schools": schools,
        "phases": [p.value for p in Phase],
        "logo_name": cluster.logo_name,
    }
    return Template("clusters/settings.html", context=context, status_code=status_code)


@get("/admin/cluster", guards=[requires_admin], name="cluster-settings")
async def settings_page(request: Request) -> Template:
    return await _page(request)


@post("/admin/cluster", guards=[requires_admin])
async def save_settings(
    request: Request, data: Annotated[look.ClusterSettings, Form]
) -> Template | Redirect:
    try:
        await look.save_settings(request.user, current_cluster(request).id, data)
    except services.ClusterError as error:
        return await _page(request, data, {"settings": str(error)}, status_code=400)
    flash(request, "The cluster's settings are saved.", "success")
    return Redirect(path="/admin/cluster")


@post("/admin/cluster/logo", guards=[requires_admin], request_max_body_size=UPLOAD_BODY_LIMIT)
async def upload_logo(
    request: Request, data: Annotated[LogoUpload, Multipart]
) -> Template | Redirect:
    try:
        if data.logo is None or not data.logo.filename:
            raise ImageRejected("Choose a picture for the logo.")
        await look.set_logo(request.user, current_cluster(request).id, await data.logo.read())
    except ImageRejected as error:
        return await _page(request, errors={"logo": str(error)}, status_code=400)
    flash(request, "The new logo is in the header.", "success")
    return Redirect(path="/admin/cluster#logo")


@post("/admin/cluster/logo/remove", guards=[requires_admin])
async def remove_logo(request: Request) -> Redirect:
    await look.remove_logo(request.user, current_cluster(request).id)
    flash(request, "The logo is removed; the header shows the site's own.", "success")
    return Redirect(path="/admin/cluster#logo")


@post("/admin/cluster/schools", guards=[requires_admin])
async def add_school(request: Request, data: Annotated[SchoolForm, Form]) -> Template | Redirect:
    try:
        await services.add_school(request.user, current_cluster(request).id, data.name, data.phase)
    except services.ClusterError as error:
        return await _page(request, errors={"school": str(error)}, school=data, status_code=400)
    flash(request, f"{' '.join(data.name.split())} is added to the cluster.", "success")
    return Redirect(path="/admin/cluster#schools")


@get("/cluster.css", name="cluster-css")
async def cluster_css(request: Request) -> Response[str]:
    """The request's cluster's colours (the address carries their version)."""
    cluster = current_cluster(request)
    return Response(
        look.stylesheet(cluster.colour_primary, cluster.colour_accent),
        media_type="text/css",
        headers={"Cache-Control": YEAR},
    )


@get("/cluster-logo/{logo_name:str}", name="cluster-logo")
async def cluster_logo(request: Request, logo_name: FromPath[str]) -> File:
    """The request's cluster's current logo; any other name (an old one, another cluster's)
    is 404."""
    cluster = current_cluster(request)
    if not cluster.logo_name or logo_name != cluster.logo_name:
        raise NotFound()
    path = look.logo_path(cluster.slug, logo_name)
    if not path.exists():
        raise NotFound()
    return File(
        path=path,
        media_type="image/jpeg",
        content_disposition_type="inline",
        headers={"Cache-Control": YEAR},
    )


ROUTES = [
    settings_page,
    save_settings,
    upload_logo,
    remove_logo,
    add_school,
    cluster_css,
    cluster_logo,
]
