"""Benchmark: how cheap is a sale tap? Not a test; run it by hand.

Starts the app as a real server (uvicorn on a free 127.0.0.1 port), prepares an open market
day with a stall holding plenty of stock, signs in CLIENTS pupils' phones and has them tap
without pause: first a bare Litestar route on its own server
(what the machine allows any request at that concurrency, the floor under the tap's
latency), then the till's one-line ticket (the JSON POST its script sends), then the stall
screen's htmx sale button. Prints the load average, requests/s, p50/p95/p99 latency and the
server process's CPU per tap for each (on PostgreSQL also how many of the bench database's
backends were busy and how many of them waited on a lock, sampled every 50 ms), then checks
that every tap was recorded once. The phones are wrk's connections (bench/tap_wrk.py) where
wrk is installed, else (and with `--smoke`) asyncio ones (bench/tap_phones.py): on two cores
the load's own CPU is taken from the server and PostgreSQL, and it is printed as "clients".

    .venv/bin/python bench/stall_sales.py                     # fresh SQLite database
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_market \\
        .venv/bin/python bench/stall_sales.py                 # PostgreSQL (migrated, not wiped)

`--smoke`: 3 clients, 30 taps, a fresh SQLite database (a few seconds; CI runs it).
LOAD: `wrk` (the default where wrk is installed, `--smoke` aside: taps for TAP_SECONDS, 3, each
kind, after a second of taps not measured: the pool's connections opened, the statements
prepared on each) or `python` (the asyncio phones: REQUESTS taps of each kind, every one
answered, from a cold start).
Options (environment): CLIENTS (20), REQUESTS (2000), TAPS (bare,ticket,sale), WORKERS (1; with
more, the workers share sessions through REDIS_URL, by default redis://127.0.0.1:6379/14),
PROFILE=/tmp/x.prof (runs the server under cProfile), PRODUCTS (1: products on the stall, the
first one tapped).
Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
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

import httpx
from tap_phones import drive, tap_of
from tap_wrk import tap_with_wrk

ROOT = Path(__file__).resolve().parents[1]
SMOKE = "--smoke" in sys.argv  # a few seconds on a fresh SQLite database (CI)
CLIENTS = 3 if SMOKE else int(os.environ.get("CLIENTS", "20"))
REQUESTS = 30 if SMOKE else int(os.environ.get("REQUESTS", "2000"))
LOAD = os.environ.get("LOAD") or ("wrk" if shutil.which("wrk") and not SMOKE else "python")
TAP_SECONDS = float(os.environ.get("TAP_SECONDS", "1" if SMOKE else "3"))
WORKERS = int(os.environ.get("WORKERS", "1"))
# What the phones send: the till's JSON ticket (what a stall uses today) and the stall
# screen's htmx sale button, one after the other on the same server.
KINDS = os.environ.get("TAPS", "bare,ticket,sale").split(",")
WHAT = {
    "bare": "bare Litestar route, its own server (GET /, the same phones)",
    "ticket": "till: one-line ticket, JSON (POST /stalls/{id}/tickets)",
    "sale": "stall screen: htmx sale button, HTML panel (POST /stalls/{id}/sales)",
}
PASSWORD = "bench-password-1"
BARE_APP = """
from litestar import Litestar, get

@get("/", media_type="text/plain")
async def hello() -> str:
    return "Hello, world!"

app = Litestar([hello], openapi_config=None, logging_config=None)
"""

SETUP = """
import asyncio, datetime as dt, os, sys
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
    for i in range(int(os.environ.get("PRODUCTS", "1")) - 1):  # others on the stall, not tapped
        other = (await Product.insert(Product(team=team, name=f"Other {i}", price_pence=300,
            unit_cost_pence=100, status=ContentStatus.approved, published_name=f"Other {i}",
            published_price_pence=300, is_public=True, created_at=now(),
            updated_at=now())).returning(Product.id))[0]["id"]
        await StallStock.insert(StallStock(stall=stall, product=other, brought=50, left=50))
    print(stall, product)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
