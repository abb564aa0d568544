"""The live ideas counted per school (and per author of ideas with no school), kept by
triggers (issue 17, target 5: flat at scale).

A new table `idea_live_count`: one row per school with live ideas (`school_key`, `author_key`
0) and one per author of live ideas with no school (`school_key` 0, `author_key` the author,
0 when the author is gone), with how many. Triggers on `idea` keep it in the same
transaction as every insert, delete or change of `is_public`, `school` or `author` (an
account deleted sets its ideas' author to NULL: that is an update too), whichever code writes
it; the board's unfiltered total sums a cluster's rows (its schools' and its accounts')
instead of counting every live idea of the cluster on each view. Earlier ideas are
backfilled."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T19:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The live ideas counted per school, kept by triggers"


class IdeaLiveCount(Table, tablename="idea_live_count", schema=None):
    pass


def _keys(row: str) -> str:
    return (
        f"COALESCE({row}.school, 0),"
        f" CASE WHEN {row}.school IS NULL THEN COALESCE({row}.author, 0) ELSE 0 END"
    )


def _less(row: str) -> str:
    return (
        "UPDATE idea_live_count SET ideas = ideas - 1"
        f" WHERE (school_key, author_key) = ({_keys(row)}) AND {row}.is_public = true"
    )


def _more(row: str) -> str:
    return (
        f"INSERT INTO idea_live_count (school_key, author_key, ideas) SELECT {_keys(row)}, 1"
        f" WHERE {row}.is_public = true ON CONFLICT (school_key, author_key)"
        " DO UPDATE SET ideas = idea_live_count.ideas + 1"
    )


_COLUMNS = "is_public, school, author"
_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION idea_live_counts() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_less("OLD")};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    {_more("NEW")};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    f"CREATE TRIGGER idea_live_counts AFTER INSERT OR DELETE OR UPDATE OF {_COLUMNS}"
    " ON idea FOR EACH ROW EXECUTE FUNCTION idea_live_counts()",
]
_SQLITE = [
    f"CREATE TRIGGER idea_live_count_insert AFTER INSERT ON idea BEGIN {_more('NEW')}; END",
    f"CREATE TRIGGER idea_live_count_delete AFTER DELETE ON idea BEGIN {_less('OLD')}; END",
    f"CREATE TRIGGER idea_live_count_update AFTER UPDATE OF {_COLUMNS} ON idea BEGIN"
    f" {_less('OLD')}; {_more('NEW')}; END",
]
_DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS idea_live_counts ON idea",
    "DROP FUNCTION IF EXISTS idea_live_counts()",
]
_DROP_SQLITE = [
    f"DROP TRIGGER IF EXISTS idea_live_count_{verb}" for verb in ("insert", "delete", "update")
]
_KEY = "CREATE UNIQUE INDEX idea_live_count_key ON idea_live_count (school_key, author_key)"
_BACKFILL = (
    "INSERT INTO idea_live_count (school_key, author_key, ideas)"
    f" SELECT {_keys('idea')}, COUNT(*) FROM idea WHERE idea.is_public = true"
    f" GROUP BY {_keys('idea')}"
)


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    for statement in [_KEY, _BACKFILL, *(_SQLITE if _sqlite() else _POSTGRES)]:
        await IdeaLiveCount.raw(statement)


async def drop_triggers() -> None:
    for statement in _DROP_SQLITE if _sqlite() else _DROP_POSTGRES:
        await IdeaLiveCount.raw(statement)


class _Manager(MigrationManager):
    """Piccolo runs `add_raw` before adding tables: the triggers need the table first."""

    async def _run_add_tables(self, backwards: bool = False) -> None:
        await super()._run_add_tables(backwards=backwards)
        if not backwards:
            await add_triggers()


def _params() -> dict[str, object]:
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
    }


async def forwards():
    manager = _Manager(migration_id=ID, app_name="sharing", description=DESCRIPTION)
    manager.add_table(
        class_name="IdeaLiveCount", tablename="idea_live_count", schema=None, columns=None
    )
    for name in ("school_key", "author_key", "ideas"):
        manager.add_column(
            table_class_name="IdeaLiveCount",
            tablename="idea_live_count",
            column_name=name,
            db_column_name=name,
            column_class_name="Integer",
            column_class=Integer,
            params=_params(),
            schema=None,
        )
    manager.add_raw_backwards(drop_triggers)
    return manager
