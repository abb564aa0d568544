"""Seed the Aylsham cluster and its ten schools (data, not schema)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey, Serial, Varchar
from piccolo.table import Table

ID = "2026-11-25T15:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed the Aylsham cluster and its ten schools"

# Frozen copies of the tables as they were at this migration.
class Cluster(Table, tablename="cluster"):
    id = Serial(primary_key=True)
    name = Varchar(length=120)
    slug = Varchar(length=60)


class School(Table, tablename="school"):
    id = Serial(primary_key=True)
    cluster = ForeignKey(references=Cluster)
    name = Varchar(length=120)
    slug = Varchar(length=60)
    phase = Varchar(length=10)


SCHOOLS = [
    ("Aldborough Primary School", "aldborough", "primary"),
    ("Aylsham High School", "aylsham-high", "high"),
    ("Bure Valley Junior School", "bure-valley", "junior"),
    ("Buxton Primary School", "buxton", "primary"),
    ("Colby Primary School", "colby", "primary"),
    ("Erpingham Primary School", "erpingham", "primary"),
    ("Hevingham Primary School", "hevingham", "primary"),
    ("John of Gaunt Infant and Nursery School", "john-of-gaunt", "infant"),
    ("Marsham Primary School", "marsham", "primary"),
    ("St Michael's Infant School", "st-michaels", "infant"),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="schools", description=DESCRIPTION)

    async def seed():
        await Cluster.insert(Cluster(name="Aylsham Cluster", slug="aylsham"))
        cluster_id = (
            await Cluster.select(Cluster.id).where(Cluster.slug == "aylsham").first()
        )["id"]
        await School.insert(
            *[School(cluster=cluster_id, name=n, slug=s, phase=p) for n, s, p in SCHOOLS]
        )

    async def unseed():
        await School.delete().where(School.slug.is_in([s for _, s, _ in SCHOOLS]))
        await Cluster.delete().where(Cluster.slug == "aylsham")

    manager.add_raw(seed)
    manager.add_raw_backwards(unseed)
    return manager
