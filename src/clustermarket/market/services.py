"""Market days, stalls and the stock each stall brings."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.query.functions.aggregate import Count

from clustermarket.accounts.services import CurrentUser, NotFound
from clustermarket.catalogue.tables import Product
from clustermarket.market import allowance
from clustermarket.market.tables import MarketDay, MarketStatus, Stall, StallStock
from clustermarket.moderation.content import PRODUCT
from clustermarket.rows import MAX_ROW_ID, group_rows
from clustermarket.schools.tables import Cluster
from clustermarket.teams.services import team_for_worker
from clustermarket.teams.tables import Team, TeamKind
from clustermarket.timeutil import today_uk
from clustermarket.transactions import write_transaction  # noqa: F401 (used here and by importers)
from clustermarket.web.pagination import Page, paginate

MAX_STOCK = 1000  # per product per stall: more than any school team makes in a month
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


async def next_market_day(cluster_id: int) -> dict[str, Any] | None:
    """The next market of this cluster (the request's) that is not over: today's or later."""
    return (
        await MarketDay.select(*_DAY_COLUMNS)
        .where(
            (MarketDay.cluster == cluster_id)
            & (MarketDay.date >= today_uk())
            & (MarketDay.status != MarketStatus.closed)
        )
        .order_by(MarketDay.date)
        .first()
    )


async def all_market_days() -> list[dict[str, Any]]:
    return await MarketDay.select(*_DAY_COLUMNS).order_by(MarketDay.date, ascending=False)


async def market_day(day_id: int) -> dict[str, Any]:
    if not fits_database(day_id):
        raise NotFound()
    day = await MarketDay.select(*_DAY_COLUMNS).where(MarketDay.id == day_id).first()
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
    date: dt.date | None, location: str, opens: dt.time | None, closes: dt.time | None
) -> int:
    location = check_market_day(date, location, opens, closes)
    cluster = await Cluster.select(Cluster.id).order_by(Cluster.id).first()
    rows = await MarketDay.insert(
        MarketDay(
            cluster=cluster["id"],
            date=date,
            location=location,
            opens=opens,
            closes=closes,
            status=MarketStatus.planned,
        )
    ).returning(MarketDay.id)
    return rows[0]["id"]


async def advance_status(day_id: int, to: str) -> None:
    """planned → open → closed, one step at a time and never back."""
    day = await market_day(day_id)
    if NEXT_STATUS.get(MarketStatus(day["status"])) != to:
        raise MarketError(f"A {day['status']} market day cannot become {to}.")
    updated = (
        await MarketDay.update({MarketDay.status: to})
        .where((MarketDay.id == day_id) & (MarketDay.status == day["status"]))
        .returning(MarketDay.id)
    )
    if not updated:
        raise MarketError("Someone else changed this market day just now. Please look again.")


async def assign_stall(day_id: int, team_id: int | None, pitch: str) -> int:
    day = await market_day(day_id)
    if day["status"] == MarketStatus.closed:
        raise MarketError("This market day is closed: no new stalls.")
    team = await Team.select(Team.id, Team.kind).where(Team.id == (team_id or 0)).first()
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
    return (
        await Stall.select(
            *_STALL_STATE,
            Stall.team.id.as_alias("team_id"),
            Stall.team.name.as_alias("team_name"),
            Stall.team.school.name.as_alias("school_name"),
        )
        .where(Stall.market_day == day_id)
        .order_by(Stall.team.name)
    )


async def enterprise_teams() -> list[dict[str, Any]]:
    return (
        await Team.select(Team.id, Team.name, Team.school.name.as_alias("school_name"))
        .where(Team.kind == TeamKind.enterprise)
        .order_by(Team.name)
    )


ITEMS_PER_PAGE = 60


async def public_market_day(day_id: int, number: int = 1) -> dict[str, Any]:
    """The public page: each stall and what it brings, how many are left, a page of items at
    a time (stall by stall) with the true total. Four queries."""
    day = await market_day(day_id)
    stalls = await stalls_of_day(day_id)
    where = (
        (StallStock.stall.market_day == day_id)
        & (StallStock.brought > 0)
        & PRODUCT.public_where(StallStock.product)
    )
    counts = {
        r["stall"]: r["count"]
        for r in await StallStock.select(StallStock.stall, Count())
        .where(where)
        .group_by(StallStock.stall)
    }
    items = await paginate(
        StallStock.select(
            StallStock.stall,
            StallStock.brought,
            StallStock.left,
            StallStock.product.published_name.as_alias("name"),
            StallStock.product.published_price_pence.as_alias("price_pence"),
        )
        .where(where)
        .order_by(StallStock.stall.team.name)
        .order_by(StallStock.stall)
        .order_by(StallStock.product.published_name)
        .order_by(StallStock.id),
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


async def market_day_page(number: int) -> Page:
    """A page of the market days, newest first, with the true total."""
    return await paginate(
        MarketDay.select(*_DAY_COLUMNS).order_by(MarketDay.date, ascending=False),
        await MarketDay.count(),
        number,
        path="/market-days",
    )


# ------------------------------------------------------------------ a team's stalls


# Built once: Piccolo deep-copies a column for every alias (this is on every sale's path).
async def stall_for_worker(user: CurrentUser, stall_id: int) -> dict[str, Any]:
    """The stall, its day and team, if `user` may work for its team; NotFound otherwise."""
    if not fits_database(stall_id):
        raise NotFound()
    stall = await Stall.select(*_WORKER_STALL_COLUMNS).where(Stall.id == stall_id).first()
    if stall is None:
        raise NotFound()
    team = await team_for_worker(user, stall["team_id"])
    if team is None:
        raise NotFound()
    stall["team"] = team
    return stall


async def stalls_of_team(team_id: int) -> list[dict[str, Any]]:
    return (
        await Stall.select(*_STALL_STATE, *_DAY_OF_STALL)
        .where(Stall.team == team_id)
        .order_by(Stall.market_day.date, ascending=False)
    )


async def stock_form(stall: dict[str, Any]) -> list[dict[str, Any]]:
    """Every product the team may sell, with what this stall brings of it (two queries)."""
    products = (
        await Product.select(
            Product.id,
            Product.published_name.as_alias("name"),
            Product.published_price_pence.as_alias("price_pence"),
        )
        .where((Product.team == stall["team_id"]) & PRODUCT.public_where())
        .order_by(Product.published_name)
    )
    stock = {
        row["product"]: row
        for row in await StallStock.select(
            StallStock.product,
            StallStock.brought,
            StallStock.left,
            StallStock.preorder_allowance,
            StallStock.preordered,
        ).where(StallStock.stall == stall["id"])
    }
    empty = {"brought": 0, "left": 0, "preorder_allowance": None, "preordered": 0}
    for product in products:
        row = stock.get(product["id"], empty)
        product["brought"], product["sold"] = row["brought"], row["brought"] - row["left"]
        product["allowance_set"] = row["preorder_allowance"]
        product["allowance"] = allowance.effective(row)
        product["preordered"] = row["preordered"]
    return products


def parse_count(raw: str, what: str, maximum: int) -> int:
    """A whole number from 0 to `maximum` typed in a form, or a MarketError naming `what`."""
    raw = (raw or "").strip() or "0"
    try:
        value = int(raw)
    except ValueError:
        raise MarketError(f"{what}: type a whole number, like 12.") from None
    if not 0 <= value <= maximum:
        raise MarketError(f"{what}: the number must be between 0 and {maximum}.")
    return value


async def set_stock(
    stall: dict[str, Any],
    quantities: dict[int, int],
    allowances: dict[int, int | None] | None = None,
) -> None:
    """Say how many of each product the stall brings, and how many of them may be pre-ordered
    (None: the default, half). All or nothing; never below what sold or was pre-ordered."""
    allowances = allowances or {}
    if stall["day_status"] == MarketStatus.closed or stall["closed_at"] is not None:
        raise MarketError("This stall is closed: its stock can no longer change.")
    products = {p["id"]: p for p in await stock_form(stall)}
    for product_id, brought in quantities.items():
        if product_id not in products:
            raise MarketError("One of those products is not your team's to sell.")
        if not 0 <= brought <= MAX_STOCK:
            raise MarketError(f"Bring between 0 and {MAX_STOCK} of each product.")
        if brought < products[product_id]["sold"]:
            raise MarketError(
                f"{products[product_id]['name']}: {products[product_id]['sold']} already sold, "
                "so the stall cannot have brought fewer."
            )
        allowance.check(products[product_id], brought, allowances.get(product_id))
    async with write_transaction():
        for product_id, brought in quantities.items():
            await _set_one_stock(stall["id"], product_id, brought, allowances.get(product_id))


async def _set_one_stock(
    stall_id: int, product_id: int, brought: int, pre_orders: int | None = None
) -> None:
    row = (
        await StallStock.select(StallStock.id, StallStock.brought)
        .where((StallStock.stall == stall_id) & (StallStock.product == product_id))
        .first()
    )
    if row is None:
        await StallStock.insert(
            StallStock(
                stall=stall_id,
                product=product_id,
                brought=brought,
                left=brought,
                preorder_allowance=pre_orders,
            )
        )
        return
    change = brought - row["brought"]
    # One conditional UPDATE: a sale or pre-order that lands meanwhile is never lost or oversold.
    updated = (
        await StallStock.update(
            {
                StallStock.brought: brought,
                StallStock.left: StallStock.left + change,
                StallStock.preorder_allowance: pre_orders,
            }
        )
        .where(
            (StallStock.id == row["id"])
            & (StallStock.left >= -change)
            & allowance.keeps_what_was_pre_ordered(brought, pre_orders)
        )
        .returning(StallStock.id)
    )
    if not updated:
        raise MarketError("More were sold or pre-ordered meanwhile than that. Please look again.")
