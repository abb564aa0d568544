"""The app's route decorators: `get`, `post`, `put`, `patch` and `delete` take Litestar's
arguments (`guards=`, `opt=`, `name=`, ...) and make a `RouteHandler`, whose guards are given
the route handler itself. Litestar gives each guard a `copy()` of it (some sixty attributes,
about 20 µs a guard, twice per request here: the cluster and the signed-in user) in case a
guard changes it; none of ours does, and a guard must not.

Litestar's own `get`, `post`, ... classes warn when subclassed (deprecated for 3.0), so the one
subclass is of `HTTPRouteHandler` (what they build on), with the HTTP method set here as they
set it. Every controller imports its decorators from here (tests/web/test_routes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import HttpMethod
from litestar.connection import ASGIConnection
from litestar.handlers import HTTPRouteHandler

RoutePath = str | Sequence[str] | None


class RouteHandler(HTTPRouteHandler):
    """Litestar's HTTP route handler, its guards (Litestar's, in its order: `resolve_guards`)
    given the handler itself."""

    async def authorize_connection(self, connection: ASGIConnection) -> None:
        for guard in self.resolve_guards():
            await guard(connection, self)


def get(path: RoutePath = None, **kwargs: Any) -> RouteHandler:
    return RouteHandler(path, http_method=HttpMethod.GET, **kwargs)


def post(path: RoutePath = None, **kwargs: Any) -> RouteHandler:
    return RouteHandler(path, http_method=HttpMethod.POST, **kwargs)


def put(path: RoutePath = None, **kwargs: Any) -> RouteHandler:
    return RouteHandler(path, http_method=HttpMethod.PUT, **kwargs)


def patch(path: RoutePath = None, **kwargs: Any) -> RouteHandler:
    return RouteHandler(path, http_method=HttpMethod.PATCH, **kwargs)


def delete(path: RoutePath = None, **kwargs: Any) -> RouteHandler:
    return RouteHandler(path, http_method=HttpMethod.DELETE, **kwargs)
