"""A refused photo keeps the user's work: the edit page comes back with the message beside
the photo field and the description as typed, once (issue 10, item 7)."""

from clustermarket.media.tables import Photo
from tests.conftest import make_team, sign_in
from tests.publishing.test_moderation_journey import pupil_drafts_product, upload


async def test_a_refused_product_photo_keeps_its_description_and_says_why(client) -> None:
    team = await make_team()
    await sign_in(client, "ameliab")
    product_id = await pupil_drafts_product(client, team)

    page = await upload(client, product_id, b"this is not a picture", name="notes.jpg")
    assert page.status_code == 200
    form = page.text[page.text.index('id="photos"') :]
    assert 'role="alert"' in form and 'aria-invalid="true"' in form
    assert "not a photo" in form.lower() or "could not" in form.lower(), form[:1500]
    assert 'value="A candle in a jar"' in form  # the description as typed
    assert await Photo.count() == 0

    again = await client.get(f"/products/{product_id}/edit")
    assert 'role="alert"' not in again.text and 'value="A candle in a jar"' not in again.text


async def test_the_kept_description_belongs_to_the_item_it_was_typed_for(client) -> None:
    team = await make_team()
    await sign_in(client, "ameliab")
    first = await pupil_drafts_product(client, team)
    second = await pupil_drafts_product(client, team)
    await client.post(
        f"/products/{first}/photos",
        data={"_csrf_token": client.cookies["csrftoken"], "alt_text": "Jar of honey"},
        files={"photo": ("x.jpg", b"nope", "image/jpeg")},
        follow_redirects=False,
    )
    other = await client.get(f"/products/{second}/edit")
    assert "Jar of honey" not in other.text and 'role="alert"' not in other.text
