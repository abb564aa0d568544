"""Issue 15: community groups and ballots belong to a cluster; group names unique per cluster.

`community_group.cluster` and `ballot.cluster` (nullable, indexed): filled from the contact
account's or the ballot's author's cluster, else the one cluster that existed before. The
unique name index becomes (cluster, name_key), so another cluster may have a group of the
same name. Both engines can add a nullable REFERENCES column; the same SQL on both."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T07:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "community groups and ballots belong to a cluster"

_FIRST = "(SELECT MIN(id) FROM cluster)"
_STEPS = (
    'ALTER TABLE "community_group" ADD COLUMN "cluster" INTEGER DEFAULT null'
    ' REFERENCES "cluster" ("id") ON DELETE RESTRICT ON UPDATE CASCADE',
    'ALTER TABLE "ballot" ADD COLUMN "cluster" INTEGER DEFAULT null'
    ' REFERENCES "cluster" ("id") ON DELETE RESTRICT ON UPDATE CASCADE',
    "UPDATE community_group SET cluster = COALESCE((SELECT u.cluster FROM app_user u"
    f" WHERE u.id = community_group.contact_account), {_FIRST})",
    "UPDATE ballot SET cluster = COALESCE((SELECT u.cluster FROM app_user u"
    f" WHERE u.id = ballot.created_by), {_FIRST})",
    "CREATE INDEX community_group_cluster ON community_group (cluster)",
    "CREATE INDEX ballot_cluster ON ballot (cluster)",
    "DROP INDEX community_group_one_name",
    "CREATE UNIQUE INDEX community_group_one_name ON community_group (cluster, name_key)"
    " WHERE status <> 'declined'",
)
_BACK = (
    "DROP INDEX community_group_one_name",
    "CREATE UNIQUE INDEX community_group_one_name ON community_group (name_key)"
    " WHERE status <> 'declined'",
    "DROP INDEX community_group_cluster",
    "DROP INDEX ballot_cluster",
    'ALTER TABLE "community_group" DROP COLUMN "cluster"',
    'ALTER TABLE "ballot" DROP COLUMN "cluster"',
)


class Cluster(Table, tablename="cluster", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


async def _run(steps: tuple[str, ...]) -> None:
    engine = engine_finder()
    for sql in steps:
        await engine.run_ddl(sql)


async def _forwards() -> None:
    await _run(_STEPS)


async def _backwards() -> None:
    await _run(_BACK)


class _Recorded(MigrationManager):
    """The raw step makes the columns; they are also recorded (not run again), so Piccolo's
    `migrations new --auto` knows the tables as they are."""

    async def _run_add_columns(self, backwards: bool = False) -> None:
        return None


def _record(manager: MigrationManager, class_name: str, tablename: str) -> None:
    manager.add_column(
        table_class_name=class_name,
        tablename=tablename,
        column_name="cluster",
        db_column_name="cluster",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Cluster,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )


async def forwards():
    manager = _Recorded(migration_id=ID, app_name="coop", description=DESCRIPTION)
    manager.add_raw(_forwards)
    manager.add_raw_backwards(_backwards)
    _record(manager, "CommunityGroup", "community_group")
    _record(manager, "Ballot", "ballot")
    return manager
