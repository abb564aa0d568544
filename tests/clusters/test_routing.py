"""Which cluster a request is for: CLUSTER_ROUTING single, host or path (web/clusters.py)."""

from __future__ import annotations

import pytest

from clustermarket.settings import SettingsError, load_settings
from tests.clusters.conftest import AYLSHAM_HOST, BROADLAND_HOST
from tests.conftest import make_client

UNKNOWN = "No cluster is served at this address"


def test_the_setting_is_checked_at_start_up(tmp_path) -> None:
    env = {"DATA_DIR": str(tmp_path)}
    assert load_settings(env).cluster_routing == "single"
    assert load_settings({**env, "CLUSTER_ROUTING": "Path"}).cluster_routing == "path"
    with pytest.raises(SettingsError, match="CLUSTER_ROUTING must be single, host or path"):
        load_settings({**env, "CLUSTER_ROUTING": "subdomain"})


async def test_one_cluster_keeps_todays_addresses_whatever_the_host(two_clusters) -> None:
    async with make_client("http://anything.example.net") as client:
        page = await client.get("/schools")
    assert page.status_code == 200
    assert 'href="/schools/aylsham-high"' in page.text and "/c/" not in page.text


async def test_by_host_each_host_is_its_cluster_and_an_unknown_host_is_a_clear_404(
    two_clusters,
) -> None:
    async with make_client(f"http://{BROADLAND_HOST}:8000", cluster_routing="host") as client:
        assert (await client.get("/schools")).status_code == 200
        assert (await client.get("/health")).status_code == 200
    async with make_client("http://nowhere.example.org", cluster_routing="host") as client:
        page = await client.get("/schools")
        assert page.status_code == 404 and UNKNOWN in page.text
        assert page.headers["x-frame-options"] == "DENY"  # still the site's own error page
        assert (await client.get("/health")).status_code == 200  # needs no cluster


async def test_a_cluster_made_after_start_up_is_found_on_its_first_request() -> None:
    from clustermarket.clusters.services import create_cluster

    async with make_client("http://late.example.org", cluster_routing="host") as client:
        assert (await client.get("/schools")).status_code == 404
        await create_cluster(
            name="Late Cluster",
            slug="late",
            host="late.example.org",
            admin_username="admin",
            admin_first_name="L",
            admin_last_name="A",
        )
        import asyncio

        await asyncio.sleep(1.1)  # unknown names reload the clusters at most once a second
        assert (await client.get("/schools")).status_code == 200


async def test_by_path_the_prefix_names_the_cluster_and_stays_on_links_and_redirects(
    two_clusters,
) -> None:
    async with make_client(cluster_routing="path") as client:
        page = await client.get("/c/aylsham/schools")
        assert page.status_code == 200
        assert 'href="/c/aylsham/schools/aylsham-high"' in page.text
        assert 'href="/schools/' not in page.text
        assert "/static/css/site." in page.text  # static files are shared, unprefixed
        assert (await client.get("/c/aylsham/schools/aylsham-high")).status_code == 200
        # signed out on a signed-in page: sent to this cluster's sign-in, and back again
        gone = await client.get("/c/broadland/dashboard", follow_redirects=False)
        assert gone.status_code == 302
        assert gone.headers["location"] == "/c/broadland/login?next=/c/broadland/dashboard"
        login = await client.get("/c/broadland/login")
        assert 'action="/c/broadland/login"' in login.text
        for address in ("/schools", "/c/nowhere/schools", "/"):
            missing = await client.get(address)
            assert missing.status_code == 404 and UNKNOWN in missing.text, address
        assert (await client.get("/health")).status_code == 200


async def test_by_path_the_public_page_cache_keeps_clusters_apart(two_clusters) -> None:
    async with make_client(cluster_routing="path") as client:
        aylsham = (await client.get("/c/aylsham/")).text
        broadland = (await client.get("/c/broadland/")).text
        assert "/c/aylsham/" in aylsham and "/c/broadland/" not in aylsham
        assert "/c/broadland/" in broadland and "/c/aylsham/" not in broadland
        assert (await client.get("/c/aylsham/")).text == aylsham  # served from the cache


def test_hosts_are_matched_without_port_or_case() -> None:
    from clustermarket.web.clusters import _host

    scope = {"headers": [(b"host", b"Aylsham.Example.ORG:8443")]}
    assert _host(scope) == AYLSHAM_HOST


def test_only_site_links_get_the_prefix() -> None:
    from clustermarket.web.clusters import _url_root, prefix_links

    page = (
        '<a href="/x"> <a href="//cdn.example.org/y"> <link href="/static/s.css"> '
        '<a href=\'/z\'> <form action="/login"> <a href="https://e.org/"> '
        '<div hx-post="/q"> <a href="/c/a/done"> <p>width="/2"</p>'
    )
    assert prefix_links(page) == page  # no prefix: the page as it was
    token = _url_root.set("/c/a")
    try:
        assert prefix_links(page) == (
            '<a href="/c/a/x"> <a href="//cdn.example.org/y"> <link href="/static/s.css"> '
            '<a href=\'/c/a/z\'> <form action="/c/a/login"> <a href="https://e.org/"> '
            '<div hx-post="/c/a/q"> <a href="/c/a/done"> <p>width="/2"</p>'
        )
    finally:
        _url_root.reset(token)


async def test_by_path_the_sign_in_flood_guard_still_counts_sign_in_posts() -> None:
    async with make_client(cluster_routing="path", login_flood_per_address=2) as client:
        await client.get("/c/aylsham/login")
        form = {"username": "nobody", "password": "x", "_csrf_token": client.cookies["csrftoken"]}
        answers = [(await client.post("/c/aylsham/login", data=form)).status_code for _ in range(3)]
    assert answers == [400, 400, 429]
