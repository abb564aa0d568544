from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.schools.tables import School


class Role(str, Enum):
    pupil = "pupil"
    teacher = "teacher"
    admin = "admin"
    community = "community"


class User(Table, tablename="app_user"):
    """Anyone who signs in. Pupils have no e-mail; their teacher made their account."""

    username = Varchar(length=60, unique=True)  # always stored lower-case
    password_hash = Varchar(length=255)
    role = Varchar(length=12, choices=Role, index=True)
    first_name = Varchar(length=60)
    last_name = Varchar(length=60)
    school = ForeignKey(references=School, null=True, on_delete=OnDelete.restrict)
    year_group = Integer(null=True, default=None)
    email = Varchar(length=254, null=True, default=None)
    # Teachers record whether a pupil's photos may be published (issue 3 uses it).
    photo_consent = Boolean(default=False)
    active = Boolean(default=True)
    # Bumped on password reset or deactivation: every older session stops working.
    session_epoch = Integer(default=0)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
