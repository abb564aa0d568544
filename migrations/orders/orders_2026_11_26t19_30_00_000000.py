"""The orders of each school, kept by triggers (issue 17, target 5: flat at scale).

Two new tables: `order_school`, one row per order and school whose stalls have a line of it,
with how many lines (unique index on school and order: a teacher's list walks its school's
orders newest first and stops at the page), and `order_school_count`, how many orders each
school has (the teacher's list's true total, one row). Triggers keep both in the same
transaction as every insert, delete or move (stall or order changed) of an order line,
whichever code writes it, also when deleting an order deletes its lines; a stall given to
another team or a team to another school (the app does neither) makes its orders' rows
again. Earlier lines are backfilled.

On PostgreSQL the triggers on inserted and deleted lines run once per statement (transition
tables) and add to the counts school by school in one order, so two checkouts of several
schools' stalls at once lock the counts in the same order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T19:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The orders of each school, kept by triggers"


class OrderSchool(Table, tablename="order_school", schema=None):
    pass


# The school of a line's stall (through its team).
_SCHOOL = "JOIN stall s ON s.id = {row}.stall JOIN team t ON t.id = s.team"


def _less(row: str) -> str:
    """One line of `row` less: its (order, school) row goes at none left."""
    school = f"(SELECT t.school FROM stall s JOIN team t ON t.id = s.team WHERE s.id = {row}.stall)"
    where = f'WHERE "order" = {row}."order" AND school = {school}'
    return (
        f"UPDATE order_school SET lines = lines - 1 {where};"
        f" DELETE FROM order_school {where} AND lines <= 0"
    )


def _more(row: str) -> str:
    return (
        f'INSERT INTO order_school ("order", school, lines) SELECT {row}."order", t.school, 1'
        f" FROM stall s JOIN team t ON t.id = s.team WHERE s.id = {row}.stall"
        ' ON CONFLICT (school, "order") DO UPDATE SET lines = order_school.lines + 1'
    )


def _remade(orders: str) -> str:
    """The rows of `orders` (a SELECT of order ids) made again from their lines: when a
    stall's team or a team's school changes (the app does neither; kept right if done)."""
    return (
        f'DELETE FROM order_school WHERE "order" IN ({orders});'
        ' INSERT INTO order_school ("order", school, lines) SELECT l."order", t.school, COUNT(*)'
        f' FROM order_line l {_SCHOOL.format(row="l")} WHERE l."order" IN ({orders})'
        ' GROUP BY l."order", t.school'
    )


_STALL_ORDERS = 'SELECT "order" FROM order_line WHERE stall = NEW.id'
_TEAM_ORDERS = (
    'SELECT ol."order" FROM order_line ol JOIN stall ms ON ms.id = ol.stall WHERE ms.team = NEW.id'
)
_COUNT_MORE = (
    "INSERT INTO order_school_count (school, orders) {rows}"
    " ON CONFLICT (school) DO UPDATE SET orders = order_school_count.orders + EXCLUDED.orders"
)
_COUNT_LESS = "UPDATE order_school_count SET orders = orders - {n} WHERE school = {school}"
_MOVED = 'OLD.stall IS DISTINCT FROM NEW.stall OR OLD."order" IS DISTINCT FROM NEW."order"'


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body};"
        " RETURN NULL; END $$ LANGUAGE plpgsql"
    )


def _statement_trigger(name: str, event: str, table: str, referencing: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
    )


_POSTGRES = [
    _function(
        "order_school_lines_added",
        'INSERT INTO order_school ("order", school, lines)'
        f' SELECT a."order", t.school, COUNT(*) FROM added a {_SCHOOL.format(row="a")}'
        ' GROUP BY t.school, a."order" ORDER BY t.school, a."order"'
        ' ON CONFLICT (school, "order") DO UPDATE SET lines = order_school.lines + EXCLUDED.lines',
    ),
    _function(
        "order_school_lines_removed",
        f'WITH gone AS (SELECT r."order", t.school, COUNT(*) AS n FROM removed r'
        f' {_SCHOOL.format(row="r")} GROUP BY r."order", t.school)'
        " UPDATE order_school o SET lines = o.lines - gone.n FROM gone"
        ' WHERE o."order" = gone."order" AND o.school = gone.school;'
        ' DELETE FROM order_school WHERE lines <= 0 AND (school, "order") IN'
        f' (SELECT t.school, r."order" FROM removed r {_SCHOOL.format(row="r")})',
    ),
    _function("order_school_line_moved", f"{_less('OLD')}; {_more('NEW')}"),
    _function("order_school_stall_moved", _remade(_STALL_ORDERS)),
    _function("order_school_team_moved", _remade(_TEAM_ORDERS)),
    _function(
        "order_school_counts_added",
        _COUNT_MORE.format(
            rows="SELECT school, COUNT(*) FROM added GROUP BY school ORDER BY school"
        ),
    ),
    _function(
        "order_school_counts_removed",
        "UPDATE order_school_count c SET orders = c.orders - g.n"
        " FROM (SELECT school, COUNT(*) AS n FROM removed GROUP BY school) g"
        " WHERE c.school = g.school",
    ),
    _statement_trigger("order_school_lines_added", "INSERT", "order_line", "NEW TABLE AS added"),
    _statement_trigger(
        "order_school_lines_removed", "DELETE", "order_line", "OLD TABLE AS removed"
    ),
    'CREATE TRIGGER order_school_line_moved AFTER UPDATE OF stall, "order" ON order_line'
    f" FOR EACH ROW WHEN ({_MOVED}) EXECUTE FUNCTION order_school_line_moved()",
    "CREATE TRIGGER order_school_stall_moved AFTER UPDATE OF team ON stall FOR EACH ROW"
    " WHEN (OLD.team IS DISTINCT FROM NEW.team) EXECUTE FUNCTION order_school_stall_moved()",
    "CREATE TRIGGER order_school_team_moved AFTER UPDATE OF school ON team FOR EACH ROW"
    " WHEN (OLD.school IS DISTINCT FROM NEW.school) EXECUTE FUNCTION order_school_team_moved()",
    _statement_trigger("order_school_counts_added", "INSERT", "order_school", "NEW TABLE AS added"),
    _statement_trigger(
        "order_school_counts_removed", "DELETE", "order_school", "OLD TABLE AS removed"
    ),
]
_SQLITE = [
    f"CREATE TRIGGER order_school_line_added AFTER INSERT ON order_line BEGIN {_more('NEW')}; END",
    "CREATE TRIGGER order_school_line_removed AFTER DELETE ON order_line BEGIN"
    f" {_less('OLD')}; END",
    'CREATE TRIGGER order_school_line_moved AFTER UPDATE OF stall, "order" ON order_line'
    f" WHEN {_MOVED.replace('IS DISTINCT FROM', 'IS NOT')}"
    f" BEGIN {_less('OLD')}; {_more('NEW')}; END",
    "CREATE TRIGGER order_school_stall_moved AFTER UPDATE OF team ON stall"
    f" WHEN OLD.team IS NOT NEW.team BEGIN {_remade(_STALL_ORDERS)}; END",
    "CREATE TRIGGER order_school_team_moved AFTER UPDATE OF school ON team"
    f" WHEN OLD.school IS NOT NEW.school BEGIN {_remade(_TEAM_ORDERS)}; END",
    "CREATE TRIGGER order_school_count_added AFTER INSERT ON order_school BEGIN"
    f" {_COUNT_MORE.format(rows='VALUES (NEW.school, 1)')}; END",
    "CREATE TRIGGER order_school_count_removed AFTER DELETE ON order_school BEGIN"
    f" {_COUNT_LESS.format(n=1, school='OLD.school')}; END",
]
_POSTGRES_NAMES = {
    "order_line": ("lines_added", "lines_removed", "line_moved"),
    "stall": ("stall_moved",),
    "team": ("team_moved",),
    "order_school": ("counts_added", "counts_removed"),
}
_DROP_POSTGRES = [
    statement
    for table, names in _POSTGRES_NAMES.items()
    for name in names
    for statement in (
        f"DROP TRIGGER IF EXISTS order_school_{name} ON {table}",
        f"DROP FUNCTION IF EXISTS order_school_{name}()",
    )
]
_DROP_SQLITE = [
    f"DROP TRIGGER IF EXISTS order_school_{name}"
    for name in (
        "line_added",
        "line_removed",
        "line_moved",
        "stall_moved",
        "team_moved",
        "count_added",
        "count_removed",
    )
]
_INDEX = 'CREATE UNIQUE INDEX order_school_school_order ON order_school (school, "order")'
_BACKFILL = [
    'INSERT INTO order_school ("order", school, lines) SELECT l."order", t.school, COUNT(*)'
    f' FROM order_line l {_SCHOOL.format(row="l")} GROUP BY l."order", t.school',
    "INSERT INTO order_school_count (school, orders)"
    " SELECT school, COUNT(*) FROM order_school GROUP BY school",
]


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    for statement in [_INDEX, *_BACKFILL, *(_SQLITE if _sqlite() else _POSTGRES)]:
        await OrderSchool.raw(statement)


async def drop_triggers() -> None:
    for statement in _DROP_SQLITE if _sqlite() else _DROP_POSTGRES:
        await OrderSchool.raw(statement)


class _Manager(MigrationManager):
    """Piccolo runs `add_raw` before adding tables: the triggers need the tables first."""

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


_TABLES = {
    ("OrderSchool", "order_school"): (
        ("order", _params()),
        ("school", _params()),
        ("lines", _params()),
    ),
    ("OrderSchoolCount", "order_school_count"): (
        ("school", _params(unique=True)),
        ("orders", _params()),
    ),
}


async def forwards():
    manager = _Manager(migration_id=ID, app_name="orders", description=DESCRIPTION)
    for (class_name, tablename), columns in _TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, params in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name="Integer",
                column_class=Integer,
                params=params,
                schema=None,
            )
    manager.add_raw_backwards(drop_triggers)
    return manager
