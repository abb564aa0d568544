"""The moderation tabs page their items with the true total (issue 17, target 5): the "Live"
tab listed every live item of the school (or the admin's cluster) on one page, so it grew
with everything ever approved; now ten a page, "Waiting" and "Flagged" oldest first, "Live"
and "Hidden" newest first, across kinds, with the same statements whatever the total."""

from __future__ import annotations

import datetime as dt
import re

from clustermarket.accounts.tables import User
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.sharing.tables import Idea
from clustermarket.timeutil import now
from tests.conftest import QueryCounter, make_user, sign_in
from tests.market.helpers import make_team
from tests.publishing.test_queue_rows import articles


async def _items(
    team: int, author: int, school: int, count: int, status: str, start: dt.datetime
) -> list[str]:
    """`count` products and `count` ideas, sent a minute apart, alternating kinds; their
    queue ids ("mod-product-7") in the order they were sent."""
    sent: list[str] = []
    for n in range(count):
        at = start + dt.timedelta(minutes=2 * n)
        live = {"status": status, "is_public": status == ContentStatus.approved}
        [product] = await Product.insert(
            Product(
                team=team,
                name=f"Product {n}",
                published_name=f"Product {n}",
                price_pence=100,
                created_at=at,
                updated_at=at,
                submitted_at=at,
                created_by=author,
                **live,
            )
        ).returning(Product.id)
        [idea] = await Idea.insert(
            Idea(
                author=author,
                school=school,
                tag="eco",
                title=f"Idea {n}",
                published_title=f"Idea {n}",
                created_at=at + dt.timedelta(minutes=1),
                submitted_at=at + dt.timedelta(minutes=1),
                **live,
            )
        ).returning(Idea.id)
        sent += [f"mod-product-{product['id']}", f"mod-idea-{idea['id']}"]
    return sent


async def _a_school() -> tuple[int, int, int]:
    """Aylsham High's team, with Amelia in it and Mrs Taylor to moderate: (team, pupil,
    school)."""
    team = await make_team("aylsham-makers", members=("ameliab",))
    await make_user("staylor", role="teacher")
    row = await User.select(User.id, User.school).where(User.username == "ameliab").first()
    return team, row["id"], row["school"]


async def test_the_live_tab_shows_ten_newest_first_with_the_true_total(client) -> None:
    team, pupil, school = await _a_school()
    start = now() - dt.timedelta(days=3)
    live = await _items(team, pupil, school, 12, ContentStatus.approved, start)
    newest_first = live[::-1]
    await sign_in(client, "staylor")

    first = await client.get("/moderation?tab=live")
    assert first.status_code == 200
    assert list(articles(first.text)) == newest_first[:10]
    assert "24 items: 1–10 shown, newest first" in first.text
    assert 'href="/moderation?tab=live&amp;page=2" rel="next"' in first.text
    assert "Page 1 of 3" in first.text

    third = await client.get("/moderation?tab=live&page=3")
    assert list(articles(third.text)) == newest_first[20:]
    assert "21–24 shown" in third.text and 'rel="next"' not in third.text
    # Past the end: the last page; not a number: the first.
    assert (
        list(articles((await client.get("/moderation?tab=live&page=99")).text))
        == (newest_first[20:])
    )
    assert (
        list(articles((await client.get("/moderation?tab=live&page=x")).text))
        == (newest_first[:10])
    )

    # A kind chosen: only that kind, counted alone, and the pager keeps the filter.
    ideas = await client.get("/moderation?tab=live&kind=idea")
    shown = list(articles(ideas.text))
    assert shown == [item for item in newest_first if "idea" in item][:10]
    assert "12 items" in ideas.text
    assert 'href="/moderation?tab=live&amp;kind=idea&amp;page=2"' in ideas.text


async def test_the_waiting_tab_pages_oldest_first_and_approves_a_page_at_a_time(client) -> None:
    team, pupil, school = await _a_school()
    start = now() - dt.timedelta(days=1)
    waiting = await _items(team, pupil, school, 6, ContentStatus.pending, start)
    await sign_in(client, "staylor")

    page = await client.get("/moderation")
    assert list(articles(page.text)) == waiting[:10]  # first sent, first seen
    assert "12 items: 1–10 shown, oldest first" in page.text
    assert page.text.count('name="selected"') == 10
    second = await client.get("/moderation?page=2")
    assert list(articles(second.text)) == waiting[10:]
    assert "12 items" in second.text and "11–12 shown" in second.text


async def test_a_tab_sends_the_same_statements_however_many_items(client) -> None:
    team, pupil, school = await _a_school()
    start = now() - dt.timedelta(days=5)
    await _items(team, pupil, school, 6, ContentStatus.approved, start)
    await sign_in(client, "staylor")
    await client.get("/moderation?tab=live")  # statements made once
    with QueryCounter() as few:
        page = await client.get("/moderation?tab=live")
    assert len(articles(page.text)) == 10
    await _items(team, pupil, school, 40, ContentStatus.approved, start + dt.timedelta(days=1))
    with QueryCounter() as many:
        page = await client.get("/moderation?tab=live")
    assert len(articles(page.text)) == 10
    assert re.search(r"92 items: 1–10 shown", page.text)
    assert many.count == few.count


async def test_a_pages_rows_of_every_kind_in_one_statement_are_the_kinds_own(client) -> None:
    """A tab's page reads the rows of all its kinds in one statement (issue 17, target 3);
    each item is exactly what its kind's own select gives (every column, its type: SQLite
    converts only the first kind's declared types in a UNION), for every tab and role."""
    from clustermarket.moderation.content import KINDS
    from clustermarket.moderation.queue import queue_items
    from clustermarket.moderation.queue_page import queue_page
    from tests.conftest import as_user
    from tests.demo_rows import restore_demo_data

    await restore_demo_data()
    tabs = {
        "waiting": (["pending"], False),
        "live": (["approved"], False),
        "hidden": (["hidden"], False),
        "flagged": (["approved", "hidden", "pending"], True),
    }
    seen_kinds = set()
    for username in ("admin", "staylor"):
        actor = await as_user(username)
        for statuses, flagged in tabs.values():
            kinds = list(KINDS.values())
            page = await queue_page(actor, kinds, statuses, 1, flagged=flagged, size=50)
            own = {
                (item["kind"], item["id"]): item
                for item in await queue_items(actor, kinds, statuses, flagged=flagged)
            }
            assert len(page.items) == len(own)
            for item in page.items:
                expected = own[(item["kind"], item["id"])]
                assert item == expected, (item["kind"], item["id"])
                assert [type(v) for v in item.values()] == [type(v) for v in expected.values()]
                seen_kinds.add(item["kind"])
    assert len(seen_kinds) >= 5  # the demo's queue holds (nearly) every kind
