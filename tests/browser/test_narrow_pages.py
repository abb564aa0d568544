"""Every page with a table or a filter fits a 360 px phone: the admin and a teacher look at
their lists on a phone (tables become stacked cards, nothing is cut off)."""

from playwright.async_api import expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import TEACHER, go_by_menu, sign_in

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
