"""What bench/scale.py adds to the demo: a cluster's worth of years in bulk inserts (the sizes
of a full run and of a smoke run), and the bulk insert bench/scale_clusters_data.py uses too."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Size:
    teams_per_school: int
    products: int
    days: int
    stalls_per_day: int
    items_per_stall: int
    big_day_stalls: int
    big_day_items: int
    sales: int
    orders: int
    buyer_orders: int
    ideas: int
    comments: int
    projects: int
    log_rows: int


FULL = Size(20, 10_000, 300, 16, 8, 40, 26, 100_000, 3_000, 200, 2_000, 6_000, 2_000, 20_000)
SMOKE = Size(2, 300, 10, 4, 4, 6, 6, 2_000, 60, 35, 60, 120, 60, 300)


async def insert(table: Any, rows: list[dict[str, Any]], returning: bool = False) -> list[int]:
    """Bulk insert in chunks of a few hundred rows; the new ids when asked."""
    ids: list[int] = []
    for start in range(0, len(rows), 400):
        query = table.insert(*[table(**row) for row in rows[start : start + 400]])
        if returning:
            ids.extend(r["id"] for r in await query.returning(table.id))
        else:
            await query
    return ids


async def build_scale(size: Size, demo: dict[str, Any]) -> dict[str, int]:
    """Everything a few years of a busy cluster leave behind, in bulk inserts."""
    from clustermarket.accounts.tables import Role, User
    from clustermarket.catalogue.tables import ContentStatus, Product
    from clustermarket.market.tables import MarketDay, Sale, Stall, StallStock
    from clustermarket.moderation.tables import ModerationLog
    from clustermarket.orders.tables import BuyerAccount, Order, OrderLine
    from clustermarket.projects.tables import Project
    from clustermarket.schools.tables import Cluster, School
    from clustermarket.sharing.tables import Comment, Idea
    from clustermarket.teams.tables import Team

    rng = random.Random(17)
    stamp = dt.datetime.now(dt.UTC)
    cluster = (await Cluster.select(Cluster.id).first())["id"]
    schools = [r["id"] for r in await School.select(School.id).order_by(School.id)]
    users = {r["username"]: r for r in await User.select(User.id, User.username, User.school)}
    pupils = [r["id"] for r in await User.select(User.id).where(User.role == Role.pupil)]
    staff = users["staylor"]

    teams = await insert(
        Team,
        [
            {
                "school": school,
                "name": f"Scale team {school}-{n:02d}",
                "slug": f"scale-{school}-{n}",
                "kind": "enterprise" if n % 6 else "eco",
                "created_at": stamp,
            }
            for school in schools
            for n in range(size.teams_per_school)
        ],
        returning=True,
    )
    sellers = [t for i, t in enumerate(teams) if (i % size.teams_per_school) % 6]
    approved = {"status": ContentStatus.approved, "is_public": True}
    words = ["candle", "bird box", "tote bag", "jam", "card", "soap", "bookmark", "seeds"]
    products: dict[int, list[tuple[int, int]]] = {t: [] for t in sellers}
    rows = []
    for n in range(size.products):
        name = f"{rng.choice(words).title()} no. {n}"
        price = rng.randrange(50, 1500, 10)
        rows.append(
            {
                "team": sellers[n % len(sellers)],
                "name": name,
                "description": "Made by hand in our workshop.",
                "price_pence": price,
                "unit_cost_pence": price // 3,
                "published_name": name,
                "published_description": "Made by hand in our workshop.",
                "published_price_pence": price,
                "created_at": stamp,
                "updated_at": stamp,
                **approved,
            }
        )
    for row, product_id in zip(rows, await insert(Product, rows, returning=True), strict=True):
        products[row["team"]].append((product_id, row["price_pence"]))

    today = dt.date.today()
    days = await insert(
        MarketDay,
        [
            {
                "cluster": cluster,
                "date": today - dt.timedelta(days=7 * (n + 10)),
                "location": "Aylsham Market Place",
                "opens": dt.time(9),
                "closes": dt.time(13),
                "status": "closed",
            }
            for n in range(size.days - 2)  # the demo has two
        ],
        returning=True,
    )
    stall_rows = [
        {"market_day": day, "team": team, "float_pence": 2000}
        for day in days
        for team in rng.sample(sellers, min(size.stalls_per_day, len(sellers)))
    ]
    big = rng.sample(sellers, min(size.big_day_stalls, len(sellers)))
    stall_rows += [{"market_day": demo["day"], "team": team} for team in big]
    stall_ids = await insert(Stall, stall_rows, returning=True)
    stock_rows, on_sale = [], []
    for row, stall in zip(stall_rows, stall_ids, strict=True):
        count = size.big_day_items if row["market_day"] == demo["day"] else size.items_per_stall
        for product, price in products[row["team"]][:count]:
            stock_rows.append({"stall": stall, "product": product, "brought": 30, "left": 20})
            if row["market_day"] != demo["day"]:
                on_sale.append((stall, product, price, row["market_day"]))
    await insert(StallStock, stock_rows)
    day_dates = dict(
        zip(days, [today - dt.timedelta(days=7 * (n + 10)) for n in range(len(days))], strict=True)
    )

    sales = []
    for n in range(size.sales):
        stall, product, price, day = on_sale[n % len(on_sale)]
        quantity = 1 + n % 3
        when = dt.datetime.combine(day_dates[day], dt.time(10), dt.UTC) + dt.timedelta(
            seconds=n % 9000
        )
        ticket = str(uuid.uuid4())
        sales.append(
            {
                "client_id": ticket,
                "ticket": ticket,
                "stall": stall,
                "product": product,
                "quantity": quantity,
                "unit_price_pence": price,
                "amount_pence": price * quantity,
                "cost_pence": price // 3 * quantity,
                "method": "cash" if n % 3 else "card",
                "recorded_by": rng.choice(pupils),
                "recorded_at": when,
                "voided_at": when if n % 41 == 0 else None,
            }
        )
    await insert(Sale, sales)

    order_rows = []
    for n in range(size.orders):
        stall, product, price, day = on_sale[(n * 7) % len(on_sale)]
        order_rows.append(
            {
                "market_day": day,
                "token": uuid.uuid4().hex,
                "buyer_name": f"Buyer {n}",
                "buyer_email": f"buyer{n}@example.org",
                "status": "collected",
                "total_pence": price,
                "created_at": stamp - dt.timedelta(minutes=n),
                "updated_at": stamp,
                "_line": (stall, product, price),
            }
        )
    lines = [r.pop("_line") for r in order_rows]
    orders = await insert(Order, order_rows, returning=True)
    await insert(
        OrderLine,
        [
            {
                "order": order,
                "stall": stall,
                "product": product,
                "product_name": "Scale product",
                "quantity": 1,
                "unit_price_pence": price,
            }
            for order, (stall, product, price) in zip(orders, lines, strict=True)
        ],
    )
    buyer = users["jpatel"]["id"]
    await insert(
        BuyerAccount, [{"order": o, "account": buyer} for o in orders[: size.buyer_orders]]
    )

    ideas = await insert(
        Idea,
        [
            {
                "author": rng.choice(pupils),
                "school": rng.choice(schools),
                "tag": rng.choice(["enterprise", "eco", "general"]),
                "title": f"Idea number {n}",
                "body": "What if every stall sold something made from what others throw away?",
                "created_at": stamp - dt.timedelta(hours=n),
                **approved,
            }
            for n in range(size.ideas)
        ],
        returning=True,
    )
    await insert(
        Comment,
        [
            {
                "target_type": "idea",
                "target_id": rng.choice(ideas),
                "author": rng.choice(pupils),
                "school": rng.choice(schools),
                "body": "Good idea!",
                "created_at": stamp,
                **approved,
            }
            for _ in range(size.comments)
        ],
    )
    await insert(
        Project,
        [
            {
                "team": rng.choice(teams),
                "title": f"Project {n}",
                "summary": "What we made and learned.",
                "published_title": f"Project {n}",
                "published_summary": "What we made and learned.",
                "created_at": stamp,
                "updated_at": stamp,
                **approved,
            }
            for n in range(size.projects)
        ],
    )
    await insert(
        ModerationLog,
        [
            {
                "actor": staff["id"],
                "action": rng.choice(["approve", "reject", "hide"]),
                "subject_type": "product",
                "subject_id": n,
                "subject_label": f"Product {n}",
                "school": schools[n % len(schools)],
                "reason": "",
                "created_at": stamp - dt.timedelta(minutes=n),
            }
            for n in range(size.log_rows)
        ],
    )
    from clustermarket.settings import get_settings
    from piccolo_conf import DB

    if get_settings().is_postgres:
        # What autovacuum does within a minute of a bulk load (PostgreSQL 13+ vacuums tables
        # that only had inserts too): statistics, and the visibility map that lets a count
        # read an index alone.
        await DB.run_ddl("VACUUM ANALYZE")
    return {
        "products": await Product.count(),
        "sales": await Sale.count(),
        "market days": await MarketDay.count(),
        "stalls": await Stall.count(),
        "stall items": await StallStock.count(),
        "orders": await Order.count(),
        "ideas": await Idea.count(),
        "comments": await Comment.count(),
        "projects": await Project.count(),
        "moderation log": await ModerationLog.count(),
    }
