"""A backup taken while sales pour in is consistent, and restoring it into a fresh database
brings back every sale recorded before it started (and the uploaded images)."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from clustermarket.market import sales
from clustermarket.ops.backup import BackupError, backup, last_backup_at, restore
from clustermarket.settings import Settings
from tests.conftest import as_user
from tests.market.helpers import open_market


def _fresh_database(settings: Settings, tmp_path: Path) -> Settings:
    """Settings of an empty database (and data folder) to restore into."""
    data = tmp_path / "restored-data"
    if not settings.is_postgres:
        return replace(settings, data_dir=data, database_url=f"sqlite:///{data}/db.sqlite3")
    parts = urlsplit(settings.database_url)
    name = f"{parts.path.lstrip('/')}_restore"
    return replace(settings, data_dir=data, database_url=urlunsplit(parts._replace(path=name)))


async def _recreate_postgres(settings: Settings) -> None:
    import asyncpg

    parts = urlsplit(settings.database_url)
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    name = parts.path.lstrip("/")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()


async def _rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    if settings.is_postgres:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()
    with sqlite3.connect(settings.sqlite_path) as conn:
        return conn.execute(sql).fetchall()


async def test_a_backup_during_a_burst_of_sales_restores_every_sale(
    settings: Settings, tmp_path: Path
) -> None:
    market = await open_market(candles=500, totes=500)
    pupil = await as_user("ameliab")
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    (settings.media_dir / "photo-of-a-candle.webp").write_bytes(b"RIFF....WEBP")
    recorded: list[str] = []
    stop, warmed_up = asyncio.Event(), asyncio.Event()

    async def till(product: int) -> None:  # one stall phone tapping sales
        while not stop.is_set():
            client_id = str(uuid.uuid4())
            await sales.record_sale(pupil, market.stall, product, 1, "cash", client_id)
            recorded.append(client_id)
            if len(recorded) >= 15:
                warmed_up.set()

    tills = [asyncio.create_task(till(p)) for p in (market.candle, market.tote, market.candle)]
    await warmed_up.wait()
    before = list(recorded)  # committed before the backup began
    folder = await asyncio.to_thread(backup, settings, tmp_path / "backups")
    await asyncio.sleep(0.2)
    assert not any(t.done() for t in tills), "the tills kept selling through the backup"
    stop.set()
    await asyncio.gather(*tills)
    assert len(recorded) > len(before)
    assert last_backup_at(settings) is not None

    fresh = _fresh_database(settings, tmp_path)
    if fresh.is_postgres:
        await _recreate_postgres(fresh)
    restore(fresh, folder)

    restored = {r[0] for r in await _rows(fresh, "SELECT client_id FROM sale")}
    assert set(before) <= restored
    assert restored <= set(recorded)  # nothing invented
    # The snapshot is consistent: the stock left matches the sales it holds, line by line.
    for product, brought, left in await _rows(
        fresh, 'SELECT product, brought, "left" FROM stall_stock'
    ):
        sold = await _rows(
            fresh,
            f"SELECT COALESCE(SUM(quantity), 0) FROM sale WHERE product = {int(product)} "
            "AND voided_at IS NULL",
        )
        assert brought - left == sold[0][0]
    assert (fresh.media_dir / "photo-of-a-candle.webp").read_bytes() == b"RIFF....WEBP"


async def test_restore_refuses_a_folder_that_is_not_a_backup(settings, tmp_path) -> None:
    with pytest.raises(BackupError, match="not a backup folder"):
        restore(settings, tmp_path)
