"""Database engines (SQLite by default, PostgreSQL in production) and migrations."""

from __future__ import annotations

import sqlite3

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from clustermarket.settings import Settings

# A stopped PostgreSQL must fail a request (or a test run) within seconds, not hang.
POSTGRES_CONNECT_TIMEOUT = 5


def make_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        return PostgresEngine(
            config={"dsn": settings.database_url, "timeout": POSTGRES_CONNECT_TIMEOUT}
        )
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    # `timeout` is sqlite3's busy timeout: writers wait up to 30 s for the lock.
    return SQLiteEngine(path=str(path), timeout=30)


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


async def open_pool(engine: Engine, settings: Settings) -> None:
    if isinstance(engine, PostgresEngine) and settings.database_pool_size > 0:
        size = settings.database_pool_size
        # asyncpg keeps ten idle connections by default, more than a small pool may hold.
        await engine.start_connection_pool(min_size=min(size, 2), max_size=size)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
