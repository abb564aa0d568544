"""Two clusters side by side on one installation (issue 15): one server with
CLUSTER_ROUTING=host, the demo's Aylsham at aylsham.test and its fictional Marshwick at
marshwick.test, and a Chromium that resolves both names to 127.0.0.1.

Fixtures (import the `*_fixture` functions into the test module; pytest knows them by the
names without `_fixture`): `two_clusters_server` (each cluster's base URL, port included),
`two_clusters_browser`, and `open_on(cluster, size)`: a page in a fresh context (one person
on one device) whose relative URLs go to that cluster's host.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page

from tests.browser.conftest import (
    _manage,
    chromium,
    page_opener,
    server_env,
    serving,
    with_stripe_standin,
)

HOSTS = {"aylsham": "aylsham.test", "marshwick": "marshwick.test"}
# Only this browser resolves the clusters' names (the fixed flags in conftest stay as they are).
RESOLVE_HOSTS = "--host-resolver-rules=" + ",".join(f"MAP {h} 127.0.0.1" for h in HOSTS.values())


@pytest.fixture(scope="session", name="two_clusters_server")
def two_clusters_server_fixture(
    tmp_path_factory: pytest.TempPathFactory, output_dir: Path
) -> Iterator[dict[str, str]]:
    """A fresh server with the demo data, Marshwick beside it, each on its own host; yields
    {"aylsham": "http://aylsham.test:<port>", "marshwick": ...}."""
    data_dir = tmp_path_factory.mktemp("two-clusters-server")
    env = {**server_env(data_dir), "CLUSTER_ROUTING": "host"}
    standin = with_stripe_standin(env)
    try:
        _manage(env, "migrate")
        _manage(env, "demo")
        _manage(env, "demo", "--second-cluster", "--host", HOSTS["marshwick"])
        # The migration seeds Aylsham without a host; no command changes a cluster's host.
        db = sqlite3.connect(data_dir / "browser.sqlite3")
        with db:
            db.execute("UPDATE cluster SET host = ? WHERE slug = 'aylsham'", (HOSTS["aylsham"],))
        db.close()
        with serving(env, output_dir / "two-clusters-server.log") as url:
            standin.webhook_url = f"{url}/stripe/webhook"  # the webhook needs no cluster
            port = urlsplit(url).port
            yield {slug: f"http://{host}:{port}" for slug, host in HOSTS.items()}
    finally:
        standin.stop()


@pytest.fixture(scope="session", name="two_clusters_browser")
async def two_clusters_browser_fixture(
    two_clusters_server: dict[str, str],
) -> AsyncIterator[Browser]:
    # In production the hosts are HTTPS: a secure context, as the till's service worker and
    # the Cross-Origin-Opener-Policy header need (127.0.0.1 is one already, these names not).
    secure = "--unsafely-treat-insecure-origin-as-secure=" + ",".join(two_clusters_server.values())
    async with chromium(RESOLVE_HOSTS, secure) as launched:
        yield launched


@pytest.fixture(name="open_on")
async def open_on_fixture(
    two_clusters_browser: Browser,
    two_clusters_server: dict[str, str],
    request: pytest.FixtureRequest,
) -> AsyncIterator:
    """`await open_on("marshwick", "phone")`: a fresh page on that cluster's host."""
    async with page_opener(two_clusters_browser, two_clusters_server["aylsham"], request) as opener:

        async def _open(cluster: str, size: str = "desktop") -> Page:
            return await opener(size, base_url=two_clusters_server[cluster])

        yield _open
