"""A sale line's indexes: one fewer to write, and the ticket's lines found by one (issue 17,
target 4: the tap).

Every tap writes one entry in each index of `sale`. `sale_stall` (stall) is the first column
of `sale_stall_latest` (stall, id, migration market_2026_11_26t07_00_00_000000), which serves
every lookup by stall as well: it goes. `sale_ticket` (ticket) becomes `sale_ticket_stall`
(ticket, stall): the running figures' triggers ask, for every line, whether another line of
its ticket stands at its stall; by `ticket` alone, a planner without statistics for `sale`
(a new database, or one where autovacuum is off) joined that index with the stall's and read
every sale of the stall, about 0.1 ms a tap late in a market day, twice a tap before
migration market_2026_11_27t05_30_00_000000. With both columns in one index the lookup is
one probe however the statistics stand; a ticket's lines (`WHERE ticket = ...`) still use it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey, Varchar
from piccolo.engine import engine_finder

ID = "2026-11-27T05:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Sale indexes: drop sale_stall (sale_stall_latest serves), ticket with stall"


async def add_ticket_stall() -> None:
    await engine_finder().run_ddl("CREATE INDEX sale_ticket_stall ON sale (ticket, stall)")


async def drop_ticket_stall() -> None:
    await engine_finder().run_ddl("DROP INDEX IF EXISTS sale_ticket_stall")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)
    manager.add_raw(add_ticket_stall)
    manager.add_raw_backwards(drop_ticket_stall)
    for name, column_class in (("ticket", Varchar), ("stall", ForeignKey)):
        manager.alter_column(
            table_class_name="Sale",
            tablename="sale",
            column_name=name,
            db_column_name=name,
            params={"index": False},
            old_params={"index": True},
            column_class=column_class,
            old_column_class=column_class,
            schema=None,
        )
    return manager
