"""Benchmark: do pages and reports stay flat at scale? Not a test; run it by hand.

Loads the demo data into a fresh database, serves the app (uvicorn, one worker, on a free
127.0.0.1 port) and times every list page and report, each signed in as the role that uses
it, with the number of SQL statements each sends. Then stops the server, adds a cluster's
worth of years in bulk inserts (10,000 products, 100,000 sales, 300 market days, with
proportional teams, stalls, orders, ideas, comments, projects and moderation log rows),
starts the server again and times the same pages. Prints per page: demo time, scale time,
their ratio, queries demo/scale and server CPU per request at scale.

    .venv/bin/python bench/scale.py                      # a fresh SQLite database
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scale \\
        .venv/bin/python bench/scale.py                  # PostgreSQL: the database is WIPED
    .venv/bin/python bench/scale.py --smoke              # a small set and a few pages

Options (environment): REPEAT (7: timed requests per page, the median is shown).
A PostgreSQL database is wiped first, so its name must contain "bench" or "test".
Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
REPEAT = int(os.environ.get("REPEAT", "7"))
TICKS = os.sysconf("SC_CLK_TCK")


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

# (label, role, path); {day}, {product}, {team} are filled in from the demo data.
PAGES = [
    ("home", None, "/"),
    ("product list", None, "/products"),
    ("product list, page 2", None, "/products?page=2"),
    ("product search", None, "/products?q=candle"),
    ("product page", None, "/products/{product}"),
    ("project list", None, "/projects"),
    ("market days", None, "/market-days"),
    ("market day (next)", None, "/market-days/{day}"),
    ("pre-order shop (next)", None, "/market-days/{day}/pre-order"),
    ("team page", None, "/teams/{team}"),
    ("ideas board", "pupil", "/ideas"),
    ("ideas, most discussed", "pupil", "/ideas?order=discussed"),
    ("my orders", "buyer", "/my/orders"),
    ("staff orders (teacher)", "teacher", "/staff/orders"),
    ("staff orders (admin)", "admin", "/staff/orders"),
    ("moderation log (teacher)", "teacher", "/moderation/log"),
    ("moderation log (admin)", "admin", "/moderation/log"),
    ("report teams (teacher)", "teacher", "/reports?report=teams"),
    ("report teams", "admin", "/reports?report=teams"),
    ("report schools", "admin", "/reports?report=schools"),
    ("report products", "admin", "/reports?report=products"),
    ("report methods", "admin", "/reports?report=methods"),
    ("report member prices", "admin", "/reports?report=member-prices"),
    ("CSV teams", "admin", "/reports/teams/csv"),
    ("CSV schools", "admin", "/reports/schools/csv"),
    ("CSV products", "admin", "/reports/products/csv"),
    ("CSV methods", "admin", "/reports/methods/csv"),
    ("CSV member prices", "admin", "/reports/member-prices/csv"),
]
SMOKE_PAGES = {"home", "product list", "market day (next)", "report teams", "CSV teams"}

# The demo's people (src/clustermarket/demo.py).
ROLES = {
    "admin": ("admin", "cluster-admin-demo"),
    "teacher": ("staylor", "teacher-demo-1"),
    "pupil": ("ameliab", "apple-otter-12"),
    "buyer": ("jpatel", "parent-demo-1"),
}


# ------------------------------------------------------------------ the database


def _prepare_environment(data_dir: Path) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        name = url.rsplit("/", 1)[-1]
        if "bench" not in name and "test" not in name:
            sys.exit(f"Refusing to wipe {name!r}: use a database named *bench* or *test*.")
    else:
        url = f"sqlite:///{data_dir}/scale.sqlite3"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DATA_DIR": str(data_dir),
            "APP_ENV": "development",
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "PASSWORD_HASH_PROFILE": "fast",
            "JOBS_IN_APP": "0",
            "LOGIN_LIMIT_PER_ADDRESS": "1000",
            "LOGIN_LIMIT_PER_USERNAME": "1000",
        }
    )
    os.environ.pop("REDIS_URL", None)
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    return url


async def _fresh_demo() -> None:
    from clustermarket.db import migrate
    from clustermarket.demo import load_demo_data
    from clustermarket.settings import get_settings
    from piccolo_conf import DB

    settings = get_settings()
    if settings.is_postgres:
        await DB.run_ddl("DROP SCHEMA public CASCADE")
        await DB.run_ddl("CREATE SCHEMA public")
    with contextlib.redirect_stdout(io.StringIO()):  # the migrations' progress lines
        await migrate(settings)
        await load_demo_data()


async def _migrate() -> None:
    from clustermarket.db import migrate
    from clustermarket.settings import get_settings

    with contextlib.redirect_stdout(io.StringIO()):
        await migrate(get_settings())


async def _demo_ids() -> dict[str, Any]:
    from clustermarket.catalogue.tables import Product
    from clustermarket.market.services import next_market_day
    from clustermarket.teams.tables import Team

    product = await Product.select(Product.id).where(Product.is_public == True).first()  # noqa: E712
    team = await Team.select(Team.slug).where(Team.kind == "enterprise").order_by(Team.id).first()
    from clustermarket.schools.tables import Cluster

    first = await Cluster.select(Cluster.id).order_by(Cluster.id).first()
    day = await next_market_day(first["id"])
    return {"product": product["id"], "team": team["slug"], "day": day["id"]}


async def _insert(table: Any, rows: list[dict[str, Any]], returning: bool = False) -> list[int]:
    """Bulk insert in chunks of a few hundred rows; the new ids when asked."""
    ids: list[int] = []
    for start in range(0, len(rows), 400):
        query = table.insert(*[table(**row) for row in rows[start : start + 400]])
        if returning:
            ids.extend(r["id"] for r in await query.returning(table.id))
        else:
            await query
    return ids


async def _build_scale(size: Size, demo: dict[str, Any]) -> dict[str, int]:
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

    teams = await _insert(
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
    for row, product_id in zip(rows, await _insert(Product, rows, returning=True), strict=True):
        products[row["team"]].append((product_id, row["price_pence"]))

    today = dt.date.today()
    days = await _insert(
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
    stall_ids = await _insert(Stall, stall_rows, returning=True)
    stock_rows, on_sale = [], []
    for row, stall in zip(stall_rows, stall_ids, strict=True):
        count = size.big_day_items if row["market_day"] == demo["day"] else size.items_per_stall
        for product, price in products[row["team"]][:count]:
            stock_rows.append({"stall": stall, "product": product, "brought": 30, "left": 20})
            if row["market_day"] != demo["day"]:
                on_sale.append((stall, product, price, row["market_day"]))
    await _insert(StallStock, stock_rows)
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
    await _insert(Sale, sales)

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
    orders = await _insert(Order, order_rows, returning=True)
    await _insert(
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
    await _insert(
        BuyerAccount, [{"order": o, "account": buyer} for o in orders[: size.buyer_orders]]
    )

    ideas = await _insert(
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
    await _insert(
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
    await _insert(
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
    await _insert(
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


# ------------------------------------------------------------------ the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, app: str = "scale_app:app", app_dir: Path = ROOT / "bench") -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                "--app-dir",
                str(app_dir),
                "--port",
                str(self.port),
                "--host",
                "127.0.0.1",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL if not os.environ.get("BENCH_VERBOSE") else None,
        )
        for _ in range(300):
            try:
                httpx.get(self.base + "/health", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        sys.exit("The server did not start.")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _sign_in(
    base: str,
    role: str | None,
    people: dict[str, tuple[str, str]] = ROLES,
    host: str = "",
    uncached: bool = False,
) -> httpx.Client:
    """A client signed in as `role` (one of `people`), speaking to `host` when given; a
    visitor's with `uncached` carries a session cookie (of no session), so that the app
    renders each public page rather than the page cache serving it."""
    client = httpx.Client(base_url=base, timeout=120, headers={"host": host} if host else None)
    if role is None:
        if uncached:
            client.cookies.set("cm_session", "no-such-session")
        return client
    username, password = people[role]
    page = client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "_csrf_token": token.group(1) if token else client.cookies.get("csrftoken", ""),
        },
    )
    if response.status_code != 302 or "/login" in response.headers.get("location", "/login"):
        sys.exit(f"Could not sign in as {username}: {response.status_code}")
    return client


def _measure(
    base: str,
    pages: list[tuple[str, str | None, str]],
    server: Server,
    people: dict[str, tuple[str, str]] = ROLES,
    host: str = "",
    uncached: bool = False,
) -> dict:
    roles = {role for _, role, _ in pages}
    clients = {role: _sign_in(base, role, people, host, uncached) for role in roles}
    results = {}
    for label, role, path in pages:
        client = clients[role]
        first = client.get(path)  # warm: templates compiled, caches filled
        if first.status_code != 200:
            sys.exit(f"{label}: {path} answered {first.status_code}")
        times, queries = [], []
        cpu_before = server.cpu_seconds()
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            queries.append(int(response.headers.get("x-query-count", "-1")))
        cpu = (server.cpu_seconds() - cpu_before) / REPEAT
        results[label] = {
            "ms": statistics.median(times) * 1000,
            "cpu_ms": cpu * 1000,
            "queries": max(queries),
            "bytes": len(response.content),
        }
    for client in clients.values():
        client.close()
    return results


def _serve_and_measure(pages: list[tuple[str, str | None, str]]) -> dict:
    server = Server()
    try:
        return _measure(server.base, pages, server)
    finally:
        server.stop()


# ------------------------------------------------------------------ the report


def _table(demo: dict, scale: dict) -> str:
    """Wall time (the machine may be loaded) and the server's CPU time per request, which
    a loaded machine disturbs far less: both ratios are printed."""
    lines = [
        "| page | demo ms | scale ms | ratio | CPU ms demo | CPU ms scale | CPU ratio "
        "| queries demo/scale | size at scale |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, s in scale.items():
        d = demo.get(label) or {"ms": 0, "cpu_ms": 0, "queries": "-"}
        ratio = s["ms"] / d["ms"] if d["ms"] else float("nan")
        cpu_ratio = s["cpu_ms"] / d["cpu_ms"] if d["cpu_ms"] else float("nan")
        lines.append(
            f"| {label} | {d['ms']:.1f} | {s['ms']:.1f} | {ratio:.2f} | {d['cpu_ms']:.1f} "
            f"| {s['cpu_ms']:.1f} | {cpu_ratio:.2f} | {d['queries']}/{s['queries']} "
            f"| {s['bytes'] / 1024:.0f} KB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a small set and a few pages")
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the data in this folder (and, on PostgreSQL, the database unwiped); when it "
        "already holds a built set, migrate it and time the pages again, demo figures from the "
        "first run",
    )
    args = parser.parse_args()
    global REPEAT
    if args.smoke:
        REPEAT = 2
    size = SMOKE if args.smoke else FULL
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep.resolve()
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="scale-bench-")))
        url = _prepare_environment(folder)
        engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        built_marker = folder / "built"
        demo_file = folder / "demo.json"
        if args.keep and built_marker.exists():
            asyncio.run(_migrate())
            ids = asyncio.run(_demo_ids())
            pages = _pages(ids, args.smoke)
            demo = json.loads(demo_file.read_text()) if demo_file.exists() else None
            if demo is None:
                demo = {label: {} for label, _, _ in pages}
            print(
                f"# {engine}, at scale again, {REPEAT} timed requests per page (median); "
                "demo figures from the first run",
                flush=True,
            )
            scale = _serve_and_measure(pages)
            print(_table(demo, scale))
            return
        asyncio.run(_fresh_demo())
        ids = asyncio.run(_demo_ids())
        pages = _pages(ids, args.smoke)
        print(f"# {engine}, {REPEAT} timed requests per page (median), one worker", flush=True)
        demo = _serve_and_measure(pages)
        demo_file.write_text(json.dumps(demo))
        started = time.perf_counter()
        counts = asyncio.run(_build_scale(size, ids))
        built = time.perf_counter() - started
        built_marker.write_text("built\n")
        print(f"built in {built:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        scale = _serve_and_measure(pages)
        print(_table(demo, scale))


def _pages(ids: dict[str, Any], smoke: bool) -> list[tuple[str, str | None, str]]:
    return [
        (label, role, path.format(**ids))
        for label, role, path in PAGES
        if not smoke or label in SMOKE_PAGES
    ]


if __name__ == "__main__":
    main()
