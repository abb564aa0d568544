"""Issue 13: the admin sets up a ballot with three options; a parent votes on a phone
(360 px), finds no tally while it is open, and after the admin closes it early sees the
turnout and the result."""

import datetime as dt

from playwright.async_api import expect

from clustermarket.timeutil import UK
from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import PARENT, PUPIL, sign_in

ADMIN = ("admin", "cluster-admin-demo")
QUESTION = "Where should the spring market be held?"


async def test_a_member_votes_on_a_phone_and_sees_the_result_after_closing(
    open_page: OpenPage,
) -> None:
    admin = await open_page("desktop")
    await sign_in(admin, *ADMIN)
    await admin.goto("/admin/coop/ballots")
    await admin.get_by_label("Question").fill(QUESTION)
    await admin.get_by_label("Options, one a line").fill(
        "Aylsham Town Hall\nThe High School hall\nThe Market Place"
    )
    closes = (dt.datetime.now(UK) + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    await admin.get_by_label("Closes at (UK time)").fill(closes)
    await admin.get_by_role("button", name="Set up the ballot").click()
    await expect(admin.get_by_role("heading", level=1)).to_have_text(QUESTION)
    await expect(admin.get_by_text("Open until")).to_be_visible()

    pupil = await open_page("desktop")
    await sign_in(pupil, *PUPIL)
    await pupil.goto("/coop")
    await pupil.get_by_role("link", name=QUESTION).click()
    await pupil.get_by_label("The Market Place").check()
    await pupil.get_by_role("button", name="Vote").click()
    await expect(pupil.get_by_text("Thank you: your vote is counted.")).to_be_visible()

    parent = await open_page("phone")
    await sign_in(parent, *PARENT)
    await parent.get_by_role("contentinfo").get_by_role("link", name="The co-op").click()
    await expect(parent).to_have_url("/coop")
    await parent.get_by_role("link", name=QUESTION).click()
    await check_page(parent, "ballot-open-phone")
    await parent.get_by_label("Aylsham Town Hall").check()
    await parent.get_by_role("button", name="Vote").click()
    await expect(parent.get_by_text("You voted Aylsham Town Hall.")).to_be_visible()
    await expect(parent.get_by_text("Turnout")).to_have_count(0)  # no tally while open
    await expect(parent.get_by_role("radio")).to_have_count(0)  # one vote

    await admin.goto("/admin/coop/ballots")
    item = admin.locator("li", has_text=QUESTION)
    await item.get_by_role("button", name="Close now").click()
    await expect(admin.get_by_role("heading", name="Result")).to_be_visible()

    await parent.reload()
    result = parent.get_by_role("region", name="Result")
    await expect(result).to_contain_text("A tie")
    await expect(result).to_contain_text("between Aylsham Town Hall and The Market Place")
    await expect(result.get_by_role("row", name="The High School hall 0")).to_be_visible()
    await expect(parent.locator("#turnout")).to_contain_text("Turnout:")
    await expect(parent.locator("#turnout")).to_contain_text("(2 of ")
    await check_page(parent, "ballot-result-phone")


async def test_an_approved_groups_contact_chooses_a_password_on_a_phone(
    open_page: OpenPage,
) -> None:
    admin = await open_page("desktop")
    await sign_in(admin, *ADMIN)
    await admin.goto("/admin/coop")
    rotary = admin.locator("li", has_text="Aylsham Rotary Club")
    await rotary.get_by_role("button", name="Approve").click()
    await expect(admin.get_by_text("username rotary")).to_be_visible()
    link = await admin.get_by_role("textbox", name="Link").input_value()
    assert "/coop/welcome/" in link

    contact = await open_page("phone")
    await contact.goto(link)
    await expect(contact.get_by_text("Your username is rotary")).to_be_visible()
    await check_page(contact, "contact-welcome-phone")
    await contact.get_by_label("New password").fill("rotary-club-2026")
    await contact.get_by_label("The same password again").fill("rotary-club-2026")
    await contact.get_by_role("button", name="Set my password").click()
    await expect(contact.get_by_text("Your password is set. Sign in as rotary.")).to_be_visible()
    await sign_in(contact, "rotary", "rotary-club-2026")
    await contact.goto("/coop")
    await expect(contact.get_by_role("heading", name="Ballots")).to_be_visible()
