"""Ballots: the admin asks a question with two or more options, open from one time to
another (UK time); members vote once (the database refuses a second vote, also sent at the
same moment); the result and turnout appear only once the ballot closes; an idea is put to
the members once, so nobody votes twice on it through a second ballot."""

import asyncio
import datetime as dt
import re
import sqlite3

import asyncpg
import pytest

from clustermarket.accounts.tables import Role
from clustermarket.coop import ballots
from clustermarket.coop.tables import Ballot, BallotOption, Vote
from clustermarket.timeutil import UK, now, uk_time
from tests.conftest import as_user, make_client, make_user, post_form
from tests.sharing.helpers import post_idea, two_schools


def uk(delta: dt.timedelta) -> str:
    """A time as the admin types it in the form's datetime-local field (UK time)."""
    return (now() + delta).astimezone(UK).strftime("%Y-%m-%dT%H:%M")


BALLOT = {
    "question": "Which charity should the summer market support?",
    "options": "Aylsham Food Bank\nNorfolk Wildlife Trust\n\nEast Anglia's Children's Hospices",
    "idea": "",
    "opens_at": "",
    "closes_at": uk(dt.timedelta(days=3)),
}


async def create(admin, **changes) -> int:
    answer = await post_form(
        admin, "/admin/coop/ballots", {**BALLOT, **changes}, follow_redirects=False
    )
    assert answer.status_code == 302, answer.text
    return int(re.search(r"/coop/votes/(\d+)", answer.headers["location"]).group(1))


async def option_ids(ballot_id: int) -> list[int]:
    rows = await BallotOption.select(BallotOption.id).where(BallotOption.ballot == ballot_id)
    return [r["id"] for r in sorted(rows, key=lambda r: r["id"])]


async def vote(client, ballot_id: int, option_id: int):
    return await post_form(client, f"/coop/votes/{ballot_id}", {"option": str(option_id)})


async def test_a_ballot_runs_from_creation_to_a_published_result(people) -> None:
    await two_schools()
    admin, taylor, amelia, oliver = await people("admin", "staylor", "ameliab", "oliverk")
    refused = await post_form(taylor, "/admin/coop/ballots", BALLOT)
    assert refused.status_code == 403
    for changes, message in (
        ({"options": "Only one"}, "at least two options"),
        ({"options": "Yes\nyes "}, "Two options are the same"),
        ({"question": ""}, "Please give the question"),
        ({"closes_at": "soon"}, "Please give the closing date and time"),
        ({"opens_at": uk(dt.timedelta(days=4))}, "must be after the opening time"),
    ):
        answer = await post_form(admin, "/admin/coop/ballots", {**BALLOT, **changes})
        assert answer.status_code == 400 and message in answer.text, message
        typed = {**BALLOT, **changes}
        assert typed["options"].splitlines()[0] in answer.text  # what was typed is kept
        assert f'value="{typed["closes_at"]}"' in answer.text
    assert await Ballot.count() == 0

    ballot_id = await create(admin)
    food, wildlife, hospices = await option_ids(ballot_id)
    listing = await admin.get("/admin/coop/ballots")
    assert BALLOT["question"] in listing.text and "Open" in listing.text
    page = await amelia.get(f"/coop/votes/{ballot_id}")
    assert "East Anglia&#39;s Children&#39;s Hospices" in page.text
    closes = (await Ballot.select(Ballot.closes_at).first())["closes_at"]
    assert f"Open until {uk_time(closes)} (UK time)" in page.text

    assert (await vote(amelia, ballot_id, wildlife)).status_code == 200
    second = await vote(amelia, ballot_id, food)
    assert second.status_code == 400 and "already voted" in second.text
    await vote(taylor, ballot_id, food)
    await vote(oliver, ballot_id, food)
    assert await Vote.count() == 3
    # Open: no tally, no turnout, for members and for the admin alike.
    for who in (amelia, admin):
        text = (await who.get(f"/coop/votes/{ballot_id}")).text
        assert "results-title" not in text and "Turnout" not in text
    assert (
        "You voted <strong>Norfolk Wildlife Trust</strong>"
        in (await amelia.get(f"/coop/votes/{ballot_id}")).text
    )

    closed = await post_form(admin, f"/admin/coop/ballots/{ballot_id}/close", {})
    assert closed.status_code == 200
    result = await amelia.get(f"/coop/votes/{ballot_id}")
    assert "results-title" in result.text and "early" in result.text
    assert '<p class="big-fact">Aylsham Food Bank</p>' in result.text
    assert "<td>Aylsham Food Bank</td><td>2</td>" in result.text
    assert "<td>Norfolk Wildlife Trust</td><td>1</td>" in result.text
    assert "<td>East Anglia&#39;s Children&#39;s Hospices</td><td>0</td>" in result.text
    assert "Turnout: <strong>60%</strong> (3 of 5 members voted)" in result.text
    late = await vote(admin, ballot_id, hospices)
    assert late.status_code == 400 and "closed" in late.text
    again = await post_form(admin, f"/admin/coop/ballots/{ballot_id}/close", {})
    assert again.status_code == 409
    async with make_client() as visitor:
        url = f"/coop/votes/{ballot_id}"
        assert (await visitor.get(url, follow_redirects=False)).status_code == 302
        assert BALLOT["question"] not in (await visitor.get("/coop")).text


