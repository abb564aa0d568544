"""A post sent twice (a double tap, a resent form, ten at once) is one post: the same words
from the same member in the same place within a minute are the post already made."""

from __future__ import annotations

import asyncio

from clustermarket.forum.tables import ForumPost, ForumThread
from tests.conftest import post_form
from tests.forum.test_forum import forum_members, new_thread


async def test_the_same_reply_sent_ten_times_at_once_is_one_post(people) -> None:
    await forum_members()
    admin, taylor = await people("admin", "staylor")
    thread_id = await new_thread(admin)
    await taylor.get("/forum")
    answers = await asyncio.gather(
        *[
            post_form(taylor, f"/forum/{thread_id}/replies", {"body": "Count me in!"})
            for _ in range(10)
        ]
    )
    assert {a.status_code for a in answers} == {200}
    assert await ForumPost.count().where(ForumPost.body == "Count me in!") == 1
    # Different words are a different post.
    await post_form(taylor, f"/forum/{thread_id}/replies", {"body": "And my class too."})
    assert await ForumPost.count().where(ForumPost.thread == thread_id) == 3


async def test_the_same_new_thread_sent_ten_times_at_once_is_one_thread(people) -> None:
    await forum_members()
    [amelia] = await people("ameliab")
    await amelia.get("/forum/new")
    answers = await asyncio.gather(
        *[
            post_form(amelia, "/forum/new", {"title": "Cake stall rota", "body": "Who can bake?"})
            for _ in range(10)
        ]
    )
    assert {a.status_code for a in answers} == {200}
    assert all("Cake stall rota" in a.text for a in answers)
    assert await ForumThread.count() == 1
    assert await ForumPost.count() == 1
