"""A guard in front of Litestar's CSRF middleware, which stays the mechanism.

Litestar 2.25 compares the CSRF cookie and token as `str` with `hmac.compare_digest`, which
raises TypeError for non-ASCII text: a scanner's `csrftoken=é` gave a 500 on every POST (see
docs/upstream/litestar-csrf-non-ascii.md). A real token is hex, so anything non-ASCII is
refused here with a 403, before Litestar compares it.

It also keeps a signed-out page free of anything per visitor: Litestar mints a token and its
cookie on every GET without one; the cookie is kept only when the page rendered the token
(a form, or the htmx header of a signed-in page: web/templating.py marks it). An unsafe
request is checked exactly as before."""

from __future__ import annotations

from litestar.config.csrf import CSRFConfig
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_RENDERED = "csrf_token_rendered"  # scope key set when a template rendered the token
INVALID_TOKEN = "The form's security token is invalid. Please reload the page and send it again."
FORM_TYPES = {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}


class CSRFTokenGuard(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, config: CSRFConfig) -> None:
        self.config = config
        self.exclude_path_pattern = tuple(config.exclude or ())

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        if scope["method"] in self.config.safe_methods:  # type: ignore[typeddict-item]
            if not request.cookies.get(self.config.cookie_name, "").isascii():
                # Forget the broken cookie (the parsed cookies are shared through the scope),
                # so Litestar sets a fresh one and "reload the page" really mends the form.
                request.cookies.pop(self.config.cookie_name)
            if not request.cookies.get(self.config.cookie_name):
                send = self._drop_unused_cookie(scope, send)
        else:
            values = [
                request.cookies.get(self.config.cookie_name),
                request.headers.get(self.config.header_name),
            ]
            if not values[1] and request.content_type[0] in FORM_TYPES:
                # Read as the CSRF middleware reads it; Litestar keeps the parsed form.
                values.append((await request.form()).get("_csrf_token"))
            if any(isinstance(v, str) and not v.isascii() for v in values):
                raise PermissionDeniedException(INVALID_TOKEN)
        await next_app(scope, receive, send)

    def _drop_unused_cookie(self, scope: Scope, send: Send) -> Send:
        prefix = f"{self.config.cookie_name}=".encode()

        async def send_without_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and not scope.get(TOKEN_RENDERED):
                message["headers"] = [
                    (name, value)
                    for name, value in message.get("headers") or ()
                    if not (name.lower() == b"set-cookie" and value.startswith(prefix))
                ]
            await send(message)

        return send_without_cookie
