from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-26T04:48:43:734624"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="coop", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="BallotOption",
        tablename="ballot_option",
        column_name="ballot",
        db_column_name="ballot",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="CommunityGroup",
        tablename="community_group",
        column_name="contact_account",
        db_column_name="contact_account",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Vote",
        tablename="vote",
        column_name="option",
        db_column_name="option",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="WelcomeLink",
        tablename="welcome_link",
        column_name="account",
        db_column_name="account",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
