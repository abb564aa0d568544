"""Running takings kept on the stall row (issue 17, the tap).

New columns on `stall`: `taken_cash_pence`, `taken_card_pence`, `taken_online_pence` (what
the sales that stand took, per method) and `taken_tickets` (how many tickets have at least
one line that stands). Triggers on `sale` keep them right in the same transaction as every
insert, void, un-void or delete of a sale line, whichever code path writes it; the stall
screen reads four numbers instead of summing every sale. Earlier sales are backfilled."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T03:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Running takings per stall, kept by triggers on sale"

COLUMNS = ("taken_cash_pence", "taken_card_pence", "taken_online_pence", "taken_tickets")
METHODS = ("cash", "card", "online")


class Stall(Table, tablename="stall", schema=None):
    pass


def _moves(row: str, sign: str) -> str:
    """The SET list adding (+) or taking away (-) one sale line `row` (NEW or OLD)."""
    parts = [
        f"taken_{m}_pence = taken_{m}_pence {sign} "
        f"(CASE WHEN {row}.method = '{m}' THEN {row}.amount_pence ELSE 0 END)"
        for m in METHODS
    ]
    alone = (  # no other line of the same ticket stands: the ticket starts or stops counting
        f"(CASE WHEN EXISTS (SELECT 1 FROM sale o WHERE o.ticket = {row}.ticket"
        f" AND o.stall = {row}.stall AND o.voided_at IS NULL AND o.id <> {row}.id)"
        " THEN 0 ELSE 1 END)"
    )
    parts.append(f"taken_tickets = taken_tickets {sign} {alone}")
    return ", ".join(parts)


def _update(row: str, sign: str) -> str:
    return f"UPDATE stall SET {_moves(row, sign)} WHERE id = {row}.stall"


_BACKFILL = "UPDATE stall SET " + ", ".join(
    [
        f"taken_{m}_pence = COALESCE((SELECT SUM(amount_pence) FROM sale WHERE sale.stall ="
        f" stall.id AND sale.voided_at IS NULL AND sale.method = '{m}'), 0)"
        for m in METHODS
    ]
    + [
        "taken_tickets = (SELECT COUNT(DISTINCT ticket) FROM sale WHERE sale.stall = stall.id"
        " AND sale.voided_at IS NULL)"
    ]
)

_WATCHED = "voided_at, amount_pence, method, stall, ticket"

# PostgreSQL: a BEFORE row trigger. It sees the rows an earlier row of the same statement
# changed (a ticket's lines inserted or voided in one statement), but not its own row yet:
# so a ticket is counted by its first line that stands and uncounted by its last. (An AFTER
# row trigger sees the whole statement's changes and would miscount such tickets.)
_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION sale_moves_takings() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.voided_at IS NULL THEN
    {_update("OLD", "-")};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.voided_at IS NULL THEN
    {_update("NEW", "+")};
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER sale_moves_takings BEFORE INSERT OR DELETE OR UPDATE OF "
    f"{_WATCHED} ON sale FOR EACH ROW EXECUTE FUNCTION sale_moves_takings()",
]
# SQLite runs row triggers as each row is written, so AFTER triggers see the same.
_SQLITE = [
    "CREATE TRIGGER sale_takings_insert AFTER INSERT ON sale WHEN NEW.voided_at IS NULL"
    f" BEGIN {_update('NEW', '+')}; END",
    "CREATE TRIGGER sale_takings_delete AFTER DELETE ON sale WHEN OLD.voided_at IS NULL"
    f" BEGIN {_update('OLD', '-')}; END",
    f"CREATE TRIGGER sale_takings_update AFTER UPDATE OF {_WATCHED} ON sale BEGIN"
    f" {_update('OLD', '-')} AND OLD.voided_at IS NULL;"
    f" {_update('NEW', '+')} AND NEW.voided_at IS NULL; END",
]
_DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS sale_moves_takings ON sale",
    "DROP FUNCTION IF EXISTS sale_moves_takings()",
]
_DROP_SQLITE = [
    f"DROP TRIGGER IF EXISTS sale_takings_{verb}" for verb in ("insert", "delete", "update")
]


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    await Stall.raw(_BACKFILL)
    for statement in _SQLITE if _sqlite() else _POSTGRES:
        await Stall.raw(statement)


async def drop_triggers() -> None:
    for statement in _DROP_SQLITE if _sqlite() else _DROP_POSTGRES:
        await Stall.raw(statement)


class _Manager(MigrationManager):
    """Piccolo runs `add_raw` before adding columns: the triggers need the columns first."""

    async def _run_add_columns(self, backwards: bool = False) -> None:
        await super()._run_add_columns(backwards=backwards)
        if not backwards:
            await add_triggers()


async def forwards():
    manager = _Manager(migration_id=ID, app_name="market", description=DESCRIPTION)
    for name in COLUMNS:
        manager.add_column(
            table_class_name="Stall",
            tablename="stall",
            column_name=name,
            db_column_name=name,
            column_class_name="Integer",
            column_class=Integer,
            params={
                "default": 0,
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
    manager.add_raw_backwards(drop_triggers)
    return manager
