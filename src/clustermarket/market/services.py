"""Market days and their stalls (the stock each stall brings is in market/stock.py).

One cluster at a time (issue 15): every market day read or written here is the request's
cluster's (`cluster_id`, from `current_cluster(request).id` in the handler, or the signed-in
user's `cluster_id`, the same cluster), never a form field's. A day, stall or team of another
cluster answers exactly like one that does not exist (NotFound / "not found")."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.query.functions.aggregate import Count

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.frozen import Prepared
from clustermarket.market.tables import MarketDay, MarketStatus, Stall, StallStock
from clustermarket.moderation.content import PRODUCT
from clustermarket.rows import MAX_ROW_ID, group_rows
from clustermarket.teams.services import team_for_worker
from clustermarket.teams.tables import Team, TeamKind
from clustermarket.timeutil import today_uk
from clustermarket.transactions import write_transaction  # noqa: F401 (used here and by importers)
from clustermarket.web.pagination import Page, paginate

LOW_STOCK = 5  # the public page says "only N left" from here down
NEXT_STATUS = {MarketStatus.planned: MarketStatus.open, MarketStatus.open: MarketStatus.closed}


class MarketError(Exception):
    """A request that cannot be done; the message is for the user and nothing was changed."""


def one_connection():
    """Several reads on one connection. Piccolo's SQLite engine otherwise opens a connection
    (and a thread) for every query; PostgreSQL takes each query's connection from the pool,
    cheaper than a BEGIN and COMMIT around them."""
    db = MarketDay._meta.db
    return db.transaction() if isinstance(db, SQLiteEngine) else nullcontext()


def fits_database(number: int) -> bool:
    """Ids and counts are 32-bit integers: a bigger one typed in must not reach the database."""
    return -MAX_ROW_ID <= number <= MAX_ROW_ID


# Built once: Piccolo deep-copies a column for every alias (some are on every sale's path).
_STALL_STATE = (Stall.id, Stall.pitch, Stall.opened_at, Stall.closed_at)
_DAY_OF_STALL = (
    Stall.market_day.id.as_alias("day_id"),
    Stall.market_day.date.as_alias("day_date"),
    Stall.market_day.location.as_alias("day_location"),
    Stall.market_day.status.as_alias("day_status"),
)
_WORKER_STALL_COLUMNS = (
    *_STALL_STATE,
    Stall.float_pence,
    Stall.counted_cash_pence,
    Stall.team.id.as_alias("team_id"),
    *_DAY_OF_STALL,
)


# ------------------------------------------------------------------ market days

_DAY_COLUMNS = (
    MarketDay.id,
    MarketDay.date,
    MarketDay.location,
    MarketDay.opens,
    MarketDay.closes,
    MarketDay.status,
)


def in_cluster(cluster_id: int) -> Any:
    """The market days of one cluster: the one condition every list and look-up adds."""
    return MarketDay.cluster == cluster_id


async def next_market_day(cluster_id: int) -> dict[str, Any] | None:
    """The cluster's next market that is not over: today's or a later one."""
    return await _NEXT_DAY.run(cluster_id, today_uk())


# Built once (`frozen.Prepared`): the home page and every dashboard ask them.
_NEXT_DAY = Prepared(
    lambda cluster_id, today: (
        MarketDay.select(*_DAY_COLUMNS)
        .where(
            in_cluster(cluster_id)
            & (MarketDay.date >= today)
            & (MarketDay.status != MarketStatus.closed)
        )
        .order_by(MarketDay.date)
        .first()
    )
)
_DAY_OF_CLUSTER = Prepared(
    lambda day_id, cluster_id: (
        MarketDay.select(*_DAY_COLUMNS)
        .where((MarketDay.id == day_id) & in_cluster(cluster_id))
        .first()
    )
)


_ALL_DAYS = Prepared(
    lambda cluster_id: (
        MarketDay.select(*_DAY_COLUMNS)
        .where(in_cluster(cluster_id))
        .order_by(MarketDay.date, ascending=False)
    )
)


async def all_market_days(cluster_id: int) -> list[dict[str, Any]]:
    return await _ALL_DAYS.run(cluster_id)


async def market_day(day_id: int, cluster_id: int) -> dict[str, Any]:
    """The day, if it is the cluster's; NotFound otherwise (another cluster's day too)."""
    if not fits_database(day_id):
        raise NotFound()
    day = await _DAY_OF_CLUSTER.run(day_id, cluster_id)
    if day is None:
        raise NotFound()
    return day


def check_market_day(
    date: dt.date | None, location: str, opens: dt.time | None, closes: dt.time | None
) -> str:
    """The cleaned place, or a MarketError naming every problem (a past date is one)."""
    location = location.strip()
    problems = []
    if date is None:
        problems.append("Give the date of the market.")
    elif date < today_uk():
        problems.append(f"{date:%-d %B %Y} is in the past: give the date of a coming market.")
    if not location or len(location) > 200:
        problems.append("Say where the market is (up to 200 characters).")
    if opens is None or closes is None or opens >= closes:
        problems.append("The market must open before it closes.")
    if problems:
        raise MarketError(" ".join(problems))
    return location


async def create_market_day(
    cluster_id: int,
    date: dt.date | None,
    location: str,
    opens: dt.time | None,
    closes: dt.time | None,
) -> int:
    """A new market day of the request's cluster."""
    location = check_market_day(date, location, opens, closes)
    rows = await MarketDay.insert(
        MarketDay(
            cluster=cluster_id,
            date=date,
            location=location,
            opens=opens,
            closes=closes,
            status=MarketStatus.planned,
        )
    ).returning(MarketDay.id)
    return rows[0]["id"]


