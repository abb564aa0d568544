"""The app as bench/scale.py serves it: unchanged, plus an `x-query-count` response header
with the number of SQL statements the request sent (the engine's one entry point, the same
place tests/conftest.py's QueryCounter wraps; bench/query_count.py). Only for the benchmark."""

from __future__ import annotations

from typing import Any

from query_count import count_queries, counting

from clustermarket.server import create_app

count_queries()
_inner = create_app()


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        await _inner(scope, receive, send)
        return
    with counting() as box:

        async def send_with_count(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                count = str(box[0]).encode()
                message["headers"] = [*message.get("headers", []), (b"x-query-count", count)]
            await send(message)

        await _inner(scope, receive, send_with_count)
