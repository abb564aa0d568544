"""The header's notifications badge comes with the page (web/badge.py): the browser no
longer makes a second request for it as each page loads, and the count a page shows is never
older than the change it counts (a notification, one read, an item sent for moderation or
decided)."""

from __future__ import annotations

import re

from clustermarket.moderation.queue import waiting_count
from clustermarket.sharing.notifications import notify, unread_count
from clustermarket.sharing.tables import Notification
from tests.conftest import QueryCounter, as_user, post_form
from tests.sharing.helpers import decide, post_idea, two_schools

BADGE = re.compile(
    r'<a id="badge"[^>]* hx-trigger="([^"]*)"[^>]*>Notifications(?: <span class="badge">(\d+))?'
)


async def header_count(client, path: str = "/ideas") -> int | None:
    """The count the page's header shows, or None when the page asks for it once loaded."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    trigger, count = BADGE.search(page.text).groups()
    if trigger == "load, every 60s":
        return None
    assert trigger == "every 60s"  # it still asks again every minute
    return int(count or 0)


async def true_count(username: str) -> int:
    """What the badge counts, read now: unread notifications, and for staff what waits."""
    user = await as_user(username)
    return await unread_count(user.id) + (await waiting_count(user) if user.is_staff else 0)


async def test_a_page_carries_its_count_read_in_the_users_own_statement(people) -> None:
    await two_schools()
    (amelia,) = await people("ameliab")
    pupil = await as_user("ameliab")
    await notify([pupil.id], "Your idea was approved.", "/ideas")
    await notify([pupil.id], "New comment on your idea.", "/ideas")
    assert await header_count(amelia, "/ideas/new") == 2
    with QueryCounter() as queries:
        assert await header_count(amelia, "/ideas/new") == 2
    assert queries.count == 1  # the session's user, with the count


async def test_the_count_follows_every_change_it_counts(people) -> None:
    await two_schools()
    amelia, taylor, smith = await people("ameliab", "staylor", "jsmith")
    assert await header_count(taylor) == 0 and await header_count(amelia) == 0

    # A pupil sends an idea: her teacher's next page counts it, the other school's does not.
    first = await post_idea(amelia, title="Seed bombs")
    assert await header_count(taylor) == 1 == await true_count("staylor")
    assert await header_count(smith) == 0
    await post_idea(amelia, title="Bird boxes")  # counted before: the kept count is retired
    assert await header_count(taylor) == 2 == await true_count("staylor")

    # The teacher decides: one less waits; the pupil is told, on her very next page.
    assert (await decide(taylor, "idea", first, "approve")).status_code == 200
    assert await header_count(taylor) == 1 == await true_count("staylor")
    assert await header_count(amelia) == 1 == await true_count("ameliab")

    # Told by a job (no request of hers): the next page counts it.
    await notify([(await as_user("ameliab")).id], "Market day on Saturday.")
    assert await header_count(amelia) == 2 == await true_count("ameliab")

    # The list marks what has no link read as it is shown: its header never shows the
    # count from before that, and the next page shows what is left.
    shown = await header_count(amelia, "/notifications")
    assert shown in (None, await true_count("ameliab"))
    assert await header_count(amelia) == 1 == await true_count("ameliab")

    # Opening the one with a link reads it.
    opened = await Notification.select(Notification.id).where(Notification.read == False).first()  # noqa: E712
    assert (await amelia.get(f"/notifications/{opened['id']}/open")).status_code in (200, 302)
    assert await header_count(amelia) == 0 == await true_count("ameliab")

    # A page answering a POST is not given a count read before the change: it asks.
    await notify([(await as_user("ameliab")).id], "One more.", "/ideas")
    read = await post_form(amelia, "/notifications/read", {})  # redirected to the list
    assert read.status_code == 200 and BADGE.search(read.text).group(2) is None
    assert await header_count(amelia) == 0 == await true_count("ameliab")
