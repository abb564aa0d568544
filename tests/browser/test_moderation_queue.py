"""Issue 13: a teacher approves three items at once, seeing who wrote each (name, last
initial, class) and what it answers, on a phone and on a desktop."""

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import PUPIL, TEACHER, sign_in

ISLA = ("isla", "river-puffin-56")  # Aylsham High, Year 10 (demo data)


async def comment_on_idea(page: Page, idea_title: str, text: str) -> None:
    await page.goto("/ideas")
    await page.get_by_role("link", name=idea_title).first.click()
    await page.get_by_label("Add a comment").fill(text)
    await page.get_by_role("button", name="Send to my teacher").click()


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_a_teacher_approves_three_items_at_once_with_their_context(
    open_page: OpenPage, size: str
) -> None:
    # Two pupils of Aylsham High send three things: an idea and two comments.
    amelia = await open_page("desktop")
    await sign_in(amelia, *PUPIL)
    await amelia.goto("/ideas/new")
    await amelia.get_by_label("Title").fill(f"Seed bombs ({size})")
    await amelia.get_by_label("Your idea").fill("Clay, compost and wildflower seeds.")
    await amelia.get_by_role("button", name="Send to my teacher").click()
    await comment_on_idea(amelia, "Swap shop for school uniform", f"Add PE kit too ({size})")
    isla = await open_page("desktop")
    await sign_in(isla, *ISLA)
    await comment_on_idea(isla, "A cluster compost bin at the market", f"I can help ({size})")

    # The teacher sees who wrote each and what it answers.
    teacher = await open_page(size)
    await sign_in(teacher, *TEACHER)
    await teacher.goto("/moderation")
    idea = teacher.locator("article.mod-item", has_text=f"Seed bombs ({size})")
    pe_kit = teacher.locator("article.mod-item", has_text=f"Add PE kit too ({size})")
    helping = teacher.locator("article.mod-item", has_text=f"I can help ({size})")
    await expect(idea).to_contain_text("Aylsham High School")
    await expect(idea).to_contain_text("By Amelia B. (Year 9)")
    await expect(pe_kit).to_contain_text("By Amelia B. (Year 9)")
    await expect(pe_kit.get_by_role("link", name="Swap shop for school uniform")).to_be_visible()
    await expect(helping).to_contain_text("By Isla W. (Year 10)")
    await expect(
        helping.get_by_role("link", name="A cluster compost bin at the market")
    ).to_be_visible()
    await check_page(teacher, f"queue-context-{size}")

    # Filtering by class keeps Year 9's work only (a plain GET form).
    await teacher.get_by_label("Class").select_option(label="Year 9")
    await teacher.get_by_role("button", name="Show").click()
    await expect(teacher).to_have_url(re.compile(r"/moderation\?tab=waiting&kind=&class_id=\d+$"))
    await expect(pe_kit).to_be_visible()
    await expect(helping).to_have_count(0)
    await teacher.goto("/moderation?kind=comment")
    await expect(idea).to_have_count(0)
    await expect(helping).to_be_visible()

    # Tick three, approve them together.
    await teacher.goto("/moderation")
    for item in (idea, pe_kit, helping):
        await item.get_by_label("Select for approval").check()
    await teacher.get_by_role("button", name="Approve selected").click()
    await expect(teacher.get_by_text("Approved 3 items")).to_be_visible()
    for item in (idea, pe_kit, helping):
        await expect(item).to_have_count(0)
    await check_page(teacher, f"queue-approved-{size}")

    # The cluster sees what was approved.
    await isla.goto("/ideas")
    await expect(isla.get_by_role("link", name=f"Seed bombs ({size})")).to_be_visible()


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_the_admin_pages_through_the_live_tab(open_page: OpenPage, size: str) -> None:
    """The Live tab shows ten items a page, newest first, with the total and a pager that
    fits a 360 px phone (the demo's cluster has more than ten live items)."""
    admin = await open_page(size)
    await sign_in(admin, "admin", "cluster-admin-demo")
    await admin.goto("/moderation?tab=live")
    await expect(admin.locator("article.mod-item")).to_have_count(10)
    await expect(admin.locator(".result-count")).to_contain_text("1–10 shown, newest first")
    await check_page(admin, f"live-tab-page-1-{size}")
    await admin.get_by_role("link", name="Next →").click()
    await expect(admin).to_have_url(re.compile(r"/moderation\?tab=live&page=2$"))
    await expect(admin.locator(".result-count")).to_contain_text("11–")
    await expect(admin.get_by_role("link", name="← Previous")).to_be_visible()
    await check_page(admin, f"live-tab-page-2-{size}")
