"""Running totals per school year for the products report (issue 17, target 5).

A new table `sale_year_total`: per cluster, school year (1 September to 31 August, named by
the year it starts in), team, product (0 for a custom amount), words and unit price, the
standing sale lines, quantity, takings and cost. Triggers on `sale_total` (itself kept by
triggers on `sale`, migration market_2026_11_26t05_00_00_000000) add each change of a
`sale_total` row to its year's row in the same transaction; a change of a market day's date
or cluster sums the two school years it leaves and joins again from `sale_total`. The products
report reads whole school years from here and only the days at the edges of its range from
`sale_total`. Earlier totals are backfilled."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Running totals per school year, team, product and price, kept by triggers"

KEY = ("cluster", "school_year", "team", "product", "label", "unit_price_pence")
SUMMED = ("lines", "quantity", "amount_pence", "cost_pence")


class SaleYearTotal(Table, tablename="sale_year_total", schema=None):
    pass


def school_year(date: str, sqlite: bool) -> str:
    """The school year of a date column as a number: 1 September 2026 to 31 August 2027 is
    2026 (eight months back is in the calendar year it starts in)."""
    if sqlite:
        return f"CAST(strftime('%Y', {date}, '-8 months') AS INTEGER)"
    return f"CAST(EXTRACT(YEAR FROM {date} - INTERVAL '8 months') AS INTEGER)"


def _add(row: str, sign: str, sqlite: bool) -> str:
    """Add (sign '') or take away ('-') sale_total row `row` at its school year's row."""
    values = ", ".join(
        [
            "d.cluster",
            school_year("d.date", sqlite),
            "s.team",
            f"COALESCE({row}.product, 0)",
            f"{row}.label",
            f"{row}.unit_price_pence",
            *(f"{sign}{row}.{c}" for c in SUMMED),
        ]
    )
    return (
        f"INSERT INTO sale_year_total ({', '.join([*KEY, *SUMMED])}) SELECT {values}"
        f" FROM stall s JOIN market_day d ON d.id = s.market_day WHERE s.id = {row}.stall"
        f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
        + ", ".join(f"{c} = sale_year_total.{c} + excluded.{c}" for c in SUMMED)
    )


def _sum_again(sqlite: bool, *cluster_years: tuple[str, str]) -> list[str]:
    """Sum the school years (cluster, year) again from sale_total: what a market day moved to
    another year or cluster leaves behind and joins."""
    year = school_year("d.date", sqlite)
    which = " OR ".join(f"(d.cluster = {c} AND {year} = {y})" for c, y in cluster_years)
    mine = " OR ".join(f"(cluster = {c} AND school_year = {y})" for c, y in cluster_years)
    return [
        f"DELETE FROM sale_year_total WHERE {mine}",
        f"INSERT INTO sale_year_total ({', '.join([*KEY, *SUMMED])})"
        f" SELECT d.cluster, {year}, s.team, COALESCE(st.product, 0), st.label,"
        f" st.unit_price_pence, {', '.join(f'SUM(st.{c})' for c in SUMMED)}"
        " FROM sale_total st JOIN stall s ON s.id = st.stall"
        f" JOIN market_day d ON d.id = s.market_day WHERE {which}"
        f" GROUP BY d.cluster, {year}, s.team, COALESCE(st.product, 0), st.label,"
        " st.unit_price_pence",
    ]


_WATCHED = ", ".join(SUMMED)


def _moved(sqlite: bool) -> str:
    """A market day changed school year or cluster."""
    return (
        f"OLD.cluster <> NEW.cluster OR {school_year('OLD.date', sqlite)}"
        f" <> {school_year('NEW.date', sqlite)}"
    )


def _day_moves(sqlite: bool) -> list[str]:
    return _sum_again(
        sqlite,
        ("OLD.cluster", school_year("OLD.date", sqlite)),
        ("NEW.cluster", school_year("NEW.date", sqlite)),
    )


