"""The cluster admin sets their cluster's colours on a phone: the settings page fits 360 px,
the header takes the new colour at once (no inline style: the CSP stays), and the page
stays readable (axe checks the contrast)."""

from playwright.async_api import expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import sign_in

ADMIN = ("admin", "cluster-admin-demo")


async def _save_colours(page, primary: str, accent: str) -> None:
    await page.get_by_label("Main colour").fill(primary)
    await page.get_by_label("Dark colour").fill(accent)
    await page.get_by_role("button", name="Save the settings").click()
    await expect(page.get_by_role("status")).to_contain_text("settings are saved")


async def test_admin_sets_the_clusters_colours_on_a_phone(open_page: OpenPage) -> None:
    admin = await open_page("phone")
    await sign_in(admin, *ADMIN)
    await admin.goto("/admin/cluster")
    await expect(admin.get_by_role("heading", level=1)).to_contain_text("settings")
    await check_page(admin, "cluster-settings")

    await admin.get_by_label("Main colour").fill("#ffeb3b")  # too pale for white text
    await admin.get_by_role("button", name="Save the settings").click()
    await expect(admin.get_by_role("alert")).to_contain_text("at least 4.5:1")

    try:
        await _save_colours(admin, "#0b3d91", "#4a148c")
        header = admin.locator(".site-header")
        await expect(header).to_have_css("background-color", "rgb(11, 61, 145)")
        await check_page(admin, "cluster-settings-coloured")
    finally:  # the other journeys see the demo's own colours
        await admin.goto("/admin/cluster")
        await _save_colours(admin, "", "")
