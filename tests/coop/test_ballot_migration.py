"""The migration turns yes/no ballots into two-option ballots ("Yes", "No") with the same
ids, questions, closing times and votes, and folds the groups' names (the steps of
migrations/coop/coop_2026_11_26t03_33_00_000000.py, run on rows as the old tables held them)."""

import datetime as dt
import importlib.util

from clustermarket.coop.tables import Ballot, BallotOption, CommunityGroup, Vote
from clustermarket.settings import PROJECT_ROOT
from clustermarket.sharing.tables import Idea
from clustermarket.timeutil import now
from tests.conftest import as_user, make_client, sign_in
from tests.sharing.helpers import two_schools

PATH = PROJECT_ROOT / "migrations" / "coop" / "coop_2026_11_26t03_33_00_000000.py"
# The later one that gives ballots and groups their cluster (issue 15).
CLUSTERS = PROJECT_ROOT / "migrations" / "coop" / "coop_2026_11_26t07_20_00_000000.py"


def migration(path=PATH):
    spec = importlib.util.spec_from_file_location(f"coop_migration_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_yes_no_ballots_become_two_option_ballots_with_their_votes() -> None:
    await two_schools()
    m = migration()
    users = {u: (await as_user(u)).id for u in ("ameliab", "staylor", "oliverk", "admin")}
    [idea] = await Idea.insert(
        Idea(author=users["staylor"], tag="eco", title="Compost", is_public=True, created_at=now())
    ).returning(Idea.id)
    await m.OldBallot.create_table(if_not_exists=True)
    await m.OldVote.create_table(if_not_exists=True)
    try:
        at = now() - dt.timedelta(days=10)
        for ballot_id, closes in (
            (7, at + dt.timedelta(days=3)),
            (9, now() + dt.timedelta(days=1)),
        ):
            await m.OldBallot.insert(
                m.OldBallot(
                    id=ballot_id,
                    idea=idea["id"],  # the same idea twice: the old bug
                    question=f"Compost bins? ({ballot_id})",
                    closes_at=closes,
                    created_by=users["admin"],
                    created_at=at,
                )
            )
        for ballot_id, who, choice in (
            (7, "ameliab", "yes"),
            (7, "staylor", "yes"),
            (7, "oliverk", "no"),
            (9, "ameliab", "no"),
        ):
            await m.OldVote.insert(
                m.OldVote(ballot=ballot_id, member=users[who], choice=choice, created_at=at)
            )
        for name, status in (("Allotments", "pending"), ("allotments!", "pending")):
            await m.Group.raw(
                "INSERT INTO community_group (name, contact_name, contact_email, offers, "
                "status, created_at) VALUES ({}, 'x', 'x@example.org', 'x', {}, {})",
                name,
                status,
                now(),
            )
        await m.copy_ballots()
        await m.fold_group_names()
        for sql in migration(CLUSTERS)._STEPS:  # the later migration's filling of `cluster`
            if sql.startswith("UPDATE"):
                await Ballot.raw(sql)
    finally:
        await m.OldVote.alter().drop_table(if_exists=True)
        await m.OldBallot.alter().drop_table(if_exists=True)

    rows = {r["id"]: r for r in await Ballot.select().order_by(Ballot.id)}
    assert set(rows) == {7, 9}
    assert rows[7]["idea"] == idea["id"] and rows[9]["idea"] is None  # one ballot per idea
    assert rows[7]["question"] == "Compost bins? (7)"
    labels = await BallotOption.select(BallotOption.label).where(BallotOption.ballot == 7)
    assert [r["label"] for r in labels] == ["Yes", "No"]
    assert await Vote.count() == 4
    keys = await CommunityGroup.select(CommunityGroup.name_key).order_by(CommunityGroup.id)
    assert [r["name_key"] for r in keys] == ["allotments", None]

    async with make_client() as amelia:
        await sign_in(amelia, "ameliab")
        closed = (await amelia.get("/coop/votes/7")).text
        assert "<td>Yes</td><td>2</td>" in closed and "<td>No</td><td>1</td>" in closed
        assert "You voted <strong>Yes</strong>" in closed
        still_open = (await amelia.get("/coop/votes/9")).text
        assert "You voted <strong>No</strong>" in still_open and "results-title" not in still_open
    # New ballots carry on after the copied ids.
    from clustermarket.coop.ballots import create_ballot

    new_id = await create_ballot(
        await as_user("admin"),
        question="Another question?",
        options="A\nB",
        opens_at="",
        closes_at=(now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    assert new_id > 9
