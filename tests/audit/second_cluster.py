"""A second cluster beside the audit world (issue 15): the demo's fictional Marshwick, served
by host, with a row of each kind the cluster-apart tests use (tests/clusters), plus a stall,
an idea and a comment. Cluster A is the world's Aylsham, on its own host."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clustermarket.accounts.services import create_user
from clustermarket.accounts.tables import Role, User
from clustermarket.clusters.demo import load_second_cluster
from clustermarket.coop.tables import Ballot, BallotOption, CommunityGroup, GroupStatus
from clustermarket.market.tables import MarketDay, MarketStatus, Stall, StallStock
from clustermarket.media.tables import Photo
from clustermarket.projects.tables import ImpactTally
from clustermarket.schools.tables import Cluster
from clustermarket.sharing.tables import (
    Comment,
    Idea,
    Notification,
    PitchEntry,
    PitchFeedback,
    PitchRound,
)
from clustermarket.teams.tables import Team, TeamMember
from clustermarket.timeutil import now
from tests.audit.later_rows import FOLLOWERS, later_rows
from tests.audit.world import _market_rows
from tests.clusters.conftest import AYLSHAM_HOST
from tests.clusters.test_apart_public import B_ROWS, B_WORDS, MARSHWICK_HOST, _photo
from tests.clusters.test_apart_public import _side as cluster_rows

# What only cluster B has: none of it may appear on cluster A's pages, files or feeds.
B_STRINGS = [
    *B_WORDS,
    "Driftwood hook",
    "Amelie Baker",
    "Morgan Reed",
    "Sam Tyler",
    "B idea",
    "Audit thread C",
    "Audit meet-up C",
    "Audit class C",
]
FOLLOWERS["C"] = "fenley_follower"  # "C": cluster B's rows, apart from the world's sides
A_URL, B_URL = f"http://{AYLSHAM_HOST}", f"http://{MARSHWICK_HOST}"


async def add_second_cluster() -> dict[str, Any]:
    """Cluster B's rows, keyed like a side of the audit world (tests/audit/routes.py); kinds
    with no row here are left out (the matrix counts them)."""
    await Cluster.update({Cluster.host: AYLSHAM_HOST}).where(Cluster.slug == "aylsham")
    await load_second_cluster(host=MARSHWICK_HOST)
    cluster = (await Cluster.select(Cluster.id).where(Cluster.slug == "marshwick").first())["id"]
    team = (
        await Team.select(Team.id, Team.slug, Team.school)
        .where(Team.slug == "marshwick-driftwood")
        .first()
    )
    members = {
        m["role"]: m["user"]
        for m in await TeamMember.select(TeamMember.user, TeamMember.role).where(
            TeamMember.team == team["id"]
        )
    }
    pupil, teacher = members["leader"], members["supervisor"]
    rows = await cluster_rows(
        cluster,
        team["id"],
        pupil,
        B_ROWS,
    )
    day = (await MarketDay.select(MarketDay.id).where(MarketDay.cluster == cluster).first())["id"]
    [stall] = await Stall.insert(
        Stall(market_day=day, team=team["id"], pitch="Marsh Quay steps")
    ).returning(Stall.id)
    [idea] = await Idea.insert(
        Idea(
            author=pupil,
            school=team["school"],
            tag="eco",
            title="B idea: eel ladders",
            created_at=now(),
        )
    ).returning(Idea.id)
    [comment] = await Comment.insert(
        Comment(
            target_type="idea",
            target_id=idea["id"],
            author=pupil,
            school=team["school"],
            receiving_school=team["school"],
            body="B comment from the marsh",
            created_at=now(),
        )
    ).returning(Comment.id)
    photo = await Photo.select(Photo.id).where(Photo.file_name == rows["photo"]).first()
    project_photo = await _photo(
        team["id"], "project", rows["project"], "marshwick", "marshwick-project-photo-bbbb"
    )
    tally = (
        await ImpactTally.select(ImpactTally.id)
        .where(ImpactTally.project == rows["project"])
        .first()
    )
    more = await _market_and_later_rows(team, pupil, day, stall["id"], rows["product"])
    more |= await _sharing_and_coop_rows(cluster, team, pupil, day, rows["product"], idea["id"])
    return {
        **more,
        "side": "B",
        "slug": team["slug"],
        "team_id": team["id"],
        "school_id": team["school"],
        "pupil_id": pupil,
        "member_id": pupil,
        "user_id": teacher,
        "product_id": rows["product"],
        "project_id": rows["project"],
        "tally_id": tally["id"],
        "photo_id": photo["id"],
        "photo_name": rows["photo"],
        "project_photo_id": (
            await Photo.select(Photo.id).where(Photo.file_name == project_photo).first()
        )["id"],
        "day_id": day,
        "stall_id": stall["id"],
        "event_id": rows["event"],
        "idea_id": idea["id"],
        "comment_id": comment["id"],
    }


async def _market_and_later_rows(
    team: dict[str, Any], pupil: int, day: int, stall: int, product: int
) -> dict[str, Any]:
    """B's day open with a sale and a reservation at B's stall, and the world's later rows
    (a class, a cost, a follower, a ticket, an e-mailed link, an event sign-up, a thread)."""
    await MarketDay.update({MarketDay.status: MarketStatus.open}).where(MarketDay.id == day)
    await StallStock.insert(StallStock(stall=stall, product=product, brought=10, left=10))
    follower = await create_user(
        username=FOLLOWERS["C"],
        password="fenley-follower-1",
        role=Role.pupil,
        first_name="Finn",
        last_name="Fenley",
        school_id=(await Team.select(Team.school).where(Team.id == team["id"]).first())["school"],
    )
    market = await _market_rows("C", team["id"], day, pupil)
    later = await later_rows("C", team, pupil, market, {FOLLOWERS["C"]: follower})
    return {**market, **later}


async def _sharing_and_coop_rows(
    cluster: int, team: dict[str, Any], pupil: int, day: int, product: int, idea: int
) -> dict[str, Any]:
    """B's pitch round with B's team's entry and a Fenley pupil's feedback on it, a note to
    B's pupil, a ballot on B's idea and an approved community group."""
    stamp = now()
    fenley = await User.select(User.id, User.school).where(User.username == FOLLOWERS["C"]).first()
    admin = (
        await User.select(User.id)
        .where((User.username == "admin") & (User.cluster == cluster))
        .first()
    )
    [pitch] = await PitchRound.insert(
        PitchRound(
            title="Heron round",
            market_day=day,
            closes_at=stamp + dt.timedelta(days=9),
            created_by=admin["id"],
            created_at=stamp,
        )
    ).returning(PitchRound.id)
    [entry] = await PitchEntry.insert(
        PitchEntry(
            round=pitch["id"],
            team=team["id"],
            product=product,
            question="Eel ladder?",
            created_by=pupil,
            created_at=stamp,
        )
    ).returning(PitchEntry.id)
    [feedback] = await PitchFeedback.insert(
        PitchFeedback(
            entry=entry["id"],
            author=fenley["id"],
            school=fenley["school"],
            receiving_school=team["school"],
            works_well="Eel ladder works.",
            even_better_if="Eel ladder taller.",
            created_at=stamp,
        )
    ).returning(PitchFeedback.id)
    [note] = await Notification.insert(
        Notification(user=pupil, text="Eel ladder news", link=f"/ideas/{idea}", created_at=stamp)
    ).returning(Notification.id)
    [ballot] = await Ballot.insert(
        Ballot(
            question="Eel ladder for the quay?",
            idea=idea,
            opens_at=stamp,
            closes_at=stamp + dt.timedelta(days=9),
            created_by=admin["id"],
            created_at=stamp,
            cluster=cluster,
        )
    ).returning(Ballot.id)
    await BallotOption.insert(
        BallotOption(ballot=ballot["id"], label="Yes", position=0),
        BallotOption(ballot=ballot["id"], label="No", position=1),
    )
    [group] = await CommunityGroup.insert(
        CommunityGroup(
            name="Marsh Rowing Club",
            name_key="marsh rowing club",
            contact_name="Rowan Marsh",
            contact_email="row@example.org",
            offers="Boats.",
            status=GroupStatus.approved,
            created_at=stamp,
            cluster=cluster,
        )
    ).returning(CommunityGroup.id)
    return {
        "round_id": pitch["id"],
        "entry_id": entry["id"],
        "feedback_id": feedback["id"],
        "own_feedback_id": feedback["id"],
        "notification_id": note["id"],
        "ballot_id": ballot["id"],
        "group_id": group["id"],
    }
