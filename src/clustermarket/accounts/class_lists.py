"""Pupil accounts made from a class list pasted by a teacher: all or nothing."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from clustermarket.accounts.passwords import (
    generate_password,
    hash_password,
)
from clustermarket.accounts.services import (
    MAX_CLASS_LIST,
    USERNAME_RE,
    AccountError,
    CurrentUser,
    LoginCard,
    cluster_of_school,
    school_for_staff,
)
from clustermarket.accounts.tables import Role, User
from clustermarket.moderation.log import log_action
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction

# ---------------------------------------------------------------- pupils made by teachers


@dataclass(frozen=True)
class ClassListRow:
    line: int
    first_name: str
    last_name: str
    year_group: int | None
    username: str | None


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


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def username_base(first_name: str, last_name: str) -> str:
    """`ameliab` for Amelia Brown: easy for a young child to type."""
    base = (ascii_slug(first_name)[:20] or "pupil") + ascii_slug(last_name)[:1]
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


_USERNAMES_LOCK = 16301  # pg_advisory_xact_lock: usernames chosen by one writer at a time


async def usernames_starting(base: str) -> set[str]:
    rows = await User.select(User.username).where(User.username.like(f"{base}%"))
    return {r["username"] for r in rows}


def first_free(base: str, taken: set[str]) -> str:
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
        taken |= await usernames_starting(base)
    return [
        row.username or first_free(username_base(row.first_name, row.last_name), taken)
        for row in rows
    ]


async def _insert_pupils(
    actor: CurrentUser, school_id: int, rows: list[Any], hashes: list[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """The accounts and their log rows in one transaction (usernames chosen just before)."""
    created = now()
    async with write_transaction():  # SQLite: chosen and taken while holding the write lock
        if isinstance(User._meta.db, PostgresEngine):  # PostgreSQL: one class list at a time
            await User.raw("SELECT pg_advisory_xact_lock({})", _USERNAMES_LOCK)
        usernames = await _free_usernames(rows)
        cluster_id = await cluster_of_school(school_id)
        inserted = await User.insert(
            *[
                User(
                    username=u,
                    password_hash=h,
                    role=Role.pupil,
                    first_name=r.first_name,
                    last_name=r.last_name,
                    school=school_id,
                    cluster=cluster_id,
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
    school = await school_for_staff(actor, school_id)
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
