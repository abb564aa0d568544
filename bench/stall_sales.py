"""Benchmark: how cheap is a sale tap? Not a test; run it by hand.

Starts the app as a real server (uvicorn on a free 127.0.0.1 port), prepares an open market
day with a stall holding plenty of stock, signs in CLIENTS pupils' phones and has them tap the
sale endpoint (the htmx request a phone sends) for REQUESTS taps in all. Prints requests/s and
p50/p95/p99 latency, then checks that every tap was recorded exactly once.

    .venv/bin/python bench/stall_sales.py                     # fresh SQLite database
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_market \\
        .venv/bin/python bench/stall_sales.py                 # PostgreSQL (migrated, not wiped)

`--smoke`: 3 clients, 30 taps, a fresh SQLite database (a few seconds; CI runs it).
Options (environment): CLIENTS (20), REQUESTS (2000), WORKERS (1; with more, the workers
share sessions through REDIS_URL, by default redis://127.0.0.1:6379/14),
PROFILE=/tmp/x.prof (runs the server under cProfile).
Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SMOKE = "--smoke" in sys.argv  # a few seconds on a fresh SQLite database (CI)
CLIENTS = 3 if SMOKE else int(os.environ.get("CLIENTS", "20"))
REQUESTS = 30 if SMOKE else int(os.environ.get("REQUESTS", "2000"))
WORKERS = int(os.environ.get("WORKERS", "1"))
PASSWORD = "bench-password-1"

SETUP = """
import asyncio, datetime as dt, sys
from clustermarket.accounts.services import create_user
from clustermarket.accounts.tables import Role
from clustermarket.catalogue.tables import ContentStatus, Product
from clustermarket.market.tables import MarketDay, MarketStatus, Stall, StallStock
from clustermarket.schools.tables import Cluster, School
from clustermarket.teams.tables import MemberRole, Team, TeamKind, TeamMember
from clustermarket.timeutil import now, today_uk

async def main(run, clients, stock, password):
    school = (await School.select(School.id).first())["id"]
    cluster = (await Cluster.select(Cluster.id).first())["id"]
    team = (await Team.insert(Team(school=school, name="Bench " + run, slug="bench-" + run,
        kind=TeamKind.enterprise, created_at=now())).returning(Team.id))[0]["id"]
    for i in range(clients):
        user = await create_user(username=f"b{run}{i}", password=password, role=Role.pupil,
            first_name="Bench", last_name=str(i), school_id=school)
        await TeamMember.insert(TeamMember(team=team, user=user, role=MemberRole.member))
    product = (await Product.insert(Product(team=team, name="Candle", price_pence=450,
        unit_cost_pence=180, status=ContentStatus.approved, published_name="Candle",
        published_price_pence=450, is_public=True, created_at=now(),
        updated_at=now())).returning(Product.id))[0]["id"]
    day = (await MarketDay.insert(MarketDay(cluster=cluster, date=today_uk(),
        location="Bench", opens=dt.time(9), closes=dt.time(13),
        status=MarketStatus.open)).returning(MarketDay.id))[0]["id"]
    stall = (await Stall.insert(Stall(market_day=day, team=team, float_pence=2000,
        opened_at=now())).returning(Stall.id))[0]["id"]
    await StallStock.insert(StallStock(stall=stall, product=product, brought=stock, left=stock))
    print(stall, product)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
"""

CHECK = """
import asyncio, sys
from clustermarket.market.tables import Sale, StallStock

async def main(stall):
    sales = await Sale.count().where(Sale.stall == stall)
    left = await StallStock.select(StallStock.brought, StallStock.left).where(
        StallStock.stall == stall).first()
    print(sales, left["brought"] - left["left"])

