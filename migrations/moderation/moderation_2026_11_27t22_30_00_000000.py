"""The moderated items counted per kind, status and owner, kept by triggers; and each kind's
items indexed by status and time (issue 17, target 5: the admin's Live and Hidden tabs flat
at scale).

A new table `queue_item_count`: one row per kind, status and owner with how many items it
has. The owner is the item's team (products and projects: `team_key`), else its school (the
sharing kinds and forum posts: `school_key`), else its author (an adult's item:
`author_key`); the other keys are 0. Triggers on the six moderated tables keep it in the
same transaction as every insert, delete or change of status, team, school or author (an
account deleted sets its items' author to NULL: that is an update too), whichever code
writes it. A moderation tab of the admin's sums its cluster's few rows instead of counting
every live item of the cluster on each view (20,000 at scale: 14 ms on PostgreSQL).
Earlier items are backfilled.

`<table>_queue_time` indexes each kind by status and the time the tabs order by (sent, else
last changed, else made) and id, so a tab's page is read in order from the index, ten rows a
kind, instead of sorting every item of the tab."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-27T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Moderated items counted per kind, status and owner, kept by triggers"


class QueueItemCount(Table, tablename="queue_item_count", schema=None):
    pass


# table, kind (as the queue names it), owner columns: (team, school, author)
KINDS = (
    ("product", "product", "team", None, "created_by"),
    ("project", "project", "team", None, "created_by"),
    ("idea", "idea", None, "school", "author"),
    ("comment", "comment", None, "school", "author"),
    ("pitch_feedback", "feedback", None, "school", "author"),
    ("forum_post", "forum", None, "school", "author"),
)
# The time the tabs order by (moderation/queue_page.py `_stamps`)
STAMPS = {
    "product": "COALESCE(submitted_at, updated_at, created_at)",
    "project": "COALESCE(submitted_at, updated_at, created_at)",
    "idea": "COALESCE(submitted_at, created_at)",
    "comment": "COALESCE(submitted_at, created_at)",
    "pitch_feedback": "COALESCE(submitted_at, created_at)",
    "forum_post": "COALESCE(submitted_at, created_at)",
}


def _key_list(row: str, team: str | None, school: str | None, author: str) -> list[str]:
    """school_key, team_key, author_key of `row` (NEW or OLD, or the table for the backfill)."""
    owner = team or school
    school_key = f"COALESCE({row}.{school}, 0)" if school else "0"
    team_key = f"COALESCE({row}.{team}, 0)" if team else "0"
    author_key = f"CASE WHEN {row}.{owner} IS NULL THEN COALESCE({row}.{author}, 0) ELSE 0 END"
    return [school_key, team_key, author_key]


def _keys(row: str, team: str | None, school: str | None, author: str) -> str:
    return ", ".join(_key_list(row, team, school, author))


_KEY_COLUMNS = "kind_key, status, school_key, team_key, author_key"


def _less(kind: str, row: str, keys: str) -> str:
    return (
        "UPDATE queue_item_count SET items = items - 1"
        f" WHERE ({_KEY_COLUMNS}) = ('{kind}', {row}.status, {keys})"
    )


def _more(kind: str, row: str, keys: str) -> str:
    return (
        f"INSERT INTO queue_item_count ({_KEY_COLUMNS}, items)"
        f" SELECT '{kind}', {row}.status, {keys}, 1 WHERE true"
        f" ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET items = queue_item_count.items + 1"
    )


def _watched(team: str | None, school: str | None, author: str) -> str:
    return ", ".join(c for c in ("status", team, school, author) if c)


def _postgres() -> list[str]:
    statements = []
    for table, kind, team, school, author in KINDS:
        old, new = _keys("OLD", team, school, author), _keys("NEW", team, school, author)
        statements += [
            f"""CREATE OR REPLACE FUNCTION {table}_queue_counts() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_less(kind, "OLD", old)};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    {_more(kind, "NEW", new)};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
            f"CREATE TRIGGER {table}_queue_counts AFTER INSERT OR DELETE OR UPDATE OF"
            f" {_watched(team, school, author)} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {table}_queue_counts()",
        ]
    return statements


