"""PostgreSQL connections kept open per event loop, for the tests only.

The tests run without Piccolo's pool: an asyncpg pool belongs to one event loop, and the test
client runs the app on a loop of its own (STACK_NOTES). So every query of a test body and every
request opened a new PostgreSQL connection (a new server process, about 0.1 s on a busy machine)
and closed it. Here a connection that is closed goes back to its loop's idle list instead, and
the next query on that loop takes it again: the tests' own loop keeps its connections to the end
of the run, an app's loop from its start-up to its shutdown (`kept_on_app_loops`). A loop nobody
registered (a test's own `asyncio.run`) opens and closes connections as before.

A connection is kept only as it would come new: not closed, outside any transaction, and with no
prepared statements cached (`statement_cache_size=0`, as a new connection has none, so a table
made again by a restore is never met through an old plan)."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import asyncpg

# More idle connections than this on one loop are closed (concurrent requests open more).
KEEP_IDLE = 8


class KeptConnection(asyncpg.Connection):
    """An asyncpg connection whose `close()` gives it back to its loop's idle list."""

    __slots__ = ()

    async def close(self, *, timeout: float | None = None) -> None:  # noqa: ASYNC109 (asyncpg's)
        idle = _IDLE.get(self._loop)
        if idle is None or len(idle) >= KEEP_IDLE or self.is_closed() or self.is_in_transaction():
            await super().close(timeout=timeout)
            return
        idle.append(self)


_IDLE: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[KeptConnection]] = (
    weakref.WeakKeyDictionary()
)


def keep_on_this_loop() -> None:
    """From now on the running loop keeps the connections its queries close."""
    _IDLE.setdefault(asyncio.get_running_loop(), [])


async def close_this_loops() -> None:
    """The running loop's idle connections closed, and no more kept (its end is near)."""
    for connection in _IDLE.pop(asyncio.get_running_loop(), []):
        await asyncpg.Connection.close(connection)


def kept_connections_engine(engine_class: type) -> type:
    """The engine's class with `get_new_connection` taking an idle connection first."""

    class KeptConnectionsEngine(engine_class):  # type: ignore[misc, valid-type]
        __slots__ = ()

        async def get_new_connection(self) -> Any:
            idle = _IDLE.get(asyncio.get_running_loop())
            while idle:
                connection = idle.pop()
                if not connection.is_closed():
                    return connection
            return await asyncpg.connect(
                **self.config, connection_class=KeptConnection, statement_cache_size=0
            )

    return KeptConnectionsEngine


def use_kept_connections(engine: Any) -> None:
    """The tests' engine (piccolo_conf.DB) keeps its connections from now on."""
    engine.__class__ = kept_connections_engine(type(engine))


def kept_on_app_loops(server_module: Any) -> None:
    """Each app the tests build keeps connections on its loop from start-up to shutdown: the
    app's own `open_pool` / `close_pool` (looked up in its module as it starts) do it too."""
    open_pool, close_pool = server_module.open_pool, server_module.close_pool

    async def open_and_keep(engine: Any, settings: Any) -> None:
        await open_pool(engine, settings)
        keep_on_this_loop()

    async def close_kept(engine: Any) -> None:
        await close_this_loops()
        await close_pool(engine)

    server_module.open_pool, server_module.close_pool = open_and_keep, close_kept
