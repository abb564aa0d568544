"""Addresses that leave the page whole (a class's sign-in link and its printed cards, a co-op
contact's link, the calendar feed): `prefix_links` never sees them, so each names the
request's cluster's own address: PUBLIC_URL with `/c/<slug>` (path) or the cluster's host."""

from __future__ import annotations

from clustermarket.settings import get_settings
from tests.accounts.test_classes import link, picture_class
from tests.clusters.conftest import AYLSHAM_HOST
from tests.conftest import make_client, post_form
from tests.market.helpers import make_day


async def _sign_in(client, root: str, username: str) -> None:
    await client.get(f"{root}/login")
    signed_in = await post_form(
        client, f"{root}/login", {"username": username, "password": "password-123"}
    )
    assert signed_in.status_code == 200


async def test_by_path_class_links_and_the_calendar_name_the_clusters_prefix(
    two_clusters,
) -> None:
    found = await picture_class()
    day = await make_day()
    site = f"{get_settings().public_url}/c/aylsham"
    async with make_client(cluster_routing="path") as client:
        await _sign_in(client, "/c/aylsham", "mwood")
        page = await client.get(f"/c/aylsham/classes/{found['class']['id']}")
        assert f"{site}{link(found)}" in page.text
        feed = (await client.get("/c/aylsham/events.ics")).text.replace("\r\n ", "")
        assert f"{site}/market-days/{day}" in feed


async def test_by_host_a_class_link_names_the_clusters_host(two_clusters) -> None:
    found = await picture_class()
    async with make_client(f"http://{AYLSHAM_HOST}", cluster_routing="host") as client:
        await _sign_in(client, "", "mwood")
        page = await client.get(f"/classes/{found['class']['id']}")
    assert f"http://{AYLSHAM_HOST}:8000{link(found)}" in page.text


async def test_one_cluster_keeps_public_url(client) -> None:
    found = await picture_class()
    await _sign_in(client, "", "mwood")
    page = await client.get(f"/classes/{found['class']['id']}")
    assert f"{get_settings().public_url}{link(found)}" in page.text


async def test_by_path_a_coop_contacts_link_names_the_clusters_prefix(two_clusters) -> None:
    from clustermarket.coop.services import apply_as_group
    from clustermarket.coop.tables import CommunityGroup

    await apply_as_group(
        "Aylsham Allotment Society",
        "Pat Green",
        "pat@allotments.example",
        "Seedlings.",
        cluster_id=two_clusters["aylsham"],
    )
    group = (await CommunityGroup.select(CommunityGroup.id).first())["id"]
    async with make_client(cluster_routing="path") as client:
        await client.get("/c/aylsham/login")
        await post_form(
            client, "/c/aylsham/login", {"username": "admin", "password": "aylsham-password-1"}
        )
        approved = await post_form(client, f"/c/aylsham/admin/coop/groups/{group}/approve", {})
    site = f"{get_settings().public_url}/c/aylsham"
    assert f'value="{site}/coop/welcome/' in approved.text
