"""The per-test wipe (tests/conftest.py `reset_database`) on either engine: every row a test
made is gone, the trigger-kept totals with it, and ids start again where a fresh database's do."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.tables import User
from tests.conftest import _tables, make_team, make_user, reset_database


async def _counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in _tables()}


async def test_the_wipe_leaves_the_migrated_database(seed_rows: dict[Any, list]) -> None:
    fresh = await _counts()
    first = await make_user("wiped")
    await make_team()
    assert await _counts() != fresh

    await reset_database(seed_rows)

    assert await _counts() == fresh
    assert await make_user("wiped") == first, "ids start again after the wipe"
    assert await User.count() == 1
