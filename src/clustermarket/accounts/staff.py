"""Staff accounts: the admin makes and manages teachers and admins."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.class_lists import ascii_slug, first_free, usernames_starting
from clustermarket.accounts.passwords import (
    generate_password,
)
from clustermarket.accounts.services import (
    AccountError,
    CurrentUser,
    LoginCard,
    NotFound,
    _log_account,
    create_user,
)
from clustermarket.accounts.tables import Role, User
from clustermarket.schools.tables import School

# ------------------------------------------------------------ staff accounts (the admin)


STAFF_ROLES = (Role.teacher, Role.admin)


# What the admin sees of a staff account (the list and the account's page).
_STAFF_COLUMNS = (
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


async def staff_accounts(cluster_id: int) -> list[dict[str, Any]]:
    """The cluster's teachers and admins (`cluster_id`: the request's)."""
    return (
        await User.select(*_STAFF_COLUMNS)
        .where(User.role.is_in(list(STAFF_ROLES)) & (User.cluster == cluster_id))
        .order_by(User.last_name)
        .order_by(User.first_name)
    )


async def staff_for_admin(actor: CurrentUser, user_id: int) -> dict[str, Any]:
    if not actor.is_admin:
        raise NotFound()
    row = (
        await User.select(*_STAFF_COLUMNS)
        .where(
            (User.id == user_id)
            & User.role.is_in(list(STAFF_ROLES))
            & (User.cluster == actor.cluster_id)  # another cluster's: NotFound (issue 15)
        )
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
        ours = (School.id == school_id) & (School.cluster == actor.cluster_id)
        school = await School.select(School.id, School.name).where(ours).first()
        if school is None:
            raise AccountError("Choose the school this teacher works at.")
    email = email.strip()
    if email and ("@" not in email or len(email) > 254):
        raise AccountError("That e-mail address does not look right.")
    base = ascii_slug(first_name)[:1] + ascii_slug(last_name)[:20]
    base = base if len(base) >= 3 else f"{base}staff"
    username = first_free(base, await usernames_starting(base))
    password = generate_password()
    user_id = await create_user(
        username=username,
        password=password,
        role=Role(role),
        first_name=first_name,
        last_name=last_name,
        school_id=school["id"] if school else None,
        email=email or None,
        cluster_id=actor.cluster_id,  # an admin without a school: the actor's cluster
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
