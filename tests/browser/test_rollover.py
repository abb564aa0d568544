"""The summer at Erpingham (demo data): Mrs Shah previews and moves three classes up, Year 6
leaves, Harry is handed over to Aylsham High (his project stays under Erpingham Bees; Aylsham
High's teacher now moderates his new idea) and the admin erases Jack after the date set."""

from __future__ import annotations

import re

from playwright.async_api import expect

from clustermarket.timeutil import today_uk
from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import TEACHER, sign_in, try_sign_in

PSHAH = ("pshah", "teacher-demo-3")
HARRY = ("harryp", "robin-cake-65")
JACK = ("jackb", "maple-swan-53")
ADMIN = ("admin", "cluster-admin-demo")


async def test_the_summer_rollover_at_erpingham(open_page: OpenPage) -> None:
    teacher = await open_page("desktop")
    await sign_in(teacher, *PSHAH)
    await teacher.get_by_role("link", name="Classes").first.click()
    await teacher.get_by_role("link", name="Summer: move classes up a year").click()
    preview = teacher.locator("#rollover-preview")
    await expect(preview).to_contain_text("Year 3 (Year 3) becomes Year 4 (Year 4), 1 pupil")
    await expect(preview).to_contain_text("Year 4 (Year 4) becomes Year 5 (Year 5), 1 pupil")
    await expect(preview).to_contain_text("Year 5 (Year 5) becomes Year 6 (Year 6), 1 pupil")
    await expect(preview).to_contain_text("Year 6: 2 pupils leave the school: Harry P., Jack B.")
    await check_page(teacher, "preview")
    await teacher.get_by_label(re.compile("I have checked the preview")).check()
    await teacher.get_by_role("button", name="Move the classes up").click()
    await expect(teacher.get_by_role("status").first).to_contain_text("moved up a year")
    await check_page(teacher, "leavers")

    # Harry goes to Aylsham High; Jack does not.
    await teacher.get_by_label(re.compile("Harry Price")).check()
    await teacher.get_by_role("button", name=re.compile("Hand the ticked pupils over")).click()
    await expect(teacher.get_by_role("status").first).to_contain_text("handed over")

    # His project still shows under his old team, for everyone.
    visitor = await open_page("phone")
    await visitor.goto("/teams/erpingham-bees")
    await expect(visitor.get_by_text("Our school garden").first).to_be_visible()

    # Harry, now at Aylsham High, sends an idea: Aylsham High's teacher moderates it.
    harry = await open_page("desktop")
    await sign_in(harry, *HARRY)
    await harry.goto("/ideas/new")
    await harry.get_by_label("Title").fill("Book swap at the High")
    await harry.get_by_label("Your idea").fill("Bring a book, take a book.")
    await harry.get_by_role("button", name="Send to my teacher").click()
    high = await open_page("desktop")
    await sign_in(high, *TEACHER)
    await high.goto("/moderation")
    await expect(high.get_by_text("Book swap at the High").first).to_be_visible()
    await teacher.goto("/moderation")
    await expect(teacher.get_by_text("Book swap at the High")).to_have_count(0)

    # The admin sets the erase date to today: Jack is listed, then erased.
    admin = await open_page("desktop")
    await sign_in(admin, *ADMIN)
    await admin.goto("/classes/rollover")
    await admin.get_by_label("School").select_option(label="Erpingham Primary School")
    await admin.get_by_role("button", name="Show").click()
    await admin.get_by_label("Erase these leavers after").fill(today_uk().isoformat())
    await admin.get_by_role("button", name="Set the date").click()
    await expect(admin.locator("#erase-preview")).to_have_text("Jack Bell (jackb)")
    await check_page(admin, "erase-preview")
    await admin.get_by_label(re.compile("Erase these leavers' accounts")).check()
    await admin.get_by_role("button", name="Erase the leavers listed").click()
    await expect(admin.get_by_role("status").first).to_contain_text("1 leaver(s) erased")
    jack = await open_page("desktop")
    await try_sign_in(jack, *JACK)
