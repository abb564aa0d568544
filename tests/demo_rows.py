"""The demo data for tests, loaded once a run and restored after (as tests/audit restores its
world): `load_demo_data` makes some 40 accounts, teams, products, photos, sales and orders
through the services, 1.5-4 s a load (argon2 hashes, a photo pipeline, a query per row), and
about 50 tests start from it. The first call loads it that way and keeps every table's rows and
the photos' files; later calls put those rows back row by row (`reset_database`, the triggers
making their totals again), write back any photo file a test removed, and change the content
version as the load's writes do.

Call it where the test called `load_demo_data()`: on the database every test starts from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clustermarket.demo import load_demo_data
from clustermarket.settings import get_settings
from clustermarket.web.content_version import content_changed
from tests.conftest import _tables, reset_database

_KEPT: dict[str, Any] = {}


def _files(folder: Path) -> dict[Path, bytes]:
    if not folder.is_dir():
        return {}
    return {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}


async def restore_demo_data() -> None:
    """The database as `load_demo_data()` leaves it on a clean one, and its photos' files."""
    media = get_settings().media_dir
    if not _KEPT:
        before = _files(media)
        await load_demo_data()
        _KEPT["rows"] = {table: await table.select() for table in _tables()}
        _KEPT["files"] = {
            path: data for path, data in _files(media).items() if before.get(path) != data
        }
        return
    await reset_database(_KEPT["rows"])
    for path, data in _KEPT["files"].items():
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    await content_changed()  # as the load's own writes did: no page cached before is served
