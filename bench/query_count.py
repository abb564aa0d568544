"""Counting the SQL statements a piece of work sends, for the benchmarks (the engine's one
entry point, the same place tests/conftest.py's QueryCounter wraps). Importing this builds
no app and opens no database: `count_queries()` wraps the engine once the environment is set."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_queries: ContextVar[list[int] | None] = ContextVar("queries", default=None)
_wrapped: set[type] = set()


def count_queries() -> None:
    """Wrap the engine's `run_querystring` so that statements sent inside `counting()` add up."""
    from piccolo_conf import DB

    engine_class = type(DB)
    if engine_class in _wrapped:
        return
    original = engine_class.run_querystring

    async def counting_querystring(engine: Any, *args: Any, **kwargs: Any) -> Any:
        box = _queries.get()
        if box is not None:
            box[0] += 1
        return await original(engine, *args, **kwargs)

    engine_class.run_querystring = counting_querystring  # type: ignore[method-assign]
    _wrapped.add(engine_class)


@contextmanager
def counting() -> Iterator[list[int]]:
    """A box whose one number is the statements sent within this block (in this context)."""
    box = [0]
    token = _queries.set(box)
    try:
        yield box
    finally:
        _queries.reset(token)