async def advance_status(day_id: int, to: str, cluster_id: int) -> None:
    """planned → open → closed, one step at a time and never back."""
    day = await market_day(day_id, cluster_id)
    if NEXT_STATUS.get(MarketStatus(day["status"])) != to:
        raise MarketError(f"A {day['status']} market day cannot become {to}.")
    updated = (
        await MarketDay.update({MarketDay.status: to})
        .where((MarketDay.id == day_id) & (MarketDay.status == day["status"]))
        .returning(MarketDay.id)
    )
    if not updated:
        raise MarketError("Someone else changed this market day just now. Please look again.")


def team_in_cluster(cluster_id: int) -> Any:
    """The teams of one cluster's schools."""
    return Team.school.cluster == cluster_id


async def assign_stall(day_id: int, team_id: int | None, pitch: str, cluster_id: int) -> int:
    """A stall for one of the cluster's enterprise teams (another cluster's team is "not
    found" like a team that does not exist)."""
    day = await market_day(day_id, cluster_id)
    if day["status"] == MarketStatus.closed:
        raise MarketError("This market day is closed: no new stalls.")
    if team_id is not None and not fits_database(team_id):
        team_id = None
    team = (
        await Team.select(Team.id, Team.kind)
        .where((Team.id == (team_id or 0)) & team_in_cluster(cluster_id))
        .first()
    )
    if team is None or team["kind"] != TeamKind.enterprise:
        raise MarketError("Choose an enterprise team for the stall.")
    pitch = pitch.strip()
    if len(pitch) > 60:
        raise MarketError("Keep the pitch short (up to 60 characters).")
    async with write_transaction():
        if await Stall.exists().where((Stall.market_day == day_id) & (Stall.team == team_id)):
            raise MarketError("That team already has a stall on this day.")
        rows = await Stall.insert(Stall(market_day=day_id, team=team_id, pitch=pitch)).returning(
            Stall.id
        )
    return rows[0]["id"]


async def stalls_of_day(day_id: int) -> list[dict[str, Any]]:
    return await _STALLS_OF_DAY.run(day_id)


# Built once (`frozen.Prepared`): the admin's market-day page lists them on every view.
_ENTERPRISE_TEAMS = Prepared(
    lambda cluster_id: (
        Team.select(Team.id, Team.name, Team.school.name.as_alias("school_name"))
        .where((Team.kind == TeamKind.enterprise) & team_in_cluster(cluster_id))
        .order_by(Team.name)
    )
)


async def enterprise_teams(cluster_id: int) -> list[dict[str, Any]]:
    return await _ENTERPRISE_TEAMS.run(cluster_id)


ITEMS_PER_PAGE = 60


