"""The file store (web/stores.py) keeps what it read in memory, but never answers with what
another worker has since changed or removed: two stores on one folder are two workers."""

from __future__ import annotations

import os

from clustermarket.web.stores import LocalFileStore


async def test_a_worker_sees_another_workers_change_and_removal_at_once(tmp_path) -> None:
    mine, other = LocalFileStore(tmp_path), LocalFileStore(tmp_path)
    await mine.set("session-1", b"signed in as pupil 7", expires_in=3600)
    assert await mine.get("session-1") == b"signed in as pupil 7"
    assert await mine.get("session-1") == b"signed in as pupil 7"  # from memory
    await other.set("session-1", b"signed in as pupil 8", expires_in=3600)  # same length
    assert await mine.get("session-1") == b"signed in as pupil 8"
    await other.delete("session-1")  # signed out on the other worker
    assert await mine.get("session-1") is None


async def test_what_it_read_goes_when_it_expires_or_is_deleted(tmp_path) -> None:
    store = LocalFileStore(tmp_path)
    await store.set("gone-soon", b"x", expires_in=1)
    assert await store.get("gone-soon") == b"x"
    path = store._file_of("gone-soon")
    await store.set("gone-soon", b"x", expires_in=-3600)
    assert await store.get("gone-soon") is None and not os.path.exists(path)  # noqa: ASYNC240
    await store.set("kept", b"y", expires_in=60)
    assert await store.get("kept") == b"y"
    await store.delete("kept")
    assert await store.get("kept") is None
