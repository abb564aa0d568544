"""Accounts: signing in, the signed-in user, and what teachers do with pupil accounts.
Class lists are in class_lists.py, staff accounts in staff.py, UK GDPR in pupil_data.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from clustermarket.accounts.passwords import (
    generate_password,
    hash_password,
    verify_dummy,
    verify_password,
)
from clustermarket.accounts.tables import Role, User
from clustermarket.frozen import Prepared, raw
from clustermarket.moderation.log import log_action
from clustermarket.rows import MAX_ROW_ID
from clustermarket.schools.services import all_schools
from clustermarket.schools.tables import School
from clustermarket.timeutil import now

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,29}$")
MAX_CLASS_LIST = 100


class AccountError(Exception):
    """A request about accounts that cannot be done; the message is for the user."""


class NotFound(Exception):
    """The thing does not exist, or this user may not see it (both look the same)."""


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    role: str
    first_name: str
    last_name: str
    school_id: int | None
    school_name: str | None
    session_epoch: int
    cluster_id: int | None = None  # None only for the nightly job's stand-in

    @property
    def is_pupil(self) -> bool:
        return self.role == Role.pupil

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.teacher

    @property
    def is_admin(self) -> bool:
        """A cluster admin; a platform admin is one too, in their own cluster."""
        return self.role in (Role.admin, Role.platform)

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.platform

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.teacher, Role.admin, Role.platform)

    @property
    def short_name(self) -> str:
        return short_name(self.first_name, self.last_name)


def short_name(first_name: str, last_name: str) -> str:
    """How pupils are named on signed-in pages: first name and last initial."""
    initial = last_name.strip()[:1].upper()
    return f"{first_name} {initial}." if initial else first_name


_USER_COLUMNS = (
    User.id,
    User.username,
    User.role,
    User.first_name,
    User.last_name,
    User.school,
    User.session_epoch,
    User.active,
    User.cluster,
    User.school.name.as_alias("school_name"),
)


def _current(row: dict[str, Any]) -> CurrentUser:
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        school_id=row["school"],
        school_name=row["school_name"],
        session_epoch=row["session_epoch"],
        cluster_id=row["cluster"],
    )


# Every signed-in request reads its user: written once as SQL (the same on both engines),
# because Piccolo builds a joined select anew each time, costing more than the query.
_SESSION_USER_SQL = (
    "SELECT u.id, u.username, u.role, u.first_name, u.last_name, u.school,"
    " u.session_epoch, u.active, u.cluster, s.name AS school_name"
    " FROM app_user u LEFT JOIN school s ON s.id = u.school WHERE u.id = {}"
)


# The same, with the user's unread notifications counted for the header's badge
# (web/badge.py): a signed-in page asks for no count of its own.
_SIGNED_IN_SQL = _SESSION_USER_SQL.replace(
    " FROM app_user u",
    ', (SELECT COUNT(*) FROM notification n WHERE n."user" = u.id AND n."read" = {}) AS unread'
    " FROM app_user u",
)


async def _session_row(sql: str, user_id: int, epoch: int, *values: Any) -> dict | None:
    rows = await raw(User, sql, *values, user_id) if 0 < user_id <= MAX_ROW_ID else []
    row = rows[0] if rows else None
    if row is None or not row["active"] or row["session_epoch"] != epoch:
        return None
    return row


async def load_session_user(user_id: int, epoch: int) -> CurrentUser | None:
    """The user a session belongs to, if the account is still active and the session current."""
    row = await _session_row(_SESSION_USER_SQL, user_id, epoch)
    return None if row is None else _current(row)


async def load_signed_in(user_id: int, epoch: int) -> tuple[CurrentUser | None, int]:
    """`load_session_user` and, in the same statement, the user's unread notifications."""
    row = await _session_row(_SIGNED_IN_SQL, user_id, epoch, False)
    return (None, 0) if row is None else (_current(row), int(row["unread"]))


async def authenticate(username: str, password: str, cluster_id: int) -> CurrentUser | None:
    """The account with this username in this cluster, if the password is right."""
    username = username.strip().lower()
    row = (
        await User.select(*_USER_COLUMNS, User.password_hash)
        .where((User.username == username) & (User.cluster == cluster_id))
        .first()
    )
    if row is None:
        await verify_dummy(password)
        return None
    if not await verify_password(row["password_hash"], password) or not row["active"]:
        return None
    await User.update({User.last_login_at: now()}).where(User.id == row["id"])
    return _current(row)


