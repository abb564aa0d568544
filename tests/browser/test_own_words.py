"""Issue 13: a pupil changes her approved idea on a phone (360 px); a pupil of another
school keeps reading the approved words until her teacher approves the change. And the
pitch feedback boxes' sentence starters, tapped on a phone."""

import re

from playwright.async_api import expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import PUPIL, TEACHER, sign_in

HARRY = ("harryp", "robin-cake-65")  # Erpingham (demo data)
IDEA = "A cluster compost bin at the market"  # Amelia's, approved (demo data)


async def test_a_pupil_edits_her_approved_idea_and_the_cluster_keeps_the_old_one(
    open_page: OpenPage,
) -> None:
    amelia = await open_page("phone")
    await sign_in(amelia, *PUPIL)
    await amelia.goto("/ideas")
    await amelia.get_by_role("link", name=IDEA).click()
    idea_url = amelia.url
    await amelia.get_by_role("link", name="Change", exact=True).click()
    await expect(amelia.get_by_role("heading", level=1)).to_have_text("Change your idea")
    await check_page(amelia, "own-idea-edit")
    await amelia.get_by_label("Title").fill("A compost bin and a wormery")
    await amelia.get_by_label("Your idea").fill("Worms turn the fruit waste into compost.")
    await amelia.get_by_role("button", name="Send the change to my teacher").click()
    await expect(amelia.get_by_text("Sent to your teacher.")).to_be_visible()
    await expect(amelia.get_by_text("Until your teacher approves the change")).to_be_visible()
    await check_page(amelia, "own-idea-waiting")

    # Harry (another school) still reads the approved idea.
    harry = await open_page("phone")
    await sign_in(harry, *HARRY)
    await harry.goto(idea_url)
    await expect(harry.get_by_role("heading", level=1)).to_have_text(IDEA)
    await expect(harry.get_by_text("Worms turn the fruit waste")).to_have_count(0)

    # Her teacher sees the change beside the version live now, and approves it.
    teacher = await open_page("phone")
    await sign_in(teacher, *TEACHER)
    await teacher.goto("/moderation")
    item = teacher.locator("article.mod-item", has_text="A compost bin and a wormery")
    await expect(item.get_by_text("The version live now")).to_be_visible()
    await item.get_by_role("button", name="Approve").click()
    await expect(teacher.get_by_text("the cluster can see it now")).to_be_visible()

    await harry.goto(idea_url)
    await expect(harry.get_by_role("heading", level=1)).to_have_text("A compost bin and a wormery")
    await expect(harry.get_by_text("Worms turn the fruit waste into compost.")).to_be_visible()

    # The approval notification opens the idea and is marked read.
    # (Other journeys on this server may have notified her too: pick this one.)
    await amelia.goto("/notifications")
    note = re.compile("Your idea “A compost bin and a wormery” was approved")
    await expect(amelia.locator("li.unread", has_text=note)).to_have_count(1)
    await amelia.get_by_role("link", name=note).click()
    await expect(amelia).to_have_url(idea_url)
    await amelia.goto("/notifications")
    await expect(amelia.locator("li", has_text=note)).to_have_count(1)
    await expect(amelia.locator("li.unread", has_text=note)).to_have_count(0)


async def test_sentence_starters_start_the_feedback_boxes_on_a_phone(
    open_page: OpenPage,
) -> None:
    harry = await open_page("phone")
    await sign_in(harry, *HARRY)
    await harry.goto("/pitch")
    await harry.get_by_role("link", name="Pitch round before the next market").click()
    await harry.locator("ul.work-list a").first.click()
    await expect(harry.locator(".pitch-showcase .price")).to_be_visible()
    works_well = harry.get_by_role("textbox", name="Works well")
    even_better = harry.get_by_role("textbox", name="Even better if")
    await harry.get_by_role("button", name="Start with “I like the way…”").click()
    await expect(works_well).to_have_value("I like the way ")
    await expect(works_well).to_be_focused()
    await works_well.press_sequentially("it smells of honey.")
    await harry.get_by_role("button", name="Start with “Have you thought about…”").click()
    await expect(even_better).to_have_value("Have you thought about ")
    await expect(works_well).to_have_value("I like the way it smells of honey.")
    await check_page(harry, "pitch-starters")
