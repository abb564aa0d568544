"""Issue 15: every event belongs to a cluster (`event.cluster`, indexed). Events made before
belong to the one cluster that existed then (the first)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Cluster(Table, tablename="cluster", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-26T07:17:07:162601"
VERSION = "1.38.0"
DESCRIPTION = "events belong to a cluster"


class Event(Table, tablename="event", schema=None):
    pass


class _Manager(MigrationManager):
    """Piccolo runs `add_raw` before adding columns: the backfill needs the column first."""

    async def _run_add_columns(self, backwards: bool = False) -> None:
        await super()._run_add_columns(backwards=backwards)
        if not backwards:
            await Event.raw("UPDATE event SET cluster = (SELECT MIN(id) FROM cluster)")


async def forwards():
    manager = _Manager(
        migration_id=ID, app_name="calendar", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Event",
        tablename="event",
        column_name="cluster",
        db_column_name="cluster",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Cluster,
            "on_delete": OnDelete.cascade,
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

    return manager
