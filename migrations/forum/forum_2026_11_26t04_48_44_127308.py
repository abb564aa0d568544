from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-26T04:48:44:127308"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="forum", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="ForumPost",
        tablename="forum_post",
        column_name="author",
        db_column_name="author",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ForumPost",
        tablename="forum_post",
        column_name="school",
        db_column_name="school",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ForumThread",
        tablename="forum_thread",
        column_name="started_by",
        db_column_name="started_by",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
