"""Teams (enterprise teams and eco groups) of a school.

Every read and write is limited to ONE cluster (issue 15): the request's, passed in as
`cluster_id`, or the signed-in user's (`user.cluster_id`, which a session only carries in its
own cluster), never a form field. A team of another cluster answers like one that does not
exist. `in_cluster(Table.team, cluster_id)` is the one condition for any table with a team."""

from __future__ import annotations

from typing import Any

from piccolo.columns import ForeignKey
from piccolo.columns.combination import Where

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.accounts.tables import Role, User
from clustermarket.frozen import Prepared, raw
from clustermarket.schools.tables import School
from clustermarket.teams.tables import MemberRole, Team, TeamMember
from clustermarket.transactions import write_transaction


def in_cluster(team: ForeignKey, cluster_id: int) -> Where:
    """Rows whose team (given as the foreign key to `team`) is of a school of this cluster:
    the cluster's teams as a sub-query (school by `cluster`, team by `school`, both indexed).
    A join filtering on the school's cluster led SQLite to read every public product of the
    installation and look up its school (300 clusters: 10-12 ms a product list's count)."""
    return team.is_in(Team.select(Team.id).where(Team.school.cluster == cluster_id))


def team_in_cluster(cluster_id: int) -> Where:
    return Team.school.cluster == cluster_id


_PUBLIC_TEAMS_OF_SCHOOL = Prepared(  # built once: a school's page lists them on every view
    lambda school_id: (
        Team.select(Team.id, Team.name, Team.slug, Team.kind, Team.description)
        .where(Team.school == school_id)
        .order_by(Team.name)
    )
)


async def public_teams_of_school(school_id: int) -> list[dict[str, Any]]:
    return await _PUBLIC_TEAMS_OF_SCHOOL.run(school_id)


# Every dashboard reads it: written once as SQL (the same on both engines; Piccolo would
# build the joined select anew each time, costing more than the query).
_TEAMS_OF_USER_SQL = (
    "SELECT m.role, t.id AS id, t.name AS name, t.kind AS kind, s.name AS school_name"
    " FROM team_member m LEFT JOIN team t ON t.id = m.team LEFT JOIN school s ON s.id = t.school"
    ' WHERE m."user" = {} ORDER BY t.name'
)


async def teams_of_user(user_id: int) -> list[dict[str, Any]]:
    return await raw(TeamMember, _TEAMS_OF_USER_SQL, user_id)


def school_teams(school_id: Any) -> Any:
    """A school's teams as a sub-query (a teacher works for them)."""
    return Team.select(Team.id).where(Team.school == school_id)


def member_teams(user_id: Any) -> Any:
    """The teams a pupil belongs to, as a sub-query."""
    return TeamMember.select(TeamMember.team).where(TeamMember.user == user_id)


async def team_for_worker(user: CurrentUser, team_id: int) -> dict[str, Any] | None:
    """The team if `user` may work for it (its members, teachers of its school, the admins
    of its cluster).

    The one rule for "may act for this team"; callers answer None with a 404. A team of
    another cluster than the user's is None, like one that does not exist."""
    if user.cluster_id is None:  # the nightly job's stand-in only
        team = await _ANY_TEAM.run(team_id)
        if team is None:
            return None
        return team if _staff_of(user, team) or await _MEMBER.run(team_id, user.id) else None
    rows = await raw(Team, TEAM_OF_CLUSTER_SQL, user.id, team_id, user.cluster_id)
    return worker_team(user, rows[0]) if rows else None


def worker_team(user: CurrentUser, team: dict[str, Any]) -> dict[str, Any] | None:
    """A row of `TEAM_OF_CLUSTER_SQL` (the team, and whether the user is of it) as
    `team_for_worker` answers: the team if `user` may work for it, else None."""
    is_member = team.pop("is_member")  # asked in the same statement
    return team if _staff_of(user, team) or is_member else None