# Both engines: AFTER row triggers; a sale_total row's key never changes, only its figures.
_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION sale_total_moves_year() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_add("OLD", "-", False)};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    {_add("NEW", "", False)};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER sale_total_moves_year AFTER INSERT OR DELETE OR UPDATE OF "
    f"{_WATCHED} ON sale_total FOR EACH ROW EXECUTE FUNCTION sale_total_moves_year()",
    f"""CREATE OR REPLACE FUNCTION market_day_moves_years() RETURNS trigger AS $$
BEGIN
  IF {_moved(False)} THEN
    {"; ".join(_day_moves(False))};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER market_day_moves_years AFTER UPDATE OF date, cluster ON market_day"
    " FOR EACH ROW EXECUTE FUNCTION market_day_moves_years()",
]
_SQLITE = [
    f"CREATE TRIGGER sale_total_year_insert AFTER INSERT ON sale_total"
    f" BEGIN {_add('NEW', '', True)}; END",
    f"CREATE TRIGGER sale_total_year_delete AFTER DELETE ON sale_total"
    f" BEGIN {_add('OLD', '-', True)}; END",
    f"CREATE TRIGGER sale_total_year_update AFTER UPDATE OF {_WATCHED} ON sale_total"
    f" BEGIN {_add('OLD', '-', True)}; {_add('NEW', '', True)}; END",
    "CREATE TRIGGER market_day_moves_years AFTER UPDATE OF date, cluster ON market_day"
    f" WHEN {_moved(True)} BEGIN {'; '.join(_day_moves(True))}; END",
]
_DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS sale_total_moves_year ON sale_total",
    "DROP FUNCTION IF EXISTS sale_total_moves_year()",
    "DROP TRIGGER IF EXISTS market_day_moves_years ON market_day",
    "DROP FUNCTION IF EXISTS market_day_moves_years()",
]
_DROP_SQLITE = [
    *(f"DROP TRIGGER IF EXISTS sale_total_year_{verb}" for verb in ("insert", "delete", "update")),
    "DROP TRIGGER IF EXISTS market_day_moves_years",
]


def _setup(sqlite: bool) -> list[str]:
    year = school_year("d.date", sqlite)
    return [
        f"CREATE UNIQUE INDEX sale_year_total_key ON sale_year_total ({', '.join(KEY)})",
        f"INSERT INTO sale_year_total ({', '.join([*KEY, *SUMMED])})"
        f" SELECT d.cluster, {year}, s.team, COALESCE(st.product, 0), st.label,"
        f" st.unit_price_pence, {', '.join(f'SUM(st.{c})' for c in SUMMED)}"
        " FROM sale_total st JOIN stall s ON s.id = st.stall"
        " JOIN market_day d ON d.id = s.market_day WHERE 1 = 1"
        f" GROUP BY d.cluster, {year}, s.team, COALESCE(st.product, 0), st.label,"
        " st.unit_price_pence",
    ]


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    sqlite = _sqlite()
    for statement in [*_setup(sqlite), *(_SQLITE if sqlite else _POSTGRES)]:
        await SaleYearTotal.raw(statement)


async def drop_triggers() -> None:
    for statement in _DROP_SQLITE if _sqlite() else _DROP_POSTGRES:
        await SaleYearTotal.raw(statement)


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
    *((name, Integer, _params(default=0)) for name in ("cluster", "school_year", "team")),
    ("product", Integer, _params(default=0)),
    ("label", Varchar, _params(length=60, default="")),
    ("unit_price_pence", Integer, _params(default=0)),
    *((name, Integer, _params(default=0)) for name in SUMMED),
]


async def forwards():
    manager = _Manager(migration_id=ID, app_name="market", description=DESCRIPTION)
    manager.add_table(
        class_name="SaleYearTotal", tablename="sale_year_total", schema=None, columns=None
    )
    for name, column_class, params in _COLUMNS:
        manager.add_column(
            table_class_name="SaleYearTotal",
            tablename="sale_year_total",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    manager.add_raw_backwards(drop_triggers)
    return manager
