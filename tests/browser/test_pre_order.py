"""A parent pre-orders on a phone: from the home page to a paid order in five taps (against
the Stripe stand-in), and quantities the stall cannot honour are never ordered."""

import re

from playwright.async_api import Page, expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import htmx_settled, no_reload


class Taps:
    """Counts the parent's taps (typing in a field is not a tap)."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0

    async def tap(self, locator) -> None:
        self.count += 1
        await locator.tap()


def basket_bar(page: Page):
    return page.locator(".basket-bar")


async def test_parent_goes_from_home_to_a_paid_order_in_five_taps(open_page: OpenPage) -> None:
    buyer = await open_page("phone")
    taps = Taps(buyer)
    await buyer.goto("/")
    await check_page(buyer, "home")
    await taps.tap(buyer.get_by_role("link", name="Shop this market: pre-order"))
    await expect(buyer.get_by_role("heading", level=1)).to_contain_text("Pre-order for")
    await expect(buyer.locator(".shop-card img.thumb").first).to_be_visible()
    await check_page(buyer, "shop")

    async with no_reload(buyer):
        await taps.tap(buyer.get_by_role("button", name="One more Lavender bag"))
        await expect(basket_bar(buyer)).to_contain_text("1 item · £2.00")
    await expect(buyer.get_by_label("How many Lavender bag")).to_have_value("1")
    await check_page(buyer, "shop-one-in-basket")
    # The bar stays in view while the parent scrolls the products.
    await buyer.mouse.wheel(0, 2000)
    await expect(basket_bar(buyer)).to_be_in_viewport()

    await taps.tap(buyer.get_by_role("button", name="Check out"))
    await expect(buyer.get_by_role("heading", level=1)).to_have_text("Your basket")
    await expect(buyer.locator(".basket-total")).to_contain_text("£2.00")
    await buyer.get_by_label("Your name").fill("Jaya Patel")
    await buyer.get_by_label("Your e-mail").fill("jaya@example.org")
    await check_page(buyer, "basket")
    await taps.tap(buyer.get_by_role("button", name="Pay online"))

    # Straight to the (stand-in) payment page: pay, and come back to the receipt.
    await expect(buyer.get_by_role("heading", name="Test payment")).to_be_visible()
    await taps.tap(buyer.get_by_role("button", name="Pay"))
    await expect(buyer.get_by_text("Paid, thank you.")).to_be_visible()
    await expect(buyer.locator("main")).to_contain_text("Lavender bag")
    await expect(buyer.locator("main")).to_contain_text("£2.00")
    await check_page(buyer, "paid")
    assert taps.count <= 5, f"{taps.count} taps from the home page to a paid order"


async def test_quantities_the_stall_cannot_honour_are_never_ordered(
    open_page: OpenPage,
) -> None:
    """99, −3 and 1.5 typed: each gets a message by its field, the basket bar keeps what the
    basket really holds, and the order placed is exactly what the page said."""
    buyer = await open_page("phone")
    await buyer.goto("/products")
    await buyer.get_by_role("link", name="Bird feeder").first.tap()
    await expect(
        buyer.get_by_role("heading", level=2, name=re.compile("Pre-order for"))
    ).to_be_visible()
    await check_page(buyer, "product-offer")
    await buyer.get_by_label("How many").fill("2")
    await buyer.get_by_role("button", name="Add to my basket").tap()
    await expect(buyer.get_by_role("heading", level=1)).to_have_text("Your basket")
    await buyer.get_by_role("link", name="Add other products").tap()

    field = buyer.get_by_label("How many Bird feeder")
    await expect(field).to_have_value("2")
    message = buyer.locator("#product-" + (await field.get_attribute("id")).removeprefix("qty-"))
    for typed, says in [
        ("99", r"Bird feeder: only \d+ left to pre-order\. Your basket keeps 2\."),
        ("-3", r"Bird feeder: choose from 0 to \d+\. Your basket keeps 2\."),
        ("1.5", r"Bird feeder: type a whole number, like 2\. Your basket keeps 2\."),
    ]:
        async with no_reload(buyer):
            await field.fill(typed)
            await field.press("Tab")  # the change is sent as the parent leaves the field
            await expect(message.locator(".field-error")).to_have_text(re.compile(says))
        await expect(field).to_have_value(typed)
        await expect(field).to_have_attribute("aria-invalid", "true")
        await expect(basket_bar(buyer)).to_contain_text("2 items · £6.00")
        await check_page(buyer, f"shop-refused-{typed.replace('.', '_')}")

    # "Check out" with 1.5 still in the box: the message stays, nothing else changes.
    # (the answer is swapped in before the next step, so it cannot overwrite what comes next)
    async with htmx_settled(buyer):
        await buyer.get_by_role("button", name="Check out").tap()
    await expect(message.locator(".field-error")).to_contain_text("whole number")
    await expect(basket_bar(buyer)).to_contain_text("2 items · £6.00")
    await field.fill("2")
    await buyer.get_by_role("button", name="Check out").tap()
    await expect(buyer.get_by_role("heading", level=1)).to_have_text("Your basket")
    await expect(buyer.locator(".basket-total")).to_contain_text("£6.00")

    # On the basket page, a bad number typed and "Pay" pressed at once orders nothing.
    await buyer.get_by_label("Bird feeder").fill("99")
    await buyer.get_by_label("Your name").fill("Sam Carter")
    await buyer.get_by_label("Your e-mail").fill("sam@example.org")
    await buyer.get_by_role("button", name="Pay online").tap()
    await expect(buyer.locator(".field-error")).to_contain_text("only")
    await expect(buyer.locator(".basket-total")).to_contain_text("£6.00")
    await expect(buyer).to_have_url(re.compile(r"/basket$"))
    await check_page(buyer, "basket-refused")

    # A good number typed and "Pay" pressed at once: the new total is shown first, and only
    # a second "Pay" (on the total now shown) orders it.
    await buyer.get_by_label("Bird feeder").fill("3")
    await buyer.get_by_role("button", name="Pay online").tap()
    await expect(buyer.locator(".basket-total")).to_contain_text("£9.00")
    await expect(buyer).to_have_url(re.compile(r"/basket$"))
    await buyer.get_by_role("button", name="Pay online").tap()
    await expect(buyer.get_by_role("heading", name="Test payment")).to_be_visible()
    await expect(buyer.locator("body")).to_contain_text("£9.00")
    await buyer.get_by_role("button", name="Pay").tap()
    await expect(buyer.get_by_text("Paid, thank you.")).to_be_visible()
    await expect(buyer.locator("main")).to_contain_text("3 × £3.00")
    await expect(buyer.locator("main")).to_contain_text("£9.00")
