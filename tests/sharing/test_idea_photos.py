"""An idea's optional photo: cleaned, seen by the teacher while it waits, then by the
cluster; never beside the pupil's name."""

import io

from PIL import Image

from clustermarket.settings import get_settings
from clustermarket.sharing.tables import Idea
from tests.conftest import png_bytes
from tests.publishing.test_images import jpeg_with_gps
from tests.sharing.helpers import decide, two_schools


async def send_idea(client, photo: bytes, name: str = "bees.jpg", title: str = "Bee hotels"):
    await client.get("/ideas/new")
    return await client.post(
        "/ideas/new",
        data={
            "_csrf_token": client.cookies["csrftoken"],
            "title": title,
            "body": "Canes in a tin.",
            "tag": "eco",
            "photo_alt": "A tin full of bamboo canes",
        },
        files={"photo": (name, photo, "image/jpeg")},
        follow_redirects=False,
    )


async def test_an_idea_photo_is_cleaned_moderated_and_never_beside_a_name(client, people) -> None:
    await two_schools()
    amelia, oliver, taylor = await people("ameliab", "oliverk", "staylor")

    bad = await send_idea(amelia, b"not a picture", name="notes.txt")
    assert bad.status_code == 400 and "not a photo we can use" in bad.text
    assert "Canes in a tin." in bad.text and "A tin full of bamboo canes" in bad.text
    assert await Idea.count() == 0

    sent = await send_idea(amelia, jpeg_with_gps())
    assert sent.status_code == 302
    idea = await Idea.select().first()
    stored = get_settings().media_dir / "aylsham" / idea["photo_name"]  # the cluster's folder
    assert not (get_settings().media_dir / idea["photo_name"]).exists()
    assert not Image.open(io.BytesIO(stored.read_bytes())).getexif()  # GPS gone on disk
    photo_url = f"/ideas/{idea['id']}/photo/thumb"
    assert (await amelia.get(photo_url)).status_code == 200  # the author
    assert (await oliver.get(photo_url)).status_code == 404  # not yet for the cluster
    queue = await taylor.get("/moderation")
    assert photo_url in queue.text and "photograph the work, not the child" in queue.text
    assert (await taylor.get(photo_url)).status_code == 200

    await decide(taylor, "idea", idea["id"], "approve")
    image = await oliver.get(f"/ideas/{idea['id']}/photo/full")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    for path in ("/ideas", f"/ideas/{idea['id']}"):
        page = await oliver.get(path)
        assert photo_url.rsplit("/", 1)[0] in page.text and "Aylsham High" in page.text
        assert "Amelia" not in page.text, path  # no pupil name beside the photo
    await client.get("/")
    assert (await client.get(photo_url, follow_redirects=False)).status_code == 302


async def test_a_png_idea_photo_from_a_teacher_is_live_at_once(client, people) -> None:
    await two_schools()
    taylor, oliver = await people("staylor", "oliverk")
    await send_idea(taylor, png_bytes(), name="stall.png", title="Stall layout")
    idea = await Idea.select().first()
    assert idea["is_public"] and idea["photo_name"].endswith(".jpg")
    page = await oliver.get("/ideas")
    assert "Sarah T." in page.text and f"/ideas/{idea['id']}/photo/thumb" in page.text
