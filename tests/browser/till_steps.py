"""The till's steps that several browser tests share: a server of a test module's own, a
pupil's phone on a stall's till, the phone losing and finding its signal, and reading what
the server and the phone's queue hold."""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Dialog, Page, Route, expect

from tests.browser.checks import _info
from tests.browser.conftest import OpenPage, _manage, server_env, serving
from tests.browser.journeys import PUPIL, go_to_stall, sign_in

ADMIN = ("admin", "cluster-admin-demo")
CANDLE, TOTE = "Beeswax candle", "Printed tote bag"  # £4.50 and £6.00
QUEUE = "cluster-market-till"  # the IndexedDB of the phone's queue (static/till/queue.js)


@contextmanager
def demo_server(
    tmp_path_factory: pytest.TempPathFactory,
    output_dir: Path,
    name: str,
    *,
    routing: str = "",
    second_cluster: bool = False,
) -> Iterator[str]:
    """A test module's own server (in place of conftest's) with the demo data, its log in
    server-`name`.log; `routing`: its CLUSTER_ROUTING; `second_cluster`: Marshwick beside
    Aylsham. Yields its base URL."""
    env = server_env(tmp_path_factory.mktemp(f"browser-server-{name}"))
    if routing:
        env["CLUSTER_ROUTING"] = routing
    _manage(env, "migrate")
    _manage(env, "demo")
    if second_cluster:
        _manage(env, "demo", "--second-cluster")
    with serving(env, output_dir / f"server-{name}.log") as url:
        yield url


async def signed_in_admin(open_page: OpenPage, root: str = "") -> Page:
    """The cluster admin on a desktop, signed in."""
    admin = await open_page("desktop")
    await sign_in(admin, *ADMIN, root=root)
    return admin


async def _open_market_day(open_page: OpenPage, root: str) -> None:
    admin = await signed_in_admin(open_page, root)
    await admin.goto(f"{root}/admin/market-days")
    if await admin.get_by_role("cell", name="open", exact=True).count():
        return
    planned = admin.get_by_role("row").filter(has_text="planned").first
    await planned.get_by_role("link").click()
    await admin.get_by_role("button", name="Open the market day").click()
    await expect(admin.get_by_role("link", name="Close the market day")).to_be_visible()


async def open_till(open_page: OpenPage, stock: dict[str, int], root: str = "") -> Page:
    """The pupil's phone on the stall's till, with exactly `stock` left of each product;
    `root`: the cluster's prefix under CLUSTER_ROUTING=path ("/c/aylsham")."""
    await _open_market_day(open_page, root)
    pupil = await open_page("phone")
    await sign_in(pupil, *PUPIL, root=root)
    await till_of(pupil, await go_to_stall(pupil), stock)
    return pupil


async def another_phone(open_page: OpenPage, till: str) -> Page:
    """Another phone of the team, its pupil signed in, on the till at `till`."""
    other = await open_page("phone")
    await sign_in(other, *PUPIL)
    await other.goto(till)
    return other


async def till_of(pupil: Page, stall_url: str, stock: dict[str, int]) -> None:
    """The signed-in pupil opens the stall (if not yet open), sets exactly `stock` left of
    each product and opens its till."""
    if pupil.url != stall_url:
        await pupil.goto(stall_url)
    if await pupil.get_by_role("button", name="Open the stall").count():
        await pupil.get_by_label("Starting float in the cash tin (£)").fill("20.00")
        await pupil.get_by_role("button", name="Open the stall").tap()
        await expect(pupil.locator(".takings-total")).to_be_visible()
    await pupil.goto(f"{stall_url}/till")
    left = {  # a stall that brought none of a product has no tile for it
        name: int(await tile(pupil, name).get_attribute("data-left") or 0)
        if await tile(pupil, name).count()
        else 0
        for name in stock
    }
    await pupil.goto(f"{stall_url}/stock")
    for name, wanted in stock.items():
        field = pupil.get_by_label(name)
        await field.fill(str(int(await field.input_value() or 0) + wanted - left[name]))
    await pupil.get_by_role("button", name="Save").tap()
    await pupil.wait_for_url(stall_url)
    await pupil.get_by_role("link", name="Open the till (full screen)").tap()
    await pupil.wait_for_url("**/till")
    await till_ready(pupil)


async def till_ready(page: Page) -> None:
    """The till's script has started on the page."""
    await expect(page.locator("#till[data-ready]")).to_have_count(1)


async def reopen_offline(page: Page, till: str = "") -> None:
    """The phone, with no signal, opens the till at `till` (else reloads its page): the
    service worker serves it."""
    if till:
        await page.goto(till)
    else:
        await page.reload()
    await till_ready(page)
    await page.wait_for_function("() => !navigator.onLine")  # the new page has no signal


_TICKETS = re.compile(r"/tickets$")
_NO_SIGNAL = "test-no-signal"  # kept in the origin's localStorage while the phone has none
# Every page of the phone reads `navigator.onLine` as false while the flag is set (`go_offline`).
_SAYS_NO_SIGNAL = """(() => {
  const real = Object.getOwnPropertyDescriptor(Navigator.prototype, "onLine").get;
  Object.defineProperty(Navigator.prototype, "onLine", {
    configurable: true,
    get() {
      try {
        if (localStorage.getItem("NO_SIGNAL")) return false;
      } catch (e) {}
      return real.call(this);
    },
  });
})();""".replace("NO_SIGNAL", _NO_SIGNAL)
_told: weakref.WeakSet[BrowserContext] = weakref.WeakSet()


