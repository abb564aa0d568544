"""The app's route decorators (web/routes.py): a guard is given the route handler itself, not
the copy Litestar's own decorators give it, on an ordinary route of a controller or of a
function; `opt=` and the other arguments still reach the handler; every route of the app is
made by them."""

from typing import Any

from litestar import Controller, Litestar
from litestar import get as litestar_get
from litestar.connection import ASGIConnection
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from clustermarket.market.till_controllers import TillController
from clustermarket.server import create_app
from clustermarket.settings import get_settings
from clustermarket.web.auth import CHECKS_USER_ITSELF
from clustermarket.web.routes import RouteHandler, delete, get, patch, post, put

Seen = list[tuple[BaseRouteHandler, BaseRouteHandler]]


def _recording(seen: Seen) -> Any:
    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        seen.append((handler, connection.route_handler))

    return guard


async def test_a_guard_is_given_the_route_handler_itself_not_a_copy() -> None:
    seen: Seen = []
    guard = _recording(seen)

    class Stalls(Controller):
        path = "/stalls"

        @get("/{stall_id:int}", guards=[guard])
        async def show(self, stall_id: FromPath[int]) -> str:
            return f"stall {stall_id}"

    @post("/tickets", guards=[guard], opt={"kept": "yes"}, status_code=200)
    async def sell() -> str:
        return "sold"

    @litestar_get("/litestars-own", guards=[guard])
    async def litestars_own() -> str:
        return "copied"

    async with AsyncTestClient(app=Litestar([Stalls, sell, litestars_own], guards=[guard])) as c:
        assert (await c.get("/stalls/7")).text == "stall 7"
        assert (await c.post("/tickets")).status_code == 200
        assert (await c.get("/litestars-own")).text == "copied"

    ours, litestars = seen[:4], seen[4:]
    assert len(ours) == 4 and len(litestars) == 2  # the app's guard and the route's, each
    for given, routed in ours:
        assert isinstance(given, RouteHandler)
        assert given is routed  # the handler itself
    assert ours[2][0].opt["kept"] == "yes"
    for given, routed in litestars:
        assert given is not routed and given.paths == routed.paths  # Litestar's: a copy


async def test_a_guard_of_the_app_itself_is_given_the_route_handler() -> None:
    seen: Seen = []

    @get("/probe", guards=[_recording(seen)], sync_to_thread=False)
    def probe() -> str:
        return "here"

    app = create_app(get_settings())
    app.register(probe)
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/probe")).text == "here"
    ((given, routed),) = seen
    assert given is routed


def test_every_decorator_makes_a_route_handler_of_its_method() -> None:
    async def handler() -> None:
        return None

    for decorator, method in [
        (get, "GET"),
        (post, "POST"),
        (put, "PUT"),
        (patch, "PATCH"),
        (delete, "DELETE"),
    ]:
        made = decorator("/here", opt={"a": 1}, name=f"n-{method}")(handler)
        assert isinstance(made, RouteHandler)
        assert made.http_methods == {method}
        assert made.opt["a"] == 1 and made.name == f"n-{method}"


def test_every_route_of_the_app_is_made_by_the_apps_decorators() -> None:
    app = create_app(get_settings())
    ours = {
        route.path: handler
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if isinstance(handler, HTTPRouteHandler)
        and handler.fn.__module__.startswith("clustermarket.")
    }
    assert len(ours) > 100
    made_elsewhere = [
        f"{path}: {handler.fn.__module__}.{handler.handler_name}"
        for path, handler in ours.items()
        if not isinstance(handler, RouteHandler)
    ]
    assert made_elsewhere == []
    ticket = ours["/stalls/{stall_id:int}/tickets"]  # the till's: its opt= kept
    assert ticket.fn.__func__ is TillController.sell.fn and CHECKS_USER_ITSELF in ticket.opt
