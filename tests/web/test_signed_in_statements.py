"""What a second signed-in view of a page reads (issue 17, target 3: every page that is not
public ≤ 3 ms of server CPU): the public part of a page, the same for every viewer of a kind,
is kept between views (`web/public_data.py`), and a new event or a hidden product still shows
at once."""

from __future__ import annotations

import re

import pytest

from tests.conftest import QueryCounter, another_browser, post_form, sign_in
from tests.demo_rows import restore_demo_data

PUPIL, TEACHER, ADMIN = (
    ("ameliab", "apple-otter-12"),
    ("staylor", "teacher-demo-1"),
    (
        "admin",
        "cluster-admin-demo",
    ),
)


def _tokens_out(page: str) -> str:
    return re.sub(r'(name="_csrf_token" value=|"X-CSRFToken": )"[^"]*"', "", page)


async def _path(page: str) -> str:
    from clustermarket.calendar.tables import Event
    from clustermarket.market.services import next_market_day
    from clustermarket.sharing.tables import PitchRound
    from tests.conftest import seeded_cluster

    event = await Event.select(Event.id).where(Event.is_public == True).first()  # noqa: E712
    day = await next_market_day(await seeded_cluster())
    pitch_round = await PitchRound.select(PitchRound.id).order_by(PitchRound.id).first()
    return page.format(event=event["id"], day=day["id"], round=pitch_round["id"])


@pytest.mark.parametrize(
    ("account", "page", "statements"),
    [
        (PUPIL, "/events", 1),  # the session's user; the calendar kept
        (ADMIN, "/events", 1),
        (PUPIL, "/events/{event}", 3),  # and the projects and products the pupil may offer
        (ADMIN, "/events/{event}", 1),
        (PUPIL, "/market-days/{day}/pre-order", 1),  # the day, its shop and window kept
        (ADMIN, "/market-days/{day}/pre-order", 1),
        (PUPIL, "/ideas", 4),  # the board's total, page and reactions; the schools kept
        (ADMIN, "/admin/events", 2),  # the events; the schools kept
        (ADMIN, "/admin/events/{event}", 3),  # the event and its schools
        (PUPIL, "/dashboard", 2),  # the pupil's teams; the next day and the high school kept
        (TEACHER, "/dashboard", 2),  # the count waiting kept with the header badge's
        (ADMIN, "/dashboard", 3),  # and the jobs
        (TEACHER, "/notifications", 3),  # the list, marked read; the count waiting kept
        (PUPIL, "/transition", 2),  # the teams the pupil follows; the high school kept
        (PUPIL, "/pitch/rounds/{round}", 3),  # the work the pupil may pitch; round, entries kept
        (ADMIN, "/pitch", 2),  # the rounds; the coming market days kept
        (PUPIL, "/forum", 3),  # a first page holding every thread: its rows are the total
        (ADMIN, "/forum", 3),  # (its activity, then the threads' opening and latest posts)
    ],
)
async def test_a_second_view_reads_only_what_is_the_viewers_own(
    client, account, page, statements
) -> None:
    await restore_demo_data()
    await sign_in(client, *account)
    path = await _path(page)
    first = await client.get(path)
    assert first.status_code == 200, first.text
    with QueryCounter() as queries:
        again = await client.get(path)
    assert again.status_code == 200
    assert _tokens_out(again.text) == _tokens_out(first.text)
    assert queries.count == statements, f"{queries.count} statements on a second view of {path}"


async def test_a_new_event_shows_on_the_signed_in_calendar_at_once(client) -> None:
    await restore_demo_data()
    await sign_in(client, *PUPIL)
    assert "Bird box workshop" not in (await client.get("/events")).text
    async with another_browser(client) as admin:
        await sign_in(admin, *ADMIN)
        answer = await post_form(
            admin,
            "/admin/events",
            {
                "kind": "eco_meetup",
                "title": "Bird box workshop",
                "date": "2099-05-01",
                "starts": "10:00",
                "ends": "12:00",
                "place": "Aylsham High",
            },
            follow_redirects=False,
        )
        assert answer.status_code in (302, 303), answer.text
    assert "Bird box workshop" in (await client.get("/events")).text


async def test_a_hidden_product_leaves_the_signed_in_shop_at_once(client) -> None:
    await restore_demo_data()
    await sign_in(client, *PUPIL)
    path = await _path("/market-days/{day}/pre-order")
    shop = (await client.get(path)).text
    hidden = re.findall(r'href="/products/(\d+)"', shop)[0]
    async with another_browser(client) as admin:
        await sign_in(admin, *ADMIN)
        answer = await post_form(
            admin, f"/moderation/product/{hidden}/hide", {"feedback": "A brand name"}
        )
        assert answer.status_code in (200, 303), answer.text
    assert f'href="/products/{hidden}"' not in (await client.get(path)).text


async def test_a_new_pitch_entry_shows_on_the_round_at_once(client) -> None:
    await restore_demo_data()
    await sign_in(client, *PUPIL)
    path = await _path("/pitch/rounds/{round}")
    page = (await client.get(path)).text
    entries = page.count('href="/pitch/entries/')
    for choice in re.findall(r'<option value="([^"]+)"', page):  # one not in the round yet
        answer = await post_form(client, f"{path}/entries", {"item": choice, "question": "Price?"})
        if answer.status_code != 400:
            break
    assert answer.status_code in (200, 303), answer.text
    again = (await client.get(path)).text
    assert again.count('href="/pitch/entries/') == entries + 1
