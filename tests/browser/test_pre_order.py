"""A parent pre-orders on a phone and pays online (against the Stripe stand-in)."""

from playwright.async_api import expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage


async def test_parent_pre_orders_and_pays_online(open_page: OpenPage) -> None:
    buyer = await open_page("phone")
    await buyer.goto("/market-days")
    upcoming = buyer.get_by_role("listitem").filter(has_text="Planned")
    await upcoming.get_by_role("link").first.tap()
    await buyer.get_by_role("link", name="Pre-order from this market").tap()
    await expect(buyer.get_by_role("heading", level=1)).to_contain_text("Pre-order for")
    await check_page(buyer, "pre-order")

    await buyer.get_by_label("Lavender bag").fill("2")
    await buyer.get_by_role("button", name="Put in my basket").tap()
    await expect(buyer.get_by_role("heading", level=1)).to_have_text("Your basket")
    await buyer.get_by_label("Your name").fill("Jaya Patel")
    await buyer.get_by_label("Your e-mail").fill("jaya@example.org")
    await check_page(buyer, "basket")
    await buyer.get_by_role("button", name="Pay online").tap()

    # The point where the payment page opens: the order holds the stock meanwhile.
    pay = buyer.get_by_role("link", name="Pay £4.00 securely with Stripe")
    await expect(pay).to_be_visible()
    await check_page(buyer, "pay")
    await pay.tap()

    # The stand-in's checkout page (not the app's): pay, and come back.
    await expect(buyer.get_by_role("heading", name="Test payment")).to_be_visible()
    await buyer.get_by_role("button", name="Pay").tap()
    await expect(buyer.get_by_text("Paid, thank you.")).to_be_visible()
    await expect(buyer.locator("main")).to_contain_text("Lavender bag")
    await check_page(buyer, "paid")
