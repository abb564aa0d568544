"""Photo upload and removal on a product or project, and serving photos to who may see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import File, Redirect

from clustermarket.accounts.services import NotFound
from clustermarket.catalogue.tables import Product
from clustermarket.media import services
from clustermarket.media.images import ImageRejected
from clustermarket.media.services import PhotoError
from clustermarket.moderation.content import KINDS, ContentKind
from clustermarket.moderation.services import after_edit, content_for_worker
from clustermarket.projects.tables import Project
from clustermarket.teams.services import team_for_worker
from clustermarket.web.auth import requires_signed_in
from clustermarket.web.clusters import current_cluster
from clustermarket.web.forms import UPLOAD_BODY_LIMIT, Multipart
from clustermarket.web.routes import get, post


@dataclass
class PhotoUpload:
    photo: UploadFile | None = None
    alt_text: str = ""


_FORM_KEY = "photo_form"


def photo_form(request: Request, owner_type: str, owner_id: int) -> dict[str, str]:
    """What the photo form held when its upload was refused (its message and the typed
    description), once, for the edit page that shows the form again."""
    kept = request.session.pop(_FORM_KEY, None) if request.session else None
    if kept and kept.get("for") == f"{owner_type}:{owner_id}":
        return {"alt_text": kept.get("alt_text", ""), "error": kept.get("error", "")}
    return {"alt_text": "", "error": ""}


def photo_routes(kind: ContentKind) -> list[Any]:
    """Add and remove photos on one kind of content (products, projects)."""
    base = f"/{kind.name}s/{{content_id:int}}"

    @post(
        f"{base}/photos",
        guards=[requires_signed_in],
        name=f"{kind.name}-photo-add",
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def add_photo(
        request: Request, content_id: FromPath[int], data: Annotated[PhotoUpload, Multipart]
    ) -> Redirect:
        item, team = await content_for_worker(request.user, kind, content_id)
        try:
            if data.photo is None or not data.photo.filename:
                raise PhotoError("Choose a photo to upload.")
            await services.add_photo(
                request.user,
                team_id=team["id"],
                owner_type=kind.name,
                owner_id=content_id,
                data=await data.photo.read(),
                alt_text=data.alt_text,
            )
        except (ImageRejected, PhotoError) as error:
            # Back to the edit page (POST/redirect/GET) with the message beside the photo
            # field and the description as typed (photo_form below), not lost in a flash.
            request.session[_FORM_KEY] = {
                "for": f"{kind.name}:{content_id}",
                "alt_text": data.alt_text,
                "error": str(error),
            }
        else:
            await after_edit(request.user, kind, content_id)
            flash(request, "Photo added. Remember: photograph the work, not the people.", "success")
        return Redirect(path=f"/{kind.name}s/{content_id}/edit#photos")

    @post(
        f"{base}/photos/{{photo_id:int}}/remove",
        guards=[requires_signed_in],
        name=f"{kind.name}-photo-remove",
    )
    async def remove_photo(
        request: Request, content_id: FromPath[int], photo_id: FromPath[int]
    ) -> Redirect:
        await content_for_worker(request.user, kind, content_id)
        if not await services.remove_photo_from_draft(kind.name, content_id, photo_id):
            raise NotFound()  # not a photo of this item: nothing changed, so no success
        await after_edit(request.user, kind, content_id)
        flash(request, "Photo removed.", "success")
        return Redirect(path=f"/{kind.name}s/{content_id}/edit#photos")

    return [add_photo, remove_photo]


_OWNER_PUBLIC = {"product": (Product, Product.is_public), "project": (Project, Project.is_public)}


async def _owner_is_public(owner_type: str, owner_id: int) -> bool:
    table, column = _OWNER_PUBLIC[owner_type]
    return await table.exists().where((table._meta.primary_key == owner_id) & (column == True))


@get("/media/{name:str}", name="media")
async def serve_photo(request: Request, name: FromPath[str]) -> File:
    """Published photos of public content for everyone; others only for the team's workers.
    Only the request's cluster's photos: another cluster's is 404 (issue 15)."""
    photo = await services.photo_by_file(name, current_cluster(request).id)
    if photo is None:
        raise NotFound()
    public = photo["published"] and await _owner_is_public(photo["owner_type"], photo["owner_id"])
    if not public:
        user = request.scope.get("user")
        if user is None or await team_for_worker(user, photo["team"]) is None:
            raise NotFound()
    return File(
        path=photo["path"],
        media_type="image/jpeg",
        content_disposition_type="inline",
        headers={"Cache-Control": "public, max-age=3600" if public else "private, no-store"},
    )


ROUTES = [
    serve_photo,
    *[route for kind in KINDS.values() if kind.editable for route in photo_routes(kind)],
]
