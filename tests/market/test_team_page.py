"""A team's market page reads the team (if the user may work for it) with the cluster's
market days and the team's stalls in one statement (`market/team_page.py`; the count is in
tests/web/test_page_statements.py): a cluster with no market day yet still shows its team,
and a pupil sees the days newest first with the team's stall on its day."""

from __future__ import annotations

import datetime as dt

from clustermarket.market.team_page import team_days_and_stalls
from tests.conftest import as_user, sign_in
from tests.market.helpers import make_day, make_stall, make_team


async def test_a_team_with_no_market_day_yet_shows_its_page(client) -> None:
    team = await make_team("aylsham-makers", members=("ameliab",))
    await sign_in(client, "ameliab")
    page = await client.get(f"/teams/{team}/market")
    assert page.status_code == 200
    assert "Aylsham Makers" in page.text


async def test_the_days_come_newest_first_with_the_teams_stalls() -> None:
    team = await make_team("aylsham-makers", members=("ameliab",))
    await make_team("aylsham-bees", members=("jackb",))
    older = await make_day(date=dt.date(2026, 9, 5))
    newer = await make_day(date=dt.date(2026, 10, 3))
    stall = await make_stall(newer, team, {})
    pupil = await as_user("ameliab")
    found, days, stalls = await team_days_and_stalls(pupil, team)
    assert found["id"] == team and found["name"] == "Aylsham Makers"
    assert "is_member" not in found
    assert [day["id"] for day in days] == [newer, older]
    assert [(s["id"], s["day_id"], s["day_date"]) for s in stalls] == [
        (stall, newer, dt.date(2026, 10, 3))
    ]
    stranger = await as_user("jackb")  # of another team of the school
    assert await team_days_and_stalls(stranger, team) == (None, [], [])
