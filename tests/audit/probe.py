"""Sending one request as a role and naming what came back."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.audit.routes import Route

OK, LOGIN, NO = "ok", "login", "no"


def csrf_of(client: AsyncTestClient) -> str:
    return client.cookies.get("csrftoken") or ""


async def send(
    client: AsyncTestClient, route: Route, url: str, data: dict[str, Any] | None = None
) -> Any:
    """The request a browser form would send (with its CSRF token for unsafe methods)."""
    if not route.unsafe:
        return await client.request(route.method, url, follow_redirects=False)
    form = {**(data or {}), "_csrf_token": csrf_of(client)}
    return await client.request(route.method, url, data=form, follow_redirects=False)


def outcome(response: Any) -> str:
    """ok: the role got through (a page, a redirect, or its form's own message);
    login: sent to sign in; no: refused (403) or not found (404)."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    location = response.headers.get("location", "") or response.headers.get("hx-redirect", "")
    if status == 401 or (status in (302, 303) and location.startswith("/login")):
        return LOGIN
    if status in (403, 404):
        return NO
    return OK


# What web/security.py sets on every answer; the audit checks each answer it gets.
SECURITY_HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=()",
    "cross-origin-opener-policy": "same-origin",
}


def missing_security_headers(response: Any) -> list[str]:
    from tests.audit.counts import COUNTS

    COUNTS["headers"] += 1
    return [
        name
        for name, part in SECURITY_HEADERS.items()
        if part not in response.headers.get(name, "")
    ]
