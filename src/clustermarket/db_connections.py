"""One database connection per request, on both engines (issue 17, target 3).

Piccolo runs each query on its own connection unless a transaction is open: on PostgreSQL a
pool acquire and a reset statement per query, on SQLite a new connection, a new thread and a
`PRAGMA foreign_keys` per query. Here the two engines are Piccolo's own with one change: a
request (`OneConnectionPerRequest`, pure ASGI around the whole app) holds a *lease*, and the
first query of that request takes a connection that every later query of the same request
uses, Piccolo's transactions (`write_transaction()`) included; the connection goes back when
the response has been sent.

- PostgreSQL: the connection comes from the pool (one acquire and one reset per request);
  without a pool (tests, DATABASE_POOL_SIZE=0) a new connection per request.
- SQLite: long-lived connections, pragmas set once when each is opened. A lent connection
  belongs to one request at a time, so two concurrent requests of a worker never interleave
  inside a transaction (a single shared connection would let one request's statements land
  in another's BEGIN IMMEDIATE … COMMIT). Up to DATABASE_POOL_SIZE idle connections are kept
  per event loop; more are opened when more requests run at once, and closed when given back
  beyond that number (0 keeps none: the tests' setting).
- Only the task that opened the lease uses it: a task started from a request (it inherits
  the context) falls back to Piccolo's own connection handling.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import weakref
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from typing import Any

from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString

from clustermarket import sqlite_types  # noqa: F401  (quicker converters for SQLite's rows)
from clustermarket.frozen import as_written, with_values

_RETURNING = sqlite3.sqlite_version_info >= (3, 35)  # Piccolo re-selects the pk before that


class _Lease:
    __slots__ = ("task", "connection", "give_back")

    def __init__(self) -> None:
        self.task = asyncio.current_task()
        self.connection: Any = None
        self.give_back: Callable[[Any], Awaitable[None]] | None = None


_lease: ContextVar[_Lease | None] = ContextVar("clustermarket_db_lease", default=None)
# Set by `fetch_tuples`: SQLite hands its rows back as tuples, not Piccolo's dicts.
_plain_rows: ContextVar[bool] = ContextVar("clustermarket_plain_rows", default=False)


def _held() -> _Lease | None:
    lease = _lease.get()
    if lease is not None and lease.task is asyncio.current_task():
        return lease
    return None


def held_connection() -> Any:
    """The connection this request's task already holds, or None (none taken yet, or not in
    a request's own task). Code that would take a second pool connection for the request (the
    tap queue's batch) runs on this one instead: requests each holding one connection while
    waiting for another would hold the whole pool and wait for ever."""
    lease = _held()
    return None if lease is None else lease.connection


class _Lending:
    """What both engines add: the request's connection, taken on its first query."""

    async def _open_for_request(self) -> tuple[Any, Callable[[Any], Awaitable[None]]]:
        raise NotImplementedError

    async def request_connection(self) -> Any:
        lease = _held()
        if lease is None:
            return None
        if lease.connection is None:
            lease.connection, lease.give_back = await self._open_for_request()
        return lease.connection


class _LentTransaction:
    """A Piccolo transaction on the request's connection, which it must not close."""

    _lent = False

    async def get_connection(self):
        connection = await self.engine.request_connection()
        if connection is None:
            return await super().get_connection()
        self._lent = True
        return connection

    async def drop_connection(self) -> None:
        """After a failed BEGIN: close a connection of its own, never the request's."""
        if not self._lent:
            await self.connection.close()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent or not self._lent:
            return await super().__aexit__(exception_type, exception, traceback)
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
        return exception is None


class LentPostgresTransaction(_LentTransaction, PostgresTransaction):
    pass


class LentSQLiteTransaction(_LentTransaction, SQLiteTransaction):
    pass


