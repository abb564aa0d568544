"""The admin creates, edits and removes events. Times are typed in UK time and stored in UTC.

The cluster admin sees and changes THEIR cluster's events only (issue 15): every function takes
`cluster_id` (the admin's, which is the request's); a new event gets it, never a form's; the
schools taking part must be of it; another cluster's event answers like a missing one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from clustermarket.accounts.services import CurrentUser
from clustermarket.calendar.services import KIND_LABELS, aware, event_row
from clustermarket.calendar.tables import Event, EventKind, EventSchool
from clustermarket.frozen import Prepared
from clustermarket.rows import parse_row_id
from clustermarket.schools.services import school_ids_in_cluster
from clustermarket.timeutil import UK, now
from clustermarket.transactions import write_transaction

# Market days are made on the market-day pages; the calendar reads them from there.
ADMIN_KINDS = [(k.value, label) for k, label in KIND_LABELS.items() if k != EventKind.market_day]


class EventError(ValueError):
    """What is wrong with a typed-in event, every problem in one message."""


@dataclass
class EventForm:
    """What the admin typed, kept as text so a refused form comes back as it was."""

    kind: str = EventKind.eco_meetup.value
    title: str = ""
    description: str = ""
    date: str = ""
    starts: str = "09:00"
    ends: str = "15:00"
    place: str = ""
    is_public: bool = True
    schools: list[int] = field(default_factory=list)

    @classmethod
    def from_post(cls, form: Any) -> EventForm:
        return cls(
            kind=form.get("kind", ""),
            title=form.get("title", ""),
            description=form.get("description", ""),
            date=form.get("date", ""),
            starts=form.get("starts", ""),
            ends=form.get("ends", ""),
            place=form.get("place", ""),
            is_public=form.get("is_public") == "yes",
            schools=[i for i in map(parse_row_id, form.getall("school", [])) if i is not None],
        )

    @classmethod
    def from_row(cls, row: dict[str, Any], schools: list[int]) -> EventForm:
        starts, ends = aware(row["starts_at"]).astimezone(UK), aware(row["ends_at"]).astimezone(UK)
        return cls(
            kind=row["kind"],
            title=row["title"],
            description=row["description"],
            date=starts.date().isoformat(),
            starts=starts.strftime("%H:%M"),
            ends=ends.strftime("%H:%M"),
            place=row["place"],
            is_public=row["is_public"],
            schools=schools,
        )


def _parse(kind: Any, raw: str) -> Any:
    try:
        return kind.fromisoformat(raw.strip())
    except ValueError:
        return None


async def _checked(form: EventForm, cluster_id: int) -> dict[Any, Any]:
    problems = []
    if form.kind not in dict(ADMIN_KINDS):
        problems.append("Choose what kind of event it is.")
    title, place = form.title.strip(), form.place.strip()
    if not title or len(title) > 120:
        problems.append("Give the event a title (up to 120 characters).")
    if not place or len(place) > 200:
        problems.append("Say where it is (up to 200 characters).")
    if len(form.description) > 4000:
        problems.append("Keep the description under 4000 characters.")
    day, starts, ends = (
        _parse(dt.date, form.date),
        _parse(dt.time, form.starts),
        _parse(dt.time, form.ends),
    )
    if day is None:
        problems.append("Give the date of the event.")
    if starts is None or ends is None or starts >= ends:
        problems.append("The event must start before it ends (times as HH:MM).")
    known = set(await school_ids_in_cluster(form.schools, cluster_id))
    if set(form.schools) - known:
        problems.append("Choose the schools taking part from the list.")
    if problems:
        raise EventError(" ".join(problems))
    return {
        Event.kind: form.kind,
        Event.title: title,
        Event.description: form.description.strip(),
        Event.starts_at: dt.datetime.combine(day, starts, tzinfo=UK).astimezone(dt.UTC),
        Event.ends_at: dt.datetime.combine(day, ends, tzinfo=UK).astimezone(dt.UTC),
        Event.place: place,
        Event.is_public: form.is_public,
    }


async def _set_schools(event_id: int, school_ids: list[int]) -> None:
    await EventSchool.delete().where(EventSchool.event == event_id)
    if school_ids:
        await EventSchool.insert(
            *[EventSchool(event=event_id, school=s) for s in sorted(set(school_ids))]
        )


async def create_event(admin: CurrentUser, form: EventForm) -> int:
    values = await _checked(form, admin.cluster_id)
    async with write_transaction():
        rows = await Event.insert(
            Event(
                **{c._meta.name: v for c, v in values.items()},
                cluster=admin.cluster_id,
                created_by=admin.id,
                created_at=now(),
            )
        ).returning(Event.id)
        await _set_schools(rows[0]["id"], form.schools)
    return rows[0]["id"]


async def edit_form(event_id: int, cluster_id: int) -> EventForm:
    row = await event_row(event_id, cluster_id)
    schools = await _SCHOOL_IDS_OF_EVENT.run(event_id)
    return EventForm.from_row(row, [r["school"] for r in schools])


# Built once (`frozen.Prepared`): the admin's event pages read them on every view.
_SCHOOL_IDS_OF_EVENT = Prepared(
    lambda event_id: EventSchool.select(EventSchool.school).where(EventSchool.event == event_id)
)
_ALL_EVENTS = Prepared(
    lambda cluster_id: (
        Event.select(Event.id, Event.kind, Event.title, Event.starts_at, Event.is_public)
        .where(Event.cluster == cluster_id)
        .order_by(Event.starts_at, ascending=False)
    )
)


async def update_event(event_id: int, cluster_id: int, form: EventForm) -> None:
    await event_row(event_id, cluster_id)
    values = await _checked(form, cluster_id)
    async with write_transaction():
        await Event.update(values).where(Event.id == event_id)
        await _set_schools(event_id, form.schools)


async def remove_event(event_id: int, cluster_id: int) -> None:
    await event_row(event_id, cluster_id)
    await Event.delete().where(Event.id == event_id)


async def all_events(cluster_id: int) -> list[dict[str, Any]]:
    rows = await _ALL_EVENTS.run(cluster_id)
    for row in rows:
        row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
    return rows
