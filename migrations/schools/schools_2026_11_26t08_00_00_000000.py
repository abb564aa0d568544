"""Issue 15: a cluster's own look and market: its market's name and place, two colours and a
logo (the file's name under the cluster's media folder). Empty means the default ("the
farmers' market", the site's colours, static/img/logo.svg). The seeded Aylsham cluster gets
its market as its pages named it. Plain `ADD COLUMN ... DEFAULT ''` on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-26T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "clusters get a market name and place, colours and a logo"

COLUMNS = {
    "market_name": 120,
    "market_place": 200,
    "colour_primary": 7,
    "colour_accent": 7,
    "logo_name": 80,
}


class Cluster(Table, tablename="cluster", schema=None):
    pass


async def _add() -> None:
    for name, length in COLUMNS.items():
        await Cluster.raw(
            f'ALTER TABLE "cluster" ADD COLUMN "{name}" VARCHAR({length}) NOT NULL DEFAULT \'\''
        )
    # The seeded cluster keeps the words its pages have always had.
    await Cluster.raw(
        'UPDATE "cluster" SET market_name = {}, market_place = {} WHERE slug = {}',
        "Aylsham farmers' market",
        "Aylsham Market Place",
        "aylsham",
    )


async def _drop() -> None:
    for name in COLUMNS:
        await Cluster.raw(f'ALTER TABLE "cluster" DROP COLUMN "{name}"')


class _Recorded(MigrationManager):
    """The raw step makes the columns; they are also recorded as added columns (not run
    again), so Piccolo's `migrations new --auto` knows the table as it is."""

    async def _run_add_columns(self, backwards: bool = False) -> None:
        return None


async def forwards():
    manager = _Recorded(migration_id=ID, app_name="schools", description=DESCRIPTION)
    manager.add_raw(_add)
    manager.add_raw_backwards(_drop)
    for name, length in COLUMNS.items():
        manager.add_column(
            table_class_name="Cluster",
            tablename="cluster",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar",
            column_class=Varchar,
            params={
                "length": length,
                "default": "",
                "null": False,
                "primary_key": False,
                "unique": False,
                "index": False,
                "index_method": IndexMethod.btree,
                "choices": None,
                "db_column_name": None,
                "secret": False,
            },
            schema=None,
        )
    return manager
