from enum import Enum

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from clustermarket.schools.tables import Cluster, School


class Role(str, Enum):
    pupil = "pupil"
    teacher = "teacher"
    admin = "admin"
    community = "community"
    platform = "platform"  # above the cluster admins: makes clusters (issue 15)


class SignInKind(str, Enum):
    password = "password"
    picture = "picture"


class SchoolClass(Table, tablename="school_class"):
    """A school's class ("Year 3 Hedgehogs"); its sign-in link carries `code`."""

    school = ForeignKey(references=School, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=80)
    year_group = Integer(null=True, default=None)
    sign_in_kind = Varchar(length=12, choices=SignInKind, default=SignInKind.password)
    # Random and unguessable; a new one ends the old link at once.
    code = Varchar(length=32, unique=True)
    created_at = Timestamptz()


class User(Table, tablename="app_user"):
    """Anyone who signs in. Pupils have no e-mail; their teacher made their account.

    Every account belongs to one cluster (issue 15): a pupil's or teacher's is their school's,
    set from the school when the account is made; an admin's or community member's is the
    cluster they were made in. Usernames are unique per cluster (index
    `app_user_cluster_username`), and a session is good in its account's cluster only."""

    username = Varchar(length=60)  # always stored lower-case; unique with `cluster`
    cluster = ForeignKey(references=Cluster, null=False, on_delete=OnDelete.restrict)
    password_hash = Varchar(length=255)
    role = Varchar(length=12, choices=Role, index=True)
    first_name = Varchar(length=60)
    last_name = Varchar(length=60)
    school = ForeignKey(references=School, null=True, on_delete=OnDelete.restrict, index=True)
    year_group = Integer(null=True, default=None)
    email = Varchar(length=254, null=True, default=None)
    # Teachers record whether a pupil's photos may be published (issue 3 uses it).
    photo_consent = Boolean(default=False)
    active = Boolean(default=True)
    # Bumped on password reset or deactivation: every older session stops working.
    session_epoch = Integer(default=0)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
    # Issue 12: the pupil's class, picture PIN (argon2 hash) and its wrong-PIN pause.
    school_class = ForeignKey(
        references=SchoolClass, null=True, default=None, on_delete=OnDelete.set_null, index=True
    )
    pin_hash = Varchar(length=255, null=True, default=None)
    pin_failures = Integer(default=0)
    pin_paused_until = Timestamptz(null=True, default=None)
    # Set by the summer rollover for leavers; the account is erased after `erase_after`.
    left_on = Date(null=True, default=None)
    erase_after = Date(null=True, default=None)
    # Staff who moderate may ask for one e-mail a day when items wait (moderation/digest.py).
    digest_opt_in = Boolean(default=False)
