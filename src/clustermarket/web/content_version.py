"""The cluster-wide content version: changed by every write, read by the public page cache.

A cached public page is served only while the version it was rendered under is still the
current one, so a change anywhere (an approval, a hide, a sale, a new market day) retires
every cached page at once, in every process. The version is a random token, not a counter:
a Redis that restarts empty, or a deleted file, can never bring an old version back.

- Redis configured (several workers): one key in Redis.
- Otherwise: 8 bytes in a file under DATA_DIR, mapped into memory, so the web process, a
  separate job worker and the command line agree, and reading it costs no system call.

Writers call `await content_changed()`: `write_transaction()` does after each commit, the
page cache after each unsafe request that succeeded, the job runner after each job.

The clusters' version (`CLUSTERS`) is kept the same way under its own key: it changes only
when a cluster is made or its name, address, market or look changes (`clusters_changed()`),
and tells every worker's cluster directory (web/clusters.py) to read the clusters again.
"""

from __future__ import annotations

import asyncio
import logging
import mmap
import os
import weakref
from pathlib import Path
from typing import Protocol

log = logging.getLogger("clustermarket")

KEY = "content-version"
SIZE = 8


class ContentVersion(Protocol):
    async def current(self) -> bytes: ...

    async def bump(self) -> None: ...


class FileVersion:
    """The version in a memory-mapped file: shared by the processes of one machine."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < SIZE:
                os.write(fd, os.urandom(SIZE))
            self._map = mmap.mmap(fd, SIZE)
        finally:
            os.close(fd)

    async def current(self) -> bytes:
        return self._map[:SIZE]

    async def bump(self) -> None:
        self._map[:SIZE] = os.urandom(SIZE)


class RedisVersion:
    """The version in Redis: shared by every worker of the installation.

    Reads are shared: a request that comes while a read is under way waits for the next read
    (started after it came, so it sees every change made before), together with every other
    request that came meanwhile: one round trip for a burst of requests, not one each."""

    def __init__(self, store, key: str = KEY) -> None:  # a litestar RedisStore
        self.store = store
        self.key = key
        self._reading: asyncio.Future[bytes] | None = None
        self._next: asyncio.Future[bytes] | None = None

    async def current(self) -> bytes:
        if self._reading is None:
            return await asyncio.shield(self._start_read())
        if self._next is None:
            self._next = asyncio.ensure_future(self._read_after(self._reading))
        return await asyncio.shield(self._next)

    def _start_read(self) -> asyncio.Future[bytes]:
        reading = self._reading = asyncio.ensure_future(self._read())
        reading.add_done_callback(self._done)
        return reading

    def _done(self, reading: asyncio.Future[bytes]) -> None:
        if self._reading is reading:
            self._reading = None
        if not reading.cancelled():
            reading.exception()  # retrieved: a failed read is the waiters' to report

    async def _read_after(self, previous: asyncio.Future[bytes]) -> bytes:
        await asyncio.wait([previous])
        self._next = None  # who comes from now on waits for a later read
        return await self._start_read()

    async def _read(self) -> bytes:
        version = await self.store.get(self.key)
        if version is None:  # a fresh (or restarted) Redis: start a version nobody cached
            await self.store.set(self.key, os.urandom(SIZE))
            version = await self.store.get(self.key)
        return version or b""

    async def bump(self) -> None:
        await self.store.set(self.key, os.urandom(SIZE))


class SharedVersion:
    """One kind of version (its Redis key, its file's name), and the versions of that kind
    of the apps running in this process, per event loop: a Redis client belongs to the loop
    of its app (tests run several apps, each in its own loop)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._active: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[int, ContentVersion]
        ] = weakref.WeakKeyDictionary()
        self._fallback: list[ContentVersion] = []

    def make(self, settings, stores) -> ContentVersion:
        if settings.redis_url:
            return RedisVersion(stores.get("page_cache"), self.key)
        return FileVersion(settings.data_dir / self.key)

    def register(self, version: ContentVersion) -> None:
        self._active.setdefault(asyncio.get_running_loop(), {})[id(version)] = version

    def unregister(self, version: ContentVersion) -> None:
        self._active.get(asyncio.get_running_loop(), {}).pop(id(version), None)

    def _versions(self) -> list[ContentVersion]:
        if here := self._active.get(asyncio.get_running_loop()):
            return list(here.values())
        if not self._fallback:  # a process without an app (the job worker, the command line)
            from litestar.stores.registry import StoreRegistry

            from clustermarket.server import store_registry
            from clustermarket.settings import get_settings

            settings = get_settings()
            stores: StoreRegistry = store_registry(settings)
            self._fallback.append(self.make(settings, stores))
        return self._fallback

    async def changed(self) -> None:
        for version in self._versions():
            try:
                await version.bump()
            except Exception as error:  # Redis away: the write stands; pages expire by age
                log.warning("Could not change the %s: %s", self.key, error)


CONTENT = SharedVersion(KEY)
CLUSTERS = SharedVersion("clusters-version")


def version_for(settings, stores) -> ContentVersion:
    return CONTENT.make(settings, stores)


def register(version: ContentVersion) -> None:
    CONTENT.register(version)


def unregister(version: ContentVersion) -> None:
    CONTENT.unregister(version)


async def content_changed() -> None:
    """Something the public may see has changed: no cached page may be served from now on."""
    await CONTENT.changed()


async def clusters_changed() -> None:
    """A cluster was made, or its name, address, market or look changed: every worker reads
    the clusters again within a second (web/clusters.py)."""
    await CLUSTERS.changed()
