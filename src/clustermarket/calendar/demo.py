"""The demo's calendar: the seed's events across the cluster, and one team signed up."""

from __future__ import annotations

import datetime as dt

from clustermarket.calendar.tables import Event, EventKind, EventSchool, EventSignup
from clustermarket.moderation.content import PROJECT
from clustermarket.projects.tables import Project
from clustermarket.schools.tables import School
from clustermarket.timeutil import UK, now, today_uk

ALL_SCHOOLS = "*"

# kind, title, description, days from today (moved to the weekday given), start, end, place,
# public, schools taking part (slugs)
EVENTS = [
    (
        EventKind.eco_meetup,
        "Autumn eco meet-up",
        "Eco groups from every school share what they have counted, planted and saved.",
        (14, 2),
        (15, 45),
        (17, 0),
        "Aylsham High School library",
        True,
        ALL_SCHOOLS,
    ),
    (
        EventKind.eco_meetup,
        "Spring eco meet-up",
        "Seed swap and the spring hedge-planting plan.",
        (105, 2),
        (15, 45),
        (17, 0),
        "Bure Valley Junior School hall",
        True,
        ALL_SCHOOLS,
    ),
    (
        EventKind.eco_meetup,
        "Summer eco meet-up",
        "The year's eco projects, presented to families.",
        (195, 2),
        (15, 45),
        (17, 0),
        "Aylsham Town Hall",
        True,
        ALL_SCHOOLS,
    ),
    (
        EventKind.family_learning,
        "Rotary Family Learning Day",
        "Hands-on workshops for families, run with Aylsham Rotary Club.",
        (40, 5),
        (10, 0),
        (15, 0),
        "Aylsham High School",
        True,
        ALL_SCHOOLS,
    ),
    (
        EventKind.grapevine,
        "The Grapevine Saturday school",
        "Saturday morning school for Years 5 and 6: science, art and cooking.",
        (21, 5),
        (9, 30),
        (12, 0),
        "Aylsham High School",
        True,
        ("aldborough", "bure-valley", "buxton", "colby", "erpingham", "hevingham", "marsham"),
    ),
    (
        EventKind.transition,
        "Year 6 transition day",
        "Year 6 pupils spend a day at the High school before they move up.",
        (60, 3),
        (9, 0),
        (15, 0),
        "Aylsham High School",
        False,
        ALL_SCHOOLS,
    ),
    (
        EventKind.sports,
        "Inter-school sports competition",
        "Relays, tug of war and a cluster cup.",
        (30, 4),
        (13, 0),
        (15, 30),
        "Aylsham High School playing fields",
        True,
        ("bure-valley", "erpingham", "marsham", "aylsham-high"),
    ),
]


def _on_weekday(days: int, weekday: int) -> dt.date:
    day = today_uk() + dt.timedelta(days=days)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


async def load_demo_events(users: dict[str, int], schools: dict[str, int]) -> None:
    created = now()
    ids = {}
    cluster = await School.select(School.cluster).where(School.id.is_in(list(schools.values())))
    for kind, title, text, (days, weekday), starts, ends, place, public, taking in EVENTS:
        day = _on_weekday(days, weekday)
        rows = await Event.insert(
            Event(
                cluster=cluster[0]["cluster"],
                kind=kind,
                title=title,
                description=text,
                starts_at=dt.datetime.combine(day, dt.time(*starts), tzinfo=UK),
                ends_at=dt.datetime.combine(day, dt.time(*ends), tzinfo=UK),
                place=place,
                is_public=public,
                created_by=users["admin"],
                created_at=created,
            )
        ).returning(Event.id)
        ids[title] = rows[0]["id"]
        slugs = schools if taking == ALL_SCHOOLS else taking
        await EventSchool.insert(*[EventSchool(event=ids[title], school=schools[s]) for s in slugs])
    # An eco group presents its approved project at the next meet-up.
    project = (
        await Project.select(Project.id, Project.team)
        .where(PROJECT.public_where() & (Project.published_title == "Bottle-top recycling"))
        .first()
    )
    if project:
        await EventSignup.insert(
            EventSignup(
                event=ids["Autumn eco meet-up"],
                team=project["team"],
                project=project["id"],
                signed_up_by=users["jcole"],
                created_at=created,
            )
        )
