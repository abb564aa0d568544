"""The approved copy of ideas, comments and pitch feedback (the pupil may edit their words
after approval; the edit waits for the teacher while the cluster reads the approved copy)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T03:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "published copies of ideas, comments and pitch feedback"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sharing", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Idea",
        tablename="idea",
        column_name="published_title",
        db_column_name="published_title",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 120, "default": "",
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

    manager.add_column(
        table_class_name="Idea",
        tablename="idea",
        column_name="published_body",
        db_column_name="published_body",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
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

    manager.add_column(
        table_class_name="Comment",
        tablename="comment",
        column_name="published_body",
        db_column_name="published_body",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
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

    manager.add_column(
        table_class_name="PitchFeedback",
        tablename="pitch_feedback",
        column_name="published_works_well",
        db_column_name="published_works_well",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
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

    manager.add_column(
        table_class_name="PitchFeedback",
        tablename="pitch_feedback",
        column_name="published_even_better_if",
        db_column_name="published_even_better_if",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
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

    return manager
