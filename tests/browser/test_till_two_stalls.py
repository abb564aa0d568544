"""One phone, two stalls: a pupil queues sales with no signal at stall A's till, then sells at
stall B's till (the same team's stall on another market day, so the same products). Back
online on B's till, A's sales reach A and B's reach B, each exactly once; B's till never
counts A's waiting sales as its own, and the banner says how many wait for each stall. A
ticket queued by the till before tickets kept their stall goes to the till that is open."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.checks import check_page
from tests.browser.conftest import OpenPage
from tests.browser.till_steps import (
    CANDLE,
    TOTE,
    add,
    back_online,
    demo_server,
    forget_offline_noise,
    go_offline,
    left_of,
    money,
    open_till,
    queue_again,
    queued,
    reopen_offline,
    send_again,
    service_worker_ready,
    signed_in_admin,
    takings,
    till_of,
    till_ready,
)


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory, output_dir: Path) -> Iterator[str]:
    """This module's own server (in place of conftest's), so that its second open market day
    never meets the other tests' stalls. Yields its base URL."""
    with demo_server(tmp_path_factory, output_dir, "two-stalls") as url:
        yield url


async def _second_stall(open_page: OpenPage) -> str:
    """The admin makes another market day, gives Aylsham Makers a stall on it and opens it;
    returns the stall's address."""
    admin = await signed_in_admin(open_page)
    await admin.goto("/admin/market-days")
    await admin.get_by_label("Date").fill((dt.date.today() + dt.timedelta(days=40)).isoformat())
    await admin.get_by_label("Place").fill("Aylsham Town Hall")
    await admin.get_by_label("Opens").fill("09:00")
    await admin.get_by_label("Closes").fill("13:00")
    await admin.get_by_role("button", name="Create market day").click()
    await admin.wait_for_url("**/admin/market-days/*")
    team = await admin.locator("option", has_text="Aylsham Makers").get_attribute("value")
    await admin.get_by_label("Give a stall to").select_option(team)
    await admin.get_by_role("button", name="Add stall").click()
    await admin.get_by_role("button", name="Open the market day").click()
    await expect(admin.get_by_role("link", name="Close the market day")).to_be_visible()
    return await admin.get_by_role("link", name="stall screen").get_attribute("href")


async def test_sales_queued_at_one_stall_reach_it_from_another_stalls_till(
    open_page: OpenPage, app_server: str
) -> None:
    pupil = await open_till(open_page, {CANDLE: 10, TOTE: 5})  # stall A
    till_a = pupil.url
    name_a = await pupil.locator("#till").get_attribute("data-stall-name")
    await till_of(pupil, app_server + await _second_stall(open_page), {CANDLE: 10, TOTE: 5})
    till_b = pupil.url
    await service_worker_ready(pupil)  # B's till is kept for offline use
    before_b = await takings(pupil)
    await pupil.goto(till_a)
    await till_ready(pupil)
    await service_worker_ready(pupil)
    before_a = await takings(pupil)
    banner = pupil.locator("#till-banner")
    # What the phone sends from here, said by any count that comes out wrong.
    sent: list[str] = []
    pupil.context.on(
        "request", lambda r: sent.append(r.url) if r.url.endswith("/tickets") else None
    )

    await go_offline(pupil)
    await add(pupil, CANDLE)
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # A1: £4.50
    await add(pupil, TOTE, 2)
    await pupil.get_by_role("button", name="Card", exact=True).tap()  # A2: £12.00
    await expect(banner).to_have_text(
        re.compile(r"^Offline — 2 sales waiting to send \(oldest \d\d:\d\d\)$")
    )  # all for the till that is open: no word of stalls

    # Still no signal, the phone moves to stall B's till: A's sales are not B's.
    await reopen_offline(pupil, till_b)
    await expect(banner).to_contain_text("Offline — 2 sales waiting to send (oldest ")
    await expect(banner).to_contain_text(f": 2 for {name_a}")
    await expect(pupil.locator("#takings-total")).to_have_text(money(before_b[0]))
    await expect(pupil.locator(".tile", has_text=CANDLE)).to_contain_text("10 left")
    await add(pupil, TOTE)
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # B1: £6.00
    await expect(banner).to_contain_text(f": 2 for {name_a}; 1 for this stall")
    await expect(pupil.locator("#takings-total")).to_have_text(money(before_b[0] + 600))
    await expect(pupil.locator(".tile", has_text=TOTE)).to_contain_text("4 left")
    forget_offline_noise(pupil)
    await check_page(pupil, "till-two-stalls-waiting")  # the longer banner fits 360 px

    # A ticket the till queued before tickets kept their stall: it goes to the open till's.
    kept = await queued(pupil)
    (b1,) = [entry for entry in kept if entry["total_pence"] == 600]  # B's own sale
    older = {k: v for k, v in b1.items() if k not in ("stall", "stall_name", "tickets")}
    older |= {"ticket_id": "00000000-0000-4000-8000-0000000000b2", "method": "card"}
    await queue_again(pupil, [older])
    await reopen_offline(pupil, till_b)
    await expect(banner).to_contain_text("4 sales waiting to send (oldest ")
    await expect(banner).to_contain_text(f": 2 for {name_a}; 2 for this stall")
    assert await takings(pupil, till_a) == before_a, sent  # nothing reached the server yet
    assert await takings(pupil, till_b) == before_b, sent

    await back_online(pupil)
    kept_now = await queued(pupil)
    expected_a = (before_a[0] + 450 + 1200, before_a[1] + 2)
    expected_b = (before_b[0] + 600 + 600, before_b[1] + 2)
    assert kept_now == []
    assert await takings(pupil, till_a) == expected_a, sent
    assert await takings(pupil, till_b) == expected_b, sent
    assert (await left_of(pupil, CANDLE, till_a), await left_of(pupil, TOTE, till_a)) == (9, 3)
    assert (await left_of(pupil, CANDLE, till_b), await left_of(pupil, TOTE, till_b)) == (10, 3)
    await expect(pupil.locator("#takings-total")).to_have_text(money(expected_b[0]))

    # The same tickets sent again (a phone that lost the answers) change nothing anywhere.
    await send_again(pupil, [*kept, older])
    assert await takings(pupil, till_a) == expected_a
    assert await takings(pupil, till_b) == expected_b
