"""Benchmark: signed-out public pages beside a bare Litestar route, in the same run.

Starts two real servers on 127.0.0.1 (one uvicorn worker each): the app on demo data, and a
bare Litestar app with one "hello" route. Then `wrk` (Debian's package) loads each URL in
turn with CONNECTIONS connections for SECONDS, and the server's CPU time (utime + stime from
/proc/<pid>/stat) over each run is divided by the requests it answered. The machine may be
shared: compare the ratio to the bare route and the CPU per request, not raw req/s.

    .venv/bin/python bench/public_cache.py                 # fresh SQLite database, demo data
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_pages \\
        .venv/bin/python bench/public_cache.py             # PostgreSQL (migrated, demo if empty)
    .venv/bin/python bench/public_cache.py --smoke         # a few seconds: figures, not truth

Options (environment): DURATION (5 seconds per URL), CONNECTIONS (20), RUNS (3; the median
is shown), REDIS_URL (the app's stores, and the content version, in Redis).
Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

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

import httpx

ROOT = Path(__file__).resolve().parents[1]

BARE_APP = """
from litestar import Litestar, get

@get("/", media_type="text/plain")
async def hello() -> str:
    return "hello"

app = Litestar([hello], openapi_config=None, logging_config=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve(target: str, port: int, env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    # The app logs a line per request: to a file, as a deployment would, not to a terminal.
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
        + ["--no-access-log", "--log-level", "warning"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def wait_until_up(url: str) -> None:
    for _ in range(200):
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit(f"The server at {url} did not start.")


def load(url: str, pid: int, seconds: float, connections: int) -> tuple[float, float]:
    """(requests/s, server CPU ms per request) of one wrk run."""
    cpu = cpu_seconds(pid)
    done = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", url],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu = cpu_seconds(pid) - cpu
    total = int(re.search(r"(\d+) requests in", done.stdout).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))
    if "Non-2xx" in done.stdout:
        sys.exit(f"{url} answered errors under load:\n{done.stdout}")
    return rate, cpu / max(total, 1) * 1000


def public_urls(base: str) -> dict[str, str]:
    """The pages to load, with ids found on the demo site itself."""

    def first(page: str, pattern: str) -> str:
        found = re.search(pattern, httpx.get(base + page, timeout=30).text)
        if not found:
            sys.exit(f"No link matching {pattern} on {page}")
        return found.group(0).strip('"')

    product = first("/products", r'"/products/\d+"')
    day = first("/market-days", r'"/market-days/\d+"')
    return {
        "home": "/",
        "product list": "/products",
        "product page": product,
        "market day": day,
        "market-day shop": f"{day}/pre-order",
        "projects": "/projects",
        "schools": "/schools",
        "events": "/events",
    }


def main() -> None:
    smoke = "--smoke" in sys.argv
    seconds = float(os.environ.get("DURATION", "1" if smoke else "5"))
    runs = int(os.environ.get("RUNS", "1" if smoke else "3"))
    connections = int(os.environ.get("CONNECTIONS", "20"))
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    scratch = Path(tempfile.mkdtemp(prefix="clustermarket-bench-"))
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
    env = {
        **os.environ,
        "DATA_DIR": str(scratch),
        "DATABASE_URL": database,
        "APP_ENV": "development",
        "PASSWORD_HASH_PROFILE": "fast",
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",  # this checkout's code
    }
    for command in (["migrate"], ["demo", "--if-empty"]):
        subprocess.run(
            [sys.executable, "-m", "clustermarket", *command],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    (scratch / "bare_app.py").write_text(BARE_APP)
    app_port, bare_port = free_port(), free_port()
    app_server = serve("app:app", app_port, env, ROOT, scratch / "app.log")
    bare_server = serve("bare_app:app", bare_port, env, scratch, scratch / "bare.log")
    base, bare = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}/"
    try:
        wait_until_up(base + "/health")
        wait_until_up(bare)
        urls = public_urls(base)
        if smoke:
            urls = dict(list(urls.items())[:2])
        rows: dict[str, list[tuple[float, float]]] = {"bare Litestar route": []}
        rows.update({name: [] for name in urls})
        for _ in range(runs):  # interleaved, so a busy spell of the machine hits all alike
            rows["bare Litestar route"].append(load(bare, bare_server.pid, seconds, connections))
            for name, path in urls.items():
                rows[name].append(load(base + path, app_server.pid, seconds, connections))
    finally:
        for server in (app_server, bare_server):
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)
    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    bare_rate = statistics.median(r for r, _ in rows["bare Litestar route"])
    print(
        f"{engine}, one uvicorn worker each, {connections} connections, "
        f"{seconds:g} s per URL, median of {runs} run(s)"
    )
    print("| page | req/s | ratio to bare | server CPU per request |")
    print("|---|---|---|---|")
    for name, results in rows.items():
        rate = statistics.median(r for r, _ in results)
        cpu = statistics.median(c for _, c in results)
        print(f"| {name} | {rate:,.0f} | {rate / bare_rate:.1%} | {cpu:.2f} ms |")


if __name__ == "__main__":
    main()
