"""Pupils draft and submit; teachers moderate; the public sees only what was approved."""

import io
import re

from PIL import Image

from clustermarket.catalogue.tables import Product
from clustermarket.media.tables import Photo
from clustermarket.moderation.tables import ModerationLog
from clustermarket.settings import get_settings
from tests.conftest import another_browser, make_team, post_form, sign_in
from tests.publishing.test_images import jpeg_with_gps

PRODUCT_FORM = {
    "name": "Beeswax candle",
    "description": "Hand-poured in a jar.",
    "price": "4.50",
    "unit_cost": "1.80",
    "active": "on",
}


async def pupil_drafts_product(client, team, form=PRODUCT_FORM) -> int:
    response = await post_form(
        client, f"/teams/{team['id']}/products/new", form, follow_redirects=False
    )
    assert response.status_code == 302, response.text
    return int(re.search(r"/products/(\d+)/edit", response.headers["location"]).group(1))


async def upload(client, product_id, data: bytes, name="photo.jpg", kind="products"):
    await client.get("/")  # make sure a CSRF cookie exists
    return await client.post(
        f"/{kind}/{product_id}/photos",
        data={"_csrf_token": client.cookies["csrftoken"], "alt_text": "A candle in a jar"},
        files={"photo": (name, data, "image/jpeg")},
        follow_redirects=True,
    )


async def test_the_whole_journey_from_draft_to_public(client) -> None:
    team = await make_team(pupils=("ameliab",))
    from clustermarket.accounts.tables import User

    await User.update(
        {User.first_name: "Amelia", User.last_name: "Brown", User.photo_consent: True}
    ).where(User.username == "ameliab")

    # A pupil drafts a product with a photo and sends it to the teacher.
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(client, team)
    page = await upload(client, product_id, jpeg_with_gps())
    assert "Photo added" in page.text
    photo = await Photo.select().first()
    stored = get_settings().media_dir / "aylsham" / photo["file_name"]  # its cluster's folder
    assert not Image.open(io.BytesIO(stored.read_bytes())).getexif()  # GPS gone on disk
    assert (await client.get(f"/products/{product_id}")).status_code == 404  # not public yet
    page = await post_form(client, f"/products/{product_id}/submit", {})
    assert "Sent to your teacher" in page.text and "Waiting for your teacher" in page.text

    # The teacher sends it back with feedback.
    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor")
        queue = await teacher.get("/moderation")
        assert "Beeswax candle" in queue.text and "Aylsham Makers" in queue.text
        assert "photograph the work, not the child" in queue.text
        # The teacher sees who sent it (issue 13), in the item's header only: the photos are
        # described by their own text, never captioned with the pupil's name.
        assert "By <strong>Amelia B.</strong>" in queue.text and "Brown" not in queue.text
        assert not re.search(r'<img[^>]*alt="[^"]*Amelia', queue.text)
        row = await post_form(
            teacher,
            f"/moderation/product/{product_id}/reject",
            {"feedback": "Please add how long it burns."},
            headers={"HX-Request": "true"},
        )
        assert row.status_code == 200
        assert f'<article class="card mod-item" id="mod-product-{product_id}"' in row.text
        assert "Sent back with your feedback" in row.text and "<html" not in row.text

    # The pupil sees the feedback, edits, sends again.
    page = await client.get(f"/products/{product_id}/edit")
    assert "Your teacher asked for changes" in page.text
    assert "Please add how long it burns." in page.text
    workspace = await client.get(f"/teams/{team['id']}/workspace")
    assert "Please add how long it burns." in workspace.text
    await post_form(
        client,
        f"/products/{product_id}/edit",
        {**PRODUCT_FORM, "description": "Hand-poured in a jar. Burns for 20 hours."},
    )
    await post_form(client, f"/products/{product_id}/submit", {})

    # The teacher approves with a plain form post (no JavaScript).
    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor")
        response = await post_form(
            teacher, f"/moderation/product/{product_id}/approve", {}, follow_redirects=False
        )
        assert response.status_code == 302

    # The public sees it, with its photo, and no pupil name anywhere.
    async with another_browser(client) as visitor:
        page = await visitor.get(f"/products/{product_id}")
        assert page.status_code == 200
        assert "Burns for 20 hours" in page.text and "£4.50" in page.text
        assert photo["file_name"] in page.text
        image = await visitor.get(f"/media/{photo['file_name']}")
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        for path in (
            "/",
            "/products",
            f"/products/{product_id}",
            f"/teams/{team['slug']}",
            "/schools/aylsham-high",
            "/projects",
        ):
            text = (await visitor.get(path)).text
            assert "Amelia" not in text and "Brown" not in text, path
        assert "1.80" not in page.text  # the unit cost is private

    actions = [
        r["action"]
        for r in await ModerationLog.select(ModerationLog.action)
        .where(ModerationLog.subject_type == "product")
        .order_by(ModerationLog.id)
    ]
    assert actions == ["reject", "approve"]


