"""Every existing pupil gets a class from the year group they already have (data only)."""

import datetime
import secrets

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-11-26T00:23:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "existing pupils get a class from their year group"


# Frozen copies of the tables as they were at this migration.
class ClassRow(Table, tablename="school_class", schema=None):
    school = Integer()
    name = Varchar(length=80)
    year_group = Integer(null=True)
    sign_in_kind = Varchar(length=12)
    code = Varchar(length=32)
    created_at = Timestamptz()


class PupilRow(Table, tablename="app_user", schema=None):
    role = Varchar(length=12)
    school = Integer(null=True)
    year_group = Integer(null=True)
    school_class = Integer(null=True)


def class_name(year_group):
    if year_group is None:
        return "Pupils without a year group"
    return "Reception" if year_group == 0 else f"Year {year_group}"


async def give_pupils_classes():
    pairs = (
        await PupilRow.select(PupilRow.school, PupilRow.year_group)
        .where((PupilRow.role == "pupil") & PupilRow.school.is_not_null())
        .distinct()
    )
    for pair in pairs:
        school, year = pair["school"], pair["year_group"]
        rows = await ClassRow.insert(
            ClassRow(
                school=school,
                name=class_name(year),
                year_group=year,
                sign_in_kind="password",
                code=secrets.token_hex(5),
                created_at=datetime.datetime.now(datetime.timezone.utc),
            )
        ).returning(ClassRow.id)
        same_year = PupilRow.year_group.is_null() if year is None else PupilRow.year_group == year
        await PupilRow.update({PupilRow.school_class: rows[0]["id"]}).where(
            (PupilRow.role == "pupil") & (PupilRow.school == school) & same_year
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(give_pupils_classes)
    return manager
