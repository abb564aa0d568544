"""Benchmark: the signed-in pages, beside a bare Litestar route in the same run.

Starts the app (uvicorn, one worker, on a free 127.0.0.1 port) on a database holding the
demo data, and a bare Litestar app answering "hello" the same way; signs in CLIENTS phones
per page (a pupil or a teacher of the demo) and has them fetch it REQUESTS times in all.
Prints per page: requests/s, its ratio to the bare route, p50/p95 latency and the server's
CPU time per request (utime+stime of the server process over the run / requests), the
figure that holds on a busy machine (issue 17, target 3: every one ≤ 3 ms on PostgreSQL).

    .venv/bin/python bench/signed_in.py                      # a fresh SQLite database
    createdb -h 127.0.0.1 -U postgres bench_pages            # once: a database kept for this
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_pages \\
        .venv/bin/python bench/signed_in.py                  # PostgreSQL (demo loaded if empty)
    .venv/bin/python bench/signed_in.py --smoke              # a few seconds (CI)
    .venv/bin/python bench/signed_in.py --crawl              # every page the links reach

`--crawl` measures every signed-in page, not a fixed list: for each demo role one phone walks
the site's links from /dashboard, breadth first (bench/crawl_pages.py), and each page found is
measured as above, dearest first. Paths that differ only by numbers are one page.

Options (environment): CLIENTS (10), REQUESTS (400 per page), REDIS_URL (sessions in Redis,
as with several workers; by default the one-worker file store), CRAWL_REQUESTS (100 per
page), CRAWL_PAGES (150 per role). Only talks to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crawl_pages import crawl, print_crawl  # noqa: E402
from stall_sales import (  # noqa: E402  (the sale tap's bench: same helpers)
    ANALYZE,
    ROOT,
    cpu_seconds,
    free_port,
    kept_data_dir,
    percentile,
    python,
    wait_until_up,
)

SMOKE = "--smoke" in sys.argv
CLIENTS = 2 if SMOKE else int(os.environ.get("CLIENTS", "10"))
REQUESTS = 20 if SMOKE else int(os.environ.get("REQUESTS", "400"))
CRAWL = "--crawl" in sys.argv
CRAWL_REQUESTS = 5 if SMOKE else int(os.environ.get("CRAWL_REQUESTS", "100"))
CRAWL_PAGES = 3 if SMOKE else int(os.environ.get("CRAWL_PAGES", "150"))

PUPIL = ("ameliab", "apple-otter-12")  # the demo's people (clustermarket/demo.py)
TEACHER = ("staylor", "teacher-demo-1")
ADMIN = ("admin", "cluster-admin-demo")
BUYER = ("jpatel", "parent-demo-1")
ROLES = {"admin": ADMIN, "teacher": TEACHER, "pupil": PUPIL, "buyer": BUYER}

BARE_APP = """
from litestar import Litestar, get

@get("/", sync_to_thread=False)
def hello() -> str:
    return "hello"

@get("/health", sync_to_thread=False)
def health() -> str:
    return "ok"

app = Litestar([hello, health])
"""

FIND = """
import asyncio
from clustermarket.market.tables import Stall
from clustermarket.teams.tables import TeamMember

async def main():
    team = (await TeamMember.select(TeamMember.team).where(
        TeamMember.user.username == "ameliab").first())["team"]
    stall = await Stall.select(Stall.id).where(Stall.team == team).order_by(
        Stall.market_day.date, ascending=False).first()
    print(stall["id"])

