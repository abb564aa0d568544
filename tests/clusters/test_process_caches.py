"""What a process keeps in memory for a cluster never serves another cluster, nor an old look:
the frozen team lists are keyed and limited by cluster, and a cached public page is served
only for the cluster as the process knows it now."""

from __future__ import annotations

from clustermarket.schools.tables import Cluster
from clustermarket.teams.services import teams_of_school
from clustermarket.teams.tables import Team
from clustermarket.web.clusters import _DIRECTORIES
from tests.clusters.conftest import BROADLAND_HOST
from tests.conftest import make_client, school_id


async def test_a_schools_team_list_is_empty_when_asked_for_another_cluster(two_clusters) -> None:
    aylsham_high = await school_id("aylsham-high")
    await Team.insert(
        Team(school=aylsham_high, name="Bee Keepers", slug="bee-keepers", kind="enterprise")
    )
    mine = await teams_of_school(aylsham_high, two_clusters["aylsham"])
    assert [t["name"] for t in mine] == ["Bee Keepers"]
    # the same school id with the other cluster: nothing (before, the school's teams)
    assert await teams_of_school(aylsham_high, two_clusters["broadland"]) == []
    assert await teams_of_school(None, two_clusters["broadland"]) == []


async def test_a_cached_page_is_not_served_once_the_process_knows_the_clusters_new_name(
    two_clusters,
) -> None:
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as visitor:
        for _ in range(2):  # rendered, then from the cache
            assert "Broadland Cluster" in (await visitor.get("/market-days")).text
        # Renamed without a content version change (as a worker sees another's change: its
        # page cache may hold pages rendered just before it reloaded the clusters).
        await Cluster.update({Cluster.name: "Broadland Together"}).where(
            Cluster.id == two_clusters["broadland"]
        )
        for directory in list(_DIRECTORIES):
            await directory.reload()
        page = await visitor.get("/market-days")
        assert "Broadland Together" in page.text and "Broadland Cluster" not in page.text


async def test_another_clusters_public_pages_never_name_aylsham(two_clusters) -> None:
    """The pages once said "the ten Aylsham Cluster schools" whatever the cluster."""
    paths = ["/", "/schools", "/products", "/projects", "/market-days", "/events", "/coop"]
    paths += ["/coop/apply", "/login", "/basket"]
    async with make_client(f"http://{BROADLAND_HOST}", cluster_routing="host") as visitor:
        for path in paths:
            page = await visitor.get(path)
            assert page.status_code == 200, path
            assert "Aylsham" not in page.text, path
            assert "Broadland Cluster" in page.text, path


class _RedisAway:
    async def current(self) -> bytes:
        raise ConnectionError("Redis away")

    async def bump(self) -> None:
        raise ConnectionError("Redis away")


async def test_a_directory_reloads_when_the_version_moves_and_keeps_its_clusters_without_it(
    two_clusters, tmp_path
) -> None:
    from clustermarket.web.clusters import ClusterDirectory
    from clustermarket.web.content_version import FileVersion

    version = FileVersion(tmp_path / "clusters-version")
    directory = ClusterDirectory(version)
    await directory.reload()
    await Cluster.update({Cluster.name: "Broadland Together"}).where(
        Cluster.id == two_clusters["broadland"]
    )
    directory.checked_at = 0.0  # its half second is up
    assert (await directory.find("host", BROADLAND_HOST)).name == "Broadland Cluster"
    await version.bump()  # another worker's change
    directory.checked_at = 0.0
    assert (await directory.find("host", BROADLAND_HOST)).name == "Broadland Together"

    away = ClusterDirectory(_RedisAway())
    await away.reload()  # the version cannot be read: the clusters are, all the same
    away.checked_at = 0.0
    assert (await away.find("host", BROADLAND_HOST)).name == "Broadland Together"


async def test_a_directory_says_once_that_the_clusters_version_cannot_be_read(
    two_clusters, caplog
) -> None:
    from clustermarket.web.clusters import ClusterDirectory

    away = ClusterDirectory(_RedisAway())
    await away.reload()
    caplog.clear()
    for _ in range(5):  # two and a half seconds of requests while Redis is away
        away.checked_at = 0.0
        assert (await away.find("host", BROADLAND_HOST)) is not None
    said = [r for r in caplog.records if "Could not reload the clusters" in r.getMessage()]
    assert len(said) == 1
