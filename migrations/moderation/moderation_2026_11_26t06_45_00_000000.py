"""The moderation log's count per school, kept by triggers (issue 17, target 5: flat at scale).

A new table `moderation_log_count`: one row per school (`school_key` 0 for entries of no
school) with how many log entries it has. Triggers on `moderation_log` keep it in the same
transaction as every insert, delete or change of school, whichever code writes the log; the
log page reads its true total from a row or eleven instead of counting every entry. Earlier
entries are backfilled."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T06:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The moderation log's count per school, kept by triggers"


class ModerationLogCount(Table, tablename="moderation_log_count", schema=None):
    pass


def _less(row: str) -> str:
    return (
        "UPDATE moderation_log_count SET entries = entries - 1"
        f" WHERE school_key = COALESCE({row}.school, 0)"
    )


def _more(row: str) -> str:
    return (
        f"INSERT INTO moderation_log_count (school_key, entries) VALUES (COALESCE({row}.school, 0),"
        " 1) ON CONFLICT (school_key) DO UPDATE SET entries = moderation_log_count.entries + 1"
    )


_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION moderation_log_counts() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_less("OLD")};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    {_more("NEW")};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER moderation_log_counts AFTER INSERT OR DELETE OR UPDATE OF school"
    " ON moderation_log FOR EACH ROW EXECUTE FUNCTION moderation_log_counts()",
]
_SQLITE = [
    f"CREATE TRIGGER moderation_log_count_insert AFTER INSERT ON moderation_log BEGIN"
    f" {_more('NEW')}; END",
    f"CREATE TRIGGER moderation_log_count_delete AFTER DELETE ON moderation_log BEGIN"
    f" {_less('OLD')}; END",
    f"CREATE TRIGGER moderation_log_count_update AFTER UPDATE OF school ON moderation_log BEGIN"
    f" {_less('OLD')}; {_more('NEW')}; END",
]
_DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS moderation_log_counts ON moderation_log",
    "DROP FUNCTION IF EXISTS moderation_log_counts()",
]
_DROP_SQLITE = [
    f"DROP TRIGGER IF EXISTS moderation_log_count_{verb}" for verb in ("insert", "delete", "update")
]
_BACKFILL = (
    "INSERT INTO moderation_log_count (school_key, entries)"
    " SELECT COALESCE(school, 0), COUNT(*) FROM moderation_log GROUP BY COALESCE(school, 0)"
)


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    for statement in [_BACKFILL, *(_SQLITE if _sqlite() else _POSTGRES)]:
        await ModerationLogCount.raw(statement)


async def drop_triggers() -> None:
    for statement in _DROP_SQLITE if _sqlite() else _DROP_POSTGRES:
        await ModerationLogCount.raw(statement)


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
    manager = _Manager(migration_id=ID, app_name="moderation", description=DESCRIPTION)
    manager.add_table(
        class_name="ModerationLogCount", tablename="moderation_log_count", schema=None, columns=None
    )
    for name, params in (("school_key", _params(unique=True)), ("entries", _params())):
        manager.add_column(
            table_class_name="ModerationLogCount",
            tablename="moderation_log_count",
            column_name=name,
            db_column_name=name,
            column_class_name="Integer",
            column_class=Integer,
            params=params,
            schema=None,
        )
    manager.add_raw_backwards(drop_triggers)
    return manager
