"""The demo data restored from kept rows (tests/demo_rows.py) is the demo data as loaded:
every table's rows, with the totals its triggers keep, and the photos' files."""

from __future__ import annotations

from typing import Any

from clustermarket.demo import load_demo_data
from clustermarket.settings import get_settings
from tests.conftest import TRIGGER_KEPT, _tables, reset_database
from tests.demo_rows import restore_demo_data


async def _contents() -> dict[str, tuple[int, dict[str, int]]]:
    """Each table's row count and the sum of each of its number columns that is not a key
    (keys differ between loads on SQLite, where ids never start again). A trigger-kept count
    at zero is left out: the load leaves one behind for each status an item went through."""
    found = {}
    for table in _tables():
        keys = {c._meta.name for c in table._meta.foreign_key_columns} | {"id"}
        rows = [row for row in await table.select() if not _zero_count(table, row, keys)]
        sums: dict[str, int] = {}
        for row in rows:
            for name, value in row.items():
                if name not in keys and type(value) is int:
                    sums[name] = sums.get(name, 0) + value
        found[table._meta.tablename] = (len(rows), sums)
    return found


def _zero_count(table: Any, row: dict[str, Any], keys: set[str]) -> bool:
    if table._meta.tablename not in TRIGGER_KEPT:
        return False
    counts = [v for k, v in row.items() if k not in keys and not k.endswith("_key")]
    return all(v == 0 for v in counts if type(v) is int)


def _photos() -> list[Any]:
    media = get_settings().media_dir
    return sorted(p.stat().st_size for p in media.rglob("*") if p.is_file())


async def test_the_restored_demo_is_the_demo_as_loaded(seed_rows) -> None:
    await restore_demo_data()
    await restore_demo_data()  # the second call, at least, restores from the kept rows
    restored, restored_photos = await _contents(), _photos()
    assert restored["product"][0] > 0 and restored["sale"][0] > 0 and restored_photos
    await reset_database(seed_rows)
    await load_demo_data()
    assert await _contents() == restored
    assert set(restored_photos) <= set(_photos())
