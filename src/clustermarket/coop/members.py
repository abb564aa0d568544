"""Who the co-op's members are, and the accounts of approved community groups' contacts.

Members are the active accounts of the cluster: pupils and staff (teachers and the admin)
automatically, and community accounts. A community account is a parent's (made for
pre-orders; the market knows parents only as its signed-in buyers) or the contact person of
an approved community group, made when the admin approves the group. The contact chooses a
password through a one-time welcome link: e-mailed with the decision when a mail server is
set, otherwise shown once to the admin to pass on."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from typing import Any

from piccolo.columns.combination import WhereRaw

from clustermarket.accounts.class_lists import first_free, usernames_starting
from clustermarket.accounts.passwords import hash_password
from clustermarket.accounts.services import CurrentUser
from clustermarket.accounts.tables import Role, User
from clustermarket.coop.tables import Vote, WelcomeLink
from clustermarket.frozen import Prepared
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction

MEMBER_ROLES = (Role.pupil, Role.teacher, Role.admin, Role.platform, Role.community)
WELCOME_DAYS = 14
MIN_PASSWORD = 10


def is_member(user: CurrentUser | None) -> bool:
    """The one rule for who is a member (the forum, ballots, the member price)."""
    return user is not None and user.role in MEMBER_ROLES


class WelcomeError(ValueError):
    """The link cannot be used, or the password is not acceptable; the message says why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def unusable_password_hash() -> str:
    """A hash nobody knows the password of (computed before the write transaction)."""
    return await hash_password(secrets.token_urlsafe(32))


def _username_base(email: str) -> str:
    local = unicodedata.normalize("NFKD", email.split("@")[0]).encode("ascii", "ignore")
    base = re.sub(r"[^a-z0-9._-]+", "-", local.decode().lower()).strip("._-")
    return (base or "member")[:24].ljust(3, "0")


async def contact_account(
    group: dict[str, Any], password_hash: str, cluster_id: int | None
) -> tuple[int, bool]:
    """Inside the approval's transaction: the community account of the group's contact, in
    the approving admin's cluster.

    An existing community account with the contact's e-mail is used (no second account for
    one person); otherwise one is made. Returns (account id, made now)."""
    email = group["contact_email"].strip()
    existing = (
        await User.select(User.id)
        .where(
            (User.role == Role.community)
            & (User.cluster == cluster_id)
            & WhereRaw("lower(email) = {}", email.lower())
            & (User.active == True)
        )
        .first()
    )
    if existing:
        return existing["id"], False
    base = _username_base(email)
    username = first_free(base, await usernames_starting(base))
    first, _, last = group["contact_name"].strip().partition(" ")
    [row] = await User.insert(
        User(
            username=username,
            password_hash=password_hash,
            role=Role.community,
            first_name=first[:60],
            last_name=last.strip()[:60],
            email=email,
            cluster=cluster_id,
            created_at=now(),
        )
    ).returning(User.id)
    return row["id"], True


async def issue_welcome_link(account_id: int) -> str:
    """A new one-time link token for the account (earlier unused ones stop working)."""
    token = secrets.token_urlsafe(32)
    await WelcomeLink.delete().where(
        (WelcomeLink.account == account_id) & WelcomeLink.used_at.is_null()
    )
    await WelcomeLink.insert(
        WelcomeLink(
            account=account_id,
            token_hash=_hash(token),
            expires_at=now() + dt.timedelta(days=WELCOME_DAYS),
            created_at=now(),
        )
    )
    return token


def welcome_url(public_url: str, token: str) -> str:
    return f"{public_url}/coop/welcome/{token}"


async def welcome_account(token: str, cluster_id: int) -> dict[str, Any]:
    """The account a still-valid link is for (its username and first name), if the account
    is of `cluster_id` (the request's): another cluster's link is not valid here."""
    if not 20 <= len(token) <= 100:
        raise WelcomeError("This link is not valid.")
    row = (
        await WelcomeLink.select(
            WelcomeLink.id,
            WelcomeLink.expires_at,
            WelcomeLink.used_at,
            WelcomeLink.account.username.as_alias("username"),
            WelcomeLink.account.first_name.as_alias("first_name"),
            WelcomeLink.account.active.as_alias("active"),
        )
        .where(
            (WelcomeLink.token_hash == _hash(token)) & (WelcomeLink.account.cluster == cluster_id)  # type: ignore[attr-defined]
        )
        .first()
    )
    if row is None or not row["active"]:
        raise WelcomeError("This link is not valid. Please ask the cluster's coordinator.")
    if row["used_at"] is not None:
        raise WelcomeError("This link has been used already: please sign in.")
    expires = row["expires_at"]
    if (expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)) <= now():
        raise WelcomeError(
            "This link has expired. Please ask the cluster's coordinator for a new one."
        )
    return row


def password_error(password: str, again: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"Please choose a password of at least {MIN_PASSWORD} characters."
    if len(password) > 200:
        return "Please choose a shorter password (at most 200 characters)."
    if password != again:
        return "The two passwords are not the same. Please type them again."
    return None


async def use_welcome_link(token: str, cluster_id: int, password: str, again: str) -> str:
    """Set the account's password once; returns the username to sign in with."""
    row = await welcome_account(token, cluster_id)
    error = password_error(password, again)
    if error:
        raise WelcomeError(error)
    password_hash = await hash_password(password)
    async with write_transaction():
        used = (
            await WelcomeLink.update({WelcomeLink.used_at: now()})
            .where((WelcomeLink.id == row["id"]) & WelcomeLink.used_at.is_null())
            .returning(WelcomeLink.account)
        )
        if not used:
            raise WelcomeError("This link has been used already: please sign in.")
        await User.update(
            {User.password_hash: password_hash, User.session_epoch: User.session_epoch + 1}
        ).where(User.id == used[0]["account"])
    return row["username"]


# A closed ballot's page reads it on every view: built once (`frozen.Prepared`).
_ELIGIBLE = Prepared(
    lambda ballot_id, closes_at, cluster_id: User.count().where(
        (
            User.role.is_in(list(MEMBER_ROLES))
            & (User.active == True)
            & (User.created_at <= closes_at)
            & (User.cluster == cluster_id)
        )
        | User.id.is_in(Vote.select(Vote.member).where(Vote.ballot == ballot_id))
    )
)


async def eligible_members(ballot_id: int, closes_at: dt.datetime, cluster_id: int | None) -> int:
    """Members who could vote in a ballot: the active accounts of its cluster made before it
    closed, and everyone who voted in it (an account closed since still voted)."""
    return await _ELIGIBLE.run(ballot_id, closes_at, cluster_id)


async def username_of(account_id: int) -> str:
    row = await User.select(User.username).where(User.id == account_id).first()
    return row["username"] if row else ""
