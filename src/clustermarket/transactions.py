"""Write transactions that do not race: one rule for every domain.

SQLite: an immediate transaction (the write lock taken at BEGIN), queued per process, so
many writers of one process never meet "database is locked" (a deferred transaction that
reads and then writes can fail at once, whatever the busy timeout). PostgreSQL: a plain
transaction; counters move by one conditional UPDATE."""

from __future__ import annotations

import asyncio
import weakref

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from clustermarket.db_connections import LentPostgresTransaction, LentSQLiteTransaction
from clustermarket.schools.tables import School
from clustermarket.web.content_version import content_changed

_sqlite_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


class _QueuedImmediateTransaction(LentSQLiteTransaction):
    """BEGIN IMMEDIATE, but first wait in this process's queue of writers.

    SQLite's own busy wait sleeps in steps of up to 100 ms, so many writers of one process
    queue on an asyncio lock instead; the connection is opened before joining the queue,
    so the lock is held only for the transaction's own statements. In a web request the
    connection is the request's own (clustermarket/db_connections.py)."""

    _holds_lock = False

    async def begin(self) -> None:
        lock = _sqlite_writers.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        await lock.acquire()
        self._lock, self._holds_lock = lock, True
        try:
            await super().begin()
        except BaseException:
            self._release()
            await self.drop_connection()
            raise

    def _release(self) -> None:
        if self._holds_lock:
            self._holds_lock = False
            self._lock.release()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        try:
            result = await super().__aexit__(exception_type, exception, traceback)
        finally:
            self._release()
        if exception is None and self._parent is None:
            await content_changed()
        return result


class _PostgresWriteTransaction(LentPostgresTransaction):
    """In a web request, on the request's own connection (db_connections.py)."""

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        result = await super().__aexit__(exception_type, exception, traceback)
        if exception is None and self._parent is None:
            await content_changed()
        return result


def write_transaction():
    """A transaction for writes that must not race.

    SQLite: an immediate transaction (the write lock taken at BEGIN), queued per process;
    PostgreSQL needs only a plain transaction, because every counter moves by one conditional
    UPDATE."""
    db = School._meta.db  # the tables' engine (a test may point them all elsewhere)
    if isinstance(db, SQLiteEngine):
        return _QueuedImmediateTransaction(engine=db, transaction_type=TransactionType.immediate)
    return _PostgresWriteTransaction(engine=db)
