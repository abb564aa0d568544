"""Co-operative trust membership and votes.

Members: every signed-in account (pupils, staff, parents' community accounts). Community
groups apply from a public page; the admin approves or declines. The admin puts a cluster
idea to a vote; each member votes once (a unique index on ballot and member); results are
shown only once the vote has closed."""

from __future__ import annotations

import re
from typing import Any

from piccolo.query.functions.aggregate import Count

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.coop.mail import queue_decision
from clustermarket.coop.tables import Ballot, CommunityGroup, GroupStatus, Vote, VoteChoice
from clustermarket.moderation.log import log_action
from clustermarket.sharing.pitch import is_open, parse_uk_datetime
from clustermarket.sharing.tables import Idea
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CoopError(ValueError):
    """The request cannot be done; the message is for the user."""


def application_errors(name: str, contact_name: str, contact_email: str, offers: str) -> dict:
    errors = {}
    if not 2 <= len(name.strip()) <= 120:
        errors["name"] = "Please give the group's name."
    if not 2 <= len(contact_name.strip()) <= 120:
        errors["contact_name"] = "Please give the name of the person we should contact."
    if not EMAIL_RE.match(contact_email.strip()) or len(contact_email.strip()) > 254:
        errors["contact_email"] = "Please give an e-mail address, like name@example.org."
    if not 10 <= len(offers.strip()) <= 2000:
        errors["offers"] = "Please tell us in a sentence or two what the group offers."
    return errors


async def apply_as_group(name: str, contact_name: str, contact_email: str, offers: str) -> int:
    [row] = await CommunityGroup.insert(
        CommunityGroup(
            name=name.strip(),
            contact_name=contact_name.strip(),
            contact_email=contact_email.strip(),
            offers=offers.strip(),
            created_at=now(),
        )
    ).returning(CommunityGroup.id)
    return row["id"]


async def groups(status: str | None = None) -> list[dict[str, Any]]:
    query = CommunityGroup.select().order_by(CommunityGroup.created_at, ascending=False)
    if status:
        query = query.where(CommunityGroup.status == status)
    return await query


async def decide_group(actor: CurrentUser, group_id: int, approve: bool) -> None:
    if not actor.is_admin:
        raise NotFound()
    status = GroupStatus.approved if approve else GroupStatus.declined
    async with write_transaction():  # the e-mail is queued with the decision
        updated = (
            await CommunityGroup.update(
                {
                    CommunityGroup.status: status,
                    CommunityGroup.decided_by: actor.id,
                    CommunityGroup.decided_at: now(),
                }
            )
            .where((CommunityGroup.id == group_id) & (CommunityGroup.status == GroupStatus.pending))
            .returning(CommunityGroup.name)
        )
        if not updated:
            raise CoopError("That application was already decided.")
        await log_action(
            actor_id=actor.id,
            action=f"group_{status.value}",
            subject_type="community_group",
            subject_id=group_id,
            subject_label=updated[0]["name"],
            school_id=None,
        )
        await queue_decision(group_id)


async def put_to_vote(actor: CurrentUser, idea_id: int, question: str, closes_at: str) -> int:
    if not actor.is_admin:
        raise NotFound()
    idea = await Idea.select(Idea.published_title.as_alias("title")).where(
        (Idea.id == idea_id) & (Idea.is_public == True)
    )
    if not idea:
        raise CoopError("Please choose an idea from the ideas board.")
    question = question.strip() or f"Should the cluster take up “{idea[0]['title']}”?"
    if len(question) > 200:
        raise CoopError("Please keep the question under 200 characters.")
    try:
        closes = parse_uk_datetime(closes_at)
    except ValueError as error:
        raise CoopError(str(error)) from None
    if closes <= now():
        raise CoopError("The closing time must be in the future.")
    [row] = await Ballot.insert(
        Ballot(
            idea=idea_id, question=question, closes_at=closes, created_by=actor.id, created_at=now()
        )
    ).returning(Ballot.id)
    return row["id"]


async def ballots(actor: CurrentUser) -> list[dict[str, Any]]:
    """All votes, newest first, each saying whether it is open and whether `actor` voted."""
    rows = await Ballot.select(
        *Ballot.all_columns(), Ballot.idea.published_title.as_alias("idea_title")
    ).order_by(Ballot.closes_at, ascending=False)
    voted = {r["ballot"] for r in await Vote.select(Vote.ballot).where(Vote.member == actor.id)}
    for row in rows:
        row["open"] = is_open(row)
        row["voted"] = row["id"] in voted
    return rows


async def ballot_for(actor: CurrentUser, ballot_id: int) -> dict[str, Any]:
    row = (
        await Ballot.select(
            *Ballot.all_columns(), Ballot.idea.published_title.as_alias("idea_title")
        )
        .where(Ballot.id == ballot_id)
        .first()
    )
    if row is None:
        raise NotFound()
    row["open"] = is_open(row)
    mine = (
        await Vote.select(Vote.choice)
        .where((Vote.ballot == ballot_id) & (Vote.member == actor.id))
        .first()
    )
    row["my_choice"] = mine["choice"] if mine else None
    row["results"] = None
    if not row["open"]:
        counts = {
            r["choice"]: r["count"]
            for r in await Vote.select(Vote.choice, Count())
            .where(Vote.ballot == ballot_id)
            .group_by(Vote.choice)
        }
        row["results"] = {c.value: counts.get(c.value, 0) for c in VoteChoice}
    return row


async def cast_vote(actor: CurrentUser, ballot_id: int, choice: str) -> None:
    """One member, one vote: the insert does nothing if this member already voted."""
    if choice not in VoteChoice.__members__:
        raise CoopError("Please choose yes or no.")
    ballot = await ballot_for(actor, ballot_id)
    if not ballot["open"]:
        raise CoopError("This vote has closed.")
    inserted = (
        await Vote.insert(Vote(ballot=ballot_id, member=actor.id, choice=choice, created_at=now()))
        .on_conflict(action="DO NOTHING")
        .returning(Vote.id)
    )
    if not inserted:
        raise CoopError("You have already voted on this. Each member has one vote.")