def _staff_of(user: CurrentUser, team: dict[str, Any]) -> bool:
    return user.is_admin or (user.is_teacher and user.school_id == team["school"])


def _team(where: Any) -> Any:
    return (
        Team.select(
            Team.id,
            Team.name,
            Team.slug,
            Team.kind,
            Team.school,
            Team.school.name.as_alias("school_name"),
        )
        .where(where)
        .first()
    )


# Built once (`frozen.Prepared`): every page of a team's work asks them.
_ANY_TEAM = Prepared(lambda team_id: _team(Team.id == team_id))
# A team of the cluster with its school's name and whether the user is a member of it (every
# page of a team's work asks both: one statement, not two).
TEAM_OF_CLUSTER_SQL = (  # the user's id, the team's, the user's cluster
    "SELECT t.id, t.name, t.slug, t.kind, t.school, s.name AS school_name,"
    ' EXISTS(SELECT 1 FROM team_member m WHERE m.team = t.id AND m."user" = {}) AS is_member'
    " FROM team t JOIN school s ON s.id = t.school WHERE t.id = {} AND s.cluster = {}"
)
_MEMBER = Prepared(
    lambda team_id, user_id: TeamMember.exists().where(
        (TeamMember.team == team_id) & (TeamMember.user == user_id)
    )
)


class TeamError(ValueError):
    """A team change that cannot be made; the message is for the teacher."""


def _slugify(text: str) -> str:
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60] or "team"


async def create_team(
    actor: CurrentUser, *, school_id: int, name: str, kind: str, description: str
) -> dict[str, Any]:
    """Teachers create teams for their own school; the admin for any school of their cluster
    (a school of another cluster is refused like one that does not exist)."""
    from clustermarket.teams.tables import TeamKind
    from clustermarket.timeutil import now

    if not (actor.is_admin or (actor.is_teacher and actor.school_id == school_id)):
        raise TeamError("You can only create teams for your own school.")
    if actor.is_admin and not await School.exists().where(
        (School.id == school_id) & (School.cluster == actor.cluster_id)
    ):
        raise TeamError("Choose the school this team belongs to.")
    name = name.strip()
    if not 2 <= len(name) <= 120:
        raise TeamError("Give the team a name of 2 to 120 characters.")
    if kind not in (TeamKind.enterprise, TeamKind.eco):
        raise TeamError("Choose whether this is an enterprise team or an eco group.")
    base = _slugify(name)
    taken = {r["slug"] for r in await Team.select(Team.slug).where(Team.slug.like(f"{base}%"))}
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    async with write_transaction():  # the team and its supervisor, or neither
        rows = await Team.insert(
            Team(
                school=school_id,
                name=name,
                slug=slug,
                kind=kind,
                description=description.strip()[:2000],
                created_at=now(),
            )
        ).returning(Team.id, Team.slug)
        team_id = rows[0]["id"]
        if actor.is_teacher:
            await TeamMember.insert(
                TeamMember(team=team_id, user=actor.id, role=MemberRole.supervisor)
            )
    return {"id": team_id, "slug": rows[0]["slug"]}


_MEMBERS = Prepared(  # built once: the team's workspace lists them on every view
    lambda team_id: (
        TeamMember.select(
            TeamMember.id,
            TeamMember.role,
            TeamMember.user,
            TeamMember.user.first_name.as_alias("first_name"),
            TeamMember.user.last_name.as_alias("last_name"),
            TeamMember.user.role.as_alias("user_role"),
        )
        .where(TeamMember.team == team_id)
        .order_by(TeamMember.role)
        .order_by(TeamMember.id)
    )
)


async def team_members(team_id: int) -> list[dict[str, Any]]:
    return await _MEMBERS.run(team_id)


