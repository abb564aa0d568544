"""The dearest signed-in pages do their fixed work once (issue 17, target 3: every page that
is not public ≤ 3 ms of server CPU). Found by `bench/signed_in.py --crawl` on 2026-11-27: an
edit form ran the word filter over its saved text on every view (a third of the page), and a
team's market page built its three selects anew on every view. A second view also compiles no
raw select again (`frozen.raw`): the session's user, a list's photos and tallies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from glin_profanity import Filter
from piccolo.query.methods.raw import Raw
from piccolo.query.methods.select import Select

from clustermarket.moderation import wordfilter
from clustermarket.teams.tables import Team
from tests.conftest import sign_in
from tests.demo_rows import restore_demo_data


def _tokens_out(page: str) -> str:
    return re.sub(r'name="_csrf_token" value="[^"]*"', "", page)


@contextmanager
def counted(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> Iterator[list[Any]]:
    """Each call of `owner.name` (a method or a property), counted."""
    calls: list[Any] = []
    original = owner.__dict__[name]
    if isinstance(original, property):

        def getter(self: Any) -> Any:
            calls.append(self)
            return original.fget(self)

        monkeypatch.setattr(owner, name, property(getter))
    else:

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(args)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(owner, name, method)
    try:
        yield calls
    finally:
        monkeypatch.setattr(owner, name, original)


async def test_an_edit_form_checks_its_saved_text_once(client, monkeypatch) -> None:
    await restore_demo_data()
    await sign_in(client, "ameliab", "apple-otter-12")
    wordfilter.words_to_change.cache_clear()
    page = await client.get("/projects/4/edit")
    assert page.status_code == 200, page.text
    with counted(monkeypatch, Filter, "check_profanity") as checks:
        again = await client.get("/projects/4/edit")
    assert again.status_code == 200
    assert again.text.count('name="title"') == 1
    assert checks == [], "the word filter ran again over the same saved text"


def test_the_filter_still_sees_each_new_text() -> None:
    """Kept answers are per text: a changed text is checked, and an answer handed out
    cannot be changed by its caller."""
    wordfilter.words_to_change.cache_clear()
    assert wordfilter.problems_in({"title": "Bird boxes"}) == []
    bad = wordfilter.problems_in({"title": "Bird boxes shit"})
    assert bad and "“shit”" in bad[0] and "in the title" in bad[0]
    assert wordfilter.problems_in({"title": "Bird boxes shit"}) == bad
    assert wordfilter.words_to_change("Bird boxes shit") == ("shit",)  # a tuple: read-only
    assert wordfilter.problems_in({"title": "Bird boxes"}) == []


async def _demo_path(page: str) -> str:
    from clustermarket.accounts.tables import SchoolClass, User
    from clustermarket.calendar.tables import Event
    from clustermarket.coop.tables import Ballot
    from clustermarket.market.services import next_market_day
    from clustermarket.market.tables import Expense, Stall
    from clustermarket.projects.tables import Project
    from clustermarket.schools.tables import School
    from clustermarket.sharing.tables import PitchEntry, PitchRound
    from tests.conftest import seeded_cluster

    team = await Team.select(Team.id, Team.school).where(Team.slug == "aylsham-makers").first()
    event = await Event.select(Event.id).order_by(Event.id).first()
    pitch_round = await PitchRound.select(PitchRound.id).order_by(PitchRound.id).first()
    stall = await Stall.select(Stall.id).where(Stall.team == team["id"]).first()
    day = await next_market_day(await seeded_cluster())
    project = await Project.select(Project.id).where(Project.is_public == True).first()  # noqa: E712
    ballots = await Ballot.select(Ballot.id).order_by(Ballot.closes_at, ascending=False)
    teacher = await User.select(User.school).where(User.username == "staylor").first()
    school_class = (
        await SchoolClass.select(SchoolClass.id)
        .where(SchoolClass.school == teacher["school"])
        .order_by(SchoolClass.id)
        .first()
    )
    own = Project.team == team["id"]
    team_project = await Project.select(Project.id).where(own).order_by(Project.id).first()
    expense = await Expense.select(Expense.id).where(Expense.team == team["id"]).first()
    entry = await PitchEntry.select(PitchEntry.id).order_by(PitchEntry.id).first()
    school = await School.select(School.slug).where(School.id == team["school"]).first()
    return page.format(
        school=teacher["school"],
        school_class=school_class["id"],
        team=team["id"],
        event=event["id"],
        round=pitch_round["id"],
        stall=stall["id"],
        day=day["id"],
        project=project["id"],
        open_ballot=ballots[0]["id"],  # the demo's two: one open, one closed with its result
        closed_ballot=ballots[-1]["id"],
        team_project=team_project["id"],  # the team's own: its members edit it
        expense=expense["id"],
        entry=entry["id"],
        school_slug=school["slug"],
    )


@pytest.mark.parametrize(
    "page",
    [
        "/teams/{team}/market",  # its stalls, expenses and market days
        "/teams/{team}/workspace",  # its members, products and projects
        "/projects",  # signed in: not the cached public page
        "/projects?page=2",
        "/events/{event}",  # the event, its schools and the work a pupil may offer
        "/pitch/rounds/{round}",  # the work a pupil may pitch
        "/dashboard",  # the next market day, the cluster's high school
        "/stalls/{stall}/stock",  # the stall, the team's products and the stall's stock
        "/feedback/project/{project}",  # the project commented on
        "/market-days/{day}/pre-order",  # the day and its pre-order window
        "/teams/aylsham-makers",  # the team's page, signed in
        "/",  # the home page, signed in: not the cached public page
        "/events",  # the events a pupil may see, their schools, the market days
        "/pitch",  # the cluster's pitch rounds
        "/forum",  # the threads' latest activity, their opening and latest posts
        "/coop",  # signed in: the ballots and the member's votes
        "/coop/votes/{open_ballot}",  # the ballot, its options, the member's vote
        "/coop/votes/{closed_ballot}",  # and its result: the counts, who could vote
        "/teams/{team}/market?range=market",  # and the latest market day
        "/notifications",  # the latest fifty; those without a link marked read
        "/projects/{team_project}/edit",  # the project, its photos and tallies, read once
        "/pitch/entries/{entry}",  # the entry's photos, its feedback
    ],
)
async def test_a_pupils_page_builds_its_selects_once(client, monkeypatch, page) -> None:
    await _second_view_builds_nothing(client, monkeypatch, ("ameliab", "apple-otter-12"), page)


@pytest.mark.parametrize(
    "page",
    [
        "/transition",  # the High's teams, Year 6, who follows what
        "/forum",  # as the pupil's, with the threads waiting for a teacher
        "/classes",  # the school's classes and how many pupils each has
        "/classes/{school_class}",  # the class, its pupils, the school's other pupils
        "/classes/rollover",  # the school, its classes and pupils, the rollover done, leavers
        "/teams/{team}/market?range=market",  # the latest market day
        "/reports?report=products&range=market",  # the school of the cluster, the latest day
        "/reports?report=schools&range=year",  # the school of the cluster alone
        "/reports?report=teams&range=market",
        "/teams/{team}/workspace",  # and the pupils and teachers who may be added
        "/teams/{team}/market/expenses/{expense}",  # the cost to correct
        "/pitch/entries/{entry}",
        "/projects/{team_project}/edit",
    ],
)
async def test_a_teachers_page_builds_its_selects_once(client, monkeypatch, page) -> None:
    await _second_view_builds_nothing(client, monkeypatch, ("staylor", "teacher-demo-1"), page)


@pytest.mark.parametrize(
    "page",
    [
        "/admin/coop/ballots",  # the ballots and the ideas not yet put to the members
        "/admin/coop",  # the community groups
        "/forum",
        "/teams/{team}/market",  # the team is of the admin's cluster
        "/classes/rollover?school={school}",  # the school chosen is of the admin's cluster
        "/reports?report=cluster&range=market",  # the latest market day of the cluster
        "/teams/{team}/workspace",
        "/notifications",  # with the count waiting for moderation
        "/admin/market-days/{day}",  # the day, its stalls and the cluster's enterprise teams
        "/schools/{school_slug}",  # signed in: the school and its teams, not the cached page
        "/projects/{team_project}/edit",
        "/admin/events",  # the cluster's events
        "/admin/events/{event}",  # the event's schools
        "/pitch",  # the coming market days a round may be for
    ],
)
async def test_an_admins_page_builds_its_selects_once(client, monkeypatch, page) -> None:
    await _second_view_builds_nothing(client, monkeypatch, ("admin", "cluster-admin-demo"), page)


async def _second_view_builds_nothing(client, monkeypatch, account, page) -> None:
    await restore_demo_data()
    await sign_in(client, *account)
    path = await _demo_path(page)
    first = await client.get(path)
    assert first.status_code == 200, first.text
    with (
        counted(monkeypatch, Select, "default_querystrings") as built,
        counted(monkeypatch, Raw, "default_querystrings") as compiled,
    ):
        again = await client.get(path)
    assert again.status_code == 200
    assert _tokens_out(again.text) == _tokens_out(first.text)  # the same rows shown
    assert built == [], f"{len(built)} selects built again on a second view of {path}"
    assert compiled == [], f"{len(compiled)} raw selects compiled again on a view of {path}"
