"""Classes: a school's group of pupils with a year group, a sign-in kind and a sign-in link.

Teachers act on their own school's classes only (NotFound otherwise); admins on any school's.
Every change to a class or to a pupil's sign-in is written to the moderation log.
"""

from __future__ import annotations

import secrets
from typing import Any

from clustermarket.accounts import picture_pin
from clustermarket.accounts.services import (
    AccountError,
    CurrentUser,
    NotFound,
    _log_account,
    short_name,
)
from clustermarket.accounts.tables import Role, SchoolClass, SignInKind, User
from clustermarket.frozen import Prepared
from clustermarket.moderation.log import log_action
from clustermarket.schools.tables import School
from clustermarket.timeutil import now

# No look-alike characters: a teacher may read the code aloud or type it from a card.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def year_label(year_group: int | None) -> str:
    if year_group is None:
        return ""
    return "Reception" if year_group == 0 else f"Year {year_group}"


_CLASS_COLUMNS = (
    SchoolClass.id,
    SchoolClass.name,
    SchoolClass.year_group,
    SchoolClass.sign_in_kind,
    SchoolClass.code,
    SchoolClass.school,
    SchoolClass.school.name.as_alias("school_name"),
    SchoolClass.school.slug.as_alias("school_slug"),
)


# Built once (`frozen.Prepared`): the classes page lists them on every view.
_CLASSES_OF_SCHOOL = Prepared(
    lambda school_id: (
        SchoolClass.select(*_CLASS_COLUMNS)
        .where(SchoolClass.school == school_id)
        .order_by(SchoolClass.year_group)
        .order_by(SchoolClass.name)
    )
)
_CLASS_OF_EACH_PUPIL = Prepared(
    lambda school_id: User.select(User.school_class).where(
        (User.school == school_id) & (User.role == Role.pupil)
    )
)


async def classes_of_school(school_id: int) -> list[dict[str, Any]]:
    """The school's classes with how many pupils each has (two queries, any number of rows)."""
    classes = await _CLASSES_OF_SCHOOL.run(school_id)
    pupils = await _CLASS_OF_EACH_PUPIL.run(school_id)
    counts: dict[int | None, int] = {}
    for row in pupils:
        counts[row["school_class"]] = counts.get(row["school_class"], 0) + 1
    return [{**c, "pupil_count": counts.get(c["id"], 0)} for c in classes]


async def class_by_link(school_slug: str, code: str, cluster_id: int) -> dict[str, Any] | None:
    """The class a sign-in link opens, or None (a changed code is simply not found, and so is
    another cluster's class: `cluster_id` is the request's, issue 15)."""
    if not code or len(code) > 32:
        return None
    return (
        await SchoolClass.select(*_CLASS_COLUMNS)
        .where(
            (SchoolClass.code == code)
            & (SchoolClass.school.slug == school_slug)
            & (SchoolClass.school.cluster == cluster_id)
        )
        .first()
    )


# Built once (`frozen.Prepared`): a class's page and every change to a class ask it.
_CLASS_OF_CLUSTER = Prepared(
    lambda class_id, cluster_id: (
        SchoolClass.select(*_CLASS_COLUMNS)
        .where((SchoolClass.id == class_id) & (SchoolClass.school.cluster == cluster_id))
        .first()
    )
)


async def class_for_staff(actor: CurrentUser, class_id: int) -> dict[str, Any]:
    """A class the actor manages: a teacher's school's; the admin's cluster's (issue 15:
    another cluster's class is NotFound, like a missing one)."""
    row = await _CLASS_OF_CLUSTER.run(class_id, actor.cluster_id)
    if row is None or (not actor.is_admin and row["school"] != actor.school_id):
        raise NotFound()
    return row


async def _log(actor: CurrentUser, action: str, school_class: dict[str, Any]) -> None:
    await log_action(
        actor_id=actor.id,
        action=f"class.{action}",
        subject_type="class",
        subject_id=school_class["id"],
        subject_label=school_class["name"],
        school_id=school_class["school"],
    )


