"""Taps of one product at one stall share a round trip and a commit (PostgreSQL; issue 17,
target 4).

A tap is one statement (market/tap.py) that updates the product's stock row and, by
triggers, the stall's takings rows; PostgreSQL holds those row locks until the tap's commit
has flushed. Twenty phones selling the same candles therefore queue on the rows inside
PostgreSQL, one at a time, each waiting backend costing CPU (measured at 20 clients: of
about 5 busy backends, 4 waited on a lock). Here the taps of one (stall, product) that arrive
while one is in flight wait in this process instead, then go together: asyncpg's `fetchmany`
sends their statements in one round trip with one Sync, so PostgreSQL runs them one after
the other in one transaction and commits once. Each is still its own statement with its own
checks (the session, the access rule, the stock, the exactly-once id; a later one sees the
earlier ones), so the outcomes are those of the same taps one at a time, and none is
answered before the commit. If the round trip fails (a repeat racing on another worker fails
on the unique id; a deadlock; a lost connection), nothing of it stays and the taps are run
again one by one, each with its own outcome, as before.

A request that already holds its connection (a page that read the session's user first, the
stall screen) runs its statement on that connection, not in a batch: the batch takes a pool
connection of its own, and as many such requests as the pool has connections, each holding
one and waiting for a batch that waits for one, stopped the server for good.

Only one product's taps go together: a batch holds that product's stock row, then the stall's
rows in the order every tap takes them, so it asks for no row another tap of the stall could
hold while waiting for it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Sequence
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from clustermarket.db_connections import held_connection

Rows = list[dict[str, Any]]
_Waiting = list[tuple[Sequence[Any], "asyncio.Future[Rows]"]]


class _Queue:
    """The taps of one (stall, product) waiting for the batch in flight to finish."""

    __slots__ = ("waiting", "task")

    def __init__(self) -> None:
        self.waiting: _Waiting = []
        self.task: asyncio.Task[None] | None = None


_queues: dict[tuple[int, int], _Queue] = {}


async def run_tap(
    engine: PostgresEngine, sql: str, key: tuple[int, int], args: Sequence[Any]
) -> Rows:
    """The rows of `sql` (`$n` placeholders, one row per run) for `args`, run with the other
    taps of `key` waiting at the same moment, committed before it returns."""
    transaction = engine.current_transaction.get()
    if transaction is not None:  # the caller's own transaction: its connection, its commit
        return [dict(r) for r in await transaction.connection.fetch(sql, *args)]
    held = held_connection()
    if held is not None:  # the request's connection (a batch would take a second: a
        return [dict(r) for r in await held.fetch(sql, *args)]  # deadlock at a full pool)
    loop = asyncio.get_running_loop()
    queue = _queues.get(key)
    if queue is None or (queue.task is not None and queue.task.get_loop() is not loop):
        queue = _queues[key] = _Queue()  # (a batch of a loop that was closed never finishes)
    future: asyncio.Future[Rows] = loop.create_future()
    queue.waiting.append((args, future))
    if queue.task is None:  # no batch in flight: this tap starts one (outside any request)
        queue.task = asyncio.create_task(
            _drain(engine, sql, key, queue), context=contextvars.Context()
        )
    return await future


async def _drain(engine: PostgresEngine, sql: str, key: tuple[int, int], queue: _Queue) -> None:
    batch: _Waiting = []
    try:
        while queue.waiting:
            batch, queue.waiting = queue.waiting, []
            batch = [(args, future) for args, future in batch if not future.done()]
            await _run_batch(engine, sql, batch)
    finally:
        queue.task = None
        for _, future in batch + queue.waiting:  # only if this task was cancelled
            if not future.done():
                future.set_exception(ConnectionError("The tap was not recorded."))
        queue.waiting = []
        if _queues.get(key) is queue:
            del _queues[key]


async def _run_batch(engine: PostgresEngine, sql: str, batch: _Waiting) -> None:
    if len(batch) > 1:
        try:
            rows = await _fetch_many(engine, sql, [args for args, _ in batch])
        except Exception:  # nothing of it stays: each tap again on its own, below
            rows = []
        if len(rows) == len(batch):
            for (_, future), row in zip(batch, rows, strict=True):
                if not future.done():
                    future.set_result([row])
            return
    for args, future in batch:
        try:
            rows = await _fetch_many(engine, sql, [args])
        except Exception as error:
            if not future.done():
                future.set_exception(error)
        else:
            if not future.done():
                future.set_result(rows)


async def _fetch_many(engine: PostgresEngine, sql: str, arg_sets: list[Sequence[Any]]) -> Rows:
    """One round trip, one implicit transaction, on a pool connection as Piccolo takes them."""
    if engine.pool is not None:
        async with engine.pool.acquire() as connection:
            return [dict(r) for r in await connection.fetchmany(sql, arg_sets)]
    connection = await engine.get_new_connection()
    try:
        return [dict(r) for r in await connection.fetchmany(sql, arg_sets)]
    finally:
        await connection.close()