async def _no_signal(route: Route) -> None:
    await route.abort("internetdisconnected")


async def go_offline(page: Page) -> None:
    """The phone loses its signal, and the page knows it (`navigator.onLine`) before anything
    is tapped. Chromium's offline emulation reaches a page a moment after it starts: tapped
    at once, or a till page opened anew (whose script sends what waits as it starts), a
    ticket could go out, reach the server and lose its answer (the till keeps it and sends it
    again, recorded once, but the test's "nothing reached the server yet" would not hold;
    seen in CI). So every page opened from now on says it has no signal from its first line
    (`_SAYS_NO_SIGNAL`), and the tickets' address also answers as no signal does, for every
    page of the phone, until the signal is back."""
    context = page.context
    if context not in _told:
        await context.add_init_script(_SAYS_NO_SIGNAL)
        _told.add(context)
    await page.evaluate("(flag) => localStorage.setItem(flag, '1')", _NO_SIGNAL)
    await context.route(_TICKETS, _no_signal)
    await context.set_offline(True)
    await page.wait_for_function("() => !navigator.onLine")


async def signal_back(page: Page) -> None:
    """The signal comes back (what the till then sends is the caller's to wait for)."""
    await page.evaluate("(flag) => localStorage.removeItem(flag)", _NO_SIGNAL)
    await page.context.unroute(_TICKETS, _no_signal)
    await page.context.set_offline(False)


async def back_online(page: Page) -> None:
    """The phone finds its signal again and sends all it kept: the banner goes."""
    forget_offline_noise(page)
    await signal_back(page)
    await expect(page.locator("#till-banner")).to_be_hidden(timeout=15_000)


async def answer_busy(route: Route) -> None:
    """The server too busy for the request (as a full queue answers)."""
    await route.fulfill(status=503, headers={"Retry-After": "1"}, body="Busy")


def dismissed_dialogs(page: Page) -> list[str]:
    """From now on the page's dialogs are dismissed; the list fills with their messages."""
    messages: list[str] = []

    async def dismiss(dialog: Dialog) -> None:
        messages.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", dismiss)
    return messages


async def how_many(items: list) -> int:
    """For `eventually`: the length of a list that fills in the background."""
    return len(items)


async def eventually(read, expected, seconds: float = 10) -> None:
    """The server's numbers reach `expected` (the phone sends in the background)."""
    for _ in range(int(seconds * 10)):
        if (value := await read()) == expected:
            return
        await asyncio.sleep(0.1)
    assert value == expected


def tile(page: Page, name: str):
    return page.locator(".tile", has_text=name)


async def takings(page: Page, till: str = "") -> tuple[int, int]:
    """(takings in pence, number of sales) as the server sees them, from a fresh page (of
    the till at `till`, else of the page's own)."""
    html = await (await page.request.get(till or page.url)).text()
    pence = int(re.search(r'data-takings="(\d+)"', html).group(1))
    sales = int(re.search(r'data-sales="(\d+)"', html).group(1))
    return pence, sales


async def left_of(page: Page, name: str, till: str = "") -> int:
    html = await (await page.request.get(till or page.url)).text()
    found = re.search(rf'data-name="{re.escape(name)}" data-price="\d+" data-left="(\d+)"', html)
    return int(found.group(1))


async def add(page: Page, name: str, times: int = 1) -> None:
    for _ in range(times):
        await tile(page, name).locator(".tile-face").tap()


def forget_offline_noise(page: Page) -> None:
    """Requests that fail while the phone has no signal are expected, not script errors."""
    info = _info(page)
    info.problems[:] = [p for p in info.problems if "ERR_INTERNET_DISCONNECTED" not in p]


async def service_worker_ready(page: Page) -> None:
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


async def queued(page: Page, database: str = QUEUE) -> list[dict]:
    """The tickets the phone keeps in IndexedDB, waiting to be sent."""
    return await page.evaluate(
        """(name) => new Promise((done) => {
            const open = indexedDB.open(name, 1);
            open.onsuccess = () => {
                const all = open.result.transaction('queue').objectStore('queue').getAll();
                all.onsuccess = () => done(all.result);
            };
        })""",
        database,
    )


async def queue_again(page: Page, entries: list[dict], database: str = QUEUE) -> None:
    """Puts tickets back in the phone's queue: a phone that lost the server's answers."""
    await page.evaluate(
        """([name, entries]) => new Promise((done) => {
            const open = indexedDB.open(name, 1);
            open.onsuccess = () => {
                const tx = open.result.transaction('queue', 'readwrite');
                for (const entry of entries) tx.objectStore('queue').put(entry);
                tx.oncomplete = () => done();
            };
        })""",
        [database, entries],
    )


async def send_again(page: Page, entries: list[dict], database: str = QUEUE) -> None:
    """Tickets already sent put back in the queue (a phone that lost the server's answers):
    reloaded, the till sends them and its queue empties."""
    await queue_again(page, entries, database)
    await page.reload()
    await till_ready(page)
    await expect(page.locator("#till-banner")).to_be_hidden(timeout=15_000)
    assert await queued(page, database) == []


def money(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"
