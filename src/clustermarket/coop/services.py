"""The co-operative trust's community groups: they apply from a public page; the admin
approves or declines, and the decision is e-mailed (coop/mail.py). An approved group's
contact person gets a community-member account (coop/members.py). Ballots: coop/ballots.py.

A group's name is compared folded (case, spacing, punctuation and accents ignored): a name
that matches a pending or approved group is refused, by the service and by a partial unique
index, so two applications sent at the same moment cannot both get in."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import Any

import asyncpg

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.coop import members
from clustermarket.coop.mail import queue_decision
from clustermarket.coop.tables import CommunityGroup, GroupStatus
from clustermarket.frozen import Prepared
from clustermarket.moderation.log import log_action
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CoopError(ValueError):
    """The request cannot be done; the message is for the user."""


def name_key(name: str) -> str:
    """A group's name folded: "The Aylsham  Allotment-Society" ~ "the aylsham allotment society"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\W_]+", "", text)[:120]


def application_errors(name: str, contact_name: str, contact_email: str, offers: str) -> dict:
    errors = {}
    if not 2 <= len(name.strip()) <= 120 or len(name_key(name)) < 2:
        errors["name"] = "Please give the group's name."
    if not 2 <= len(contact_name.strip()) <= 120:
        errors["contact_name"] = "Please give the name of the person we should contact."
    if not EMAIL_RE.match(contact_email.strip()) or len(contact_email.strip()) > 254:
        errors["contact_email"] = "Please give an e-mail address, like name@example.org."
    if not 10 <= len(offers.strip()) <= 2000:
        errors["offers"] = "Please tell us in a sentence or two what the group offers."
    return errors


def _name_taken(existing: str) -> CoopError:
    return CoopError(
        f"A group called “{existing}” has already applied or is a member, and this name "
        "matches it. If you belong to that group, its contact person can reach the cluster's "
        "coordinator; if yours is another group, please give its full name."
    )


async def _same_name(key: str, cluster_id: int) -> str | None:
    """A pending or approved group of the cluster by that name (names are per cluster)."""
    live = (CommunityGroup.name_key == key) & (CommunityGroup.status != GroupStatus.declined)
    row = (
        await CommunityGroup.select(CommunityGroup.name)
        .where(live & (CommunityGroup.cluster == cluster_id))
        .first()
    )
    return row["name"] if row else None


async def apply_as_group(
    name: str, contact_name: str, contact_email: str, offers: str, *, cluster_id: int
) -> int:
    """An application to the cluster `cluster_id` (the request's, never a form field).
    Raises CoopError when the name matches a pending or approved group's of that cluster."""
    key = name_key(name)
    if existing := await _same_name(key, cluster_id):
        raise _name_taken(existing)
    try:
        [row] = await CommunityGroup.insert(
            CommunityGroup(
                name=name.strip(),
                name_key=key,
                contact_name=contact_name.strip(),
                contact_email=contact_email.strip(),
                offers=offers.strip(),
                created_at=now(),
                cluster=cluster_id,
            )
        ).returning(CommunityGroup.id)
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):
        raise _name_taken(
            await _same_name(key, cluster_id) or name.strip()
        ) from None  # sent meanwhile
    return row["id"]


# The admin's co-op page lists them on every view: built once (`frozen.Prepared`).
_GROUPS = Prepared(
    lambda cluster_id: (
        CommunityGroup.select(
            *CommunityGroup.all_columns(),
            CommunityGroup.contact_account.username.as_alias("contact_username"),
        )
        .where(CommunityGroup.cluster == cluster_id)
        .order_by(CommunityGroup.created_at, ascending=False)
    )
)


async def groups(cluster_id: int) -> list[dict[str, Any]]:
    """The groups of the cluster `cluster_id` (the request's), newest first."""
    return await _GROUPS.run(cluster_id)


@dataclass(frozen=True)
class Decision:
    group_name: str
    approved: bool
    username: str | None = None  # the contact's community account, when approved
    new_account: bool = False
    welcome_token: str | None = None  # to show the admin once (no mail server)


async def decide_group(
    actor: CurrentUser, group_id: int, approve: bool, *, mail: bool = False
) -> Decision:
    """Approve or decline a pending application; the decision is e-mailed (a job). On
    approval the contact person gets a community account; with `mail` the e-mail carries
    the set-password link, otherwise the link is returned for the admin to pass on."""
    if not actor.is_admin:
        raise NotFound()
    status = GroupStatus.approved if approve else GroupStatus.declined
    password_hash = await members.unusable_password_hash() if approve else ""
    try:
        return await _decide(actor, group_id, status, password_hash, mail)
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):  # a username taken meanwhile
        raise CoopError("Another change was saved at the same moment: please try again.") from None


async def _decide(
    actor: CurrentUser, group_id: int, status: GroupStatus, password_hash: str, mail: bool
) -> Decision:
    approve = status == GroupStatus.approved
    ours = (CommunityGroup.id == group_id) & (CommunityGroup.cluster == actor.cluster_id)
    if not await CommunityGroup.exists().where(ours):
        raise NotFound()  # another cluster's application too (issue 15)
    async with write_transaction():  # the account and the e-mail come with the decision
        updated = (
            await CommunityGroup.update(
                {
                    CommunityGroup.status: status,
                    CommunityGroup.decided_by: actor.id,
                    CommunityGroup.decided_at: now(),
                }
            )
            .where(ours & (CommunityGroup.status == GroupStatus.pending))
            .returning(
                CommunityGroup.name, CommunityGroup.contact_name, CommunityGroup.contact_email
            )
        )
        if not updated:
            raise CoopError("That application was already decided.")
        group = updated[0]
        await log_action(
            actor_id=actor.id,
            action=f"group_{status.value}",
            subject_type="community_group",
            subject_id=group_id,
            subject_label=group["name"],
            school_id=None,
        )
        if not approve:
            await queue_decision(group_id)
            return Decision(group["name"], approved=False)
        account_id, made = await members.contact_account(group, password_hash, actor.cluster_id)
        await CommunityGroup.update({CommunityGroup.contact_account: account_id}).where(
            CommunityGroup.id == group_id
        )
        token = await members.issue_welcome_link(account_id) if made and not mail else None
        await queue_decision(group_id, welcome=made)
    username = await members.username_of(account_id)
    return Decision(group["name"], True, username, made, token)


async def new_welcome_link(actor: CurrentUser, group_id: int) -> Decision:
    """A fresh one-time link for an approved group's contact (earlier ones stop working)."""
    if not actor.is_admin:
        raise NotFound()
    group = (
        await CommunityGroup.select(
            CommunityGroup.name,
            CommunityGroup.contact_account,
            CommunityGroup.contact_account.username.as_alias("username"),
        )
        .where((CommunityGroup.id == group_id) & (CommunityGroup.cluster == actor.cluster_id))
        .first()
    )
    if group is None:
        raise NotFound()
    if group["contact_account"] is None:
        raise CoopError("Only an approved group's contact has an account to set a password for.")
    async with write_transaction():
        token = await members.issue_welcome_link(group["contact_account"])
    return Decision(group["name"], True, group["username"], False, token)
