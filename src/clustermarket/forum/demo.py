"""The demo's forum: a welcome thread with a parent's approved reply, a pupil's thread a
teacher approved, and a pupil's reply still waiting for their teacher."""

from __future__ import annotations

from clustermarket.accounts.services import load_session_user
from clustermarket.forum.services import reply, start_thread
from clustermarket.forum.tables import ForumPost
from clustermarket.moderation import services as moderation
from clustermarket.moderation.content import FORUM_POST


async def load_demo_forum(users: dict[str, int]) -> None:
    async def person(username: str):
        return await load_session_user(users[username], 0)

    admin, teacher = await person("admin"), await person("staylor")
    welcome = await start_thread(
        admin,
        "Welcome to the members' forum",
        "This is the co-operative trust's own space: pupils, staff, parents and community "
        "groups. Say hello, and tell us what the cluster should do next.",
    )
    answer = await reply(
        await person("jpatel"), welcome, "Hello! Could the market have a stall for school books?"
    )
    await moderation.approve(admin, FORUM_POST, answer)
    stall = await start_thread(
        await person("ameliab"),
        "What should we sell at the Christmas market?",
        "Our team is thinking about candles and cards. What would you buy?",
    )
    opening = await ForumPost.select(ForumPost.id).where(ForumPost.thread == stall).first()
    await moderation.approve(teacher, FORUM_POST, opening["id"])
    await reply(await person("oliverg"), stall, "Gift tags made from old cards!")