async def test_an_edit_after_approval_keeps_the_approved_version_public(client) -> None:
    team = await make_team()
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(client, team)
    await post_form(client, f"/products/{product_id}/submit", {})
    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor")
        await post_form(teacher, f"/moderation/product/{product_id}/approve", {})

    await post_form(
        client,
        f"/products/{product_id}/edit",
        {**PRODUCT_FORM, "name": "Giant candle", "price": "9.99"},
    )
    page = await client.get(f"/products/{product_id}/edit")
    assert "The last approved version stays on the website" in page.text
    await post_form(client, f"/products/{product_id}/submit", {})

    async with another_browser(client) as visitor:
        public = await visitor.get(f"/products/{product_id}")
        assert "Beeswax candle" in public.text and "£4.50" in public.text
        assert "Giant candle" not in public.text
        listing = await visitor.get("/products")
        assert "Beeswax candle" in listing.text and "Giant candle" not in listing.text

    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor")
        queue = await teacher.get("/moderation")
        assert "Giant candle" in queue.text and "The version live now" in queue.text
        await post_form(teacher, f"/moderation/product/{product_id}/approve", {})

    async with another_browser(client) as visitor:
        public = await visitor.get(f"/products/{product_id}")
        assert "Giant candle" in public.text and "£9.99" in public.text


async def test_reject_needs_feedback_hide_and_restore_are_logged(client) -> None:
    team = await make_team()
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(client, team)
    await post_form(client, f"/products/{product_id}/submit", {})

    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor")
        empty = await post_form(
            teacher,
            f"/moderation/product/{product_id}/reject",
            {"feedback": "  "},
            headers={"HX-Request": "true"},
        )
        assert empty.status_code == 400
        assert "Write a sentence of feedback" in empty.text
        assert (await Product.select(Product.status).first())["status"] == "pending"

        await post_form(
            teacher, f"/moderation/product/{product_id}/approve", {}, headers={"HX-Request": "true"}
        )
        again = await post_form(
            teacher, f"/moderation/product/{product_id}/approve", {}, headers={"HX-Request": "true"}
        )
        assert again.status_code == 400 and "already dealt with" in again.text

        hidden = await post_form(
            teacher,
            f"/moderation/product/{product_id}/hide",
            {"feedback": "Looks like a real brand name"},
            headers={"HX-Request": "true"},
        )
        assert "Hidden from the public site" in hidden.text and "Restore" in hidden.text
        assert (await client.get(f"/products/{product_id}")).status_code == 404
        assert "Beeswax" not in (await teacher.get("/products")).text

        page = await client.get(f"/products/{product_id}/edit")
        assert "Hidden by a teacher" in page.text and "Looks like a real brand name" in page.text

        await post_form(
            teacher, f"/moderation/product/{product_id}/restore", {}, headers={"HX-Request": "true"}
        )
        assert (await teacher.get(f"/products/{product_id}")).status_code == 200

        log = await teacher.get("/moderation/log")
        for action in ("approve", "hide", "restore"):
            assert f'<td data-label="What">{action}</td>' in log.text
        assert "Looks like a real brand name" in log.text
    rows = (
        await ModerationLog.select(ModerationLog.action, ModerationLog.actor.username)
        .where(ModerationLog.subject_id == product_id)
        .order_by(ModerationLog.id)  # without an order PostgreSQL may join them in any order
    )
    assert [(r["action"], r["actor.username"]) for r in rows] == [
        ("approve", "staylor"),
        ("hide", "staylor"),
        ("restore", "staylor"),
    ]