async def create_user(
    *,
    username: str,
    password: str,
    role: Role,
    first_name: str,
    last_name: str,
    school_id: int | None = None,
    year_group: int | None = None,
    email: str | None = None,
    cluster_id: int | None = None,
) -> int:
    """A new account in the school's cluster, or (no school: admins, community members) in
    `cluster_id`; the username must be free in that cluster."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError(
            "A username is 3 to 30 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    if role in (Role.pupil, Role.teacher) and school_id is None:
        raise AccountError("Pupils and teachers belong to a school.")
    if len(password) < 8:
        raise AccountError("A password needs at least 8 characters.")
    if school_id is not None:
        cluster_id = await cluster_of_school(school_id)
    if cluster_id is None:
        raise AccountError("An account without a school needs its cluster.")
    if await User.exists().where((User.username == username) & (User.cluster == cluster_id)):
        raise AccountError(f"The username {username} is taken.")
    rows = await User.insert(
        User(
            username=username,
            password_hash=await hash_password(password),
            role=role,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            school=school_id,
            year_group=year_group,
            email=email,
            cluster=cluster_id,
            created_at=now(),
        )
    ).returning(User.id)
    return rows[0]["id"]


async def schools_in(cluster_id: int | None) -> list[dict[str, Any]]:
    """The cluster's schools by name, for the staff pages' school choices (issue 15); none
    for an actor of no cluster."""
    return await all_schools(cluster_id) if cluster_id is not None else []


async def cluster_of_school(school_id: int) -> int:
    row = await School.select(School.cluster).where(School.id == school_id).first()
    if row is None:
        raise AccountError("That school does not exist.")
    return row["cluster"]


@dataclass(frozen=True)
class LoginCard:
    first_name: str
    last_name: str
    username: str
    password: str
    year_group: int | None
    school_name: str


# Built once (`frozen.Prepared`): the staff pages that act on a school ask it on every view.
_SCHOOL_OF_CLUSTER = Prepared(
    lambda school_id, cluster_id: (
        School.select(School.id, School.name, School.slug, School.phase)
        .where((School.id == school_id) & (School.cluster == cluster_id))
        .first()
    )
)


async def school_for_staff(actor: CurrentUser, school_id: int) -> dict[str, Any]:
    """Teachers act on their own school only; admins on any of their cluster (issue 15:
    another cluster's school is NotFound, like a missing one)."""
    if not actor.is_admin and actor.school_id != school_id:
        raise NotFound()
    school = await _SCHOOL_OF_CLUSTER.run(school_id, actor.cluster_id)
    if school is None:
        raise NotFound()
    return school


# What a teacher sees of a pupil account (the list row, the data page, the login card).
_PUPIL_COLUMNS = (
    User.id,
    User.username,
    User.first_name,
    User.last_name,
    User.year_group,
    User.active,
    User.photo_consent,
    User.school,
    User.last_login_at,
)


async def pupil_for_staff(actor: CurrentUser, pupil_id: int) -> dict[str, Any]:
    """A pupil this teacher may manage, or NotFound (also for another school's pupil, and
    for another cluster's: the admin manages their cluster's pupils only)."""
    row = (
        await User.select(*_PUPIL_COLUMNS, User.school.name.as_alias("school_name"))
        .where(
            (User.id == pupil_id) & (User.role == Role.pupil) & (User.cluster == actor.cluster_id)
        )
        .first()
    )
    if row is None or (not actor.is_admin and row["school"] != actor.school_id):
        raise NotFound()
    return row


# Built once (`frozen.Prepared`): the pupils' list reads it on every view.
_PUPILS_OF_SCHOOL = Prepared(
    lambda school_id: (
        User.select(*_PUPIL_COLUMNS)
        .where((User.school == school_id) & (User.role == Role.pupil))
        .order_by(User.last_name)
        .order_by(User.first_name)
    )
)


async def pupils_of_school(school_id: int) -> list[dict[str, Any]]:
    return await _PUPILS_OF_SCHOOL.run(school_id)


async def _log_account(actor: CurrentUser, action: str, account: dict[str, Any]) -> None:
    await log_action(
        actor_id=actor.id,
        action=f"account.{action}",
        subject_type="user",
        subject_id=account["id"],
        subject_label=account["username"],
        school_id=account["school"],
    )


async def issue_new_password(actor: CurrentUser, account: dict[str, Any]) -> LoginCard:
    """A new generated password, shown once on a card; every older session ends."""
    password = generate_password()
    await User.update(
        {
            User.password_hash: await hash_password(password),
            User.session_epoch: User.session_epoch + 1,
        }
    ).where(User.id == account["id"])
    await _log_account(actor, "reset_password", account)
    return LoginCard(
        account["first_name"],
        account["last_name"],
        account["username"],
        password,
        account.get("year_group"),
        account["school_name"] or "Cluster Market",
    )


async def set_account_active(
    actor: CurrentUser, account: dict[str, Any], active: bool
) -> dict[str, Any]:
    values: dict[Any, Any] = {User.active: active}
    if not active:
        values[User.session_epoch] = User.session_epoch + 1  # signs them out everywhere
    await User.update(values).where(User.id == account["id"])
    await _log_account(actor, "activate" if active else "deactivate", account)
    return {**account, "active": active}


async def reset_pupil_password(actor: CurrentUser, pupil_id: int) -> LoginCard:
    return await issue_new_password(actor, await pupil_for_staff(actor, pupil_id))


async def set_pupil_active(actor: CurrentUser, pupil_id: int, active: bool) -> dict[str, Any]:
    return await set_account_active(actor, await pupil_for_staff(actor, pupil_id), active)


async def set_photo_consent(actor: CurrentUser, pupil_id: int, consent: bool) -> dict[str, Any]:
    pupil = await pupil_for_staff(actor, pupil_id)
    await User.update({User.photo_consent: consent}).where(User.id == pupil_id)
    await _log_account(actor, "photo_consent_on" if consent else "photo_consent_off", pupil)
    return {**pupil, "photo_consent": consent}
