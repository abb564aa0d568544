"""The members' ballots: the admin asks a question with two or more options, open from one
time until another (typed in UK time, stored in UTC); members vote once; the result and the
turnout are shown once the ballot has closed, never before (no tallies that sway votes).

One member, one vote per ballot: a unique index on (ballot, member). One ballot per idea: a
unique index on `ballot.idea`, so no member votes twice on the same idea through a second
ballot (the admin is told the idea has had its ballot)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Count

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.coop.members import eligible_members
from clustermarket.coop.services import CoopError
from clustermarket.coop.tables import Ballot, BallotOption, Vote
from clustermarket.frozen import Prepared
from clustermarket.moderation.content import written_in
from clustermarket.moderation.log import log_action
from clustermarket.sharing.pitch import parse_uk_datetime
from clustermarket.sharing.tables import Idea
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction

MAX_OPTIONS = 10
SCHEDULED, OPEN, CLOSED = "scheduled", "open", "closed"
SAME_BALLOT_WINDOW = dt.timedelta(minutes=1)  # the same question again this soon: a double tap
_CREATE_LOCK = 16201  # pg_advisory_xact_lock(key, admin): one admin's new ballots one at a time


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite: naive UTC


def state(ballot: dict[str, Any], at: dt.datetime | None = None) -> str:
    at = at or now()
    if at < _aware(ballot["opens_at"]):
        return SCHEDULED
    return OPEN if at < _aware(ballot["closes_at"]) else CLOSED


def parse_options(text: str) -> list[str]:
    """One option a line: two to ten, each at most 120 characters, no two the same."""
    options = [line.strip() for line in text.splitlines() if line.strip()]
    if len(options) < 2:
        raise CoopError("Please give at least two options, one a line.")
    if len(options) > MAX_OPTIONS:
        raise CoopError(f"Please give at most {MAX_OPTIONS} options.")
    if any(len(option) > 120 for option in options):
        raise CoopError("Please keep each option under 120 characters.")
    if len({" ".join(option.casefold().split()) for option in options}) < len(options):
        raise CoopError("Two options are the same: please give each option once.")
    return options


def _time(text: str, what: str) -> dt.datetime:
    try:
        return parse_uk_datetime(text)
    except ValueError:
        raise CoopError(f"Please give the {what} date and time, like 2026-12-05 16:00.") from None


def _is_unique_violation(error: Exception) -> bool:
    return isinstance(error, sqlite3.IntegrityError | asyncpg.UniqueViolationError)


def _idea_in(cluster_id: int | None) -> Any:
    return written_in(Idea.school, Idea.author, cluster_id)


def _ballot_in(ballot_id: int, actor: CurrentUser) -> Any:
    """The ballot, if it is of the actor's cluster (issue 15: the request's); another
    cluster's ballot is as if it did not exist."""
    return (Ballot.id == ballot_id) & (Ballot.cluster == actor.cluster_id)


async def _idea_title(idea_id: int, cluster_id: int | None) -> str:
    idea = await Idea.select(Idea.published_title.as_alias("title")).where(
        (Idea.id == idea_id) & (Idea.is_public == True) & _idea_in(cluster_id)
    )
    if not idea:
        raise CoopError("Please choose an idea from the ideas board, or none.")
    if await Ballot.exists().where(Ballot.idea == idea_id):
        raise _idea_taken(idea[0]["title"])
    return idea[0]["title"]


# The admin's ballots page reads it on every view: built once (`frozen.Prepared`).
_IDEAS_WITHOUT_BALLOT = Prepared(
    lambda cluster_id: (
        Idea.select(Idea.id, Idea.published_title.as_alias("title"))
        .where(
            (Idea.is_public == True)
            & Idea.id.not_in(Ballot.select(Ballot.idea).where(Ballot.idea.is_not_null()))
            & _idea_in(cluster_id)
        )
        .order_by(Idea.created_at, ascending=False)
        .limit(200)
    )
)


async def ideas_without_ballot(cluster_id: int | None) -> list[dict[str, Any]]:
    """Published ideas of the cluster that may still be put to its members (newest 200)."""
    return await _IDEAS_WITHOUT_BALLOT.run(cluster_id)


