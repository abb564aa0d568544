"""Benchmark: public pages and static files beside a bare Litestar route, in the same run.

Starts two servers on free 127.0.0.1 ports (uvicorn, one worker each): a bare Litestar "hello"
app, and this app on demo data (a fresh SQLite database, or BENCH_DATABASE_URL: migrated, the
demo loaded if empty, not wiped; its photos kept in BENCH_DATA_DIR). Then, at 20 connections,
the bare route, home, product list, a product page, a market day and its pre-order shop, the
projects, schools and events pages, htmx (the URL the home page loads it from) and a fixed page
(the privacy notice: no database), each run right after a run
of the bare route, three times: prints the median requests/s, the median ratio to the bare run
before it and the server's CPU per request (utime + stime of the server process over the run
/ requests). Every request says `Accept-Encoding: gzip, deflate, br` like a browser, so
compression is paid for where the app does it.

Then the weight of each public page with everything it loads (bytes on the wire, headers
included): a first visit, and the next (the page again; a file with a fresh cache lifetime costs
nothing, others a conditional request), and Lighthouse 12.2.3 scores (mobile and desktop) for
home, product list, product and market day.

    .venv/bin/python bench/pages.py                # full run (a few minutes)
    .venv/bin/python bench/pages.py --smoke        # a few seconds: one short run, no Lighthouse
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_pages \\
        .venv/bin/python bench/pages.py            # PostgreSQL (migrated, not wiped)

Load comes from `wrk` when installed (apt-get install wrk), else from a small asyncio client
here (which needs more CPU itself: compare ratios within one run only). Lighthouse runs from
bench/.lighthouse (npm-installed there on first use; not committed) with CHROME_PATH
(/usr/bin/chromium), by bench/lighthouse_scores.py. Options: --root DIR benchmarks another
checkout of the project (its code and templates, with this venv), --runs, --seconds,
--connections, --no-lighthouse, --only WORD (only the pages whose label holds WORD, e.g.
--only htmx).
Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
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
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lighthouse_scores import lighthouse  # noqa: E402  (Lighthouse's scores of a page)
from stall_sales import kept_data_dir  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ACCEPT_ENCODING = "gzip, deflate, br"
BARE_APP = """
from litestar import Litestar, get

@get("/", media_type="text/plain")
async def hello() -> str:
    return "Hello, world!"

