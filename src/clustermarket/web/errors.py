"""Friendly error pages that leak nothing; htmx requests get a small fragment instead."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from asyncpg.exceptions import (
    CharacterNotInRepertoireError,
    DataError,
    UntranslatableCharacterError,
)
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from clustermarket.accounts.services import NotFound
from clustermarket.web.clusters import UnknownCluster
from clustermarket.web.forms import CONTROL_CHARACTER_MESSAGE, TOO_BIG
from clustermarket.web.outage import OUTAGE_HANDLERS

log = logging.getLogger("clustermarket")

TITLES = {
    400: "That did not work",
    401: "Please sign in",
    403: "Not for you, sorry",
    404: "We could not find that page",
    405: "That is not allowed here",
    413: "That is too big",
    429: "Too many tries",
    500: "Something went wrong on our side",
    503: "Please try again in a minute",
}
DEFAULT_MESSAGES = {
    403: "Your account cannot open this page. If you think it should, ask your teacher.",
    404: "It may have moved, or the address may be mistyped.",
    429: "Please wait a minute, then try again.",
    413: TOO_BIG,
    500: "It is not your fault. Please try again in a moment.",
}


def render_error(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    is_htmx = bool(request.headers.get("hx-request"))
    return Template(
        template_name="errors/_message.html" if is_htmx else "errors/error.html",
        context={
            "status": status,
            "title": TITLES.get(status, "That did not work"),
            "message": message,
        },
        status_code=status,
        headers=headers,
    )


_render = render_error


def _sign_in_first(request: Request) -> Response:
    target = "/login?next=" + quote(
        request.url.path + (f"?{request.url.query}" if request.url.query else "")
    )
    if request.headers.get("hx-request"):
        return ClientRedirect(redirect_to=target)
    return Redirect(path=target)


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException) and request.method in ("GET", "HEAD"):
        return _sign_in_first(request)
    if status >= 500:
        log.error("HTTP %s on %s %s: %s", status, request.method, request.url.path, exc.detail)
        return _render(request, status, DEFAULT_MESSAGES[500])
    message = DEFAULT_MESSAGES.get(status, "")
    # Our own exceptions carry a sentence for the user; framework defaults are generic.
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    if exc.detail and exc.detail != phrase and status not in (404, 405, 413, 429):
        message = exc.detail
    if isinstance(exc, ValidationException):
        message = "Some of what was sent was not valid. Please check the form and try again."
    elif "CSRF" in (exc.detail or ""):
        message = (
            "This form had expired or came from somewhere else. Please go back, reload the "
            "page and send it again."
        )
    return _render(request, status, message)


def not_found_handler(request: Request, exc: NotFound) -> Response:
    return _render(request, 404, DEFAULT_MESSAGES[404])


def unknown_cluster_handler(request: Request, exc: Exception) -> Response:
    return _render(
        request,
        404,
        "No cluster is served at this address. Check the address you were given by your "
        "school or cluster.",
    )


def out_of_range_handler(request: Request, exc: Exception) -> Response:
    """An id or number typed into a URL or form that no column can hold (asyncpg refuses a
    value beyond 32 bits, SQLite beyond 64): the user's input is wrong, not the server."""
    log.warning("Out-of-range value on %s %s: %s", request.method, request.url.path, exc)
    if isinstance(exc, CharacterNotInRepertoireError | UntranslatableCharacterError):
        return _render(request, 400, CONTROL_CHARACTER_MESSAGE)  # a backstop: forms are checked
    return _render(request, 400, "A number in that request is too large. Please check it.")


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("Unhandled error on %s %s", request.method, request.url.path)
    return _render(request, HTTP_500_INTERNAL_SERVER_ERROR, DEFAULT_MESSAGES[500])


EXCEPTION_HANDLERS = {
    **OUTAGE_HANDLERS,  # database or Redis unreachable or busy: 503 with Retry-After
    HTTPException: http_exception_handler,
    NotFound: not_found_handler,
    UnknownCluster: unknown_cluster_handler,
    DataError: out_of_range_handler,
    OverflowError: out_of_range_handler,
    Exception: internal_error_handler,
}
