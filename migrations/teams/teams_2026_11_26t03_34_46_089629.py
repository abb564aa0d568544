from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-26T03:34:46:089629"
VERSION = "1.38.0"
DESCRIPTION = "Indexes on foreign keys and filter columns (issue 17)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="teams", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Team",
        tablename="team",
        column_name="school",
        db_column_name="school",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="TeamMember",
        tablename="team_member",
        column_name="team",
        db_column_name="team",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="TeamMember",
        tablename="team_member",
        column_name="user",
        db_column_name="user",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