"""


def kept_data_dir() -> Path:
    """The demo's photos (DATA_DIR/media) of a kept bench database (BENCH_DATABASE_URL), run
    after run: one folder for every bench that loads the demo, so that a database one bench
    filled (bench/signed_in.py, bench/pages.py) shows its photos to the other (a photo missing
    is a 404 that no browser keeps, which made a page's next visit cost 21.6 KB)."""
    data = Path(os.environ.get("BENCH_DATA_DIR", f"{tempfile.gettempdir()}/bench-pages-data"))
    data.mkdir(parents=True, exist_ok=True)
    return data


# What autovacuum does for a production database soon after rows arrive (and what `migrate`
# does for SQLite): the planner's statistics. This machine's PostgreSQL runs with autovacuum
# off, and without statistics PostgreSQL reads a ticket's or a stall's rows by plans no
# production database would use, so the figures measured those plans.
ANALYZE = """
import asyncio
from clustermarket.db import refresh_sqlite_statistics
from clustermarket.settings import get_settings
from piccolo_conf import DB

async def main():
    settings = get_settings()
    if settings.is_postgres:
        await DB.run_ddl("ANALYZE")
    else:
        refresh_sqlite_statistics(settings)

asyncio.run(main())
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


def uvicorn(
    app: str, port: int, env: dict[str, str], cwd: Path, profile: list[str] | None = None
) -> subprocess.Popen[bytes]:
    """A server on 127.0.0.1 (WORKERS workers), under cProfile if `profile` says so."""
    command = [sys.executable, *(profile or []), "-m", "uvicorn", app, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(WORKERS), "--no-access-log"]
    return subprocess.Popen([*command, "--log-level", "warning"], env=env, cwd=cwd)


async def wait_until_up(base: str, path: str = "/health") -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):  # up to a minute: the app imports slowly on a busy machine
            try:
                if (await client.get(f"{base}{path}")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    sys.exit("The server did not start.")


async def sign_in(base: str, username: str) -> dict[str, str]:
    """The phone's cookies after signing in (httpx, once per phone)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
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
        return dict(client.cookies.items())


async def sign_in_all(port: int, run: str, clients: int) -> list[dict[str, str]]:
    base = f"http://127.0.0.1:{port}"
    return await asyncio.gather(*[sign_in(base, f"b{run}{i}") for i in range(clients)])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux), to tell our cost from a busy machine's."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def clients_cpu_seconds() -> float:
    """This process's CPU time and its finished children's (wrk's, once it has ended)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL process on this machine (0 if none can be read): the
    database's share of the two cores, beside the web process's."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass
class Backends:
    """PostgreSQL while the phones tapped: the bench database's backends, sampled every 50 ms."""

    busy: float  # running a statement, on average
    waiting: float  # of those, waiting on a lock (a row another tap holds)
    cpu: float  # CPU seconds of this database's backends (not the neighbours' databases)


