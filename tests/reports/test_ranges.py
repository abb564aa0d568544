"""Every report and CSV takes a date range: this market, this term, this school year or any
two dates; the range stays in the links; dates that make no range are a message, not a 500."""

from __future__ import annotations

import datetime as dt
import re

from clustermarket.accounts.tables import Role
from clustermarket.reports.periods import PICKED_DAYS, latest_days, latest_market
from clustermarket.reports.services import REPORT_ROWS_PER_PAGE
from clustermarket.timeutil import today_uk
from tests.conftest import make_user, sign_in
from tests.market.helpers import (
    first_cluster,
    make_product,
    make_stall,
    make_teacher,
    make_team,
)
from tests.reports.helpers import csv_rows, day_on, sold


def school_year_start(today: dt.date) -> dt.date:
    return dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def in_year_other_term(today: dt.date) -> dt.date:
    """A day of this school year that is in another term than today's."""
    start = school_year_start(today)
    return start if 4 <= today.month <= 8 else dt.date(start.year + 1, 8, 31)


async def sales_on_three_days():
    """£4.50 today, £12.00 in another term of this school year, £15.00 last school year."""
    today = today_uk()
    team = await make_team("aylsham-makers")
    candle = await make_product(team, "Beeswax candle", 450, 180)
    days = {
        "today": await day_on(today),
        "other_term": await day_on(in_year_other_term(today)),
        "last_year": await day_on(school_year_start(today) - dt.timedelta(days=20)),
    }
    stalls = {name: await make_stall(day, team, {candle: 50}) for name, day in days.items()}
    await sold(stalls["today"], candle, 1, 450, 180)
    await sold(stalls["other_term"], candle, 2, 600, 180)
    await sold(stalls["last_year"], candle, 5, 300, 180)
    return today, days


def takings(text: str) -> int:
    """The CSV's takings column, in pence."""
    rows = csv_rows(text)
    column = rows[0].index("Takings (£)")
    return sum(round(float(r[column]) * 100) for r in rows[1:])


async def test_each_preset_and_two_dates_choose_their_market_days(client) -> None:
    today, days = await sales_on_three_days()
    await make_teacher()
    await sign_in(client, "staylor")

    async def csv_takings(query: str) -> int:
        answer = await client.get(f"/reports/teams/csv?{query}")
        assert answer.status_code == 200, answer.text
        return takings(answer.text)

    assert await csv_takings("range=market") == 450
    assert await csv_takings("range=term") == 450
    assert await csv_takings("range=year") == 450 + 1200
    assert await csv_takings("") == 450 + 1200  # the default is this school year
    everything = f"from={today - dt.timedelta(days=800)}&to={today + dt.timedelta(days=400)}"
    assert await csv_takings(everything) == 450 + 1200 + 1500
    # Two dates, also as a teacher types them without a date picker (day/month/year).
    last_year = school_year_start(today) - dt.timedelta(days=20)
    assert await csv_takings(f"from={last_year:%d/%m/%Y}&to={last_year:%d/%m/%Y}") == 1500

    # One market day from the list.
    assert await csv_takings(f"day={days['other_term']}") == 1200
    one_day = await client.get(f"/reports?report=methods&day={days['last_year']}")
    assert f"/reports/methods/csv?day={days['last_year']}" in one_day.text
    assert f'<option value="{days["last_year"]}" selected>' in one_day.text

    page = await client.get("/reports?report=teams&range=year")
    assert page.status_code == 200
    first = school_year_start(today)
    assert f"{first:%-d %b %Y} to 31 Aug {first.year + 1}" in page.text
    # The range stays in the links: the CSV and the other reports keep it.
    assert "/reports/teams/csv?range=year" in page.text
    assert "/reports?report=products&amp;range=year" in page.text

    custom = await client.get(f"/reports?report=schools&from={today}&to={today}")
    assert f"/reports/schools/csv?from={today}&amp;to={today}" in custom.text
    assert f'value="{today}"' in custom.text  # the form shows the dates chosen
    answer = await client.get(f"/reports/schools/csv?from={today}&to={today}")
    assert f"cluster-market-schools-{today}-to-{today}.csv" in answer.headers["content-disposition"]


async def test_this_market_is_the_latest_market_day_that_has_come(client) -> None:
    today = today_uk()
    team = await make_team("aylsham-makers")
    candle = await make_product(team, "Beeswax candle", 450, 180)
    earlier = await make_stall(await day_on(today - dt.timedelta(days=30)), team, {candle: 9})
    later = await make_stall(await day_on(today - dt.timedelta(days=2)), team, {candle: 9})
    await make_stall(await day_on(today + dt.timedelta(days=28)), team, {candle: 9})
    await sold(earlier, candle, 1, 450, 180)
    await sold(later, candle, 3, 450, 180)
    await make_user("admin", role=Role.admin, school=None)
    await sign_in(client, "admin")
    answer = await client.get("/reports/products/csv?range=market")
    assert takings(answer.text) == 3 * 450
    page = await client.get("/reports?report=products&range=market")
    assert f"Market day: {today - dt.timedelta(days=2):%-d %b %Y}" in page.text