async def test_the_word_filter_tells_the_pupil_what_to_change(client) -> None:
    team = await make_team()
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(
        client, team, {**PRODUCT_FORM, "description": "This candle is the shit"}
    )
    page = await client.get(f"/products/{product_id}/edit")
    assert "Please change “shit” in the description" in page.text  # warned while still a draft
    page = await post_form(client, f"/products/{product_id}/submit", {})
    assert "Please change “shit” in the description" in page.text
    assert (await Product.select(Product.status).first())["status"] == "draft"
    assert "This candle is the shit" in page.text  # nothing the pupil wrote is lost


async def test_teachers_own_content_goes_live_at_once(client) -> None:
    team = await make_team()
    await sign_in(client, "staylor")
    product_id = await pupil_drafts_product(client, team)
    row = await Product.select(Product.status, Product.is_public).first()
    assert row == {"status": "approved", "is_public": True}
    assert (await client.get(f"/products/{product_id}")).status_code == 200
    log = await ModerationLog.select(ModerationLog.action).first()
    assert log["action"] == "publish_own"


async def test_photos_of_a_pupil_without_consent_are_held(client) -> None:
    team = await make_team()  # ameliab has no photo consent recorded
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(client, team)
    page = await upload(client, product_id, jpeg_with_gps())
    assert "Waiting for photo consent check" in page.text
    await post_form(client, f"/products/{product_id}/submit", {})

    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor")
        queue = await teacher.get("/moderation")
        assert "No photo consent on record for the uploader" in queue.text
        assert "I have checked the held photos" in queue.text
        await post_form(teacher, f"/moderation/product/{product_id}/approve", {})
    photo = await Photo.select().first()
    assert photo["published"] is False and photo["held"] is True
    async with another_browser(client) as visitor:
        assert (await visitor.get(f"/media/{photo['file_name']}")).status_code == 404
        assert photo["thumb_name"] not in (await visitor.get(f"/products/{product_id}")).text

    # Next time the teacher checks the photo and releases it.
    await post_form(client, f"/products/{product_id}/edit", PRODUCT_FORM)
    await post_form(client, f"/products/{product_id}/submit", {})
    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor")
        await post_form(
            teacher, f"/moderation/product/{product_id}/approve", {"release_held": "on"}
        )
    async with another_browser(client) as visitor:
        assert (await visitor.get(f"/media/{photo['file_name']}")).status_code == 200


async def test_a_bad_upload_is_answered_on_the_page(client) -> None:
    team = await make_team()
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(client, team)
    page = await upload(client, product_id, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg")
    assert page.status_code == 200
    assert "not a photo we can use" in page.text
    assert await Photo.count() == 0


async def test_bad_product_input_keeps_what_was_typed(client) -> None:
    team = await make_team()
    await sign_in(client, "ameliab")
    page = await post_form(
        client,
        f"/teams/{team['id']}/products/new",
        {**PRODUCT_FORM, "price": "four pounds", "name": "X"},
    )
    assert page.status_code == 400
    assert "Write an amount in pounds, like 4.50" in page.text
    assert "Give the product a name of 2 to 120 characters." in page.text
    assert 'value="four pounds"' in page.text and "Hand-poured in a jar." in page.text
    assert await Product.count() == 0


async def test_approval_publishes_only_the_version_the_teacher_saw(client) -> None:
    team = await make_team()
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(client, team)
    await post_form(client, f"/products/{product_id}/submit", {})
    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor")
        queue = await teacher.get("/moderation")
        seen = re.search(r'name="version" value="(\d+)"', queue.text).group(1)

        # Meanwhile the pupils change it and send it again.
        await post_form(client, f"/products/{product_id}/edit", {**PRODUCT_FORM, "name": "Sneaky"})
        await post_form(client, f"/products/{product_id}/submit", {})

        stale = await post_form(
            teacher,
            f"/moderation/product/{product_id}/approve",
            {"version": seen},
            headers={"HX-Request": "true"},
        )
        assert stale.status_code == 400
        assert "please look at the new version" in stale.text
        assert (await Product.select(Product.is_public).first())["is_public"] is False
        fresh = re.search(r'name="version" value="(\d+)"', (await teacher.get("/moderation")).text)
        await post_form(
            teacher, f"/moderation/product/{product_id}/approve", {"version": fresh.group(1)}
        )
    assert (await Product.select(Product.published_name).first())["published_name"] == "Sneaky"
