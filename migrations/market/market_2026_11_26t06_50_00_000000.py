"""Running totals per stall and payment method for the reports (issue 17, target 5).

A new table `stall_method_total`: per stall and method, the standing sale lines, units of
goods (a custom amount counts no unit), takings, cost and tickets. Triggers on `sale_total`
(itself kept by triggers on `sale`, migration market_2026_11_26t05_00_00_000000) add each
change of a `sale_total` row to its stall and method's row, in the same transaction; the
teams, schools, methods and cluster reports read one to three rows per stall instead of one
per product and price sold. Earlier totals are backfilled."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T06:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Running totals per stall and payment method, kept by triggers on sale_total"

SUMMED = ("lines", "units", "amount_pence", "cost_pence", "tickets")


class Stall(Table, tablename="stall", schema=None):
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


class StallMethodTotal(Table, tablename="stall_method_total", schema=None):
    pass


def _figures(row: str, sign: str) -> str:
    """The figures sale_total row `row` (NEW or OLD) adds (+) or takes away (-)."""
    units = f"(CASE WHEN {row}.kind = 'custom' THEN 0 ELSE {row}.quantity END)"
    values = [f"{row}.lines", units, f"{row}.amount_pence", f"{row}.cost_pence", f"{row}.tickets"]
    return ", ".join(f"{sign}{v}" for v in values)


def _add(row: str, sign: str) -> str:
    """Add a sale_total row's figures to its stall and method's row (made if missing)."""
    return (
        f"INSERT INTO stall_method_total (stall, method, {', '.join(SUMMED)})"
        f" VALUES ({row}.stall, {row}.method, {_figures(row, sign)})"
        " ON CONFLICT (stall, method) DO UPDATE SET "
        + ", ".join(f"{c} = stall_method_total.{c} + excluded.{c}" for c in SUMMED)
    )


_WATCHED = "lines, quantity, amount_pence, cost_pence, tickets"

# Both engines: AFTER row triggers; a sale_total row's key (stall, method, kind) never
# changes, only its figures, so an update adds the new figures less the old.
_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION sale_total_moves_stall() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_add("OLD", "-")};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    {_add("NEW", "")};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER sale_total_moves_stall AFTER INSERT OR DELETE OR UPDATE OF "
    f"{_WATCHED} ON sale_total FOR EACH ROW EXECUTE FUNCTION sale_total_moves_stall()",
]
_SQLITE = [
    f"CREATE TRIGGER sale_total_stall_insert AFTER INSERT ON sale_total BEGIN {_add('NEW', '')};"
    " END",
    f"CREATE TRIGGER sale_total_stall_delete AFTER DELETE ON sale_total BEGIN {_add('OLD', '-')};"
    " END",
    f"CREATE TRIGGER sale_total_stall_update AFTER UPDATE OF {_WATCHED} ON sale_total BEGIN"
    f" {_add('OLD', '-')}; {_add('NEW', '')}; END",
]
_DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS sale_total_moves_stall ON sale_total",
    "DROP FUNCTION IF EXISTS sale_total_moves_stall()",
]
_DROP_SQLITE = [
    f"DROP TRIGGER IF EXISTS sale_total_stall_{verb}" for verb in ("insert", "delete", "update")
]
_SETUP = [
    "CREATE UNIQUE INDEX stall_method_total_key ON stall_method_total (stall, method)",
    f"INSERT INTO stall_method_total (stall, method, {', '.join(SUMMED)})"
    " SELECT stall, method, SUM(lines), SUM(CASE WHEN kind = 'custom' THEN 0 ELSE quantity END),"
    " SUM(amount_pence), SUM(cost_pence), SUM(tickets) FROM sale_total GROUP BY stall, method",
]


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    for statement in [*_SETUP, *(_SQLITE if _sqlite() else _POSTGRES)]:
        await StallMethodTotal.raw(statement)


async def drop_triggers() -> None:
    for statement in _DROP_SQLITE if _sqlite() else _DROP_POSTGRES:
        await StallMethodTotal.raw(statement)


class _Manager(MigrationManager):
    """Piccolo runs `add_raw` before adding tables: the triggers need the table first."""

    async def _run_add_tables(self, backwards: bool = False) -> None:
        await super()._run_add_tables(backwards=backwards)
        if not backwards:
            await add_triggers()


def _params(**extra: object) -> dict[str, object]:
    return {
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


_COLUMNS = [
    (
        "stall",
        ForeignKey,
        _params(
            references=Stall,
            on_delete=OnDelete.cascade,
            on_update=OnUpdate.cascade,
            target_column=None,
            index=True,
        ),
    ),
    ("method", Varchar, _params(length=8, default="")),
    *((name, Integer, _params(default=0)) for name in SUMMED),
]


async def forwards():
    manager = _Manager(migration_id=ID, app_name="market", description=DESCRIPTION)
    manager.add_table(
        class_name="StallMethodTotal", tablename="stall_method_total", schema=None, columns=None
    )
    for name, column_class, params in _COLUMNS:
        manager.add_column(
            table_class_name="StallMethodTotal",
            tablename="stall_method_total",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    manager.add_raw_backwards(drop_triggers)
    return manager
