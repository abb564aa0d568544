"""Accounts: signing in, the signed-in user, and the accounts teachers make for pupils."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import Any

import asyncpg

from clustermarket.accounts.passwords import (
    generate_password,
    hash_password,
    verify_dummy,
    verify_password,
)
from clustermarket.accounts.tables import Role, User
from clustermarket.moderation.log import log_action
from clustermarket.moderation.tables import ModerationLog
from clustermarket.rows import MAX_ROW_ID
from clustermarket.schools.tables import School
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction

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

    @property
    def is_pupil(self) -> bool:
        return self.role == Role.pupil

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.teacher

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.teacher, Role.admin)

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
    )


# Every signed-in request reads its user: written once as SQL (the same on both engines),
# because Piccolo builds a joined select anew each time, costing more than the query.
_SESSION_USER_SQL = (
    "SELECT u.id, u.username, u.role, u.first_name, u.last_name, u.school,"
    " u.session_epoch, u.active, s.name AS school_name"
    " FROM app_user u LEFT JOIN school s ON s.id = u.school WHERE u.id = {}"
)


async def load_session_user(user_id: int, epoch: int) -> CurrentUser | None:
    """The user a session belongs to, if the account is still active and the session current."""
    rows = await User.raw(_SESSION_USER_SQL, user_id) if 0 < user_id <= MAX_ROW_ID else []
    row = rows[0] if rows else None
    if row is None or not row["active"] or row["session_epoch"] != epoch:
        return None
    return _current(row)


async def authenticate(username: str, password: str) -> CurrentUser | None:
    username = username.strip().lower()
    row = (
        await User.select(*_USER_COLUMNS, User.password_hash)
        .where(User.username == username)
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
) -> int:
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
    if await User.exists().where(User.username == username):
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
            created_at=now(),
        )
    ).returning(User.id)
    return rows[0]["id"]


# ---------------------------------------------------------------- pupils made by teachers


@dataclass(frozen=True)
class ClassListRow:
    line: int
    first_name: str
    last_name: str
    year_group: int | None
    username: str | None


@dataclass(frozen=True)
class LoginCard:
    first_name: str
    last_name: str
    username: str
    password: str
    year_group: int | None
    school_name: str


class ClassListError(AccountError):
    def __init__(self, problems: list[str]):
        super().__init__("The class list needs a few changes; nothing was created yet.")
        self.problems = problems


_YEAR_RE = re.compile(r"^(?:y|yr|year)?\s*(\d{1,2})$", re.IGNORECASE)


def _parse_year(text: str) -> int | None:
    text = text.strip()
    if text.lower() in ("r", "rec", "reception"):
        return 0
    match = _YEAR_RE.match(text)
    if match and 0 <= int(match.group(1)) <= 13:
        return int(match.group(1))
    raise ValueError(text)


def parse_class_list(text: str) -> tuple[list[ClassListRow], list[str]]:
    """One pupil a line: `First Last`, then optionally a year group and a username,
    separated by commas or tabs (so a spreadsheet column paste works)."""
    rows: list[ClassListRow] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in re.split(r"[,\t]", line)]
        names = parts[0].split()
        if len(names) < 2:
            problems.append(f"Line {number} ({parts[0] or 'empty'}): give a first and a last name.")
            continue
        if any(len(n) > 60 for n in names) or any(
            unicodedata.category(c)[0] == "C" for c in parts[0]
        ):
            problems.append(f"Line {number}: the name is too long or has odd characters.")
            continue
        year = None
        if len(parts) > 1 and parts[1]:
            try:
                year = _parse_year(parts[1])
            except ValueError:
                problems.append(
                    f"Line {number} ({parts[0]}): “{parts[1]}” is not a year group "
                    "(write 4, Y4, Year 4 or R)."
                )
                continue
        username = parts[2].lower() if len(parts) > 2 and parts[2] else None
        if username and not USERNAME_RE.match(username):
            problems.append(
                f"Line {number} ({parts[0]}): “{parts[2]}” cannot be a username "
                "(3 to 30 letters, digits, dots or dashes)."
            )
            continue
        if len(parts) > 3:
            problems.append(f"Line {number}: too many columns (name, year group, username).")
            continue
        rows.append(ClassListRow(number, names[0], " ".join(names[1:]), year, username))
    if not rows and not problems:
        problems.append("The list is empty: paste one pupil a line.")
    if len(rows) > MAX_CLASS_LIST:
        problems.append(f"At most {MAX_CLASS_LIST} pupils at a time, please split the list.")
    return rows, problems


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def username_base(first_name: str, last_name: str) -> str:
    """`ameliab` for Amelia Brown: easy for a young child to type."""
    base = (_ascii_slug(first_name)[:20] or "pupil") + _ascii_slug(last_name)[:1]
    return base if len(base) >= 3 else base + "x" * (3 - len(base))


async def _check_class_list(rows: list[ClassListRow], school_id: int) -> list[str]:
    problems: list[str] = []
    seen_names: dict[str, int] = {}
    seen_usernames: dict[str, int] = {}
    for row in rows:
        key = f"{row.first_name} {row.last_name}".lower()
        if key in seen_names and not row.username:
            problems.append(
                f"Line {row.line}: {row.first_name} {row.last_name} is also on line "
                f"{seen_names[key]}. If they are two pupils, give each a username in a third "
                "column; otherwise remove the extra line."
            )
        seen_names.setdefault(key, row.line)
        if row.username:
            if row.username in seen_usernames:
                problems.append(
                    f"Line {row.line}: the username {row.username} is also asked for on line "
                    f"{seen_usernames[row.username]}."
                )
            seen_usernames.setdefault(row.username, row.line)

    wanted = [r.username for r in rows if r.username]
    if wanted:
        taken = {
            r["username"]
            for r in await User.select(User.username).where(User.username.is_in(wanted))
        }
        problems += [
            f"Line {r.line}: the username {r.username} is taken; choose another or leave it out."
            for r in rows
            if r.username in taken
        ]

    existing = await User.select(User.first_name, User.last_name, User.username).where(
        (User.school == school_id) & (User.role == Role.pupil)
    )
    by_name = {f"{e['first_name']} {e['last_name']}".lower(): e["username"] for e in existing}
    for row in rows:
        key = f"{row.first_name} {row.last_name}".lower()
        if key in by_name and not row.username:
            problems.append(
                f"Line {row.line}: {row.first_name} {row.last_name} already has an account "
                f"here ({by_name[key]}). Remove the line, or give a username in a third column "
                "if this is a different pupil."
            )
    return problems


async def _usernames_starting(base: str) -> set[str]:
    rows = await User.select(User.username).where(User.username.like(f"{base}%"))
    return {r["username"] for r in rows}


def _first_free(base: str, taken: set[str]) -> str:
    """`base`, else `base2`, `base3`... whichever is not taken; it is then taken."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


