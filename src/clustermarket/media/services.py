"""Photos of products and projects: stored clean, shown only when their content may be.

Files live under a folder per cluster, `<MEDIA_DIR>/<cluster slug>/<random name>.jpg` (issue
15); photos uploaded before that stay at `<MEDIA_DIR>/<name>` and are still served. A photo is
found for serving only within the request's cluster (`cluster_id`): another cluster's is 404
like one that does not exist. The cluster is the photo's team's school's, never a form's."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.accounts.tables import User
from clustermarket.frozen import raw
from clustermarket.media.images import clean_upload
from clustermarket.media.tables import Photo
from clustermarket.rows import group_rows, of_owners
from clustermarket.schools.tables import Cluster
from clustermarket.settings import get_settings
from clustermarket.teams.tables import Team
from clustermarket.timeutil import now

MAX_PHOTOS = 6


class PhotoError(ValueError):
    """The photo cannot be added; the message is for the user."""


def media_dir() -> Path:
    path = get_settings().media_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def photo_path(cluster_slug: str, name: str) -> Path:
    """Where a photo's file is: its cluster's folder, or the shared one for older uploads."""
    path = media_dir() / cluster_slug / name
    return path if path.exists() else media_dir() / name


async def cluster_folder(cluster_id: int) -> Path:
    """The cluster's own media folder (made if needed), for new uploads."""
    row = await Cluster.select(Cluster.slug).where(Cluster.id == cluster_id).first()
    if row is None:
        raise PhotoError("There is no such cluster.")
    folder = media_dir() / row["slug"]
    folder.mkdir(exist_ok=True)
    return folder


_CLUSTER_SLUG = Photo.team.school.cluster.slug.as_alias("cluster_slug")


async def add_photo(
    actor: CurrentUser, *, team_id: int, owner_type: str, owner_id: int, data: bytes, alt_text: str
) -> dict[str, Any]:
    count = await Photo.count().where(
        (Photo.owner_type == owner_type) & (Photo.owner_id == owner_id) & (Photo.in_draft == True)
    )
    if count >= MAX_PHOTOS:
        raise PhotoError(f"At most {MAX_PHOTOS} photos each. Remove one first.")
    clean = await clean_upload(data)  # raises ImageRejected
    name = secrets.token_urlsafe(18)
    file_name, thumb_name = f"{name}.jpg", f"{name}-thumb.jpg"
    team = await Team.select(Team.school.cluster.slug.as_alias("slug")).where(Team.id == team_id)
    folder = media_dir() / team[0]["slug"]
    folder.mkdir(exist_ok=True)
    (folder / file_name).write_bytes(clean.full)
    (folder / thumb_name).write_bytes(clean.thumb)
    held = False
    if actor.is_pupil:
        consent = await User.select(User.photo_consent).where(User.id == actor.id).first()
        held = not (consent and consent["photo_consent"])
    rows = await Photo.insert(
        Photo(
            team=team_id,
            owner_type=owner_type,
            owner_id=owner_id,
            file_name=file_name,
            thumb_name=thumb_name,
            width=clean.width,
            height=clean.height,
            alt_text=alt_text.strip()[:200],
            uploaded_by=actor.id,
            held=held,
            created_at=now(),
        )
    ).returning(*Photo.all_columns())
    return rows[0]


async def remove_photo_from_draft(owner_type: str, owner_id: int, photo_id: int) -> bool:
    """The photo leaves the working copy; a published photo stays public until approval."""
    rows = (
        await Photo.update({Photo.in_draft: False})
        .where(
            (Photo.id == photo_id) & (Photo.owner_type == owner_type) & (Photo.owner_id == owner_id)
        )
        .returning(Photo.id)
    )
    await purge_unused(owner_type, owner_id)
    return bool(rows)


async def purge_unused(owner_type: str, owner_id: int) -> None:
    """Rows (and files) neither in the draft nor published are gone for good."""
    gone = await Photo.select(Photo.id, Photo.file_name, Photo.thumb_name, _CLUSTER_SLUG).where(
        (Photo.owner_type == owner_type)
        & (Photo.owner_id == owner_id)
        & (Photo.in_draft == False)
        & (Photo.published == False)
    )
    if not gone:
        return
    await Photo.delete().where(Photo.id.is_in([row["id"] for row in gone]))
    for row in gone:
        for name in (row["file_name"], row["thumb_name"]):
            photo_path(row["cluster_slug"], name).unlink(missing_ok=True)


async def publish_draft_photos(owner_type: str, owner_id: int, release_held: bool) -> None:
    """Approval: the published set becomes the draft set (held photos only if released)."""
    where = (Photo.owner_type == owner_type) & (Photo.owner_id == owner_id)
    if release_held:
        await Photo.update({Photo.held: False}).where(where & (Photo.in_draft == True))
    await Photo.update({Photo.published: False}).where(where)
    await Photo.update({Photo.published: True}).where(
        where & (Photo.in_draft == True) & (Photo.held == False)
    )
    await purge_unused(owner_type, owner_id)


_PHOTO_COLUMNS = (
    "id, owner_id, file_name, thumb_name, width, height, alt_text, held, published, in_draft"
)


async def photos_for(
    owner_type: str, owner_ids: list[int], *, published: bool
) -> dict[int, list[dict[str, Any]]]:
    """Photos of many items in one query: the published set, or the working (draft) set."""
    if not owner_ids:
        return {}
    # Written as SQL (the same on both engines): list pages and the moderation queue run it
    # on every view, and Piccolo would build the select anew each time (issue 17).
    flag = "published" if published else "in_draft"
    sql = (
        f"SELECT {_PHOTO_COLUMNS} FROM photo WHERE owner_type = {{}} AND {flag} = {{}}"
        " AND owner_id IN (" + ", ".join(["{}"] * len(owner_ids)) + ") ORDER BY id"
    )
    rows = await raw(Photo, sql, owner_type, True, *owner_ids)
    return group_rows(rows, "owner_id")


async def photos_of(
    owners: dict[str, list[int]], *, published: bool
) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """`photos_for` for several owner types (type → ids) in one query, by type and id: the
    moderation queue's products and projects in one statement, not one each."""
    wanted = {owner_type: ids for owner_type, ids in owners.items() if ids}
    if len(wanted) < 2:
        return {t: await photos_for(t, ids, published=published) for t, ids in wanted.items()}
    flag = "published" if published else "in_draft"
    owned, arguments = of_owners("owner_type", "owner_id", wanted)
    sql = (
        f"SELECT owner_type, {_PHOTO_COLUMNS} FROM photo"
        f" WHERE {flag} = {{}} AND ({owned}) ORDER BY id"
    )
    by_type = group_rows(await raw(Photo, sql, True, *arguments), "owner_type")
    return {owner: group_rows(rows, "owner_id") for owner, rows in by_type.items()}


async def photo_by_file(name: str, cluster_id: int) -> dict[str, Any] | None:
    """The photo of this file name in this cluster (the request's), with `path`."""
    row = (
        await Photo.select(*Photo.all_columns(), _CLUSTER_SLUG)
        .where(
            ((Photo.file_name == name) | (Photo.thumb_name == name))
            & (Photo.team.school.cluster == cluster_id)
        )
        .first()
    )
    if row is not None:
        row["path"] = photo_path(row["cluster_slug"], name)
    return row
