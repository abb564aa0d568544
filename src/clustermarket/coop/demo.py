"""The demo's co-op: community groups (one approved, one waiting), an open ballot about an
idea and a closed one with its result."""

from __future__ import annotations

import datetime as dt

from clustermarket.accounts.tables import User
from clustermarket.coop.tables import Ballot, BallotOption, CommunityGroup, GroupStatus, Vote
from clustermarket.timeutil import now


async def _cluster_of(account_id: int) -> int:
    """The cluster an account is in: groups and ballots belong to one (issue 15)."""
    row = await User.select(User.cluster).where(User.id == account_id).first()
    return int(row["cluster"])


async def load_demo_coop(users: dict[str, int], compost_idea: int) -> None:
    created = now()
    admin_cluster = await _cluster_of(users["admin"])
    await CommunityGroup.insert(
        CommunityGroup(
            cluster=admin_cluster,
            name="Aylsham Allotment Society",
            name_key="aylshamallotmentsociety",
            contact_name="Pat Green",
            contact_email="allotments@example.org",
            offers="Seedlings for the eco groups and a composting talk each spring.",
            status=GroupStatus.approved,
            decided_by=users["admin"],
            created_at=created,
            decided_at=created,
        ),
        CommunityGroup(
            cluster=admin_cluster,
            name="Aylsham Rotary Club",
            name_key="aylshamrotaryclub",
            contact_name="Chris Dunn",
            contact_email="rotary@example.org",
            offers="Volunteers for the Family Learning Day and a stall at the summer market.",
            created_at=created,
        ),
    )
    await _demo_ballot(
        "Should the cluster buy a compost bin for the market?",
        ("Yes", "No"),
        {"jpatel": 0},
        idea=compost_idea,
        opens=created,
        closes=created + dt.timedelta(days=14),
        admin=users["admin"],
        users=users,
    )
    await _demo_ballot(
        "Which charity should the summer market support?",
        ("Aylsham Food Bank", "Norfolk Wildlife Trust", "East Anglia's Children's Hospices"),
        {"jpatel": 0, "staylor": 1, "ameliab": 0, "harryp": 2},
        idea=None,
        opens=created - dt.timedelta(days=21),
        closes=created - dt.timedelta(days=7),
        admin=users["admin"],
        users=users,
    )


async def _demo_ballot(
    question: str,
    labels: tuple[str, ...],
    votes: dict[str, int],
    *,
    idea: int | None,
    opens: dt.datetime,
    closes: dt.datetime,
    admin: int,
    users: dict[str, int],
) -> None:
    [ballot] = await Ballot.insert(
        Ballot(
            question=question,
            idea=idea,
            opens_at=opens,
            closes_at=closes,
            created_by=admin,
            created_at=opens,
            cluster=await _cluster_of(admin),
        )
    ).returning(Ballot.id)
    options = await BallotOption.insert(
        *[BallotOption(ballot=ballot["id"], label=lab, position=n) for n, lab in enumerate(labels)]
    ).returning(BallotOption.id)
    await Vote.insert(
        *[
            Vote(
                ballot=ballot["id"],
                option=options[choice]["id"],
                member=users[who],
                created_at=opens,
            )
            for who, choice in votes.items()
        ]
    )
