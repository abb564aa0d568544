"""Two clusters side by side on one installation (issue 15's "done when"): Aylsham at
aylsham.test and the demo's Marshwick at marshwick.test, one server (CLUSTER_ROUTING=host).
Each has its own admin, shop and stall, and nothing one does shows on the other."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.checks import check_page
from tests.browser.journeys import sign_in, try_sign_in
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
        await check_page(home, f"{cluster}-home")
