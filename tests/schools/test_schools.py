"""The ten cluster schools come from a migration and are public."""

from clustermarket.schools.tables import Cluster, School
from clustermarket.settings import get_settings


async def test_migration_seeds_the_ten_schools_of_one_cluster() -> None:
    schools = await School.select(School.slug, School.phase, School.cluster.slug)
    assert len(schools) == 10
    assert {s["cluster.slug"] for s in schools} == {"aylsham"}
    phases = {s["slug"]: s["phase"] for s in schools}
    assert phases["aylsham-high"] == "high"
    assert phases["bure-valley"] == "junior"
    assert phases["john-of-gaunt"] == "infant"
    assert await Cluster.count() == 1


async def test_migrating_again_changes_nothing() -> None:
    from clustermarket.db import migrate

    await migrate(get_settings())
    assert await School.count() == 10


async def test_sqlite_runs_in_wal_mode_with_foreign_keys() -> None:
    settings = get_settings()
    if settings.is_postgres:
        return  # the SQLite pragmas do not apply

    assert (await School.raw("PRAGMA journal_mode"))[0]["journal_mode"] == "wal"
    assert (await School.raw("PRAGMA foreign_keys"))[0]["foreign_keys"] == 1


async def test_public_school_pages(client) -> None:
    page = await client.get("/schools")
    assert page.status_code == 200
    assert "Bure Valley Junior School" in page.text
    page = await client.get("/schools/aylsham-high")
    assert page.status_code == 200 and "Aylsham High School" in page.text
    assert (await client.get("/schools/nowhere")).status_code == 404