asyncio.run(main(int(sys.argv[1])))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def python(code: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(done.stderr)
    return done.stdout.strip()


async def wait_until_up(base: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):  # up to a minute: the app imports slowly on a busy machine
            try:
                if (await client.get(f"{base}/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    sys.exit("The server did not start.")


async def phone(base: str, username: str, stall: int, product: int, taps: int) -> list[float]:
    latencies = []
    # TCP_NODELAY: httpx writes a POST's headers and body separately, and Nagle's algorithm
    # would hold the body back until the server's delayed ACK (about 40 ms) on every tap.
    transport = httpx.AsyncHTTPTransport(
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    async with httpx.AsyncClient(base_url=base, timeout=30, transport=transport) as client:
        await client.get("/login")
        login = await client.post(
            "/login",
            data={
                "username": username,
                "password": PASSWORD,
                "_csrf_token": client.cookies["csrftoken"],
            },
        )
        if login.status_code not in (200, 302):
            sys.exit(f"Sign-in failed: {login.status_code}")
        headers = {"HX-Request": "true", "x-csrftoken": client.cookies["csrftoken"]}
        for _ in range(taps):
            data = {
                "sale_id": str(uuid.uuid4()),
                "product_id": str(product),
                "quantity": "1",
                "method": "cash",
            }
            started = time.perf_counter()
            answer = await client.post(f"/stalls/{stall}/sales", data=data, headers=headers)
            latencies.append(time.perf_counter() - started)
            if answer.status_code != 200:
                sys.exit(f"A tap failed: {answer.status_code} {answer.text[:200]}")
    return latencies


async def drive(
    base: str, run: str, stall: int, product: int, per_phone: list[int]
) -> list[list[float]]:
    return await asyncio.gather(
        *[phone(base, f"b{run}{i}", stall, product, n) for i, n in enumerate(per_phone)]
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux), to tell our cost from a busy machine's."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    scratch = tempfile.mkdtemp(prefix="clustermarket-bench-")
    database = (
        None if SMOKE else os.environ.get("BENCH_DATABASE_URL")
    ) or f"sqlite:///{scratch}/bench.sqlite3"
    env = {
        **os.environ,
        "DATA_DIR": scratch,
        "DATABASE_URL": database,
        "APP_ENV": "development",
        "PASSWORD_HASH_PROFILE": "fast",
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",  # this tree's code, whatever is installed
        "LOGIN_LIMIT_PER_ADDRESS": "1000",
    }
    if WORKERS > 1:  # a sign-in on one worker must be known to the others
        env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    subprocess.run(
        [sys.executable, "-m", "clustermarket", "migrate"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    run = uuid.uuid4().hex[:8]
    stall, product = map(
        int, python(SETUP, env, run, str(CLIENTS), str(REQUESTS * 2), PASSWORD).split()
    )
    port = free_port()
    profile = ["-m", "cProfile", "-o", os.environ["PROFILE"]] if os.environ.get("PROFILE") else []
    server = subprocess.Popen(
        [
            sys.executable,
            *profile,
            "-m",
            "uvicorn",
            "app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(wait_until_up(base))
        per_phone = [REQUESTS // CLIENTS + (i < REQUESTS % CLIENTS) for i in range(CLIENTS)]
        cpu_before = cpu_seconds(server.pid) if WORKERS == 1 else 0.0
        started = time.perf_counter()
        results = asyncio.run(drive(base, run, stall, product, per_phone))
        elapsed = time.perf_counter() - started  # includes the sign-ins, a small share
        cpu = cpu_seconds(server.pid) - cpu_before if WORKERS == 1 else 0.0
    finally:
        server.send_signal(signal.SIGINT)  # a clean stop: uvicorn shuts down, cProfile writes
        server.wait(timeout=30)
    latencies = [t for r in results for t in r]
    sales, sold = map(int, python(CHECK, env, str(stall)).split())
    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    print(f"{engine}, {WORKERS} worker(s), {CLIENTS} concurrent clients, {len(latencies)} taps")
    print(f"  requests/s  {len(latencies) / elapsed:8.1f}")
    for p in (50, 95, 99):
        print(f"  p{p:<2}        {percentile(latencies, p) * 1000:8.1f} ms")
    if cpu:
        print(f"  server CPU  {cpu / len(latencies) * 1000:8.1f} ms per tap")
    print(
        f"  recorded    {sales} sales, stock down by {sold}"
        + ("  OK" if sales == sold == len(latencies) else "  MISMATCH")
    )


if __name__ == "__main__":
    main()
