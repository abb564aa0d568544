"""Server-side sessions whose id is renewed at sign-in (no session fixation), written only
when they change.

Litestar stores the session and sends its cookie again on every response, which for a
signed-in phone tapping sales is a file (or Redis) write per request for nothing. Here a
session is stored only when its contents changed, or at most every `RENEW_EVERY` seconds
to push its expiry on (the stored `_renewed` mark moves on then): a session still ends
`max_age` after the last request, give or take those few minutes."""

from __future__ import annotations

import time
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession

ROTATE = "_rotate"
RENEWED = "_renewed"  # in the session: when it was last stored, in RENEW_EVERY steps
RENEW_EVERY = 5 * 60
_LOADED = "clustermarket.session_loaded"  # scope key: the session's bytes as read


def rotate_session_id(session: dict[str, Any]) -> None:
    """Mark the session to be stored under a fresh id when this response is sent."""
    session[ROTATE] = True


class RotatingSessionBackend(ServerSideSessionBackend):
    _FRESH_ID = "clustermarket.fresh_session_id"

    def get_session_id(self, connection: ASGIConnection) -> str:
        fresh = connection.scope.get(self._FRESH_ID)  # type: ignore[call-overload]
        return fresh or super().get_session_id(connection)

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        if session_id := connection.cookies.get(self.config.key):
            data = await self.get(session_id, store=self.config.get_store_from_app(connection.app))
            if data is not None:
                connection.scope[_LOADED] = data  # type: ignore[literal-required]
                return self.deserialize_data(data)
        return {}

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        if isinstance(scope_session, dict):
            scope_session.pop(RENEWED, None)  # only a mark: alone it keeps nothing
            if not scope_session:
                if not connection.cookies.get(self.config.key):
                    return  # a visitor with nothing to keep: no cookie, nothing stored
                scope_session = Empty
        if isinstance(scope_session, dict):
            scope_session[RENEWED] = int(time.time() // RENEW_EVERY)
            loaded = connection.scope.get(_LOADED)  # type: ignore[call-overload]
            unchanged = loaded == self.serialize_data(scope_session, connection.scope)
            if unchanged and not scope_session.get(ROTATE):
                return  # unchanged and renewed lately: no write, the cookie stands
        if isinstance(scope_session, dict) and scope_session.pop(ROTATE, False):
            old_id = connection.cookies.get(self.config.key)
            if old_id:
                await self.delete(old_id, store=self.config.get_store_from_app(connection.app))
            connection.scope[self._FRESH_ID] = self.generate_session_id()  # type: ignore[literal-required]
        await super().store_in_message(scope_session, message, connection)


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]
