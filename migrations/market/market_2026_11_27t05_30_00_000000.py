"""One trigger function per sale line on PostgreSQL (issue 17, target 4: the tap).

A sale line's insert, void, un-void, change or delete moved four sets of running figures
through four trigger functions: `sale_moves_takings` (the stall's `taken_*`, migration
market_2026_11_26t03_40_00_000000) and `sale_moves_totals` (`sale_total`, migration
market_2026_11_26t05_00_00_000000) on `sale`, then on each change of a `sale_total` row
`sale_total_moves_stall` (`stall_method_total`, migration market_2026_11_26t06_50_00_000000)
and `sale_total_moves_year` (`sale_year_total`, migration market_2026_11_26t13_00_00_000000),
each of those taking the old row away and adding the new one: per tap, two looks at the
ticket's other lines, four upserts and the stall and market day read again, about 0.8 ms of
PostgreSQL's CPU. `sale_moves_figures` does the same in one function: the ticket's other
lines read once, the stall's takings updated returning what the year's row needs (team,
cluster, school year), `sale_total` as before, then one upsert of the line's figures each
into `stall_method_total` and `sale_year_total`.

`sale_total` is written only by that function, so its own triggers now fire on DELETE only
(a stall or product removed with its rows); the moves between its rows of the same stall and
method (a row left with no line passing on its tickets) change nothing per stall and method.
SQLite keeps its triggers (migrations above): the figures are the same on both engines. The
earlier functions stay, unused, for going backwards."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T05:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One trigger function moves a sale line's running figures (PostgreSQL)"

SALE_TOTAL_KEY = ("stall", "product", "kind", "label", "unit_price_pence", "method")
SUMMED = ("quantity", "amount_pence", "cost_pence")
METHODS = ("cash", "card", "online")
_SCHOOL_YEAR = "CAST(EXTRACT(YEAR FROM d.date - INTERVAL '8 months') AS INTEGER)"


def _others(row: str) -> str:
    """Whether another line of the ticket stands at the stall, and at it by the same method
    (the line itself left out: a BEFORE trigger sees the earlier rows of its statement)."""
    return (
        f"SELECT COUNT(*) > 0, COUNT(*) FILTER (WHERE o.method = {row}.method) > 0"
        f" INTO other_line, other_line_of_method FROM sale o WHERE o.ticket = {row}.ticket"
        f" AND o.stall = {row}.stall AND o.voided_at IS NULL AND o.id <> {row}.id"
    )


def _takings(row: str, sign: str) -> str:
    """The stall's running takings, returning the year's key parts (none: no stall)."""
    moves = [
        f"taken_{m}_pence = taken_{m}_pence {sign} "
        f"(CASE WHEN {row}.method = '{m}' THEN {row}.amount_pence ELSE 0 END)"
        for m in METHODS
    ]
    moves.append(f"taken_tickets = taken_tickets {sign} (CASE WHEN other_line THEN 0 ELSE 1 END)")
    return (
        f"UPDATE stall s SET {', '.join(moves)} FROM market_day d"
        f" WHERE s.id = {row}.stall AND d.id = s.market_day"
        f" RETURNING s.team, d.cluster, {_SCHOOL_YEAR} INTO day_team, day_cluster, day_year"
    )


def _same_key(row: str) -> str:
    """sale_total rows with the key of sale line `row`; no product matches none."""
    return (
        " AND ".join(f"t.{c} = {row}.{c}" for c in SALE_TOTAL_KEY if c != "product")
        + f" AND (t.product = {row}.product OR (t.product IS NULL AND {row}.product IS NULL))"
    )


def _total_change(row: str, sign: str) -> str:
    """Add (+) or take away (-) the line at its key's sale_total row with the lowest id."""
    moves = ", ".join(
        [f"lines = lines {sign} 1", f"tickets = tickets {sign} method_ticket"]
        + [f"{c} = {c} {sign} {row}.{c}" for c in SUMMED]
    )
    return (
        f"UPDATE sale_total SET {moves} WHERE id ="
        f" (SELECT MIN(t.id) FROM sale_total t WHERE {_same_key(row)})"
    )


def _total_take(row: str) -> str:
    """As `_take` of migration market_2026_11_26t05_00_00_000000: a row left with no line
    passes its tickets to a row of the same stall and method that has lines."""
    same = f"stall = {row}.stall AND method = {row}.method"
    return (
        f"{_total_change(row, '-')}; "
        "UPDATE sale_total SET tickets = tickets + (SELECT COALESCE(SUM(z.tickets), 0)"
        f" FROM sale_total z WHERE z.{same} AND z.lines = 0)"
        f" WHERE id = (SELECT MIN(t.id) FROM sale_total t WHERE t.{same} AND t.lines > 0); "
        f"UPDATE sale_total SET tickets = 0 WHERE {same} AND lines = 0 AND tickets <> 0"
    )


def _total_add(row: str) -> str:
    columns = ", ".join([*SALE_TOTAL_KEY, "lines", *SUMMED, "tickets"])
    values = ", ".join(
        [*(f"{row}.{c}" for c in SALE_TOTAL_KEY), "1", *(f"{row}.{c}" for c in SUMMED)]
    )
    return (
        f"{_total_change(row, '+')};\n    IF NOT FOUND THEN\n"
        f"      INSERT INTO sale_total ({columns}) VALUES ({values}, method_ticket);\n"
        "    END IF"
    )


