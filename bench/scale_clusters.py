"""Benchmark: do the pages stay flat with 300 clusters on one installation? (issue 15, item 5)

Loads the demo data into a fresh database, serves the app (uvicorn, one worker, on a free
127.0.0.1 port) with CLUSTER_ROUTING=host and times every page of the demo cluster: public
signed out, and signed in as a pupil, a teacher, the cluster admin and a platform admin
(/platform/clusters), with the SQL statements each sends, beside a bare Litestar route. Then
bulk-inserts 299 more clusters of 10 schools and 50 products each (their accounts, teams,
market days, stalls, sales, orders, ideas, projects and moderation log rows) and times the
same pages again, for the demo cluster and for one of the new clusters (on its own host).
Prints per page: demo time, the two scale times, their ratios, queries and server CPU.

    .venv/bin/python bench/scale_clusters.py                      # a fresh SQLite database
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scale300 \\
        .venv/bin/python bench/scale_clusters.py                  # PostgreSQL: WIPED first
    .venv/bin/python bench/scale_clusters.py --smoke              # 5 clusters, a few pages

Options: --clusters N (300 in all, the demo's included); REPEAT (15 timed requests per page,
the median is shown). Uses bench/scale.py's database, server and timing helpers. Only ever
talks to 127.0.0.1 (cluster host names travel in the Host header).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (the one-cluster scale bench: same helpers)
from signed_in import BARE_APP  # noqa: E402

DEMO_HOST = "aylsham.bench.test"
PASSWORD = "bench-cluster-password-1"
SCHOOLS, PRODUCTS = 10, 50  # per new cluster
# Per new cluster: the proportions of a small cluster's first term.
DAYS, SALES, ORDERS, IDEAS, COMMENTS, PROJECTS, LOG_ROWS = 3, 100, 10, 5, 10, 10, 20

# (label, role, path); {day}, {product}, {team}, {stall} are filled in per cluster.
PAGES = [
    ("home", None, "/"),
    ("schools", None, "/schools"),
    ("product list", None, "/products"),
    ("product page", None, "/products/{product}"),
    ("project list", None, "/projects"),
    ("team page", None, "/teams/{team}"),
    ("market days", None, "/market-days"),
    ("market day (next)", None, "/market-days/{day}"),
    ("pre-order shop (next)", None, "/market-days/{day}/pre-order"),
    ("events", None, "/events"),
    ("dashboard (pupil)", "pupil", "/dashboard"),
    ("ideas board", "pupil", "/ideas"),
    ("stall screen", "pupil", "/stalls/{stall}"),
    ("dashboard (teacher)", "teacher", "/dashboard"),
    ("moderation queue", "teacher", "/moderation"),
    ("moderation log (teacher)", "teacher", "/moderation/log"),
    ("staff orders (teacher)", "teacher", "/staff/orders"),
    ("report teams (teacher)", "teacher", "/reports?report=teams"),
    ("dashboard (admin)", "admin", "/dashboard"),
    ("market days (admin)", "admin", "/admin/market-days"),
    ("cluster set-up (admin)", "admin", "/admin/cluster"),
    ("staff orders (admin)", "admin", "/staff/orders"),
    ("report schools (admin)", "admin", "/reports?report=schools"),
    ("CSV teams (admin)", "admin", "/reports/teams/csv"),
    ("platform clusters", "platform", "/platform/clusters"),
]
SMOKE_PAGES = {"home", "product list", "dashboard (pupil)", "report schools (admin)"}
SMOKE_PAGES.add("platform clusters")


def _people(slug: str | None) -> dict[str, tuple[str, str]]:
    """Who signs in: the demo's own people, or a new cluster's (the same password for all)."""
    if slug is None:
        return {**scale.ROLES, "platform": ("platform", PASSWORD)}
    return {role: (role, PASSWORD) for role in ("admin", "teacher", "pupil")}


async def _prepare_demo() -> None:
    """The demo cluster gets a host (CLUSTER_ROUTING=host) and a platform admin."""
    from clustermarket.accounts.services import create_user
    from clustermarket.accounts.tables import Role
    from clustermarket.schools.tables import Cluster

    first = await Cluster.select(Cluster.id).order_by(Cluster.id).first()
    await Cluster.update({Cluster.host: DEMO_HOST}).where(Cluster.id == first["id"])
    await create_user(
        username="platform",
        password=PASSWORD,
        role=Role.platform,
        first_name="Pat",
        last_name="Lee",
        cluster_id=first["id"],
    )


async def _cluster_ids(slug: str | None) -> dict[str, Any]:
    """The cluster's host and the rows its pages name: a product, a team, the next market
    day and the pupil's stall on it."""
    from clustermarket.catalogue.tables import Product
    from clustermarket.market.services import next_market_day
    from clustermarket.market.tables import Stall
    from clustermarket.schools.tables import Cluster
    from clustermarket.teams.tables import Team, TeamMember

    query = Cluster.select(Cluster.id, Cluster.host).order_by(Cluster.id)
    cluster = await (query.where(Cluster.slug == slug) if slug else query).first()
    in_cluster = Product.team.school.cluster == cluster["id"]
    product = (
        await Product.select(Product.id).where(in_cluster & (Product.is_public == True)).first()
    )  # noqa: E712
    team = (
        await Team.select(Team.slug)
        .where((Team.school.cluster == cluster["id"]) & (Team.kind == "enterprise"))
        .order_by(Team.id)
        .first()
    )
    day = await next_market_day(cluster["id"])
    pupil = "ameliab" if slug is None else "pupil"
    member = (
        await TeamMember.select(TeamMember.team)
        .where((TeamMember.user.username == pupil) & (TeamMember.user.cluster == cluster["id"]))
        .first()
    )
    stall = (
        await Stall.select(Stall.id)
        .where((Stall.team == member["team"]) & (Stall.market_day == day["id"]))
        .first()
    )
    return {
        "host": cluster["host"],
        "product": product["id"],
        "team": team["slug"],
        "day": day["id"],
        "stall": stall["id"],
    }


