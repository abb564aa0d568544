"""A Year 2 child signs in without typing: the class link, their name, four pictures.

The demo's Year 2 Owls (John of Gaunt Infants) sign in with picture PINs (README): Lily
apple-cat-sun-tree, Theo fish-star-house-boat, Ava ball-bird-flower-car.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.async_api import Page, expect

from tests.browser.checks import assert_focus_visible, check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import sign_in, tab_to

OWLS = "/sign-in/john-of-gaunt/owlsdemo22"
PINS = {
    "Lily H.": ["Apple", "Cat", "Sun", "Tree"],
    "Theo B.": ["Fish", "Star", "House", "Boat"],
    "Ava Q.": ["Ball", "Bird", "Flower", "Car"],
}


async def tap_pictures(page: Page, pictures: list[str], tapped: int = 0) -> None:
    for number, picture in enumerate(pictures, start=tapped + 1):
        await page.get_by_role("button", name=picture, exact=True).click()
        if number < 4:
            await expect(page.get_by_role("status")).to_contain_text(f"{number} of 4")


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_a_year_2_child_signs_in_by_tapping_name_and_pictures(
    open_page: OpenPage, size: str
) -> None:
    page = await open_page(size)
    await page.goto(OWLS)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Year 2 Owls")
    await check_page(page, "names")
    await page.get_by_role("link", name="Lily H.").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Lily H.")
    await check_page(page, "pictures")
    await tap_pictures(page, PINS["Lily H."][:2])
    await check_page(page, "two-pictures")
    await tap_pictures(page, PINS["Lily H."][2:], tapped=2)
    await expect(page).to_have_url("/dashboard")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Lily")


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_a_year_2_child_signs_in_with_the_keyboard_alone(
    open_page: OpenPage, size: str
) -> None:
    page = await open_page(size)
    await page.goto(OWLS)
    name = page.get_by_role("link", name="Theo B.")
    await tab_to(page, name)
    await assert_focus_visible(name)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Theo B.")
    for picture in PINS["Theo B."]:
        # After each tap the first picture has the focus again; Tab on to the next one.
        await expect(page.get_by_role("button", name="Apple", exact=True)).to_be_focused()
        button = page.get_by_role("button", name=picture, exact=True)
        await tab_to(page, button, most=14)
        await assert_focus_visible(button)
        await page.keyboard.press("Enter")
        await page.wait_for_load_state()
    await expect(page).to_have_url("/dashboard")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Theo")
    await check_page(page, "dashboard")


async def test_five_wrong_pins_pause_that_pupil_and_only_that_pupil(
    open_page: OpenPage,
) -> None:
    page = await open_page("desktop")
    await page.goto(OWLS)
    await page.get_by_role("link", name="Ava Q.").click()
    for attempt in range(1, 6):
        await tap_pictures(page, ["Sun", "Sun", "Sun", "Sun"])
        message = "paused" if attempt == 5 else "not right"
        await expect(page.get_by_role("alert")).to_contain_text(message)
    await check_page(page, "paused")
    # Even her right pictures wait for the teacher now.
    await tap_pictures(page, PINS["Ava Q."])
    await expect(page.get_by_role("alert")).to_contain_text("Ask your teacher")

    # Lily, on the same computer, still signs in.
    await page.get_by_role("link", name="Back to the names").click()
    await page.get_by_role("link", name="Lily H.").click()
    await tap_pictures(page, PINS["Lily H."])
    await expect(page).to_have_url("/dashboard")

    # Mrs Wood sees that Ava is paused, and unpauses her.
    teacher = await open_page("desktop")
    await sign_in(teacher, "mwood", "teacher-demo-4")
    await teacher.get_by_role("link", name="Classes", exact=True).first.click()
    await teacher.get_by_role("link", name="Year 2 Owls").click()
    await expect(teacher.get_by_text(re.compile("Paused until"))).to_have_count(1)
    await check_page(teacher, "class-with-paused-pupil")
    await teacher.get_by_role("button", name="Unpause Ava Quinn").click()
    await expect(teacher.get_by_text(re.compile("Paused until"))).to_have_count(0)

    ava = await open_page("phone")
    await ava.goto(OWLS)
    await ava.get_by_role("link", name="Ava Q.").click()
    await tap_pictures(ava, PINS["Ava Q."])
    await expect(ava).to_have_url("/dashboard")


async def test_teacher_sets_up_a_picture_class_prints_cards_and_changes_the_link(
    open_page: OpenPage,
) -> None:
    started = time.monotonic()
    teacher = await open_page("desktop")
    await sign_in(teacher, "mwood", "teacher-demo-4")
    await teacher.get_by_role("link", name="Classes", exact=True).first.click()
    await teacher.get_by_label("Class name").fill("Year 2 Foxes")
    await teacher.get_by_label("Year group").select_option("2")
    await teacher.get_by_label("Picture PIN").check()
    await teacher.get_by_role("button", name="Create class").click()
    await expect(teacher.get_by_role("heading", level=1)).to_have_text("Year 2 Foxes")
    await check_page(teacher, "new-class")
    await teacher.get_by_label("Class list").fill("Sam Fox\nMaya Cole\n")
    await teacher.get_by_role("button", name="Add pupils and show login cards").click()
    await expect(teacher.get_by_role("heading", level=1)).to_have_text("Login cards")
    await check_page(teacher, "cards")
    seconds = time.monotonic() - started
    assert seconds < 120, seconds  # "set up a class and print its cards in under two minutes"

    # Sam's card: the link its QR code opens, and his four pictures.
    card = teacher.locator(".login-card").filter(has_text="Sam F.")
    link = (await card.locator(".card-link").inner_text()).strip()
    pictures = await card.locator(".card-pin li span").all_inner_texts()
    assert len(pictures) == 4 and await card.locator("svg").count() == 1

    child = await open_page("phone")
    await child.goto(link)
    await child.get_by_role("link", name="Sam F.").click()
    await tap_pictures(child, pictures)
    await expect(child).to_have_url("/dashboard")

    # The teacher changes the link: the old one stops working at once.
    await teacher.get_by_role("link", name="Back to Year 2 Foxes").click()
    await teacher.get_by_role("button", name=re.compile("Change the link now")).click()
    await expect(teacher.get_by_role("status")).to_contain_text("old one no longer works")
    other = await open_page("desktop")
    response = await other.goto(link)
    assert response is not None and response.status == 404
    await expect(other.get_by_role("main")).to_contain_text("does not work any more")


async def test_a_child_finds_what_we_keep_from_the_class_sign_in_page(phone_page: Page) -> None:
    page = phone_page
    await page.goto(OWLS)
    await page.get_by_role("link", name="What we keep about you").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "What Cluster Market keeps about you"
    )
    await check_page(page, "privacy-young")
    await page.get_by_role("link", name="longer notice").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Privacy notice (parents, carers and staff)"
    )
    await check_page(page, "privacy")
