"""Each idea's count of live comments is kept by triggers on `comment` (issue 17, target 5):
after comments are posted, approved, hidden, moved to another idea or another kind of
target and deleted, every idea's count equals a fresh count of its live comments, on both
engines; the board shows those counts and orders "most discussed" by them."""

from __future__ import annotations

import re

from clustermarket.sharing.tables import Comment, CommentTarget, Idea
from clustermarket.timeutil import now
from tests.conftest import post_form
from tests.sharing.helpers import decide, post_idea, two_schools


async def fresh_counts() -> dict[int, int]:
    counts = {row["id"]: 0 for row in await Idea.select(Idea.id)}
    live = await Comment.select(Comment.target_id).where(
        (Comment.target_type == CommentTarget.idea) & (Comment.is_public == True)
    )
    for row in live:
        if row["target_id"] in counts:
            counts[row["target_id"]] += 1
    return counts


async def kept_counts() -> dict[int, int]:
    return {r["id"]: r["public_comments"] for r in await Idea.select(Idea.id, Idea.public_comments)}


async def comment(idea: int, *, public: bool, kind: str = CommentTarget.idea) -> int:
    rows = await Comment.insert(
        Comment(target_type=kind, target_id=idea, body="Yes", is_public=public, created_at=now())
    ).returning(Comment.id)
    return rows[0]["id"]


async def test_the_counts_follow_every_comment_posted_approved_hidden_moved_and_deleted(
    client, people
) -> None:
    await two_schools()
    taylor, smith, oliver = await people("staylor", "jsmith", "oliverk")
    quiet = await post_idea(taylor, title="Quiet idea")
    busy = await post_idea(taylor, title="Busy idea")
    newest = await post_idea(taylor, title="Newest idea")
    assert await kept_counts() == await fresh_counts() == {quiet: 0, busy: 0, newest: 0}

    # Through the app: a teacher's comment is live at once; a pupil's waits, then is approved.
    await post_form(taylor, f"/ideas/{busy}/comments", {"body": "Good"})
    await post_form(oliver, f"/ideas/{busy}/comments", {"body": "Brill"})
    assert (await kept_counts())[busy] == 1
    waiting = await Comment.select(Comment.id).where(Comment.is_public == False).first()
    await decide(smith, "comment", waiting["id"], "approve")
    assert (await kept_counts())[busy] == 2
    await decide(smith, "comment", waiting["id"], "hide", "Not needed")
    assert await kept_counts() == await fresh_counts()

    # Whichever code writes a comment: inserted live or not, moved, retargeted, deleted.
    first = await comment(quiet, public=True)
    await comment(quiet, public=False)
    await comment(quiet, public=True, kind=CommentTarget.product)  # not on an idea
    await comment(newest, public=True)
    assert (await kept_counts())[quiet] == 1
    await Comment.update({Comment.target_id: busy}).where(Comment.id == first)
    await Comment.update({Comment.is_public: True}).where(Comment.target_id == quiet)
    assert await kept_counts() == await fresh_counts()
    await Comment.update({Comment.target_type: CommentTarget.project}).where(
        Comment.target_id == newest
    )
    await Comment.delete().where(Comment.target_id == busy)
    assert await kept_counts() == await fresh_counts()

    # The board shows the kept counts and orders the most discussed first.
    await comment(newest, public=True)
    for _ in range(2):
        await comment(quiet, public=True)
    counts = await kept_counts()
    assert counts == await fresh_counts() and counts[quiet] > counts[newest] > counts[busy]
    board = (await oliver.get("/ideas?order=discussed")).text
    assert board.index("Quiet idea") < board.index("Newest idea") < board.index("Busy idea")
    shown = re.findall(r"(\d+) comments?</p>", board)
    assert [int(n) for n in shown] == [counts[quiet], counts[newest], counts[busy]]
