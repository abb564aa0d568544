"""Steps that several journeys share, done the way a person does them (labels, buttons)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from playwright.async_api import Frame, Page, expect

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


async def sign_in(page: Page, username: str, password: str, root: str = "") -> None:
    """Sign in with the form and land on the dashboard; `root`: a cluster's `/c/<slug>`."""
    await page.goto(f"{root}/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page).to_have_url(f"{root}/dashboard")


async def go_by_menu(page: Page, link: str) -> None:
    """Follow a link of the site menu; on a phone first open it with its one Menu button."""
    menu = page.locator("summary", has_text="Menu")
    if await menu.is_visible():
        await menu.click()
    await page.get_by_role("navigation", name="Main").get_by_role("link", name=link).click()


async def go_to_stall(pupil: Page, team: str = "Aylsham Makers") -> str:
    """From the dashboard to the team's stall on the open market day; returns its URL."""
    await pupil.get_by_role("link", name=f"{team}: stall, money and profit").tap()
    open_stall = pupil.get_by_role("listitem").filter(has_text="market open")
    await open_stall.get_by_role("link").first.tap()
    await pupil.wait_for_url("**/stalls/*")
    return pupil.url


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


async def tab_to(page: Page, target, most: int = 25, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, as a keyboard user does."""
    for _ in range(most):
        await page.keyboard.press(key)
        if await target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{most} presses of {key} never reached {target}")


@asynccontextmanager
async def no_reload(page: Page) -> AsyncIterator[None]:
    """What happens in the block is done by htmx in place: the page is neither reloaded nor
    left (a marker set on window survives, and the browser made no navigation)."""
    await page.wait_for_function("() => window.htmx !== undefined")
    navigations: list[str] = []

    def on_navigation(frame: Frame) -> None:
        if frame == page.main_frame:
            navigations.append(frame.url)

    page.on("framenavigated", on_navigation)
    await page.evaluate("() => { window.stillTheSamePage = true; }")
    try:
        yield
    finally:
        page.remove_listener("framenavigated", on_navigation)
    assert navigations == [], f"the page navigated to {navigations}"
    assert await page.evaluate("() => window.stillTheSamePage === true"), "the page reloaded"


@asynccontextmanager
async def htmx_settled(page: Page) -> AsyncIterator[None]:
    """The block's request is answered and its answer swapped in and settled before the test
    goes on (the answer arriving is not enough: until htmx swaps it in, a field filled next
    would be overwritten by the answer's copy of it)."""
    await page.wait_for_function("() => window.htmx !== undefined")
    await page.evaluate(
        """() => { window.settledSwaps = 0;
            document.body.addEventListener("htmx:afterSettle", () => { window.settledSwaps += 1; },
                                           { once: true }); }"""
    )
    yield
    await page.wait_for_function("() => window.settledSwaps > 0")


def sample_photo(folder: Path, name: str = "photo.jpg", size: tuple[int, int] = (800, 600)) -> Path:
    """A small real JPEG to upload (the photo of a product, not of a child)."""
    path = folder / name
    Image.new("RGB", size, (240, 200, 80)).save(path, "JPEG", quality=80)
    return path
