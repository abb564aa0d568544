"""The till under CLUSTER_ROUTING=path (issue 15): one origin serves Aylsham at /c/aylsham/
and Marshwick at /c/marshwick/. A pupil of Aylsham sells online, with no signal, after a
reload served by the service worker, and back online: every sale reaches Aylsham's stall
once; Marshwick, in the same browser, keeps its own queue and never sees Aylsham's sales."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import expect

from tests.browser.checks import _info, check_page
from tests.browser.conftest import OpenPage
from tests.browser.till_steps import (
    CANDLE,
    QUEUE,
    TOTE,
    add,
    answer_busy,
    demo_server,
    dismissed_dialogs,
    eventually,
    forget_offline_noise,
    go_offline,
    how_many,
    left_of,
    money,
    open_till,
    queued,
    reopen_offline,
    send_again,
    service_worker_ready,
    signal_back,
    takings,
)

ROOT, OTHER = "/c/aylsham", "/c/marshwick"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory, output_dir: Path) -> Iterator[str]:
    """This module's own server (in place of conftest's): CLUSTER_ROUTING=path, with the demo
    data and the second demo cluster. Yields its base URL."""
    with demo_server(
        tmp_path_factory, output_dir, "by-path", routing="path", second_cluster=True
    ) as url:
        yield url


async def _waiting_on(page, address: str) -> int:
    """How many sales the till's queue module counts as waiting, on a page at `address`."""
    await page.goto(address)
    return await page.evaluate("async () => (await import('/static/till/queue.js')).waitingCount()")


async def test_a_clusters_till_under_its_path_sells_online_offline_and_after_a_reload(
    open_page: OpenPage,
) -> None:
    pupil = await open_till(open_page, {CANDLE: 20, TOTE: 10}, root=ROOT)
    context = pupil.context
    assert urlsplit(pupil.url).path.startswith(f"{ROOT}/stalls/")
    posted: list[str] = []
    context.on(
        "request",
        lambda r: posted.append(urlsplit(r.url).path) if r.method == "POST" else None,
    )
    await check_page(pupil, "till-by-path")
    await service_worker_ready(pupil)
    scope = await pupil.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert urlsplit(scope).path == f"{ROOT}/stalls/"  # the cluster's own worker
    before = await takings(pupil)

    await add(pupil, CANDLE)
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # 1, online: £4.50
    await eventually(lambda: takings(pupil), (before[0] + 450, before[1] + 1))

    await go_offline(pupil)
    await add(pupil, TOTE)
    await pupil.get_by_role("button", name="Card", exact=True).tap()  # 2: £6.00
    await add(pupil, CANDLE, 2)
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # 3: £9.00
    banner = pupil.locator("#till-banner")
    await expect(banner).to_contain_text("Offline — 2 sales waiting to send")

    # Reloaded with no signal: the cluster's service worker serves the till.
    await reopen_offline(pupil)
    await expect(banner).to_contain_text("Offline — 2 sales waiting to send")
    await add(pupil, TOTE)
    await pupil.get_by_role("button", name="Cash", exact=True).tap()  # 4: £6.00
    await expect(banner).to_contain_text("Offline — 3 sales waiting to send")
    await expect(pupil.locator("#takings-total")).to_have_text(
        money(before[0] + 450 + 600 + 900 + 600)
    )
    kept = await queued(pupil, f"{QUEUE}@{ROOT}")  # Aylsham's own queue
    assert len(kept) == 3
    databases = await pupil.evaluate("async () => (await indexedDB.databases()).map(d => d.name)")
    assert QUEUE not in databases  # nothing in a queue shared by every cluster
    # (what the phone sent so far, if not: a ticket sent with no signal would be among them)
    assert await takings(pupil) == (before[0] + 450, before[1] + 1), posted
    # Signing out (its form's action has the prefix) asks first; dismissed, the sales stay.
    asked = dismissed_dialogs(pupil)
    await pupil.get_by_role("button", name="Sign out").tap()
    await eventually(lambda: how_many(asked), 1)
    assert "3 sales are still waiting to send" in asked[0]
    assert pupil.url.endswith("/till")
    forget_offline_noise(pupil)

    # Back online, but the server busy a moment: meanwhile Marshwick, in the same browser,
    # has nothing waiting, while Aylsham's pages count its three.
    await context.route("**/tickets", answer_busy)
    await signal_back(pupil)
    await expect(banner).to_contain_text("Server busy — 3 sales waiting to send")
    other = await context.new_page()
    assert await _waiting_on(other, f"{OTHER}/") == 0
    assert await _waiting_on(other, f"{ROOT}/") == 3
    await other.close()
    _info(pupil).problems.clear()  # the 503s were the point
    await context.unroute("**/tickets", answer_busy)

    await expect(banner).to_be_hidden(timeout=15_000)
    expected = (before[0] + 450 + 600 + 900 + 600, before[1] + 4)
    assert await takings(pupil) == expected
    assert await left_of(pupil, CANDLE) == 17
    assert await left_of(pupil, TOTE) == 8
    tickets = {path for path in posted if path.endswith("/tickets")}
    assert tickets == {urlsplit(pupil.url).path.removesuffix("/till") + "/tickets"}

    # The same tickets sent again (a phone that lost the answers) change nothing.
    await send_again(pupil, kept, f"{QUEUE}@{ROOT}")
    assert await takings(pupil) == expected
    await check_page(pupil, "till-by-path-back-online")