def _sqlite() -> list[str]:
    statements = []
    for table, kind, team, school, author in KINDS:
        old, new = _keys("OLD", team, school, author), _keys("NEW", team, school, author)
        statements += [
            f"CREATE TRIGGER {table}_queue_count_insert AFTER INSERT ON {table} BEGIN"
            f" {_more(kind, 'NEW', new)}; END",
            f"CREATE TRIGGER {table}_queue_count_delete AFTER DELETE ON {table} BEGIN"
            f" {_less(kind, 'OLD', old)}; END",
            f"CREATE TRIGGER {table}_queue_count_update AFTER UPDATE OF"
            f" {_watched(team, school, author)} ON {table} BEGIN"
            f" {_less(kind, 'OLD', old)}; {_more(kind, 'NEW', new)}; END",
        ]
    return statements


def _drop_postgres() -> list[str]:
    statements = []
    for table, *_ in KINDS:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_queue_counts ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_queue_counts()",
        ]
    return statements


def _drop_sqlite() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_queue_count_{verb}"
        for table, *_ in KINDS
        for verb in ("insert", "delete", "update")
    ]


_KEY = f"CREATE UNIQUE INDEX queue_item_count_key ON queue_item_count ({_KEY_COLUMNS})"


def _backfill() -> list[str]:
    statements = []
    for table, kind, team, school, author in KINDS:
        school_key, team_key, author_key = _key_list(table, team, school, author)
        owners = (
            f"SELECT status, {school_key} AS s, {team_key} AS t, {author_key} AS a FROM {table}"
        )
        statements.append(  # grouped by name: SQLite reads a number there as a column's place
            f"INSERT INTO queue_item_count ({_KEY_COLUMNS}, items)"
            f" SELECT '{kind}', status, s, t, a, COUNT(*) FROM ({owners}) AS o"
            " GROUP BY status, s, t, a"
        )
    return statements


def _time_indexes() -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {table}_queue_time ON {table} (status, ({STAMPS[table]}), id)"
        for table, *_ in KINDS
    ]


def _is_sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    triggers = _sqlite() if _is_sqlite() else _postgres()
    for statement in [_KEY, *_backfill(), *triggers, *_time_indexes()]:
        await QueueItemCount.raw(statement)


async def drop_triggers() -> None:
    drops = _drop_sqlite() if _is_sqlite() else _drop_postgres()
    for statement in [*drops, *(f"DROP INDEX IF EXISTS {t}_queue_time" for t, *_ in KINDS)]:
        await QueueItemCount.raw(statement)


class _Manager(MigrationManager):
    """Piccolo runs `add_raw` before adding tables: the triggers need the table first."""

    async def _run_add_tables(self, backwards: bool = False) -> None:
        await super()._run_add_tables(backwards=backwards)
        if not backwards:
            await add_triggers()


def _params(column: str) -> dict[str, object]:
    return {
        "default": "" if column in ("kind_key", "status") else 0,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **({"length": 20} if column in ("kind_key", "status") else {}),
    }


async def forwards():
    manager = _Manager(migration_id=ID, app_name="moderation", description=DESCRIPTION)
    manager.add_table(
        class_name="QueueItemCount", tablename="queue_item_count", schema=None, columns=None
    )
    for name in ("kind_key", "status", "school_key", "team_key", "author_key", "items"):
        text = name in ("kind_key", "status")
        manager.add_column(
            table_class_name="QueueItemCount",
            tablename="queue_item_count",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar" if text else "Integer",
            column_class=Varchar if text else Integer,
            params=_params(name),
            schema=None,
        )
    manager.add_raw_backwards(drop_triggers)
    return manager
