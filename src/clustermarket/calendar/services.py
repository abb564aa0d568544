"""The cluster calendar: events of the cluster with the market days read from `market` (never
copied), what the public sees of them, and who may see a private event.

Every read is limited to ONE cluster (issue 15): the request's (`current_cluster(request).id`,
passed in by the handler as `cluster_id`); for signed-in users it is also theirs. Events carry
their cluster (`event.cluster`, the admin's who made it), market days theirs. An event of
another cluster answers like one that does not exist (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.accounts.tables import Role
from clustermarket.calendar.tables import Event, EventKind, EventSchool
from clustermarket.frozen import Prepared
from clustermarket.market.tables import MarketDay
from clustermarket.rows import MAX_ROW_ID
from clustermarket.timeutil import UK, now, today_uk

KIND_LABELS = {
    EventKind.market_day: "Market day",
    EventKind.eco_meetup: "Eco meet-up",
    EventKind.family_learning: "Family Learning Day",
    EventKind.grapevine: "The Grapevine",
    EventKind.transition: "Transition day",
    EventKind.sports: "Sports competition",
}

_EVENT_COLUMNS = (
    Event.id,
    Event.kind,
    Event.title,
    Event.description,
    Event.starts_at,
    Event.ends_at,
    Event.place,
    Event.is_public,
)


def sees_private(user: CurrentUser | None) -> bool:
    """Private events (e.g. transition days) are for signed-in cluster users: pupils and
    staff, not community accounts or visitors."""
    return user is not None and user.role != Role.community


def aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite: naive UTC


def _event_item(row: dict[str, Any], schools: list[str]) -> dict[str, Any]:
    return {
        **row,
        "starts_at": aware(row["starts_at"]),
        "ends_at": aware(row["ends_at"]),
        "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
        "url": f"/events/{row['id']}",
        "schools": schools,
    }


def _market_item(day: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": day["id"],
        "kind": EventKind.market_day.value,
        "kind_label": KIND_LABELS[EventKind.market_day],
        "title": "Cluster Market at the farmers' market",
        "description": "Our enterprise teams sell what they have made.",
        "starts_at": dt.datetime.combine(day["date"], day["opens"], tzinfo=UK),
        "ends_at": dt.datetime.combine(day["date"], day["closes"], tzinfo=UK),
        "place": day["location"],
        "is_public": True,
        "url": f"/market-days/{day['id']}",
        "schools": [],
    }


def _events_where(cluster_id: Any, at: Any, upcoming: bool, private: bool) -> Any:
    where = Event.cluster == cluster_id
    if upcoming:
        where &= Event.ends_at >= at
    if not private:
        where &= Event.is_public == True  # noqa: E712
    return where


def _calendar(upcoming: bool, private: bool) -> tuple[Prepared, Prepared, Prepared]:
    """The events one may see, their schools (by the same filter, as a sub-query) and the
    market days: built once for each shape (`frozen.Prepared`), the calendar's every view
    runs them with the cluster, the moment and today."""
    events = Prepared(
        lambda cluster_id, at: Event.select(*_EVENT_COLUMNS).where(
            _events_where(cluster_id, at, upcoming, private)
        )
    )
    schools = Prepared(
        lambda cluster_id, at: (
            EventSchool.select(EventSchool.event, EventSchool.school.name.as_alias("name"))
            .where(
                EventSchool.event.is_in(
                    Event.select(Event.id).where(_events_where(cluster_id, at, upcoming, private))
                )
            )
            .order_by(EventSchool.school.name)
        )
    )

    def days(cluster_id: Any, today: Any) -> Any:
        where = MarketDay.cluster == cluster_id
        if upcoming:
            where &= MarketDay.date >= today
        return MarketDay.select(
            MarketDay.id, MarketDay.date, MarketDay.location, MarketDay.opens, MarketDay.closes
        ).where(where)

    return events, schools, Prepared(days)


_CALENDARS = {
    (upcoming, private): _calendar(upcoming, private)
    for upcoming in (False, True)
    for private in (False, True)
}


async def calendar_items(
    user: CurrentUser | None, cluster_id: int, upcoming_only: bool = True
) -> list[dict[str, Any]]:
    """Events of the cluster the user may see and its market days, soonest first: three
    queries whatever the number of events."""
    events, schools_of, days = _CALENDARS[upcoming_only, sees_private(user)]
    at = now()
    event_rows = await events.run(cluster_id, at)
    schools: dict[int, list[str]] = {}
    if event_rows:
        for row in await schools_of.run(cluster_id, at):
            schools.setdefault(row["event"], []).append(row["name"])
    items = [_event_item(row, schools.get(row["id"], [])) for row in event_rows]
    items += [_market_item(day) for day in await days.run(cluster_id, today_uk())]
    return sorted(items, key=lambda item: (item["starts_at"], item["title"]))


async def event_row(event_id: int, cluster_id: int) -> dict[str, Any]:
    """The event of this cluster; NotFound for another cluster's, like a missing one."""
    if not 0 < event_id <= MAX_ROW_ID:
        raise NotFound()
    row = await _EVENT.run(event_id, cluster_id)
    if row is None:
        raise NotFound()
    return row


# Built once (`frozen.Prepared`): an event's page reads them on every view.
_EVENT = Prepared(
    lambda event_id, cluster_id: (
        Event.select(*_EVENT_COLUMNS)
        .where((Event.id == event_id) & (Event.cluster == cluster_id))
        .first()
    )
)
_SCHOOLS_OF_EVENT = Prepared(
    lambda event_id: (
        EventSchool.select(EventSchool.school.name.as_alias("name"))
        .where(EventSchool.event == event_id)
        .order_by(EventSchool.school.name)
    )
)


async def visible_event(user: CurrentUser | None, event_id: int, cluster_id: int) -> dict[str, Any]:
    """The event with its schools; a private one is 404 to those who may not see it."""
    row = await event_row(event_id, cluster_id)
    if not row["is_public"] and not sees_private(user):
        raise NotFound()
    schools = [school["name"] for school in await _SCHOOLS_OF_EVENT.run(event_id)]
    return _event_item(row, schools)
