"""Issue 15: a cluster's host name (`aylsham.example.org`), how a request names its cluster when
CLUSTER_ROUTING=host. Unique where set (NULLs do not clash on either engine); SQLite cannot add
a UNIQUE column, so the uniqueness is a separate index, the same SQL on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="schools", description=DESCRIPTION)
    manager.add_raw(_add_host)
    manager.add_raw_backwards(_drop_host)
    return manager
