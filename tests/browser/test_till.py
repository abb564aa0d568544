"""The till on a phone: tickets of several lines, undo, and selling on with no signal."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import Page, Route, expect

from tests.browser.checks import _info, check_page
from tests.browser.conftest import OpenPage
from tests.browser.till_steps import (
    CANDLE,
    TOTE,
    add,
    another_phone,
    answer_busy,
    back_online,
    dismissed_dialogs,
    eventually,
    go_offline,
    how_many,
    left_of,
    money,
    open_till,
    queued,
    reopen_offline,
    send_again,
    service_worker_ready,
    takings,
    tile,
)


async def _timed_tap(page: Page, name: str) -> float:
    """Milliseconds from a tap on a tile to the ticket changing on screen (next frame)."""
    await tile(page, name).locator(".tile-face").scroll_into_view_if_needed()
    return await page.evaluate(
        """(name) => new Promise((done) => {
            const lines = document.getElementById('ticket-lines');
            const face = [...document.querySelectorAll('.tile')]
                .find((t) => t.dataset.name === name).querySelector('.tile-face');
            let t0 = 0;
            new MutationObserver((_, observer) => {
                observer.disconnect();
                requestAnimationFrame(() => done(performance.now() - t0));
            }).observe(lines, {childList: true, subtree: true, characterData: true});
            t0 = performance.now();
            face.click();
        })""",
        name,
    )


async def test_a_three_line_cash_ticket_with_change(open_page: OpenPage) -> None:
    pupil = await open_till(open_page, {CANDLE: 10, TOTE: 5})
    before = await takings(pupil)
    await check_page(pupil, "till")
    online_ms = await _timed_tap(pupil, CANDLE)
    print(f"\ntap → ticket changed, online: {online_ms:.1f} ms")
    await add(pupil, CANDLE)
    await add(pupil, TOTE)
    await pupil.locator("summary", has_text="Custom amount").tap()
    await pupil.get_by_label("Amount (£)").fill("1.50")
    await pupil.get_by_role("button", name="Add to ticket").tap()
    lines = pupil.locator("#ticket-lines li")
    await expect(lines).to_have_count(3)
    await expect(pupil.locator("#ticket-total")).to_have_text("£16.50")
    await pupil.get_by_label("Handed over (£)").fill("20")
    await expect(pupil.locator("#change")).to_have_text("£3.50")
    handed = await pupil.get_by_label("Handed over (£)").bounding_box()
    change = await pupil.locator("#change").bounding_box()
    assert change["x"] > handed["x"] + handed["width"]  # right beside the box ...
    assert abs(change["y"] - handed["y"]) < handed["height"]
    assert change["height"] >= 30  # ... and large
    await check_page(pupil, "till-ticket-built")
    await pupil.get_by_role("button", name="Cash", exact=True).tap()
    await expect(pupil.locator(".till-change-done")).to_have_text("Change due £3.50")
    await expect(pupil.locator("#takings-total")).to_have_text(re.compile(r"£"))
    await eventually(lambda: takings(pupil), (before[0] + 1650, before[1] + 1))
    await expect(tile(pupil, CANDLE)).to_contain_text("8 left")
    await check_page(pupil, "till-cash-ticket")
    assert online_ms < 1000


async def test_a_ticket_is_undone_whole(open_page: OpenPage) -> None:
    pupil = await open_till(open_page, {CANDLE: 10, TOTE: 5})
    before = await takings(pupil)
    await add(pupil, CANDLE, 2)
    await add(pupil, TOTE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()
    await eventually(lambda: takings(pupil), (before[0] + 1500, before[1] + 1))
    await pupil.get_by_role("button", name="Undo this ticket").tap()
    await expect(pupil.locator("#till-message")).to_contain_text("Undone: 2 × Beeswax candle")
    assert await takings(pupil) == before
    assert await left_of(pupil, CANDLE) == 10
    assert await left_of(pupil, TOTE) == 5
    await expect(tile(pupil, CANDLE)).to_contain_text("10 left")


async def test_selling_on_with_no_signal(open_page: OpenPage) -> None:
    pupil = await open_till(open_page, {CANDLE: 20, TOTE: 10})
    await service_worker_ready(pupil)
    before = await takings(pupil)

    await go_offline(pupil)
    offline_ms = await _timed_tap(pupil, CANDLE)
    print(f"\ntap → ticket changed, offline: {offline_ms:.1f} ms")
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # 1: one candle
    await add(pupil, TOTE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()  # 2: one tote
    await add(pupil, CANDLE, 2)
    await add(pupil, TOTE, 2)
    await pupil.get_by_label("Handed over (£)").fill("25")
    await expect(pupil.locator("#change")).to_have_text("£4.00")
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # 3: 2 + 2 = £21
    banner = pupil.locator("#till-banner")
    await expect(banner).to_contain_text("Offline — 3 sales waiting to send (oldest ")
    await expect(pupil.locator("#takings-total")).to_have_text(money(before[0] + 450 + 600 + 2100))

    # The phone reloads the till with no signal: the service worker serves it.
    await reopen_offline(pupil)
    await expect(banner).to_contain_text("Offline — 3 sales waiting to send")
    await add(pupil, CANDLE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()  # 4
    await add(pupil, TOTE)
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # 5
    await expect(banner).to_contain_text("Offline — 5 sales waiting to send")
    await expect(tile(pupil, CANDLE)).to_contain_text("16 left")
    kept = await queued(pupil)
    assert len(kept) == 5
    assert await takings(pupil) == before  # nothing reached the server yet

    await back_online(pupil)
    expected = before[0] + 450 + 600 + 2100 + 450 + 600
    assert await takings(pupil) == (expected, before[1] + 5)
    assert await left_of(pupil, CANDLE) == 16
    assert await left_of(pupil, TOTE) == 6

    # The same five tickets sent again (a phone that lost its answers) change nothing.
    await send_again(pupil, kept)
    assert await takings(pupil) == (expected, before[1] + 5)
    assert await left_of(pupil, CANDLE) == 16
    await check_page(pupil, "till-back-online")
    assert offline_ms < 1000


async def test_an_offline_sale_beyond_the_stock_is_recorded_and_flagged(
    open_page: OpenPage,
) -> None:
    pupil = await open_till(open_page, {CANDLE: 2, TOTE: 5})
    await service_worker_ready(pupil)
    before = await takings(pupil)
    await go_offline(pupil)
    await add(pupil, CANDLE, 2)
    await pupil.get_by_role("button", name="Cash", exact=True).tap()
    await expect(pupil.locator("#till-banner")).to_contain_text("1 sale waiting to send")

    # Meanwhile another phone of the team, with a signal, sells the last candle.
    other = await another_phone(open_page, pupil.url)
    await add(other, CANDLE)
    await other.get_by_role("button", name="Card", exact=True).tap()
    await eventually(lambda: left_of(other, CANDLE), 1)

    await back_online(pupil)
    assert await takings(pupil) == (before[0] + 900 + 450, before[1] + 2)
    assert await left_of(pupil, CANDLE) == 0
    await pupil.reload()
    flagged = pupil.locator("#recent-tickets li", has_text="2 × Beeswax candle").first
    await expect(flagged).to_contain_text("sold offline beyond the counted stock")


async def test_a_busy_server_answering_503_keeps_the_sale_until_it_is_recorded_once(
    open_page: OpenPage,
) -> None:
    pupil = await open_till(open_page, {CANDLE: 5, TOTE: 5})
    before = await takings(pupil)
    answered: list[int] = []

    async def busy(route) -> None:
        answered.append(503)
        await answer_busy(route)

    await pupil.route("**/tickets", busy)
    await add(pupil, TOTE, 2)
    await pupil.get_by_role("button", name="Card", exact=True).tap()
    await expect(pupil.locator("#till-banner")).to_contain_text(
        "Server busy — 1 sale waiting to send"
    )
    assert answered and await takings(pupil) == before
    _info(pupil).problems.clear()  # the 503s are the point of this test
    await pupil.unroute("**/tickets", busy)
    await expect(pupil.locator("#till-banner")).to_be_hidden(timeout=15_000)
    assert await takings(pupil) == (before[0] + 1200, before[1] + 1)
    assert await left_of(pupil, TOTE) == 3


async def test_a_ticket_refused_online_comes_back_with_the_count_corrected(
    open_page: OpenPage,
) -> None:
    pupil = await open_till(open_page, {CANDLE: 1, TOTE: 5})
    other = await another_phone(open_page, pupil.url)  # it sells the last candle
    await add(other, CANDLE)
    await other.get_by_role("button", name="Cash", exact=True).tap()
    await eventually(lambda: left_of(other, CANDLE), 0)
    before = await takings(pupil)

    await add(pupil, CANDLE)  # this phone still shows one left
    await add(pupil, TOTE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()
    message = pupil.locator("#till-message")
    await expect(message).to_contain_text("Not recorded: Beeswax candle is sold out.")
    await expect(pupil.locator("#ticket-lines li")).to_have_count(2)  # the ticket is back
    await expect(tile(pupil, CANDLE)).to_contain_text("Sold out")
    assert await takings(pupil) == before
    await pupil.get_by_role("button", name="One fewer Beeswax candle").tap()
    await pupil.get_by_role("button", name="Card", exact=True).tap()
    await eventually(lambda: takings(pupil), (before[0] + 600, before[1] + 1))


async def test_the_signal_lost_while_a_ticket_is_sent_keeps_the_next_on_the_phone(
    open_page: OpenPage,
) -> None:
    """Two tickets in one sending: the first's answer is on its way when the phone loses its
    signal. The till asks again before the second and keeps it on the phone, as it does
    when the signal is gone before a sending starts (it used to send on: a request made
    with no signal, which Chromium's emulation did not always stop in CI)."""
    pupil = await open_till(open_page, {CANDLE: 5, TOTE: 5})
    before = await takings(pupil)
    sent: list[str] = []
    pupil.on("request", lambda r: sent.append(r.url) if r.url.endswith("/tickets") else None)
    held, release = asyncio.Event(), asyncio.Event()

    async def hold_the_first(route: Route) -> None:
        if held.is_set():
            await route.fallback()
            return
        answer = await route.fetch()  # recorded by the server; its answer waits
        held.set()
        await release.wait()
        await route.fulfill(response=answer)

    await pupil.route("**/tickets", hold_the_first)
    await add(pupil, CANDLE)
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # 1: £4.50, sent
    await asyncio.wait_for(held.wait(), 10)
    await add(pupil, TOTE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()  # 2: waits its turn
    await go_offline(pupil)
    release.set()
    banner = pupil.locator("#till-banner")
    await expect(banner).to_contain_text("Offline — 1 sale waiting to send")
    assert len(sent) == 1, sent  # the second never left the phone
    assert await takings(pupil) == (before[0] + 450, before[1] + 1)

    await pupil.unroute("**/tickets", hold_the_first)
    await back_online(pupil)
    assert await takings(pupil) == (before[0] + 450 + 600, before[1] + 2)
    assert len(sent) == 2


async def test_leaving_with_sales_waiting_warns_and_closing_asks_first(open_page: OpenPage) -> None:
    pupil = await open_till(open_page, {CANDLE: 5, TOTE: 5})
    await service_worker_ready(pupil)
    await go_offline(pupil)
    await add(pupil, TOTE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()
    warnings = dismissed_dialogs(pupil)
    await pupil.get_by_role("link", name="Close the stall (on the stall page)").tap()
    await expect(pupil.locator("#till-banner")).to_contain_text("1 sale waiting to send")
    assert warnings and "1 sale is still waiting to send" in warnings[0]
    assert pupil.url.endswith("/till")  # stayed: nothing discarded
    await pupil.get_by_role("button", name="Sign out").tap()
    await eventually(lambda: how_many(warnings), 2)
    assert "1 sale is still waiting to send" in warnings[1]
    await expect(pupil.locator("#till-banner")).to_contain_text("1 sale waiting to send")
    assert pupil.url.endswith("/till")
    await back_online(pupil)

    await pupil.get_by_role("link", name="Close the stall (on the stall page)").tap()
    await pupil.get_by_label("Cash counted in the tin (£)").fill("20.00")
    await pupil.get_by_role("button", name="Close the stall").tap()
    await expect(pupil.get_by_role("heading", level=1)).to_contain_text("Close the stall of")
    await expect(pupil.locator("main")).to_contain_text("Selling stops at this stall")
    await check_page(pupil, "close-stall-confirm")
    await pupil.get_by_role("button", name="Yes, close the stall").tap()
    await expect(pupil.locator(".cash-count")).to_contain_text("Stall closed: the cash count")
