"""Hostile uploads (tests/audit/hostile_files.py) sent as a teacher to their team's product:
never a 500; an accepted file is stored re-encoded as a plain JPEG without metadata under a
random name; a refused one is answered with a message and stores nothing."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from clustermarket.media.services import media_dir
from clustermarket.media.tables import Photo
from tests.audit.counts import COUNTS
from tests.audit.hostile_files import MAKERS, SCRIPT
from tests.audit.probe import csrf_of
from tests.audit.world import World

ERROR_NOTICE = re.compile(r'<p class="notice error" role="alert"[^>]*>([^<]+)</p>')


def test_there_are_at_least_thirty_hostile_files() -> None:
    assert len(MAKERS) >= 30


@pytest.mark.parametrize(
    ("name", "file_name", "content_type", "make", "accepted"), MAKERS, ids=[m[0] for m in MAKERS]
)
async def test_a_hostile_upload_is_cleaned_or_refused_with_a_message(
    world: World, name: str, file_name: str, content_type: str, make, accepted: bool
) -> None:
    client = world.clients["teacher_a"]
    product = world.ids["A"]["product_id"]
    before = {row["id"] for row in await Photo.select(Photo.id)}
    answer = await client.post(
        f"/products/{product}/photos",
        files={"photo": (file_name, make(), content_type)},
        data={"alt_text": name, "_csrf_token": csrf_of(client)},
    )
    COUNTS["uploads"] += 1
    assert answer.status_code == 200, answer.text[:300]
    new = await Photo.select().where(Photo.id.not_in(list(before)))
    notice = ERROR_NOTICE.search(answer.text)
    if not accepted:
        assert new == [], f"{name} was stored"
        assert notice, f"{name}: no message on the page"
        return
    assert notice is None, notice and notice.group(1)
    assert len(new) == 1
    row = new[0]
    assert re.fullmatch(r"[\w-]{24}\.jpg", row["file_name"]), row["file_name"]
    for stored in (row["file_name"], row["thumb_name"]):
        data = (media_dir() / "aylsham" / stored).read_bytes()  # its cluster's folder
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and image.mode == "RGB"
        assert not image.getexif(), f"{name}: EXIF kept"
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info), image.info
        assert SCRIPT not in data and b"GPS" not in data and b"PK\x05\x06" not in data
        assert max(image.size) <= 1600
    if name == "JPEG turned by EXIF orientation":
        assert row["height"] > row["width"]  # stood upright, then the tag dropped
    # Keep the product under its photo limit for the next file.
    await Photo.delete().where(Photo.id == row["id"])


async def test_a_photo_over_the_image_limit_is_refused_by_name(world: World) -> None:
    client = world.clients["teacher_a"]
    product = world.ids["A"]["product_id"]
    answer = await client.post(
        f"/products/{product}/photos",
        files={"photo": ("giant.jpg", b"\xff\xd8" + b"\0" * (11 * 1024 * 1024), "image/jpeg")},
        data={"alt_text": "giant", "_csrf_token": csrf_of(client)},
    )
    COUNTS["uploads"] += 1
    assert answer.status_code < 500
    assert "That photo is too big" in answer.text


async def test_a_body_over_the_size_limit_is_refused_with_a_message(world: World) -> None:
    client = world.clients["teacher_a"]
    product = world.ids["A"]["product_id"]
    answer = await client.post(
        f"/products/{product}/edit",
        files={"name": ("giant.txt", b"x" * (11 * 1024 * 1024), "text/plain")},
        data={"_csrf_token": csrf_of(client)},
    )
    COUNTS["uploads"] += 1
    assert answer.status_code == 413
    assert "That was more than a form can send" in answer.text
