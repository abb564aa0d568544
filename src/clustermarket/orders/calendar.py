"""The receipt's "add to calendar" file: when and where to collect a pre-order (RFC 5545,
written by the maintained `icalendar` library)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from icalendar import Calendar, Event

from clustermarket.timeutil import UK, now


def collection_times(order: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    day = order["day_date"]
    return (
        dt.datetime.combine(day, order["day_opens"], tzinfo=UK),
        dt.datetime.combine(day, order["day_closes"], tzinfo=UK),
    )


def stalls_of(order: dict[str, Any]) -> list[str]:
    return sorted({line["team_name"] for line in order["lines"]})


def order_calendar(order: dict[str, Any], receipt_url: str) -> bytes:
    starts, ends = collection_times(order)
    stalls = ", ".join(stalls_of(order))
    what = "; ".join(f"{x['quantity']} × {x['product_name']}" for x in order["lines"])
    event = Event()
    event.add("uid", f"pre-order-{order['id']}@cluster-market")
    event.add("dtstamp", now())
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", f"Collect pre-order {order['id']} at the Cluster Market")
    event.add("location", order["day_location"])
    event.add("description", f"From the stall of {stalls}: {what}. Your receipt: {receipt_url}")
    event.add("url", receipt_url)
    calendar = Calendar()
    calendar.add("prodid", "-//Cluster Market//Pre-orders//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return calendar.to_ical()
