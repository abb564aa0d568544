"""Every page with a table or a filter fits a 360 px phone: the admin and a teacher look at
their lists on a phone (tables become stacked cards, nothing is cut off)."""

import pytest
from playwright.async_api import expect

from tests.browser.checks import assert_header_apart, check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import PUPIL, TEACHER, go_by_menu, sign_in

ADMIN = ("admin", "cluster-admin-demo")


async def test_admin_reads_every_list_on_a_phone(open_page: OpenPage) -> None:
    admin = await open_page("phone")
    await sign_in(admin, *ADMIN)
    pages = [
        ("/moderation/log", "moderation-log", "Moderation log"),
        ("/reports", "reports", "Reports"),
        ("/reports?report=cluster&range=year", "reports-cluster", "Reports"),
        ("/reports?report=products&range=year", "reports-products", "Reports"),
        ("/account", "account", "My account"),
        ("/staff/orders", "staff-orders", "Pre-orders"),
        ("/admin/market-days", "admin-market-days", "Market days"),
        ("/admin/staff", "admin-staff", "Staff"),
        ("/ideas", "ideas", "Ideas"),
    ]
    for path, label, heading in pages:
        await admin.goto(path)
        await expect(admin.get_by_role("heading", level=1)).to_contain_text(heading)
        await check_page(admin, label)


async def test_teacher_reads_team_money_on_a_phone(open_page: OpenPage) -> None:
    teacher = await open_page("phone")
    await sign_in(teacher, *TEACHER)
    await go_by_menu(teacher, "Pre-orders")
    await check_page(teacher, "pre-orders")
    await teacher.goto("/teams/1/market")
    await expect(teacher.get_by_role("heading", name="Profit and loss")).to_be_visible()
    await check_page(teacher, "profit-and-loss")


async def _each_fits(page, pages: list[tuple[str, str]]) -> None:
    for path, label in pages:
        response = await page.goto(path)
        assert response is not None and response.status < 500, (path, response)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await check_page(page, label)


async def test_the_new_pages_fit_a_phone(open_page: OpenPage) -> None:
    """The forum, the co-op and its ballots, reports over each range and the account page,
    as the admin, a teacher and a pupil (demo data)."""
    admin = await open_page("phone")
    await sign_in(admin, *ADMIN)
    await _each_fits(
        admin,
        [
            ("/admin/coop/ballots", "admin-ballots"),
            ("/admin/coop", "admin-coop"),
            ("/coop/votes/1", "ballot-open"),
            ("/coop/votes/2", "ballot-closed"),
            ("/reports?range=market", "reports-market"),
            ("/reports?range=term", "reports-term"),
            ("/reports?report=cluster&range=term", "reports-cluster-term"),
            ("/reports?from=2026-09-01&to=2026-12-31", "reports-from-to"),
            ("/reports?from=2026-02-30&to=2026-12-31", "reports-bad-date"),
        ],
    )
    await expect(admin.locator("main")).to_contain_text("2026-02-30")  # kept as typed
    teacher = await open_page("phone")
    await sign_in(teacher, *TEACHER)
    await _each_fits(
        teacher,
        [
            ("/reports?range=year", "teacher-reports-year"),
            ("/reports?range=market", "teacher-reports-market"),
            ("/account", "teacher-account"),
            ("/forum/new", "teacher-forum-new"),
        ],
    )
    pupil = await open_page("phone")
    await sign_in(pupil, *PUPIL)
    await _each_fits(
        pupil,
        [
            ("/forum", "pupil-forum"),
            ("/forum/2", "pupil-forum-thread"),
            ("/forum/new", "pupil-forum-new"),
            ("/coop", "pupil-coop"),
            ("/coop/votes/1", "pupil-ballot"),
            ("/ideas/1/edit", "pupil-idea-edit"),
        ],
    )
    visitor = await open_page("phone")
    await _each_fits(visitor, [("/coop", "visitor-coop"), ("/coop/apply", "coop-apply")])


HEADER_WIDTHS = (360, 768, 1024, 1280)
ROLES = {"visitor": None, "pupil": PUPIL, "teacher": TEACHER, "admin": ADMIN}


@pytest.mark.parametrize("role", list(ROLES))
async def test_the_headers_title_never_overlaps_the_menu_at_any_width(
    open_page: OpenPage, role: str
) -> None:
    """Found at 1280 px as the admin: "Cluster Market" ran into "Products". Every role's menu
    (the longest is the admin's), at a phone's, a tablet's and two desktops' widths, with the
    menu closed and open."""
    page = await open_page("desktop")
    if ROLES[role] is not None:
        await sign_in(page, *ROLES[role])
    await page.goto("/products")
    overlaps = []  # every width's, so a failure names them all
    for width in HEADER_WIDTHS:
        await page.set_viewport_size({"width": width, "height": 800})
        menu_button = page.locator(".menu-button")
        opened = [False, True] if await menu_button.is_visible() else [False]
        for open_menu in opened:  # the menu opened below the title, on a narrow screen
            if open_menu:
                await menu_button.click()
            try:
                await assert_header_apart(page)
            except AssertionError as overlap:
                overlaps.append(str(overlap))
            if open_menu:
                await menu_button.click()
    assert not overlaps, f"{role}:\n" + "\n".join(overlaps)
