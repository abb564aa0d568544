"""The till under CLUSTER_ROUTING=path: every address its scripts use comes from the page,
with the cluster's `/c/<slug>` prefix; `single` keeps today's addresses."""

from __future__ import annotations

import re

from clustermarket.market.tables import Sale
from tests.conftest import csrf_token, make_client, post_form, sign_in
from tests.market.helpers import new_sale_id, open_market

JSON = {"accept": "application/json"}


def _attribute(page: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', page).group(1)


async def test_by_path_the_till_page_names_its_addresses_with_the_prefix(two_clusters) -> None:
    market = await open_market()
    async with make_client(cluster_routing="path") as client:
        await client.get("/c/aylsham/login")
        await post_form(
            client, "/c/aylsham/login", {"username": "ameliab", "password": "password-123"}
        )
        page = (await client.get(f"/c/aylsham/stalls/{market.stall}/till")).text
        assert '<html lang="en-GB" data-site-root="/c/aylsham">' in page  # the queue's name
        assert _attribute(page, "data-worker") == "/c/aylsham/stalls/sw.js"
        assert _attribute(page, "data-worker-scope") == "/c/aylsham/stalls/"
        tickets = f"/c/aylsham/stalls/{market.stall}/tickets"
        assert f'id="till-form" method="post" action="{tickets}"' in page
        assert f'href="/c/aylsham/stalls/{market.stall}/till.webmanifest"' in page
        assert 'action="/c/aylsham/logout"' in page  # pending.js matches it by its end

        # The worker lives in the scope's own folder: no Service-Worker-Allowed needed.
        worker = await client.get("/c/aylsham/stalls/sw.js")
        assert worker.status_code == 200 and "registration.scope" in worker.text
        assert "service-worker-allowed" not in worker.headers
        manifest = (await client.get(f"/c/aylsham/stalls/{market.stall}/till.webmanifest")).json()
        assert manifest["start_url"] == f"/c/aylsham/stalls/{market.stall}/till"
        assert manifest["scope"] == "/c/aylsham/stalls/"

        # What the script posts to that address is recorded once, in Aylsham.
        sale = {
            "ticket_id": new_sale_id(),
            f"qty_{market.candle}": "1",
            "method": "card",
            "_csrf_token": csrf_token(client),
        }
        sold = await client.post(tickets, data=sale, headers=JSON)
        assert sold.status_code == 200 and sold.json()["ok"] is True
        again = await client.post(tickets, data=sale, headers=JSON)
        assert again.json()["repeated"] is True
        # The same ticket sent under the other cluster's prefix reaches no till there.
        elsewhere = f"/c/broadland/stalls/{market.stall}/tickets"
        stray = await client.post(elsewhere, data=sale, headers=JSON, follow_redirects=False)
        assert stray.status_code in (302, 401, 403, 404)
    assert await Sale.count() == 1

    async with make_client(cluster_routing="path") as client:
        public_page = await client.get("/c/broadland/schools")
        assert 'data-site-root="/c/broadland"' in public_page.text


async def test_one_cluster_keeps_the_tills_addresses_of_today(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    page = (await client.get(f"/stalls/{market.stall}/till")).text
    assert '<html lang="en-GB">' in page and "data-site-root" not in page
    assert _attribute(page, "data-worker") == "/stalls/sw.js"
    assert _attribute(page, "data-worker-scope") == "/stalls/"
    assert f'action="/stalls/{market.stall}/tickets"' in page
    manifest = (await client.get(f"/stalls/{market.stall}/till.webmanifest")).json()
    assert manifest["scope"] == "/stalls/"
    assert "data-site-root" not in (await client.get("/dashboard")).text


async def test_the_till_is_titled_with_its_own_clusters_name() -> None:
    from clustermarket.schools.tables import Cluster

    market = await open_market()
    await Cluster.update({Cluster.name: "Norfolk Coast Cluster"}).where(Cluster.slug == "aylsham")
    async with make_client() as client:
        await sign_in(client, "ameliab")
        page = (await client.get(f"/stalls/{market.stall}/till")).text
    assert "<title>Till: Aylsham Makers · Norfolk Coast Cluster Market</title>" in page
