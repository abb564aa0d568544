"""The date range every report and CSV takes: a preset, a market day or any two dates.

`?range=market` (the latest market day), `?range=term` (this school term), `?range=year`
(this school year, 1 September to 31 August), `?day=<id>` (one market day from the list) or
`?from=2026-09-01&to=2026-10-31` (any two dates, both included). The range stays in the query
string, so a link or a CSV export keeps it. A sale belongs to the range of its market day's
date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar.params import QueryParameter

from clustermarket.frozen import Prepared
from clustermarket.market.tables import MarketDay

# UK school terms as the reports count them, in one place (month, day) to (month, day), both
# included. Holidays belong to the term they follow, so every day of the year is in one term;
# Easter moves, so spring ends on 31 March and summer runs on to the end of the school year.
TERMS = (
    ("Autumn term", (9, 1), (12, 31)),
    ("Spring term", (1, 1), (3, 31)),
    ("Summer term", (4, 1), (8, 31)),
)
SCHOOL_YEAR_STARTS = (9, 1)  # 1 September; the year ends on 31 August
PRESETS = {
    "market": "This market",
    "term": "This term",
    "year": "This school year",
}
DEFAULT = "year"
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")

# The query names handlers take a range by: ?range=term, or ?from=2026-09-01&to=2026-12-31.
RangeQuery = Annotated[str | None, QueryParameter(name="range")]
FromDate = Annotated[str | None, QueryParameter(name="from")]
ToDate = Annotated[str | None, QueryParameter(name="to")]
DayQuery = Annotated[str | None, QueryParameter(name="day")]


class PeriodError(ValueError):
    """The dates asked for cannot make a range; the message says why, for the user."""


@dataclass(frozen=True)
class Period:
    key: str  # a preset's key, "day" (one market day chosen) or "custom"
    start: dt.date
    end: dt.date
    name: str  # e.g. "Autumn term 2026"
    day_id: int | None = None  # the market day chosen

    @property
    def label(self) -> str:
        """ "Autumn term 2026: 1 Sep 2026 to 31 Dec 2026"."""
        first, last = _short(self.start), _short(self.end)
        days = first if self.start == self.end else f"{first} to {last}"
        return f"{self.name}: {days}" if self.name else days

    def query(self) -> str:
        """The query-string part that names this range again (for links and the CSV)."""
        if self.key == "custom":
            return urlencode({"from": self.start.isoformat(), "to": self.end.isoformat()})
        if self.key == "day":
            return urlencode({"day": self.day_id})
        return urlencode({"range": self.key})

    def slug(self) -> str:
        return f"{self.start.isoformat()}-to-{self.end.isoformat()}"


def _short(day: dt.date) -> str:
    return day.strftime("%-d %b %Y")


def school_year(today: dt.date) -> Period:
    month, day = SCHOOL_YEAR_STARTS
    first_year = today.year if (today.month, today.day) >= (month, day) else today.year - 1
    start = dt.date(first_year, month, day)
    end = dt.date(first_year + 1, month, day) - dt.timedelta(days=1)
    return Period("year", start, end, f"School year {first_year}–{str(first_year + 1)[2:]}")


def school_term(today: dt.date) -> Period:
    for name, (m1, d1), (m2, d2) in TERMS:
        start, end = dt.date(today.year, m1, d1), dt.date(today.year, m2, d2)
        if start <= today <= end:
            return Period("term", start, end, f"{name} {today.year}")
    raise AssertionError("TERMS must cover every day of the year")  # pragma: no cover


def _of_cluster(cluster_id: int | None) -> Any:
    """Market days of one cluster (the request's); None: every day (a team's own pages, whose
    sales are of its cluster already)."""
    return MarketDay.cluster == cluster_id if cluster_id is not None else MarketDay.id > 0


@cache
def _market_day(of_cluster: bool, latest: bool) -> Prepared:
    """The latest market day on or before a date, or the first one (of a cluster, or of any),
    built once for each (`frozen.Prepared`): a report's and a team's market page ask it."""

    def build(today: Any, cluster_id: Any) -> Any:
        days = MarketDay.select(MarketDay.date).where(
            _of_cluster(cluster_id if of_cluster else None)
        )
        if latest:
            days = days.where(MarketDay.date <= today)
        return days.order_by(MarketDay.date, ascending=not latest).first()

    return Prepared(build)


async def latest_market(
    today: dt.date, cluster_id: int | None = None, days: list[dict[str, Any]] | None = None
) -> Period:
    """The latest market day that has come (today's counts); before the first, the next one.
    `days`: the cluster's market days, newest first, if the page has read them already (all
    of them, or the latest `PICKED_DAYS`): asked for again only if they cannot tell."""
    if days is not None:
        came = next((each for each in days if each["date"] <= today), None)
        if came is not None:
            return _market(came, today)
        if len(days) < PICKED_DAYS:  # every day of the cluster, none come yet: the first
            return _market(days[-1] if days else None, today)
    of_cluster = cluster_id is not None
    came = await _market_day(of_cluster, True).run(today, cluster_id)
    return _market(came or await _market_day(of_cluster, False).run(today, cluster_id), today)


def _market(day: dict[str, Any] | None, today: dt.date) -> Period:
    if day is None:
        return Period("market", today, today, "No market day yet")
    return Period("market", day["date"], day["date"], "Market day")


def parse_date(text: str, which: str) -> dt.date:
    text = text.strip()
    for fmt in _FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not EARLIEST <= day <= LATEST:
            raise PeriodError(f"The {which} date must be between 2000 and 2100.")
        return day
    raise PeriodError(
        f"The {which} date “{text[:40]}” is not a date: write it like 2026-09-01 or 01/09/2026."
    )


async def market_day_period(day: str, cluster_id: int | None = None) -> Period:
    """One market day (of the cluster, if given: another cluster's is "choose from the list")."""
    day_id = int(day) if day.strip().isdigit() and len(day.strip()) < 10 else None
    row = (
        day_id
        and await MarketDay.select(MarketDay.date)
        .where((MarketDay.id == day_id) & _of_cluster(cluster_id))
        .first()
    )
    if not row:
        raise PeriodError("Choose a market day from the list.")
    return Period("day", row["date"], row["date"], "Market day", day_id)


async def period_from_query(
    preset: str | None,
    start: str | None,
    end: str | None,
    today: dt.date,
    day: str | None = None,
    cluster_id: int | None = None,
    days: list[dict[str, Any]] | None = None,
) -> Period:
    """The range a request asks for. Two dates win over a market day, a market day over a
    preset; nothing asked: the default. Raises PeriodError with a message for the page.
    `days`: the cluster's market days the page has read already (`latest_market`)."""
    start, end = (start or "").strip(), (end or "").strip()
    if start or end or preset == "custom":
        if not start or not end:
            raise PeriodError("Give both dates: the first day and the last day of the range.")
        first, last = parse_date(start, "first"), parse_date(end, "last")
        if first > last:
            raise PeriodError("The first date is after the last date: swap them round.")
        return Period("custom", first, last, "")
    if day:
        return await market_day_period(day, cluster_id)
    preset = preset or DEFAULT
    if preset == "market":
        return await latest_market(today, cluster_id, days)
    if preset == "term":
        return school_term(today)
    if preset == "year":
        return school_year(today)
    raise PeriodError("Choose this market, this term, this school year or two dates.")


# The market days offered in the report's "one market day" list: the latest ones (a term of
# weekly markets); an older day is one typed range away, and the list stays one size.
PICKED_DAYS = 15


@cache
def _latest_days(cluster_id: int) -> Any:
    query = MarketDay.select(MarketDay.id, MarketDay.date).where(MarketDay.cluster == cluster_id)
    return query.order_by(MarketDay.date, ascending=False).limit(PICKED_DAYS).freeze()


async def latest_days(cluster_id: int) -> list[dict[str, Any]]:
    """The cluster's latest market days (id and date), newest first."""
    return await _latest_days(cluster_id).run()


def days_to_pick(latest: list[dict[str, Any]], period: Period | None) -> list[dict[str, Any]]:
    """The `latest_days` and the chosen one if it is older (a new list: `latest` may be kept)."""
    if period is not None and period.day_id and all(d["id"] != period.day_id for d in latest):
        return [*latest, {"id": period.day_id, "date": period.start}]
    return latest


def typed_dates(period: Period | None, start: str | None, end: str | None) -> dict[str, str]:
    """What the two date boxes show: the dates as typed, else the range's own."""
    if period is not None and period.key != "custom":  # a preset or a market day
        return {"from": period.start.isoformat(), "to": period.end.isoformat()}
    return {"from": start or "", "to": end or ""}
