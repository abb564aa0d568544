"""A signed-out visitor browses the public site on a computer and on a phone."""

import pytest
from playwright.async_api import expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import go_by_menu


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_visitor_browses_the_schools(open_page: OpenPage, size: str) -> None:
    page = await open_page(size)
    await page.goto("/")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Made by pupils of the Aylsham Cluster"
    )
    await expect(page.get_by_role("heading", name="Next market day")).to_be_visible()
    await check_page(page, "home")

    await go_by_menu(page, "Schools")
    await expect(page).to_have_url("/schools")
    await expect(page.get_by_role("main").get_by_role("listitem")).to_have_count(10)
    await check_page(page, "schools")

    await page.get_by_role("link", name="Aylsham High School").click()
    await expect(page).to_have_url("/schools/aylsham-high")
    await expect(page.get_by_role("heading", name="Aylsham Makers")).to_be_visible()
    # Public pages never name a pupil.
    await expect(page.get_by_text("Amelia")).to_have_count(0)
    await check_page(page, "school")

    response = await page.goto("/no-such-page")
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    await check_page(page, "not-found")
    await page.get_by_role("link", name="Go to the home page").click()
    await expect(page).to_have_url("/")
