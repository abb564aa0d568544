"""Market day: the admin opens it; a pupil runs the stall on a phone, tap by tap."""

from playwright.async_api import expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import PUPIL, go_to_stall, no_reload, sign_in, tab_to

ADMIN = ("admin", "cluster-admin-demo")


async def test_pupil_sells_at_the_stall_on_a_phone(open_page: OpenPage) -> None:
    # The admin opens the next market day (the planned one).
    admin = await open_page("desktop")
    await sign_in(admin, *ADMIN)
    await admin.goto("/admin/market-days")
    planned = admin.get_by_role("row").filter(has_text="planned").first
    await planned.get_by_role("link").click()
    await admin.get_by_role("button", name="Open the market day").click()
    await expect(admin.get_by_role("link", name="Close the market day")).to_be_visible()
    await check_page(admin, "market-day-open")

    # A pupil at the stall, on a phone: the team's market page, then the stall.
    pupil = await open_page("phone")
    await sign_in(pupil, *PUPIL)
    stall_url = await go_to_stall(pupil)

    # Only two tote bags came today.
    await pupil.get_by_role("link", name="What we bring").tap()
    await pupil.get_by_label("Printed tote bag").fill("2")
    await pupil.get_by_role("button", name="Save").tap()
    await pupil.wait_for_url(stall_url)
    await pupil.get_by_label("Starting float in the cash tin (£)").fill("20.00")
    await pupil.get_by_role("button", name="Open the stall").tap()
    await expect(pupil.locator(".takings-total")).to_be_visible()
    await check_page(pupil, "stall-open")

    takings = pupil.locator(".takings-total")
    tote = pupil.locator("li.tap", has_text="Printed tote bag")
    async with no_reload(pupil):
        await tote.get_by_role("button", name="Sell one Printed tote bag, cash").tap()
        await expect(takings).to_contain_text("£6.00")
        await expect(tote).to_contain_text("1 left")
        await tote.get_by_role("button", name="Sell one Printed tote bag, card").tap()
        await expect(takings).to_contain_text("£12.00")
        # The last one is gone: sold out, and no button to sell another.
        await expect(tote).to_contain_text("Sold out")
        await expect(tote.get_by_role("button")).to_have_count(0)
    await check_page(pupil, "sold-out")

    # Keyboard only: a candle sold with Tab and Enter.
    candle = pupil.locator("li.tap", has_text="Beeswax candle")
    cash = candle.get_by_role("button", name="Sell one Beeswax candle, cash")
    await tab_to(pupil, cash, most=40)
    async with no_reload(pupil):
        await pupil.keyboard.press("Enter")
        await expect(takings).to_contain_text("£16.50")

    # The public market day page shows the tote bags as sold out.
    visitor = await open_page("phone")
    await visitor.goto("/market-days")
    today = visitor.get_by_role("listitem").filter(has_text="Open")
    await today.get_by_role("link").first.tap()
    await expect(visitor.locator("main")).to_contain_text("Sold out")
    await expect(visitor.locator("main")).not_to_contain_text("Amelia")
    await check_page(visitor, "public-market-day")
