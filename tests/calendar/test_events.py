"""The cluster calendar: the admin plans events, the public see the public ones beside the
market days, parents subscribe to a feed, and teams sign up to present approved work."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from clustermarket.accounts.tables import Role
from clustermarket.calendar.tables import Event, EventSchool, EventSignup
from clustermarket.market.services import create_market_day
from clustermarket.market.tables import MarketDay
from clustermarket.moderation.content import PROJECT
from clustermarket.moderation.services import hide, submit_for_approval
from clustermarket.projects.services import create_project
from clustermarket.timeutil import UK, today_uk
from tests.conftest import (
    QueryCounter,
    another_browser,
    as_user,
    make_client,
    make_team,
    make_user,
    post_form,
    school_id,
    sign_in,
)
from tests.market.helpers import first_cluster

NEXT_WEEK = (today_uk() + dt.timedelta(days=7)).isoformat()


def event_form(title: str, **overrides: object) -> dict[str, object]:
    return {
        "kind": "eco_meetup",
        "title": title,
        "description": "Bring a seed swap.",
        "date": NEXT_WEEK,
        "starts": "15:30",
        "ends": "17:00",
        "place": "Bure Valley School hall",
        "is_public": "yes",
        **overrides,
    }


async def admin_client():
    await make_user("admin", role=Role.admin, school=None)
    client = make_client()
    await client.__aenter__()
    await sign_in(client, "admin")
    return client


async def add_event(client, title: str, **overrides: object) -> int:
    response = await post_form(client, "/admin/events", event_form(title, **overrides))
    assert response.status_code == 200, response.text
    return (await Event.select(Event.id).where(Event.title == title).first())["id"]


async def a_market_day() -> int:
    return await create_market_day(
        await first_cluster(),
        today_uk() + dt.timedelta(days=10),
        "Aylsham Market Place",
        dt.time(9),
        dt.time(13),
    )


async def test_the_public_see_public_events_and_market_days_soonest_first(client) -> None:
    admin = await admin_client()
    schools = [str(await school_id("bure-valley")), str(await school_id("aylsham-high"))]
    eco = await add_event(admin, "Spring eco meet-up", school=schools)
    await add_event(
        admin,
        "Year 6 transition day",
        kind="transition",
        is_public="",
        date=(today_uk() + dt.timedelta(days=3)).isoformat(),
    )
    await a_market_day()
    await admin.__aexit__(None, None, None)

    saved = await Event.select().where(Event.id == eco).first()
    starts = saved["starts_at"].replace(tzinfo=saved["starts_at"].tzinfo or dt.UTC)
    assert starts.astimezone(UK).strftime("%H:%M") == "15:30"  # typed in UK time
    assert await EventSchool.count().where(EventSchool.event == eco) == 2

    page = await client.get("/events")
    assert page.status_code == 200
    assert "Spring eco meet-up" in page.text and "Bure Valley" in page.text
    assert "Aylsham Market Place" in page.text  # the market day, read from market
    assert page.text.index("Spring eco meet-up") < page.text.index("Aylsham Market Place")
    assert "Year 6 transition day" not in page.text

    async with another_browser(client) as pupil:
        await make_user("ameliab")
        await sign_in(pupil, "ameliab")
        mine = await pupil.get("/events")
        assert "Year 6 transition day" in mine.text
        assert mine.text.index("Year 6 transition day") < mine.text.index("Spring eco meet-up")


async def test_a_private_event_is_404_to_the_public_and_to_community_accounts(client) -> None:
    admin = await admin_client()
    private = await add_event(admin, "Year 6 transition day", kind="transition", is_public="")
    await admin.__aexit__(None, None, None)
    assert (await client.get(f"/events/{private}")).status_code == 404
    await make_user("parent", role=Role.community, school=None)
    await sign_in(client, "parent")
    assert (await client.get(f"/events/{private}")).status_code == 404
    assert "Year 6 transition day" not in (await client.get("/events")).text
    async with another_browser(client) as teacher:
        await make_user("staylor", role=Role.teacher)
        await sign_in(teacher, "staylor")
        assert (await teacher.get(f"/events/{private}")).status_code == 200


async def test_the_feed_holds_market_days_and_public_events_only(client) -> None:
    admin = await admin_client()
    await add_event(admin, "Rotary Family Learning Day", kind="family_learning")
    await add_event(admin, "Year 6 transition day", kind="transition", is_public="")
    await admin.__aexit__(None, None, None)
    await a_market_day()

    response = await client.get("/events.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert summaries == [
        "Family Learning Day: Rotary Family Learning Day",
        "Market day: Cluster Market at the farmers' market",
    ]
    market = next(e for e in events if str(e["SUMMARY"]).startswith("Market day"))
    starts = market.decoded("DTSTART")
    assert starts.tzinfo is not None and starts.astimezone(UK).hour == 9
    assert str(market["LOCATION"]) == "Aylsham Market Place"
    assert len({str(e["UID"]) for e in events}) == 2


async def test_the_events_page_reads_in_constant_queries(client) -> None:
    admin = await admin_client()
    schools = [str(await school_id("bure-valley")), str(await school_id("erpingham"))]
    await add_event(admin, "Meet-up 1", school=schools)
    await a_market_day()
    with QueryCounter() as one:
        assert (await client.get("/events")).status_code == 200
    for n in range(2, 7):
        await add_event(admin, f"Meet-up {n}", school=schools)
    await a_market_day()
    await admin.__aexit__(None, None, None)
    with QueryCounter() as six:
        page = await client.get("/events")
    assert "Meet-up 6" in page.text
    assert six.count == one.count, (one.count, six.count)


async def approved_and_draft_work() -> dict:
    team = await make_team(school="aylsham-high", teacher="staylor", pupils=("ameliab",))
    teacher = await as_user("staylor")
    approved = await create_project(
        teacher, team, {"title": "Bee hotels", "summary": "For the orchard.", "body": "Wood."}
    )
    await submit_for_approval(teacher, PROJECT, approved)  # a teacher's own goes live
    pupil = await as_user("ameliab")
    draft = await create_project(
        pupil, team, {"title": "Secret draft", "summary": "Not yet.", "body": "Draft."}
    )
    return {"team": team, "approved": approved, "draft": draft}


async def test_a_team_signs_up_to_present_approved_work_only(client) -> None:
    work = await approved_and_draft_work()
    admin = await admin_client()
    event = await add_event(admin, "Summer eco meet-up")
    await admin.__aexit__(None, None, None)

    await sign_in(client, "ameliab")
    page = await client.get(f"/events/{event}")
    assert f"project:{work['approved']}" in page.text
    assert f"project:{work['draft']}" not in page.text  # only approved work is offered
    refused = await post_form(
        client, f"/events/{event}/signups", {"work": f"project:{work['draft']}"}
    )
    assert refused.status_code == 400 and "approved" in refused.text
    done = await post_form(
        client, f"/events/{event}/signups", {"work": f"project:{work['approved']}"}
    )
    assert done.status_code == 200 and "signed up to present" in done.text
    twice = await post_form(
        client, f"/events/{event}/signups", {"work": f"project:{work['approved']}"}
    )
    assert twice.status_code == 400 and "already signed up" in twice.text

    async with another_browser(client) as visitor:
        public = await visitor.get(f"/events/{event}")
        assert "Bee hotels" in public.text and "Aylsham Makers" in public.text
        assert "Secret draft" not in public.text and "Pupil0" not in public.text

    # A teacher hides the project: the event page no longer shows it.
    await hide(await as_user("staylor"), PROJECT, work["approved"], "Being reworked")
    async with another_browser(client) as visitor:
        assert "Bee hotels" not in (await visitor.get(f"/events/{event}")).text


async def test_a_teacher_withdraws_a_sign_up_and_a_pupil_cannot(client) -> None:
    work = await approved_and_draft_work()
    admin = await admin_client()
    event = await add_event(admin, "Summer eco meet-up")
    await admin.__aexit__(None, None, None)
    await sign_in(client, "ameliab")
    await post_form(client, f"/events/{event}/signups", {"work": f"project:{work['approved']}"})
    signup = (await EventSignup.select(EventSignup.id).first())["id"]

    refused = await post_form(client, f"/events/{event}/signups/{signup}/withdraw", {})
    assert refused.status_code == 404 and await EventSignup.count() == 1
    async with another_browser(client) as other_school:
        await make_user("pshah", role=Role.teacher, school="erpingham")
        await sign_in(other_school, "pshah")
        assert "Withdraw" not in (await other_school.get(f"/events/{event}")).text
        response = await post_form(other_school, f"/events/{event}/signups/{signup}/withdraw", {})
        assert response.status_code == 404 and await EventSignup.count() == 1
    async with another_browser(client) as teacher:
        await sign_in(teacher, "staylor")
        assert "Withdraw" in (await teacher.get(f"/events/{event}")).text
        response = await post_form(teacher, f"/events/{event}/signups/{signup}/withdraw", {})
        assert response.status_code == 200 and await EventSignup.count() == 0


async def test_only_the_admin_edits_events(client) -> None:
    admin = await admin_client()
    event = await add_event(admin, "Inter-school sports competition", kind="sports")
    await make_user("staylor", role=Role.teacher)
    await sign_in(client, "staylor")
    assert (await client.get("/admin/events")).status_code == 403
    refused = await post_form(client, "/admin/events", event_form("Sneaky event"))
    assert refused.status_code == 403 and not await Event.exists().where(
        Event.title == "Sneaky event"
    )
    edit = await post_form(client, f"/admin/events/{event}", event_form("Renamed"))
    assert edit.status_code == 403
    gone = await post_form(client, f"/admin/events/{event}/remove", {})
    assert gone.status_code == 403 and await Event.count() == 1

    assert 'href="/admin/events"' in (await admin.get("/dashboard")).text
    assert 'href="/admin/events"' not in (await client.get("/dashboard")).text
    renamed = await post_form(
        admin, f"/admin/events/{event}", event_form("Cluster sports day", kind="sports")
    )
    assert renamed.status_code == 200 and "Cluster sports day" in renamed.text
    assert (await admin.get(f"/admin/events/{event}")).status_code == 200
    await post_form(admin, f"/admin/events/{event}/remove", {})
    assert await Event.count() == 0
    assert (await admin.get(f"/events/{event}")).status_code == 404
    await admin.__aexit__(None, None, None)


async def test_a_wrong_event_form_says_why_and_keeps_what_was_typed(client) -> None:
    admin = await admin_client()
    response = await post_form(
        admin, "/admin/events", event_form("The Grapevine", kind="grapevine", ends="09:00")
    )
    assert response.status_code == 400
    assert "must start before it ends" in response.text
    assert 'value="The Grapevine"' in response.text
    bad_school = await post_form(admin, "/admin/events", event_form("X", school="99999"))
    assert bad_school.status_code == 400 and "schools" in bad_school.text
    assert await Event.count() == 0
    await admin.__aexit__(None, None, None)


async def test_the_demo_calendar_has_the_seeds_events(client) -> None:
    from clustermarket.demo import load_demo_data

    await load_demo_data()
    page = await client.get("/events")
    for title in (
        "Autumn eco meet-up",
        "Spring eco meet-up",
        "Summer eco meet-up",
        "Rotary Family Learning Day",
        "The Grapevine Saturday school",
        "Inter-school sports competition",
        "Aylsham Market Place",
    ):
        assert title in page.text, title
    assert "Year 6 transition day" not in page.text  # private
    autumn = (await Event.select(Event.id).where(Event.title == "Autumn eco meet-up").first())["id"]
    assert "Bottle-top recycling" in (await client.get(f"/events/{autumn}")).text
    feed = Calendar.from_ical((await client.get("/events.ics")).content)
    summaries = [str(e["SUMMARY"]) for e in feed.walk("VEVENT")]
    assert len(summaries) == 6 + await MarketDay.count()
    assert not any("transition" in s.lower() for s in summaries)
