"""Two clusters each add a school called St Mary's. School slugs are unique across the
installation (a clash gets the cluster's short name), so an address never changes meaning and
a school found by its slug is one school; each cluster's page works on its own host and path,
and the other cluster's slug is not found there."""

from __future__ import annotations

from clustermarket.clusters.services import add_school
from clustermarket.schools.tables import School
from tests.clusters.conftest import AYLSHAM_HOST, BROADLAND_HOST
from tests.conftest import make_client, post_form, sign_in


async def _admin_adds(host: str, password: str, name: str) -> None:
    async with make_client(f"http://{host}", cluster_routing="host") as admin:
        await sign_in(admin, "admin", password)
        added = await post_form(
            admin,
            "/admin/cluster/schools",
            {"name": name, "phase": "primary"},
            follow_redirects=False,
        )
        assert added.status_code == 302


async def test_two_clusters_each_add_st_marys_and_each_host_shows_its_own(two_clusters) -> None:
    await _admin_adds(AYLSHAM_HOST, "aylsham-password-1", "St Mary's Primary")
    await _admin_adds(BROADLAND_HOST, "broadland-password-1", "St Mary’s  Primary")
    schools = await School.select(School.slug, School.cluster).where(
        School.slug.like("st-marys-primary%")
    )
    assert sorted((s["slug"], s["cluster"]) for s in schools) == [
        ("st-marys-primary", two_clusters["aylsham"]),
        ("st-marys-primary-broadland", two_clusters["broadland"]),
    ]
    own = {AYLSHAM_HOST: "st-marys-primary", BROADLAND_HOST: "st-marys-primary-broadland"}
    cluster_name = {AYLSHAM_HOST: "Aylsham", BROADLAND_HOST: "Broadland Cluster"}
    for host, slug in own.items():
        async with make_client(f"http://{host}", cluster_routing="host") as visitor:
            listing = await visitor.get("/schools")
            assert f'href="/schools/{slug}"' in listing.text
            assert listing.text.count("St Mary") == 1  # only its own
            page = await visitor.get(f"/schools/{slug}")
            assert page.status_code == 200 and "St Mary" in page.text
            assert cluster_name[host] in page.text
            other = next(s for h, s in own.items() if h != host)
            assert (await visitor.get(f"/schools/{other}")).status_code == 404
    async with make_client(cluster_routing="path") as visitor:
        page = await visitor.get("/c/broadland/schools/st-marys-primary-broadland")
        assert page.status_code == 200 and "Broadland Cluster" in page.text
        assert (
            await visitor.get("/c/aylsham/schools/st-marys-primary-broadland")
        ).status_code == 404


async def test_a_second_school_of_the_same_name_in_one_cluster_gets_its_own_slug(
    two_clusters,
) -> None:
    first = await add_school(None, two_clusters["broadland"], "St Mary's", "infant")
    second = await add_school(None, two_clusters["broadland"], "St Mary's", "junior")
    third = await add_school(None, two_clusters["aylsham"], "St Mary's", "junior")
    slugs = {
        r["id"]: r["slug"]
        for r in await School.select(School.id, School.slug).where(
            School.id.is_in([first, second, third])
        )
    }
    assert [slugs[first], slugs[second], slugs[third]] == [
        "st-marys",
        "st-marys-broadland",
        "st-marys-aylsham",
    ]
