"""A request leaves no cyclic garbage (issue 17, target 4; `web/requests.py`).

litestar-htmx's request keeps its `HTMXDetails`, which keep the request: every request
object was in a reference cycle, and with it the scope and everything the request touched,
so none of it was freed when the request ended and the garbage collector's passes (which
stop every request) grew with the load. Here the app is called as uvicorn calls it, its
garbage collector kept still: whatever the collector would have had to free afterwards is
the app's cyclic garbage, and there should be none of the request's."""

from __future__ import annotations

import gc
from collections import Counter
from typing import Any

from litestar.connection import ASGIConnection

from clustermarket.web.requests import AppRequest
from tests.conftest import csrf_token, sign_in
from tests.market.helpers import new_sale_id, open_market

# What uvicorn puts in every request's scope, besides its method, path, headers and state.
_SCOPE = {
    "type": "http",
    "asgi": {"version": "3.0", "spec_version": "2.3"},
    "http_version": "1.1",
    "scheme": "http",
    "root_path": "",
    "query_string": b"",
    "server": ("testserver", 80),
    "client": ("127.0.0.1", 50000),
}


async def _call(app: Any, method: str, path: str, headers: dict[str, str], body: bytes = b""):
    """(status, body) of one request through the whole app, as uvicorn would send it."""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    answer: dict[str, Any] = {"body": b""}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    pairs = {"host": "testserver", **headers}.items()
    scope = dict(_SCOPE, method=method, path=path, raw_path=path.encode(), state={})
    scope["headers"] = [(name.lower().encode(), value.encode()) for name, value in pairs]
    await app(scope, receive, send)
    return answer["status"], answer["body"]


async def _garbage_of(calls) -> Counter[str]:
    """The types of the cyclic garbage the calls leave (the collector kept still meanwhile)."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        await calls()
        gc.collect()
        left = Counter(type(o).__qualname__ for o in gc.garbage)
        request_objects = [o for o in gc.garbage if isinstance(o, ASGIConnection)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not request_objects, f"requests left to the garbage collector: {left.most_common(8)}"
    return left


async def test_a_tap_a_page_and_a_missing_page_leave_no_request_to_the_collector(client) -> None:
    market = await open_market()
    await sign_in(client, "ameliab")
    await client.get(f"/stalls/{market.stall}")
    app = client.app
    assert app.request_class is AppRequest
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    token = csrf_token(client)
    form = {"cookie": cookie, "x-csrftoken": token, "accept-encoding": "gzip"}
    form["content-type"] = "application/x-www-form-urlencoded"

    async def calls() -> None:
        for htmx in (True, False):
            body = f"sale_id={new_sale_id()}&product_id={market.candle}&quantity=1&method=cash"
            headers = {**form, "content-length": str(len(body))}
            if htmx:
                headers["hx-request"] = "true"
            status, _ = await _call(
                app, "POST", f"/stalls/{market.stall}/sales", headers, body.encode()
            )
            assert status in (200, 303)
        status, page = await _call(app, "GET", f"/stalls/{market.stall}", {"cookie": cookie})
        assert status == 200 and b"tap-" in page
        assert (await _call(app, "GET", "/no-such-page", {"cookie": cookie}))[0] == 404
        assert (await _call(app, "GET", "/", {}))[0] == 200  # signed out

    left = await _garbage_of(calls)
    assert left["HTMXDetails"] == 0, left.most_common(8)


def test_htmx_details_are_still_there_when_asked_for() -> None:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"hx-request", b"true"), (b"hx-target", b"recent-sales")],
        "query_string": b"",
        "state": {},
    }
    request = AppRequest(scope)  # type: ignore[arg-type]
    assert request.htmx and request.htmx.target == "recent-sales"
    plain = {**scope, "headers": [], "state": {}}  # (parsed headers are kept in the state)
    assert not AppRequest(plain).htmx  # type: ignore[arg-type]
