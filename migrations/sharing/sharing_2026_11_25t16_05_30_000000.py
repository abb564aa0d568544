"""Unique indexes of the sharing tables (by hand: Piccolo adds Unique constraints with
ALTER TABLE, which SQLite cannot do; and raw steps run before a migration's own tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T16:05:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes of the sharing tables"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sharing", description=DESCRIPTION)

    # Both engines accept a unique index as an ON CONFLICT target.
    async def add_unique_indexes():
        engine = engine_finder()
        for sql in (
            "CREATE UNIQUE INDEX reaction_one_per_user_and_kind ON reaction (idea, \"user\", kind)",
            "CREATE UNIQUE INDEX flag_one_per_reporter ON flag (subject_type, subject_id, reporter)",
        ):
            await engine.run_ddl(sql)

    async def drop_unique_indexes():
        engine = engine_finder()
        for name in (
            "reaction_one_per_user_and_kind",
            "flag_one_per_reporter",
        ):
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(add_unique_indexes)
    manager.add_raw_backwards(drop_unique_indexes)

    return manager
