"""Database engines (SQLite by default, PostgreSQL in production) and migrations."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from clustermarket.db_connections import RequestPostgresEngine, RequestSQLiteEngine
from clustermarket.settings import Settings

# A stopped PostgreSQL must fail a request (or a test run) within seconds, not hang.
POSTGRES_CONNECT_TIMEOUT = 5
# SQLite's busy timeout: commands (migrate, demo) wait up to 30 s for another writer; a web
# request waits 5 s and then answers 503 "try again in a minute" rather than hanging for half
# a minute. Writers of the one server process queue in-process (market/services.py), so the
# busy wait only ever covers another process (a command, a second worker) holding the lock.
COMMAND_BUSY_TIMEOUT = 30
WEB_BUSY_TIMEOUT = 5
# asyncpg prepares a statement and keeps it per connection only up to 15 KiB by default; a
# longer one was prepared again on every run (a round trip, and its result's codecs built
# anew in Python): the moderation tab's rows of every kind in one statement are about 20 KiB,
# which cost a view about 1 ms of CPU (issue 17, target 3). Kept up to this size instead.
STATEMENT_CACHE_LIMIT = 64 * 1024


def make_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        return RequestPostgresEngine(
            config={
                "dsn": settings.database_url,
                "timeout": POSTGRES_CONNECT_TIMEOUT,
                "max_cacheable_statement_size": STATEMENT_CACHE_LIMIT,
            }
        )
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return RequestSQLiteEngine(path=str(path), timeout=COMMAND_BUSY_TIMEOUT)


def use_web_busy_timeout(engine: Engine) -> None:
    """The web app's shorter busy timeout (the engine passes it to each new connection)."""
    if isinstance(engine, SQLiteEngine):
        engine.connection_kwargs["timeout"] = WEB_BUSY_TIMEOUT


def enable_sqlite_wal(settings: Settings) -> None:
    """WAL lets readers go on while one writer writes; the mode stays set in the file."""
    if settings.is_postgres:
        return
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(settings.sqlite_path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


async def migrate(settings: Settings) -> None:
    """Apply every pending Piccolo migration, in dependency order."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    enable_sqlite_wal(settings)
    result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"Migrations failed: {result.message}")
    refresh_sqlite_statistics(settings)


# Rows sampled per index: ANALYZE stays a few milliseconds however big the tables grow.
ANALYSIS_LIMIT = 1000


def refresh_sqlite_statistics(settings: Settings) -> None:
    """SQLite's planner needs statistics to see that a yes/no column (`is_public`, `status`)
    narrows nothing: without them it may start a market day's page from every public
    product instead of from the day's stalls. PostgreSQL keeps its own (autovacuum)."""
    if settings.is_postgres or not settings.sqlite_path.exists():
        return
    try:
        with sqlite3.connect(settings.sqlite_path, timeout=WEB_BUSY_TIMEOUT) as conn:
            conn.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            conn.execute("ANALYZE")
    except sqlite3.Error as error:  # a busy or read-only file: the old statistics serve
        logging.getLogger(__name__).warning("SQLite statistics not refreshed: %s", error)


async def refresh_statistics(settings: Settings, payload: dict) -> None:
    """The nightly job (jobs/schedule.py): statistics follow the tables as they grow."""
    await asyncio.to_thread(refresh_sqlite_statistics, settings)


async def open_pool(engine: Engine, settings: Settings) -> None:
    if isinstance(engine, RequestSQLiteEngine):  # long-lived connections kept per worker
        engine.keep_idle = max(settings.database_pool_size, 0)
    refresh_sqlite_statistics(settings)  # at start-up, so the planner sees today's tables
    if isinstance(engine, PostgresEngine) and settings.database_pool_size > 0:
        size = settings.database_pool_size
        # asyncpg keeps ten idle connections by default, more than a small pool may hold.
        await engine.start_connection_pool(
            min_size=min(size, 2), max_size=size, reset=_keep_session
        )


async def _keep_session(connection: object) -> None:
    """A connection goes back to the pool as it is (asyncpg still rolls back a transaction
    left open). Its default reset is one more round trip per request (`RESET ALL`, `UNLISTEN
    *`, `CLOSE ALL`, `pg_advisory_unlock_all()`) for state this app never leaves behind: no
    session settings, LISTEN, cursors outside transactions or session-level advisory locks
    (the app's are `pg_advisory_xact_lock`, released at commit)."""


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, RequestSQLiteEngine):
        await engine.close_idle()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


def _reason(error: BaseException) -> str:
    if isinstance(error, socket.gaierror):
        return "the host name is not known"
    if isinstance(error, ConnectionRefusedError):
        return "the connection was refused: is PostgreSQL running on that port?"
    if isinstance(error, TimeoutError):
        return f"no answer within {POSTGRES_CONNECT_TIMEOUT} seconds"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


async def connection_problem(settings: Settings) -> str | None:
    """One line naming DATABASE_URL and why the database cannot be opened; None if it can."""
    if settings.is_postgres:
        import asyncpg

        where = urlsplit(settings.database_url)
        try:
            conn = await asyncpg.connect(settings.database_url, timeout=POSTGRES_CONNECT_TIMEOUT)
        except (OSError, TimeoutError, asyncpg.PostgresError, ValueError) as error:
            host = f"{where.hostname or 'localhost'}:{where.port or 5432}"
            return f"DATABASE_URL: cannot open PostgreSQL at {host} ({_reason(error)})"
        await conn.close()
        return None
    path = settings.sqlite_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            sqlite3.connect(f"file:{path}?mode=rw", uri=True).close()
        elif not os.access(path.parent, os.W_OK):  # checked without making the file yet
            raise PermissionError(f"cannot write in {path.parent}")
    except (OSError, sqlite3.Error) as error:
        return (
            f"DATABASE_URL: cannot open the SQLite file {settings.sqlite_path} ({_reason(error)})"
        )
    return None


def database_problem(settings: Settings) -> str | None:
    """`connection_problem` from synchronous start-up code, even where an event loop is
    already running (uvicorn imports `app` inside its loop): it runs on its own thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, connection_problem(settings)).result()


def waiting_indexes(migration_id: str, app_name: str, tables: tuple[str, ...]) -> Any:
    """A migration's manager that indexes, for each moderated table, only the rows that
    wait for a teacher (`status IN ('pending')`, as the queue's selects say it: a partial
    index serves a query whose condition matches it). SQLite's statistics cannot tell it that
    'pending' is a handful of rows among 10,000, so it reached a school's pending products
    through every product of the school's teams (0.19 ms at scale); with these indexes
    analysed it starts from the status (0.01 ms). PostgreSQL keeps them too (a few rows)."""
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager
    from piccolo.engine import engine_finder

    manager = MigrationManager(
        migration_id=migration_id,
        app_name=app_name,
        description=f"Index the rows of {', '.join(tables)} that wait for moderation",
    )

    async def create() -> None:
        for table in tables:
            await engine_finder().run_ddl(
                f"CREATE INDEX IF NOT EXISTS {table}_waiting ON {table} (id)"
                " WHERE status IN ('pending')"
            )

    async def drop() -> None:
        for table in tables:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {table}_waiting")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
