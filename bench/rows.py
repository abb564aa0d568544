"""Benchmark: what a page of rows costs, timed in one process over ASGI. Not a test.

bench/scale.py serves the app with uvicorn and times requests from another process: on a
busy shared machine its figures swing 2× between runs. This one runs the app in its own
process (httpx over the ASGI interface, in the same thread and event loop, no network) and
times each page RUNS times one after the other, printing the **fastest** (the least
disturbed by other work on the machine), the median, the least CPU time of this process (on
PostgreSQL the database's own work is not in it), the queries it sent and the rows it
shows; so a demo database and a scale set can be compared within a minute of each other.

    .venv/bin/python bench/rows.py --demo                # a fresh SQLite demo database
    .venv/bin/python bench/rows.py --keep DIR            # the set bench/scale.py --keep DIR built
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scale \\
        .venv/bin/python bench/rows.py --keep DIR        # PostgreSQL: that set (kept, not wiped)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_demo \\
        .venv/bin/python bench/rows.py --demo            # PostgreSQL demo: that database is WIPED
    .venv/bin/python bench/rows.py --keep DIR --profile "ideas board"   # cProfile one page
    .venv/bin/python bench/rows.py --keep DIR --statements "ideas board" # each statement's time

Options: --runs (40), --pages (labels separated by ';' of labels from bench/scale.py's
PAGES; by default the pages with rows of ideas and orders). Only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from query_count import count_queries, counting  # noqa: E402
from scale import (  # noqa: E402
    PAGES,
    ROLES,
    _demo_ids,
    _fresh_demo,
    _migrate,
    _pages,
    _prepare_environment,
)

ROWS = ["ideas board", "ideas, most discussed", "my orders"]
ROWS += ["staff orders (teacher)", "staff orders (admin)"]
# What counts as one row on each page, to print how full the page is.
ROW_MARK = re.compile(r'<li class="card( idea)?"|<tr id="order-')


async def _sign_in(client: Any, role: str | None) -> None:
    if role is None:
        return
    username, password = ROLES[role]
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    answer = await client.post(
        "/login",
        data={"username": username, "password": password, "_csrf_token": token.group(1)},
        follow_redirects=False,
    )
    if answer.status_code != 302:
        sys.exit(f"Could not sign in as {username}: {answer.status_code}")


async def _time(
    pages: list[tuple[str, str | None, str]], runs: int, profile: str, statements: str = ""
) -> None:
    import httpx

    from clustermarket.server import create_app
    from clustermarket.settings import get_settings

    count_queries()
    app = create_app(get_settings())
    logging.disable(logging.INFO)  # one line per request to stderr: not what is measured
    print("| page | fastest ms | median ms | least CPU ms | queries | rows |", flush=True)
    print("|---|---|---|---|---|---|")
    transport = httpx.ASGITransport(app=app)  # in this thread and loop: cProfile sees the app
    async with app.lifespan():
        for label, role, path in pages:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1"
            ) as client:
                await _one_page(client, label, role, path, runs, profile, statements)


async def _one_page(
    client: Any,
    label: str,
    role: str | None,
    path: str,
    runs: int,
    profile: str,
    statements: str = "",
) -> None:
    await _sign_in(client, role)
    first = await client.get(path)  # warm: templates compiled, caches filled
    if first.status_code != 200:
        sys.exit(f"{label}: {path} answered {first.status_code}")
    rows = len(ROW_MARK.findall(first.text))
    if label == profile:
        await _profile(client, path, runs)
        return
    if label == statements:
        await _statements(client, path, runs)
        return
    times: list[float] = []
    cpu: list[float] = []
    with counting() as box:
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            await client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    print(
        f"| {label} | {min(times):.2f} | {statistics.median(times):.2f} "
        f"| {min(cpu):.2f} | {box[0] // runs} | {rows} |",
        flush=True,
    )


async def _profile(client: Any, path: str, runs: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        await client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
    stats.print_stats(60)
    stats.sort_stats("tottime").print_stats(40)


async def _statements(client: Any, path: str, runs: int) -> None:
    """Each statement the page sends, with the median time from sending it to its rows (the
    engine's entry point: on SQLite the driver's thread, on PostgreSQL the round trip)."""
    from piccolo_conf import DB

    engine_class = type(DB)
    original = engine_class.run_querystring
    took: dict[str, list[float]] = {}

    async def timed(engine: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        sql = querystring.compile_string(engine.engine_type)[0]
        started = time.perf_counter()
        try:
            return await original(engine, querystring, *args, **kwargs)
        finally:
            took.setdefault(sql, []).append((time.perf_counter() - started) * 1000)

    engine_class.run_querystring = timed
    try:
        for _ in range(runs):
            await client.get(path)
    finally:
        engine_class.run_querystring = original
    for sql, times in sorted(took.items(), key=lambda item: -statistics.median(item[1])):
        print(f"  {statistics.median(times):7.3f} ms  {' '.join(sql.split())[:110]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--demo", action="store_true", help="a fresh demo database")
    where.add_argument("--keep", type=Path, help="the folder of bench/scale.py --keep DIR")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--pages", default=";".join(ROWS))
    parser.add_argument("--profile", default="", help="cProfile this page instead of timing it")
    parser.add_argument("--statements", default="", help="time each statement of this page")
    args = parser.parse_args()
    wanted = [label.strip() for label in args.pages.split(";")]
    unknown = set(wanted) - {label for label, _, _ in PAGES}
    if unknown:
        sys.exit(f"No such page: {', '.join(sorted(unknown))}")
    if args.keep:
        if not (args.keep / "built").exists():
            sys.exit(f"{args.keep} holds no set: build it with bench/scale.py --keep {args.keep}")
        folder = args.keep.resolve()
    else:
        folder = Path(tempfile.mkdtemp(prefix="rows-bench-"))
    url = _prepare_environment(folder)
    asyncio.run(_migrate() if args.keep else _fresh_demo())
    ids = asyncio.run(_demo_ids())
    pages = [page for page in _pages(ids, smoke=False) if page[0] in wanted]
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"# {engine}, {'scale set' if args.keep else 'demo'}, fastest of {args.runs}")
    asyncio.run(_time(pages, args.runs, args.profile, args.statements))


if __name__ == "__main__":
    main()
