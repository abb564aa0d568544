"""The board's unfiltered total comes from live ideas counted per school (and per author of
ideas with no school) by triggers on `idea` (issue 17, target 5): after ideas are posted,
approved, hidden, moved, left without a school, deleted and their author's account erased,
the kept counts equal a fresh count of the live ideas, on both engines, and the board's
total is the number of ideas it pages through."""

from __future__ import annotations

import re

from clustermarket.accounts.tables import Role, User
from clustermarket.catalogue.tables import ContentStatus
from clustermarket.sharing.tables import Idea, IdeaLiveCount
from clustermarket.timeutil import now
from tests.conftest import make_user, school_id
from tests.sharing.helpers import decide, post_idea, two_schools


async def fresh_counts() -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = {}
    for row in await Idea.select(Idea.school, Idea.author).where(Idea.is_public == True):
        key = (row["school"] or 0, 0 if row["school"] else row["author"] or 0)
        counts[key] = counts.get(key, 0) + 1
    return counts


async def kept_counts() -> dict[tuple[int, int], int]:
    kept = IdeaLiveCount
    rows = await kept.select(kept.school_key, kept.author_key, kept.ideas)
    return {(r["school_key"], r["author_key"]): r["ideas"] for r in rows if r["ideas"]}


async def idea(author: int, school: int | None, *, public: bool) -> int:
    status = ContentStatus.approved if public else ContentStatus.pending
    row = Idea(
        author=author, school=school, tag="eco", title="Direct", status=status, is_public=public
    )
    row.created_at = now()
    rows = await Idea.insert(row).returning(Idea.id)
    return rows[0]["id"]


def board_total(html: str) -> int:
    return int(re.search(r'class="result-count">([\d,]+) idea', html).group(1).replace(",", ""))


async def test_the_kept_counts_follow_every_idea_written_moved_and_removed(client, people) -> None:
    await two_schools()
    taylor, smith, oliver, admin = await people("staylor", "jsmith", "oliverk", "admin")
    aylsham, buxton = await school_id("aylsham-high"), await school_id("buxton")

    # Through the app: a teacher's idea is live at once, a pupil's waits for approval, an
    # admin's has no school; a hidden idea is no longer counted.
    await post_idea(taylor, title="Teacher's idea")
    waiting = await post_idea(oliver, title="Pupil's idea")
    await post_idea(admin, title="Admin's idea")
    assert await kept_counts() == await fresh_counts()
    assert sum((await kept_counts()).values()) == 2
    await decide(smith, "idea", waiting, "approve")
    assert (await kept_counts())[(buxton, 0)] == 1
    await decide(smith, "idea", waiting, "hide", "Not for the board")
    assert await kept_counts() == await fresh_counts()

    # Whichever code writes an idea: inserted live or not, made live, moved to another
    # school, left with no school, deleted, its author's account erased.
    pupil = await make_user("pupil3", school="buxton", first_name="Pat", last_name="Lee")
    adult = await make_user("helper3", role=Role.admin, school=None)
    moved = await idea(pupil, buxton, public=True)
    quiet = await idea(pupil, buxton, public=False)
    schoolless = await idea(adult, None, public=True)
    await idea(adult, None, public=True)
    assert (await kept_counts())[(0, adult)] == 2
    await Idea.update({Idea.is_public: True}).where(Idea.id == quiet)
    await Idea.update({Idea.school: aylsham}).where(Idea.id == moved)
    assert await kept_counts() == await fresh_counts()
    await Idea.update({Idea.school: None}).where(Idea.id == moved)
    await Idea.update({Idea.author: pupil}).where(Idea.id == schoolless)
    assert await kept_counts() == await fresh_counts()
    await Idea.delete().where(Idea.id == quiet)
    await User.delete().where(User.id == adult)  # its ideas keep no author
    kept = await kept_counts()
    assert kept == await fresh_counts() and (0, adult) not in kept and kept[(0, 0)] == 1

    # The board's total is what it pages through (the kept rows of this cluster, and the
    # reader's own that are not live), and the school filter still counts as before.
    await idea(pupil, buxton, public=False)
    await post_idea(oliver, title="Another waiting")
    board = (await oliver.get("/ideas")).text
    live = await Idea.count().where(Idea.is_public == True)
    orphans = kept[(0, 0)]  # no school and no author: in no cluster's board
    reader = (await User.select(User.id).where(User.username == "oliverk").first())["id"]
    own = await Idea.count().where((Idea.author == reader) & (Idea.is_public == False))
    assert own == 2  # Oliver's waiting idea and his hidden one
    assert board_total(board) == live - orphans + own
    assert board.count('class="card idea"') == board_total(board)
    only_buxton = (await oliver.get(f"/ideas?school={buxton}")).text
    assert board_total(only_buxton) == 1 + 1  # the approved-then-hidden one is not live
