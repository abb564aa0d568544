"""Projects: a team's showcase, with impact tallies for eco groups.

Public queries filter with PROJECT.public_where() (moderation/content.py), nowhere else, and
with the request's cluster (`cluster_id`, from `current_cluster(request).id`, issue 15): a
project of another cluster never shows and its page is 404 like one that does not exist. The
team's own pages reach projects through `team_for_worker`, which keeps to the user's cluster."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.frozen import Prepared
from clustermarket.media.services import photos_for
from clustermarket.moderation.content import PROJECT
from clustermarket.projects.tables import ImpactTally, Project
from clustermarket.projects.tallies import MAX_TALLY, tallies_for
from clustermarket.teams.services import in_cluster
from clustermarket.textsearch import text_matches
from clustermarket.timeutil import now
from clustermarket.transactions import write_transaction
from clustermarket.web.pagination import Page, paginate


@dataclass
class ProjectInput:
    title: str = ""
    summary: str = ""
    body: str = ""


@dataclass
class CheckedProject:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def check_project(data: ProjectInput) -> CheckedProject:
    checked = CheckedProject()
    title = data.title.strip()
    if not 2 <= len(title) <= 120:
        checked.errors["title"] = "Give the project a title of 2 to 120 characters."
    summary = data.summary.strip()
    if len(summary) > 300:
        checked.errors["summary"] = "Keep the summary to 300 characters: one or two sentences."
    body = data.body.strip()
    if len(body) > 10000:
        checked.errors["body"] = "Keep the story under 10,000 characters."
    checked.values = {"title": title, "summary": summary, "body": body}
    return checked


async def create_project(actor: CurrentUser, team: dict[str, Any], values: dict[str, Any]) -> int:
    stamp = now()
    rows = await Project.insert(
        Project(team=team["id"], created_by=actor.id, created_at=stamp, updated_at=stamp, **values)
    ).returning(Project.id)
    return rows[0]["id"]


async def update_project(project_id: int, values: dict[str, Any]) -> None:
    await Project.update({**values, "updated_at": now()}).where(Project.id == project_id)  # type: ignore[arg-type]


# Built once (`frozen.Prepared`): the team's workspace lists them on every view.
_TEAM_PROJECTS = Prepared(
    lambda team_id: (
        Project.select(Project.id, Project.title, Project.status, Project.feedback)
        .where(Project.team == team_id)
        .order_by(Project.id)
    )
)


async def team_projects(team_id: int) -> list[dict[str, Any]]:
    """The team's projects as its workspace lists them: title, state and the teacher's
    feedback (a project's text, tallies and photos are on its own edit page)."""
    return await _TEAM_PROJECTS.run(team_id)


class TallyError(ValueError):
    pass


def check_tally(quantity: str, unit: str, label: str) -> tuple[int, str, str]:
    try:
        number = int(quantity.strip().replace(",", ""))
    except ValueError:
        raise TallyError("Give the tally as a whole number, like 120.") from None
    if not 0 < number <= MAX_TALLY:
        raise TallyError("The number must be between 1 and 10,000,000.")
    unit, label = unit.strip(), label.strip()
    if not unit or len(unit) > 40:
        raise TallyError("Say what was counted, like “bottles” or “trees” (up to 40 letters).")
    if not label or len(label) > 80:
        raise TallyError("Say what happened to them, like “recycled” or “planted”.")
    return number, unit, label


async def add_tally(project_id: int, quantity: int, unit: str, label: str) -> None:
    await ImpactTally.insert(
        ImpactTally(project=project_id, quantity=quantity, unit=unit, label=label)
    )


async def remove_tally(project_id: int, tally_id: int) -> None:
    """Out of the draft; a published tally keeps counting until the next approval.
    NotFound if the tally is not this project's (nothing changes)."""
    this_one = (ImpactTally.id == tally_id) & (ImpactTally.project == project_id)
    async with write_transaction():
        taken = (
            await ImpactTally.update({ImpactTally.in_draft: False})
            .where(this_one)
            .returning(ImpactTally.id)
        )
        if not taken:
            raise NotFound()
        await ImpactTally.delete().where(this_one & (ImpactTally.published == False))


# ----------------------------------------------------------------------------- public


def _public_columns() -> tuple[Any, ...]:
    return (
        Project.id,
        Project.published_title.as_alias("title"),
        Project.published_summary.as_alias("summary"),
        Project.published_body.as_alias("body"),
        Project.team.name.as_alias("team_name"),
        Project.team.slug.as_alias("team_slug"),
        Project.team.kind.as_alias("team_kind"),
        Project.team.school.name.as_alias("school_name"),
        Project.team.school.slug.as_alias("school_slug"),
    )


def _public_where(
    cluster_id: int, text: str, school_id: int | None, kind: str | None, team_id: int | None
):
    where = PROJECT.public_where() & in_cluster(Project.team, cluster_id)
    if text.strip():
        where &= text_matches(Project.published_title, text) | text_matches(
            Project.published_summary, text
        )
    if school_id is not None:
        where &= Project.team.school == school_id
    if kind:
        where &= Project.team.kind == kind
    if team_id is not None:
        where &= Project.team == team_id
    return where


async def _with_thumbs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    photos = await photos_for("project", [r["id"] for r in rows], published=True)
    for row in rows:
        row["photo"] = (photos.get(row["id"]) or [None])[0]
    return rows


async def public_projects(
    *,
    cluster_id: int,
    text: str = "",
    school_id: int | None = None,
    kind: str | None = None,
    team_id: int | None = None,
    limit: int = 60,
) -> list[dict[str, Any]]:
    """Approved projects, newest first; two queries however many rows."""
    if not text.strip():  # the home page's, a school's, a team's: built once for each shape
        shape = (school_id is not None, bool(kind), team_id is not None, limit)
        listed = _public_list(*shape)
        return await _with_thumbs(await listed.run(cluster_id, school_id, kind, team_id))
    rows = (
        await Project.select(*_public_columns())
        .where(_public_where(cluster_id, text, school_id, kind, team_id))
        .order_by(Project.id, ascending=False)
        .limit(limit)
    )
    return await _with_thumbs(rows)


# The lists without words searched for, by which filters they have and their length
# (`frozen.Prepared`: building the joined select cost a signed-in page about 0.5 ms), one
# for each shape and page (`functools.cache`).
@cache
def _public_count(by_school: bool, by_kind: bool) -> Prepared:
    return Prepared(
        lambda cluster_id, school_id, kind, _team_id: Project.count().where(
            _public_where(
                cluster_id,
                "",
                school_id if by_school else None,
                kind if by_kind else None,
                None,
            )
        )
    )


@cache
def _public_list(
    by_school: bool, by_kind: bool, by_team: bool, limit: int, offset: int = 0
) -> Prepared:
    return Prepared(
        lambda cluster_id, school_id, kind, team_id: (
            Project.select(*_public_columns())
            .where(
                _public_where(
                    cluster_id,
                    "",
                    school_id if by_school else None,
                    kind if by_kind else None,
                    team_id if by_team else None,
                )
            )
            .order_by(Project.id, ascending=False)
            .limit(limit)
            .offset(offset)
        )
    )


async def public_project_page(
    number: int,
    *,
    cluster_id: int,
    text: str = "",
    school_id: int | None = None,
    kind: str | None = None,
    path: str,
    params: dict,
) -> Page:
    """One page of the public projects with the true total; three queries."""
    if not text.strip():  # without search words: built once for each shape and page
        shape, values = (school_id is not None, bool(kind)), (cluster_id, school_id, kind, None)
        page = await paginate(
            lambda size, offset: _public_list(*shape, False, size, offset).run(*values),
            await _public_count(*shape).run(*values),
            number,
            path=path,
            params=params,
        )
        await _with_thumbs(page.items)
        return page
    where = _public_where(cluster_id, text, school_id, kind, None)
    page = await paginate(
        Project.select(*_public_columns()).where(where).order_by(Project.id, ascending=False),
        await Project.count().where(where),
        number,
        path=path,
        params=params,
    )
    await _with_thumbs(page.items)
    return page


async def public_project(project_id: int, cluster_id: int) -> dict[str, Any]:
    row = await _PUBLIC_PROJECT.run(project_id, cluster_id)
    if row is None:
        raise NotFound()
    row["photos"] = (await photos_for("project", [project_id], published=True)).get(project_id, [])
    row["tallies"] = (await tallies_for([project_id], published=True)).get(project_id, [])
    return row


_PUBLIC_PROJECT = Prepared(
    lambda project_id, cluster_id: (
        Project.select(*_public_columns())
        .where(
            (Project.id == project_id)
            & PROJECT.public_where()
            & in_cluster(Project.team, cluster_id)
        )
        .first()
    )
)
