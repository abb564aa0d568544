"""A market day with an enterprise team's stall, made straight in the database for tests."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from clustermarket.accounts.tables import Role
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.market.tables import MarketDay, MarketStatus, Stall, StallStock
from clustermarket.schools.tables import Cluster
from clustermarket.teams.tables import MemberRole, Team, TeamKind, TeamMember
from clustermarket.timeutil import now, today_uk
from tests.conftest import make_user, post_form, school_id


@dataclass
class Market:
    day: int
    team: int
    stall: int
    candle: int  # £4.50, costs £1.80
    tote: int  # £6.00, costs £2.50


async def make_team(slug: str, school: str = "aylsham-high", members: tuple[str, ...] = ()) -> int:
    rows = await Team.insert(
        Team(
            school=await school_id(school),
            name=slug.replace("-", " ").title(),
            slug=slug,
            kind=TeamKind.enterprise,
            created_at=now(),
        )
    ).returning(Team.id)
    for username in members:
        user = await make_user(username, school=school)
        await TeamMember.insert(TeamMember(team=rows[0]["id"], user=user, role=MemberRole.member))
    return rows[0]["id"]


async def make_product(team: int, name: str, price: int, cost: int, public: bool = True) -> int:
    rows = await Product.insert(
        Product(
            team=team,
            name=name,
            price_pence=price,
            unit_cost_pence=cost,
            status=ContentStatus.approved if public else ContentStatus.draft,
            published_name=name if public else "",
            published_price_pence=price if public else None,
            is_public=public,
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Product.id)
    return rows[0]["id"]


async def first_cluster() -> int:
    """The installation's one cluster (the seeded Aylsham), as single routing serves it."""
    return (await Cluster.select(Cluster.id).order_by(Cluster.id).first())["id"]


async def make_day(status: MarketStatus = MarketStatus.open, date: dt.date | None = None) -> int:
    rows = await MarketDay.insert(
        MarketDay(
            cluster=await first_cluster(),
            date=date or today_uk(),
            location="Aylsham Market Place",
            opens=dt.time(9),
            closes=dt.time(13),
            status=status,
        )
    ).returning(MarketDay.id)
    return rows[0]["id"]


async def make_stall(
    day: int,
    team: int,
    stock: dict[int, int],
    float_pence: int | None = 2000,
    pre_orders: dict[int, int | None] | None = None,
) -> int:
    """`pre_orders`: each product's pre-order allowance (None: the default, half); products
    not named may be pre-ordered in full, as the tests written before the allowance expect."""
    opened = {"float_pence": float_pence, "opened_at": now()} if float_pence is not None else {}
    rows = await Stall.insert(Stall(market_day=day, team=team, **opened)).returning(Stall.id)
    stall = rows[0]["id"]
    for product, count in stock.items():
        allowance = (pre_orders or {}).get(product, count)
        await StallStock.insert(
            StallStock(
                stall=stall,
                product=product,
                brought=count,
                left=count,
                preorder_allowance=allowance,
            )
        )
    return stall


async def open_market(
    candles: int = 10,
    totes: int = 5,
    status: MarketStatus = MarketStatus.open,
    members: tuple[str, ...] = ("ameliab",),
    float_pence: int | None = 2000,
    pre_orders: dict[str, int | None] | None = None,
) -> Market:
    """Aylsham Makers (pupil `ameliab`) at an open market day with an opened stall.
    `pre_orders`: {"candle"/"tote": allowance}; not named: all may be pre-ordered."""
    team = await make_team("aylsham-makers", members=members)
    candle = await make_product(team, "Beeswax candle", 450, 180)
    tote = await make_product(team, "Printed tote bag", 600, 250)
    day = await make_day(status)
    ids = {"candle": candle, "tote": tote}
    allowances = {ids[name]: n for name, n in (pre_orders or {}).items()}
    stall = await make_stall(day, team, {candle: candles, tote: totes}, float_pence, allowances)
    return Market(day=day, team=team, stall=stall, candle=candle, tote=tote)


async def make_teacher(username: str = "staylor", school: str = "aylsham-high") -> int:
    return await make_user(username, role=Role.teacher, school=school, first_name="Sarah")


def new_sale_id() -> str:
    return str(uuid.uuid4())


def sale_ids_on(page: str) -> dict[str, str]:
    """product id → the sale id the page made for its next tap."""
    pairs = re.findall(
        r'name="sale_id" value="([0-9a-f-]{36})">\s*'
        r'<input type="hidden" name="product_id" value="(\d+)"',
        page,
    )
    return {product: sale for sale, product in pairs}


async def left_of(stall: int, product: int) -> int:
    row = (
        await StallStock.select(StallStock.left)
        .where((StallStock.stall == stall) & (StallStock.product == product))
        .first()
    )
    return row["left"]


HTMX = {"HX-Request": "true"}


async def tap(client, stall, product, method="cash", quantity="1", sale_id=None, htmx=False):
    """One tap on the stall screen, as a phone sends it (htmx) or a plain form post."""
    return await post_form(
        client,
        f"/stalls/{stall}/sales",
        {
            "sale_id": sale_id or new_sale_id(),
            "product_id": str(product),
            "quantity": quantity,
            "method": method,
        },
        headers=HTMX if htmx else {},
    )