async def public_market_day(day_id: int, cluster_id: int, number: int = 1) -> dict[str, Any]:
    """The public page: each stall and what it brings, how many are left, a page of items at
    a time (stall by stall) with the true total. Four queries."""
    day = await market_day(day_id, cluster_id)
    stalls = await stalls_of_day(day_id)
    counts = {r["stall"]: r["count"] for r in await _ITEM_COUNTS.run(day_id)}
    items = await paginate(
        lambda size, offset: _items_page(size, offset).run(day_id),
        sum(counts.values()),
        number,
        size=ITEMS_PER_PAGE,
        path=f"/market-days/{day_id}",
    )
    by_stall = group_rows(items.items, "stall")
    for stall in stalls:
        stall["stock"] = by_stall.get(stall["id"], [])
    # A page shows the stalls whose items it holds; stalls still deciding show on the last.
    last = items.number == items.pages
    shown = [s for s in stalls if s["stock"] or (last and not counts.get(s["id"]))]
    return {"day": day, "stalls": shown, "page": items, "low_stock": LOW_STOCK}


# The day page's stalls, counts and pages of items, built once (`frozen.Prepared`; a page
# per size and offset): building their joined selects cost the page about 1 ms a view.
def _shown_items(day_id: Any) -> Any:
    return (
        (StallStock.stall.market_day == day_id)
        & (StallStock.brought > 0)
        & PRODUCT.public_where(StallStock.product)
    )


_STALLS_OF_DAY = Prepared(
    lambda day_id: (
        Stall.select(
            *_STALL_STATE,
            Stall.team.id.as_alias("team_id"),
            Stall.team.name.as_alias("team_name"),
            Stall.team.school.name.as_alias("school_name"),
        )
        .where(Stall.market_day == day_id)
        .order_by(Stall.team.name)
    )
)
_ITEM_COUNTS = Prepared(
    lambda day_id: (
        StallStock.select(StallStock.stall, Count())
        .where(_shown_items(day_id))
        .group_by(StallStock.stall)
    )
)
_ITEM_PAGES: dict[tuple[int, int], Prepared] = {}


def _items_page(size: int, offset: int) -> Prepared:
    if (size, offset) not in _ITEM_PAGES:
        _ITEM_PAGES[size, offset] = Prepared(
            lambda day_id: (
                StallStock.select(
                    StallStock.stall,
                    StallStock.brought,
                    StallStock.left,
                    StallStock.product.published_name.as_alias("name"),
                    StallStock.product.published_price_pence.as_alias("price_pence"),
                )
                .where(_shown_items(day_id))
                .order_by(StallStock.stall.team.name)
                .order_by(StallStock.stall)
                .order_by(StallStock.product.published_name)
                .order_by(StallStock.id)
                .limit(size)
                .offset(offset)
            )
        )
    return _ITEM_PAGES[size, offset]


async def market_day_page(cluster_id: int, number: int) -> Page:
    """A page of the cluster's market days, newest first, with the true total."""
    return await paginate(
        MarketDay.select(*_DAY_COLUMNS)
        .where(in_cluster(cluster_id))
        .order_by(MarketDay.date, ascending=False),
        await MarketDay.count().where(in_cluster(cluster_id)),
        number,
        path="/market-days",
    )


# ------------------------------------------------------------------ a team's stalls


async def team_for_worker_here(user: CurrentUser, team_id: int) -> dict[str, Any] | None:
    """`team_for_worker`, within the user's cluster: its members and its school's teachers are
    of it already; an admin only of their own cluster's teams (another's is "not found").
    `team_for_worker` looks the team up among the user's cluster's teams already, so only an
    admin without a cluster (the nightly job's stand-in) is refused here: no second query."""
    team = await team_for_worker(user, team_id)
    if team is not None and user.is_admin and user.cluster_id is None:
        return None
    return team


# Built once (`frozen.Prepared`): every page of a stall asks it.
_WORKER_STALL = Prepared(
    lambda stall_id, cluster_id: (
        Stall.select(*_WORKER_STALL_COLUMNS)
        .where((Stall.id == stall_id) & (Stall.market_day.cluster == cluster_id))
        .first()
    )
)


async def stall_for_worker(user: CurrentUser, stall_id: int) -> dict[str, Any]:
    """The stall, its day and team, if `user` may work for its team; NotFound otherwise.
    Only a stall of the user's cluster (the request's: a session is valid in its own only)."""
    if not fits_database(stall_id):
        raise NotFound()
    stall = await _WORKER_STALL.run(stall_id, user.cluster_id)
    if stall is None:
        raise NotFound()
    team = await team_for_worker(user, stall["team_id"])
    if team is None:
        raise NotFound()
    stall["team"] = team
    return stall
