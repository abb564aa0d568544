from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Timestamptz

ID = "2026-11-26T03:35:00:094590"
VERSION = "1.38.0"
DESCRIPTION = "Indexes on foreign keys and filter columns (issue 17)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sharing", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Comment",
        tablename="comment",
        column_name="author",
        db_column_name="author",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Comment",
        tablename="comment",
        column_name="school",
        db_column_name="school",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Comment",
        tablename="comment",
        column_name="receiving_school",
        db_column_name="receiving_school",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Flag",
        tablename="flag",
        column_name="reporter",
        db_column_name="reporter",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Idea",
        tablename="idea",
        column_name="author",
        db_column_name="author",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Idea",
        tablename="idea",
        column_name="school",
        db_column_name="school",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Idea",
        tablename="idea",
        column_name="created_at",
        db_column_name="created_at",
        params={"index": True},
        old_params={"index": False},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Notification",
        tablename="notification",
        column_name="user",
        db_column_name="user",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchEntry",
        tablename="pitch_entry",
        column_name="round",
        db_column_name="round",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchEntry",
        tablename="pitch_entry",
        column_name="team",
        db_column_name="team",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchEntry",
        tablename="pitch_entry",
        column_name="product",
        db_column_name="product",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchEntry",
        tablename="pitch_entry",
        column_name="project",
        db_column_name="project",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchEntry",
        tablename="pitch_entry",
        column_name="created_by",
        db_column_name="created_by",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchFeedback",
        tablename="pitch_feedback",
        column_name="entry",
        db_column_name="entry",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchFeedback",
        tablename="pitch_feedback",
        column_name="author",
        db_column_name="author",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchFeedback",
        tablename="pitch_feedback",
        column_name="school",
        db_column_name="school",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchFeedback",
        tablename="pitch_feedback",
        column_name="receiving_school",
        db_column_name="receiving_school",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchRound",
        tablename="pitch_round",
        column_name="market_day",
        db_column_name="market_day",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="PitchRound",
        tablename="pitch_round",
        column_name="created_by",
        db_column_name="created_by",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Reaction",
        tablename="reaction",
        column_name="idea",
        db_column_name="idea",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Reaction",
        tablename="reaction",
        column_name="user",
        db_column_name="user",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
