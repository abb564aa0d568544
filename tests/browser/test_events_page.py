"""A parent opens the cluster's events on a phone: cards fit 360 px, the private transition
day is not there, and an event shows what a team will present."""

from playwright.async_api import expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import go_by_menu


async def test_parent_reads_the_events_on_a_phone(open_page: OpenPage) -> None:
    page = await open_page("phone")
    await page.goto("/")
    await go_by_menu(page, "Events")
    await expect(page).to_have_url("/events")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    await expect(page.get_by_role("link", name="Rotary Family Learning Day")).to_be_visible()
    await expect(page.get_by_text("Year 6 transition day")).to_have_count(0)
    await check_page(page, "events")

    await page.get_by_role("link", name="Autumn eco meet-up").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Autumn eco meet-up")
    await expect(page.get_by_role("link", name="Bottle-top recycling")).to_be_visible()
    await check_page(page, "event")
