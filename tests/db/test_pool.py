"""A small PostgreSQL pool (fewer than asyncpg's default ten idle connections) starts."""

from dataclasses import replace

import pytest

from clustermarket.db import close_pool, make_engine, open_pool
from clustermarket.settings import get_settings


@pytest.mark.parametrize("size", [1, 3, 10])
async def test_a_pool_of_any_size_opens_and_serves(size: int) -> None:
    settings = replace(get_settings(), database_pool_size=size)
    if not settings.is_postgres:
        pytest.skip("connection pools are PostgreSQL's; SQLite has none")
    engine = make_engine(settings)
    await open_pool(engine, settings)
    try:
        assert engine.pool is not None
        assert engine.pool.get_max_size() == size
        rows = await engine.run_querystring(_one())
        assert [dict(row) for row in rows] == [{"one": 1}]
    finally:
        await close_pool(engine)


def _one():
    from piccolo.querystring import QueryString

    return QueryString("SELECT 1 AS one")
