"""A signed-in page's statements, counted (issue 17, target 3: every page that is not public
≤ 3 ms of server CPU; each statement costs a page 0.15-0.3 ms in Python). What a page asks
in one statement must stay one: a team and whether the user is of it with the cluster's
market days and the team's stalls, a team's profit and loss (its sales and its expenses by
day) with its list of costs, the cluster report's three sums with its schools; a workspace
reads only what it shows (not its products' and projects' photos and tallies); and what the
reports offer to pick from (the cluster's schools and latest market days, public) is kept
between views
(`web/public_data.py`); a moderation tab reads what its comments and feedback answer in the
statement that reads its items' photos, tallies and flags. Each count here was higher before."""

from __future__ import annotations

import pytest

from tests.conftest import QueryCounter, sign_in
from tests.demo_rows import restore_demo_data

PUPIL = ("ameliab", "apple-otter-12")
TEACHER = ("staylor", "teacher-demo-1")
ADMIN = ("admin", "cluster-admin-demo")
# (who, page, statements): the session's user is one of them on every page.
COUNTS = [
    # the user; the team (and membership) with the days and stalls; the profit and loss
    # with the costs
    (PUPIL, "/teams/1/market", 3),  # was 8, then 5
    (PUPIL, "/teams/1/market?range=year", 3),  # was 8, then 5
    (PUPIL, "/teams/1/market?range=market", 3),  # was 9, then 5 (this market: among the days)
    (ADMIN, "/teams/1/market", 3),  # was 7, then 5
    (ADMIN, "/teams/1/market?range=term", 3),  # was 7, then 5
    # the user, the team, its products, projects and members (and those who may be added);
    # not the photos and tallies it never showed
    (PUPIL, "/teams/1/workspace", 5),  # was 8
    (ADMIN, "/teams/1/workspace", 6),  # was 8
    # the user and the report (the schools and market days to pick from: kept)
    (ADMIN, "/reports?report=cluster&range=year", 2),  # was 7
    (ADMIN, "/reports?report=cluster&range=market", 2),  # was 8
    (ADMIN, "/reports", 2),  # was 4
    (ADMIN, "/reports?report=products&school=1", 2),  # was 5
    (TEACHER, "/reports?report=methods", 2),  # was 4
    # the user, the page picked and counted, its rows of every kind, and beside them their
    # photos, tallies and flags with what comments and feedback answer (titles, photos)
    (ADMIN, "/moderation", 4),  # was 5
    (ADMIN, "/moderation?tab=live", 4),  # was 6
    (TEACHER, "/moderation", 4),
    (TEACHER, "/moderation?tab=live", 4),  # was 6
]


@pytest.mark.parametrize(("who", "path", "statements"), COUNTS)
async def test_a_signed_in_page_asks_in_few_statements(client, who, path, statements) -> None:
    await restore_demo_data()
    await sign_in(client, *who)
    first = await client.get(path)
    assert first.status_code == 200, first.text
    with QueryCounter() as counter:
        again = await client.get(path)
    assert again.status_code == 200
    assert counter.count == statements, (path, counter.count)