class RequestPostgresEngine(_Lending, PostgresEngine):
    async def _open_for_request(self):
        if self.pool is not None:
            return await self.pool.acquire(), self.pool.release
        connection = await self.get_new_connection()
        return connection, _close

    async def _run_in_pool(self, query, args=None):
        connection = await self.request_connection()
        if connection is None:
            return await super()._run_in_pool(query, args)
        return await connection.fetch(query, *(args or ()))

    async def _run_in_new_connection(self, query, args=None):
        connection = await self.request_connection()
        if connection is None:
            return await super()._run_in_new_connection(query, args)
        return await connection.fetch(query, *(args or ()))

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return LentPostgresTransaction(engine=self, allow_nested=allow_nested)


class RequestSQLiteEngine(_Lending, SQLiteEngine):
    """Piccolo's SQLite engine with connections kept open and lent one per request."""

    keep_idle = 0  # set from DATABASE_POOL_SIZE by the web app

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[Any]] = (
            weakref.WeakKeyDictionary()
        )

    async def _open_for_request(self):
        idle = self._idle.get(asyncio.get_running_loop())
        if idle:
            return idle.pop(), self._give_back
        return await self.get_connection(), self._give_back  # foreign keys on, once

    async def _give_back(self, connection: Any) -> None:
        idle = self._idle.setdefault(asyncio.get_running_loop(), [])
        try:
            if connection.in_transaction:  # a request cancelled inside a transaction
                await connection.rollback()
        except Exception:
            await _close(connection)
            return
        if len(idle) < self.keep_idle:
            idle.append(connection)
        else:
            await _close(connection)

    async def close_idle(self) -> None:
        idle = self._idle.pop(asyncio.get_running_loop(), [])
        for connection in idle:
            await _close(connection)

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        connection = await self.request_connection()
        if connection is None or not _RETURNING:
            return await super()._run_in_new_connection(query, args, query_type, table)
        async with connection.execute(query, args or []) as cursor:
            if connection.in_transaction:  # a write: commit it, as Piccolo does
                await connection.commit()
            if _plain_rows.get():
                cursor.row_factory = None
            return await cursor.fetchall()

    async def _run_in_existing_connection(
        self, connection, query, args=None, query_type="generic", table=None
    ):
        """Inside a transaction. Every connection had its pragma set when it was opened
        (Piccolo's `get_connection`), so none is sent again before each statement."""
        if not _RETURNING:
            return await super()._run_in_existing_connection(
                connection, query, args, query_type, table
            )
        async with connection.execute(query, args or []) as cursor:
            if _plain_rows.get():
                cursor.row_factory = None
            return await cursor.fetchall()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return LentSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


async def fetch_tuples(
    table: Any, sql: str, *args: Any, values_written: bool = False
) -> list[Sequence[Any]]:
    """A raw select's rows as plain sequences (tuples, asyncpg records), through the engine's
    one entry point (so it counts as a query): no dict per row for a long CSV.
    `values_written`: the values written into the statement (`frozen.written_in`)."""
    engine_type = table._meta.db.engine_type
    querystring = with_values(sql, args, engine_type) if values_written else QueryString(sql, *args)
    token = _plain_rows.set(True)
    try:
        rows = await table._meta.db.run_querystring(querystring)
    finally:
        _plain_rows.reset(token)
    if rows and isinstance(rows[0], dict):  # no request connection: Piccolo's own rows
        return [tuple(row.values()) for row in rows]
    return rows


async def run_sql(table: Any, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """SQL written out once, with named parameters (`:name`, SQLite's): sent as it is, with no
    query built or compiled per call, through the engine's one entry point (so it counts as a
    query and runs in the open transaction, if any)."""
    return await table._meta.db.run_querystring(as_written(sql, params))


async def _close(connection: Any) -> None:
    with contextlib.suppress(Exception):  # already broken: nothing more to give back
        await connection.close()


class OneConnectionPerRequest:
    """Pure ASGI: each HTTP request gets a lease; its connection goes back at the end."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lease = _Lease()
        token = _lease.set(lease)
        try:
            await self.app(scope, receive, send)
        finally:
            _lease.reset(token)
            if lease.connection is not None and lease.give_back is not None:
                await asyncio.shield(lease.give_back(lease.connection))
