"""Steps that several journeys share, done the way a person does them (labels, buttons)."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import Page, expect

from tests.browser.checks import check_page

# The demo data's sign-ins (README), loaded into every browser test server.
TEACHER = ("staylor", "teacher-demo-1")
PUPIL = ("ameliab", "apple-otter-12")
PARENT = ("jpatel", "parent-demo-1")


@dataclass
class LoginCard:
    name: str
    username: str
    password: str


async def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in with the form and land on the dashboard."""
    await page.goto("/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page).to_have_url("/dashboard")


async def try_sign_in(page: Page, username: str, password: str) -> None:
    """Sign in expecting to be refused: the message is shown and we stay on /login."""
    await page.goto("/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text("do not match")
    await expect(page).to_have_url("/login")


async def create_pupils(page: Page, class_list: str, label: str = "cards") -> list[LoginCard]:
    """A signed-in teacher pastes a class list and gets the login cards (checked, screenshot)."""
    await page.goto("/dashboard")
    await page.get_by_role("link", name="Create pupil accounts").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Create pupil accounts")
    await page.get_by_label("Class list").fill(class_list)
    await page.get_by_role("button", name="Create accounts and show login cards").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Login cards")
    await check_page(page, label)
    cards = []
    for card in await page.locator(".login-card").all():
        codes = card.locator("dd code")
        cards.append(
            LoginCard(
                name=await card.locator(".card-name").inner_text(),
                username=await codes.nth(0).inner_text(),
                password=await codes.nth(1).inner_text(),
            )
        )
    return cards


async def tab_to(page: Page, target, most: int = 25) -> None:
    """Press Tab (only Tab) until `target` has the focus, as a keyboard user does."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        if await target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{most} presses of Tab never reached {target}")
