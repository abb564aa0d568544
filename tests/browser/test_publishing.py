"""A pupil drafts a product with a photo and sends it; the teacher approves it inline;
a visitor finds it with the filters."""

from pathlib import Path

from playwright.async_api import expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import PUPIL, TEACHER, no_reload, sample_photo, sign_in


async def test_product_from_draft_to_the_public_site(open_page: OpenPage, tmp_path: Path) -> None:
    # A pupil on a class computer drafts a product in the team workspace.
    pupil = await open_page("desktop")
    await sign_in(pupil, *PUPIL)
    await pupil.get_by_role("link", name="Aylsham Makers").first.click()
    await check_page(pupil, "workspace")
    await pupil.get_by_role("link", name="New product").click()
    await pupil.get_by_label("Name").fill("Pebble paperweight")
    await pupil.get_by_label("Description").fill("A smooth beach pebble, painted by hand.")
    await pupil.get_by_label("Price (£)").fill("3.50")
    await pupil.get_by_label("Cost to make one").fill("0.40")
    await pupil.get_by_role("button", name="Save").click()
    await expect(
        pupil.get_by_role("heading", name="Draft: only your team can see this")
    ).to_be_visible()

    # ...adds a photo of the work, and sends it to the teacher.
    await pupil.get_by_label("Add a photo").set_input_files(sample_photo(tmp_path))
    await pupil.get_by_label("What does the photo show?").fill("A painted pebble")
    await pupil.get_by_role("button", name="Upload photo").click()
    await expect(pupil.get_by_text("Photo added")).to_be_visible()
    await expect(pupil.get_by_role("img", name="A painted pebble")).to_be_visible()
    await check_page(pupil, "draft-with-photo")
    await pupil.get_by_role("button", name="Send to my teacher").click()
    await expect(pupil.get_by_role("heading", name="Waiting for your teacher")).to_be_visible()

    # The teacher approves it in the queue: the item swaps in place, no reload.
    teacher = await open_page("desktop")
    await sign_in(teacher, *TEACHER)
    await teacher.get_by_role("link", name="Moderation").first.click()
    item = teacher.locator("article.mod-item", has_text="Pebble paperweight")
    await expect(item).to_contain_text("photograph the work, not the child")
    await check_page(teacher, "queue")
    async with no_reload(teacher):
        await item.get_by_role("button", name="Approve").click()
        await expect(item).to_contain_text("Approved: it is live on the website.")
        await expect(item.get_by_role("button", name="Hide now")).to_be_visible()
    await check_page(teacher, "approved-inline")

    # A visitor on a phone finds it by typing in the search box (htmx updates the list).
    visitor = await open_page("phone")
    await visitor.goto("/products")
    await visitor.get_by_label("Search").fill("pebble")
    results = visitor.locator("#results")
    await expect(results).to_contain_text("Pebble paperweight")
    await expect(results).to_contain_text("1 product")
    await expect(visitor).to_have_url("/products?q=pebble&school=")
    await visitor.get_by_label("School").select_option(label="Buxton Primary School")
    await expect(results).to_contain_text("Nothing found")
    await visitor.get_by_label("School").select_option(label="Aylsham High School")
    await results.get_by_role("link", name="Pebble paperweight").click()
    await expect(visitor.get_by_role("heading", level=1)).to_have_text("Pebble paperweight")
    await expect(visitor.get_by_text("£3.50")).to_be_visible()
    await expect(visitor.get_by_role("img", name="A painted pebble")).to_be_visible()
    await expect(visitor.locator("main")).not_to_contain_text("Amelia")
    await check_page(visitor, "product")


async def test_a_too_big_or_refused_photo_keeps_what_was_typed(
    open_page: OpenPage, tmp_path: Path
) -> None:
    """Issue 10 item 7: a photo over 8 MB is refused before it is sent (the page stays as it
    is); a file that is no photo comes back with the message by the field and the words."""
    pupil = await open_page("phone")
    await sign_in(pupil, *PUPIL)
    await pupil.get_by_role("link", name="Aylsham Makers").first.click()
    await pupil.get_by_role("link", name="New product").click()
    await pupil.get_by_label("Name").fill("Shell mobile")
    await pupil.get_by_label("Description").fill("Shells on a driftwood bar.")
    await pupil.get_by_label("Price (£)").fill("6")
    await pupil.get_by_label("Cost to make one").fill("1")
    await pupil.get_by_role("button", name="Save").click()
    edit_url = pupil.url

    big = tmp_path / "huge.jpg"
    big.write_bytes(b"\xff\xd8\xff" + b"0" * (9 * 1024 * 1024))
    photo = pupil.get_by_label("Add a photo")
    await photo.set_input_files(str(big))
    await pupil.get_by_label("What does the photo show?").fill("Shells hanging in a window")
    await pupil.get_by_role("button", name="Upload photo").click()
    message = await photo.evaluate("input => input.validationMessage")
    assert "more than 8 MB" in message
    assert pupil.url == edit_url  # nothing was sent
    await expect(pupil.get_by_label("What does the photo show?")).to_have_value(
        "Shells hanging in a window"
    )

    notes = tmp_path / "notes.jpg"
    notes.write_bytes(b"this is not a picture")
    await photo.set_input_files(str(notes))
    await pupil.get_by_role("button", name="Upload photo").click()
    await expect(pupil.locator("#photo-error")).to_be_visible()
    await expect(pupil.get_by_label("What does the photo show?")).to_have_value(
        "Shells hanging in a window"
    )
    await check_page(pupil, "photo-refused")
