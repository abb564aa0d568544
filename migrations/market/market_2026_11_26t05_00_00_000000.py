"""Running totals of sales for the reports (issue 17, target 5: reports flat at scale).

A new table `sale_total`: per stall, product, kind, words (a custom amount's label), unit price
and payment method, the standing sale lines, quantity, takings, cost and tickets. Triggers on
`sale` keep it right in the same transaction as every insert, void, un-void or delete of a sale
line, whichever code path writes it (as the stall's `taken_*` columns are kept, migration
market_2026_11_26t03_40_00_000000); the reports sum a few rows per stall instead of every
sale. There is no unique key (a custom amount has no product): a row is found by its key and
changed at the lowest id, so two first sales racing on PostgreSQL make two rows whose sums are
still right. Earlier sales are backfilled."""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Running totals of sales per stall, product, price and method, kept by triggers"

KEY = ("stall", "product", "kind", "label", "unit_price_pence", "method")
SUMMED = ("quantity", "amount_pence", "cost_pence")


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


class Product(Table, tablename="product", schema=None):
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


class SaleTotal(Table, tablename="sale_total", schema=None):
    pass


def _same_key(row: str) -> str:
    """sale_total rows with the key of sale line `row` (NEW or OLD); no product matches none."""
    return (
        " AND ".join(f"t.{c} = {row}.{c}" for c in KEY if c != "product")
        + f" AND (t.product = {row}.product OR (t.product IS NULL AND {row}.product IS NULL))"
    )


def _alone(row: str) -> str:
    """1 if no other line of the ticket at that stall and method stands, else 0: the ticket
    starts or stops counting."""
    return (
        f"(CASE WHEN EXISTS (SELECT 1 FROM sale o WHERE o.ticket = {row}.ticket"
        f" AND o.stall = {row}.stall AND o.method = {row}.method AND o.voided_at IS NULL"
        f" AND o.id <> {row}.id) THEN 0 ELSE 1 END)"
    )


def _change(row: str, sign: str) -> str:
    """Add (+) or take away (-) sale line `row` at the row of its key with the lowest id."""
    moves = ", ".join(
        [f"lines = lines {sign} 1", f"tickets = tickets {sign} {_alone(row)}"]
        + [f"{c} = {c} {sign} {row}.{c}" for c in SUMMED]
    )
    return (
        f"UPDATE sale_total SET {moves} WHERE id ="
        f" (SELECT MIN(t.id) FROM sale_total t WHERE {_same_key(row)})"
    )


def _take(row: str) -> str:
    """Take sale line `row` away; a row left with no line passes its tickets to a row of the
    same stall and method that has lines (none left: the tickets are all gone), so a row at
    no line always counts no ticket and the reports can leave it out."""
    same = f"stall = {row}.stall AND method = {row}.method"
    return (
        f"{_change(row, '-')}; "
        "UPDATE sale_total SET tickets = tickets + (SELECT COALESCE(SUM(z.tickets), 0)"
        f" FROM sale_total z WHERE z.{same} AND z.lines = 0)"
        f" WHERE id = (SELECT MIN(t.id) FROM sale_total t WHERE t.{same} AND t.lines > 0); "
        f"UPDATE sale_total SET tickets = 0 WHERE {same} AND lines = 0 AND tickets <> 0"
    )


def _first(row: str) -> str:
    """The key's first row, for a line whose key has none yet (the UPDATE changed nothing)."""
    columns = ", ".join([*KEY, "lines", *SUMMED, "tickets"])
    values = ", ".join([*(f"{row}.{c}" for c in KEY), "1", *(f"{row}.{c}" for c in SUMMED)])
    return f"INSERT INTO sale_total ({columns}) SELECT {values}, {_alone(row)}"


_WATCHED = "voided_at, stall, product, kind, label, unit_price_pence, method, " + ", ".join(
    ("quantity", "amount_pence", "cost_pence", "ticket")
)

# PostgreSQL: a BEFORE row trigger, like the stall's takings: it sees the lines an earlier row
# of the same statement wrote, but not its own, so a ticket is counted once.
_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION sale_moves_totals() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.voided_at IS NULL THEN
    {_take("OLD")};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.voided_at IS NULL THEN
    {_change("NEW", "+")};
    IF NOT FOUND THEN
      {_first("NEW")};
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER sale_moves_totals BEFORE INSERT OR DELETE OR UPDATE OF "
    f"{_WATCHED} ON sale FOR EACH ROW EXECUTE FUNCTION sale_moves_totals()",
]