def _idea_taken(title: str) -> CoopError:
    return CoopError(
        f"“{title}” has had its ballot already. Each idea is put to the members once, "
        "so that nobody votes on it twice."
    )


async def create_ballot(
    actor: CurrentUser,
    *,
    question: str,
    options: str,
    opens_at: str,
    closes_at: str,
    idea_id: int | None = None,
) -> int:
    if not actor.is_admin:
        raise NotFound()
    title = await _idea_title(idea_id, actor.cluster_id) if idea_id else None
    question = " ".join(question.split()) or (
        f"Should the cluster take up “{title}”?" if title else ""
    )
    if not 5 <= len(question) <= 200:
        raise CoopError("Please give the question (5 to 200 characters).")
    labels = parse_options(options)
    opens = _time(opens_at, "opening") if opens_at.strip() else now()
    closes = _time(closes_at, "closing")
    if closes <= max(opens, now()):
        raise CoopError("The closing time must be after the opening time, and in the future.")
    try:
        async with write_transaction():
            same = await _just_created(actor, question)
            if same is not None:
                return same
            [row] = await Ballot.insert(
                Ballot(
                    question=question,
                    idea=idea_id,
                    opens_at=opens,
                    closes_at=closes,
                    created_by=actor.id,
                    created_at=now(),
                    cluster=actor.cluster_id,
                )
            ).returning(Ballot.id)
            await BallotOption.insert(
                *[
                    BallotOption(ballot=row["id"], label=label, position=position)
                    for position, label in enumerate(labels)
                ]
            )
            await log_action(
                actor_id=actor.id,
                action="ballot_created",
                subject_type="ballot",
                subject_id=row["id"],
                subject_label=question,
                school_id=None,
            )
    except Exception as error:  # two admins put one idea at once: the index refuses one
        if title and _is_unique_violation(error):
            raise _idea_taken(title) from None
        raise
    return row["id"]


async def _just_created(actor: CurrentUser, question: str) -> int | None:
    """Inside the write transaction: the ballot `actor` set up with this question in the last
    minute (the form sent twice, or at once), so a double tap is one ballot. SQLite: the write
    lock is held already; PostgreSQL: one advisory lock per admin."""
    if isinstance(Ballot._meta.db, PostgresEngine):
        await Ballot.raw("SELECT pg_advisory_xact_lock({}, {})", _CREATE_LOCK, actor.id)
    row = (
        await Ballot.select(Ballot.id)
        .where(
            (Ballot.created_by == actor.id)
            & (Ballot.question == question)
            & (Ballot.created_at >= now() - SAME_BALLOT_WINDOW)
        )
        .first()
    )
    return row["id"] if row else None


async def close_early(actor: CurrentUser, ballot_id: int) -> None:
    """Close a scheduled or open ballot now; its result is published at once."""
    if not actor.is_admin:
        raise NotFound()
    async with write_transaction():
        row = await Ballot.select().where(_ballot_in(ballot_id, actor)).first()
        if row is None:
            raise NotFound()
        at = now()
        if state(row, at) == CLOSED:
            raise CoopError("That ballot has closed already.")
        await Ballot.update(
            {
                Ballot.closes_at: at,
                Ballot.opens_at: min(_aware(row["opens_at"]), at),
                Ballot.closed_early: True,
            }
        ).where(Ballot.id == ballot_id)
        await log_action(
            actor_id=actor.id,
            action="ballot_closed_early",
            subject_type="ballot",
            subject_id=ballot_id,
            subject_label=row["question"],
            school_id=None,
        )


_LIST_COLUMNS = (*Ballot.all_columns(), Ballot.idea.published_title.as_alias("idea_title"))

