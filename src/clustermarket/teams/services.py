"""Teams (enterprise teams and eco groups) of a school."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.teams.tables import Team, TeamMember


async def public_teams_of_school(school_id: int) -> list[dict[str, Any]]:
    return await Team.select(Team.id, Team.name, Team.slug, Team.kind, Team.description).where(
        Team.school == school_id
    ).order_by(Team.name)


async def teams_of_user(user_id: int) -> list[dict[str, Any]]:
    return await TeamMember.select(
        TeamMember.role,
        TeamMember.team.id.as_alias("id"),
        TeamMember.team.name.as_alias("name"),
        TeamMember.team.kind.as_alias("kind"),
        TeamMember.team.school.name.as_alias("school_name"),
    ).where(TeamMember.user == user_id).order_by(TeamMember.team.name)


async def team_for_worker(user: CurrentUser, team_id: int) -> dict[str, Any] | None:
    """The team if `user` may work for it (its members, teachers of its school, admins).

    The one rule for "may act for this team"; callers answer None with a 404."""
    team = await Team.select(
        Team.id, Team.name, Team.slug, Team.kind, Team.school, Team.school.name.as_alias("school_name")
    ).where(Team.id == team_id).first()
    if team is None:
        return None
    if user.is_admin or (user.is_teacher and user.school_id == team["school"]):
        return team
    if await TeamMember.exists().where((TeamMember.team == team_id) & (TeamMember.user == user.id)):
        return team
    return None