def _sqlite_add(row: str) -> str:
    missing = f"NOT EXISTS (SELECT 1 FROM sale_total t WHERE {_same_key(row)})"
    return f"{_change(row, '+')}; {_first(row)} WHERE {missing};"


# SQLite runs row triggers as each row is written; the line itself is left out of `_alone`.
_SQLITE = [
    "CREATE TRIGGER sale_totals_insert AFTER INSERT ON sale WHEN NEW.voided_at IS NULL"
    f" BEGIN {_sqlite_add('NEW')} END",
    "CREATE TRIGGER sale_totals_delete AFTER DELETE ON sale WHEN OLD.voided_at IS NULL"
    f" BEGIN {_take('OLD')}; END",
    f"CREATE TRIGGER sale_totals_update_old AFTER UPDATE OF {_WATCHED} ON sale"
    f" WHEN OLD.voided_at IS NULL BEGIN {_take('OLD')}; END",
    f"CREATE TRIGGER sale_totals_update_new AFTER UPDATE OF {_WATCHED} ON sale"
    f" WHEN NEW.voided_at IS NULL BEGIN {_sqlite_add('NEW')} END",
]
_DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS sale_moves_totals ON sale",
    "DROP FUNCTION IF EXISTS sale_moves_totals()",
]
_DROP_SQLITE = [
    f"DROP TRIGGER IF EXISTS sale_totals_{verb}"
    for verb in ("insert", "delete", "update_old", "update_new")
]

_BACKFILL = [
    f"INSERT INTO sale_total ({', '.join([*KEY, 'lines', *SUMMED, 'tickets'])})"
    f" SELECT {', '.join(KEY)}, COUNT(*), {', '.join(f'SUM({c})' for c in SUMMED)}, 0"
    f" FROM sale WHERE voided_at IS NULL GROUP BY {', '.join(KEY)}",
    # Each stall and method's tickets on its first row.
    "UPDATE sale_total SET tickets = (SELECT COUNT(DISTINCT s.ticket) FROM sale s"
    " WHERE s.stall = sale_total.stall AND s.method = sale_total.method"
    " AND s.voided_at IS NULL)"
    " WHERE id IN (SELECT MIN(id) FROM sale_total GROUP BY stall, method)",
]


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    for statement in [*_BACKFILL, *(_SQLITE if _sqlite() else _POSTGRES)]:
        await SaleTotal.raw(statement)


async def drop_triggers() -> None:
    for statement in _DROP_SQLITE if _sqlite() else _DROP_POSTGRES:
        await SaleTotal.raw(statement)


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


def _foreign_key(references: type[Table], null: bool) -> dict[str, object]:
    return _params(
        references=references,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        index=True,
    )


_KIND = Enum("SaleKind", {"product": "product", "custom": "custom", "preorder": "preorder"})
_METHOD = Enum("PaymentMethod", {"cash": "cash", "card": "card", "online": "online"})
_COLUMNS = [
    ("stall", ForeignKey, _foreign_key(Stall, null=False)),
    ("product", ForeignKey, _foreign_key(Product, null=True)),
    ("kind", Varchar, _params(length=8, default="product", choices=_KIND)),
    ("label", Varchar, _params(length=60, default="")),
    ("unit_price_pence", Integer, _params(default=0)),
    ("method", Varchar, _params(length=8, default="", choices=_METHOD)),
    ("lines", Integer, _params(default=0)),
    ("quantity", Integer, _params(default=0)),
    ("amount_pence", Integer, _params(default=0)),
    ("cost_pence", Integer, _params(default=0)),
    ("tickets", Integer, _params(default=0)),
]


async def forwards():
    manager = _Manager(migration_id=ID, app_name="market", description=DESCRIPTION)
    manager.add_table(class_name="SaleTotal", tablename="sale_total", schema=None, columns=None)
    for name, column_class, params in _COLUMNS:
        manager.add_column(
            table_class_name="SaleTotal",
            tablename="sale_total",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    manager.add_raw_backwards(drop_triggers)
    return manager
