"""The 299 more clusters bench/scale_clusters.py times the pages among: bulk inserts of their
schools, accounts, teams, products, market days, stalls, sales, orders, ideas, projects and
moderation log rows, in the proportions of a small cluster's first term."""

from __future__ import annotations

import datetime as dt
import random
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_data import insert  # noqa: E402

PASSWORD = "bench-cluster-password-1"  # every new cluster's accounts, and the platform admin
SCHOOLS, PRODUCTS = 10, 50  # per new cluster
# Per new cluster: the proportions of a small cluster's first term.
DAYS, SALES, ORDERS, IDEAS, COMMENTS, PROJECTS, LOG_ROWS = 3, 100, 10, 5, 10, 10, 20


async def build_clusters(count: int) -> dict[str, int]:
    """`count` new clusters, each as the module's constants say, in bulk inserts."""
    from clustermarket.accounts.passwords import hash_password
    from clustermarket.accounts.tables import Role, User
    from clustermarket.catalogue.tables import ContentStatus, Product
    from clustermarket.market.tables import MarketDay, Sale, Stall, StallStock
    from clustermarket.moderation.tables import ModerationLog
    from clustermarket.orders.tables import Order, OrderLine
    from clustermarket.projects.tables import Project
    from clustermarket.schools.tables import Cluster, School
    from clustermarket.sharing.tables import Comment, Idea
    from clustermarket.teams.tables import MemberRole, Team, TeamMember

    rng = random.Random(300)
    stamp = dt.datetime.now(dt.UTC)
    today = dt.date.today()
    password_hash = await hash_password(PASSWORD)
    approved = {"status": ContentStatus.approved, "is_public": True}
    start = await Cluster.count()
    clusters = await insert(
        Cluster,
        [
            {"name": f"Bench Cluster {n}", "slug": f"bench-{n}", "host": f"bench-{n}.bench.test"}
            for n in range(start, start + count)
        ],
        returning=True,
    )
    phases = ["infant", "junior", "primary", "high"]
    school_rows = [
        {"cluster": c, "name": f"School {k} of {c}", "slug": f"b{c}-s{k}", "phase": phases[k % 4]}
        for c in clusters
        for k in range(SCHOOLS)
    ]
    schools = await insert(School, school_rows, returning=True)
    user_rows = []
    for c in clusters:
        user_rows.append({"cluster": c, "username": "admin", "role": Role.admin})
    for index, (row, school) in enumerate(zip(school_rows, schools, strict=True)):
        c, k = row["cluster"], index % SCHOOLS
        user_rows.append(
            {"cluster": c, "school": school, "username": "teacher" if k == 0 else f"t{k}"}
            | {"role": Role.teacher}
        )
        for p in range(2):
            name = "pupil" if k == 0 and p == 0 else f"p{k}-{p}"
            user_rows.append({"cluster": c, "school": school, "username": name, "role": Role.pupil})
    for row in user_rows:
        row |= {"password_hash": password_hash, "first_name": "Bench", "last_name": "User"}
        row["created_at"] = stamp
    users = await insert(User, user_rows, returning=True)
    # Each school's teacher and its two pupils, by school, and the pupils by cluster.
    by_school: dict[int, list[int]] = {}
    pupils_of: dict[int, list[int]] = {}
    for row, user in zip(user_rows, users, strict=True):
        if row.get("school"):
            by_school.setdefault(row["school"], []).append(user)
        if row["role"] == Role.pupil:
            pupils_of.setdefault(row["cluster"], []).append(user)

    team_rows = [
        {
            "school": school,
            "name": f"Team {kind} {school}",
            "slug": f"b{row['cluster']}-{school}-{kind}",
            "kind": kind,
            "created_at": stamp,
        }
        for row, school in zip(school_rows, schools, strict=True)
        for kind in ("enterprise", "eco")
    ]
    teams = await insert(Team, team_rows, returning=True)
    members, sellers = [], {}
    for row, team in zip(team_rows, teams, strict=True):
        teacher, *pupils = by_school[row["school"]]
        members.append({"team": team, "user": teacher, "role": MemberRole.supervisor})
        if row["kind"] == "enterprise":
            sellers.setdefault(row["school"], team)
            members += [{"team": team, "user": p, "role": MemberRole.leader} for p in pupils]
    await insert(TeamMember, members)

    cluster_of_school = {s: r["cluster"] for r, s in zip(school_rows, schools, strict=True)}
    product_rows = []
    for school, team in sellers.items():
        for n in range(PRODUCTS // SCHOOLS):
            name = f"{rng.choice(['Candle', 'Jam', 'Soap', 'Card'])} {school}-{n}"
            price = rng.randrange(50, 1500, 10)
            product_rows.append(
                {"team": team, "name": name, "description": "Made by hand.", "price_pence": price}
                | {"unit_cost_pence": price // 3, "published_name": name}
                | {"published_description": "Made by hand.", "published_price_pence": price}
                | {"created_at": stamp, "updated_at": stamp, **approved}
            )
    products = await insert(Product, product_rows, returning=True)
    team_products: dict[int, list[tuple[int, int]]] = {}
    for row, product in zip(product_rows, products, strict=True):
        team_products.setdefault(row["team"], []).append((product, row["price_pence"]))

    dates = [today + dt.timedelta(days=14)] + [
        today - dt.timedelta(days=28 * n) for n in range(1, DAYS)
    ]
    day_rows = [
        {"cluster": c, "date": date, "location": "Market Place", "opens": dt.time(9)}
        | {"closes": dt.time(13), "status": "planned" if n == 0 else "closed"}
        for c in clusters
        for n, date in enumerate(dates)
    ]
    days = await insert(MarketDay, day_rows, returning=True)
    stall_rows = [
        {"market_day": day, "team": team, "float_pence": 2000}
        for row, day in zip(day_rows, days, strict=True)
        for school, team in sellers.items()
        if cluster_of_school[school] == row["cluster"]
    ]
    stalls = await insert(Stall, stall_rows, returning=True)
    stock, on_sale = [], {}
    for row, stall in zip(stall_rows, stalls, strict=True):
        for product, price in team_products[row["team"]]:
            stock.append({"stall": stall, "product": product, "brought": 30, "left": 20})
            on_sale.setdefault(row["market_day"], []).append((stall, product, price))
    await insert(StallStock, stock)

    closed = {
        d: r["cluster"] for r, d in zip(day_rows, days, strict=True) if r["status"] != "planned"
    }
    day_of_stall = {s: r["market_day"] for r, s in zip(stall_rows, stalls, strict=True)}
    past: dict[int, list[tuple[int, int, int]]] = {c: [] for c in clusters}
    for day, items in on_sale.items():
        if day in closed:
            past[closed[day]].extend(items)
    sales, order_rows, lines = [], [], []
    for c in clusters:
        for n in range(SALES):
            stall, product, price = past[c][n % len(past[c])]
            ticket = str(uuid.uuid4())
            when = stamp - dt.timedelta(days=28, seconds=n)
            sales.append(
                {"client_id": ticket, "ticket": ticket, "stall": stall, "product": product}
                | {"quantity": 1, "unit_price_pence": price, "amount_pence": price}
                | {"cost_pence": price // 3, "method": "cash" if n % 3 else "card"}
                | {"recorded_by": rng.choice(pupils_of[c]), "recorded_at": when}
            )
        for n in range(ORDERS):
            stall, product, price = past[c][(n * 7) % len(past[c])]
            order_rows.append(
                {
                    "market_day": day_of_stall[stall],
                    "token": uuid.uuid4().hex,
                    "buyer_name": f"Buyer {n}",
                }
                | {"buyer_email": f"buyer{n}@example.org", "status": "collected"}
                | {"total_pence": price, "created_at": stamp, "updated_at": stamp}
            )
            lines.append((stall, product, price))
    await insert(Sale, sales)
    orders = await insert(Order, order_rows, returning=True)
    await insert(
        OrderLine,
        [
            {"order": o, "stall": s, "product": p, "product_name": "Bench product"}
            | {"quantity": 1, "unit_price_pence": price}
            for o, (s, p, price) in zip(orders, lines, strict=True)
        ],
    )

    school_list = {c: [s for s in schools if cluster_of_school[s] == c] for c in clusters}
    idea_rows = [
        {"author": rng.choice(pupils_of[c]), "school": rng.choice(school_list[c])}
        | {"tag": "eco", "title": f"Idea {n}", "body": "Sell what others throw away?"}
        | {"created_at": stamp - dt.timedelta(hours=n), **approved}
        for c in clusters
        for n in range(IDEAS)
    ]
    ideas = await insert(Idea, idea_rows, returning=True)
    await insert(
        Comment,
        [
            {"target_type": "idea", "target_id": idea, "author": row["author"]}
            | {"school": row["school"], "body": "Good idea!", "created_at": stamp, **approved}
            for row, idea in zip(idea_rows, ideas, strict=True)
            for _ in range(COMMENTS // IDEAS)
        ],
    )
    await insert(
        Project,
        [
            {"team": team, "title": f"Project {n}", "summary": "What we made."}
            | {"published_title": f"Project {n}", "published_summary": "What we made."}
            | {"created_at": stamp, "updated_at": stamp, **approved}
            for n, team in enumerate(rng.sample(teams, min(len(teams), PROJECTS * count)))
        ],
    )
    await insert(
        ModerationLog,
        [
            {"actor": by_school[school][0], "action": "approve", "subject_type": "product"}
            | {"subject_id": n, "subject_label": f"Product {n}", "school": school}
            | {"reason": "", "created_at": stamp - dt.timedelta(minutes=n)}
            for school in schools
            for n in range(LOG_ROWS // SCHOOLS)
        ],
    )
    await _analyze()
    return {
        "clusters": await Cluster.count(),
        "schools": await School.count(),
        "accounts": await User.count(),
        "teams": await Team.count(),
        "products": await Product.count(),
        "market days": await MarketDay.count(),
        "stalls": await Stall.count(),
        "sales": await Sale.count(),
        "orders": await Order.count(),
    }


async def _analyze() -> None:
    """Fresh planner statistics, as autovacuum (PostgreSQL) or the app's start-up (SQLite)
    would have after a bulk load."""
    from clustermarket.settings import get_settings
    from piccolo_conf import DB

    await DB.run_ddl("VACUUM ANALYZE" if get_settings().is_postgres else "ANALYZE")