def _per_stall(row: str, sign: str) -> str:
    """The line's figures at its stall and method's row (made if missing)."""
    units = f"(CASE WHEN {row}.kind = 'custom' THEN 0 ELSE {row}.quantity END)"
    figures = {
        "lines": "1",
        "units": units,
        "amount_pence": f"{row}.amount_pence",
        "cost_pence": f"{row}.cost_pence",
        "tickets": "method_ticket",
    }
    return (
        f"INSERT INTO stall_method_total (stall, method, {', '.join(figures)})"
        f" VALUES ({row}.stall, {row}.method, {', '.join(f'{sign}{v}' for v in figures.values())})"
        " ON CONFLICT (stall, method) DO UPDATE SET "
        + ", ".join(f"{c} = stall_method_total.{c} + excluded.{c}" for c in figures)
    )


def _per_year(row: str, sign: str) -> str:
    """The line's figures at its school year's row (made if missing)."""
    key = ("cluster", "school_year", "team", "product", "label", "unit_price_pence")
    summed = ("lines", *SUMMED)
    values = [
        "day_cluster",
        "day_year",
        "day_team",
        f"COALESCE({row}.product, 0)",
        f"{row}.label",
        f"{row}.unit_price_pence",
        f"{sign}1",
        *(f"{sign}{row}.{c}" for c in SUMMED),
    ]
    return (
        f"INSERT INTO sale_year_total ({', '.join([*key, *summed])}) VALUES ({', '.join(values)})"
        f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
        + ", ".join(f"{c} = sale_year_total.{c} + excluded.{c}" for c in summed)
    )


def _moves(row: str, sign: str) -> str:
    """Every running figure of sale line `row` (OLD or NEW), taken away (-) or added (+)."""
    total = _total_take(row) if sign == "-" else _total_add(row)
    return f"""{_others(row)};
    method_ticket := CASE WHEN other_line_of_method THEN 0 ELSE 1 END;
    {_takings(row, sign)};
    {total};
    {_per_stall(row, sign)};
    IF day_team IS NOT NULL THEN
      {_per_year(row, sign)};
    END IF"""


_WATCHED = (
    "voided_at, stall, product, kind, label, unit_price_pence, method, quantity, amount_pence,"
    " cost_pence, ticket"
)

# A BEFORE row trigger, as the two it replaces: it sees the lines an earlier row of the same
# statement wrote, not its own, so a ticket is counted by its first line that stands.
_FORWARDS = [
    "DROP TRIGGER IF EXISTS sale_moves_takings ON sale",
    "DROP TRIGGER IF EXISTS sale_moves_totals ON sale",
    f"""CREATE OR REPLACE FUNCTION sale_moves_figures() RETURNS trigger AS $$
DECLARE
  other_line boolean;
  other_line_of_method boolean;
  method_ticket integer;
  day_team integer;
  day_cluster integer;
  day_year integer;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.voided_at IS NULL THEN
    {_moves("OLD", "-")};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.voided_at IS NULL THEN
    {_moves("NEW", "+")};
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
    f"CREATE TRIGGER sale_moves_figures BEFORE INSERT OR DELETE OR UPDATE OF {_WATCHED}"
    " ON sale FOR EACH ROW EXECUTE FUNCTION sale_moves_figures()",
    "DROP TRIGGER IF EXISTS sale_total_moves_stall ON sale_total",
    "DROP TRIGGER IF EXISTS sale_total_moves_year ON sale_total",
    "CREATE TRIGGER sale_total_moves_stall AFTER DELETE ON sale_total"
    " FOR EACH ROW EXECUTE FUNCTION sale_total_moves_stall()",
    "CREATE TRIGGER sale_total_moves_year AFTER DELETE ON sale_total"
    " FOR EACH ROW EXECUTE FUNCTION sale_total_moves_year()",
]
# The triggers as the earlier migrations made them.
_BACKWARDS = [
    "DROP TRIGGER IF EXISTS sale_moves_figures ON sale",
    "DROP FUNCTION IF EXISTS sale_moves_figures()",
    "CREATE TRIGGER sale_moves_takings BEFORE INSERT OR DELETE OR UPDATE OF"
    " voided_at, amount_pence, method, stall, ticket ON sale"
    " FOR EACH ROW EXECUTE FUNCTION sale_moves_takings()",
    f"CREATE TRIGGER sale_moves_totals BEFORE INSERT OR DELETE OR UPDATE OF {_WATCHED}"
    " ON sale FOR EACH ROW EXECUTE FUNCTION sale_moves_totals()",
    "DROP TRIGGER IF EXISTS sale_total_moves_stall ON sale_total",
    "DROP TRIGGER IF EXISTS sale_total_moves_year ON sale_total",
    "CREATE TRIGGER sale_total_moves_stall AFTER INSERT OR DELETE OR UPDATE OF"
    " lines, quantity, amount_pence, cost_pence, tickets ON sale_total"
    " FOR EACH ROW EXECUTE FUNCTION sale_total_moves_stall()",
    "CREATE TRIGGER sale_total_moves_year AFTER INSERT OR DELETE OR UPDATE OF"
    " lines, quantity, amount_pence, cost_pence ON sale_total"
    " FOR EACH ROW EXECUTE FUNCTION sale_total_moves_year()",
]


async def _run(statements: list[str]) -> None:
    engine = engine_finder()
    if engine.engine_type != "sqlite":
        for statement in statements:
            await engine.run_ddl(statement)


async def one_function() -> None:
    await _run(_FORWARDS)


async def earlier_functions() -> None:
    await _run(_BACKWARDS)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)
    manager.add_raw(one_function)
    manager.add_raw_backwards(earlier_functions)
    return manager
