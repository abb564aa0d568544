"""Transition days: the cluster's high school's teams invite Year 6 pupils of the cluster's
other schools to follow them; those pupils see the teams' approved projects and their open
pitch entries, and give pitch feedback there (moderated as all pitch feedback is, by their own
school).

Who: a teacher of that high school (or the admin) invites and removes; the invited pupil sees.
Each cluster's own high school (`high_school_of`); a cluster without one has no transition days.
Invitations are logged in the moderation log.
"""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.rollover import high_school_of
from clustermarket.accounts.services import AccountError, CurrentUser, NotFound, short_name
from clustermarket.accounts.tables import Role, User
from clustermarket.frozen import Prepared
from clustermarket.moderation.log import log_action
from clustermarket.projects.services import public_projects
from clustermarket.sharing.pitch import is_open
from clustermarket.sharing.tables import PitchEntry
from clustermarket.teams.tables import Team
from clustermarket.timeutil import now
from clustermarket.transition.tables import TeamFollower

TRANSITION_YEAR = 6


async def _require_high_staff(actor: CurrentUser) -> dict[str, Any]:
    """The high school of the actor's cluster (issue 15), if the actor is its teacher or the
    cluster admin; NotFound otherwise."""
    row = await high_school_of(actor.cluster_id)
    if row is None or not (actor.is_admin or (actor.is_teacher and actor.school_id == row["id"])):
        raise NotFound()
    return row


async def staff_page(actor: CurrentUser) -> dict[str, Any]:
    """What a member of staff sees: the invitations if they run them, else who does."""
    try:
        return await invite_page(actor)
    except NotFound:  # other schools' staff, or a cluster without a high school
        return {"not_high": True, "high_school": await high_school_of(actor.cluster_id)}


async def pupil_page(actor: CurrentUser, high_school: dict[str, Any] | None) -> dict[str, Any]:
    """What a pupil sees: the teams they follow, and which high school's teams they are
    (`high_school_of` the actor's cluster, which the caller may have kept)."""
    return {"teams": await followed_teams(actor), "high_school": high_school}


# Built once (`frozen.Prepared`): the High's staff open the invite page often in June.
_HIGH_TEAMS = Prepared(
    lambda high: Team.select(Team.id, Team.name).where(Team.school == high).order_by(Team.name)
)
_YEAR_SIX = Prepared(
    lambda high, cluster_id: (
        User.select(
            User.id,
            User.first_name,
            User.last_name,
            User.school.name.as_alias("school_name"),
        )
        .where(
            (User.role == Role.pupil)
            & (User.year_group == TRANSITION_YEAR)
            & (User.school != high)
            & (User.cluster == cluster_id)  # the cluster's own Year 6 only
            & (User.active == True)  # noqa: E712
            & User.school.phase.is_in(["junior", "primary"])
        )
        .order_by(User.school.name)
        .order_by(User.first_name)
    )
)
_FOLLOWS = Prepared(
    lambda high: TeamFollower.select(
        TeamFollower.id,
        TeamFollower.team,
        TeamFollower.team.name.as_alias("team_name"),
        TeamFollower.pupil.first_name.as_alias("first_name"),
        TeamFollower.pupil.last_name.as_alias("last_name"),
        TeamFollower.pupil.school.name.as_alias("school_name"),
    ).where(TeamFollower.team.school == high)
)


async def invite_page(actor: CurrentUser) -> dict[str, Any]:
    """The High's teams, the Year 6 pupils of other schools, and who follows what."""
    high_school = await _require_high_staff(actor)
    high = high_school["id"]
    teams = await _HIGH_TEAMS.run(high)
    pupils = await _YEAR_SIX.run(high, actor.cluster_id)
    for pupil in pupils:
        pupil["short_name"] = short_name(pupil["first_name"], pupil["last_name"])
    follows = await _FOLLOWS.run(high)
    for follow in follows:
        follow["short_name"] = short_name(follow["first_name"], follow["last_name"])
    return {"teams": teams, "pupils": pupils, "follows": follows, "high_school": high_school}


async def invite(actor: CurrentUser, team_id: int | None, pupil_ids: list[int]) -> int:
    high_school = await _require_high_staff(actor)
    high = high_school["id"]
    team = (
        await Team.select(Team.id, Team.name)
        .where((Team.id == (team_id or 0)) & (Team.school == high))
        .first()
    )
    if team is None:
        raise AccountError(f"Choose one of {high_school['name']}'s teams.")
    page = await invite_page(actor)
    allowed = {p["id"]: p for p in page["pupils"]}
    chosen = [allowed[i] for i in pupil_ids if i in allowed]
    if not chosen:
        raise AccountError("Tick the Year 6 pupils to invite.")
    already = {
        r["pupil"]
        for r in await TeamFollower.select(TeamFollower.pupil).where(
            (TeamFollower.team == team["id"]) & TeamFollower.pupil.is_in([p["id"] for p in chosen])
        )
    }
    new = [p for p in chosen if p["id"] not in already]
    if new:
        stamp = now()
        await TeamFollower.insert(
            *[
                TeamFollower(team=team["id"], pupil=p["id"], invited_by=actor.id, created_at=stamp)
                for p in new
            ]
        )
        for pupil in new:
            await log_action(
                actor_id=actor.id,
                action="transition.invite",
                subject_type="user",
                subject_id=pupil["id"],
                subject_label=f"{pupil['short_name']} → {team['name']}",
                school_id=high,
            )
    return len(new)


async def remove(actor: CurrentUser, follow_id: int) -> None:
    high = (await _require_high_staff(actor))["id"]
    row = (
        await TeamFollower.select(TeamFollower.id, TeamFollower.pupil)
        .where((TeamFollower.id == follow_id) & (TeamFollower.team.school == high))
        .first()
    )
    if row is None:
        raise NotFound()
    await TeamFollower.delete().where(TeamFollower.id == follow_id)
    await log_action(
        actor_id=actor.id,
        action="transition.remove",
        subject_type="user",
        subject_id=row["pupil"],
        school_id=high,
    )


async def followed_teams(actor: CurrentUser) -> list[dict[str, Any]]:
    """For a pupil: the High teams they follow, with approved projects and open pitch entries
    (a fixed number of queries per team followed; a pupil follows a handful)."""
    teams = await TeamFollower.select(
        TeamFollower.team.as_alias("id"),
        TeamFollower.team.name.as_alias("name"),
        TeamFollower.team.slug.as_alias("slug"),
    ).where(TeamFollower.pupil == actor.id)
    ids = [t["id"] for t in teams]
    entries = (
        await PitchEntry.select(
            PitchEntry.id,
            PitchEntry.team,
            PitchEntry.question,
            PitchEntry.round.closes_at.as_alias("closes_at"),
            PitchEntry.round.title.as_alias("round_title"),
            PitchEntry.product.published_name.as_alias("product_name"),
            PitchEntry.project.published_title.as_alias("project_title"),
        ).where(PitchEntry.team.is_in(ids))
        if ids
        else []
    )
    for team in teams:
        team["projects"] = await public_projects(
            cluster_id=actor.cluster_id, team_id=team["id"], limit=12
        )
        team["entries"] = [
            e for e in entries if e["team"] == team["id"] and is_open({"closes_at": e["closes_at"]})
        ]
    return teams
