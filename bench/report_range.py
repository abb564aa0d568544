"""Benchmark: the products report and its CSV over a range, in one process. Not a test.

Times the app over the ASGI interface (no server, no network), signed in as the demo's
cluster admin, on a database `bench/scale.py --keep DIR` built (or any migrated one): per
page the fastest of REPEAT requests (the least disturbed on a busy machine) and the median,
in wall and CPU ms, and the rows of the CSV. Then the report's queries under EXPLAIN ANALYZE.

    DATABASE_URL=sqlite:///DIR/scale.sqlite3 .venv/bin/python bench/report_range.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scale \\
        .venv/bin/python bench/report_range.py

Options (environment): REPEAT (15).
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEAT = int(os.environ.get("REPEAT", "15"))
EVERY_DATE = "from=2000-01-01&to=2100-12-31"
PAGES = [
    ("report products, default range", "/reports?report=products"),
    ("CSV products, default range", "/reports/products/csv"),
    ("report products, every date", f"/reports?report=products&{EVERY_DATE}"),
    ("report products, every date, page 2", f"/reports?report=products&{EVERY_DATE}&page=2"),
    ("CSV products, every date", f"/reports/products/csv?{EVERY_DATE}"),
    ("report teams, every date", f"/reports?report=teams&{EVERY_DATE}"),
]


async def _measure() -> None:
    from scale import APP_ENVIRONMENT

    os.environ.update(APP_ENVIRONMENT)
    os.environ.pop("REDIS_URL", None)
    sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "bench")]
    from litestar.testing import AsyncTestClient

    from clustermarket.server import create_app

    async with AsyncTestClient(app=create_app(), base_url="http://127.0.0.1") as client:
        page = await client.get("/login")  # the form's token (the cookie's is masked in it)
        found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        token = found.group(1) if found else ""
        answer = await client.post(
            "/login",
            data={"username": "admin", "password": "cluster-admin-demo", "_csrf_token": token},
            follow_redirects=False,
        )
        assert answer.status_code == 302, answer.status_code
        print("| page | fastest wall ms | median wall ms | fastest CPU ms | size |")
        print("|---|---|---|---|---|")
        for label, path in PAGES:
            walls, cpus = [], []
            size = ""
            for _ in range(REPEAT):
                started, cpu = time.perf_counter(), time.process_time()
                answer = await client.get(path)
                cpus.append((time.process_time() - cpu) * 1000)
                walls.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            if "csv" in path:
                size = f"{answer.text.count(chr(10)) - 1} rows"
            else:
                size = f"{len(answer.content) // 1024} KB"
            print(
                f"| {label} | {min(walls):.1f} | {statistics.median(walls):.1f} "
                f"| {min(cpus):.1f} | {size} |",
                flush=True,
            )
    await _explain()


async def _explain() -> None:
    import datetime as dt

    from clustermarket.reports import margins
    from clustermarket.reports.periods import Period
    from clustermarket.schools.tables import Cluster
    from clustermarket.settings import get_settings
    from piccolo_conf import DB

    cluster = (await Cluster.select(Cluster.id).order_by(Cluster.id).first())["id"]
    period = Period("custom", dt.date(2000, 1, 1), dt.date(2100, 12, 31), "")
    postgres = get_settings().is_postgres
    for label, sql, arguments in margins.explained(None, period, cluster):
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            await DB.run_querystring(_querystring(sql, arguments))
            best = min(best, (time.perf_counter() - started) * 1000)
        print(f"\n## {label}: fastest of 5 runs {best:.1f} ms")
        plan = await DB.run_querystring(_querystring(prefix + sql, arguments))
        for row in plan:
            print("   ", " ".join(str(v) for v in row.values()))


def _querystring(sql: str, arguments: list) -> object:
    from piccolo.querystring import QueryString

    return QueryString(sql, *arguments)


if __name__ == "__main__":
    asyncio.run(_measure())
