"""Who is signed in: read from the server-side session on every request."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from clustermarket.accounts.services import CurrentUser, load_session_user

SESSION_USER = "uid"
SESSION_EPOCH = "epoch"


class SessionUserMiddleware(AbstractAuthenticationMiddleware):
    """Sets `request.user` to the signed-in `CurrentUser`, or None for visitors.

    Unlike Litestar's SessionAuth, a visitor is not refused here: most pages are public,
    and the guards below decide per route."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        session: dict[str, Any] = connection.scope.get("session") or {}
        user_id, epoch = session.get(SESSION_USER), session.get(SESSION_EPOCH)
        user = None
        if isinstance(user_id, int) and isinstance(epoch, int):
            user = await load_session_user(user_id, epoch)
        return AuthenticationResult(user=user, auth=None)


def _user(connection: ASGIConnection) -> CurrentUser:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("Please sign in to see this page.")
    return user


# Guards are async: Litestar runs a plain function in a worker thread on every request.
async def requires_signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    _user(connection)


async def requires_staff(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not _user(connection).is_staff:
        raise PermissionDeniedException("This page is for teachers.")


async def requires_admin(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not _user(connection).is_admin:
        raise PermissionDeniedException("This page is for the cluster admin.")
