"""The file stores (sessions, rate limits) kept under DATA_DIR when Redis is not set.

Expired sessions and counters are removed at start-up and then every hour; Redis expires its
keys itself.

`LocalFileStore` is Litestar's FileStore with `get`, `set` and `delete` done in the event
loop: a session is a few hundred bytes in a local directory, read or written (without fsync)
in microseconds, while FileStore sends each step (mkdir, read, write) to a worker thread,
several thread hops for every signed-in request. A file read before is taken from memory
while a stat shows it unchanged (`_read`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from datetime import timedelta
from os import PathLike

from litestar import Litestar
from litestar.stores.base import StorageObject
from litestar.stores.file import FileStore, _safe_file_name

from clustermarket.settings import Settings

STORE_NAMES = ("sessions", "rate_limit")
CLEANUP_EVERY = 60 * 60
_TASK = "store_cleanup_task"
READ_BEFORE_AT_MOST = 10_000  # files' contents kept in memory (a session is a few hundred bytes)

log = logging.getLogger("clustermarket")


class LocalFileStore(FileStore):
    def __init__(self, path: PathLike[str] | str, *, create_directories: bool = False) -> None:
        super().__init__(path, create_directories=create_directories)
        self._folder = os.fspath(self.path)
        self._read_before: dict[str, tuple[tuple[int, int, int], StorageObject]] = {}

    def with_namespace(self, namespace: str) -> LocalFileStore:
        return LocalFileStore(super().with_namespace(namespace).path)

    def _read(self, path: str) -> StorageObject:
        """The file's contents, from memory while the file is the one read before: every
        write replaces the file (a new inode), so the same inode, time and size mean the
        same bytes, whichever process wrote them. A stat instead of an open, a read and a
        decode: a signed-in request reads its session each time (issue 17, target 4)."""
        seen = os.stat(path)
        mark = (seen.st_ino, seen.st_mtime_ns, seen.st_size)
        known = self._read_before.get(path)
        if known is not None and known[0] == mark:
            return known[1]
        with open(path, "rb") as file:  # noqa: ASYNC230 (microseconds: see above)
            stored = StorageObject.from_bytes(file.read())
        if len(self._read_before) >= READ_BEFORE_AT_MOST:
            del self._read_before[next(iter(self._read_before))]  # the oldest read
        self._read_before[path] = (mark, stored)
        return stored

    def _file_of(self, key: str) -> str:
        """The key's file as a plain string: anyio's Path joins cost ~10 % of a session read."""
        return os.path.join(self._folder, _safe_file_name(key))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        path = self._file_of(key)
        try:
            stored = self._read(path)
        except FileNotFoundError:
            self._read_before.pop(path, None)
            return None
        if stored.expired:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            return None
        if renew_for and stored.expires_at:
            await self.set(key, stored.data, expires_in=renew_for)
        return stored.data

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        os.makedirs(self.path, exist_ok=True)
        data = value.encode("utf-8") if isinstance(value, str) else value
        self._write_sync(self._path_from_key(key), StorageObject.new(data, expires_in))

    async def delete(self, key: str) -> None:
        path = self._file_of(key)
        self._read_before.pop(path, None)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


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
