"""/platform/clusters with many clusters: a page of 20 by name with the true total, the same
number of queries with 2 clusters or 45, and adding a school lands on that cluster's page."""

from __future__ import annotations

from clustermarket.accounts.tables import Role
from clustermarket.schools.tables import Cluster, School
from tests.conftest import QueryCounter, make_client, make_user, post_form, sign_in


async def _add_clusters(count: int) -> None:
    await Cluster.insert(
        *[Cluster(name=f"Zeta Cluster {n:03d}", slug=f"zeta-{n}") for n in range(count)]
    )
    ids = [r["id"] for r in await Cluster.select(Cluster.id).where(Cluster.slug.like("zeta-%"))]
    await School.insert(
        *[School(cluster=i, name=f"Zeta School {i}", slug=f"zeta-s-{i}", phase="high") for i in ids]
    )


async def _queries(client, path: str) -> tuple[int, str]:
    with QueryCounter() as counter:
        page = await client.get(path)
    assert page.status_code == 200
    return counter.count, page.text


async def test_the_platform_page_lists_clusters_a_page_at_a_time_with_the_true_total() -> None:
    await make_user("root", role=Role.platform, school=None, password="platform-pass-1")
    async with make_client("http://aylsham.example.org") as client:
        await sign_in(client, "root", "platform-pass-1")
        await client.get("/platform/clusters")  # warm: templates, the cluster directory
        few, page = await _queries(client, "/platform/clusters")
        assert "1 cluster<" in page and 'rel="next"' not in page

        await _add_clusters(44)
        many, page = await _queries(client, "/platform/clusters")
        assert many == few
        assert "45 clusters, 1–20 by name" in page and "Page 1 of 3" in page
        assert "Aylsham" in page and "Zeta Cluster 018" in page  # by name: Aylsham first
        assert "Zeta Cluster 019" not in page and "Zeta School" in page
        assert page.count('<section class="card" id="cluster-') == 20

        _, last = await _queries(client, "/platform/clusters?page=3")
        assert "45 clusters, 41–45 by name" in last and "Zeta Cluster 043" in last
        assert "Zeta Cluster 038" not in last and 'rel="prev"' in last
        _, odd = await _queries(client, "/platform/clusters?page=abc")
        assert "45 clusters, 1–20 by name" in odd

        zeta_40 = await Cluster.select(Cluster.id).where(Cluster.slug == "zeta-40").first()
        added = await post_form(
            client,
            f"/platform/clusters/{zeta_40['id']}/schools",
            {"name": "Late Primary", "phase": "primary"},
            follow_redirects=False,
        )
        assert added.headers["location"] == f"/platform/clusters?page=3#cluster-{zeta_40['id']}"
        _, shown = await _queries(client, "/platform/clusters?page=3")
        assert "Late Primary (primary)" in shown
