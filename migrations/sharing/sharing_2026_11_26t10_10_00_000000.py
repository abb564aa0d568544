"""Each idea's count of live comments, kept by triggers (issue 17, target 5: flat at scale).

A new column `idea.public_comments`: how many live (public) comments the idea has. Triggers
on `comment` keep it in the same transaction as every insert, delete or change of a
comment's visibility or target, whichever code writes it; the ideas board orders "most
discussed" by it through an index (`idea_most_discussed`) instead of counting every idea's
comments per view, and shows it instead of counting the page's comments. Earlier comments
are backfilled."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-26T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Each idea's count of live comments, kept by triggers"


class Idea(Table, tablename="idea", schema=None):
    pass


def _add(row: str, step: str) -> str:
    """Count `row` (OLD or NEW) on its idea, if it is a live comment on an idea."""
    return (
        f"UPDATE idea SET public_comments = public_comments {step} 1 WHERE id = {row}.target_id"
        f" AND {row}.target_type = 'idea' AND {row}.is_public = true"
    )


_COLUMNS = "is_public, target_type, target_id"
_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION idea_comment_counts() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_add("OLD", "-")};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    {_add("NEW", "+")};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    f"CREATE TRIGGER idea_comment_counts AFTER INSERT OR DELETE OR UPDATE OF {_COLUMNS}"
    " ON comment FOR EACH ROW EXECUTE FUNCTION idea_comment_counts()",
]
_SQLITE = [
    f"CREATE TRIGGER idea_comment_count_insert AFTER INSERT ON comment BEGIN"
    f" {_add('NEW', '+')}; END",
    f"CREATE TRIGGER idea_comment_count_delete AFTER DELETE ON comment BEGIN"
    f" {_add('OLD', '-')}; END",
    f"CREATE TRIGGER idea_comment_count_update AFTER UPDATE OF {_COLUMNS} ON comment BEGIN"
    f" {_add('OLD', '-')}; {_add('NEW', '+')}; END",
]
_DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS idea_comment_counts ON comment",
    "DROP FUNCTION IF EXISTS idea_comment_counts()",
]
_DROP_SQLITE = [
    f"DROP TRIGGER IF EXISTS idea_comment_count_{verb}" for verb in ("insert", "delete", "update")
]
_BACKFILL = (
    "UPDATE idea SET public_comments = (SELECT COUNT(*) FROM comment WHERE comment.target_type"
    " = 'idea' AND comment.target_id = idea.id AND comment.is_public = true)"
)
# "Most discussed" pages walk this index from its end (newest first among equal counts).
_INDEX = "CREATE INDEX idea_most_discussed ON idea (public_comments, created_at, id)"


def _sqlite() -> bool:
    return engine_finder().engine_type == "sqlite"


async def add_triggers() -> None:
    for statement in [_BACKFILL, _INDEX, *(_SQLITE if _sqlite() else _POSTGRES)]:
        await Idea.raw(statement)


async def drop_triggers() -> None:
    for statement in [
        *(_DROP_SQLITE if _sqlite() else _DROP_POSTGRES),
        "DROP INDEX IF EXISTS idea_most_discussed",
    ]:
        await Idea.raw(statement)


class _Manager(MigrationManager):
    """Piccolo runs `add_raw` before adding columns: the triggers need the column first."""

    async def _run_add_columns(self, backwards: bool = False) -> None:
        await super()._run_add_columns(backwards=backwards)
        if not backwards:
            await add_triggers()


async def forwards():
    manager = _Manager(migration_id=ID, app_name="sharing", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Idea",
        tablename="idea",
        column_name="public_comments",
        db_column_name="public_comments",
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
