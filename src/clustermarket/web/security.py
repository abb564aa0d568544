"""Security headers on every response (Litestar has no middleware for them)."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

# Only this origin: no inline script or style, no framing, forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'; worker-src 'self'; manifest-src 'self'"
)


def security_header_values(https: bool) -> dict[str, str]:
    """The headers every answer carries (pages here, static files in web/static.py)."""
    headers = {
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "cross-origin-opener-policy": "same-origin",
    }
    if https:
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return headers


def security_headers(https: bool):
    """A `before_send` hook: it sees every response, also 404s that no route handled."""
    headers = security_header_values(https)

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            response_headers = MutableScopeHeaders.from_message(message)
            for name, value in headers.items():
                if name not in response_headers:
                    response_headers[name] = value

    return add_headers
