"""The file stores (sessions, rate limits) kept under DATA_DIR when Redis is not set.

Expired sessions and counters are removed at start-up and then every hour; Redis expires its
keys itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar import Litestar
from litestar.stores.file import FileStore

from clustermarket.settings import Settings

STORE_NAMES = ("sessions", "rate_limit")
CLEANUP_EVERY = 60 * 60
_TASK = "store_cleanup_task"

log = logging.getLogger("clustermarket")


async def delete_expired(app: Litestar) -> None:
    for name in STORE_NAMES:
        store = app.stores.get(name)
        if isinstance(store, FileStore):
            await store.path.mkdir(parents=True, exist_ok=True)
            await store.delete_expired()


async def _every_hour(app: Litestar) -> None:
    while True:
        await asyncio.sleep(CLEANUP_EVERY)
        try:
            await delete_expired(app)
        except OSError as error:  # a full or read-only disk must not stop the server
            log.warning("Could not remove expired sessions: %s", error)


async def start_store_cleanup(app: Litestar, settings: Settings) -> None:
    if settings.redis_url:
        return
    await delete_expired(app)
    app.state[_TASK] = asyncio.get_running_loop().create_task(_every_hour(app))


async def stop_store_cleanup(app: Litestar) -> None:
    task = app.state.get(_TASK)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
