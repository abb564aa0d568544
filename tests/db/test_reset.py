"""The per-test wipe (tests/conftest.py `reset_database`) on either engine: every row a test
made is gone, the trigger-kept totals with it, and ids start again where a fresh database's do."""

from __future__ import annotations

from typing import Any

from clustermarket.accounts.services import load_session_user
from clustermarket.accounts.tables import User
from clustermarket.market.sales import record_sale
from tests.conftest import _tables, make_user, reset_database
from tests.market.helpers import new_sale_id, open_market


async def _counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in _tables()}


async def test_the_wipe_leaves_the_migrated_database(seed_rows: dict[Any, list]) -> None:
    fresh = await _counts()
    market = await open_market()
    seller = await User.select(User.id).where(User.username == "ameliab").first()
    await record_sale(
        await load_session_user(seller["id"], 0), market.stall, market.candle, 2, "cash",
        new_sale_id(),
    )  # fmt: skip
    made = await _counts()
    assert made["sale"] == 1 and made["sale_total"] and made["stall_method_total"]

    await reset_database(seed_rows)

    assert await _counts() == fresh, "every row gone, the trigger-kept totals too"
    first = await make_user("wiped")
    await reset_database(seed_rows)
    assert await make_user("wiped") == first, "ids start again after the wipe"
