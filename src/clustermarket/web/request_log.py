"""One log line per request on the `clustermarket.requests` logger, with a request id.

    rid=3f2a… GET /teams/{team_id:int}/workspace 200 12.4ms

- The id is a fresh uuid, or a sane incoming `X-Request-ID` (a proxy's, so its log and ours
  match); it goes back in the response's `X-Request-ID` header.
- The route is the route's template, not the path, when the request found a route: ids and
  tokens in paths stay out of the log. The query string and the body are never logged.
- Pure ASGI around the whole app (404s and errors included): one clock read before, one after.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from clustermarket.uuids import random_uuid

log = logging.getLogger("clustermarket.requests")

HEADER = b"x-request-id"
_SANE_ID = re.compile(rb"^[A-Za-z0-9._:-]{8,64}$")


def request_id(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers") or ():
        if name == HEADER and _SANE_ID.match(value):
            return value.decode("ascii")
    return random_uuid()


class RequestLog:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers") or () if h[0].lower() != HEADER]
                message["headers"] = [*headers, (HEADER, rid.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "rid=%s %s %s %s %.1fms",
                rid,
                scope.get("method", "-"),
                scope.get("path_template") or scope.get("path", "-"),
                status,
                (time.perf_counter() - started) * 1000,
            )
