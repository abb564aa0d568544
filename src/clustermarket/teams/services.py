"""Teams (enterprise teams and eco groups) of a school."""

from __future__ import annotations

from typing import Any

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