async def _build_clusters(count: int) -> dict[str, int]:
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

    insert = scale._insert
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


def _pages(ids: dict[str, Any], smoke: bool, platform: bool) -> list[tuple[str, str | None, str]]:
    return [
        (label, role, path.format(**ids))
        for label, role, path in PAGES
        if (not smoke or label in SMOKE_PAGES) and (platform or role != "platform")
    ]


def _time(pages: list, people: dict, host: str) -> dict:
    server = scale.Server()
    try:
        return scale._measure(server.base, pages, server, people, host, uncached=True)
    finally:
        server.stop()


def _bare(folder: Path) -> dict:
    (folder / "bare_app.py").write_text(BARE_APP)
    server = scale.Server("bare_app:app", folder)
    try:
        return scale._measure(server.base, [("bare Litestar route", None, "/")], server)
    finally:
        server.stop()


def _table(demo: dict, scale_demo: dict, scale_new: dict, bare: dict) -> str:
    lines = [
        "| page | demo ms | scale ms (demo cluster) | ratio | scale ms (new cluster) | ratio "
        "| CPU ms demo / scale / new | queries demo/scale/new |",
        "|---|---|---|---|---|---|---|---|",
    ]
    b = bare["bare Litestar route"]
    lines.append(f"| bare Litestar route | {b['ms']:.1f} | | | | | {b['cpu_ms']:.1f} | 0 |")
    for label, d in demo.items():
        s, n = scale_demo.get(label), scale_new.get(label)
        cells = [f"{d['ms']:.1f}"]
        for other in (s, n):
            cells += [f"{other['ms']:.1f}", f"{other['ms'] / d['ms']:.2f}"] if other else ["—", ""]
        cpu = " / ".join(f"{x['cpu_ms']:.1f}" if x else "—" for x in (d, s, n))
        queries = "/".join(str(x["queries"]) if x else "—" for x in (d, s, n))
        lines.append(f"| {label} | {' | '.join(cells)} | {cpu} | {queries} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="5 clusters and a few pages")
    parser.add_argument("--clusters", type=int, help="clusters in all (300; smoke: 5)")
    args = parser.parse_args()
    if args.smoke:
        scale.REPEAT = 2
    elif "REPEAT" not in os.environ:
        scale.REPEAT = 15  # CPU from /proc comes in 10 ms ticks: 0.7 ms per request over 15
    total = args.clusters or (5 if args.smoke else 300)
    with tempfile.TemporaryDirectory(prefix="scale-clusters-") as scratch:
        folder = Path(scratch)
        url = scale._prepare_environment(folder)
        os.environ["CLUSTER_ROUTING"] = "host"
        engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        asyncio.run(scale._fresh_demo())
        asyncio.run(_prepare_demo())
        ids = asyncio.run(_cluster_ids(None))
        pages = _pages(ids, args.smoke, platform=True)
        print(
            f"# {engine}, CLUSTER_ROUTING=host, {scale.REPEAT} timed requests per page "
            "(median), one worker",
            flush=True,
        )
        bare = _bare(folder)
        demo = _time(pages, _people(None), ids["host"])
        started = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):
            counts = asyncio.run(_build_clusters(total - 1))
        built = time.perf_counter() - started
        print(f"built in {built:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        scale_demo = _time(pages, _people(None), ids["host"])
        slug = f"bench-{total // 2}"
        new_ids = asyncio.run(_cluster_ids(slug))
        new_pages = _pages(new_ids, args.smoke, platform=False)
        scale_new = _time(new_pages, _people(slug), new_ids["host"])
        print(f"new cluster: {slug} at {new_ids['host']}")
        print(_table(demo, scale_demo, scale_new, bare))


if __name__ == "__main__":
    main()
