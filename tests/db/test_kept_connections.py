"""The tests' PostgreSQL connections are kept per event loop (tests/kept_connections.py):
queries reuse one server process, a connection left in a transaction is never handed on, and
an app gives its loop's connections back at shutdown."""

from __future__ import annotations

import asyncio

import pytest
from piccolo.querystring import QueryString

from clustermarket.settings import get_settings
from piccolo_conf import DB
from tests.conftest import make_client

pytestmark = pytest.mark.skipif(
    not get_settings().is_postgres, reason="PostgreSQL's connections (SQLite opens files)"
)


async def _backend() -> int:
    return (await DB.run_querystring(QueryString("SELECT pg_backend_pid() AS pid")))[0]["pid"]


async def _others() -> set[int]:
    """The other client connections' server processes on the tests' database."""
    rows = await DB.run_querystring(
        QueryString(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND backend_type = 'client backend' "
            "AND pid <> pg_backend_pid()"
        )
    )
    return {row["pid"] for row in rows}


async def test_a_tests_queries_reuse_one_server_process() -> None:
    first = await _backend()
    assert await _backend() == first
    async with DB.transaction():
        in_transaction = await _backend()
    assert await _backend() == in_transaction


async def test_a_connection_left_in_a_transaction_is_closed_not_kept() -> None:
    connection = await DB.get_new_connection()
    pid = (await connection.fetch("SELECT pg_backend_pid() AS pid"))[0]["pid"]
    transaction = connection.transaction()
    await transaction.start()
    await connection.close()
    assert connection.is_closed()
    assert await _backend() != pid


async def test_an_app_gives_its_connections_back_at_shutdown() -> None:
    before = await _others()  # (one of an earlier test may still be closing: it only leaves)
    async with make_client() as client:
        assert (await client.get("/")).status_code == 200
        assert (await client.get("/products")).status_code == 200
        assert await _others() - before  # the app's loop keeps one
    for _ in range(100):  # a closed connection's server process ends a moment later
        if not await _others() - before:
            break
        await asyncio.sleep(0.05)
    assert await _others() - before == set()