# The ballots' list and a ballot's page read these on every view: built once
# (`frozen.Prepared`), with the member's and the ballot's values put in on each run.
_BALLOTS = Prepared(
    lambda cluster_id: (
        Ballot.select(*_LIST_COLUMNS)
        .where(Ballot.cluster == cluster_id)
        .order_by(Ballot.closes_at, ascending=False)
    )
)
_VOTED = Prepared(lambda member_id: Vote.select(Vote.ballot).where(Vote.member == member_id))
_BALLOT = Prepared(
    lambda ballot_id, cluster_id: (
        Ballot.select(*_LIST_COLUMNS)
        .where((Ballot.id == ballot_id) & (Ballot.cluster == cluster_id))
        .first()
    )
)
_OPTIONS = Prepared(
    lambda ballot_id: (
        BallotOption.select(BallotOption.id, BallotOption.label)
        .where(BallotOption.ballot == ballot_id)
        .order_by(BallotOption.position)
    )
)
_MY_CHOICE = Prepared(
    lambda ballot_id, member_id: (
        Vote.select(Vote.option.label.as_alias("label"))
        .where((Vote.ballot == ballot_id) & (Vote.member == member_id))
        .first()
    )
)
_COUNTS = Prepared(
    lambda ballot_id: (
        Vote.select(Vote.option, Count()).where(Vote.ballot == ballot_id).group_by(Vote.option)
    )
)


async def ballots(actor: CurrentUser) -> list[dict[str, Any]]:
    """Every ballot of the actor's cluster, newest closing first, with its state and whether
    `actor` voted."""
    rows = await _BALLOTS.run(actor.cluster_id)
    voted = {r["ballot"] for r in await _VOTED.run(actor.id)}
    at = now()
    for row in rows:
        row["state"] = state(row, at)
        row["voted"] = row["id"] in voted
    return rows


async def ballot_for(actor: CurrentUser, ballot_id: int) -> dict[str, Any]:
    """A ballot's page: its options, the member's own vote, and the result once closed."""
    row = await _BALLOT.run(ballot_id, actor.cluster_id)  # as `_ballot_in`
    if row is None:
        raise NotFound()
    row["state"] = state(row)
    row["options"] = await _OPTIONS.run(ballot_id)
    mine = await _MY_CHOICE.run(ballot_id, actor.id)
    row["my_choice"] = mine["label"] if mine else None
    row["result"] = await result(row) if row["state"] == CLOSED else None
    return row


async def result(ballot: dict[str, Any]) -> dict[str, Any]:
    """Counts per option (in the ballot's order), the winner or the tie, and the turnout."""
    counts = {r["option"]: r["count"] for r in await _COUNTS.run(ballot["id"])}
    options = [{**o, "votes": counts.get(o["id"], 0)} for o in ballot["options"]]
    votes = sum(o["votes"] for o in options)
    top = max((o["votes"] for o in options), default=0)
    leaders = [o["label"] for o in options if top and o["votes"] == top]
    eligible = await eligible_members(ballot["id"], _aware(ballot["closes_at"]), ballot["cluster"])
    return {
        "options": options,
        "votes": votes,
        "eligible": eligible,
        "turnout": round(100 * votes / eligible) if eligible else 0,
        "winner": leaders[0] if len(leaders) == 1 else None,
        "tied": leaders if len(leaders) > 1 else [],
    }


async def cast_vote(actor: CurrentUser, ballot_id: int, option_id: int | None) -> None:
    """One member, one vote: the unique index refuses a second vote, also at the same time."""
    async with write_transaction():
        ballot = await Ballot.select().where(_ballot_in(ballot_id, actor)).first()
        if ballot is None:
            raise NotFound()
        current = state(ballot)
        if current != OPEN:
            raise CoopError(
                "This ballot has closed." if current == CLOSED else "This ballot is not open yet."
            )
        if option_id is None or not await BallotOption.exists().where(
            (BallotOption.id == option_id) & (BallotOption.ballot == ballot_id)
        ):
            raise CoopError("Please choose one of the options.")
        inserted = (
            await Vote.insert(
                Vote(ballot=ballot_id, option=option_id, member=actor.id, created_at=now())
            )
            .on_conflict(action="DO NOTHING")
            .returning(Vote.id)
        )
    if not inserted:
        raise CoopError("You have already voted in this ballot. Each member has one vote.")
