"""The pre-order shop on a slow phone connection: a tap made while the last change is still on
its way waits its turn and then counts, as itself (htmx queues it behind the first answer).

The first answer is held back by the browser for a moment, so the second tap always lands
while the first is in flight, as it does on a market-day connection."""

import asyncio
import re

from playwright.async_api import Page, Route, expect

from tests.browser.conftest import OpenPage

BASKET = re.compile(r"/basket$")


async def open_shop(open_page: OpenPage) -> Page:
    buyer = await open_page("phone")
    await buyer.goto("/")
    await buyer.get_by_role("link", name="Shop this market: pre-order").tap()
    await expect(buyer.get_by_role("heading", level=1)).to_contain_text("Pre-order for")
    await buyer.wait_for_function("() => window.htmx !== undefined")
    return buyer


async def hold_the_first_post(page: Page, seconds: float = 1.5) -> list[str]:
    """Holds the first POST to /basket back for a while; returns the bodies posted, in order."""
    posted: list[str] = []

    async def slowly(route: Route) -> None:
        if route.request.method == "POST":
            posted.append(route.request.post_data or "")
            if len(posted) == 1:
                await asyncio.sleep(seconds)
        await route.continue_()

    await page.unroute(BASKET)  # an earlier hold of this test's
    await page.route(BASKET, slowly)
    return posted


async def test_a_number_typed_then_check_out_tapped_at_once_goes_to_the_basket(
    open_page: OpenPage,
) -> None:
    """The parent types 2 and taps "Check out" before the typed number has been answered: the
    basket opens holding 2 (the tap used to be replayed as a plain update, without its button,
    and the shop just stayed)."""
    buyer = await open_shop(open_page)
    posted = await hold_the_first_post(buyer)
    await buyer.get_by_label("How many Lavender bag").fill("2")
    await buyer.get_by_role("button", name="Check out").tap()
    await expect(buyer.get_by_role("heading", level=1)).to_have_text("Your basket")
    await expect(buyer.get_by_label("Lavender bag")).to_have_value("2")
    await expect(buyer.locator(".basket-total")).to_contain_text("£4.00")
    assert len(posted) == 2 and "go=basket" in posted[1], posted


async def test_two_quick_taps_on_one_more_add_two(open_page: OpenPage) -> None:
    """Two taps on + while the first is on its way: the basket holds two, not one."""
    buyer = await open_shop(open_page)
    posted = await hold_the_first_post(buyer)
    more = buyer.get_by_role("button", name="One more Lavender bag")
    await more.tap()
    await more.tap()
    await expect(buyer.locator(".basket-bar")).to_contain_text("2 items · £4.00")
    await expect(buyer.get_by_label("How many Lavender bag")).to_have_value("2")
    assert len(posted) == 2 and all("step=" in body for body in posted), posted


async def test_a_number_being_typed_when_an_answer_arrives_is_kept(open_page: OpenPage) -> None:
    """The parent taps + on one product, then types in another's box before the + has been
    answered: the answer does not overwrite what they are typing, and leaving the box sends it
    (the whole shop used to be swapped in, the box with it, and the typed 3 became 0)."""
    buyer = await open_shop(open_page)
    posted = await hold_the_first_post(buyer)
    await buyer.get_by_role("button", name="One more Lavender bag").tap()
    field = buyer.get_by_label("How many Bird feeder")
    await field.fill("3")
    await expect(buyer.locator(".basket-bar")).to_contain_text("1 item · £2.00")  # + answered
    await expect(field).to_have_value("3")
    await expect(field).to_be_focused()
    await field.press("Tab")
    await expect(buyer.locator(".basket-bar")).to_contain_text("4 items · £11.00")
    await expect(buyer.get_by_label("How many Bird feeder")).to_have_value("3")
    assert len(posted) == 2, posted


async def test_on_the_basket_page_a_number_being_typed_is_kept_too(open_page: OpenPage) -> None:
    """The same on the basket page: one line changed, the next typed before the first change
    is answered: the second box keeps its 3 and is sent on leaving it."""
    buyer = await open_shop(open_page)
    # On the shop first: one box typed, the next typed while the first is being answered,
    # then "Check out" at once. The answer leaves the second box as typed (it changed after
    # the request left), and "Check out" sends both (the second box used to take the
    # answer's 0 and "Check out" then ordered the first product alone).
    await hold_the_first_post(buyer)
    for name in ("Lavender bag", "Bird feeder"):
        await buyer.get_by_label(f"How many {name}").fill("1")
    await buyer.get_by_role("button", name="Check out").tap()
    await expect(buyer.get_by_role("heading", level=1)).to_have_text("Your basket")
    await expect(buyer.locator(".basket-total")).to_contain_text("£5.00")
    await buyer.wait_for_function("() => window.htmx !== undefined")
    posted = await hold_the_first_post(buyer)
    await buyer.get_by_label("Lavender bag").fill("2")
    field = buyer.get_by_label("Bird feeder")
    await field.fill("3")  # the lavender's change is sent as the parent moves here
    await expect(buyer.locator(".basket-total")).to_contain_text("£7.00")  # 2 × £2 + 1 × £3
    await expect(field).to_have_value("3")
    await field.press("Tab")
    await expect(buyer.locator(".basket-total")).to_contain_text("£13.00")
    assert len(posted) == 2, posted
