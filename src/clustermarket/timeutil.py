"""Times are stored timezone-aware in UTC and shown in UK time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today_uk() -> dt.date:
    return now().astimezone(UK).date()


# English names, as strftime gives them in the C locale the app runs in: formatting the
# lists' usual shapes by hand takes about 1 µs, strftime about 15 (a page of 30 rows shows
# 30 to 60 of them).
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SHORT_MONTHS = tuple(month[:3] for month in _MONTHS)
DAY_AND_TIME = "%-d %b %Y, %H:%M"  # "26 Nov 2026, 13:05"


def uk_time(value: dt.datetime | None, fmt: str = DAY_AND_TIME) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive UTC in some paths
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(UK)
    if fmt == DAY_AND_TIME:
        month = _SHORT_MONTHS[local.month - 1]
        return f"{local.day} {month} {local.year}, {local.hour:02d}:{local.minute:02d}"
    if fmt == "%H:%M":
        return f"{local.hour:02d}:{local.minute:02d}"
    return local.strftime(fmt)


def uk_date(value: dt.date | None) -> str:
    """ "Thursday 26 November 2026"."""
    if not value:
        return ""
    return f"{_DAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"
