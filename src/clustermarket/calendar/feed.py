"""The iCalendar feed parents and staff subscribe to: public events and market days only
(RFC 5545, written by the maintained `icalendar` library)."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar, Event

from clustermarket.calendar.services import calendar_items
from clustermarket.timeutil import now


def _uid(item: dict[str, Any]) -> str:
    return f"{item['kind'].replace('_', '-')}-{item['id']}@cluster-market"


async def public_feed(base_url: str, cluster_id: int, cluster_name: str) -> bytes:
    """Every public event and market day of one cluster (the request's), past and coming, as
    one calendar named after it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Cluster Market//Cluster Market//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{cluster_name} events")
    stamp = now()
    for item in await calendar_items(None, cluster_id, upcoming_only=False):
        event = Event()
        event.add("uid", _uid(item))
        event.add("dtstamp", stamp)
        event.add("dtstart", item["starts_at"])
        event.add("dtend", item["ends_at"])
        event.add("summary", f"{item['kind_label']}: {item['title']}")
        event.add("location", item["place"])
        event.add("categories", [item["kind_label"]])
        description = item["description"]
        if item["schools"]:
            description += f"\n\nSchools taking part: {', '.join(item['schools'])}."
        event.add("description", description.strip())
        event.add("url", f"{base_url}{item['url']}")
        calendar.add_component(event)
    return calendar.to_ical()
