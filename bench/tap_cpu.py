"""The web process's CPU per tap, measured in one process: no server, no sockets, no clients.

`bench/stall_sales.py` measures the tap from outside (latency, taps/s, every process's CPU);
on a shared, busy machine its CPU per tap moves with the neighbours. Here the app is called
as uvicorn calls it (an ASGI scope, the body, the answer collected), CLIENTS phones at once in
the same event loop, and the figure is this process's CPU time (`time.process_time`) per tap:
the app's whole stack (request log, static files, clusters, page cache, connection lease,
session, user, rate limit, CSRF, compression, the handler, the tap queue), without uvicorn's
HTTP parsing (about 0.05 ms) and without PostgreSQL (its own processes). Not a test.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_market \\
        .venv/bin/python bench/tap_cpu.py           # CPU per tap, ROUNDS rounds of REQUESTS
    PROFILE=/tmp/x.prof ... bench/tap_cpu.py        # and cProfile by CPU time, not wall time

Options (environment): CLIENTS (20), REQUESTS (2000), ROUNDS (3), TAPS (ticket,sale),
PRODUCTS (1: products on the stall, one tapped).
`--smoke`: 3 phones, 30 taps, one round, a fresh SQLite database (CI runs it).
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

from stall_sales import PASSWORD, SETUP, python  # noqa: E402

SMOKE = "--smoke" in sys.argv  # a few seconds on a fresh SQLite database (CI)
CLIENTS = 3 if SMOKE else int(os.environ.get("CLIENTS", "20"))
REQUESTS = 30 if SMOKE else int(os.environ.get("REQUESTS", "2000"))
ROUNDS = 1 if SMOKE else int(os.environ.get("ROUNDS", "3"))
KINDS = os.environ.get("TAPS", "ticket,sale").split(",")


def scope(method: str, path: str, headers: dict[str, str]) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "scheme": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "state": {},
    }


async def call(app, method: str, path: str, headers: dict[str, str], body: bytes = b""):
    """(status, headers, body) of one request through the app, as uvicorn would make it."""
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # a client that keeps the connection open
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    answer: dict = {"body": b""}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message["headers"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope(method, path, {"host": "127.0.0.1:8000", **headers}), receive, send)
    return answer["status"], answer["headers"], answer["body"]


def take_cookies(jar: dict[str, str], headers: list) -> None:
    for name, value in headers:
        if name.lower() == b"set-cookie":
            for morsel in SimpleCookie(value.decode()).values():
                jar[morsel.key] = morsel.value


async def sign_in(app, username: str) -> dict[str, str]:
    jar: dict[str, str] = {}
    _, headers, _ = await call(app, "GET", "/login", {})
    take_cookies(jar, headers)
    body = f"username={username}&password={PASSWORD}&_csrf_token={jar['csrftoken']}".encode()
    form = {"content-type": "application/x-www-form-urlencoded", "cookie": _cookie(jar)}
    status, headers, _ = await call(app, "POST", "/login", form, body)
    if status not in (200, 302, 303):
        sys.exit(f"Sign-in failed: {status}")
    take_cookies(jar, headers)
    return jar


def _cookie(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


async def phone(app, jar: dict[str, str], kind: str, stall: int, product: int, taps: int) -> None:
    """As bench/stall_sales.py's phone sends it: the till's ticket or the htmx sale."""
    headers = {
        "cookie": _cookie(jar),
        "x-csrftoken": jar["csrftoken"],
        "accept-encoding": "gzip, deflate",
        "content-type": "application/x-www-form-urlencoded",
    }
    if kind == "ticket":
        path, headers["accept"] = f"/stalls/{stall}/tickets", "application/json"
    else:
        path, headers["hx-request"] = f"/stalls/{stall}/sales", "true"
    for _ in range(taps):
        if kind == "ticket":
            body = f"ticket_id={uuid.uuid4()}&method=cash&qty_{product}=1"
        else:
            body = f"sale_id={uuid.uuid4()}&product_id={product}&quantity=1&method=cash"
        headers["content-length"] = str(len(body))
        status, _, answer = await call(app, "POST", path, headers, body.encode())
        if status != 200:
            sys.exit(f"A tap failed: {status} {answer[:300]!r}")


async def main(stall: int, product: int) -> None:
    import logging

    from app import app  # the app as uvicorn loads it (gc.freeze() included)

    # The request log's line goes where uvicorn sends it; a pipe to a terminal here would
    # measure the terminal. The app's own handlers, writing to /dev/null, keep their cost
    # (formatting, the time, the write).
    devnull = open(os.devnull, "w")  # noqa: SIM115, ASYNC230 (for the whole run)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)
    profiler = cProfile.Profile(time.process_time) if os.environ.get("PROFILE") else None
    async with app.lifespan():
        jars = [await sign_in(app, f"b{RUN}{i}") for i in range(CLIENTS)]
        per_phone = REQUESTS // CLIENTS
        for kind in KINDS:
            await asyncio.gather(*[phone(app, j, kind, stall, product, 5) for j in jars])  # warm
            figures = []
            for _ in range(ROUNDS):
                started = time.process_time()
                if profiler:
                    profiler.enable()
                await asyncio.gather(
                    *[phone(app, j, kind, stall, product, per_phone) for j in jars]
                )
                if profiler:
                    profiler.disable()
                figures.append((time.process_time() - started) / (per_phone * CLIENTS) * 1000)
            print(
                f"  {kind:7} CPU per tap: "
                + " / ".join(f"{f:.3f}" for f in figures)
                + f" ms (median {statistics.median(figures):.3f})"
            )
    if profiler:
        profiler.dump_stats(os.environ["PROFILE"])


if __name__ == "__main__":
    scratch = tempfile.mkdtemp(prefix="clustermarket-tapcpu-")
    database = (
        None if SMOKE else os.environ.get("BENCH_DATABASE_URL")
    ) or f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.update(
        DATA_DIR=scratch,
        DATABASE_URL=database,
        APP_ENV="development",
        TEMPLATES_RELOAD="0",  # templates read once, as in production
        PASSWORD_HASH_PROFILE="fast",
        LOGIN_LIMIT_PER_ADDRESS="1000",
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    migrate = [sys.executable, "-m", "clustermarket", "migrate"]
    subprocess.run(migrate, env=env, cwd=ROOT, check=True, capture_output=True)
    RUN = uuid.uuid4().hex[:8]
    stock = REQUESTS * (ROUNDS + 1) * len(KINDS) + CLIENTS * 10
    stall, product = map(int, python(SETUP, env, RUN, str(CLIENTS), str(stock), PASSWORD).split())
    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    print(f"{engine}, in one process, {CLIENTS} phones at once, {REQUESTS} taps a round")
    print("  load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    asyncio.run(main(stall, product))
