"""The till on a phone: tickets of several lines, undo, and selling on with no signal."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import BrowserContext, Page, expect

from tests.browser.checks import _info, check_page
from tests.browser.conftest import OpenPage
from tests.browser.journeys import PUPIL, go_to_stall, sign_in

ADMIN = ("admin", "cluster-admin-demo")
CANDLE, TOTE = "Beeswax candle", "Printed tote bag"  # £4.50 and £6.00


async def _open_market_day(open_page: OpenPage) -> None:
    admin = await open_page("desktop")
    await sign_in(admin, *ADMIN)
    await admin.goto("/admin/market-days")
    if await admin.get_by_role("cell", name="open", exact=True).count():
        return
    planned = admin.get_by_role("row").filter(has_text="planned").first
    await planned.get_by_role("link").click()
    await admin.get_by_role("button", name="Open the market day").click()
    await expect(admin.get_by_role("link", name="Close the market day")).to_be_visible()


async def open_till(open_page: OpenPage, stock: dict[str, int]) -> Page:
    """The pupil's phone on the stall's till, with exactly `stock` left of each product."""
    await _open_market_day(open_page)
    pupil = await open_page("phone")
    await sign_in(pupil, *PUPIL)
    stall_url = await go_to_stall(pupil)
    if await pupil.get_by_role("button", name="Open the stall").count():
        await pupil.get_by_label("Starting float in the cash tin (£)").fill("20.00")
        await pupil.get_by_role("button", name="Open the stall").tap()
        await expect(pupil.locator(".takings-total")).to_be_visible()
    await pupil.goto(f"{stall_url}/till")
    left = {name: int(await _tile(pupil, name).get_attribute("data-left")) for name in stock}
    await pupil.goto(f"{stall_url}/stock")
    for name, wanted in stock.items():
        field = pupil.get_by_label(name)
        await field.fill(str(int(await field.input_value()) + wanted - left[name]))
    await pupil.get_by_role("button", name="Save").tap()
    await pupil.wait_for_url(stall_url)
    await pupil.get_by_role("link", name="Open the till (full screen)").tap()
    await pupil.wait_for_url("**/till")
    await expect(pupil.locator("#till[data-ready]")).to_have_count(1)
    return pupil


async def _eventually(read, expected, seconds: float = 10) -> None:
    """The server's numbers reach `expected` (the phone sends in the background)."""
    for _ in range(int(seconds * 10)):
        if (value := await read()) == expected:
            return
        await asyncio.sleep(0.1)
    assert value == expected


def _tile(page: Page, name: str):
    return page.locator(".tile", has_text=name)


async def _takings(page: Page) -> tuple[int, int]:
    """(takings in pence, number of sales) as the server sees them, from a fresh page."""
    html = await (await page.request.get(page.url)).text()
    pence = int(re.search(r'data-takings="(\d+)"', html).group(1))
    sales = int(re.search(r'data-sales="(\d+)"', html).group(1))
    return pence, sales


async def _left(page: Page, name: str) -> int:
    html = await (await page.request.get(page.url)).text()
    found = re.search(rf'data-name="{re.escape(name)}" data-price="\d+" data-left="(\d+)"', html)
    return int(found.group(1))


async def _timed_tap(page: Page, name: str) -> float:
    """Milliseconds from a tap on a tile to the ticket changing on screen (next frame)."""
    await _tile(page, name).locator(".tile-face").scroll_into_view_if_needed()
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


async def _add(page: Page, name: str, times: int = 1) -> None:
    for _ in range(times):
        await _tile(page, name).locator(".tile-face").tap()


def _forget_offline_noise(page: Page) -> None:
    """Requests that fail while the phone has no signal are expected, not script errors."""
    info = _info(page)
    info.problems[:] = [p for p in info.problems if "ERR_INTERNET_DISCONNECTED" not in p]


