from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-26T03:34:49:176949"
VERSION = "1.38.0"
DESCRIPTION = "Indexes on foreign keys and filter columns (issue 17)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="catalogue", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Product",
        tablename="product",
        column_name="team",
        db_column_name="team",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Product",
        tablename="product",
        column_name="created_by",
        db_column_name="created_by",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
