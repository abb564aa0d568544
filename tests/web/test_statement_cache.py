"""On PostgreSQL every statement of the dearest signed-in pages is prepared once per
connection and kept (issue 17, target 3: every page that is not public ≤ 3 ms of server CPU).

asyncpg keeps a prepared statement per connection only up to `max_cacheable_statement_size`
(15 KiB by default); a longer one is prepared again on every run, its result's codecs built
again in Python. A moderation tab's rows of every kind on the page, in one statement, are
about 20 KiB: that cost a view of the admin's Waiting tab about 1 ms of CPU. The engine keeps
statements up to `db.STATEMENT_CACHE_LIMIT`; here each statement of these pages, run twice on
a connection made as the engine makes them, is among that connection's prepared statements
(asyncpg names the ones it keeps; one it does not keep stays unnamed and is not listed)."""

from __future__ import annotations

import asyncpg
import pytest

from clustermarket.db import STATEMENT_CACHE_LIMIT
from clustermarket.demo import load_demo_data
from clustermarket.settings import get_settings
from tests.conftest import QueryCounter, sign_in

TEACHER = ("staylor", "teacher-demo-1")
ADMIN = ("admin", "cluster-admin-demo")
PUPIL = ("ameliab", "apple-otter-12")
PAGES = [
    (ADMIN, "/moderation"),
    (ADMIN, "/moderation?tab=live"),
    (TEACHER, "/moderation"),
    (TEACHER, "/moderation?tab=live"),
    (ADMIN, "/teams/1/market"),
    (PUPIL, "/teams/1/market"),
    (ADMIN, "/reports?report=cluster&range=year"),
]


@pytest.mark.parametrize(("who", "path"), PAGES)
async def test_every_statement_of_a_dear_page_is_kept_prepared(client, who, path) -> None:
    if not get_settings().is_postgres:
        pytest.skip("asyncpg's statement cache is PostgreSQL's; SQLite's driver keeps its own")
    from piccolo_conf import DB

    assert DB.config["max_cacheable_statement_size"] == STATEMENT_CACHE_LIMIT
    await load_demo_data()
    await sign_in(client, *who)
    with QueryCounter() as counter:
        answer = await client.get(path)
    assert answer.status_code == 200
    longest = max(len(sql.encode()) for sql, _ in counter.statements)
    assert longest <= STATEMENT_CACHE_LIMIT, (path, longest)
    connection = await asyncpg.connect(**DB.config)
    try:
        for sql, values in counter.statements:
            for _ in range(2):
                await connection.fetch(sql, *values)
        kept = {
            row[0] for row in await connection.fetch("SELECT statement FROM pg_prepared_statements")
        }
    finally:
        await connection.close()
    for sql, _ in counter.statements:
        assert sql in kept, (path, len(sql), sql[:80])
