"""A teacher makes pupil accounts from a class list, prints the cards, and deactivates one."""

from playwright.async_api import Page, expect

from tests.browser.checks import check_page, save_screenshot
from tests.browser.conftest import OpenPage
from tests.browser.journeys import (
    TEACHER,
    create_pupils,
    go_by_menu,
    no_reload,
    sign_in,
    try_sign_in,
)


async def test_teacher_creates_accounts_and_a_pupil_signs_in_with_the_card(
    open_page: OpenPage,
) -> None:
    teacher = await open_page("desktop")
    await sign_in(teacher, *TEACHER)
    await check_page(teacher, "dashboard")

    # A mistake in the pasted list is explained; nothing is created and the list stays.
    await teacher.get_by_role("link", name="Create pupil accounts").first.click()
    await check_page(teacher, "new")
    class_list = "Poppy Harper\nFinn Cartwright, Year 3\nPoppy Harper"
    await teacher.get_by_label("Class list").fill(class_list)
    await teacher.get_by_role("button", name="Create accounts and show login cards").click()
    problems = teacher.get_by_role("alert")
    await expect(problems).to_contain_text("Line 3: Poppy Harper is also on line 1")
    await expect(teacher.get_by_label("Class list")).to_have_value(class_list)
    await check_page(teacher, "problems")

    cards = await create_pupils(teacher, "Poppy Harper\nFinn Cartwright, Year 3\nMaya Oduya, 4")
    assert [(c.name, c.username) for c in cards] == [
        ("Poppy Harper", "poppyh"),
        ("Finn Cartwright", "finnc"),
        ("Maya Oduya", "mayao"),
    ]
    assert all(len(card.password) >= 8 for card in cards)

    # Printed, the cards are all there is: no header, footer or buttons.
    await teacher.emulate_media(media="print")
    await expect(teacher.locator(".site-header")).to_be_hidden()
    await expect(teacher.get_by_text("Print these cards now")).to_be_hidden()
    await expect(teacher.locator(".login-card")).to_have_count(3)
    await save_screenshot(teacher, "cards-printed")
    await teacher.emulate_media(media="screen")

    # On another class computer, Finn signs in with his card.
    pupil = await open_page("desktop")
    finn = cards[1]
    await sign_in(pupil, finn.username, finn.password)
    await expect(pupil.get_by_role("heading", level=1)).to_have_text("Hello, Finn")
    await check_page(pupil, "pupil-dashboard")


async def test_teacher_deactivates_a_pupil_inline_without_a_reload(open_page: OpenPage) -> None:
    teacher = await open_page("desktop")
    await sign_in(teacher, *TEACHER)
    [card] = await create_pupils(teacher, "Leo Marsh, 8")

    await teacher.get_by_role("link", name="Back to pupil accounts").click()
    await expect(teacher).to_have_url("/pupils")
    await check_page(teacher, "pupils")
    row = teacher.get_by_role("row", name="Leo Marsh")
    await expect(row).to_contain_text("Active")

    # htmx swaps just the row: the page is not reloaded.
    async with no_reload(teacher):
        await row.get_by_role("button", name="Deactivate Leo Marsh").click()
        await expect(row).to_contain_text("Deactivated")
        reactivate = row.get_by_role("button", name="Reactivate Leo Marsh")
        await expect(reactivate).to_be_visible()
    await check_page(teacher, "pupil-deactivated")

    # Leo can no longer sign in, on any computer.
    pupil = await open_page("desktop")
    await try_sign_in(pupil, card.username, card.password)
    await check_page(pupil, "refused")

    # The swapped-in button keeps the keyboard focus (its id is kept), so Enter reactivates.
    await expect(reactivate).to_be_focused()
    async with no_reload(teacher):
        await teacher.keyboard.press("Enter")
        await expect(row.get_by_role("button", name="Deactivate Leo Marsh")).to_be_focused()
    await sign_in(pupil, card.username, card.password)


async def test_teacher_sees_the_pupil_list_on_a_phone(phone_page: Page) -> None:
    await sign_in(phone_page, *TEACHER)
    await go_by_menu(phone_page, "Pupil accounts")
    await expect(phone_page.get_by_role("row", name="Amelia Brown")).to_be_visible()
    await check_page(phone_page, "pupils")
