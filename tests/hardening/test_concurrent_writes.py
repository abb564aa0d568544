"""Found from outside (a wapiti crawl signed in as a teacher): many moderation decisions at
once answered 503 "database is locked" on SQLite, and two class lists pasted at once for
pupils with the same name answered 500 (a username taken in between). Every write now takes
its turn (one write transaction rule, `clustermarket/transactions.py`), and a class list
chooses its usernames again if another list took one meanwhile."""

from __future__ import annotations

import asyncio
import re

from clustermarket.accounts.class_lists import create_pupils_from_class_list
from clustermarket.accounts.tables import User
from clustermarket.moderation import services as moderation
from clustermarket.moderation.content import PRODUCT
from clustermarket.moderation.tables import ModerationLog
from tests.conftest import as_user, make_team, post_form, school_id, sign_in

DRAFT = {"name": "Jam", "description": "Strawberry.", "price": "2.50", "unit_cost": "1.00"}


async def _pending_products(client, team: dict, count: int) -> list[int]:
    await sign_in(client, "ameliab")
    ids = []
    for n in range(count):
        made = await post_form(
            client,
            f"/teams/{team['id']}/products/new",
            {**DRAFT, "name": f"Jam {n}", "active": "on"},
            follow_redirects=False,
        )
        product_id = int(re.search(r"/products/(\d+)/edit", made.headers["location"]).group(1))
        await post_form(client, f"/products/{product_id}/submit", {}, follow_redirects=False)
        ids.append(product_id)
    return ids


async def test_approve_and_reject_of_the_same_items_at_once_decide_each_once(client) -> None:
    """As wapiti did: both buttons of ten queue items pressed at the same moment."""
    team = await make_team()
    ids = await _pending_products(client, team, 10)
    teacher = await as_user("staylor")

    def both(product_id: int):
        return (
            moderation.approve(teacher, PRODUCT, product_id),
            moderation.reject(teacher, PRODUCT, product_id, "Say what is in it."),
        )

    answers = await asyncio.gather(
        *(call for pid in ids for call in both(pid)), return_exceptions=True
    )
    refused = [a for a in answers if isinstance(a, Exception)]
    assert all(isinstance(a, moderation.ModerationError) for a in refused), refused
    assert len(refused) == 10  # one of each pair: "already dealt with"
    decisions = await ModerationLog.select(ModerationLog.subject_id).where(
        ModerationLog.action.is_in(["approve", "reject"])
    )
    assert sorted(d["subject_id"] for d in decisions) == sorted(ids)  # each decided once


async def test_class_lists_pasted_at_once_with_the_same_username_base_all_get_accounts() -> None:
    await make_team()  # staylor, a teacher of Aylsham High
    teacher = await as_user("staylor")
    school = await school_id("aylsham-high")
    lists = ["Sam Smith", "Sam Stone", "Sam Short", "Sam Sharp"]  # all "sams…"
    cards = await asyncio.gather(
        *(create_pupils_from_class_list(teacher, school, text) for text in lists)
    )
    usernames = sorted(card.username for batch in cards for card in batch)
    assert len(set(usernames)) == 4 and all(u.startswith("sams") for u in usernames)
    assert await User.count().where(User.first_name == "Sam") == 4
