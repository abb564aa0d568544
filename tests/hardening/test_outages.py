"""A database that cannot answer gives a friendly 503 with Retry-After (a fragment for htmx),
saves nothing, and /health says what is down. Every request here is bounded in time, so a
regression fails clearly instead of hanging the suite."""

import asyncio
import sqlite3
import time

import pytest
from piccolo.conf.apps import Finder
from piccolo.engine.postgres import PostgresEngine

from clustermarket.accounts.tables import User
from clustermarket.market.tables import Sale
from tests.conftest import make_client, make_user, post_form, sign_in
from tests.market.helpers import HTMX, left_of, open_market, tap

LIMIT = 20  # seconds: far above the 5 s busy timeout, far below a hang


async def bounded(request):
    return await asyncio.wait_for(request, LIMIT)


@pytest.fixture
def postgres_down():
    """Every table pointed at a PostgreSQL on a closed port (on either test database)."""
    down = PostgresEngine(config={"dsn": "postgresql://postgres@127.0.0.1:1/none", "timeout": 2})
    tables = Finder().get_table_classes()
    saved = {table: table._meta.db for table in tables}
    for table in tables:
        table._meta.db = down
    yield
    for table, engine in saved.items():
        table._meta.db = engine


def assert_try_again(response, fragment: bool = False) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "60"
    assert "try again in a minute" in response.text
    assert ("<html" in response.text) is not fragment


async def test_with_postgres_unreachable_pages_say_try_again_and_health_names_it(
    client, postgres_down
) -> None:
    assert_try_again(await bounded(client.get("/")))
    assert_try_again(await bounded(client.get("/products")))
    htmx = await bounded(client.get("/products", params={"q": "candle"}, headers=HTMX))
    assert_try_again(htmx, fragment=True)
    health = await bounded(client.get("/health"))
    assert health.status_code == 503 and health.headers["retry-after"] == "60"
    assert health.json() == {"status": "unavailable", "down": ["database"]}


async def test_with_postgres_unreachable_a_signed_in_pupil_and_a_sign_in_get_503(
    client, postgres_down
) -> None:
    response = await bounded(
        post_form(client, "/login", {"username": "ameliab", "password": "password-123"})
    )
    assert_try_again(response)


async def test_a_signed_in_session_meets_the_outage_politely(client, request) -> None:
    await make_user("ameliab")
    await sign_in(client, "ameliab")
    request.getfixturevalue("postgres_down")
    assert_try_again(await bounded(client.get("/dashboard")))


async def test_health_is_ok_when_the_database_answers(client) -> None:
    health = await bounded(client.get("/health"))
    assert health.status_code == 200 and health.json() == {"status": "ok"}


async def test_health_names_redis_when_it_is_configured_and_down(postgres_down) -> None:
    async with make_client(redis_url="redis://127.0.0.1:1/0") as client:
        health = await bounded(client.get("/health"))
    assert health.status_code == 503
    assert health.json()["down"] == ["database", "redis", "queue"]


@pytest.fixture
def sqlite_locked(settings):
    """Another connection holding SQLite's write lock, as a second process would."""
    if settings.is_postgres:
        pytest.skip("SQLite's write lock; PostgreSQL has row locks instead")
    blocker = sqlite3.connect(settings.sqlite_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    yield
    blocker.execute("ROLLBACK")
    blocker.close()


async def test_a_sale_on_a_locked_sqlite_answers_503_quickly_and_sells_nothing(
    client, request
) -> None:
    market = await open_market(candles=10)
    await sign_in(client, "ameliab")
    request.getfixturevalue("sqlite_locked")
    for htmx in (True, False):
        started = time.monotonic()
        response = await bounded(tap(client, market.stall, market.candle, htmx=htmx))
        assert time.monotonic() - started < 10
        assert_try_again(response, fragment=htmx)  # the stall's offline queue keeps the tap
    assert await Sale.count() == 0
    assert await left_of(market.stall, market.candle) == 10


async def test_a_sign_in_on_a_locked_sqlite_answers_503_and_signs_nobody_in(
    client, request
) -> None:
    await make_user("ameliab")
    request.getfixturevalue("sqlite_locked")
    started = time.monotonic()
    response = await bounded(
        post_form(client, "/login", {"username": "ameliab", "password": "password-123"})
    )
    assert time.monotonic() - started < 10
    assert_try_again(response)
    assert (await User.select(User.last_login_at).first())["last_login_at"] is None
    assert "cm_session" not in client.cookies