async def _free_usernames(rows: list[ClassListRow]) -> list[str]:
    taken: set[str] = {r.username for r in rows if r.username}
    for base in {username_base(r.first_name, r.last_name) for r in rows if not r.username}:
        taken |= await _usernames_starting(base)
    return [
        row.username or _first_free(username_base(row.first_name, row.last_name), taken)
        for row in rows
    ]


async def _insert_pupils(
    actor: CurrentUser, school_id: int, rows: list[Any], hashes: list[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """The accounts and their log rows in one transaction (usernames chosen just before)."""
    created = now()
    async with write_transaction():  # SQLite: chosen and taken while holding the write lock
        usernames = await _free_usernames(rows)
        inserted = await User.insert(
            *[
                User(
                    username=u,
                    password_hash=h,
                    role=Role.pupil,
                    first_name=r.first_name,
                    last_name=r.last_name,
                    school=school_id,
                    year_group=r.year_group,
                    created_at=created,
                )
                for r, u, h in zip(rows, usernames, hashes, strict=True)
            ]
        ).returning(User.id, User.username)
        for item in inserted:
            await log_action(
                actor_id=actor.id,
                action="account.create",
                subject_type="user",
                subject_id=item["id"],
                subject_label=item["username"],
                school_id=school_id,
            )
    return usernames, inserted


async def create_pupils_from_class_list(
    actor: CurrentUser, school_id: int, text: str
) -> list[LoginCard]:
    """Make an account per line and return the login cards (passwords are shown only now).

    All or nothing: any problem in the list creates no account and lists every problem."""
    school = await _school_for_staff(actor, school_id)
    rows, problems = parse_class_list(text)
    problems += await _check_class_list(rows, school_id)
    if problems:
        raise ClassListError(problems)

    passwords = [generate_password() for _ in rows]
    hashes = [await hash_password(p) for p in passwords]
    for _ in range(3):  # another list made the same username meanwhile: choose again
        try:
            usernames, inserted = await _insert_pupils(actor, school_id, rows, hashes)
            break
        except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):
            continue
    else:
        raise ClassListError(
            ["Other accounts were being made at the same moment: please send the list again."]
        )
    return [
        LoginCard(r.first_name, r.last_name, u, p, r.year_group, school["name"])
        for r, u, p in zip(rows, usernames, passwords, strict=True)
    ]


async def _school_for_staff(actor: CurrentUser, school_id: int) -> dict[str, Any]:
    """Teachers act on their own school only; admins on any."""
    if not actor.is_admin and actor.school_id != school_id:
        raise NotFound()
    school = await School.select(School.id, School.name).where(School.id == school_id).first()
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
    """A pupil this teacher may manage, or NotFound (also for another school's pupil)."""
    row = (
        await User.select(*_PUPIL_COLUMNS, User.school.name.as_alias("school_name"))
        .where((User.id == pupil_id) & (User.role == Role.pupil))
        .first()
    )
    if row is None or (not actor.is_admin and row["school"] != actor.school_id):
        raise NotFound()
    return row


async def pupils_of_school(school_id: int) -> list[dict[str, Any]]:
    return (
        await User.select(*_PUPIL_COLUMNS)
        .where((User.school == school_id) & (User.role == Role.pupil))
        .order_by(User.last_name)
        .order_by(User.first_name)
    )


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


# ------------------------------------------------------------ staff accounts (the admin)


STAFF_ROLES = (Role.teacher, Role.admin)


async def staff_accounts() -> list[dict[str, Any]]:
    return (
        await User.select(
            User.id,
            User.username,
            User.first_name,
            User.last_name,
            User.role,
            User.active,
            User.school,
            User.last_login_at,
            User.school.name.as_alias("school_name"),
        )
        .where(User.role.is_in(list(STAFF_ROLES)))
        .order_by(User.last_name)
        .order_by(User.first_name)
    )


async def staff_for_admin(actor: CurrentUser, user_id: int) -> dict[str, Any]:
    if not actor.is_admin:
        raise NotFound()
    row = (
        await User.select(
            User.id,
            User.username,
            User.first_name,
            User.last_name,
            User.role,
            User.active,
            User.school,
            User.school.name.as_alias("school_name"),
        )
        .where((User.id == user_id) & User.role.is_in(list(STAFF_ROLES)))
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def create_staff_account(
    actor: CurrentUser,
    *,
    first_name: str,
    last_name: str,
    role: str,
    school_id: int | None,
    email: str = "",
) -> LoginCard:
    """The admin makes a teacher (of one school) or another admin; the username is the
    first initial and last name (`staylor`), the password generated and shown once."""
    if not actor.is_admin:
        raise NotFound()
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name or len(first_name) > 60 or len(last_name) > 60:
        raise AccountError("Give a first and a last name (up to 60 letters each).")
    if role not in STAFF_ROLES:
        raise AccountError("Choose teacher or admin.")
    school = None
    if role == Role.teacher:
        if school_id is None:
            raise AccountError("Choose the school this teacher works at.")
        school = await School.select(School.id, School.name).where(School.id == school_id).first()
        if school is None:
            raise AccountError("Choose the school this teacher works at.")
    email = email.strip()
    if email and ("@" not in email or len(email) > 254):
        raise AccountError("That e-mail address does not look right.")
    base = _ascii_slug(first_name)[:1] + _ascii_slug(last_name)[:20]
    base = base if len(base) >= 3 else f"{base}staff"
    username = _first_free(base, await _usernames_starting(base))
    password = generate_password()
    user_id = await create_user(
        username=username,
        password=password,
        role=Role(role),
        first_name=first_name,
        last_name=last_name,
        school_id=school["id"] if school else None,
        email=email or None,
    )
    await _log_account(
        actor,
        "create",
        {"id": user_id, "username": username, "school": school["id"] if school else None},
    )
    return LoginCard(
        first_name,
        last_name,
        username,
        password,
        None,
        school["name"] if school else "Cluster admin",
    )


# ------------------------------------------------------------- UK GDPR: export and erase


_SECRETS = ("password_hash", "pin_hash")  # never exported, even as hashes


async def export_pupil_data(actor: CurrentUser, pupil_id: int) -> dict[str, Any]:
    """Everything stored about a pupil: the account and every row of every table that
    points at it (memberships, content they created, photos, sales they recorded, posts...).

    Found through the foreign keys, so tables added later are included without a change."""
    from piccolo.columns import ForeignKey
    from piccolo.conf.apps import Finder

    pupil = await pupil_for_staff(actor, pupil_id)
    account = (
        await User.select(*[c for c in User._meta.columns if c._meta.name not in _SECRETS])
        .where(User.id == pupil_id)
        .first()
    )
    export: dict[str, Any] = {"account": account, "school": pupil["school_name"], "records": {}}
    for table in Finder().get_table_classes():
        for column in table._meta.foreign_key_columns:
            if (
                isinstance(column, ForeignKey)
                and column._foreign_key_meta.resolved_references is User
            ):
                rows = await table.select().where(column == pupil_id)
                if rows and table is not User:
                    export["records"].setdefault(table._meta.tablename, []).extend(rows)
    await _log_account(actor, "export", pupil)
    return export


async def erase_pupil(actor: CurrentUser, pupil_id: int, confirm_username: str) -> None:
    """Delete the account. Team content and sales stay (they are the team's), but nothing
    points at the pupil any more: the database sets those references to empty."""
    pupil = await pupil_for_staff(actor, pupil_id)
    if confirm_username.strip().lower() != pupil["username"]:
        raise AccountError(f"Type the username {pupil['username']} to confirm.")
    async with write_transaction():
        await log_action(
            actor_id=actor.id,
            action="account.erase",
            subject_type="user",
            subject_id=pupil_id,
            subject_label=f"erased pupil #{pupil_id}",
            school_id=pupil["school"],
        )
        # Earlier log rows named the pupil by username: keep the rows, drop the name.
        await ModerationLog.update(
            {ModerationLog.subject_label: f"erased pupil #{pupil_id}"}
        ).where((ModerationLog.subject_type == "user") & (ModerationLog.subject_id == pupil_id))
        await User.delete().where(User.id == pupil_id)