async def sample_backends(database: str, done: asyncio.Event) -> Backends:
    import asyncpg  # only on PostgreSQL

    connection = await asyncpg.connect(database.replace("postgresql+asyncpg", "postgresql"))
    query = (
        "SELECT pid, state = 'active' AS busy, wait_event_type = 'Lock' AS waiting "
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    samples: list[tuple[int, int]] = []
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    while not done.is_set():
        rows = await connection.fetch(query)
        samples.append((sum(r["busy"] for r in rows), sum(bool(r["waiting"]) for r in rows)))
        for row in rows:
            try:
                last[row["pid"]] = cpu_seconds(row["pid"])
            except OSError:  # the backend has just gone
                continue
            first.setdefault(row["pid"], last[row["pid"]])
        await asyncio.sleep(0.05)  # every 10 ms cost the two cores about a tenth of one
    await connection.close()
    busy = statistics.mean(s[0] for s in samples) if samples else 0.0
    waiting = statistics.mean(s[1] for s in samples) if samples else 0.0
    return Backends(busy, waiting, sum(last[pid] - first[pid] for pid in last))


@dataclass
class Taps:
    """What the phones got: taps answered, in how long, and the latency percentiles (s)."""

    count: int
    seconds: float | None  # wrk's own time; None: the wall time around `measure`
    p50: float
    p95: float
    p99: float


async def load(
    port: int,
    phones: list[dict[str, str]],
    kind: str,
    stall: int,
    product: int,
    seconds: float = TAP_SECONDS,
) -> Taps:
    if LOAD == "wrk":
        path, body = tap_of(kind, stall, product)
        got = await asyncio.to_thread(tap_with_wrk, port, path, phones, body, seconds)
        if got["failed"]:
            sys.exit(f"{int(got['failed'])} taps failed ({kind})")
        return Taps(int(got["answered"]), got["seconds"], got["p50"], got["p95"], got["p99"])
    latencies = await drive(port, phones, kind, stall, product, REQUESTS)
    return Taps(len(latencies), None, *(percentile(latencies, p) for p in (50, 95, 99)))


async def measure(
    port: int, cookies: list[dict[str, str]], kind: str, stall: int, product: int, database: str
) -> tuple[Taps, Backends | None]:
    """The phones' taps, and on PostgreSQL the backends busy and waiting meanwhile."""
    if not database.startswith("postgres") or kind == "bare":
        return await load(port, cookies, kind, stall, product), None
    done = asyncio.Event()
    sampler = asyncio.create_task(sample_backends(database, done))
    try:
        taps = await load(port, cookies, kind, stall, product)
    finally:
        done.set()
        backends = await sampler
    return taps, backends


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
        "TEMPLATES_RELOAD": "0",  # templates read once, as in production
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
    stock = max(REQUESTS * 2, int(4000 * (TAP_SECONDS + 1)) if LOAD == "wrk" else 0) * len(KINDS)
    stall, product = map(int, python(SETUP, env, run, str(CLIENTS), str(stock), PASSWORD).split())
    python(ANALYZE, env)
    port, bare_port = free_port(), free_port()
    profile = ["-m", "cProfile", "-o", os.environ["PROFILE"]] if os.environ.get("PROFILE") else []
    server = uvicorn("app:app", port, env, ROOT, profile)
    Path(scratch, "bare.py").write_text(BARE_APP)
    bare = uvicorn("bare:app", bare_port, {**os.environ, "PYTHONPATH": scratch}, Path(scratch))
    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    each = f"for {TAP_SECONDS:g} s each (wrk)" if LOAD == "wrk" else f"{REQUESTS} taps each"
    print(f"{engine}, {WORKERS} worker(s), {CLIENTS} concurrent clients, {each}")
    print("  load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    taps = 0
    try:
        asyncio.run(wait_until_up(f"http://127.0.0.1:{port}", "/health"))
        asyncio.run(wait_until_up(f"http://127.0.0.1:{bare_port}", "/"))
        cookies = asyncio.run(sign_in_all(port, run, CLIENTS))
        for kind in KINDS:
            target, phones = (bare, [{}] * CLIENTS) if kind == "bare" else (server, cookies)
            if LOAD == "wrk" and kind != "bare":  # the pool's connections opened, statements
                taps += asyncio.run(load(port, phones, kind, stall, product, 1)).count  # known
                # The sales table is no longer empty: the statistics autovacuum would take
                # now (plans chosen while it was empty read every sale; ANALYZE drops them).
                python(ANALYZE, env)
            cpu_before = cpu_seconds(target.pid) if WORKERS == 1 else 0.0
            postgres_before, own_before = postgres_cpu_seconds(), clients_cpu_seconds()
            started = time.perf_counter()
            got, backends = asyncio.run(
                measure(
                    bare_port if kind == "bare" else port, phones, kind, stall, product, database
                )
            )
            elapsed = got.seconds or time.perf_counter() - started
            cpu = cpu_seconds(target.pid) - cpu_before if WORKERS == 1 else 0.0
            postgres = postgres_cpu_seconds() - postgres_before
            own = clients_cpu_seconds() - own_before
            taps += got.count if kind != "bare" else 0
            print(f"  {WHAT[kind]}")
            print(f"    requests/s  {got.count / elapsed:8.1f}")
            for p, value in ((50, got.p50), (95, got.p95), (99, got.p99)):
                print(f"    p{p:<2}        {value * 1000:8.1f} ms")
            if cpu:
                print(f"    server CPU  {cpu / got.count * 1000:8.2f} ms per tap")
            if postgres and engine == "PostgreSQL" and kind != "bare":  # the neighbours too
                print(f"    PG, all     {postgres / got.count * 1000:8.2f} ms per tap (CPU)")
            if backends:
                mine = backends.cpu / got.count * 1000
                print(f"    PG, this db {mine:8.2f} ms per tap (CPU of its backends)")
                print(
                    f"    backends    {backends.busy:8.2f} busy, {backends.waiting:.2f} on a lock"
                )
            print(f"    clients     {own / got.count * 1000:8.2f} ms per tap (CPU)")
    finally:
        for process in (server, bare):  # a clean stop: uvicorn shuts down, cProfile writes
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    print("  load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    sales, sold = map(int, python(CHECK, env, str(stall)).split())
    # wrk stops with up to one tap a phone in flight, which the server may still record.
    unanswered = 2 * CLIENTS * (len(KINDS) - ("bare" in KINDS)) if LOAD == "wrk" else 0
    print(
        f"  recorded    {sales} sales, stock down by {sold}"
        + ("  OK" if sales == sold and taps <= sales <= taps + unanswered else "  MISMATCH")
        + (f" ({taps} answered, at most {unanswered} more in flight)" if unanswered else "")
    )


if __name__ == "__main__":
    main()
