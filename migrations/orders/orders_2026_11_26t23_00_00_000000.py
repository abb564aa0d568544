"""The orders of each cluster counted, kept by triggers (issue 17, target 5: flat at scale).

A new table `order_cluster_count`: how many pre-orders each cluster's market days have (the
cluster admin's list's true total, one row; `cluster` unique). Triggers keep it in the same
transaction as every insert or delete of an order, or a move of an order to another market
day, whichever code writes it; a market day moved to another cluster (the app never does
this; it would be kept right anyway) moves its orders' count with it. A market day with
orders cannot be deleted (`on_delete=restrict`), so no count is lost that way. Earlier
orders are backfilled.

On PostgreSQL every checkout of a cluster adds to the same row, so checkouts of one cluster
wait for each other at commit (as they already do per school on `order_school_count`);
a market's few checkouts a second do not notice."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The orders of each cluster counted, kept by triggers"


class OrderClusterCount(Table, tablename="order_cluster_count", schema=None):
    pass


def _cluster(day: str) -> str:
    return f"(SELECT d.cluster FROM market_day d WHERE d.id = {day})"


def _add(cluster: str, n: str) -> str:
    return (
        f"INSERT INTO order_cluster_count (cluster, orders) SELECT {cluster}, {n}"
        " WHERE true ON CONFLICT (cluster)"
        " DO UPDATE SET orders = order_cluster_count.orders + EXCLUDED.orders"
    )


def _less(row: str) -> str:
    return _add(_cluster(f"{row}.market_day"), "-1")


def _more(row: str) -> str:
    return _add(_cluster(f"{row}.market_day"), "1")


# A market day's orders moved with the day to another cluster.
_DAY_ORDERS = "(SELECT COUNT(*) FROM pre_order o WHERE o.market_day = NEW.id)"
_DAY_MOVED = f"{_add('OLD.cluster', '-' + _DAY_ORDERS)}; {_add('NEW.cluster', _DAY_ORDERS)}"


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body};"
        " RETURN NULL; END $$ LANGUAGE plpgsql"
    )


_POSTGRES = [
    _function("order_cluster_count_added", _more("NEW")),
    _function("order_cluster_count_removed", _less("OLD")),
    _function("order_cluster_count_moved", f"{_less('OLD')}; {_more('NEW')}"),
    _function("order_cluster_count_day_moved", _DAY_MOVED),
    "CREATE TRIGGER order_cluster_count_added AFTER INSERT ON pre_order"
    " FOR EACH ROW EXECUTE FUNCTION order_cluster_count_added()",
    "CREATE TRIGGER order_cluster_count_removed AFTER DELETE ON pre_order"
    " FOR EACH ROW EXECUTE FUNCTION order_cluster_count_removed()",
    "CREATE TRIGGER order_cluster_count_moved AFTER UPDATE OF market_day ON pre_order"
    " FOR EACH ROW WHEN (OLD.market_day IS DISTINCT FROM NEW.market_day)"
    " EXECUTE FUNCTION order_cluster_count_moved()",
    "CREATE TRIGGER order_cluster_count_day_moved AFTER UPDATE OF cluster ON market_day"
    " FOR EACH ROW WHEN (OLD.cluster IS DISTINCT FROM NEW.cluster)"
    " EXECUTE FUNCTION order_cluster_count_day_moved()",
]
_SQLITE = [
    f"CREATE TRIGGER order_cluster_count_added AFTER INSERT ON pre_order BEGIN {_more('NEW')}; END",
    "CREATE TRIGGER order_cluster_count_removed AFTER DELETE ON pre_order"
    f" BEGIN {_less('OLD')}; END",
    "CREATE TRIGGER order_cluster_count_moved AFTER UPDATE OF market_day ON pre_order"
    f" WHEN OLD.market_day IS NOT NEW.market_day BEGIN {_less('OLD')}; {_more('NEW')}; END",
    "CREATE TRIGGER order_cluster_count_day_moved AFTER UPDATE OF cluster ON market_day"
    f" WHEN OLD.cluster IS NOT NEW.cluster BEGIN {_DAY_MOVED}; END",
]
_NAMES = {"added": "pre_order", "removed": "pre_order", "moved": "pre_order"}
_NAMES["day_moved"] = "market_day"
_DROP_POSTGRES = [
    statement
    for name, table in _NAMES.items()
    for statement in (
        f"DROP TRIGGER IF EXISTS order_cluster_count_{name} ON {table}",
        f"DROP FUNCTION IF EXISTS order_cluster_count_{name}()",
    )
]
_DROP_SQLITE = [f"DROP TRIGGER IF EXISTS order_cluster_count_{name}" for name in _NAMES]
_BACKFILL = (
    "INSERT INTO order_cluster_count (cluster, orders) SELECT d.cluster, COUNT(*)"
    " FROM pre_order o JOIN market_day d ON d.id = o.market_day GROUP BY d.cluster"
)


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    for statement in [_BACKFILL, *(_SQLITE if _sqlite() else _POSTGRES)]:
        await OrderClusterCount.raw(statement)


async def drop_triggers() -> None:
    for statement in _DROP_SQLITE if _sqlite() else _DROP_POSTGRES:
        await OrderClusterCount.raw(statement)


class _Manager(MigrationManager):
    """Piccolo runs `add_raw` before adding tables: the triggers need the table first."""

    async def _run_add_tables(self, backwards: bool = False) -> None:
        await super()._run_add_tables(backwards=backwards)
        if not backwards:
            await add_triggers()


def _params(**extra: object) -> dict[str, object]:
    return {
        "default": 0,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = _Manager(migration_id=ID, app_name="orders", description=DESCRIPTION)
    manager.add_table(
        class_name="OrderClusterCount", tablename="order_cluster_count", schema=None, columns=None
    )
    for name, params in (("cluster", _params(unique=True)), ("orders", _params())):
        manager.add_column(
            table_class_name="OrderClusterCount",
            tablename="order_cluster_count",
            column_name=name,
            db_column_name=name,
            column_class_name="Integer",
            column_class=Integer,
            params=params,
            schema=None,
        )
    manager.add_raw_backwards(drop_triggers)
    return manager
