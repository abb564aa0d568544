"""Fill the approved copies from what was approved before they existed (approved and hidden
rows: a hidden one may be restored as it was approved). Raw steps run before a migration's
own columns are added, hence a migration of its own."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T03:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "approved copies of ideas, comments and pitch feedback filled in"

WAS_APPROVED = "status IN ('approved', 'hidden')"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sharing", description=DESCRIPTION)

    async def fill_published_copies():
        engine = engine_finder()
        for sql in (
            "UPDATE idea SET published_title = title, published_body = body",
            "UPDATE comment SET published_body = body",
            "UPDATE pitch_feedback SET published_works_well = works_well, "
            "published_even_better_if = even_better_if",
        ):
            await engine.run_ddl(f"{sql} WHERE {WAS_APPROVED}")

    manager.add_raw(fill_published_copies)
    return manager