app = Litestar([hello], openapi_config=None, logging_config=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    process: subprocess.Popen
    base: str


def start_server(app: str, cwd: Path, env: dict[str, str], log: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/", timeout=2).status_code < 500:
                return Server(process, base)
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            sys.exit(f"The server {app} did not start; see {log}")
        time.sleep(0.1)
    sys.exit(f"The server {app} did not start; see {log}")


def stop(server: Server) -> None:
    server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()


# --- load -------------------------------------------------------------------------------


def load_with_wrk(url: str, seconds: float, connections: int) -> tuple[int, int]:
    """(requests, non-2xx/3xx answers) from wrk."""
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
        + ["-H", f"Accept-Encoding: {ACCEPT_ENCODING}", url],
        capture_output=True,
        text=True,
        check=True,
    )
    requests = int(re.search(r"(\d+) requests in", done.stdout).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    return requests, int(bad.group(1)) if bad else 0


async def _connection(host: str, port: int, path: str, until: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: {ACCEPT_ENCODING}\r\n\r\n"
    ).encode()
    try:
        while time.perf_counter() < until:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            lower = head.lower()
            length = re.search(rb"\r\ncontent-length: *(\d+)", lower)
            if length:
                await reader.readexactly(int(length.group(1)))
            else:  # chunked
                while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                    await reader.readexactly(size + 2)
                await reader.readuntil(b"\r\n")
            counts[0] += 1
            counts[1] += not 200 <= status < 400
    finally:
        writer.close()


def load_with_python(url: str, seconds: float, connections: int) -> tuple[int, int]:
    parts = httpx.URL(url)
    path = parts.raw_path.decode()
    counts = [0, 0]

    async def run() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *[_connection(parts.host, parts.port, path, until, counts) for _ in range(connections)]
        )

    asyncio.run(run())
    return counts[0], counts[1]


# --- what to measure ----------------------------------------------------------------------


def first_link(base: str, path: str, pattern: str) -> str | None:
    page = httpx.get(base + path, timeout=30)
    found = re.search(pattern, page.text)
    return found.group(0).strip('"') if found else None


def targets(bare: Server, app: Server) -> list[tuple[str, Server, str]]:
    home = httpx.get(app.base + "/", timeout=30).text
    htmx = re.search(r'<script src="([^"]*htmx[^"]*)"', home).group(1)
    product = first_link(app.base, "/products", r'"/products/\d+"')
    day = first_link(app.base, "/market-days", r'"/market-days/\d+"')
    found = [
        ("bare Litestar route", bare, "/"),
        ("home", app, "/"),
        ("product list", app, "/products"),
        ("product page", app, product),
        ("market day", app, day),
        ("market-day shop (holds a form)", app, f"{day}/pre-order" if day else None),
        ("projects", app, "/projects"),
        ("schools", app, "/schools"),
        ("events", app, "/events"),
        ("htmx from static/", app, htmx),
        ("fixed page (privacy notice)", app, "/privacy"),
    ]
    return [t for t in found if t[2]]


@dataclass
class Figures:
    rates: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # to the bare run just before
    cpu_ms: list[float] = field(default_factory=list)
    bad: int = 0


def measure(
    plan: list[tuple[str, Server, str]], runs: int, seconds: float, connections: int
) -> dict[str, Figures]:
    """Each page right after a run of the bare route: on a shared machine the load moves
    within seconds, so a ratio is taken between neighbours, and the median of those kept."""
    load = load_with_wrk if shutil.which("wrk") else load_with_python
    figures = {label: Figures() for label, _, _ in plan}

    def one(label: str, server: Server, path: str) -> float:
        pid = server.process.pid
        cpu_before, started = cpu_seconds(pid), time.perf_counter()
        requests, bad = load(server.base + path, seconds, connections)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
        figures[label].rates.append(requests / elapsed)
        figures[label].cpu_ms.append(cpu * 1000 / max(requests, 1))
        figures[label].bad += bad
        return requests / elapsed

    bare = plan[0]
    for _ in range(runs):
        for target in plan[1:]:
            bare_rate = one(*bare)
            figures[target[0]].ratios.append(one(*target) / bare_rate)
    figures[bare[0]].ratios = [1.0]
    return figures


# --- page weight --------------------------------------------------------------------------

RESOURCE = re.compile(r'<(?:script|img)\b[^>]*?\ssrc="(/[^"]+)"|<link\b[^>]*?\shref="(/[^"]+)"')


def wire_bytes(response: httpx.Response) -> int:
    head = sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 17
    return head + response.num_bytes_downloaded


def fresh(response: httpx.Response) -> bool:
    control = response.headers.get("cache-control", "")
    age = re.search(r"max-age=(\d+)", control)
    return bool(age and int(age.group(1)) > 0 and "no-cache" not in control)


def weigh(base: str, path: str) -> tuple[int, int, int]:
    """(first visit bytes, next visit bytes, files) of a page and everything it loads."""
    with httpx.Client(base_url=base, headers={"accept-encoding": ACCEPT_ENCODING}) as client:
        page = client.get(path)
        first = again = wire_bytes(page)
        links = {a or b for a, b in RESOURCE.findall(page.text)}
        for link in sorted(links):
            answer = client.get(link)
            first += wire_bytes(answer)
            if fresh(answer):
                continue
            validators = {}
            if "etag" in answer.headers:
                validators["if-none-match"] = answer.headers["etag"]
            if "last-modified" in answer.headers:
                validators["if-modified-since"] = answer.headers["last-modified"]
            again += wire_bytes(client.get(link, headers=validators))
    return first, again, len(links)


# --- main ---------------------------------------------------------------------------------


def prepare(root: Path, scratch: Path) -> dict[str, str]:
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
    # A kept database keeps its demo photos beside it (DATA_DIR/media), run after run.
    data = kept_data_dir() if os.environ.get("BENCH_DATABASE_URL") else scratch
    env = {
        **os.environ,
        "DATA_DIR": str(data),
        "DATABASE_URL": database,
        "APP_ENV": "development",
        "TEMPLATES_RELOAD": "0",  # templates read once, as in production
        "PASSWORD_HASH_PROFILE": "fast",
        "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}",
    }
    env.pop("REDIS_URL", None)  # one worker: its own stores
    for command in (["migrate"], ["demo", "--if-empty"]):
        subprocess.run(
            [sys.executable, "-m", "clustermarket", *command],
            env=env,
            cwd=root,
            check=True,
            capture_output=True,
        )
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds, no Lighthouse")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--only", help="measure only the pages whose label holds this word")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.seconds, args.no_lighthouse = 1, 0.5, True
    root = args.root.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="clustermarket-pages-"))
    env = prepare(root, scratch)
    (scratch / "bare.py").write_text(BARE_APP)
    bare = start_server(
        "bare:app", scratch, {**os.environ, "PYTHONPATH": str(scratch)}, scratch / "bare.log"
    )
    app = start_server("app:app", root, env, scratch / "app.log")
    try:
        plan = targets(bare, app)
        if args.only:
            plan = plan[:1] + [t for t in plan[1:] if args.only in t[0]]
        figures = measure(plan, args.runs, args.seconds, args.connections)
        pages = [t for t in plan if t[0] in ("home", "product list", "product page", "market day")]
        weights = {label: weigh(app.base, path) for label, _, path in pages}
        scores = {}
        if not args.no_lighthouse:
            for label, _, path in pages:
                for preset in ("mobile", "desktop"):
                    scores[(label, preset)] = lighthouse(app.base, path, preset, scratch)
    finally:
        stop(app)
        stop(bare)
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    tool = "wrk" if shutil.which("wrk") else "the asyncio client in bench/pages.py"
    print(
        f"{engine}, one uvicorn worker, {args.connections} connections, load from {tool}, "
        f"median of {args.runs} run(s) of {args.seconds:g} s; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print("\n| page | req/s | ratio to the bare run before it | server CPU per request |")
    print("|---|---|---|---|")
    for label, _, path in plan:
        f = figures[label]
        rate, cpu = statistics.median(f.rates), statistics.median(f.cpu_ms)
        warn = f" ({f.bad} non-2xx/3xx!)" if f.bad else ""
        ratio = statistics.median(f.ratios)
        print(f"| {label} `{path}` | {rate:,.0f}{warn} | {ratio:.1%} | {cpu:.3f} ms |")
    print("\n| page | first visit (files) | next visit |")
    print("|---|---|---|")
    for label, (first, again, files) in weights.items():
        print(f"| {label} | {first / 1024:.1f} KB ({files} files) | {again / 1024:.1f} KB |")
    if scores:
        print("\n| Lighthouse | performance | accessibility | best practices | SEO | below 0.9 |")
        print("|---|---|---|---|---|---|")
        for (label, preset), s in scores.items():
            row = " | ".join(str(s.get(k, "-")) for k in ("performance", "accessibility"))
            row += f" | {s.get('best-practices', '-')} | {s.get('seo', '-')}"
            note = f" ({s['note']})" if "note" in s else ""
            print(f"| {label}, {preset}{note} | {row} | {', '.join(s['failing']) or '-'} |")
    else:
        print("\n(Lighthouse skipped)")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
