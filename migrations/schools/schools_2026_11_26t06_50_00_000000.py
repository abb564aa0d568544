"""Issue 15: a cluster's host name (`aylsham.example.org`), how a request names its cluster when
CLUSTER_ROUTING=host. Unique where set (NULLs do not clash on either engine); SQLite cannot add
a UNIQUE column, so the uniqueness is a separate index, the same SQL on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-26T06:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "clusters get a host name"


class Cluster(Table, tablename="cluster", schema=None):
    pass


async def _add_host() -> None:
    await Cluster.raw('ALTER TABLE "cluster" ADD COLUMN "host" VARCHAR(253) DEFAULT null')
    await Cluster.raw('CREATE UNIQUE INDEX cluster_host ON "cluster" ("host")')


async def _drop_host() -> None:
    await Cluster.raw("DROP INDEX cluster_host")
    await Cluster.raw('ALTER TABLE "cluster" DROP COLUMN "host"')


class _Recorded(MigrationManager):
    """The raw step makes the column; it is also recorded as an added column (not run again),
    so Piccolo's `migrations new --auto` knows the table as it is."""

    async def _run_add_columns(self, backwards: bool = False) -> None:
        return None


async def forwards():
    manager = _Recorded(migration_id=ID, app_name="schools", description=DESCRIPTION)
    manager.add_raw(_add_host)
    manager.add_raw_backwards(_drop_host)
    manager.add_column(
        table_class_name="Cluster",
        tablename="cluster",
        column_name="host",
        db_column_name="host",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 253,
            "default": None,
            "null": True,
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
