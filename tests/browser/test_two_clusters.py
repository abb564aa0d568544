"""Two clusters side by side on one installation (issue 15's "done when"): Aylsham at
aylsham.test and the demo's Marshwick at marshwick.test, one server (CLUSTER_ROUTING=host).
Each has its own admin, shop and stall, and nothing one does shows on the other."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from playwright.async_api import Page, expect

from tests.browser.checks import check_page
from tests.browser.journeys import go_to_stall, sign_in, try_sign_in
from tests.browser.two_clusters import (  # noqa: F401 - the fixtures, by their names
    HOSTS,
    open_on_fixture,
    two_clusters_browser_fixture,
    two_clusters_server_fixture,
)

ADMINS = {
    "aylsham": ("admin", "cluster-admin-demo"),
    "marshwick": ("admin", "marshwick-admin-demo"),
}
OTHER = {"aylsham": "marshwick", "marshwick": "aylsham"}
# Each cluster's own look and market name, set by its admin below.
LOOKS = {
    "aylsham": ("Aylsham Saturday market", "#6a1b9a", "rgb(106, 27, 154)"),
    "marshwick": ("Marshwick quayside market", "#0b3d91", "rgb(11, 61, 145)"),
}


async def _header_colour(page: Page) -> str:
    return await page.locator(".site-header").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )


async def _home(open_on, cluster: str) -> Page:
    visitor = await open_on(cluster, "phone")
    await visitor.goto("/")
    return visitor


async def test_each_admin_runs_only_their_own_cluster(open_on) -> None:
    admins = {}
    for cluster, (username, password) in ADMINS.items():
        admins[cluster] = await open_on(cluster)
        await sign_in(admins[cluster], username, password)
        await check_page(admins[cluster], f"{cluster}-dashboard")

    # The same username with the other cluster's password is refused on each host.
    for cluster in ADMINS:
        stranger = await open_on(cluster)
        await try_sign_in(stranger, *ADMINS[OTHER[cluster]])
        await check_page(stranger, f"{cluster}-other-admin-refused")

    # Aylsham's admin's session cookies carried to Marshwick's host are a visitor's there.
    carried = await open_on("marshwick")
    cookies = await admins["aylsham"].context.cookies()
    assert cookies, "the signed-in admin has cookies"
    await carried.context.add_cookies(
        [
            {"name": c["name"], "value": c["value"], "domain": HOSTS["marshwick"], "path": "/"}
            for c in cookies
        ]
    )
    await carried.goto("/dashboard")
    await expect(carried).to_have_url(re.compile(r"/login\?next="))
    await expect(carried.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    # ... and the admin is still signed in on their own host.
    await admins["aylsham"].goto("/dashboard")
    await expect(admins["aylsham"]).to_have_url(re.compile(r"/dashboard$"))

    before = {}
    for cluster in ADMINS:
        home = await _home(open_on, cluster)
        before[cluster] = await _header_colour(home)
        await home.close()
    for cluster, (market, colour, rgb) in LOOKS.items():
        admin = admins[cluster]
        await admin.goto("/admin/cluster")
        await admin.get_by_label("The market's name").fill(market)
        await admin.get_by_label("Main colour").fill(colour)
        await admin.get_by_role("button", name="Save the settings").click()
        await expect(admin.get_by_role("status")).to_contain_text("settings are saved")
        await expect(admin.locator(".site-header")).to_have_css("background-color", rgb)
        await check_page(admin, f"{cluster}-settings-saved")

        # The other cluster's pages have not changed: its market's name and its colour.
        other = await _home(open_on, OTHER[cluster])
        await expect(other.locator("main")).not_to_contain_text(market)
        assert await _header_colour(other) in (before[OTHER[cluster]], LOOKS[OTHER[cluster]][2])
        await check_page(other, f"{OTHER[cluster]}-home-after-{cluster}-changed")

    for cluster, (market, _colour, rgb) in LOOKS.items():
        home = await _home(open_on, cluster)
        await expect(home.locator("main")).to_contain_text(market)
        await expect(home.locator("main")).not_to_contain_text(LOOKS[OTHER[cluster]][0])
        await expect(home.locator(".site-header")).to_have_css("background-color", rgb)
        # The page names its own cluster, never the other ("Made by pupils of the ...").
        await expect(home.get_by_role("heading", level=1)).to_contain_text(cluster.title())
        await expect(home.locator("body")).not_to_contain_text(OTHER[cluster].title())
        await check_page(home, f"{cluster}-home")


PUPILS = {"aylsham": ("ameliab", "apple-otter-12"), "marshwick": ("ameliab", "heron-kite-17")}
# What each cluster's demo data has and the other's must never show.
OWN_NAMES = {
    "aylsham": ["Lavender bag", "Aylsham Makers", "Aylsham High School"],
    "marshwick": ["Driftwood coaster", "Marshwick Driftwood", "Marshwick High School"],
}
# The product a parent pre-orders and a pupil sells on each, with its price.
SOLD = {
    "aylsham": ("Aylsham Makers", "Lavender bag", "Beeswax candle", "£4.50"),
    "marshwick": ("Marshwick Driftwood", "Driftwood coaster", "Driftwood coaster", "£3.50"),
}
MARSHWICK_PLACE = "Marshwick Quay"


async def _marshwick_market_day(open_on) -> None:
    """Marshwick's admin sets up its first market day (the demo gives it none), with a stall
    for Marshwick Driftwood bringing ten coasters; once per server."""
    admin = await open_on("marshwick")
    await sign_in(admin, *ADMINS["marshwick"])
    await admin.goto("/admin/market-days")
    if await admin.get_by_role("cell", name=MARSHWICK_PLACE).count():
        await admin.close()
        return
    await admin.get_by_label("Date").fill((dt.date.today() + dt.timedelta(days=10)).isoformat())
    await admin.get_by_label("Place", exact=True).fill(MARSHWICK_PLACE)
    await admin.get_by_label("Opens").fill("09:00")
    await admin.get_by_label("Closes").fill("13:00")
    await admin.get_by_role("button", name="Create market day").click()
    await expect(admin.get_by_role("heading", level=1)).not_to_have_text("Market days")
    await admin.get_by_label("Give a stall to").select_option(
        label="Marshwick Driftwood (Marshwick High School)"
    )
    await admin.get_by_role("button", name="Add stall").click()
    await check_page(admin, "marshwick-market-day")
    await admin.get_by_role("link", name="stall screen").click()
    await admin.get_by_role("link", name="What we bring").click()
    await admin.get_by_label("Driftwood coaster").fill("10")
    await admin.get_by_role("button", name="Save").click()
    await expect(admin).to_have_url(re.compile(r"/stalls/\d+$"))


async def _expect_only_own_names(page: Page, cluster: str) -> None:
    main = page.locator("main")
    for name in OWN_NAMES[cluster]:
        await expect(main).to_contain_text(name)
    for name in OWN_NAMES[OTHER[cluster]]:
        await expect(main).not_to_contain_text(name)


async def test_a_parent_shops_each_clusters_market_on_a_phone(open_on) -> None:
    await _marshwick_market_day(open_on)
    for cluster, (_team, product, _sold, _price) in SOLD.items():
        parent = await open_on(cluster, "phone")
        await parent.goto("/products")
        await _expect_only_own_names(parent, cluster)
        await check_page(parent, f"{cluster}-products")
        await parent.goto("/schools")
        await expect(parent.locator("main")).to_contain_text(OWN_NAMES[cluster][2])
        await expect(parent.locator("main")).not_to_contain_text(OWN_NAMES[OTHER[cluster]][2])
        await check_page(parent, f"{cluster}-schools")

        # The pre-order journey (tests/browser/test_pre_order.py), paid at the Stripe stand-in.
        await parent.goto("/")
        await parent.get_by_role("link", name="Shop this market: pre-order").tap()
        await expect(parent.get_by_role("heading", level=1)).to_contain_text("Pre-order for")
        await expect(parent.locator("main")).not_to_contain_text(SOLD[OTHER[cluster]][1])
        await parent.get_by_role("button", name=f"One more {product}").tap()
        await expect(parent.locator(".basket-bar")).to_contain_text("1 item")
        await check_page(parent, f"{cluster}-shop")
        await parent.get_by_role("button", name="Check out").tap()
        await expect(parent.get_by_role("heading", level=1)).to_have_text("Your basket")
        await parent.get_by_label("Your name").fill("Jaya Patel")
        await parent.get_by_label("Your e-mail").fill("jaya@example.org")
        await parent.get_by_role("button", name="Pay online").tap()
        await expect(parent.get_by_role("heading", name="Test payment")).to_be_visible()
        await parent.get_by_role("button", name="Pay").tap()
        await expect(parent.get_by_text("Paid, thank you.")).to_be_visible()
        # Back on the cluster's own host, with its own product.
        assert parent.url.startswith(f"http://{HOSTS[cluster]}:"), parent.url
        await expect(parent.locator("main")).to_contain_text(product)
        await check_page(parent, f"{cluster}-paid")


async def _till_takings(page: Page) -> tuple[int, int]:
    """(takings in pence, number of sales) as the server sees them, from a fresh till page
    (fetched by the browser: only it knows where the clusters' names lead)."""
    html = await page.evaluate("() => fetch(location.href).then((r) => r.text())")
    found = re.search(r'data-takings="(\d+)"[^>]*data-sales="(\d+)"', html)
    assert found, "the till page names its takings"
    return int(found.group(1)), int(found.group(2))


async def test_a_pupil_sells_at_each_clusters_stall(open_on) -> None:
    await _marshwick_market_day(open_on)
    admins = {}
    for cluster in ADMINS:
        admin = admins[cluster] = await open_on(cluster)
        await sign_in(admin, *ADMINS[cluster])
        await admin.goto("/admin/market-days")
        await expect(admin.locator("main")).not_to_contain_text(
            "Aylsham Market Place" if cluster == "marshwick" else MARSHWICK_PLACE
        )
        await admin.get_by_role("row").filter(has_text="planned").first.get_by_role("link").click()
        await admin.get_by_role("button", name="Open the market day").click()
        await expect(admin.get_by_role("link", name="Close the market day")).to_be_visible()

    for cluster, (team, _preordered, sold, price) in SOLD.items():
        pupil = await open_on(cluster, "phone")
        await sign_in(pupil, *PUPILS[cluster])
        await go_to_stall(pupil, team)
        await pupil.get_by_label("Starting float in the cash tin (£)").fill("20.00")
        await pupil.get_by_role("button", name="Open the stall").tap()
        await pupil.get_by_role("link", name="Open the till (full screen)").tap()
        await pupil.wait_for_url("**/till")
        await expect(pupil.locator("#till[data-ready]")).to_have_count(1)
        assert not await pupil.locator(".tile", has_text=SOLD[OTHER[cluster]][2]).count()
        await check_page(pupil, f"{cluster}-till")
        await pupil.locator(".tile", has_text=sold).locator(".tile-face").tap()
        await pupil.get_by_role("button", name="Cash", exact=True).tap()
        pence = int(price.removeprefix("£").replace(".", ""))
        for _ in range(100):
            if await _till_takings(pupil) == (pence, 1):
                break
            await asyncio.sleep(0.1)
        assert await _till_takings(pupil) == (pence, 1)
        await check_page(pupil, f"{cluster}-till-sold")

        # Each cluster's report of takings by team: its own sale, nothing of the other's.
        admin = admins[cluster]
        await admin.goto("/reports?report=teams")
        report = admin.locator("main")
        await expect(report).to_contain_text(team)
        await expect(report).to_contain_text(price)
        await expect(report).not_to_contain_text(SOLD[OTHER[cluster]][0])
        await check_page(admin, f"{cluster}-report")