async def test_this_market_from_the_days_a_page_has_read_is_the_one_asked_for(client) -> None:
    """A page that has the cluster's latest market days finds this market among them, and
    asks the database only when they cannot tell (every one of them still to come)."""
    today = today_uk()
    cluster = await first_cluster()

    async def both() -> tuple:
        asked = await latest_market(today, cluster)
        found = await latest_market(today, cluster, await latest_days(cluster))
        return asked, found

    none = await both()
    assert none[0] == none[1] and none[0].name == "No market day yet"
    for n in range(PICKED_DAYS + 2):  # the next ones only: the first is this market
        first = today + dt.timedelta(days=7 * (PICKED_DAYS + 2 - n))
        await day_on(first)
        asked, found = await both()
        assert asked == found and asked.start == first, n
    await day_on(today - dt.timedelta(days=3))  # one that has come: it is this market
    asked, found = await both()
    assert asked == found and asked.start == today - dt.timedelta(days=3)


async def test_dates_that_make_no_range_are_a_message_on_the_page(client) -> None:
    await make_teacher()
    await sign_in(client, "staylor")
    cases = {
        "from=2026-13-45&to=2026-12-01": "is not a date",
        "from=2026-12-01&to=2026-09-01": "The first date is after the last date",
        "from=2026-09-01": "Give both dates",
        "to=yesterday": "Give both dates",
        "from=1850-01-01&to=2026-01-01": "between 2000 and 2100",
        "range=fortnight": "Choose this market, this term, this school year or two dates",
        "day=99999": "Choose a market day from the list",
        "day=1e9": "Choose a market day from the list",
        "from=%3Cscript%3E&to=2026-01-01": "is not a date",
    }
    for query, message in cases.items():
        page = await client.get(f"/reports?report=teams&{query}")
        assert page.status_code == 400, query
        assert message in page.text, query
        assert "<script>" not in page.text
        answer = await client.get(f"/reports/teams/csv?{query}")
        assert answer.status_code == 400 and message in answer.text, query
    # What the teacher typed stays in the form to be put right.
    page = await client.get("/reports?report=teams&from=2026-12-01&to=2026-09-01")
    assert 'value="2026-12-01"' in page.text and 'value="2026-09-01"' in page.text


async def test_the_market_day_list_offers_the_latest_days_and_keeps_an_older_choice(client) -> None:
    """The list stays one size however many years of markets there are; an older day is
    still shown when chosen (from a link or a typed range)."""
    today = today_uk()
    days = [await day_on(today - dt.timedelta(days=7 * n)) for n in range(PICKED_DAYS + 3)]
    await make_teacher()
    await sign_in(client, "staylor")

    def offered(text: str) -> list[str]:
        picker = text.split('id="range-day"', 1)[1].split("</select>", 1)[0]
        return re.findall(r'<option value="(\d+)"', picker)

    page = await client.get("/reports?report=teams")
    assert offered(page.text) == [str(day) for day in days[:PICKED_DAYS]]  # newest first
    oldest = days[-1]
    page = await client.get(f"/reports?report=teams&day={oldest}")
    assert page.status_code == 200
    assert offered(page.text)[-1] == str(oldest)
    assert f'<option value="{oldest}" selected>' in page.text


async def test_a_long_report_is_paged_by_the_database_in_the_csvs_order(client) -> None:
    """The teams report over many market days: each page holds the next rows of the CSV, the
    true total above them, and a page past the end shows the last page."""
    today = today_uk()
    team = await make_team("aylsham-makers")
    candle = await make_product(team, "Beeswax candle", 450, 180)
    first_day = school_year_start(today)
    for n in range(REPORT_ROWS_PER_PAGE + 5):
        stall = await make_stall(await day_on(first_day + dt.timedelta(days=n)), team, {candle: 9})
        await sold(stall, candle, 1 + n % 3, 450, 180)
    await make_teacher()
    await sign_in(client, "staylor")
    csv_days = [r[0] for r in csv_rows((await client.get("/reports/teams/csv?range=year")).text)]
    in_year = len(csv_days) - 1
    assert in_year == REPORT_ROWS_PER_PAGE + 5

    def shown_days(text: str) -> list[str]:
        return re.findall(r'<th scope="row">([^<]+)</th>', text)

    first = await client.get("/reports?report=teams&range=year")
    assert f"{in_year} rows, 1–{REPORT_ROWS_PER_PAGE} shown" in first.text
    second = await client.get("/reports?report=teams&range=year&page=2")
    shown = shown_days(first.text) + shown_days(second.text)
    expected = [dt.date.fromisoformat(d).strftime("%-d %b %Y") for d in csv_days[1:]]
    assert shown == expected
    past = await client.get("/reports?report=teams&range=year&page=99")
    assert shown_days(past.text) == shown_days(second.text)
