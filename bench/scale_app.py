"""The app as bench/scale.py serves it: unchanged, plus an `x-query-count` response header
with the number of SQL statements the request sent (the engine's one entry point, the same
place tests/conftest.py's QueryCounter wraps). Only for the benchmark."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from clustermarket.server import create_app
from piccolo_conf import DB

_queries: ContextVar[list[int] | None] = ContextVar("queries", default=None)
_engine_class = type(DB)
_original = _engine_class.run_querystring


async def _counting(engine: Any, *args: Any, **kwargs: Any) -> Any:
    box = _queries.get()
    if box is not None:
        box[0] += 1
    return await _original(engine, *args, **kwargs)


_engine_class.run_querystring = _counting  # type: ignore[method-assign]
_inner = create_app()


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        await _inner(scope, receive, send)
        return
    box = [0]
    token = _queries.set(box)

    async def send_with_count(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            count = str(box[0]).encode()
            message["headers"] = [*message.get("headers", []), (b"x-query-count", count)]
        await send(message)

    try:
        await _inner(scope, receive, send_with_count)
    finally:
        _queries.reset(token)