asyncio.run(main())
"""


def pages(stall: int) -> list[tuple[str, tuple[str, str] | None, str]]:
    return [
        ("bare Litestar route", None, "/"),
        ("dashboard (pupil)", PUPIL, "/dashboard"),
        ("stall screen", PUPIL, f"/stalls/{stall}"),
        ("till", PUPIL, f"/stalls/{stall}/till"),
        ("my orders", PUPIL, "/my/orders"),
        ("dashboard (teacher)", TEACHER, "/dashboard"),
        ("moderation queue", TEACHER, "/moderation"),
        ("ideas board (pupil)", PUPIL, "/ideas"),
        ("my orders (parent)", BUYER, "/my/orders"),
        ("staff orders (teacher)", TEACHER, "/staff/orders"),
        ("moderation log (teacher)", TEACHER, "/moderation/log"),
        ("report teams (teacher)", TEACHER, "/reports?report=teams"),
        ("dashboard (admin)", ADMIN, "/dashboard"),
        ("moderation queue (admin)", ADMIN, "/moderation"),
        ("moderation log (admin)", ADMIN, "/moderation/log"),
        ("staff orders (admin)", ADMIN, "/staff/orders"),
        ("report products (admin)", ADMIN, "/reports?report=products"),
        ("report teams (admin)", ADMIN, "/reports?report=teams"),
    ]


async def signed_in_client(base: str, who: tuple[str, str] | None) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    if who is not None:
        await client.get("/login")
        answer = await client.post(
            "/login",
            data={
                "username": who[0],
                "password": who[1],
                "_csrf_token": client.cookies["csrftoken"],
            },
        )
        if answer.status_code not in (200, 302):
            sys.exit(f"Sign-in of {who[0]} failed: {answer.status_code}")
    return client


async def fetch(client: httpx.AsyncClient, path: str, n: int) -> list[float]:
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        answer = await client.get(path)
        latencies.append(time.perf_counter() - started)
        if answer.status_code != 200:
            sys.exit(f"{path} answered {answer.status_code}: {answer.text[:200]}")
    return latencies


@contextlib.asynccontextmanager
async def phones(base: str, who: tuple[str, str] | None):
    """CLIENTS phones signed in as `who`, closed after."""
    clients = [await signed_in_client(base, who) for _ in range(CLIENTS)]
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()


async def measure(base: str, pid: int, who, path: str, requests: int = REQUESTS) -> dict:
    async with phones(base, who) as clients:
        return await timed(clients, pid, path, requests)


async def timed(clients: list[httpx.AsyncClient], pid: int, path: str, requests: int) -> dict:
    await asyncio.gather(*[fetch(c, path, 2) for c in clients])  # warm: templates, plans
    per_client = [requests // CLIENTS + (i < requests % CLIENTS) for i in range(CLIENTS)]
    cpu_before = cpu_seconds(pid)
    started = time.perf_counter()
    results = await asyncio.gather(
        *[fetch(c, path, n) for c, n in zip(clients, per_client, strict=True)]
    )
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu_before
    latencies = [t for r in results for t in r]
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 50) * 1000,
        "p95": percentile(latencies, 95) * 1000,
        "cpu": cpu / len(latencies) * 1000,
    }


async def crawl_role(base: str, pid: int, who: tuple[str, str]) -> list[tuple[str, dict]]:
    """Every page one phone of `who` reaches by links, each measured by all the phones."""
    async with phones(base, who) as clients:
        found = await crawl(clients[0], CRAWL_PAGES)
        return [(path, await timed(clients, pid, path, CRAWL_REQUESTS)) for path in found]


def start(args: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", "1", "--no-access-log", "--log-level", "warning"],
        env=env,
        cwd=cwd,
        stderr=subprocess.DEVNULL,
    )
    return server, f"http://127.0.0.1:{port}"


def prepare() -> tuple[str, dict[str, str], str]:
    """A database holding the demo data: its URL, the servers' environment, a scratch folder."""
    scratch = tempfile.mkdtemp(prefix="clustermarket-bench-")
    database = (None if SMOKE else os.environ.get("BENCH_DATABASE_URL")) or (
        f"sqlite:///{scratch}/bench.sqlite3"
    )
    kept = not SMOKE and os.environ.get("BENCH_DATABASE_URL")
    env = {
        **os.environ,
        "DATA_DIR": str(kept_data_dir()) if kept else scratch,
        # Every phone of every page signs in from 127.0.0.1 (about 180 a run), and the
        # flood guard's count is kept in DATA_DIR: the next run within a minute is no flood.
        "LOGIN_FLOOD_PER_ADDRESS": "100000",
        "DATABASE_URL": database,
        "APP_ENV": "development",
        "TEMPLATES_RELOAD": "0",  # templates read once, as in production
        "PASSWORD_HASH_PROFILE": "fast",
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",  # this tree's code, whatever is installed
        "LOGIN_LIMIT_PER_ADDRESS": "1000",
        "JOBS_IN_APP": "0",
    }
    for command in (["migrate"], ["demo", "--if-empty"]):
        subprocess.run(
            [sys.executable, "-m", "clustermarket", *command],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    python(ANALYZE, env)  # statistics, as autovacuum keeps them
    Path(scratch, "bare_app.py").write_text(BARE_APP)
    return database, env, scratch


@contextlib.contextmanager
def servers(env: dict[str, str], scratch: str):
    """The app and the bare route, each (process, base URL), up; stopped after."""
    app = start(["app:app"], env, ROOT)
    bare = start(["bare_app:app"], {**os.environ, "PYTHONPATH": scratch}, Path(scratch))
    try:
        asyncio.run(wait_until_up(app[1]))
        asyncio.run(wait_until_up(bare[1]))
        yield app, bare
    finally:
        for server, _ in (app, bare):
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


def heading(database: str, requests: int) -> str:
    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    sessions = "Redis" if os.environ.get("REDIS_URL") else "file"
    load = f"{CLIENTS} clients, {requests} requests/page"
    return f"{engine}, sessions in {sessions}, 1 worker, {load}"


def main() -> None:
    database, env, scratch = prepare()
    stall = None if CRAWL else int(python(FIND, env))
    rows = []
    with servers(env, scratch) as ((app, app_base), (bare, bare_base)):
        if CRAWL:
            bare_row = asyncio.run(measure(bare_base, bare.pid, None, "/", CRAWL_REQUESTS))
            for role, who in ROLES.items():
                found = asyncio.run(crawl_role(app_base, app.pid, who))
                rows += [(role, path, r) for path, r in found]
        else:
            for name, who, path in pages(stall):
                server, base = (bare, bare_base) if who is None else (app, app_base)
                rows.append((name, path, asyncio.run(measure(base, server.pid, who, path))))
    if CRAWL:
        print(heading(database, CRAWL_REQUESTS) + f", up to {CRAWL_PAGES} pages a role")
        print_crawl(rows, bare_row)
        return
    print(heading(database, REQUESTS))
    print("| page | req/s | ratio to bare | p50 ms | p95 ms | server CPU ms/request |")
    print("|---|---|---|---|---|---|")
    bare_rps = rows[0][2]["rps"]
    for name, path, r in rows:
        print(
            f"| {name} `{path}` | {r['rps']:.0f} | {r['rps'] / bare_rps:.1%} | {r['p50']:.1f}"
            f" | {r['p95']:.1f} | {r['cpu']:.2f} |"
        )


if __name__ == "__main__":
    main()
