"""Two real server processes share the database and the clusters version (a file in a shared
DATA_DIR, or Redis): a cluster admin changes their cluster on one, and the other shows the new
name, colours, market and logo within a second, also on its cached public pages, without a
restart; a cluster made on one is served by the other."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx
import pytest

from clustermarket.accounts.tables import Role
from tests.clusters.conftest import BROADLAND_HOST
from tests.clusters.test_setup import SETTINGS, _jpeg_with_gps
from tests.conftest import REDIS_TEST_URL, make_user
from tests.realserver import RealServer, form_post

WITHIN = 1.5  # seconds: a look every 0.5 s, a slow shared machine


@pytest.fixture(params=["file", "redis"])
def two_workers(request, tmp_path: Path):
    """Two app processes (host routing) on one DATA_DIR; with Redis when the param says so."""
    env = {"CLUSTER_ROUTING": "host"}
    if request.param == "redis":
        env["REDIS_URL"] = REDIS_TEST_URL
    servers = []
    for name in ("a", "b"):
        server = RealServer(tmp_path, **env)
        server.log_path = tmp_path / f"server-{name}.log"
        servers.append(server)
    try:
        yield [server.start() for server in servers]
    finally:
        for server in servers:
            server.stop()


def _client(server: RealServer, host: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url, headers={"host": host}, timeout=30)


async def _until_shown(client: httpx.AsyncClient, path: str, text: str) -> float:
    """Seconds until the page at `path` says `text` (fails after 5)."""
    started = time.monotonic()
    while time.monotonic() - started < 5:
        if text in (await client.get(path)).text:
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    pytest.fail(f"{text!r} not shown at {path} after 5 s")


async def test_a_clusters_new_look_shows_on_the_other_worker_within_a_second(
    two_clusters, two_workers
) -> None:
    worker_a, worker_b = two_workers
    async with (
        _client(worker_a, BROADLAND_HOST) as admin,
        _client(worker_b, BROADLAND_HOST) as visitor,
    ):
        for _ in range(2):  # B knows the cluster and has the page cached
            before = await visitor.get("/market-days")
            assert "Broadland Cluster" in before.text and "cluster.css" not in before.text
        await form_post(admin, "/login", {"username": "admin", "password": "broadland-password-1"})
        saved = await form_post(admin, "/admin/cluster", SETTINGS, follow_redirects=False)
        assert saved.status_code == 302
        took = await _until_shown(visitor, "/market-days", "· Broadland Schools Market</title>")
        assert took < WITHIN, took
        page = await visitor.get("/market-days")
        assert "monthly Reepham Saturday market" in page.text
        assert 'href="/cluster.css?v=0b3d914a148c"' in page.text
        css = await visitor.get("/cluster.css?v=0b3d914a148c")
        assert "--green: #0b3d91;" in css.text

        logo = await admin.post(
            "/admin/cluster/logo",
            data={"_csrf_token": admin.cookies["csrftoken"]},
            files={"logo": ("logo.jpg", _jpeg_with_gps(), "image/jpeg")},
            follow_redirects=False,
        )
        assert logo.status_code == 302
        took_logo = await _until_shown(visitor, "/", 'src="/cluster-logo/logo-')
        assert took_logo < WITHIN, took_logo
        name = re.search(r'src="/cluster-logo/(logo-[^"]+)"', (await visitor.get("/")).text)[1]
        served = await visitor.get(f"/cluster-logo/{name}")
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    print(f"\nnew look on the other worker after {took:.2f} s, new logo after {took_logo:.2f} s")


async def test_a_cluster_made_on_one_worker_is_served_by_the_other(
    two_clusters, two_workers
) -> None:
    worker_a, worker_b = two_workers
    await make_user("root", role=Role.platform, school=None, password="platform-pass-1")
    async with (
        _client(worker_a, "aylsham.example.org") as root,
        _client(worker_b, "marsh.example.org") as visitor,
    ):
        assert (await visitor.get("/")).status_code == 404  # B loaded: no such cluster yet
        await form_post(root, "/login", {"username": "root", "password": "platform-pass-1"})
        made = await form_post(
            root,
            "/platform/clusters",
            {
                "name": "Marsh Cluster",
                "slug": "marsh",
                "host": "marsh.example.org",
                "admin_username": "madmin",
                "admin_first_name": "Mo",
                "admin_last_name": "Marsh",
            },
        )
        assert made.status_code == 200
        took = await _until_shown(visitor, "/", "Marsh Cluster")
        assert took < WITHIN, took
