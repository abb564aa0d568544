"""Server-side sessions whose id is renewed at sign-in (no session fixation)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession

ROTATE = "_rotate"


def rotate_session_id(session: dict[str, Any]) -> None:
    """Mark the session to be stored under a fresh id when this response is sent."""
    session[ROTATE] = True


class RotatingSessionBackend(ServerSideSessionBackend):
    _FRESH_ID = "clustermarket.fresh_session_id"

    def get_session_id(self, connection: ASGIConnection) -> str:
        fresh = connection.scope.get(self._FRESH_ID)  # type: ignore[call-overload]
        return fresh or super().get_session_id(connection)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        if isinstance(scope_session, dict) and not scope_session:
            if not connection.cookies.get(self.config.key):
                return  # a visitor with nothing to keep: no cookie, nothing stored
            scope_session = Empty
        if isinstance(scope_session, dict) and scope_session.pop(ROTATE, False):
            old_id = connection.cookies.get(self.config.key)
            if old_id:
                await self.delete(old_id, store=self.config.get_store_from_app(connection.app))
            connection.scope[self._FRESH_ID] = self.generate_session_id()  # type: ignore[literal-required]
        await super().store_in_message(scope_session, message, connection)


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]
