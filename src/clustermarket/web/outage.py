"""When the database (or Redis) cannot answer: a friendly 503 with Retry-After, not a crash.

PostgreSQL stopped or unreachable, a closed pool, a SQLite file locked by another writer past
the busy timeout, Redis gone: the request is answered "please try again in a minute" (a page,
or a fragment for htmx, both 503 with `Retry-After`). Every write runs in a transaction, so a
request that fails this way has saved nothing. The stall's offline queue keeps a tap that gets
a 503 and sends it again later."""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
from typing import Any

import asyncpg
import redis.exceptions
from litestar import Request, Response

log = logging.getLogger("clustermarket")

RETRY_AFTER_SECONDS = 60
OUTAGE_MESSAGE = (
    "The market's database is not answering just now. If you were sending a form, nothing "
    "from it was saved: please try again in a minute."
)
# Always an outage: the connection could not be made, was lost, or the server refuses work.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted
    TimeoutError,  # no answer within the connect timeout
    socket.gaierror,  # the host name does not resolve (any more)
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.AdminShutdownError,
    asyncpg.TooManyConnectionsError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
# Sometimes an outage, told by the message; otherwise a real bug that stays a 500.
_BUSY_SQLITE = ("database is locked", "database table is locked", "unable to open database")
_CLOSED_POOL = ("pool is closed", "connection is closed", "connection was closed")


def is_outage(exc: BaseException) -> bool:
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError):
        return any(phrase in text for phrase in _BUSY_SQLITE)
    if isinstance(exc, asyncpg.InterfaceError):
        return any(phrase in text for phrase in _CLOSED_POOL)
    return isinstance(exc, OUTAGE_ERRORS)


def outage_response(request: Request, exc: Exception) -> Response:
    from clustermarket.web.errors import internal_error_handler, render_error

    if not is_outage(exc):
        return internal_error_handler(request, exc)
    # One line, not a traceback per request while the database is down.
    log.warning(
        "Database or Redis unavailable on %s %s: %s: %s",
        request.method,
        request.url.path,
        type(exc).__name__,
        str(exc).splitlines()[0] if str(exc) else "",
    )
    return render_error(
        request, 503, OUTAGE_MESSAGE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


OUTAGE_HANDLERS: dict[type[BaseException], Any] = {
    kind: outage_response
    for kind in (*OUTAGE_ERRORS, sqlite3.OperationalError, asyncpg.InterfaceError)
}


HEALTH_CHECK_SECONDS = 5


async def unavailable_services(app: Any) -> list[str]:
    """What the health check finds down: "database", "redis" (when configured), "queue"."""
    from clustermarket.jobs.health import check_queue
    from clustermarket.schools.tables import School

    down = []
    try:
        await asyncio.wait_for(School.raw("SELECT 1").run(), HEALTH_CHECK_SECONDS)
    except Exception as error:  # any failure to answer is "down" for the health check
        log.warning("Health check: database unavailable: %s", type(error).__name__)
        down.append("database")
    if app.state.settings.redis_url:
        try:
            await asyncio.wait_for(app.stores.get("health").exists("ping"), HEALTH_CHECK_SECONDS)
        except Exception as error:
            log.warning("Health check: Redis unavailable: %s", type(error).__name__)
            down.append("redis")
    try:
        await check_queue(
            app.state.settings, database_up="database" not in down, seconds=HEALTH_CHECK_SECONDS
        )
    except Exception as error:
        log.warning("Health check: job queue unavailable: %s", type(error).__name__)
        down.append("queue")
    return down
