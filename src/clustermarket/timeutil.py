"""Times are stored timezone-aware in UTC and shown in UK time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today_uk() -> dt.date:
    return now().astimezone(UK).date()


def uk_time(value: dt.datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive UTC in some paths
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(UK).strftime(fmt)


def uk_date(value: dt.date | None) -> str:
    return value.strftime("%A %-d %B %Y") if value else ""
