"""Benchmark: do pages and reports stay flat at scale? Not a test; run it by hand.

Loads the demo data into a fresh database, serves the app (uvicorn, one worker, on a free
127.0.0.1 port) and times every list page and report, each signed in as the role that uses
it, with the number of SQL statements each sends. Then stops the server, adds a cluster's
worth of years in bulk inserts (10,000 products, 100,000 sales, 300 market days, with
proportional teams, stalls, orders, ideas, comments, projects and moderation log rows) and
loads the demo afresh into a second database beside it. Then serves both at once (two
uvicorn servers, one worker each) and times each page on the two **in turn**, request by
request, so that whatever else the machine is doing falls on both alike. Prints per page:
demo time, scale time (medians), their ratio, the server CPU per request on each (from
/proc's schedstat, in nanoseconds) and its ratio, queries demo/scale and the page's size.

    .venv/bin/python bench/scale.py                      # a fresh SQLite database
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scale \\
        .venv/bin/python bench/scale.py                  # PostgreSQL: the database is WIPED
    .venv/bin/python bench/scale.py --smoke              # a small set and a few pages

Options (environment): REPEAT (21: timed requests per page on each, the median is shown).
A PostgreSQL database is wiped first, so its name must contain "bench" or "test"; the demo
beside it is the same name with "_demo" added (created when missing, wiped each run).
Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

# The app's log set-up (imported with the demo) sends INFO to standard error: without this
# every timed request's line from httpx buried the table.
logging.getLogger("httpx").setLevel(logging.WARNING)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_data import FULL, SMOKE, build_scale  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REPEAT = int(os.environ.get("REPEAT", "21"))
WARM = 3  # untimed requests per page on each server first
TICKS = os.sysconf("SC_CLK_TCK")


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
    ("moderation queue (teacher)", "teacher", "/moderation"),
    ("moderation queue (admin)", "admin", "/moderation"),
    ("moderation live (teacher)", "teacher", "/moderation?tab=live"),
    ("moderation live (admin)", "admin", "/moderation?tab=live"),
    ("moderation live, page 2 (admin)", "admin", "/moderation?tab=live&page=2"),
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


# The app's settings for a benchmark (also bench/report_range.py's).
APP_ENVIRONMENT = {
    "APP_ENV": "development",
    "TEMPLATES_RELOAD": "0",  # templates read once, as in production
    "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
    "PASSWORD_HASH_PROFILE": "fast",
    "JOBS_IN_APP": "0",
    "LOGIN_LIMIT_PER_ADDRESS": "1000",
    "LOGIN_LIMIT_PER_USERNAME": "1000",
}


def _prepare_environment(data_dir: Path) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        name = url.rsplit("/", 1)[-1]
        if "bench" not in name and "test" not in name:
            sys.exit(f"Refusing to wipe {name!r}: use a database named *bench* or *test*.")
    else:
        url = f"sqlite:///{data_dir}/scale.sqlite3"
    os.environ.update({"DATABASE_URL": url, "DATA_DIR": str(data_dir), **APP_ENVIRONMENT})
    os.environ.pop("REDIS_URL", None)
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    return url


async def _fresh_demo() -> None:
    from clustermarket.db import migrate, refresh_sqlite_statistics
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
    # Statistics, as the scale set has them (`scale_data`) and autovacuum keeps them.
    if settings.is_postgres:
        await DB.run_ddl("ANALYZE")
    else:
        refresh_sqlite_statistics(settings)


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


# ------------------------------------------------------------------ the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(
        self,
        app: str = "scale_app:app",
        app_dir: Path = ROOT / "bench",
        environment: dict[str, str] | None = None,
    ) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **(environment or {})}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src")])
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

    def cpu_ns(self) -> int:
        """CPU time of the server's live threads in nanoseconds (schedstat's first field):
        fine enough for one request, where `cpu_seconds` comes in 10 ms ticks."""
        total = 0
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                total += int((task / "schedstat").read_text().split()[0])
        return total

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


def _measure_pair(
    demo_pages: list[tuple[str, str | None, str]],
    scale_pages: list[tuple[str, str | None, str]],
    demo_environment: dict[str, str],
) -> tuple[dict, dict]:
    """Both databases served at once; each page timed on the two in turn (which goes first
    alternates), so a busy moment of the machine lands on both: (demo, scale) figures."""
    demo_server = Server(environment=demo_environment)
    scale_server = Server()
    try:
        roles = {role for _, role, _ in demo_pages}
        sides = [
            (demo_server, {role: _sign_in(demo_server.base, role) for role in roles}),
            (scale_server, {role: _sign_in(scale_server.base, role) for role in roles}),
        ]
        results: tuple[dict, dict] = ({}, {})
        for pages in zip(demo_pages, scale_pages, strict=True):
            label, role = pages[0][0], pages[0][1]
            taken: list[dict[str, list]] = [
                {"ms": [], "cpu": [], "queries": [], "bytes": []} for _ in sides
            ]
            for (_server, clients), (_, _, path) in zip(sides, pages, strict=True):
                for _ in range(WARM):  # templates compiled, caches filled, plans made
                    first = clients[role].get(path)
                    if first.status_code != 200:
                        sys.exit(f"{label}: {path} answered {first.status_code}")
            for turn in range(REPEAT):
                order = [0, 1] if turn % 2 == 0 else [1, 0]
                for side in order:
                    (server, clients), path = sides[side], pages[side][2]
                    cpu_before = server.cpu_ns()
                    started = time.perf_counter()
                    response = clients[role].get(path)
                    taken[side]["ms"].append(time.perf_counter() - started)
                    taken[side]["cpu"].append(server.cpu_ns() - cpu_before)
                    taken[side]["queries"].append(int(response.headers.get("x-query-count", "-1")))
                    taken[side]["bytes"] = [len(response.content)]
            for side in (0, 1):
                results[side][label] = dict(
                    bytes=taken[side]["bytes"][0],
                    ms=statistics.median(taken[side]["ms"]) * 1000,
                    cpu_ms=statistics.median(taken[side]["cpu"]) / 1e6,
                    queries=max(taken[side]["queries"]),
                )
        for _, clients in sides:
            for client in clients.values():
                client.close()
        return results
    finally:
        demo_server.stop()
        scale_server.stop()


def _demo_beside(folder: Path, url: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The demo loaded afresh into its own database and data folder beside the scale set (a
    child process, since the app's engine is bound to one database per process): the
    environment that serves it and its ids."""
    data_dir = folder / "demo"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    demo_url = f"{url}_demo" if url.startswith("postgres") else f"sqlite:///{data_dir}/demo.sqlite3"
    environment = {"DATABASE_URL": demo_url, "DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, __file__, "--load-demo", url],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        sys.exit(f"The demo beside the set did not load:\n{done.stderr[-3000:]}")
    return environment, json.loads(done.stdout.strip().splitlines()[-1])


async def _create_database(server_url: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(server_url)
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def _load_demo(server_url: str) -> None:
    """--load-demo: (in the child) a fresh demo into DATABASE_URL; prints its ids."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        asyncio.run(_create_database(server_url, url.rsplit("/", 1)[-1]))
    os.environ.update(APP_ENVIRONMENT)
    os.environ.pop("REDIS_URL", None)
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    asyncio.run(_fresh_demo())
    print(json.dumps(asyncio.run(_demo_ids())))


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
        "already holds a built set, migrate it and time the pages again beside a fresh demo",
    )
    parser.add_argument("--load-demo", help=argparse.SUPPRESS)  # the child of `_demo_beside`
    args = parser.parse_args()
    if args.load_demo:
        _load_demo(args.load_demo)
        return
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
        if args.keep and built_marker.exists():
            asyncio.run(_migrate())
            ids = asyncio.run(_demo_ids())
            print(f"# {engine}: the set in {folder}, migrated", flush=True)
        else:
            asyncio.run(_fresh_demo())
            ids = asyncio.run(_demo_ids())
            started = time.perf_counter()
            counts = asyncio.run(build_scale(size, ids))
            built = time.perf_counter() - started
            built_marker.write_text("built\n")
            print(f"built in {built:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        demo_environment, demo_ids = _demo_beside(folder, url)
        print(
            f"# {engine}, demo and scale served side by side (one worker each), each page "
            f"{REPEAT} times on each in turn (medians)",
            flush=True,
        )
        demo, scale = _measure_pair(
            _pages(demo_ids, args.smoke), _pages(ids, args.smoke), demo_environment
        )
        print(_table(demo, scale))


def _pages(ids: dict[str, Any], smoke: bool) -> list[tuple[str, str | None, str]]:
    return [
        (label, role, path.format(**ids))
        for label, role, path in PAGES
        if not smoke or label in SMOKE_PAGES
    ]


if __name__ == "__main__":
    main()