def _check_fields(name: str, year_group: int | None, kind: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise AccountError("Give the class a name of up to 80 letters, e.g. Year 3 Hedgehogs.")
    if year_group is not None and not 0 <= year_group <= 13:
        raise AccountError("Choose a year group from Reception to Year 13.")
    if kind not in (SignInKind.password, SignInKind.picture):
        raise AccountError("Choose how the class signs in: password or picture PIN.")
    return name


async def create_class(
    actor: CurrentUser, school_id: int | None, name: str, year_group: int | None, kind: str
) -> dict[str, Any]:
    if school_id is None:
        raise AccountError("Choose the school this class belongs to.")
    if not actor.is_admin and actor.school_id != school_id:
        raise NotFound()
    if not await School.exists().where(
        (School.id == school_id) & (School.cluster == actor.cluster_id)
    ):
        raise AccountError("Choose the school this class belongs to.")
    name = _check_fields(name, year_group, kind)
    rows = await SchoolClass.insert(
        SchoolClass(
            school=school_id,
            name=name,
            year_group=year_group,
            sign_in_kind=kind,
            code=new_code(),
            created_at=now(),
        )
    ).returning(SchoolClass.id)
    created = await class_for_staff(actor, rows[0]["id"])
    await _log(actor, "create", created)
    return created


async def set_sign_in_kind(actor: CurrentUser, class_id: int, kind: str) -> dict[str, Any]:
    school_class = await class_for_staff(actor, class_id)
    _check_fields(school_class["name"], school_class["year_group"], kind)
    await SchoolClass.update({SchoolClass.sign_in_kind: kind}).where(SchoolClass.id == class_id)
    await _log(actor, f"sign_in_{kind}", school_class)
    return {**school_class, "sign_in_kind": kind}


async def change_code(actor: CurrentUser, class_id: int) -> dict[str, Any]:
    """A new sign-in link; the old one stops working at once."""
    school_class = await class_for_staff(actor, class_id)
    code = new_code()
    await SchoolClass.update({SchoolClass.code: code}).where(SchoolClass.id == class_id)
    await _log(actor, "new_code", school_class)
    return {**school_class, "code": code}


_PUPIL_COLUMNS = (
    User.id,
    User.username,
    User.first_name,
    User.last_name,
    User.year_group,
    User.active,
    User.school,
    User.school_class,
    User.pin_paused_until,
    User.left_on,
)


# Built once (`frozen.Prepared`): a class's page lists both on every view.
_PUPILS_OF_CLASS = Prepared(
    lambda class_id: (
        User.select(*_PUPIL_COLUMNS, User.pin_hash)
        .where((User.school_class == class_id) & (User.role == Role.pupil))
        .order_by(User.first_name)
        .order_by(User.last_name)
    )
)
_PUPILS_NOT_IN_CLASS = Prepared(
    lambda school_id, class_id: (
        User.select(
            User.id,
            User.first_name,
            User.last_name,
            User.school_class.name.as_alias("class_name"),
        )
        .where(
            (User.school == school_id)
            & (User.role == Role.pupil)
            & (User.active == True)  # noqa: E712
            & User.left_on.is_null()
            & ((User.school_class != class_id) | User.school_class.is_null())
        )
        .order_by(User.first_name)
        .order_by(User.last_name)
    )
)


async def pupils_of_class(class_id: int) -> list[dict[str, Any]]:
    rows = await _PUPILS_OF_CLASS.run(class_id)
    current = now()
    for row in rows:
        until = row["pin_paused_until"]
        row["paused_until"] = until if until and until > current else None
        row["has_pin"] = row.pop("pin_hash") is not None
        row["short_name"] = short_name(row["first_name"], row["last_name"])
    return rows


async def pupils_not_in_class(school_id: int, class_id: int) -> list[dict[str, Any]]:
    """The school's other active pupils (current ones, not leavers), with their class name."""
    return await _PUPILS_NOT_IN_CLASS.run(school_id, class_id)


async def class_pupil_for_staff(
    actor: CurrentUser, class_id: int, pupil_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    school_class = await class_for_staff(actor, class_id)
    pupil = (
        await User.select(*_PUPIL_COLUMNS)
        .where((User.id == pupil_id) & (User.school_class == class_id) & (User.role == Role.pupil))
        .first()
    )
    if pupil is None:
        raise NotFound()
    return school_class, pupil


async def unlock_pupil(actor: CurrentUser, class_id: int, pupil_id: int) -> None:
    _, pupil = await class_pupil_for_staff(actor, class_id, pupil_id)
    await picture_pin.unpause(pupil_id)
    await _log_account(actor, "unpause_pin", pupil)


async def move_pupil(actor: CurrentUser, pupil_id: int, class_id: int | None) -> None:
    """Put a pupil of this school into one of its classes (or none)."""
    from clustermarket.accounts.services import pupil_for_staff

    pupil = await pupil_for_staff(actor, pupil_id)
    values: dict[Any, Any] = {User.school_class: None}
    if class_id is not None:
        school_class = await class_for_staff(actor, class_id)
        if school_class["school"] != pupil["school"]:
            raise NotFound()
        values = {User.school_class: class_id, User.year_group: school_class["year_group"]}
    await User.update(values).where(User.id == pupil_id)
    await _log_account(actor, "move_class", pupil)


async def give_pupils_year_classes(school_id: int) -> None:
    """Pupils of a school without a class join a class named for their year group (made if
    missing): how the migration placed every existing pupil, used for new demo schools too."""
    pupils = await User.select(User.id, User.year_group).where(
        (User.school == school_id) & (User.role == Role.pupil) & User.school_class.is_null()
    )
    existing = {
        c["year_group"]: c["id"]
        for c in await SchoolClass.select(SchoolClass.id, SchoolClass.year_group).where(
            SchoolClass.school == school_id
        )
    }
    for pupil in pupils:
        year = pupil["year_group"]
        if year not in existing:
            rows = await SchoolClass.insert(
                SchoolClass(
                    school=school_id,
                    name=year_label(year) or "Pupils without a year group",
                    year_group=year,
                    code=new_code(),
                    created_at=now(),
                )
            ).returning(SchoolClass.id)
            existing[year] = rows[0]["id"]
        await User.update({User.school_class: existing[year]}).where(User.id == pupil["id"])
