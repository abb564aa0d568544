"""Each buyer's orders walked newest first (issue 17, target 5: flat at scale).

"My orders" lists an account's orders by the order's `created_at`, newest first. That time
lives on `pre_order`, so the page read every order of the account and sorted them all to
show 30 (200 orders: most of the page's query). `pre_order_buyer` gets a copy of the
order's `created_at` and an index (account, created_at, id): the page walks it from the
newest and stops at the page. Triggers keep the copy in the same transaction as whatever
writes it: a link inserted or moved to another order takes its order's time (whatever the
insert says), an order whose time changes (the app never does this) gives it to its link.
Earlier links are backfilled."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-27T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Each buyer's orders walked newest first"


class BuyerAccount(Table, tablename="pre_order_buyer", schema=None):
    pass


_ORDER_TIME = 'SELECT o.created_at FROM pre_order o WHERE o.id = {row}."order"'
_BACKFILL = f"UPDATE pre_order_buyer SET created_at = ({_ORDER_TIME.format(row='pre_order_buyer')})"
_INDEX = "CREATE INDEX pre_order_buyer_newest ON pre_order_buyer (account, created_at, id)"
_TO_LINK = 'UPDATE pre_order_buyer SET created_at = NEW.created_at WHERE "order" = NEW.id'

_POSTGRES = [
    "CREATE OR REPLACE FUNCTION pre_order_buyer_time() RETURNS trigger AS $$ BEGIN"
    f" NEW.created_at := ({_ORDER_TIME.format(row='NEW')}); RETURN NEW; END $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION pre_order_time_moved() RETURNS trigger AS $$ BEGIN"
    f" {_TO_LINK}; RETURN NULL; END $$ LANGUAGE plpgsql",
    'CREATE TRIGGER pre_order_buyer_time BEFORE INSERT OR UPDATE OF "order", created_at'
    " ON pre_order_buyer FOR EACH ROW EXECUTE FUNCTION pre_order_buyer_time()",
    "CREATE TRIGGER pre_order_time_moved AFTER UPDATE OF created_at ON pre_order FOR EACH ROW"
    " WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at)"
    " EXECUTE FUNCTION pre_order_time_moved()",
]
# SQLite has no BEFORE trigger that sets NEW: the row is updated after (triggers do not
# fire themselves again: recursive_triggers is off).
_SET_LINK = (
    f"UPDATE pre_order_buyer SET created_at = ({_ORDER_TIME.format(row='NEW')}) WHERE id = NEW.id"
)
_SQLITE = [
    f"CREATE TRIGGER pre_order_buyer_time AFTER INSERT ON pre_order_buyer BEGIN {_SET_LINK}; END",
    'CREATE TRIGGER pre_order_buyer_time_moved AFTER UPDATE OF "order", created_at'
    f" ON pre_order_buyer BEGIN {_SET_LINK}; END",
    "CREATE TRIGGER pre_order_time_moved AFTER UPDATE OF created_at ON pre_order"
    f" WHEN OLD.created_at IS NOT NEW.created_at BEGIN {_TO_LINK}; END",
]
_DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS pre_order_buyer_time ON pre_order_buyer",
    "DROP TRIGGER IF EXISTS pre_order_time_moved ON pre_order",
    "DROP FUNCTION IF EXISTS pre_order_buyer_time()",
    "DROP FUNCTION IF EXISTS pre_order_time_moved()",
]
_DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS pre_order_buyer_time",
    "DROP TRIGGER IF EXISTS pre_order_buyer_time_moved",
    "DROP TRIGGER IF EXISTS pre_order_time_moved",
]


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    for statement in [_BACKFILL, _INDEX, *(_SQLITE if _sqlite() else _POSTGRES)]:
        await BuyerAccount.raw(statement)


async def drop_triggers() -> None:
    statements = _DROP_SQLITE if _sqlite() else _DROP_POSTGRES
    for statement in [*statements, "DROP INDEX IF EXISTS pre_order_buyer_newest"]:
        await BuyerAccount.raw(statement)


class _Manager(MigrationManager):
    """Piccolo runs `add_raw` before adding columns: the triggers need the column first."""

    async def _run_add_columns(self, backwards: bool = False) -> None:
        await super()._run_add_columns(backwards=backwards)
        if not backwards:
            await add_triggers()


async def forwards():
    manager = _Manager(migration_id=ID, app_name="orders", description=DESCRIPTION)
    manager.add_column(
        table_class_name="BuyerAccount",
        tablename="pre_order_buyer",
        column_name="created_at",
        db_column_name="created_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
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
    manager.add_raw_backwards(drop_triggers)
    return manager