async def _service_worker_ready(page: Page) -> None:
    await page.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            for (let i = 0; i < 100; i++) {
                if (await caches.match(location.origin + location.pathname)) return;
                await new Promise((r) => setTimeout(r, 100));
            }
            throw new Error('the till page was never kept for offline use');
        }"""
    )


async def _queued(page: Page) -> list[dict]:
    return await page.evaluate(
        """() => new Promise((done) => {
            const open = indexedDB.open('cluster-market-till', 1);
            open.onsuccess = () => {
                const all = open.result.transaction('queue').objectStore('queue').getAll();
                all.onsuccess = () => done(all.result);
            };
        })"""
    )


async def test_a_three_line_cash_ticket_with_change(open_page: OpenPage) -> None:
    pupil = await open_till(open_page, {CANDLE: 10, TOTE: 5})
    before = await _takings(pupil)
    await check_page(pupil, "till")
    online_ms = await _timed_tap(pupil, CANDLE)
    print(f"\ntap → ticket changed, online: {online_ms:.1f} ms")
    await _add(pupil, CANDLE)
    await _add(pupil, TOTE)
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
    await _eventually(lambda: _takings(pupil), (before[0] + 1650, before[1] + 1))
    await expect(_tile(pupil, CANDLE)).to_contain_text("8 left")
    await check_page(pupil, "till-cash-ticket")
    assert online_ms < 1000


async def test_a_ticket_is_undone_whole(open_page: OpenPage) -> None:
    pupil = await open_till(open_page, {CANDLE: 10, TOTE: 5})
    before = await _takings(pupil)
    await _add(pupil, CANDLE, 2)
    await _add(pupil, TOTE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()
    await _eventually(lambda: _takings(pupil), (before[0] + 1500, before[1] + 1))
    await pupil.get_by_role("button", name="Undo this ticket").tap()
    await expect(pupil.locator("#till-message")).to_contain_text("Undone: 2 × Beeswax candle")
    assert await _takings(pupil) == before
    assert await _left(pupil, CANDLE) == 10
    assert await _left(pupil, TOTE) == 5
    await expect(_tile(pupil, CANDLE)).to_contain_text("10 left")


async def test_selling_on_with_no_signal(open_page: OpenPage) -> None:
    pupil = await open_till(open_page, {CANDLE: 20, TOTE: 10})
    context: BrowserContext = pupil.context
    await _service_worker_ready(pupil)
    before = await _takings(pupil)

    await context.set_offline(True)
    offline_ms = await _timed_tap(pupil, CANDLE)
    print(f"\ntap → ticket changed, offline: {offline_ms:.1f} ms")
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # 1: one candle
    await _add(pupil, TOTE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()  # 2: one tote
    await _add(pupil, CANDLE, 2)
    await _add(pupil, TOTE, 2)
    await pupil.get_by_label("Handed over (£)").fill("25")
    await expect(pupil.locator("#change")).to_have_text("£4.00")
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # 3: 2 + 2 = £21
    banner = pupil.locator("#till-banner")
    await expect(banner).to_contain_text("Offline — 3 sales waiting to send (oldest ")
    await expect(pupil.locator("#takings-total")).to_have_text(_money(before[0] + 450 + 600 + 2100))

    # The phone reloads the till with no signal: the service worker serves it.
    await pupil.reload()
    await expect(pupil.locator("#till[data-ready]")).to_have_count(1)
    await pupil.wait_for_function("() => !navigator.onLine")  # the reloaded page has no signal
    await expect(banner).to_contain_text("Offline — 3 sales waiting to send")
    await _add(pupil, CANDLE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()  # 4
    await _add(pupil, TOTE)
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # 5
    await expect(banner).to_contain_text("Offline — 5 sales waiting to send")
    await expect(_tile(pupil, CANDLE)).to_contain_text("16 left")
    queued = await _queued(pupil)
    assert len(queued) == 5
    assert await _takings(pupil) == before  # nothing reached the server yet
    _forget_offline_noise(pupil)

    await context.set_offline(False)
    await expect(banner).to_be_hidden(timeout=15_000)
    expected = before[0] + 450 + 600 + 2100 + 450 + 600
    assert await _takings(pupil) == (expected, before[1] + 5)
    assert await _left(pupil, CANDLE) == 16
    assert await _left(pupil, TOTE) == 6

    # The same five tickets sent again (a phone that lost its answers) change nothing.
    await pupil.evaluate(
        """(entries) => new Promise((done) => {
            const open = indexedDB.open('cluster-market-till', 1);
            open.onsuccess = () => {
                const tx = open.result.transaction('queue', 'readwrite');
                for (const entry of entries) tx.objectStore('queue').put(entry);
                tx.oncomplete = () => done();
            };
        })""",
        queued,
    )
    await pupil.reload()
    await expect(pupil.locator("#till[data-ready]")).to_have_count(1)
    await expect(banner).to_be_hidden(timeout=15_000)
    assert await _queued(pupil) == []
    assert await _takings(pupil) == (expected, before[1] + 5)
    assert await _left(pupil, CANDLE) == 16
    await check_page(pupil, "till-back-online")
    assert offline_ms < 1000


async def test_an_offline_sale_beyond_the_stock_is_recorded_and_flagged(
    open_page: OpenPage,
) -> None:
    pupil = await open_till(open_page, {CANDLE: 2, TOTE: 5})
    await _service_worker_ready(pupil)
    before = await _takings(pupil)
    await pupil.context.set_offline(True)
    await _add(pupil, CANDLE, 2)
    await pupil.get_by_role("button", name="Cash", exact=True).tap()
    await expect(pupil.locator("#till-banner")).to_contain_text("1 sale waiting to send")

    # Meanwhile another phone of the team, with a signal, sells the last candle.
    other = await open_page("phone")
    await sign_in(other, *PUPIL)
    await other.goto(pupil.url)
    await _add(other, CANDLE)
    await other.get_by_role("button", name="Card", exact=True).tap()
    await _eventually(lambda: _left(other, CANDLE), 1)

    _forget_offline_noise(pupil)
    await pupil.context.set_offline(False)
    await expect(pupil.locator("#till-banner")).to_be_hidden(timeout=15_000)
    assert await _takings(pupil) == (before[0] + 900 + 450, before[1] + 2)
    assert await _left(pupil, CANDLE) == 0
    await pupil.reload()
    flagged = pupil.locator("#recent-tickets li", has_text="2 × Beeswax candle").first
    await expect(flagged).to_contain_text("sold offline beyond the counted stock")


def _money(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


async def test_a_busy_server_answering_503_keeps_the_sale_until_it_is_recorded_once(
    open_page: OpenPage,
) -> None:
    pupil = await open_till(open_page, {CANDLE: 5, TOTE: 5})
    before = await _takings(pupil)
    answered: list[int] = []

    async def busy(route) -> None:
        answered.append(503)
        await route.fulfill(status=503, headers={"Retry-After": "1"}, body="Busy")

    await pupil.route("**/tickets", busy)
    await _add(pupil, TOTE, 2)
    await pupil.get_by_role("button", name="Card", exact=True).tap()
    await expect(pupil.locator("#till-banner")).to_contain_text(
        "Server busy — 1 sale waiting to send"
    )
    assert answered and await _takings(pupil) == before
    _info(pupil).problems.clear()  # the 503s are the point of this test
    await pupil.unroute("**/tickets", busy)
    await expect(pupil.locator("#till-banner")).to_be_hidden(timeout=15_000)
    assert await _takings(pupil) == (before[0] + 1200, before[1] + 1)
    assert await _left(pupil, TOTE) == 3


async def test_a_ticket_refused_online_comes_back_with_the_count_corrected(
    open_page: OpenPage,
) -> None:
    pupil = await open_till(open_page, {CANDLE: 1, TOTE: 5})
    other = await open_page("phone")  # another phone of the team sells the last candle
    await sign_in(other, *PUPIL)
    await other.goto(pupil.url)
    await _add(other, CANDLE)
    await other.get_by_role("button", name="Cash", exact=True).tap()
    await _eventually(lambda: _left(other, CANDLE), 0)
    before = await _takings(pupil)

    await _add(pupil, CANDLE)  # this phone still shows one left
    await _add(pupil, TOTE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()
    message = pupil.locator("#till-message")
    await expect(message).to_contain_text("Not recorded: Beeswax candle is sold out.")
    await expect(pupil.locator("#ticket-lines li")).to_have_count(2)  # the ticket is back
    await expect(_tile(pupil, CANDLE)).to_contain_text("Sold out")
    assert await _takings(pupil) == before
    await pupil.get_by_role("button", name="One fewer Beeswax candle").tap()
    await pupil.get_by_role("button", name="Card", exact=True).tap()
    await _eventually(lambda: _takings(pupil), (before[0] + 600, before[1] + 1))


async def test_leaving_with_sales_waiting_warns_and_closing_asks_first(open_page: OpenPage) -> None:
    pupil = await open_till(open_page, {CANDLE: 5, TOTE: 5})
    await _service_worker_ready(pupil)
    await pupil.context.set_offline(True)
    await _add(pupil, TOTE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()
    warnings: list[str] = []

    async def dismiss(dialog) -> None:
        warnings.append(dialog.message)
        await dialog.dismiss()

    pupil.on("dialog", dismiss)
    await pupil.get_by_role("link", name="Close the stall (on the stall page)").tap()
    await expect(pupil.locator("#till-banner")).to_contain_text("1 sale waiting to send")
    assert warnings and "1 sale is still waiting to send" in warnings[0]
    assert pupil.url.endswith("/till")  # stayed: nothing discarded
    await pupil.get_by_role("button", name="Sign out").tap()

    async def asked() -> int:
        return len(warnings)

    await _eventually(asked, 2)
    assert "1 sale is still waiting to send" in warnings[1]
    await expect(pupil.locator("#till-banner")).to_contain_text("1 sale waiting to send")
    assert pupil.url.endswith("/till")
    _forget_offline_noise(pupil)
    await pupil.context.set_offline(False)
    await expect(pupil.locator("#till-banner")).to_be_hidden(timeout=15_000)

    await pupil.get_by_role("link", name="Close the stall (on the stall page)").tap()
    await pupil.get_by_label("Cash counted in the tin (£)").fill("20.00")
    await pupil.get_by_role("button", name="Close the stall").tap()
    await expect(pupil.get_by_role("heading", level=1)).to_contain_text("Close the stall of")
    await expect(pupil.locator("main")).to_contain_text("Selling stops at this stall")
    await check_page(pupil, "close-stall-confirm")
    await pupil.get_by_role("button", name="Yes, close the stall").tap()
    await expect(pupil.locator(".cash-count")).to_contain_text("Stall closed: the cash count")
