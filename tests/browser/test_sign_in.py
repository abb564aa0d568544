"""A pupil signs in on a class computer with the keyboard alone."""

from playwright.async_api import Page, expect

from tests.browser.checks import assert_focus_visible, check_page, save_screenshot
from tests.browser.journeys import PARENT, PUPIL, go_by_menu, tab_to


async def test_pupil_signs_in_with_the_keyboard_only(desktop_page: Page) -> None:
    page = desktop_page
    username, password = PUPIL
    await page.goto("/")

    # The first Tab shows the skip link, which jumps past the header to the content.
    await page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    await assert_focus_visible(skip_link)
    await expect(skip_link).to_be_in_viewport()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("main")).to_be_focused()
    # Back up into the header to "Sign in".
    await tab_to(page, page.get_by_role("link", name="Sign in"), key="Shift+Tab")
    await assert_focus_visible(page.get_by_role("link", name="Sign in"))
    await save_screenshot(page, "focus-on-sign-in")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url("/login")
    await expect(page.get_by_label("Username")).to_be_focused()
    await check_page(page, "login")

    # A wrong password: the message says so and the username is kept.
    await page.keyboard.type(username)
    await page.keyboard.press("Tab")
    await page.keyboard.type("not-my-password")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("alert")).to_have_text(
        "That username and password do not match. Check the spelling and try again."
    )
    await expect(page.get_by_label("Username")).to_have_value(username)
    await check_page(page, "wrong-password")

    # The right one: on to the pupil's dashboard.
    await tab_to(page, page.get_by_label("Password"))
    await assert_focus_visible(page.get_by_label("Password"))
    await page.keyboard.type(password)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url("/dashboard")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Amelia")
    await expect(page.get_by_role("heading", name="My teams")).to_be_visible()
    await check_page(page, "dashboard")

    # And out again, still by keyboard.
    await tab_to(page, page.get_by_role("button", name="Sign out"))
    await page.keyboard.press("Enter")
    await expect(page).to_have_url("/")
    await expect(page.get_by_role("link", name="Sign in")).to_be_visible()


async def test_parent_signs_in_on_a_phone(phone_page: Page) -> None:
    page = phone_page
    await page.goto("/")
    await go_by_menu(page, "Sign in")
    await check_page(page, "login")
    await page.get_by_label("Username").fill(PARENT[0])
    await page.get_by_label("Password").fill(PARENT[1])
    await page.get_by_role("button", name="Sign in", exact=True).tap()
    await expect(page).to_have_url("/dashboard")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Jaya")
    await check_page(page, "dashboard")