# Built once, one statement: the workspace's add-member list on every view of its managers.
# Pupils first, then teachers ("pupil" sorts before "teacher"), each by name.
_CANDIDATES = Prepared(
    lambda school_id: (
        User.select(User.id, User.first_name, User.last_name, User.role)
        .where(
            (User.school == school_id)
            & User.role.is_in([Role.pupil, Role.teacher])
            & (User.active == True)
        )
        .order_by(User.role)
        .order_by(User.last_name)
        .order_by(User.first_name)
    )
)


async def candidates(school_id: int) -> list[dict[str, Any]]:
    """Active pupils and teachers of the school, for the add-member list (`kind`: which)."""
    rows = await _CANDIDATES.run(school_id)
    return [{**row, "kind": "teacher" if row["role"] == Role.teacher else "pupil"} for row in rows]


async def add_member(actor: CurrentUser, team: dict[str, Any], user_id: int, role: str) -> None:
    """Pupils join as leader or member; teachers of the school as supervisors."""
    if not (actor.is_admin or (actor.is_teacher and actor.school_id == team["school"])):
        raise TeamError("Only a teacher of this school can change the team.")
    user = (
        await User.select(User.id, User.role, User.school, User.active)
        .where(User.id == user_id)
        .first()
    )
    if user is None or user["school"] != team["school"] or not user["active"]:
        raise TeamError("Choose a pupil or teacher of this school.")
    if user["role"] == Role.teacher:
        role = MemberRole.supervisor
    elif user["role"] != Role.pupil or role not in (MemberRole.leader, MemberRole.member):
        raise TeamError("Pupils join as a leader or a member.")
    if await TeamMember.exists().where(
        (TeamMember.team == team["id"]) & (TeamMember.user == user_id)
    ):
        await TeamMember.update({TeamMember.role: role}).where(
            (TeamMember.team == team["id"]) & (TeamMember.user == user_id)
        )
        return
    await TeamMember.insert(TeamMember(team=team["id"], user=user_id, role=role))


async def remove_member(actor: CurrentUser, team: dict[str, Any], member_id: int) -> None:
    if not (actor.is_admin or (actor.is_teacher and actor.school_id == team["school"])):
        raise TeamError("Only a teacher of this school can change the team.")
    removed = (
        await TeamMember.delete()
        .where((TeamMember.id == member_id) & (TeamMember.team == team["id"]))
        .returning(TeamMember.id)
    )
    if not removed:  # another team's member, or gone already: say so, never "removed"
        raise NotFound()


async def public_team(slug: str, cluster_id: int) -> dict[str, Any] | None:
    return await _PUBLIC_TEAM.run(slug, cluster_id)


_PUBLIC_TEAM = Prepared(  # built once: a team's page reads it on every view
    lambda slug, cluster_id: (
        Team.select(
            Team.id,
            Team.name,
            Team.slug,
            Team.kind,
            Team.description,
            Team.school,
            Team.school.name.as_alias("school_name"),
            Team.school.slug.as_alias("school_slug"),
        )
        .where((Team.slug == slug) & team_in_cluster(cluster_id))
        .first()
    )
)


# Per school, or per cluster (every school of it, the admin's): frozen on first use. Always
# limited to the cluster too, and keyed by it: no id can bring another cluster's teams.
_TEAMS_OF_SCHOOL: dict[tuple[int | None, int], Any] = {}


async def teams_of_school(school_id: int | None, cluster_id: int) -> list[dict[str, Any]]:
    """The teams of one school of the cluster; with `school_id` None every team of it."""
    key = (school_id, cluster_id)
    if key not in _TEAMS_OF_SCHOOL:
        query = Team.select(Team.id, Team.name, Team.kind, Team.school.name.as_alias("school_name"))
        where = team_in_cluster(cluster_id)
        if school_id is not None:
            where &= Team.school == school_id
        _TEAMS_OF_SCHOOL[key] = query.where(where).order_by(Team.name).freeze()
    return await _TEAMS_OF_SCHOOL[key].run()