async def test_votes_sent_at_the_same_moment_count_once(people) -> None:
    await two_schools()
    admin, amelia = await people("admin", "ameliab")
    ballot_id = await create(admin)
    options = await option_ids(ballot_id)
    await amelia.get("/")
    answers = await asyncio.gather(*[vote(amelia, ballot_id, options[n % 3]) for n in range(8)])
    assert sorted(a.status_code for a in answers) == [200] + [400] * 7
    assert await Vote.count() == 1
    member = (await as_user("ameliab")).id
    with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
        await Vote.insert(
            Vote(ballot=ballot_id, option=options[0], member=member, created_at=now())
        )
    # The service in parallel, for another member: one vote.
    jo = await as_user("jsmith")
    results = await asyncio.gather(
        *[ballots.cast_vote(jo, ballot_id, options[1]) for _ in range(6)], return_exceptions=True
    )
    assert sum(r is None for r in results) == 1 and await Vote.count() == 2


async def test_a_tie_no_votes_a_ballot_not_open_yet_and_a_foreign_option(people) -> None:
    await two_schools()
    admin, amelia, taylor = await people("admin", "ameliab", "staylor")
    tied = await create(admin, options="Yes\nNo")
    yes, no = await option_ids(tied)
    await vote(amelia, tied, yes)
    await vote(taylor, tied, no)
    later = await create(
        admin,
        question="Should the market move to Saturdays?",
        options="Yes\nNo",
        opens_at=uk(dt.timedelta(days=1)),
    )
    page = await amelia.get(f"/coop/votes/{later}")
    assert "Opens " in page.text and 'type="radio"' not in page.text
    early = await vote(amelia, later, (await option_ids(later))[0])
    assert early.status_code == 400 and "not open yet" in early.text
    foreign = await vote(amelia, later, yes)
    assert foreign.status_code == 400
    empty = await create(admin, question="Shall we plant a hedge?", options="Yes\nNo")
    nonsense = await post_form(amelia, f"/coop/votes/{empty}", {"option": "x"})
    assert nonsense.status_code == 400 and "choose one of the options" in nonsense.text

    for ballot_id in (tied, later, empty):
        await post_form(admin, f"/admin/coop/ballots/{ballot_id}/close", {})
    assert "A tie</p><p>between Yes and No." in (await amelia.get(f"/coop/votes/{tied}")).text
    nobody = (await amelia.get(f"/coop/votes/{later}")).text
    assert "No votes were cast." in nobody and "<strong>0%</strong> (0 of 5" in nobody
    assert await Ballot.count().where(Ballot.closed_early == True) == 3


async def test_an_idea_is_put_to_the_members_once(people) -> None:
    await two_schools()
    admin, taylor = await people("admin", "staylor")
    idea_id = await post_idea(taylor, title="A cluster compost scheme")
    form = await admin.get("/admin/coop/ballots")
    assert f'<option value="{idea_id}"' in form.text
    ballot_id = await create(admin, question="", options="Yes\nNo", idea=str(idea_id))
    question = (await Ballot.select(Ballot.question).first())["question"]
    assert question == "Should the cluster take up “A cluster compost scheme”?"
    assert "About the idea" in (await taylor.get(f"/coop/votes/{ballot_id}")).text
    await post_form(admin, f"/admin/coop/ballots/{ballot_id}/close", {})
    second = await post_form(admin, "/admin/coop/ballots", {**BALLOT, "idea": str(idea_id)})
    assert second.status_code == 400 and "has had its ballot already" in second.text
    assert f'<option value="{idea_id}"' not in second.text
    assert await Ballot.count() == 1

    # Two admins at once (each tapping twice): the unique index lets one ballot in.
    other = await post_idea(taylor, title="Solar panels for the stalls")
    await make_user("admin2", role=Role.admin, school=None)
    admins = [await as_user("admin"), await as_user("admin2")]
    results = await asyncio.gather(
        *[
            ballots.create_ballot(
                admins[n % 2],
                question="Panels?",
                options="Yes\nNo",
                opens_at="",
                closes_at=uk(dt.timedelta(days=2)),
                idea_id=other,
            )
            for n in range(4)
        ],
        return_exceptions=True,
    )
    assert len({r for r in results if isinstance(r, int)}) == 1
    assert all("has had its ballot" in str(r) for r in results if not isinstance(r, int))
    assert await Ballot.count().where(Ballot.idea == other) == 1


async def test_the_same_new_ballot_sent_ten_times_at_once_is_one_ballot(people) -> None:
    """A double tap on "Set up the ballot": one ballot, one log line, not ten to vote on."""
    await two_schools()
    [admin] = await people("admin")
    await admin.get("/admin/coop/ballots")
    answers = await asyncio.gather(
        *[
            post_form(admin, "/admin/coop/ballots", BALLOT, follow_redirects=False)
            for _ in range(10)
        ]
    )
    assert {a.status_code for a in answers} == {302}
    assert len({a.headers["location"] for a in answers}) == 1
    assert await Ballot.count() == 1 and await BallotOption.count() == 3
    # Another question is another ballot.
    await create(admin, question="Shall we plant a hedge?", options="Yes\nNo")
    assert await Ballot.count() == 2


async def test_twenty_members_voting_at_the_same_moment_are_all_counted(people) -> None:
    await two_schools()
    [admin] = await people("admin")
    ballot_id = await create(admin)
    options = await option_ids(ballot_id)
    members = []
    for n in range(20):
        await make_user(f"member{n}", role=Role.community, school=None)
        members.append(await as_user(f"member{n}"))
    results = await asyncio.gather(
        *[ballots.cast_vote(m, ballot_id, options[n % 3]) for n, m in enumerate(members)],
        *[ballots.cast_vote(m, ballot_id, options[0]) for m in members[:5]],  # again at once
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 20
    assert all(isinstance(r, ballots.CoopError) for r in results if r is not None)
    votes = await Vote.select(Vote.member, Vote.option).where(Vote.ballot == ballot_id)
    assert sorted(v["member"] for v in votes) == sorted(m.id for m in members)
    for n, m in enumerate(members[5:], start=5):  # voted once: their own choice counts
        assert {"member": m.id, "option": options[n % 3]} in votes
